"""Staff journeys in a real browser (Debian's Chromium), as a new user would take them:

- an analyst signs in, uploads a data.police.uk file with a broken Month in row 5, reads the
  error (file, row, column), uploads the good file, sees it imported, writes commentary and
  sends it for review; a second analyst approves it; the public measure page then shows it;
- an analyst proposes a new target for a measure (first without the figure it needs, which
  the error names), sends it for review; a second analyst approves it, and the public page
  grades the measure against the new target;
- a Panel member signs in, reads the draft report and asks a question;
- the staff pages work with JavaScript turned off.

Every page visited is checked with axe-core (no serious or critical violations) and
screenshotted under ``out/screenshots/staff-NN-*.png``.
"""

from __future__ import annotations

import re

import pytest

from oversight.staff import background
from tests import demo_state
from tests.browser.conftest import axe_violations, explain, screenshot
from tests.staff.conftest import PASSWORD, fast_passwords, make_user  # noqa: F401
from tests.staff.helpers import GOOD_FILE, MONTHS_BEFORE_JUNE, broken_street_file

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def site(live_server, settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    plan = demo_state.build(MONTHS_BEFORE_JUNE)
    make_user("anna", "analyst")
    make_user("bob", "analyst")
    make_user("pat", "panel-member")
    worker = background.WorkerThread(interval=0.2)  # as `oversight serve` runs it
    worker.start()
    yield live_server.url, plan
    worker.stop(timeout=10)


def wait_for_import(page, heading: str) -> None:
    """The status page refreshes itself (no JavaScript) until the import ends."""
    page.wait_for_url(re.compile(r".*/staff/imports/\d+/$"))
    page.locator("h1", has_text=heading).wait_for(timeout=60_000)


def check(page, name: str) -> None:
    """Screenshot the page and fail on serious or critical accessibility problems."""
    screenshot(page, name)
    violations = axe_violations(page)
    assert violations == [], f"{name}: {explain(violations)}"
    assert page.locator("h1").count() == 1, name
    title = re.sub(r"^Error: ", "", page.title())
    assert title.startswith(page.locator("h1").inner_text().strip()), (name, title)


def sign_in(page, url: str, username: str) -> None:
    page.goto(url + "/staff/login/")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def sign_out(page) -> None:
    page.get_by_role("button", name=re.compile("^Sign out")).first.click()
    page.wait_for_url("**/staff/login/?signed-out=1")


def test_analyst_imports_data_and_publishes_commentary(site, page, tmp_path):
    url, plan = site
    measure = plan.measures.get(code="MCNS-ALL-CRIME")
    assert measure.public

    # A protected page sends a new user to sign in first.
    page.goto(url + "/staff/imports/")
    page.wait_for_url("**/staff/login/?next=/staff/imports/")
    check(page, "staff-01-sign-in")
    page.get_by_role("button", name="Sign in").click()
    assert page.title().startswith("Error: Sign in")
    assert page.locator(".govuk-error-summary").inner_text().count("Enter your") == 2
    check(page, "staff-02-sign-in-errors")
    page.get_by_label("User name").fill("anna")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/staff/imports/")
    check(page, "staff-03-imports")

    # A file with a broken Month in row 5: the import runs in the background; its page
    # names file, row and column; nothing is saved.
    bad = broken_street_file(tmp_path / "bad")
    page.set_input_files("#files", str(bad))
    page.get_by_role("button", name="Check and import").click()
    wait_for_import(page, "The files were not imported")
    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible()
    text = summary.inner_text()
    assert "2025-06-leicestershire-street.csv.gz, row 5, column Month" in text
    assert '"2025-13" is not a month' in text
    assert page.title().startswith("Error: The files were not imported")
    check(page, "staff-04-import-error")

    # The good file, uploaded from the same page, imports; the page says what was stored.
    page.set_input_files("#files", str(GOOD_FILE))
    page.get_by_role("button", name="Check and import").click()
    wait_for_import(page, "Files imported")
    table = page.locator("#imported + table").inner_text()
    assert "Leicestershire Police, June 2025" in table
    check(page, "staff-05-imported")

    # The dashboard lists the measure as needing commentary; write it and send it for review.
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Dashboard").click()
    page.wait_for_url(url + "/staff/")
    check(page, "staff-06-dashboard")
    page.locator("#commentary + table").get_by_role("link", name=measure.name).click()
    page.wait_for_url(f"**/staff/measures/{measure.code}/commentary/")
    check(page, "staff-07-commentary")
    words = "All crime rose in June 2025, led by violence and sexual offences in the city."
    page.get_by_role("textbox", name=re.compile("Commentary for")).fill(words)
    page.get_by_role("button", name="Send for review").click()
    page.wait_for_url(f"**/staff/measures/{measure.code}/commentary/")
    assert "Sent for review" in page.locator(".govuk-notification-banner").inner_text()
    assert page.get_by_role("button", name="Approve").count() == 0
    check(page, "staff-08-commentary-sent")
    sign_out(page)
    assert "You have signed out" in page.locator("main").inner_text()

    # A second analyst reviews and approves it.
    sign_in(page, url, "bob")
    page.wait_for_url(url + "/staff/")
    page.locator("#review + ul").get_by_role("link", name=measure.name).click()
    page.wait_for_url(f"**/staff/measures/{measure.code}/commentary/")
    page.get_by_role("button", name="Approve").click()
    page.wait_for_url(f"**/staff/measures/{measure.code}/commentary/")
    assert "approved and now shows on the public page" in page.locator(
        ".govuk-notification-banner").inner_text()
    history = page.locator("#history + table").inner_text()
    assert "anna" in history and "bob" in history and "Approved" in history
    check(page, "staff-09-commentary-approved")
    sign_out(page)

    # The public measure page now shows the approved commentary.
    page.goto(url + f"/measures/{measure.code}/")
    assert words in page.locator("main").inner_text()
    check(page, "staff-10-public-commentary")


def test_analyst_proposes_a_target_and_a_second_analyst_approves_it(site, page):
    url, plan = site
    vehicle = plan.measures.get(code="MCNS-VEHICLE-CRIME")
    assert vehicle.public
    page.goto(url + f"/measures/{vehicle.code}/")
    assert "against a target of" not in page.locator("main").inner_text()

    sign_in(page, url, "anna")
    page.wait_for_url(url + "/staff/")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Plan").click()
    page.wait_for_url(url + "/staff/plans/")
    assert "(in use)" in page.locator("#versions + table").inner_text()
    check(page, "staff-16-plan")
    page.get_by_role("button", name="Propose a change").click()
    page.wait_for_url("**/staff/plans/changes/new/")
    check(page, "staff-17-change-start")
    reason = "The Panel agreed a vehicle crime target of 1,150 a quarter on 4 June 2025."
    page.get_by_label("Why is the plan changing?").fill(reason)
    page.get_by_role("button", name="Start the change").click()
    page.wait_for_url(re.compile(r".*/staff/plans/changes/\d+/$"))
    change_url = page.url
    check(page, "staff-18-change-draft")

    # A target that needs a figure, without one: the error names the field; nothing saved.
    page.get_by_role("link", name=f"Change {vehicle.name}").click()
    page.wait_for_url("**/measures/MCNS-VEHICLE-CRIME/")
    check(page, "staff-19-measure-edit")
    page.get_by_label("Kind of target").select_option("numeric")
    page.get_by_role("button", name="Save in the draft").click()
    page.wait_for_load_state()
    assert page.title().startswith("Error: Change measure MCNS-VEHICLE-CRIME")
    summary = page.locator(".govuk-error-summary")
    assert "Enter the target value" in summary.inner_text()
    check(page, "staff-20-measure-edit-error")
    summary.get_by_role("link", name=re.compile("Enter the target value")).click()
    page.get_by_label("Target value").fill("1150")
    page.get_by_role("button", name="Save in the draft").click()
    page.wait_for_url(change_url)
    changes = page.locator("main").inner_text()
    assert "Changed: MCNS-VEHICLE-CRIME Vehicle crime" in changes
    assert "target.value" in changes and "1150" in changes and reason in changes
    page.get_by_role("button", name="Send for review").click()
    page.wait_for_url(change_url)
    assert "Sent for review" in page.locator(".govuk-notification-banner").inner_text()
    assert page.get_by_role("button", name="Approve").count() == 0
    check(page, "staff-21-change-sent")
    sign_out(page)

    # The draft is not public; a second analyst reads the difference and approves it.
    page.goto(url + f"/measures/{vehicle.code}/")
    assert "against a target of" not in page.locator("main").inner_text()
    sign_in(page, url, "bob")
    page.goto(url + "/staff/plans/")
    page.locator("#changes + table").get_by_role("link").first.click()
    page.wait_for_url(change_url)
    assert "target.value" in page.locator("main").inner_text()
    check(page, "staff-22-change-review")
    page.get_by_role("button", name="Approve").click()
    page.wait_for_url(change_url)
    assert "Version 3 of the plan is now in use" in page.locator(
        ".govuk-notification-banner").inner_text()
    history = page.locator("#history + table").inner_text()
    assert "anna" in history and "bob" in history and "Approved" in history
    check(page, "staff-23-change-approved")
    sign_out(page)

    # The public measure page is graded against the new target.
    page.goto(url + f"/measures/{vehicle.code}/")
    assert "against a target of 1,150.00" in page.locator("main").inner_text()
    check(page, "staff-24-public-new-target")


def test_panel_member_reads_the_draft_report_and_asks_a_question(site, page):
    url, plan = site
    hidden = plan.measures.filter(public=False).order_by("order").first()
    sign_in(page, url, "pat")
    page.wait_for_url(url + "/staff/panel/")
    check(page, "staff-11-panel")
    page.get_by_role("button", name="Read the draft report").click()
    page.wait_for_url("**/staff/reports/draft/")
    banner = page.locator(".govuk-notification-banner").first.inner_text()
    assert "Draft: not approved for publication" in banner
    assert hidden.name in page.locator("main").inner_text()  # unpublished measures too
    check(page, "staff-12-draft-report")
    page.get_by_role("link", name="Ask a question about a measure").click()
    page.wait_for_url("**/staff/reports/draft/questions/new/")
    check(page, "staff-13-question")
    page.get_by_label("Measure").select_option(hidden.code)
    page.get_by_label("Your question").fill("When will this measure be published?")
    page.get_by_role("button", name="Send question").click()
    page.wait_for_url(url + "/staff/panel/")
    assert "When will this measure be published?" in page.locator("main").inner_text()
    check(page, "staff-14-question-sent")
    # A Panel member cannot reach the analysts' pages.
    response = page.goto(url + "/staff/imports/")
    assert response.status == 403
    check(page, "staff-15-forbidden")


def test_staff_pages_work_without_javascript(site, no_js_page):
    url, plan = site
    page = no_js_page
    page.goto(url + "/staff/login/")
    page.fill("#username", "anna")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]:has-text('Sign in')")
    page.wait_for_url(url + "/staff/")
    assert page.locator("h1").inner_text() == "Dashboard"
    measure = plan.measures.get(code="MCNS-ALL-CRIME")
    for path in ("/staff/", "/staff/measures/", f"/staff/measures/{measure.code}/commentary/",
                 "/staff/imports/", "/staff/reports/draft/", "/staff/panel/", "/areas/"):
        response = page.goto(url + path)
        assert response.status == 200, path
        assert page.locator("h1").count() == 1, path
    # Forms post without scripts: save a draft, then sign out with the navigation button.
    page.goto(url + f"/staff/measures/{measure.code}/commentary/")
    page.fill("#text", "Written without JavaScript.")
    page.click("button[value=save]")
    page.wait_for_url(f"**/staff/measures/{measure.code}/commentary/")
    assert "Your draft has been saved" in page.locator("main").inner_text()
    page.click("form.app-sign-out button")
    page.wait_for_url("**/staff/login/?signed-out=1")
    assert page.goto(url + "/staff/").url.startswith(url + "/staff/login/")


def test_area_pages_pass_axe(site, page):
    """The public area pages added with the staff area: index, force and a CSP."""
    url, plan = site
    page.goto(url + "/areas/")
    check(page, "public-04-areas")
    page.get_by_role("link", name=plan.force.name).click()
    page.wait_for_url(f"**/areas/force/{plan.force.slug}/")
    assert "Burglary" in page.locator("table").last.inner_text()
    check(page, "public-05-area-force")
    page.goto(url + "/areas/")
    page.locator("main ul").nth(1).get_by_role("link").first.click()
    page.wait_for_url("**/areas/csp/**")
    check(page, "public-06-area-csp")
