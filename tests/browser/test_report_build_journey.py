"""Building a report in the background, in a real browser (Debian's Chromium), with the
worker thread ``oversight serve`` runs:

- an analyst answers a Panel member's question from the dashboard (first with no words, which
  the error summary names), builds the internal quarterly report, watches the build's page
  name each step, and lands on the draft, whose Panel questions section shows the answer and
  a question not yet answered;
- with JavaScript turned off, the build's page refreshes itself until the draft is ready.

Every page is checked with axe-core (no serious or critical violations) and screenshotted under
``out/screenshots/report-build-NN-*.png``.
"""

from __future__ import annotations

import re

import pytest

from oversight.methods import periods
from oversight.reports.models import ReportDraft
from oversight.staff import background
from oversight.staff.models import PanelQuestion, ReportJob
from tests import demo_state
from tests.browser.test_staff_journeys import check, sign_in
from tests.staff.conftest import PASSWORD, fast_passwords, make_user  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)
MONTHS = periods.month_range("2025-01", "2025-06")
BUILD_TIMEOUT_MS = 240_000  # the machine may be busy
DRAFT_URL = re.compile(r".*/staff/reports/drafts/\d+/$")
ANSWER = "Thefts from vehicles fell after the May operation in the city centre."


@pytest.fixture
def site(live_server, settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    plan = demo_state.build(MONTHS)
    make_user("anna", "analyst")
    pat = make_user("pat", "panel-member")
    measures = list(plan.measures.filter(public=True).order_by("order")[:2])
    questions = [PanelQuestion.objects.create(measure=m, period="2025/26 Q1", asked_by=pat,
                                              text=text)
                 for m, text in zip(measures, ["Why did this fall in June?",
                                               "How does this compare with Kent?"], strict=True)]
    worker = background.WorkerThread(interval=0.2)  # as `oversight serve` runs it
    worker.start()
    yield live_server.url, plan, questions
    worker.stop(timeout=60)


def test_analyst_answers_a_question_then_builds_and_reads_the_draft(site, page):
    url, plan, (answered, waiting) = site
    sign_in(page, url, "anna")
    page.goto(url + "/staff/")
    questions = page.locator("#questions + ul")
    assert "Why did this fall in June?" in questions.inner_text()
    questions.get_by_role("link", name=re.compile(
        f"^Answer the question about {re.escape(answered.measure.name)}")).click()
    page.wait_for_url(f"**/staff/reports/questions/{answered.pk}/answer/")
    check(page, "report-build-01-answer")

    page.get_by_role("button", name="Save the answer").click()
    page.wait_for_load_state()
    assert page.title().startswith("Error: Answer a question from the Panel")
    assert "Enter the answer to the question" in page.locator(".govuk-error-summary").inner_text()
    check(page, "report-build-02-answer-error")
    page.get_by_label("Your answer").fill(ANSWER)
    page.get_by_role("button", name="Save the answer").click()
    page.wait_for_url("**/staff/")
    assert "was saved" in page.locator(".govuk-notification-banner").inner_text()
    assert "Why did this fall in June?" not in page.locator("#questions + ul").inner_text()
    check(page, "report-build-03-dashboard")

    # Build the internal quarterly report; the build's page names each step.
    page.goto(url + "/staff/reports/new/")
    page.get_by_role("radio", name="Quarterly performance report").check()
    page.get_by_role("radio", name=re.compile("^Internal")).check()
    page.get_by_role("button", name="Build the report").click()
    page.wait_for_url(re.compile(r".*/staff/reports/builds/\d+/$"))
    job = ReportJob.objects.latest("id")
    # The same page without its refresh, so the check is not cut short by one.
    page.goto(url + f"/staff/reports/builds/{job.pk}/?refresh=off")
    if DRAFT_URL.match(page.url) is None:
        steps = page.locator(".govuk-task-list").inner_text()
        for step in ("Working out the figures", "Drawing the charts", "Making the PDF",
                     "Making the Word document"):
            assert step in steps
        check(page, "report-build-04-progress")
        # Back to the page that refreshes itself: it brings the draft when it is ready.
        page.goto(url + f"/staff/reports/builds/{job.pk}/")
    page.wait_for_url(DRAFT_URL, timeout=BUILD_TIMEOUT_MS)
    draft = ReportDraft.objects.get()
    assert (draft.kind, draft.public, draft.period) == ("quarterly", False, "2025/26 Q1")
    assert "was built in" in page.locator(".govuk-notification-banner").inner_text()
    check(page, "report-build-05-draft")
    frame = page.frame_locator("iframe.app-report-preview")
    text = frame.locator("table", has_text="Questions from Panel members").inner_text()
    assert "Why did this fall in June?" in text and ANSWER in text
    assert "How does this compare with Kent?" in text and "Not yet answered" in text
    assert "pat" not in text.split() and "anna" not in text


def test_without_javascript_the_build_page_refreshes_until_the_draft(site, no_js_page):
    url, plan, _ = site
    page = no_js_page
    page.goto(url + "/staff/login/")
    page.get_by_label("User name").fill("anna")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    page.goto(url + "/staff/reports/new/")
    page.get_by_role("radio", name="Thematic update").check()
    page.get_by_label("Theme (for a thematic update)").select_option("1")
    page.get_by_role("button", name="Build the report").click()
    page.wait_for_url(re.compile(r".*/staff/reports/builds/\d+/$"))
    assert page.locator('meta[http-equiv="refresh"]').count() == 1
    page.wait_for_url(DRAFT_URL, timeout=BUILD_TIMEOUT_MS)
    draft = ReportDraft.objects.get()
    assert (draft.kind, draft.theme_number) == ("thematic", 1)
    assert page.locator("h1").inner_text() == draft.title
