"""The import page: real data.police.uk files checked by the real importer; a bad file saves
nothing and names its file, row, column and fix; a good one is stored and the plan recomputed."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from oversight.data.models import ImportBatch, StreetCount
from oversight.performance.models import MeasureResult
from tests import demo_state
from tests.staff.helpers import GOOD_FILE, MONTHS_BEFORE_JUNE, broken_street_file, check_staff_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def may_plan(db):
    """The demo state up to May 2025: June is still to come."""
    return demo_state.build(MONTHS_BEFORE_JUNE)


def upload(path) -> SimpleUploadedFile:
    return SimpleUploadedFile(path.name, path.read_bytes(), content_type="application/gzip")


def test_import_page_lists_batches(client, users, may_plan):
    client.force_login(users["analyst"])
    html = client.get("/staff/imports/").content.decode()
    parsed = check_staff_page(html)
    assert parsed.h1 == ["Import data"]
    assert 'enctype="multipart/form-data"' in html
    assert "2025-05-leicestershire-street.csv.gz" in html


def test_a_bad_file_names_file_row_and_column_and_saves_nothing(client, users, may_plan,
                                                                tmp_path):
    client.force_login(users["analyst"])
    batches, counts = ImportBatch.objects.count(), StreetCount.objects.count()
    bad = broken_street_file(tmp_path)
    response = client.post("/staff/imports/", {"files": [upload(bad)]})
    assert response.status_code == 200
    html = response.content.decode()
    check_staff_page(html)
    assert "<title>Error: Import data" in html
    summary = html[html.index("govuk-error-summary"):html.index('id="problem"')]
    assert "2025-06-leicestershire-street.csv.gz, row 5, column Month" in summary
    assert "&#34;2025-13&#34; is not a month; use YYYY-MM" in summary or \
        "&quot;2025-13&quot; is not a month; use YYYY-MM" in summary
    assert 'href="#files"' in summary
    problem = html[html.index('id="problem"'):]
    assert "5 (the header is row 1)" in problem and "Use YYYY-MM" in problem
    assert ImportBatch.objects.count() == batches
    assert StreetCount.objects.count() == counts


def test_a_good_file_is_imported_and_the_plan_recomputed(client, users, may_plan):
    anna = users["analyst"]
    client.force_login(anna)
    before = {r.measure_id: r.latest_month for r in MeasureResult.objects.all()}
    assert "2025-06" not in before.values()
    response = client.post("/staff/imports/", {"files": [upload(GOOD_FILE)]})
    assert response.status_code == 302
    batch = ImportBatch.objects.get(file_name=GOOD_FILE.name)
    assert batch.imported_by == "anna" and batch.user == anna
    assert batch.status == "current" and batch.rows_read > 0
    after = {r.measure_id: r.latest_month for r in MeasureResult.objects.all()}
    assert "2025-06" in after.values()

    html = client.get(response["Location"]).content.decode()
    check_staff_page(html)
    banner = html[html.index("govuk-notification-banner--success"):html.index("<h1")]
    assert "1 file imported" in banner
    assert f"{GOOD_FILE.name}: Leicestershire Police, June 2025, {batch.rows_read:,} rows read" \
        in banner
    assert "Recomputing the plan" in html
    # The summary is shown once.
    assert "1 file imported" not in client.get("/staff/imports/").content.decode()


def test_the_same_file_again_changes_nothing(client, users, may_plan):
    client.force_login(users["analyst"])
    client.post("/staff/imports/", {"files": [upload(GOOD_FILE)]})
    count = ImportBatch.objects.count()
    response = client.post("/staff/imports/", {"files": [upload(GOOD_FILE)]}, follow=True)
    assert "Already imported, so nothing changed" in response.content.decode()
    assert ImportBatch.objects.count() == count


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


@pytest.mark.parametrize("role", ["panel-member", "data-provider"])
def test_only_analysts_and_administrators_import(client, users, may_plan, role):
    client.force_login(users[role])
    response = client.post("/staff/imports/", {"files": [upload(GOOD_FILE)]})
    assert response.status_code == 403
    assert not ImportBatch.objects.filter(file_name=GOOD_FILE.name).exists()
