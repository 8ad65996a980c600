"""Imports from the upload page, run in the background so a large upload does not hold up the
request: the page saves the files and, in the same transaction, creates an ``ImportJob`` (the
user's record: who, which files, status, result or problem) and queues the django-tasks task
``import_uploads`` for it. A worker (django-tasks-db's, see ``oversight.staff.background``)
runs the task: it imports the files with the one import service
(``oversight.data.services.import_police_uk``: every file checked, then all stored in one
transaction, or nothing), computes the plans' figures again and records the result on the
job. The status page shows each step's progress while it runs.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path
from typing import Any

from django.db import transaction
from django_tasks import task

from oversight.data.forces import BY_SLUG
from oversight.data.validate import ImportFileError
from oversight.formatting import month_words, number
from oversight.staff import background
from oversight.staff.models import ImportJob

log = logging.getLogger(__name__)
Status = ImportJob.Status


def queue_import(files: list[Any], user: Any) -> ImportJob:
    """Save the uploaded files under their own names and queue them for import."""
    names = [Path(upload.name).name for upload in files]
    with transaction.atomic():
        job = ImportJob.objects.create(files=names, user=user, username=user.get_username())
        folder = background.job_folder(job)
        try:
            (folder / "files").mkdir(exist_ok=True)
            for upload, name in zip(files, names, strict=True):
                with (folder / "files" / name).open("wb") as out:
                    for chunk in upload.chunks():
                        out.write(chunk)
            job.save(update_fields=["folder"])
            background.enqueue(job, import_uploads)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
    return job


@task()
def import_uploads(job_id: int) -> str:
    """Import the job's files and compute the plans again; record the result or the problem
    on the job. Returns the job's status."""
    from oversight.data.services import import_police_uk
    from oversight.performance.services import compute_plan
    from oversight.plans.models import Plan

    job = background.start(ImportJob, job_id)
    if job is None:
        return "not run"
    progress = background.progress_of(job)
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
    background.finish(job, progress)
    return str(job.status)


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
