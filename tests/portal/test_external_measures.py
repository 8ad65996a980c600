"""The public measure page of a measure from the ONS tables: the latest figure with its count,
rate, population vintage and edition, the change on the figure before and on a year earlier,
why there is no SPC chart, every figure in a table, and the same figures as CSV."""

from __future__ import annotations

import csv
import io

import pytest

from oversight.cli.demo import DEMO_DATA
from tests import demo_state
from tests.portal.test_pages import check_page

pytestmark = pytest.mark.django_db

EXTRACT = DEMO_DATA / "ons" / "pfa_tables_p1_p3_long_extract.csv"
CODE = "MCNS-VIOLENCE-WITH-INJURY"


def _from_extract(period: str, measure: str) -> str:
    """Leicestershire's violence with injury figure, read from the shipped extract."""
    with EXTRACT.open(newline="") as f:
        return next(r["value"] for r in csv.DictReader(f)
                    if r["area_code"] == "E23000021" and r["period_end"] == period
                    and r["variable"] == "Violence with injury" and r["measure"] == measure)


@pytest.fixture
def plan():
    from oversight.data import services
    from oversight.performance.services import compute_plan

    services.import_ons([EXTRACT], imported_by="test")
    plan = demo_state.build(["2025-04", "2025-05", "2025-06"])
    compute_plan(plan)
    return plan


def test_the_measure_page_shows_the_ons_figure_and_where_it_came_from(client, plan):
    count = int(_from_extract("2019-12", "count"))
    before = int(_from_extract("2019-09", "count"))
    year_before = int(_from_extract("2018-12", "count"))
    rate = float(_from_extract("2019-12", "rate_per_1000_population"))

    response = client.get(f"/measures/{CODE}/")
    html = response.content.decode()

    assert response.status_code == 200
    check_page(html)
    assert f"{count:,}" in html and "The 12 months to December 2019" in html
    assert f"{rate:.2f} per 1,000 people" in html
    assert "population 1,093,200, ONS mid-2018 estimate" in html
    assert "edition pfatablesdec19.xlsx" in html
    change = f"Up {count - before:,} ({100 * (count - before) / before:.1f}%)"
    assert f"{change} on the figure before" in html
    assert ("on the same period a year earlier (the 12 months to December 2018: "
            f"{year_before:,})") in html
    assert "neighbouring figures share 9 of their months" in html
    assert html.count('<th scope="row" class="govuk-table__header">the 12 months to') == 8


def test_the_csv_lists_every_period_with_its_source(client, plan):
    response = client.get(f"/measures/{CODE}/monthly.csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))

    assert [r["period"] for r in rows][:2] == ["2018-03", "2018-06"] and len(rows) == 8
    assert rows[-1]["value"] == _from_extract("2019-12", "count")
    assert rows[-1]["population_vintage"] == "mid-2018"
    assert "pfatablesdec19.xlsx" in rows[-1]["source"]


def test_the_home_page_compares_the_ons_figure_with_the_one_before(client, plan):
    html = client.get("/").content.decode()

    count = int(_from_extract("2019-12", "count"))
    assert f"{count:,}" in html and "the 12 months to September 2019" in html


def test_the_measure_page_compares_the_ons_rate_with_the_peer_forces(client, plan):
    rates = {}
    with EXTRACT.open(newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["period_end"] == "2019-12"]
    for name in ("Leicestershire", "Derbyshire", "Kent", "Northamptonshire", "Nottinghamshire",
                 "Staffordshire"):
        count = next(int(r["value"]) for r in rows if r["area_name"] == name
                     and r["variable"] == "Violence with injury" and r["measure"] == "count")
        people = next(int(r["value"]) for r in rows if r["area_name"] == name
                      and r["variable"].startswith("population_mid"))
        rates[name] = (count, 1000 * count / people)
    ours = rates["Leicestershire"][1]
    rank = 1 + sum(rate < ours for _, rate in rates.values())

    html = client.get(f"/measures/{CODE}/").content.decode()

    check_page(html)
    assert "Peer force figures are not shown" not in html
    assert f"ranked {rank} of 6" in html
    assert "rate per 1,000 people, the 12 months to December 2019" in html
    for count, rate in rates.values():  # the data table under the peer chart
        assert (f'<td class="govuk-table__cell">{rate:.2f}</td>'
                f'<td class="govuk-table__cell">{count:,}</td>') in html
    # in the plan's peer group but not in the extract
    assert ("No figure for the 12 months to December 2019 is loaded for Avon and Somerset "
            "Constabulary.") in html
