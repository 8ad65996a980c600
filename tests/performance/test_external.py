"""Measures from ONS tables, Home Office workforce, partner returns and survey values get real
figures: computed from real imported files (checked against the source spreadsheets read here
independently), stored with their batches, recomputed on rollback, graded and shown."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from openpyxl import load_workbook

from oversight.data import services as data
from oversight.data.models import ImportBatch
from oversight.performance import external
from oversight.performance.compute import MeasureSpec
from oversight.performance.external import ExternalSeries, compute_external
from oversight.performance.models import MeasureResult
from oversight.performance.services import compute_plan
from tests.returns.conftest import PERIOD, filled_xlsx, partners, template  # noqa: F401

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"
ONS = SHARED / "ons" / "pfa-data-tables"
WORKFORCE = SHARED / "home-office" / "police-workforce"
LEICESTERSHIRE = "E23000021"

pytestmark = pytest.mark.skipif(not ONS.is_dir(), reason="needs ../shared/data")


def _sheet_value(path: Path, sheet: str, heading: str) -> float:
    """Leicestershire's figure in the column whose heading starts with ``heading``."""
    rows = list(load_workbook(path, read_only=True, data_only=True)[sheet].iter_rows(
        values_only=True))
    header = next(r for r in rows if r and r[0] == "Area Code")
    column = next(i for i, c in enumerate(header) if str(c or "").startswith(heading))
    row = next(r for r in rows if r and r[0] == LEICESTERSHIRE)
    return row[column]


def _plan():
    from oversight.plans import examples
    from oversight.plans.services import load_plan_file

    return load_plan_file(examples.path("leicestershire-2013.yaml"), user="test")


def _result(plan, code: str) -> MeasureResult:
    return MeasureResult.objects.get(measure__plan=plan, measure__code=code)


@pytest.mark.django_db
def test_violence_with_injury_comes_from_the_ons_tables_as_the_spreadsheet_gives_it():
    data.import_ons([ONS], imported_by="test")
    plan = _plan()
    compute_plan(plan)
    result = _result(plan, "MCNS-VIOLENCE-WITH-INJURY")
    figures = result.figures

    dec19 = ONS / "pfatablesdec19.xlsx"
    dec18 = ONS / "policeforceareatablesyearendingdecember2018.xlsx"
    count = _sheet_value(dec19, "Table P1", "Violence with injury")
    rate = _sheet_value(dec19, "Table P3", "Violence with injury")
    population = _sheet_value(dec19, "Table P3", "Population figures")
    year_before = _sheet_value(dec18, "Table P1", "Violence with injury")
    latest = figures["latest"]
    assert (latest["period"], latest["value"], latest["count"]) == ("2019-12", count, count)
    assert latest["rate"] == pytest.approx(rate)
    assert (latest["population"], latest["population_vintage"]) == (population, "mid-2018")
    assert latest["provenance"]["edition"] == "pfatablesdec19.xlsx"
    assert "mid-2018 population estimate (1,093,200 people)" in latest["provenance_words"]
    assert figures["year_earlier"]["value"] == year_before
    assert figures["year_earlier"]["change"]["count"] == count - year_before
    assert figures["previous_period"]["words"] == "the 12 months to September 2019"
    # Stored as the police-uk path stores a latest quarter, so pages and reports read it alike.
    assert (result.latest_month, result.latest_quarter) == ("2019-12", "2019/20 Q3")
    assert figures["quarter"]["previous"] == year_before
    assert figures["quarter"]["change"]["text"].startswith(f"up {count - year_before:,}")
    assert not figures["spc"]["available"] and "12 months" in figures["spc"]["reason"]
    dec19_batch = ImportBatch.objects.get(file_name="pfatablesdec19.xlsx")
    assert dec19_batch.pk in result.batch_ids
    assert result.grade == "Ungraded" and result.status == "not-assessable"
    # The police-uk measures are untouched: nothing of theirs is loaded.
    assert _result(plan, "MCNS-VEHICLE-CRIME").figures["reason"] == (
        "No data is loaded for this measure yet.")
    assert "No survey value" in _result(plan, "MCNS-CONFIDENCE").figures["reason"]


