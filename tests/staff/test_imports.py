"""The import page: real data.police.uk files queued by the page as a django-tasks task in the
database and imported by django-tasks-db's real worker (in the test's thread, in a worker
thread as ``oversight serve`` runs it, or as the ``oversight worker`` process) with the real
importer; the status page refreshes itself while the job runs, then shows what was stored, or
the problem (file, row, column, fix) with nothing saved. A worker killed half-way leaves the
database unchanged and the upload marked as stopped, saying what to do."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tasks_db.models import DBTaskResult

from oversight.data.models import ImportBatch, StreetCount
from oversight.performance.models import MeasureResult
from oversight.staff import background
from oversight.staff.models import ImportJob
from tests import demo_state
from tests.staff.helpers import GOOD_FILE, MONTHS_BEFORE_JUNE, broken_street_file, check_staff_page

pytestmark = pytest.mark.django_db
REPO = Path(__file__).resolve().parent.parent.parent
TASK_PATH = "oversight.staff.imports.import_uploads"


@pytest.fixture(autouse=True)
def uploads_in_tmp(settings, tmp_path):
    """Uploads wait in the test's own folder."""
    settings.VAR_DIR = tmp_path / "var"


@pytest.fixture
def may_plan(db):
    """The demo state up to May 2025: June is still to come."""
    return demo_state.build(MONTHS_BEFORE_JUNE)


def upload(path) -> SimpleUploadedFile:
    return SimpleUploadedFile(path.name, path.read_bytes(), content_type="application/gzip")


def queue(client, *paths) -> ImportJob:
    response = client.post("/staff/imports/", {"files": [upload(p) for p in paths]})
    assert response.status_code == 302
    job = ImportJob.objects.latest("id")
    assert response["Location"] == f"/staff/imports/{job.pk}/"
    return job


def run_queued() -> int:
    """Run every queued task with django-tasks-db's worker in this thread, as
    ``oversight worker --batch`` does; return how many ran. (A worker closes the database
    connection between tasks, so the tests that use it run outside a test transaction.)"""
    worker = background.new_worker(batch=True, interval=0)
    worker.run()
    return worker._run_tasks


def task_of(job: ImportJob) -> DBTaskResult:
    return DBTaskResult.objects.get(id=job.task_id)


def test_import_page_lists_batches(client, users, may_plan):
    client.force_login(users["analyst"])
    html = client.get("/staff/imports/").content.decode()
    parsed = check_staff_page(html)
    assert parsed.h1 == ["Import data"]
    assert 'enctype="multipart/form-data"' in html
    assert 'name="csrfmiddlewaretoken" value="' in html  # the form is in a shared macro
    assert "2025-05-leicestershire-street.csv.gz" in html


def test_an_upload_is_queued_as_a_task_on_a_page_that_refreshes_itself(client, users,
                                                                       may_plan, settings):
    anna = users["analyst"]
    client.force_login(anna)
    job = queue(client, GOOD_FILE)
    assert (job.status, job.files, job.user, job.username) == ("queued", [GOOD_FILE.name],
                                                               anna, "anna")
    saved = Path(settings.VAR_DIR) / "jobs" / f"importjob-{job.pk}" / "files" / GOOD_FILE.name
    assert job.folder == str(saved.parent.parent)
    assert saved.read_bytes() == GOOD_FILE.read_bytes()
    # The task waits in django-tasks-db's table, saved with the job, for a worker.
    task = task_of(job)
    assert (task.status, task.task_path, task.args_kwargs, task.worker_ids) == (
        "READY", TASK_PATH, {"args": [job.pk], "kwargs": {}}, [])
    assert not ImportBatch.objects.filter(file_name=GOOD_FILE.name).exists()  # not yet
    response = client.get(f"/staff/imports/{job.pk}/")
    html = response.content.decode()
    check_staff_page(html)
    assert response["Cache-Control"] == "no-store"
    assert '<meta http-equiv="refresh" content="3">' in html
    assert "<h1 class=\"govuk-heading-xl\">Waiting to import</h1>" in html
    assert "Stop refreshing this page" in html
    html = client.get(f"/staff/imports/{job.pk}/?refresh=off").content.decode()
    assert 'http-equiv="refresh"' not in html and "Check again" in html
    # The latest uploads are listed on the import page.
    assert f'href="/staff/imports/{job.pk}/"' in client.get("/staff/imports/").content.decode()


