"""Imports from the upload page, run in the background so a large upload does not hold up the
request: the page saves the files and queues an ``ImportJob``; a worker imports them with the
one import service (``oversight.data.services.import_police_uk``: every file checked, then all
stored in one transaction, or nothing), computes the plans' figures again and records the
result. The status page shows each step's progress while it runs.

Why not django-tasks: version 0.12 ships only two backends, ``ImmediateBackend`` (runs the task
inside the request, which is what this avoids) and ``DummyBackend`` (never runs it). Its
database backend is a separate package that is not a dependency. So the queue is this app's
own table, claimed by a worker with a conditional update (no two workers run the same job, on
SQLite or PostgreSQL):

- ``oversight serve`` starts a worker thread beside the web server (``start_worker_thread``);
- ``oversight worker`` runs one on its own, for a deployment behind gunicorn;
- tests call ``run_pending()`` in the test, or start the thread.

Progress goes to a small JSON file beside the uploads, not to the database: the import holds a
write transaction while it stores counts, and SQLite allows one writer at a time, so the page
could not see progress written to a table until the end. A worker that starts marks jobs left
running by a worker process that no longer exists as failed, saying what to do.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import socket
import threading
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import close_old_connections, transaction
from django.utils import timezone

from oversight.data.forces import BY_SLUG
from oversight.data.validate import ImportFileError
from oversight.formatting import month_words, number
from oversight.staff.models import ImportJob

log = logging.getLogger(__name__)
Status = ImportJob.Status
POLL_SECONDS = 1.0


def uploads_root() -> Path:
    return Path(settings.VAR_DIR) / "uploads"


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


# --- queueing -----------------------------------------------------------------------------------


def queue_import(files: list[Any], user: Any) -> ImportJob:
    """Save the uploaded files under their own names and queue them for import."""
    names = [Path(upload.name).name for upload in files]
    with transaction.atomic():
        job = ImportJob.objects.create(files=names, user=user, username=user.get_username())
        folder = uploads_root() / f"import-{job.pk}"
        try:
            (folder / "files").mkdir(parents=True, exist_ok=True)
            for upload, name in zip(files, names, strict=True):
                with (folder / "files" / name).open("wb") as out:
                    for chunk in upload.chunks():
                        out.write(chunk)
        except OSError:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        job.folder = str(folder)
        job.save(update_fields=["folder"])
    return job


# --- progress -----------------------------------------------------------------------------------


class FileProgress:
    """The import's steps (a ``ProgressReporter``), written to a JSON file as they advance, at
    most a few times a second, replaced whole so a reader never sees half a file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.steps: list[dict[str, Any]] = []
        self.written = 0.0

    def start(self, description: str, total: int) -> None:
        if self.steps:
            self.steps[-1]["done"] = self.steps[-1]["total"]
        self.steps.append({"text": description, "total": total, "done": 0})
        self.write()

    def advance(self, amount: int = 1) -> None:
        if self.steps:
            self.steps[-1]["done"] += amount
            if time.monotonic() - self.written > 0.25:
                self.write()

    def finish(self) -> None:
        if self.steps:
            self.steps[-1]["done"] = self.steps[-1]["total"]
        self.write()

    def write(self) -> None:
        part = self.path.with_suffix(".part")
        part.write_text(json.dumps(self.steps), encoding="utf-8")
        os.replace(part, self.path)
        self.written = time.monotonic()


def progress_path(job: ImportJob) -> Path:
    return Path(job.folder) / "progress.json"


