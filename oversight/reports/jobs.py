"""Reports built from the staff area, in the background: building one takes seconds for the
demo plan and about a minute for a plan of 40 measures, longer than a production server lets
a request run.

The build page checks the choices and, in one transaction, creates a ``ReportJob`` (who asked
for what) and queues the django-tasks task ``build_report`` for it, the way an upload's import
is queued (``oversight.staff.background``). A worker runs the task: it builds the draft with
the one way to build one (``services.build_draft``), which reports each step (``STEPS``:
figures, charts, HTML, PDF, Word, saving) to the job's progress file, and records the draft,
or what went wrong, on the job. The job's page refreshes itself until then, and then sends
the user to the draft.

The command line (``oversight report``) builds reports in its own process, without a job.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django_tasks import task

from oversight.plans.services import current_plan
from oversight.reports import services
from oversight.reports.figures import ReportError
from oversight.staff import background
from oversight.staff.models import ReportJob

log = logging.getLogger(__name__)
Status = ReportJob.Status


def queue_build(*, kind: str, plan: Any, period: str | None, theme: int | None,
                public: bool, user: Any) -> ReportJob:
    """Save the choices as a job and queue the task that builds the report; both or neither.
    ``plan`` is the plan in use: the task builds the report of the plan in use when it runs."""
    with transaction.atomic():
        job = ReportJob.objects.create(kind=kind, period=period or "", theme_number=theme,
                                       public=public, user=user,
                                       username=user.get_username())
        background.job_folder(job)
        job.save(update_fields=["folder"])
        background.enqueue(job, build_report)
    return job


@task()
def build_report(job_id: int) -> str:
    """Build the job's report as a draft; record the draft or the problem on the job. Returns
    the job's status."""
    job = background.start(ReportJob, job_id)
    if job is None:
        return "not run"
    progress = background.progress_of(job)
    try:
        plan = current_plan()
        if plan is None:
            raise ReportError("No plan is in use, so there is nothing to report on. Load the "
                              "plan first")
        draft = services.build_draft(job.kind, plan, job.period or None, user=job.user or
                                     job.username, theme=job.theme_number,
                                     public_only=job.public, progress=progress)
        progress.finish()
    except ReportError as exc:
        job.status, job.error_field = Status.FAILED, "period"
        job.error = (f"{str(exc).rstrip('.')}. Change the choices below and build the report "
                     "again.")
    except Exception as exc:  # recorded for the user, and logged in full
        log.exception("Report build %s stopped", job.pk)
        job.status = Status.FAILED
        job.error = (f"The report was not built: {exc}. No draft was saved; build the report "
                     "again, or ask an administrator if it stops again.")
    else:
        job.status, job.draft = Status.DONE, draft
    background.finish(job, progress)
    return str(job.status)
