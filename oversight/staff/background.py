"""Work a user starts from a page and that runs in the background, done the django-tasks way:
the work is a django-tasks task queued in the database (django-tasks-db's ``DatabaseBackend``,
``TASKS`` in settings) and run by django-tasks-db's worker, and a ``BackgroundJob`` row is the
user's record of it (who, status, progress, result or problem).

A kind of job (the upload's import in ``oversight.staff.imports`` is the first) is:

- a subclass of ``BackgroundJob`` with the fields of its result, and its ``STOPPED_MESSAGE``;
- a task, a module-level function decorated with ``@task()`` that takes the job's id: it calls
  ``start(Model, job_id)`` (None: nothing to do), does the work reporting each step to
  ``progress_of(job)``, sets the job's status and result, then calls ``finish(job, progress)``;
- a view that creates the job and calls ``enqueue(job, task)`` in one transaction, so the job
  and its task are saved together or not at all; files the job needs go in ``job_folder(job)``;
- a status page that shows ``steps_of(job)`` and refreshes itself until ``job.finished``.

The worker is django-tasks-db's. It claims a task by locking its row (``SELECT ... FOR UPDATE
SKIP LOCKED`` on PostgreSQL, an exclusive transaction on SQLite) and marks it running under its
worker id, so no two workers run the same task. ``oversight serve`` runs one in a thread of the
web server's process (``WorkerThread``); ``oversight worker`` runs its ``db_worker`` command,
beside gunicorn. Worker ids are ``host:process id:random``, so a worker that starts can find the
tasks a worker on the same machine left running when its process ended (killed, or the machine
restarted) and mark them, and their jobs, as failed with what to do (``recover_stopped``). The
work a task does is saved in its own transaction, which the database rolls back when the
process dies. A task that ends with an exception it did not handle itself (a second Ctrl+C to
the worker, a lost database connection) marks its job as failed too.

Progress goes to a small JSON file in the job's folder, not to the database: the import holds a
write transaction while it stores counts, and SQLite allows one writer at a time, so a page
could not see progress written to a table until the end. So the web server and the worker
share ``VAR_DIR``, as they share the uploaded files.
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
from typing import Any, TypeVar

from django.apps import apps
from django.conf import settings
from django.db import close_old_connections, connections
from django.dispatch import receiver
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, DEFAULT_TASK_QUEUE_NAME, TaskResultStatus
from django_tasks.base import Task, TaskResult
from django_tasks.signals import task_finished
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from oversight.formatting import number
from oversight.staff.models import BackgroundJob

log = logging.getLogger(__name__)
Status = BackgroundJob.Status
Job = TypeVar("Job", bound=BackgroundJob)
POLL_SECONDS = 1.0


# --- queueing and running a job -----------------------------------------------------------------


def job_folder(job: BackgroundJob) -> Path:
    """The job's own folder under ``VAR_DIR/jobs`` (its files, its progress), made and recorded
    on the job (saved by the caller)."""
    folder = Path(settings.VAR_DIR) / "jobs" / f"{job._meta.model_name}-{job.pk}"
    folder.mkdir(parents=True, exist_ok=True)
    job.folder = str(folder)
    return folder


def enqueue(job: BackgroundJob, task: Task) -> TaskResult:
    """Queue ``task(job.pk)``. Call it in the transaction that creates the job: the database
    backend saves the task in that transaction, so the job and its task exist together or not at
    all, and no worker sees the task before the job is complete."""
    result = task.enqueue(job.pk)
    job.task_id = result.id
    type(job).objects.filter(pk=job.pk).update(task_id=result.id)
    return result


def start(model: type[Job], job_id: int) -> Job | None:
    """The job, marked as running; None if it is not waiting to start (a job is run once)."""
    taken = model.objects.filter(pk=job_id, status=Status.QUEUED).update(
        status=Status.RUNNING, started_at=timezone.now())
    if not taken:
        log.warning("%s %s is not waiting to start, so it was not run", model.__name__, job_id)
        return None
    return model.objects.select_related("user").get(pk=job_id)


def finish(job: BackgroundJob, progress: FileProgress | None) -> None:
    """Save the job with its status, result and steps as they are now; remove its files."""
    if progress is not None:
        job.steps = progress.steps
    job.finished_at = timezone.now()
    job.save()
    if job.folder:
        shutil.rmtree(job.folder, ignore_errors=True)


# --- progress -----------------------------------------------------------------------------------


class FileProgress:
    """A job's steps (a ``ProgressReporter``), written to a JSON file as they advance, at
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


def progress_of(job: BackgroundJob) -> FileProgress:
    """Where the job's task reports its steps, read by the status page while it runs."""
    return FileProgress(Path(job.folder) / "progress.json")


