"""Public pages render real stored figures and pass the page check."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from tests import demo_state

pytestmark = pytest.mark.django_db


class _PageCheck(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.h1: list[str] = []
        self.ids: list[str] = []
        self.title = ""
        self._in: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "id" in attributes:
            self.ids.append(attributes["id"])
        if tag in ("h1", "title"):
            self._in = tag
            if tag == "h1":
                self.h1.append("")

    def handle_endtag(self, tag):
        if tag == self._in:
            self._in = None

    def handle_data(self, data):
        if self._in == "h1":
            self.h1[-1] += data
        elif self._in == "title":
            self.title += data


def check_page(html: str) -> _PageCheck:
    """One h1, a title that starts with it, unique ids (the GOV.UK Notify page check)."""
    parsed = _PageCheck()
    parsed.feed(html)
    assert len(parsed.h1) == 1, parsed.h1
    assert parsed.title.strip().startswith(parsed.h1[0].strip()), (parsed.title, parsed.h1)
    duplicates = {i for i in parsed.ids if parsed.ids.count(i) > 1}
    assert not duplicates, duplicates
    return parsed


@pytest.fixture
def plan():
    return demo_state.build()


def test_home_lists_public_measures_with_stored_figures(client, plan):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    check_page(html)
    for measure in plan.measures.filter(public=True):
        assert measure.name in html
    hidden = plan.measures.filter(public=False).first()
    if hidden is not None:
        assert f"/measures/{hidden.code}/" not in html


def test_measure_page_shows_count_rate_change_and_population_year(client, plan):
    measure = plan.measures.filter(public=True, result__figures__available=True).first()
    quarter = measure.result.figures["quarter"]
    html = client.get(f"/measures/{measure.code}/").content.decode()
    check_page(html)
    assert f"{quarter['count']:,}" in html
    assert quarter["words"] in html
    assert f"mid-{quarter['population_year']} estimate" in html
    assert "<svg" in html and "<table" in html  # a chart with its data table


def test_private_measure_is_not_found(client, plan):
    hidden = plan.measures.filter(public=False).first()
    if hidden is None:
        pytest.skip("the example plan has no private measure")
    assert client.get(f"/measures/{hidden.code}/").status_code == 404


def test_report_data_and_accessibility_pages(client, plan):
    for path in ("/reports/quarterly/", "/data/", "/accessibility/"):
        response = client.get(path)
        assert response.status_code == 200, path
        check_page(response.content.decode())
