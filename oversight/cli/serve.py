"""``oversight serve``: serve the site on this machine, with a worker for background work (the
imports uploaded and the reports built in the staff area); ``oversight worker``: django-tasks-db's
worker on its own, beside a production server such as gunicorn (``oversight.staff.background``
explains how background work runs)."""

from __future__ import annotations

import typer

from oversight.cli.common import console, setup_django


def serve_site(host: str, port: int) -> None:
    """Serve the site with Django's threaded server (static files through WhiteNoise), and run
    background work in a worker thread of the same process."""
    setup_django()
    from django.core.management import call_command

    from oversight.staff.background import WorkerThread

    worker = WorkerThread()
    worker.start()
    console.print(f"Serving on http://{host}:{port}/ (press Ctrl+C to stop)")
    try:
        call_command("runserver", f"{host}:{port}", use_reloader=False, use_threading=True,
                     skip_checks=True)
    finally:
        worker.stop()


def run_worker(poll: float, batch: bool) -> None:
    """Mark the jobs a stopped worker left running, then run django-tasks-db's ``db_worker``."""
    setup_django()
    from django.core.management import call_command

    from oversight.staff.background import recover_stopped, worker_id

    stopped = recover_stopped()
    if stopped:
        console.print(f"{stopped} background {'job' if stopped == 1 else 'jobs'} left running "
                      "by a worker that stopped marked as stopped; the staff pages say what to "
                      "do.")
    if batch:
        console.print("Running the background work waiting to start, then stopping")
    else:
        console.print(f"Waiting for background work, checking every {poll:g} seconds (press "
                      "Ctrl+C to stop after the job running; press it twice to stop at once: "
                      "that job is then not saved, and is marked as stopped)")
    call_command("db_worker", interval=poll, batch=batch, reload=False, worker_id=worker_id())


def register(app: typer.Typer) -> None:
    @app.command()
    def serve(
        port: int = typer.Option(8000, help="Port to listen on."),
        host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    ) -> None:
        """Serve the public site and staff area on the configured database, and run background
        work (files uploaded and reports built in the staff area) in the same process.

        Example: oversight serve --port 8000
        """
        serve_site(host, port)

    @app.command()
    def worker(
        poll: float = typer.Option(1.0, help="Seconds between looks for new work."),
        batch: bool = typer.Option(False, "--batch",
                                   help="Run the work waiting to start, then stop."),
    ) -> None:
        """Run background work (files uploaded and reports built in the staff area) beside a
        production server such as gunicorn; oversight serve runs its own worker. More than one
        may run, on one machine or several: each job runs once.

        Example: oversight worker
        """
        run_worker(poll, batch)