def steps_of(job: BackgroundJob) -> list[dict[str, Any]]:
    """Each step with how far it got: from the progress file while the job runs."""
    if job.finished or not job.folder:
        return job.steps
    try:
        return json.loads(progress_of(job).path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []


def steps_in_words(steps: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [{"text": s["text"], "done": number(s["done"]), "total": number(s["total"]),
             "complete": s["done"] >= s["total"]} for s in steps]


# --- jobs whose task did not finish -------------------------------------------------------------


class WorkerStopped(Exception):
    """Recorded as the error of a task whose worker's process ended while it ran the task."""


def job_models() -> list[type[BackgroundJob]]:
    return [model for model in apps.get_models() if issubclass(model, BackgroundJob)]


def stop_jobs(task_id: str) -> int:
    """Mark the unfinished jobs of a task that did not finish as failed, saying what to do."""
    stopped = 0
    for model in job_models():
        for job in model.objects.filter(task_id=task_id,
                                        status__in=[Status.QUEUED, Status.RUNNING]):
            job.steps = steps_of(job)
            job.status, job.error = Status.FAILED, job.STOPPED_MESSAGE
            finish(job, None)
            stopped += 1
    return stopped


@receiver(task_finished)
def _stop_the_job_of_a_failed_task(sender: Any, task_result: TaskResult, **kwargs: Any) -> None:
    """A task fails only with an exception it did not handle: its job says it stopped."""
    if task_result.status != TaskResultStatus.FAILED:
        return
    try:
        stop_jobs(task_result.id)
    except Exception:  # the worker goes on with the next task; recover_stopped does not see it
        log.exception("Could not mark the job of task %s as stopped", task_result.id)


def _host() -> str:
    return socket.gethostname()[:40]


def worker_id() -> str:
    """``host:process id:random``: unique, and says which process on which machine runs it."""
    return f"{_host()}:{os.getpid()}:{get_random_string(8)}"


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def recover_stopped() -> int:
    """Mark as failed the tasks that a worker on this machine left running when its process
    ended, and their jobs; return how many. (A worker on another machine cannot be checked
    from here: its tasks are recovered when a worker starts there.)"""
    stopped = 0
    for result in DBTaskResult.objects.running():
        worker = result.worker_ids[-1] if result.worker_ids else ""
        host, _, rest = worker.partition(":")
        pid = rest.split(":", 1)[0]
        if host == _host() and pid.isdigit() and not _process_exists(int(pid)):
            result.set_failed(WorkerStopped(f"The worker {worker} stopped while it ran this "
                                            "task"))
            stop_jobs(str(result.id))
            stopped += 1
    return stopped


# --- the worker ---------------------------------------------------------------------------------


def new_worker(*, interval: float = POLL_SECONDS, batch: bool = False) -> Worker:
    """django-tasks-db's worker for the default backend and queue: with ``batch``, it runs what
    is queued and returns; otherwise it looks for tasks every ``interval`` seconds until its
    ``running`` is set to False."""
    return Worker(queue_names=[DEFAULT_TASK_QUEUE_NAME], interval=interval, batch=batch,
                  backend_name=DEFAULT_TASK_BACKEND_ALIAS, startup_delay=False, max_tasks=None,
                  worker_id=worker_id(), excluded_queue_names=[])


def waiting() -> bool:
    """Whether a task waits to be run: a plain read, no lock."""
    return DBTaskResult.objects.ready().filter(
        backend_name=DEFAULT_TASK_BACKEND_ALIAS, queue_name=DEFAULT_TASK_QUEUE_NAME).exists()


class WorkerThread(threading.Thread):
    """django-tasks-db's worker in a background thread of this process, as ``oversight serve``
    runs it. It first marks the jobs a stopped worker left running. Then every ``interval``
    seconds it looks for waiting tasks with a plain read and, when there are some, has the
    worker claim and run them until none waits: the worker claims a task in an exclusive
    transaction, which on SQLite would hold up the web requests of the same process for a
    moment each time if it looked that way every second. It starts again if the database fails
    it (a lost connection, say). ``stop()`` ends it after the task it is running; at exit the
    process does not wait for it."""

    def __init__(self, interval: float = POLL_SECONDS) -> None:
        super().__init__(name="oversight-worker", daemon=True)
        self.worker = new_worker(interval=interval, batch=True)
        self.stopping = threading.Event()

    def run(self) -> None:
        recovered = False
        try:
            while not self.stopping.is_set():
                try:
                    if not recovered:
                        recover_stopped()
                        recovered = True
                    if waiting():
                        self.worker.run()
                except Exception:
                    log.exception("The background worker failed; it starts again")
                    recovered = False
                finally:
                    close_old_connections()
                self.stopping.wait(self.worker.interval)
        finally:
            connections.close_all()

    def stop(self, timeout: float | None = None) -> None:
        self.stopping.set()
        self.worker.running = False
        if timeout is not None:
            self.join(timeout)
