"""A member of the public finds a measure and downloads its data, in a real browser."""

from __future__ import annotations

import csv
import io

import pytest

from tests import demo_state
from tests.browser.conftest import axe_violations, explain, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def site(live_server):
    plan = demo_state.build()
    return live_server.url, plan


def test_public_finds_a_measure_and_downloads_its_data(site, page):
    url, plan = site
    measure = plan.measures.filter(public=True, result__figures__available=True).first()
    page.goto(url + "/")
    assert page.locator("h1").inner_text() == plan.title
    screenshot(page, "public-01-plan")
    assert axe_violations(page) == [], explain(axe_violations(page))

    page.get_by_role("link", name=measure.name).first.click()
    page.wait_for_url(f"**/measures/{measure.code}/")
    assert page.locator("h1").inner_text() == measure.name
    # The headline count shown is the stored quarter count.
    quarter = measure.result.figures["quarter"]
    assert f"{quarter['count']:,}" in page.locator("main").inner_text()
    screenshot(page, "public-02-measure")
    assert axe_violations(page) == [], explain(axe_violations(page))

    with page.expect_download() as info:
        page.get_by_role("link", name="Download the monthly figures (CSV)").click()
    body = open(info.value.path(), encoding="utf-8").read()
    rows = list(csv.DictReader(io.StringIO(body)))
    stored = {r["period"]: r["count"] for r in measure.result.figures["series"]}
    assert {r["month"]: (int(r["count"]) if r["count"] else None) for r in rows} == stored


def test_pages_work_without_javascript(site, no_js_page):
    url, plan = site
    measure = plan.measures.filter(public=True).first()
    for path in ("/", f"/measures/{measure.code}/", "/data/", "/reports/quarterly/",
                 "/accessibility/"):
        response = no_js_page.goto(url + path)
        assert response.status == 200, path
        assert no_js_page.locator("h1").count() == 1, path


def test_report_and_data_pages_pass_axe(site, page):
    url, _plan = site
    for name, path in (("report", "/reports/quarterly/"), ("data", "/data/")):
        page.goto(url + path)
        screenshot(page, f"public-03-{name}")
        assert axe_violations(page) == [], explain(axe_violations(page))
