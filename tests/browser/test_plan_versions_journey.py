"""Plan versions in a real browser: a member of the public goes from the plan to its versions
and reads what changed in the latest one; an analyst sees a change in progress there too and
corrects a badly written left-out month in the plan-change form. Every page passes axe and
works without JavaScript. Screenshots: plan-versions-01 to plan-versions-05."""

from __future__ import annotations

import re

import pytest

from oversight.plans import changes, editing
from tests import demo_state
from tests.browser.conftest import axe_violations, explain, screenshot
from tests.staff.conftest import PASSWORD, fast_passwords, make_user  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

VEHICLE = "MCNS-VEHICLE-CRIME"
REASON = "The Panel agreed a vehicle crime target on 4 June 2025."


@pytest.fixture
def site(live_server):
    """The demo plan (version 2), version 3 approved from a change to the vehicle crime
    target, and a draft change by anna against version 3."""
    v2 = demo_state.build(["2025-04", "2025-05", "2025-06"])
    anna, bob = make_user("anna", "analyst"), make_user("bob", "analyst")
    change = changes.start(v2, anna, REASON, "3")
    current = editing.measure(change.spec, VEHICLE)
    edit = editing.measure_edit_from(current)
    edit.target_type, edit.target_value = "numeric", 1150.0
    data = editing.edit_measure(change.spec, VEHICLE, edit)
    changes.save_edit(change, anna, data, f"measure {VEHICLE}", current,
                      editing.measure(data, VEHICLE))
    changes.submit(change, anna)
    v3 = changes.approve(change, bob)
    draft = changes.start(v3, anna, "Leave the lockdown months out", "4")
    return live_server.url, v2, v3, draft


def check(page, name: str) -> None:
    screenshot(page, name)
    violations = axe_violations(page)
    assert violations == [], f"{name}: {explain(violations)}"
    assert page.locator("h1").count() == 1, name
    title = re.sub(r"^Error: ", "", page.title())
    assert title.startswith(page.locator("h1").inner_text().strip()), (name, title)


def test_the_public_read_what_changed_in_the_plan(site, page):
    url, v2, v3, _draft = site
    page.goto(url + "/")
    page.get_by_role("link", name="plan versions").click()
    page.wait_for_url("**/plan/versions/")
    rows = page.locator("#versions tbody tr")
    assert rows.count() == 2
    assert rows.nth(0).locator("th").inner_text().startswith("Version 3")
    assert "Changed the plan's details and 1 measure." in rows.nth(0).inner_text()
    assert REASON in rows.nth(0).inner_text()
    assert "The first version loaded." in rows.nth(1).inner_text()
    check(page, "plan-versions-01-list")

    page.get_by_role("link", name="Version 3").click()
    page.wait_for_url(f"**/plan/versions/{v3.pk}/")
    main = page.locator("main").inner_text()
    assert "Changed: MCNS-VEHICLE-CRIME Vehicle crime" in main
    assert "target.value" in main and "1150" in main
    assert f"Reason: {REASON}" in main
    assert "Changes in progress" not in main and "Leave the lockdown months out" not in main
    check(page, "plan-versions-02-version")

    page.get_by_role("link", name=re.compile(r"^version 2 ")).click()
    page.wait_for_url(f"**/plan/versions/{v2.pk}/")
    assert "This version has been replaced." in page.locator("main").inner_text()
    check(page, "plan-versions-03-old-version")


def test_an_analyst_sees_the_draft_and_corrects_a_left_out_month(site, page):
    url, _v2, v3, draft = site
    page.goto(url + "/staff/login/")
    page.get_by_label("User name").fill("anna")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    page.goto(url + f"/plan/versions/{v3.pk}/")
    progress = page.locator("#in-progress + p + ul").inner_text()
    assert f"Change {draft.pk}: Leave the lockdown months out" in progress
    check(page, "plan-versions-04-staff")

    page.get_by_role("link", name=f"Change {draft.pk}").click()
    page.wait_for_url(f"**/staff/plans/changes/{draft.pk}/")
    page.goto(url + f"/staff/plans/changes/{draft.pk}/measures/{VEHICLE}/")
    page.get_by_label("Compared with").select_option("fixed_period")
    page.get_by_label("Baseline period").fill("2019-12 to 2022-11")
    page.get_by_label("Months left out of the baseline").fill(
        "2020-04 to 2020-06: first national lockdown\n2020-05: again")
    page.get_by_role("button", name="Save in the draft").click()
    summary = page.locator(".govuk-error-summary").inner_text()
    assert ("Months left out of the baseline: 2020-05 is already left out (under 2020-04 to "
            "2020-06); list each month once") in summary
    check(page, "plan-versions-05-left-out-error")
    page.locator(".govuk-error-summary a").first.click()
    assert page.evaluate("document.activeElement.id") == "baseline-excluded"
    page.get_by_label("Months left out of the baseline").fill(
        "2020-04 to 2020-06: first national lockdown")
    page.get_by_role("button", name="Save in the draft").click()
    page.wait_for_url(f"**/staff/plans/changes/{draft.pk}/")
    main = page.locator("main").inner_text()
    assert "baseline.excluded" in main
    assert "[2020-04 to 2020-06: 'first national lockdown']" in main


def test_the_versions_pages_work_without_javascript(site, no_js_page):
    url, v2, v3, _draft = site
    for path in ("/plan/versions/", f"/plan/versions/{v3.pk}/", f"/plan/versions/{v2.pk}/"):
        response = no_js_page.goto(url + path)
        assert response.status == 200, path
        assert no_js_page.locator("h1").count() == 1, path
        assert no_js_page.locator("table").count() >= 1, path
