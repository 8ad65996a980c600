"""Area pages (force, community safety partnership, local authority) and the home page's
"what changed since last quarter"."""

from __future__ import annotations

import csv
import io

import pytest
from django.db.models import Sum

from oversight.data.models import Area, StreetCount
from tests import demo_state
from tests.portal.test_pages import check_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(db):
    return demo_state.build(["2025-01", "2025-02", "2025-03", "2025-04", "2025-05", "2025-06"])


def test_areas_index_lists_the_force_its_csps_and_local_authorities(client, plan):
    html = client.get("/areas/").content.decode()
    check_page(html)
    assert f'/areas/force/{plan.force.slug}/' in html
    for area in Area.objects.filter(force=plan.force):
        kind = "csp" if area.kind == Area.Kind.CSP else "local-authority"
        assert f"/areas/{kind}/{area.code}/" in html
    other = Area.objects.exclude(force=plan.force).first()
    assert other.code not in html


def test_force_page_shows_crime_by_type_and_month_from_the_stored_counts(client, plan):
    html = client.get(f"/areas/force/{plan.force.slug}/").content.decode()
    check_page(html)
    burglary_june = StreetCount.objects.filter(
        force=plan.force, month="2025-06", crime_type="Burglary").aggregate(n=Sum("rows"))["n"]
    assert burglary_june > 0
    row = html[html.index(">Burglary</th>"):]
    row = row[:row.index("</tr>")]
    assert f">{burglary_june:,}<" in row
    assert "June 2025" in html and "<svg" in html  # chart with its table
    assert "All crime (excluding anti-social behaviour)" in html


def test_local_authority_and_csp_pages_count_only_their_area(client, plan):
    la = Area.objects.get(force=plan.force, kind=Area.Kind.LOCAL_AUTHORITY, name="Blaby")
    expected = StreetCount.objects.filter(force=plan.force, local_authority="Blaby",
                                          month="2025-06").aggregate(n=Sum("rows"))["n"]
    body = client.get(f"/areas/local-authority/{la.code}/crime.csv").content.decode()
    rows = list(csv.DictReader(io.StringIO(body)))
    assert sum(int(r["count"]) for r in rows if r["month"] == "2025-06") == expected
    assert {r["area"] for r in rows} == {"Blaby"}
    html = client.get(f"/areas/local-authority/{la.code}/").content.decode()
    check_page(html)
    csp = la.parent
    html = client.get(f"/areas/csp/{csp.code}/").content.decode()
    check_page(html)
    assert "Blaby" in html


def test_unknown_areas_are_not_found(client, plan):
    other = Area.objects.filter(kind=Area.Kind.CSP).exclude(force=plan.force).first()
    assert client.get(f"/areas/csp/{other.code}/").status_code == 404
    assert client.get("/areas/force/kent/").status_code == 404
    assert client.get("/areas/ward/E05000001/").status_code == 404


def test_home_page_says_what_changed_since_last_quarter(client, plan):
    html = client.get("/").content.decode()
    check_page(html)
    section = html[html.index('id="changes"'):html.index('id="theme-')]
    measure = plan.measures.get(code="MCNS-ALL-CRIME")
    series = {r["period"]: r["count"] for r in measure.result.figures["series"]}
    previous = series["2025-01"] + series["2025-02"] + series["2025-03"]
    latest = measure.result.figures["quarter"]["count"]
    assert f"{previous:,}" in section and f"{latest:,}" in section
    direction = "up" if latest > previous else "down"
    assert f"{direction} {abs(latest - previous):,}" in section
    assert "January to March 2025" in section and "April to June 2025" in section


def test_only_an_approved_plan_is_public(client, plan):
    plan.status = "draft"
    plan.save()
    html = client.get("/").content.decode()
    assert "No plan has been published yet." in html
    assert client.get("/measures/MCNS-ALL-CRIME/").status_code == 404
