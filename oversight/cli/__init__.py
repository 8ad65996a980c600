"""The ``oversight`` command line: thin Typer commands over the apps' services."""
