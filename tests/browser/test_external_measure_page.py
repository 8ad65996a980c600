"""A measure from the ONS tables, in a real browser: the page shows the stored figure, passes
axe, and works without JavaScript."""

from __future__ import annotations

import pytest

from tests import demo_state
from tests.browser.conftest import axe_violations, explain, screenshot

pytestmark = pytest.mark.django_db(transaction=True)

CODE = "MCNS-VIOLENCE-WITH-INJURY"


@pytest.fixture
def site(live_server):
    plan = demo_state.build(["2025-04", "2025-05", "2025-06"], ons=True)
    return live_server.url, plan


def test_ons_measure_page_shows_the_stored_figure_and_passes_axe(site, page):
    url, plan = site
    latest = plan.measures.get(code=CODE).result.figures["latest"]
    page.goto(url + "/")
    page.get_by_role("link", name=plan.measures.get(code=CODE).name).first.click()
    page.wait_for_url(f"**/measures/{CODE}/")
    main = page.locator("main").inner_text()
    assert latest["value_words"] in main
    assert "12 months to December 2019" in main
    screenshot(page, "public-04-ons-measure")
    assert axe_violations(page) == [], explain(axe_violations(page))


def test_ons_measure_page_works_without_javascript(site, no_js_page):
    url, _plan = site
    response = no_js_page.goto(url + f"/measures/{CODE}/")
    assert response.status == 200
    assert no_js_page.locator("table").count() >= 1