def test_progress_shows_while_the_job_runs(client, users, may_plan):
    """The page reads the steps the task writes as it goes."""
    client.force_login(users["analyst"])
    job = queue(client, GOOD_FILE)
    assert background.start(ImportJob, job.pk).status == "running"
    assert background.start(ImportJob, job.pk) is None  # a job runs once
    progress = background.progress_of(job)
    progress.start("Checking file names and checksums", 1)
    progress.advance(1)
    progress.start("Storing counts", 52_000)
    progress.advance(13_000)
    progress.write()
    html = client.get(f"/staff/imports/{job.pk}/").content.decode()
    assert "Importing your files" in html
    assert "Checking file names and checksums: 1 of 1 (done)" in html
    assert "Storing counts: 13,000 of 52,000</li>" in html
    assert 'http-equiv="refresh"' in html


@pytest.mark.django_db(transaction=True)
def test_a_good_file_is_imported_by_the_worker_and_the_plan_recomputed(client, users,
                                                                       may_plan):
    anna = users["analyst"]
    client.force_login(anna)
    before = {r.measure_id: r.latest_month for r in MeasureResult.objects.all()}
    assert "2025-06" not in before.values()
    job = queue(client, GOOD_FILE)
    assert run_queued() == 1
    job.refresh_from_db()
    assert job.status == "done" and job.started_at <= job.finished_at
    task = task_of(job)
    assert (task.status, task.return_value) == ("SUCCESSFUL", "done")
    assert len(task.worker_ids) == 1
    assert task.worker_ids[0].startswith(f"{background._host()}:{os.getpid()}:")
    batch = ImportBatch.objects.get(file_name=GOOD_FILE.name)
    assert batch.imported_by == "anna" and batch.user == anna
    assert batch.status == "current" and batch.rows_read > 0
    stored = StreetCount.objects.filter(batch=batch)
    assert stored.count() == batch.rows_stored > 0
    after = {r.measure_id: r.latest_month for r in MeasureResult.objects.all()}
    assert "2025-06" in after.values()
    assert not Path(job.folder).exists()  # tidied away
    assert run_queued() == 0  # nothing runs twice

    html = client.get(f"/staff/imports/{job.pk}/").content.decode()
    check_staff_page(html)
    assert 'http-equiv="refresh"' not in html
    assert "<h1 class=\"govuk-heading-xl\">Files imported</h1>" in html
    table = html[html.index('id="imported"'):html.index("</table>", html.index('id="imported"'))]
    assert "1 file imported" in table
    assert GOOD_FILE.name in table and "Leicestershire Police, June 2025" in table
    assert f"{batch.rows_read:,}" in table and f"{batch.rows_stored:,}" in table
    assert "Computing the plan&#39;s figures again: 1 of 1 (done)" in html
    assert [s["text"] for s in job.steps][-1] == "Computing the plan's figures again"


@pytest.mark.django_db(transaction=True)
def test_a_bad_file_names_file_row_and_column_and_saves_nothing(client, users, may_plan,
                                                                tmp_path):
    client.force_login(users["analyst"])
    batches, counts = ImportBatch.objects.count(), StreetCount.objects.count()
    job = queue(client, broken_street_file(tmp_path / "bad"))
    assert run_queued() == 1
    job.refresh_from_db()
    assert job.status == "failed"
    assert (job.problem["row"], job.problem["column"], job.problem["value"]) == (5, "Month",
                                                                                "2025-13")
    assert task_of(job).status == "SUCCESSFUL"  # the task ran; the problem is the file's
    response = client.get(f"/staff/imports/{job.pk}/")
    html = response.content.decode()
    check_staff_page(html)
    assert "<title>Error: The files were not imported" in html
    summary = html[html.index("govuk-error-summary"):html.index('id="problem"')]
    assert "2025-06-leicestershire-street.csv.gz, row 5, column Month" in summary
    assert "&#34;2025-13&#34; is not a month; use YYYY-MM" in summary
    assert 'href="#files"' in summary
    problem = html[html.index('id="problem"'):]
    assert "5 (the header is row 1)" in problem and "Use YYYY-MM" in problem
    assert 'id="files"' in problem  # the form to upload the fixed file
    assert 'name="csrfmiddlewaretoken" value="' in problem
    assert ImportBatch.objects.count() == batches
    assert StreetCount.objects.count() == counts


@pytest.mark.django_db(transaction=True)
def test_the_same_file_again_changes_nothing(client, users, may_plan):
    client.force_login(users["analyst"])
    queue(client, GOOD_FILE)
    assert run_queued() == 1
    count, rows = ImportBatch.objects.count(), StreetCount.objects.count()
    job = queue(client, GOOD_FILE)
    assert run_queued() == 1
    html = client.get(f"/staff/imports/{job.pk}/").content.decode()
    assert "Already imported, so nothing changed: 2025-06-leicestershire-street.csv.gz" in html
    assert (ImportBatch.objects.count(), StreetCount.objects.count()) == (count, rows)


