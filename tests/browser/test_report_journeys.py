"""Report journeys in a real browser (Debian's Chromium):

- an analyst signs in, opens Panel reports, builds a report with a bad choice (a thematic
  update without its theme) and reads the error, builds the quarterly report, downloads the
  draft PDF, and publishes it after confirming;
- a member of the public finds the published report and downloads its PDF, byte for byte as
  published.

Every page is checked with axe-core (no serious or critical violations) and screenshotted under
``out/screenshots/report-NN-*.png``.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from oversight.methods import periods
from oversight.reports.models import PublishedReport, ReportDraft
from oversight.staff import background
from tests import demo_state
from tests.browser.test_staff_journeys import check, sign_in
from tests.reports.helpers import pdf_text
from tests.reports.test_reports import VEHICLE, street_count
from tests.staff.conftest import fast_passwords, make_user  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)
MONTHS = periods.month_range("2024-04", "2024-06") + periods.month_range("2025-01", "2025-06")
BUILD_TIMEOUT_MS = 180_000  # the build's page refreshes until the draft is ready


@pytest.fixture
def site(live_server, settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    plan = demo_state.build(MONTHS)
    make_user("anna", "analyst")
    worker = background.WorkerThread(interval=0.2)  # builds reports, as `oversight serve` does
    worker.start()
    yield live_server.url, plan
    worker.stop(timeout=60)


def download(page, link_name: str, folder: Path) -> bytes:
    with page.expect_download() as info:
        page.get_by_role("link", name=link_name).click()
    path = folder / info.value.suggested_filename
    info.value.save_as(str(path))
    return path.read_bytes()


def test_analyst_builds_and_publishes_and_the_public_download_it(site, page, browser, tmp_path):
    url, plan = site
    count = street_count(plan, "Vehicle crime", periods.months_of_quarter("2025/26 Q1"))
    assert count == plan.measures.get(code=VEHICLE).result.figures["quarter"]["count"]

    sign_in(page, url, "anna")
    page.goto(url + "/staff/reports/")
    check(page, "report-01-index")
    assert "No report has been published yet." in page.content()
    page.get_by_role("button", name="Build a report").click()  # a link styled as a button
    page.wait_for_url("**/staff/reports/new/")
    check(page, "report-02-build")
    assert "latest quarter with all three months loaded (2025/26 Q1)" in page.content()

    # A thematic update without its theme is refused, with the error summary linked to the field.
    page.get_by_role("radio", name="Thematic update").check()
    page.get_by_role("button", name="Build the report").click()
    page.wait_for_load_state()
    assert page.title().startswith("Error: Build a report")
    summary = page.locator(".govuk-error-summary")
    assert "Choose the theme the thematic update is about" in summary.inner_text()
    check(page, "report-03-build-error")
    assert not ReportDraft.objects.exists()

    # The quarterly report for the latest complete quarter.
    page.get_by_role("radio", name="Quarterly performance report").check()
    page.get_by_role("button", name="Build the report").click()
    page.wait_for_url(re.compile(r".*/staff/reports/drafts/\d+/$"), timeout=BUILD_TIMEOUT_MS)
    draft = ReportDraft.objects.get()
    assert page.locator("h1").inner_text() == "Quarterly performance report: April to June 2025"
    assert "was built in" in page.locator(".govuk-notification-banner").inner_text()
    frame = page.frame_locator("iframe.app-report-preview")
    section = frame.locator(f"section[aria-labelledby='measure-{VEHICLE.lower()}']")
    assert f"{count:,}" in section.inner_text()
    check(page, "report-04-draft")
    pdf = download(page, re.compile("^Download the PDF"), tmp_path)
    assert pdf == bytes(draft.pdf)
    assert f"{count:,}" in pdf_text(pdf) and "Draft, not published" in pdf_text(pdf)

    # Publishing asks for confirmation first.
    page.get_by_role("button", name="Publish this report").click()
    page.wait_for_url(f"**/staff/reports/drafts/{draft.pk}/publish/")
    check(page, "report-05-confirm")
    page.get_by_label("Why this version is published (optional)").fill("For the July Panel")
    page.get_by_label("I have checked the report and it may be published").check()
    page.get_by_role("button", name="Publish the report").click()
    page.wait_for_url("**/staff/reports/", timeout=BUILD_TIMEOUT_MS)
    report = PublishedReport.objects.get()
    banner = page.locator(".govuk-notification-banner").inner_text()
    assert "was published as version 1" in banner
    assert f"/reports/published/{report.id}/" in banner
    check(page, "report-06-published")

    # A member of the public finds it and downloads the PDF exactly as published.
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    public = context.new_page()
    try:
        public.goto(url + "/reports/published/")
        check(public, "report-07-public-list")
        public.get_by_role("link", name=report.title).click()
        public.wait_for_url(f"**/reports/published/{report.id}/")
        check(public, "report-08-public-report")
        assert "No data this report used has been revised" in public.content()
        published_pdf = download(public, re.compile("^Download the PDF"), tmp_path)
        assert hashlib.sha256(published_pdf).hexdigest() == report.pdf_sha256
        text = pdf_text(published_pdf)
        assert "Published, version 1: For the July Panel" in text and f"{count:,}" in text
    finally:
        context.close()
