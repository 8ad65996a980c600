"""The import page: real data.police.uk files queued by the page and imported in the
background by the real worker and importer; the status page refreshes itself while the job
runs, then shows what was stored, or the problem (file, row, column, fix) with nothing saved."""

from __future__ import annotations

import json
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from oversight.data.models import ImportBatch, StreetCount
from oversight.performance.models import MeasureResult
from oversight.staff import imports as background
from oversight.staff.models import ImportJob
from tests import demo_state
from tests.staff.helpers import GOOD_FILE, MONTHS_BEFORE_JUNE, broken_street_file, check_staff_page

pytestmark = pytest.mark.django_db


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


def test_import_page_lists_batches(client, users, may_plan):
    client.force_login(users["analyst"])
    html = client.get("/staff/imports/").content.decode()
    parsed = check_staff_page(html)
    assert parsed.h1 == ["Import data"]
    assert 'enctype="multipart/form-data"' in html
    assert 'name="csrfmiddlewaretoken" value="' in html  # the form is in a shared macro
    assert "2025-05-leicestershire-street.csv.gz" in html


def test_an_upload_waits_on_a_page_that_refreshes_itself(client, users, may_plan):
    anna = users["analyst"]
    client.force_login(anna)
    job = queue(client, GOOD_FILE)
    assert (job.status, job.files, job.user, job.username) == ("queued", [GOOD_FILE.name],
                                                               anna, "anna")
    saved = background.uploads_root() / f"import-{job.pk}" / "files" / GOOD_FILE.name
    assert saved.read_bytes() == GOOD_FILE.read_bytes()
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
    """The page reads the steps the worker writes as it goes."""
    client.force_login(users["analyst"])
    job = queue(client, GOOD_FILE)
    ImportJob.objects.filter(pk=job.pk).update(status="running")
    progress = background.FileProgress(background.progress_path(job))
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


def test_a_good_file_is_imported_by_the_worker_and_the_plan_recomputed(client, users,
                                                                       may_plan):
    anna = users["analyst"]
    client.force_login(anna)
    before = {r.measure_id: r.latest_month for r in MeasureResult.objects.all()}
    assert "2025-06" not in before.values()
    job = queue(client, GOOD_FILE)
    assert background.run_pending() == 1
    job.refresh_from_db()
    assert job.status == "done" and job.worker == background.worker_name()
    batch = ImportBatch.objects.get(file_name=GOOD_FILE.name)
    assert batch.imported_by == "anna" and batch.user == anna
    assert batch.status == "current" and batch.rows_read > 0
    stored = StreetCount.objects.filter(batch=batch)
    assert stored.count() == batch.rows_stored > 0
    after = {r.measure_id: r.latest_month for r in MeasureResult.objects.all()}
    assert "2025-06" in after.values()
    assert not (background.uploads_root() / f"import-{job.pk}").exists()  # tidied away

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


def test_a_bad_file_names_file_row_and_column_and_saves_nothing(client, users, may_plan,
                                                                tmp_path):
    client.force_login(users["analyst"])
    batches, counts = ImportBatch.objects.count(), StreetCount.objects.count()
    job = queue(client, broken_street_file(tmp_path / "bad"))
    background.run_pending()
    job.refresh_from_db()
    assert job.status == "failed"
    assert (job.problem["row"], job.problem["column"], job.problem["value"]) == (5, "Month",
                                                                                "2025-13")
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


def test_the_same_file_again_changes_nothing(client, users, may_plan):
    client.force_login(users["analyst"])
    queue(client, GOOD_FILE)
    background.run_pending()
    count = ImportBatch.objects.count()
    job = queue(client, GOOD_FILE)
    background.run_pending()
    html = client.get(f"/staff/imports/{job.pk}/").content.decode()
    assert "Already imported, so nothing changed: 2025-06-leicestershire-street.csv.gz" in html
    assert ImportBatch.objects.count() == count


def test_a_job_left_running_by_a_stopped_worker_is_marked_stopped(client, users, may_plan):
    client.force_login(users["analyst"])
    job = queue(client, GOOD_FILE)
    host = background.worker_name().rsplit(":", 1)[0]
    ImportJob.objects.filter(pk=job.pk).update(status="running", worker=f"{host}:999999999")
    assert background.recover_interrupted() == 1
    job.refresh_from_db()
    assert job.status == "failed" and "stopped when the server stopped" in job.error
    html = client.get(f"/staff/imports/{job.pk}/").content.decode()
    assert "upload them again" in html
    assert not ImportBatch.objects.filter(file_name=GOOD_FILE.name).exists()


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


@pytest.mark.parametrize("role", ["panel-member", "data-provider"])
def test_only_analysts_and_administrators_import(client, users, may_plan, role):
    client.force_login(users[role])
    response = client.post("/staff/imports/", {"files": [upload(GOOD_FILE)]})
    assert response.status_code == 403
    assert not ImportJob.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_worker_thread_imports_in_the_background(client, users, may_plan):
    """The worker ``oversight serve`` starts: a real thread with its own database connection."""
    client.force_login(users["analyst"])
    thread, stop = background.start_worker_thread(poll=0.1)
    try:
        job = queue(client, GOOD_FILE)
        deadline = time.monotonic() + 60
        while not job.finished and time.monotonic() < deadline:
            time.sleep(0.2)
            job.refresh_from_db()
    finally:
        stop.set()
        thread.join(10)
    assert job.status == "done", (job.status, job.error, json.dumps(job.problem))
    batch = ImportBatch.objects.get(file_name=GOOD_FILE.name)
    assert StreetCount.objects.filter(batch=batch).count() == batch.rows_stored > 0
    assert not thread.is_alive()
