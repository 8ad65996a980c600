"""Building a report from the staff area in the background: the build page queues a
``ReportJob`` and its django-tasks task together; django-tasks-db's real worker, in a thread as
``oversight serve`` runs it, builds the draft with the one build service; the job's page shows
each step in plain English and refreshes itself (no JavaScript) until the draft is ready, then
sends the user to the draft. A build that cannot be made says what went wrong and what to do,
with the form filled in to build it again; a build left by a stopped worker is marked stopped.

On SQLite the worker thread shares the test database with the test: these tests queue the job
first, then start the thread, and wait for the job without reading the database meanwhile."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from django_tasks_db.models import DBTaskResult

from oversight.accounts.models import AuditEvent
from oversight.reports import jobs, services
from oversight.reports.models import ReportDraft
from oversight.staff import background
from oversight.staff.models import ReportJob
from tests.reports.helpers import pdf_text
from tests.reports.test_reports import VEHICLE
from tests.staff.helpers import check_staff_page

pytestmark = pytest.mark.django_db
TASK_PATH = "oversight.reports.jobs.build_report"
QUARTER = "2025/26 Q1"
STEPS = ["Working out the figures", "Drawing the charts", "Writing the HTML page",
         "Making the PDF", "Making the Word document", "Saving the draft"]


@pytest.fixture(autouse=True)
def jobs_in_tmp(settings, tmp_path):
    """Jobs keep their progress in the test's own folder."""
    settings.VAR_DIR = tmp_path / "var"