def steps_of(job: ImportJob) -> list[dict[str, Any]]:
    """Each step with how far it got: from the progress file while the job runs."""
    if job.finished:
        return job.steps
    try:
        return json.loads(progress_path(job).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []


def steps_in_words(steps: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [{"text": s["text"], "done": number(s["done"]), "total": number(s["total"]),
             "complete": s["done"] >= s["total"]} for s in steps]


# --- running ------------------------------------------------------------------------------------


def claim_next(worker: str) -> ImportJob | None:
    """The oldest queued job, marked as running by ``worker``; None if there is none."""
    queued = ImportJob.objects.filter(status=Status.QUEUED).order_by("id")
    for pk in queued.values_list("pk", flat=True)[:10]:
        taken = ImportJob.objects.filter(pk=pk, status=Status.QUEUED).update(
            status=Status.RUNNING, started_at=timezone.now(), worker=worker)
        if taken:
            return ImportJob.objects.select_related("user").get(pk=pk)
    return None


def run_job(job: ImportJob) -> ImportJob:
    """Import the job's files and compute the plans again; record the result or the problem."""
    from oversight.data.services import import_police_uk
    from oversight.performance.services import compute_plan
    from oversight.plans.models import Plan

    progress = FileProgress(progress_path(job))
    paths = sorted((Path(job.folder) / "files").iterdir())
    stored = False
    try:
        result = import_police_uk(paths, imported_by=job.username, user=job.user,
                                  progress=progress)
        stored = bool(result.imported)
        if result.imported:
            plans = list(Plan.objects.filter(is_current=True, force__isnull=False)
                         .select_related("force"))
            progress.start("Computing the plan's figures again", len(plans))
            for plan in plans:
                compute_plan(plan)
                progress.advance()
        progress.finish()
    except ImportFileError as exc:
        job.status = Status.FAILED
        job.problem = {"file": exc.file, "row": exc.row, "column": exc.column,
                       "value": exc.value, "problem": exc.problem, "fix": exc.fix,
                       "message": str(exc)}
    except Exception as exc:  # recorded for the user, and logged in full
        log.exception("Import %s stopped", job.pk)
        job.status = Status.FAILED
        job.error = (
            f"The import stopped: {exc}. The files were stored, but the figures were not all "
            "worked out again; run oversight compute, or ask an administrator."
            if stored else
            f"The import stopped: {exc}. Nothing was saved; try again, or ask an administrator.")
    else:
        job.status = Status.DONE
        job.summary = summary(result)
    job.steps = progress.steps
    job.finished_at = timezone.now()
    job.save()
    shutil.rmtree(job.folder, ignore_errors=True)
    return job


def summary(result: Any) -> dict[str, Any]:
    """What an import did, as the status page shows it."""
    return {
        "imported": [{"file": f.file_name, "month": month_words(f.month),
                      "force": BY_SLUG[f.force].name if f.force in BY_SLUG else f.force,
                      "rows": number(f.rows_read), "stored": number(f.rows_stored),
                      "replaced": f.replaced_batch_id is not None} for f in result.imported],
        "unchanged": list(result.unchanged),
        "seconds": f"{result.seconds:.1f}",
    }


def run_pending(worker: str | None = None) -> int:
    """Run every queued job, oldest first; return how many ran."""
    worker = worker or worker_name()
    ran = 0
    while (job := claim_next(worker)) is not None:
        run_job(job)
        ran += 1
    return ran


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def recover_interrupted() -> int:
    """Mark as failed the jobs a worker on this machine left running when its process ended."""
    host = socket.gethostname()
    stopped = 0
    for job in ImportJob.objects.filter(status=Status.RUNNING, worker__startswith=f"{host}:"):
        pid = job.worker.rsplit(":", 1)[1]
        if pid.isdigit() and not _process_exists(int(pid)):
            job.status, job.finished_at = Status.FAILED, timezone.now()
            job.steps = steps_of(job)
            job.error = ("The import stopped when the server stopped. Files are stored all "
                         "together or not at all: if they are not in the list of files "
                         "imported, upload them again.")
            job.save()
            shutil.rmtree(job.folder, ignore_errors=True)
            stopped += 1
    return stopped


def work(stop: threading.Event, poll: float = POLL_SECONDS) -> None:
    """Run queued jobs until ``stop`` is set, looking for new ones every ``poll`` seconds."""
    worker = worker_name()
    recover_interrupted()
    while not stop.is_set():
        close_old_connections()
        try:
            run_pending(worker)
        except Exception:  # a broken database connection, say: try again next time
            log.exception("The import worker could not run a job")
        stop.wait(poll)
    close_old_connections()


def start_worker_thread(poll: float = POLL_SECONDS) -> tuple[threading.Thread, threading.Event]:
    """A worker in a background thread of this process; set the event to stop it."""
    stop = threading.Event()
    thread = threading.Thread(target=work, args=(stop, poll), name="oversight-import-worker",
                              daemon=True)
    thread.start()
    return thread, stop
