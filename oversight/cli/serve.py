"""``oversight serve``: serve the site on this machine, with a worker for uploaded imports;
``oversight worker``: the import worker on its own, beside a production server such as
gunicorn (``oversight.staff.imports`` explains the queue)."""

from __future__ import annotations

import threading

import typer

from oversight.cli.common import console, setup_django


def serve_site(host: str, port: int) -> None:
    """Serve the site with Django's threaded server (static files through WhiteNoise), and run
    uploaded imports in a background thread of the same process."""
    setup_django()
    from django.core.management import call_command

    from oversight.staff.imports import start_worker_thread

    _thread, stop = start_worker_thread()
    console.print(f"Serving on http://{host}:{port}/ (press Ctrl+C to stop)")
    try:
        call_command("runserver", f"{host}:{port}", use_reloader=False, use_threading=True,
                     skip_checks=True)
    finally:
        stop.set()


def run_worker(poll: float) -> None:
    """Run uploaded imports until stopped with Ctrl+C."""
    setup_django()
    from oversight.staff.imports import work

    stop = threading.Event()
    console.print(f"Waiting for uploaded imports, checking every {poll:g} seconds "
                  "(press Ctrl+C to stop)")
    try:
        work(stop, poll)
    except KeyboardInterrupt:
        stop.set()
        console.print("Stopped. An import that was running is marked as stopped when a worker "
                      "next starts; its files are stored all together or not at all.")


def register(app: typer.Typer) -> None:
    @app.command()
    def serve(
        port: int = typer.Option(8000, help="Port to listen on."),
        host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    ) -> None:
        """Serve the public site and staff area on the configured database, and import the
        files uploaded on the staff import page in the background.

        Example: oversight serve --port 8000
        """
        serve_site(host, port)

    @app.command()
    def worker(
        poll: float = typer.Option(1.0, help="Seconds between looks for new uploads."),
    ) -> None:
        """Import the files uploaded on the staff import page, beside a production server such
        as gunicorn (oversight serve runs its own worker).

        Example: oversight worker
        """
        run_worker(poll)
