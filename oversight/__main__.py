"""``python -m oversight`` is the same as the ``oversight`` command."""

from oversight.cli.main import app

app()