@pytest.mark.django_db(transaction=True)
def test_a_job_left_running_by_a_stopped_worker_is_marked_stopped(client, users, may_plan):
    """A worker process on this machine that no longer exists claimed the task and started
    the job; the next worker to start marks both as failed, and the page says what to do."""
    client.force_login(users["analyst"])
    job = queue(client, GOOD_FILE)
    task = task_of(job)
    task.claim(f"{background._host()}:999999999:gone")  # as the worker claims a task
    job = background.start(ImportJob, job.pk)
    background.progress_of(job).start("Checking file names and checksums", 1)
    alive = queue(client, GOOD_FILE)  # claimed by this process, which is running
    task_of(alive).claim(background.worker_id())
    assert background.recover_stopped() == 1
    job.refresh_from_db()
    assert job.status == "failed" and job.error == ImportJob.STOPPED_MESSAGE
    assert job.steps == [{"text": "Checking file names and checksums", "total": 1, "done": 0}]
    task.refresh_from_db()
    assert task.status == "FAILED"
    assert task.exception_class_path == "oversight.staff.background.WorkerStopped"
    assert task_of(alive).status == "RUNNING"
    assert ImportJob.objects.get(pk=alive.pk).status == "queued"
    html = client.get(f"/staff/imports/{job.pk}/").content.decode()
    check_staff_page(html)
    assert "<title>Error: The files were not imported" in html
    assert "upload them again" in html
    assert not ImportBatch.objects.filter(file_name=GOOD_FILE.name).exists()
    assert run_queued() == 0  # neither is run again
    assert not Path(job.folder).exists()


@pytest.mark.parametrize("files,message", [
    ([], "Select one or more data.police.uk street-level files"),
    ([SimpleUploadedFile("crimes.csv", b"a,b\n")], "crimes.csv is not a data.police.uk"),
])
def test_missing_or_misnamed_files_are_refused(client, users, may_plan, files, message):
    client.force_login(users["analyst"])
    html = client.post("/staff/imports/", {"files": files}).content.decode()
    check_staff_page(html)
    assert message in html
    assert 'id="files-error"' in html
    assert not ImportJob.objects.exists()
    assert not DBTaskResult.objects.exists()


@pytest.mark.parametrize("role", ["panel-member", "data-provider"])
def test_only_analysts_and_administrators_import(client, users, may_plan, role):
    client.force_login(users[role])
    response = client.post("/staff/imports/", {"files": [upload(GOOD_FILE)]})
    assert response.status_code == 403
    assert not ImportJob.objects.exists()
    assert not DBTaskResult.objects.exists()


def wait_until_finished(job: ImportJob, seconds: float = 60) -> ImportJob:
    deadline = time.monotonic() + seconds
    while not job.finished and time.monotonic() < deadline:
        time.sleep(0.2)
        job.refresh_from_db()
    return job


@pytest.mark.django_db(transaction=True)
def test_the_worker_thread_imports_in_the_background(client, users, may_plan):
    """The worker ``oversight serve`` starts: a real thread with its own database connection."""
    client.force_login(users["analyst"])
    thread = background.WorkerThread(interval=0.1)
    thread.start()
    try:
        job = wait_until_finished(queue(client, GOOD_FILE))
    finally:
        thread.stop(timeout=10)
    assert job.status == "done", (job.status, job.error, json.dumps(job.problem))
    assert task_of(job).worker_ids == [thread.worker.worker_id]
    batch = ImportBatch.objects.get(file_name=GOOD_FILE.name)
    assert StreetCount.objects.filter(batch=batch).count() == batch.rows_stored > 0
    assert not thread.is_alive()


@pytest.mark.django_db(transaction=True)
def test_two_workers_never_run_the_same_job(client, users, may_plan):
    """Two workers look for work every 50 ms; the one upload is imported once, by one."""
    client.force_login(users["analyst"])
    threads = [background.WorkerThread(interval=0.05) for _ in range(2)]
    for thread in threads:
        thread.start()
    try:
        job = wait_until_finished(queue(client, GOOD_FILE))
    finally:
        for thread in threads:
            thread.stop(timeout=10)
    assert job.status == "done", (job.status, job.error, json.dumps(job.problem))
    assert len(task_of(job).worker_ids) == 1
    assert task_of(job).worker_ids[0] in {t.worker.worker_id for t in threads}
    batch = ImportBatch.objects.get(file_name=GOOD_FILE.name)
    assert StreetCount.objects.filter(batch=batch).count() == batch.rows_stored > 0
    assert [t.is_alive() for t in threads] == [False, False]


# --- the worker process, killed half-way ---------------------------------------------------------

QUEUE_UPLOAD = """
import sys
from pathlib import Path
from oversight.cli.common import setup_django
setup_django()
from django.core.files.uploadedfile import SimpleUploadedFile
from oversight.accounts.services import create_user
from oversight.staff.imports import queue_import
user = create_user("anna", "analyst", password="correct-horse-battery-staple")
files = [SimpleUploadedFile(Path(p).name, Path(p).read_bytes()) for p in sys.argv[1:]]
print(queue_import(files, user).pk)
"""