def queue(client, **choices) -> ReportJob:
    form = {"kind": "quarterly", "period": "", "audience": "public", "theme": "", **choices}
    response = client.post("/staff/reports/new/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    job = ReportJob.objects.latest("id")
    assert response["Location"] == f"/staff/reports/builds/{job.pk}/"
    return job


def run_in_worker_thread(job: ReportJob, seconds: float = 240) -> tuple[ReportJob, str]:
    """Start the worker thread ``oversight serve`` runs, wait for the queued job to finish and
    stop the thread; return the job and the thread's worker id. The test waits by watching the
    job's folder, which the task removes as it finishes, rather than reading the database, so
    the two connections to the shared SQLite test database never meet while the worker writes
    (on PostgreSQL this would not matter)."""
    thread = background.WorkerThread(interval=0.1)
    thread.start()
    try:
        deadline = time.monotonic() + seconds
        while Path(job.folder).exists() and time.monotonic() < deadline:
            time.sleep(0.25)
    finally:
        thread.stop(timeout=60)
    assert not thread.is_alive()
    job.refresh_from_db()
    assert job.finished, f"the report build {job.pk} did not finish in {seconds} seconds"
    return job, thread.worker.worker_id


def test_the_steps_are_plain_english_and_in_order():
    assert list(services.STEPS.values()) == STEPS


def test_a_build_is_queued_as_a_task_on_a_page_that_refreshes_itself(client, users, plan,
                                                                     settings):
    anna = users["analyst"]
    client.force_login(anna)
    job = queue(client, period="2025/26-Q1", audience="internal")
    assert (job.status, job.kind, job.period, job.public, job.user, job.username) == (
        "queued", "quarterly", QUARTER, False, anna, "anna")
    assert job.folder == str(Path(settings.VAR_DIR) / "jobs" / f"reportjob-{job.pk}")
    task = DBTaskResult.objects.get(id=job.task_id)
    assert (task.status, task.task_path, task.args_kwargs) == (
        "READY", TASK_PATH, {"args": [job.pk], "kwargs": {}})
    assert not ReportDraft.objects.exists()

    response = client.get(f"/staff/reports/builds/{job.pk}/")
    html = response.content.decode()
    check_staff_page(html)
    assert response["Cache-Control"] == "no-store"
    assert '<meta http-equiv="refresh" content="3">' in html
    assert '<h1 class="govuk-heading-xl">Waiting to build the report</h1>' in html
    assert "Internal: every measure, not for publication" in html and QUARTER in html
    for step in STEPS:
        assert step in html
    assert html.count("Not started") == len(STEPS)
    assert "Stop refreshing this page" in html
    html = client.get(f"/staff/reports/builds/{job.pk}/?refresh=off").content.decode()
    assert 'http-equiv="refresh"' not in html and "Check again" in html
    # The builds under way are listed on the reports page, for analysts only.
    listing = client.get("/staff/reports/").content.decode()
    assert f'href="/staff/reports/builds/{job.pk}/"' in listing
    client.force_login(users["panel-member"])
    assert f"/staff/reports/builds/{job.pk}/" not in client.get("/staff/reports/").content.decode()


def test_progress_shows_each_step_while_the_build_runs(client, users, plan):
    client.force_login(users["analyst"])
    job = queue(client)
    job = background.start(ReportJob, job.pk)
    progress = background.progress_of(job)
    progress.start(STEPS[0], 1)
    progress.start(STEPS[1], 24)
    progress.advance(10)
    progress.write()
    html = client.get(f"/staff/reports/builds/{job.pk}/").content.decode()
    check_staff_page(html)
    assert '<h1 class="govuk-heading-xl">Building the report</h1>' in html
    steps = html[html.index('id="progress"'):html.index("</ul>", html.index('id="progress"'))]
    assert steps.index("Working out the figures") < steps.index("Done") \
        < steps.index("Drawing the charts") < steps.index("10 of 24") \
        < steps.index("Under way") < steps.index("Writing the HTML page")
    assert steps.count("Not started") == 4
    assert 'http-equiv="refresh"' in html


@pytest.mark.django_db(transaction=True)
def test_the_worker_thread_builds_the_draft_and_the_page_sends_the_user_to_it(client, users,
                                                                             plan):
    """The worker ``oversight serve`` starts: a real thread with its own database connection."""
    client.force_login(users["analyst"])
    job, worker = run_in_worker_thread(queue(client))
    assert job.status == "done", job.error
    assert DBTaskResult.objects.get(id=job.task_id).worker_ids == [worker]
    draft = ReportDraft.objects.get()
    assert job.draft == draft and job.started_at <= job.finished_at
    assert (draft.kind, draft.period, draft.public, draft.built_by) == (
        "quarterly", QUARTER, True, users["analyst"])
    assert [s["text"] for s in job.steps] == STEPS
    assert all(s["done"] == s["total"] for s in job.steps)
    # Every chart in the report was counted as it was drawn.
    assert job.steps[1]["total"] == draft.html.count('class="app-chart-figure"') > 0
    assert not Path(job.folder).exists()  # tidied away
    event = AuditEvent.objects.get(action="report.build")
    assert event.user == users["analyst"] and event.object_id == str(draft.pk)

    # The job's page, refreshed, now sends the user to the draft.
    response = client.get(f"/staff/reports/builds/{job.pk}/")
    assert response.status_code == 302
    assert response["Location"] == f"/staff/reports/drafts/{draft.pk}/"
    page = client.get(response["Location"]).content.decode()
    check_staff_page(page)
    assert f"{draft.title} was built in {draft.seconds:.1f} seconds" in page
    figures = plan.measures.get(code=VEHICLE).result.figures["quarter"]
    assert f"{figures['count']:,}" in pdf_text(bytes(draft.pdf))


@pytest.mark.django_db(transaction=True)
def test_a_build_that_cannot_be_made_says_why_and_what_to_do(client, users, plan):
    """A quarter that is not loaded, as when the data changes after the build was queued: the
    job stops with the reason, nothing is saved, and the form is there to build it again."""
    anna = users["analyst"]
    client.force_login(anna)
    job = jobs.queue_build(kind="quarterly", plan=plan, period="2025/26 Q2", theme=None,
                           public=True, user=anna)
    job, _ = run_in_worker_thread(job)
    assert (job.status, job.error_field) == ("failed", "period")
    assert job.error == ("2025/26 Q2 (July to September 2025) is not complete: July 2025, "
                         "August 2025, September 2025 are not loaded for Leicestershire Police. "
                         "Choose an earlier quarter or import the months. Change the choices "
                         "below and build the report again.")
    assert DBTaskResult.objects.get(id=job.task_id).status == "SUCCESSFUL"
    assert [(s["text"], s["done"]) for s in job.steps] == [(STEPS[0], 0)]
    assert not ReportDraft.objects.exists()
    assert not AuditEvent.objects.filter(action="report.build").exists()

    response = client.get(f"/staff/reports/builds/{job.pk}/")
    html = response.content.decode()
    check_staff_page(html)
    assert "<title>Error: The report was not built" in html
    summary = html[html.index("govuk-error-summary"):html.index('id="progress"')]
    assert 'href="#period"' in summary and "is not complete: July 2025" in summary
    assert 'http-equiv="refresh"' not in html
    assert "Stopped" in html and html.count("Not started") == len(STEPS) - 1
    form = html[html.index('id="build-again"'):]
    assert 'action="/staff/reports/new/"' in form and 'value="2025/26 Q2"' in form
    assert 'id="period-error"' in form and "Build the report again" in form


@pytest.mark.django_db(transaction=True)
def test_a_build_left_running_by_a_stopped_worker_is_marked_stopped(client, users, plan):
    client.force_login(users["analyst"])
    job = queue(client)
    DBTaskResult.objects.get(id=job.task_id).claim(f"{background._host()}:999999999:gone")
    job = background.start(ReportJob, job.pk)
    background.progress_of(job).start(STEPS[0], 1)
    assert background.recover_stopped() == 1
    job.refresh_from_db()
    assert (job.status, job.error) == ("failed", ReportJob.STOPPED_MESSAGE)
    assert job.steps == [{"text": STEPS[0], "total": 1, "done": 0}]
    html = client.get(f"/staff/reports/builds/{job.pk}/").content.decode()
    check_staff_page(html)
    assert "the server or the worker stopped before the draft was ready" in html
    assert 'href="#build-again"' in html
    assert not ReportDraft.objects.exists()


@pytest.mark.parametrize("role,status", [("panel-member", 403), ("data-provider", 403)])
def test_only_analysts_and_administrators_build_or_watch_a_build(client, users, plan, role,
                                                                 status):
    client.force_login(users["analyst"])
    job = queue(client)
    client.force_login(users[role])
    assert client.post("/staff/reports/new/", {"kind": "quarterly",
                                               "audience": "public"}).status_code == status
    assert client.get(f"/staff/reports/builds/{job.pk}/").status_code == status
    assert ReportJob.objects.count() == 1 and DBTaskResult.objects.count() == 1
    client.force_login(users["administrator"])
    assert client.get(f"/staff/reports/builds/{job.pk}/").status_code == 200
    assert client.get("/staff/reports/builds/999999/").status_code == 404