@pytest.mark.django_db
def test_rolling_back_an_edition_recomputes_the_measure_from_the_one_before():
    data.import_ons([ONS / "policeforceareatablesyearendingseptember2019.xlsx",
                     ONS / "pfatablesdec19.xlsx"], imported_by="test")
    plan = _plan()
    compute_plan(plan)
    assert _result(plan, "MCNS-VIOLENCE-WITH-INJURY").figures["latest"]["period"] == "2019-12"

    batch = ImportBatch.objects.get(file_name="pfatablesdec19.xlsx")
    outcome = data.rollback_batch(batch.pk, rolled_back_by="test")

    assert outcome.recomputed == plan.measures.count()
    result = _result(plan, "MCNS-VIOLENCE-WITH-INJURY")
    september = _sheet_value(ONS / "policeforceareatablesyearendingseptember2019.xlsx",
                             "Table P1", "Violence with injury")
    assert (result.latest_month, result.figures["latest"]["value"]) == ("2019-09", september)
    assert batch.pk not in result.batch_ids


@pytest.mark.django_db
def test_officer_numbers_come_from_the_workforce_tables():
    from oversight.plans.models import Measure

    data.import_workforce([WORKFORCE], imported_by="test")
    plan = _plan()
    Measure.objects.create(
        plan=plan, theme=plan.themes.first(), code="RES-OFFICERS", name="Police officers",
        unit="count", polarity="neither", order=99,
        source={"type": "home-office", "name": "Police officers (FTE), Home Office police "
                                               "workforce tables"})
    compute_plan(plan)
    figures = _result(plan, "RES-OFFICERS").figures

    with (WORKFORCE / "officer-fte-resistancelab" / "officer-fte-2019.csv").open() as f:
        row = next(r for r in csv.DictReader(f) if r["Force/Region"] == "Leicestershire")
    assert figures["latest"]["period"] == "2019-09"
    assert figures["latest"]["value"] == pytest.approx(float(row["September 2019"]))
    assert figures["latest"]["words"] == "at 30 September 2019"
    assert figures["year_earlier"]["value"] == pytest.approx(float(row["September 2018"]))
    assert figures["previous_period"]["value"] == pytest.approx(float(row["March 2019"]))
    assert figures["latest"]["provenance"]["edition"] == "police-workforce-sep19-tables.ods"
    assert figures["spc"]["reason"] == (
        "No SPC chart: 11 figures are loaded and at least 13 are needed to set process limits.")


@pytest.mark.django_db
def test_a_returns_fed_measure_shows_the_providers_figure_with_its_counts(template):  # noqa: F811
    from oversight.plans.models import Measure
    from oversight.returns import services as returns

    plan = _plan()
    Measure.objects.create(
        plan=plan, theme=plan.themes.first(), code="VS-CONTACTED", name="Victims contacted",
        unit="percentage", polarity="higher", order=99, target={"type": "numeric", "value": 95},
        source={"type": "partner", "name": "Victim First monthly return"})
    returns.confirm(returns.check_upload(template, PERIOD, "june.xlsx",
                                         filled_xlsx(template))[1], by="vera")
    compute_plan(plan)
    result = _result(plan, "VS-CONTACTED")
    latest = result.figures["latest"]

    assert latest["value"] == pytest.approx(100 * 377 / 412)
    assert (latest["numerator"], latest["denominator"]) == (377, 412)
    assert latest["value_words"] == "91.5%"
    assert latest["provenance_words"].startswith("Return from Victim First")
    assert result.status == "not-met"
    assert result.status_reason == "91.50 against a target of 95.00 in June 2025."
    assert result.grade != "Ungraded"
    assert result.batch_ids == [ImportBatch.objects.get(kind="return").pk]


