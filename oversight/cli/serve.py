"""``oversight serve``: serve the site on this machine."""

from __future__ import annotations

import typer

from oversight.cli.common import console, setup_django


def serve_site(host: str, port: int) -> None:
    """Serve the site with Django's threaded server (static files through WhiteNoise)."""
    setup_django()
    from django.core.management import call_command

    console.print(f"Serving on http://{host}:{port}/ (press Ctrl+C to stop)")
    call_command("runserver", f"{host}:{port}", use_reloader=False, use_threading=True,
                 skip_checks=True)


def register(app: typer.Typer) -> None:
    @app.command()
    def serve(
        port: int = typer.Option(8000, help="Port to listen on."),
        host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    ) -> None:
        """Serve the public site and staff area on the configured database.

        Example: oversight serve --port 8000
        """
        serve_site(host, port)