def _environment(database: Path, var: Path) -> dict[str, str]:
    return os.environ | {"DATABASE_URL": f"sqlite:///{database}", "OVERSIGHT_VAR_DIR": str(var),
                         "PYTHONPATH": str(REPO)}


def _worker(env: dict[str, str], *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "oversight", "worker", *args], cwd=REPO,
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _rows(database: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(database) as db:
        return db.execute(sql).fetchall()


def _stop_while_storing(worker: subprocess.Popen[bytes], progress: Path, *signals: int) -> None:
    """Send the signals, a moment apart, once the import is storing counts (in its one
    transaction, after recording its batches)."""
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and worker.poll() is None:
        try:
            steps = json.loads(progress.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            steps = []
        if steps and steps[-1]["text"] == "Storing counts":
            for sent in signals:
                worker.send_signal(sent)
                time.sleep(0.3)
            worker.wait(timeout=60)
            return
        time.sleep(0.01)
    worker.kill()
    worker.wait()
    pytest.fail("the import finished, or did not start storing, before it could be stopped")


def _nothing_imported(database: Path) -> None:
    counts = [_rows(database, f"SELECT count(*) FROM {table}")[0][0]
              for table in ("data_importbatch", "data_streetcount")]
    assert counts == [0, 0]


@pytest.fixture
def queued_upload(shared_data, tmp_path):
    """A migrated SQLite file with 24 real street files (two forces, a year) queued."""
    files = sorted(path for path in (shared_data / "police-uk" / "street").glob(
        "2021-*/*-street.csv.gz") if "leicestershire" in path.name or "lancashire" in path.name)
    assert len(files) == 24
    database, var = tmp_path / "oversight.sqlite3", tmp_path / "var"
    env = _environment(database, var)
    queued = subprocess.run([sys.executable, "-c", QUEUE_UPLOAD, *map(str, files)], cwd=REPO,
                            env=env, capture_output=True, text=True, timeout=300)
    assert queued.returncode == 0, queued.stderr
    job_id = int(queued.stdout.split()[-1])
    progress = var / "jobs" / f"importjob-{job_id}" / "progress.json"
    return database, env, job_id, progress


@pytest.mark.parametrize("how", ["killed", "two-ctrl-c"])
def test_a_worker_stopped_half_way_leaves_nothing_and_says_what_to_do(queued_upload, how):
    """``oversight worker`` gets SIGKILL (or Ctrl+C twice) while it stores counts: the
    database holds no batch and no count. Killed, the job is marked as stopped by the next
    worker to start; stopped by Ctrl+C, the worker marks it itself."""
    database, env, job_id, progress = queued_upload
    worker = _worker(env, "--poll", "0.1")
    if how == "killed":
        _stop_while_storing(worker, progress, signal.SIGKILL)
        assert worker.returncode == -signal.SIGKILL
        _nothing_imported(database)
        assert _rows(database, "SELECT status FROM staff_importjob") == [("running",)]
        assert _rows(database, "SELECT status FROM django_tasks_database_dbtaskresult") == [
            ("RUNNING",)]
        again = _worker(env, "--batch")  # marks the job, then runs what waits (nothing)
        assert again.wait(timeout=120) == 0, again.stderr.read() if again.stderr else ""
        expected_class = "oversight.staff.background.WorkerStopped"
    else:
        _stop_while_storing(worker, progress, signal.SIGINT, signal.SIGINT)
        assert worker.returncode == 0, worker.stderr.read() if worker.stderr else ""
        expected_class = "builtins.SystemExit"
        if _rows(database, "SELECT count(*) FROM data_importbatch") != [(0,)]:
            # On a busy machine the store can commit before the second Ctrl+C lands: then
            # the whole upload is in, never a part of it, and the job either says so or
            # says the files are stored all together or not at all.
            assert _rows(database, "SELECT count(*) FROM data_importbatch") == [(24,)]
            assert _rows(database, "SELECT count(DISTINCT month) FROM data_streetcount") == [(12,)]
            [(status, error)] = _rows(database, "SELECT status, error FROM staff_importjob")
            assert (status, error) in (("done", ""), ("failed", ImportJob.STOPPED_MESSAGE))
            return
    _nothing_imported(database)
    [(status, error, steps)] = _rows(database, "SELECT status, error, steps FROM staff_importjob")
    assert (status, error) == ("failed", ImportJob.STOPPED_MESSAGE)
    assert json.loads(steps)[-1]["text"] == "Storing counts"
    assert _rows(database, "SELECT status, exception_class_path FROM "
                           "django_tasks_database_dbtaskresult") == [("FAILED", expected_class)]
    assert not progress.parent.exists()