@pytest.mark.django_db
def test_a_survey_value_is_compared_with_a_year_earlier_and_the_plans_baseline():
    plan = _plan()
    for period, value, low, high in (("2023/24", 82.0, 80.4, 83.6), ("2024/25", 85.5, 84.1, 86.9)):
        data.record_manual_value(data.ManualValue(
            measure_code="MCNS-CONFIDENCE", period=period, value=value, force="leicestershire",
            source="Leicestershire Police community based survey", unit="percentage",
            sample_size=2400, ci_lower=low, ci_upper=high, published_on=dt.date(2025, 6, 12)),
            entered_by="anna")
    compute_plan(plan)
    figures = _result(plan, "MCNS-CONFIDENCE").figures

    assert figures["latest"]["words"] == "April 2024 to March 2025"
    assert figures["year_earlier"]["change"]["text"] == "up 3.5 percentage points"
    assert "do not overlap" in figures["year_earlier"]["note"]
    assert "sample of 2,400, 95% confidence interval 84.1% to 86.9%" in (
        figures["latest"]["provenance_words"])
    # The plan's baseline (75.3% in 2012/13) is stated, not loaded: it is used as stated.
    assert figures["baseline"]["value"] == 75.3
    assert "up 10.2 percentage points on the baseline" in figures["baseline"]["comparison"]


# --- the pure computation -----------------------------------------------------------------


SPEC = MeasureSpec("X", "Calls answered", "percentage", "higher")


def test_spc_is_drawn_only_with_enough_points():
    months = [f"2024-{m:02d}" for m in range(1, 13)] + ["2025-01"]
    values = [80.0, 82, 81, 79, 83, 80, 81, 82, 80, 79, 81, 82, 95]
    full = compute_external(SPEC, ExternalSeries("partner", "monthly", "percentage",
                                                 dict(zip(months, values, strict=True))))
    short = compute_external(SPEC, ExternalSeries("partner", "monthly", "percentage",
                                                  dict(zip(months[:12], values, strict=False))))

    assert full["spc"]["available"] and full["spc"]["latest_signal"] == "improvement"
    assert len(full["spc"]["points"]) == 13
    assert short["spc"]["reason"] == (
        "No SPC chart: 12 figures are loaded and at least 13 are needed to set process limits.")


def test_a_marker_in_the_latest_period_falls_back_to_the_latest_figure():
    series = ExternalSeries("ons", "quarterly", "count", {"2019-09": 7176.0, "2019-12": None},
                            {"2019-12": {"marker": ".."}})
    figures = compute_external(MeasureSpec("X", "V", "count", "lower"), series)

    assert figures["latest"]["period"] == "2019-09"
    assert figures["latest_note"] == ("The source prints no figure for the 12 months to "
                                      "December 2019; the latest figure is for the 12 months to "
                                      "September 2019.")
    assert figures["year_earlier"] is None
    assert figures["quarter"]["change"]["text"] == "no figure for a year earlier"


def test_a_reduce_by_percent_target_is_judged_on_the_same_period_a_year_earlier():
    spec = MeasureSpec("X", "V", "count", "lower", target={"type": "reduce_by_percent",
                                                           "value": 5})
    series = ExternalSeries("ons", "quarterly", "count", {"2018-12": 1000.0, "2019-12": 940.0})
    figures = compute_external(spec, series)

    assert figures["status"] == "met"
    assert "down 60 (6.0%)" in figures["status_reason"]
    assert external.value_words(1093200, "count") == "1,093,200"


EXTRACT = (Path(__file__).resolve().parents[2] / "oversight" / "demo_data" / "ons"
           / "pfa_tables_p1_p3_long_extract.csv")
EXTRACT_FORCES = ("Leicestershire", "Derbyshire", "Kent", "Northamptonshire", "Nottinghamshire",
                  "Staffordshire")


def _extract_rates(period: str, offence: str) -> dict[str, tuple[int, int, float]]:
    """Each force's count, population and rate per 1,000 for ``period``, read from the CSV."""
    counts, people = {}, {}
    with EXTRACT.open(newline="") as f:
        for r in csv.DictReader(f):
            if r["period_end"] != period or r["area_name"] not in EXTRACT_FORCES:
                continue
            if r["variable"] == offence and r["measure"] == "count":
                counts[r["area_name"]] = int(r["value"])
            elif r["variable"].startswith("population_mid"):
                people[r["area_name"]] = int(r["value"])
    return {n: (counts[n], people[n], 1000 * counts[n] / people[n]) for n in counts}


@pytest.mark.django_db
def test_an_ons_measure_is_ranked_against_its_peers_for_the_latest_12_months():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    data.import_ons([EXTRACT], imported_by="test")
    plan = _plan()
    with CaptureQueriesContext(connection) as queries:
        compute_plan(plan)
    peers = _result(plan, "MCNS-VIOLENCE-WITH-INJURY").figures["peers"]

    expected = _extract_rates("2019-12", "Violence with injury")
    ours = expected["Leicestershire"][2]
    others = [v[2] for n, v in expected.items() if n != "Leicestershire"]
    assert len(others) == 5
    assert peers["words"] == "the 12 months to December 2019"
    assert peers["rate"] == pytest.approx(ours)
    assert peers["rank"] == 1 + sum(rate < ours for rate in others)
    assert peers["group_size"] == 6
    assert peers["unweighted_mean_including"] == pytest.approx((ours + sum(others)) / 6)
    peer_counts = sum(v[0] for n, v in expected.items() if n != "Leicestershire")
    peer_people = sum(v[1] for n, v in expected.items() if n != "Leicestershire")
    assert peers["weighted_excluding"] == pytest.approx(1000 * peer_counts / peer_people)
    assert {b["slug"]: b["count"] for b in peers["bars"]} == {
        n.lower(): v[0] for n, v in expected.items()}
    assert peers["rank"] == 1 and peers["better_than_average"] is True
    # Avon and Somerset is in the plan's group but no data for it is loaded at all
    assert peers["not_loaded"] == []
    # one query for all the peers of each ONS measure, not one per peer
    peer_queries = [q["sql"] for q in queries.captured_queries
                    if "data_onsfigure" in q["sql"] and "period_end\" = '2019-12'" in q["sql"]]
    ons_measures = [m for m in plan.measures.all() if (m.source or {}).get("type") == "ons"]
    assert 1 <= len(peer_queries) <= len(ons_measures)


def test_peer_figures_use_count_over_rate_when_the_population_is_missing():
    series = ExternalSeries("ons", "quarterly", "count", {"2019-12": 100},
                            {"2019-12": {"count": 100, "rate": 2.0}})
    group = external.ExternalPeers("a", "Force A", [
        external.PeerSeries("b", "Force B", {"2019-12": {"count": 300, "rate": None,
                                                         "population": 100_000}}),
        external.PeerSeries("c", "Force C", {"2019-09": {"count": 10, "rate": None,
                                                         "population": 1000}}),
    ])
    peers = compute_external(MeasureSpec("X", "V", "count", "lower"), series, group)["peers"]

    assert [(b["name"], b["population"], b["rate"]) for b in peers["bars"]] == [
        ("Force A", 50_000, 2.0), ("Force B", 100_000, 3.0)]
    assert peers["rank"] == 1 and peers["group_size"] == 2
    assert peers["not_loaded"] == ["Force C"]
    other = ExternalSeries("survey", "as entered", "count", {"2019-12": 100},
                           {"2019-12": {"count": 100, "rate": 2.0}})
    assert compute_external(MeasureSpec("X", "V", "count", "lower"), other, group)["peers"] is None
