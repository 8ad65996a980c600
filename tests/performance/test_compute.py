"""The figures computed for one measure, checked against hand calculations and DOMAIN.md 4.5."""

from __future__ import annotations

import csv
from collections import defaultdict

import pytest

from oversight.methods import periods
from oversight.performance.compute import (
    ForceInputs,
    Inputs,
    MeasureSpec,
    compute_measure,
    latest_complete_quarter,
    population_for,
)

POPS = {2018: (1_093_200, "ONS PFA tables, mid-2018"), 2019: (1_100_306, "ONS mid-2019")}


def _force(monthly: dict[str, int], slug: str = "leicestershire", name: str = "Leicestershire",
           pops: dict | None = None) -> ForceInputs:
    return ForceInputs(slug, name, monthly, POPS if pops is None else pops)


def _spec(**changes) -> MeasureSpec:
    base = dict(code="VC", name="Vehicle crime", unit="count", polarity="lower")
    return MeasureSpec(**(base | changes))


def _vehicle_crime(shared_data) -> dict[str, int]:
    path = shared_data / "police-uk" / "derived" / "street_counts_by_force_month_type.csv"
    monthly: dict[str, int] = defaultdict(int)
    with path.open(newline="") as handle:
        for row in csv.DictReader(handle):
            if row["force"] == "leicestershire" and row["crime_type"] == "Vehicle crime":
                monthly[row["month"]] += int(row["n"])
    return dict(monthly)


def test_latest_complete_quarter_needs_all_three_months():
    monthly = {"2025-04": 1, "2025-05": 1, "2025-06": 1, "2025-07": 1, "2025-08": 1}
    assert latest_complete_quarter(monthly) == "2025/26 Q1"
    assert latest_complete_quarter({"2025-05": 1, "2025-06": 1}) is None


def test_population_falls_back_to_latest_earlier_estimate():
    force = _force({})
    assert population_for(force, 2025) == (1_100_306, 2019, "ONS mid-2019")
    assert population_for(force, 2018) == (1_093_200, 2018, "ONS PFA tables, mid-2018")
    assert population_for(force, 2017) is None


def test_quarter_count_rate_and_change_by_hand():
    monthly = {m: 100 for m in periods.month_range("2024-04", "2025-06")}
    monthly.update({"2025-04": 120, "2025-05": 130, "2025-06": 150})  # 400 against 300
    figures = compute_measure(_spec(), Inputs(_force(monthly)))
    quarter = figures["quarter"]
    assert quarter["label"] == "2025/26 Q1"
    assert quarter["words"] == "April to June 2025"
    assert quarter["count"] == 400
    assert quarter["previous"] == 300
    assert quarter["change"]["count"] == 100
    assert quarter["change"]["percent"] == pytest.approx(33.3333, abs=1e-3)
    assert quarter["change"]["text"] == "up 100 (33.3%)"
    assert quarter["rate"] == pytest.approx(1000 * 400 / 1_100_306, abs=1e-4)
    assert quarter["population_year"] == 2019
    assert figures["rolling12"]["count"] == 100 * 9 + 400
    assert figures["rolling12"]["previous"] is None  # the 12 months before are not loaded


def test_missing_month_is_missing_not_zero():
    monthly = {"2025-04": 10, "2025-06": 12}
    figures = compute_measure(_spec(), Inputs(_force(monthly)))
    assert "quarter" not in figures
    assert [p["count"] for p in figures["series"]] == [10, None, 12]


def test_vehicle_crime_q2_2022_against_domain_example(shared_data):
    """DOMAIN.md 4.5: Q2 2022/23 is 1,660 against 1,150, up 510 (44.3%)."""
    monthly = {m: n for m, n in _vehicle_crime(shared_data).items() if m <= "2022-09"}
    figures = compute_measure(_spec(), Inputs(_force(monthly)))
    quarter = figures["quarter"]
    assert (quarter["label"], quarter["count"], quarter["previous"]) == ("2022/23 Q2", 1660, 1150)
    assert quarter["change"]["text"] == "up 510 (44.3%)"


def test_vehicle_crime_rolling_12_months_against_domain_example(shared_data):
    """DOMAIN.md 4.5: the 12 months to November 2022 are 6,956 against 5,141."""
    monthly = {m: n for m, n in _vehicle_crime(shared_data).items() if m <= "2022-11"}
    figures = compute_measure(_spec(), Inputs(_force(monthly)))
    assert figures["rolling12"]["count"] == 6956
    assert figures["rolling12"]["previous"] == 5141
    assert figures["rolling12"]["change"]["text"] == "up 1,815 (35.3%)"


def test_spc_ghosts_missing_months_and_keeps_real_ones():
    monthly = {m: 100 + (i % 3) for i, m in enumerate(periods.month_range("2023-01", "2024-06"))}
    del monthly["2023-07"]
    figures = compute_measure(_spec(), Inputs(_force(monthly)))
    spc = figures["spc"]
    assert spc["available"] is True
    assert spc["missing_months"] == ["2023-07"]
    assert [p["period"] for p in spc["points"]].count("2023-07") == 0
    assert len(spc["points"]) == 17


def _peer_inputs() -> Inputs:
    """DOMAIN.md 4.2 synthetic example, as one quarter of three equal months."""
    def force(slug: str, total: int, population: int) -> ForceInputs:
        months = {m: total // 3 for m in periods.months_of_quarter("2025/26 Q1")}
        return ForceInputs(slug, slug.upper(), months, {2025: (population, "test")})

    return Inputs(force("f", 9000, 1_000_000), [force("a", 6000, 750_000),
                                                 force("b", 12000, 2_000_000),
                                                 force("c", 5490, 500_000)])


def test_peer_comparison_and_msg_target():
    spec = _spec(unit="rate_per_1000", target={"type": "msg_average_achieve"})
    figures = compute_measure(spec, _peer_inputs())
    peers = figures["peers"]
    assert peers["rank"] == 3 and peers["group_size"] == 4
    expected_mean = (9.0 + 8.0 + 6.0 + 10.98) / 4
    assert peers["unweighted_mean_including"] == pytest.approx(expected_mean)
    assert [b["slug"] for b in peers["bars"]] == ["b", "a", "f", "c"]  # lowest rate first
    assert figures["status"] == "not-met"  # 9.00 is worse than the average 8.495
    assert "9.00 per 1,000" in figures["status_reason"]


@pytest.mark.parametrize(
    ("target", "current", "status"),
    [({"type": "numeric", "value": 450}, 400, "met"),
     ({"type": "numeric", "value": 350}, 400, "not-met"),
     ({"type": "reduce_by_percent", "value": 5}, 280, "met"),
     ({"type": "reduce_by_percent", "value": 5}, 290, "not-met"),
     ({"type": "not_stated"}, 400, "not-assessable")],
)
def test_status_rules(target, current, status):
    monthly = {m: 100 for m in periods.month_range("2024-04", "2025-06")}
    monthly.update({"2025-04": current - 200, "2025-05": 100, "2025-06": 100})
    figures = compute_measure(_spec(target=target), Inputs(_force(monthly)))
    assert figures["status"] == status, figures["status_reason"]


def test_baseline_leaves_out_declared_lockdown_months_and_says_so():
    monthly = {m: 100 for m in periods.month_range("2019-12", "2022-11")}
    monthly.update({"2020-04": 10, "2020-05": 10, "2020-06": 10})
    monthly.update({m: 90 for m in periods.month_range("2025-04", "2025-06")})
    baseline = {"rule": "fixed_period", "period": "2019-12 to 2022-11",
                "excluded": [{"period": "2020-04 to 2020-06", "reason": "First lockdown"}]}
    figures = compute_measure(_spec(baseline=baseline), Inputs(_force(monthly)))
    result = figures["baseline"]
    assert result["value"] == 100.0  # 33 months of 100; the three lockdown months left out
    assert result["months_used"] == 33
    assert result["months_excluded"] == ["2020-04", "2020-05", "2020-06"]
    assert "leaving out April to June 2020 (First lockdown)" in result["sentence"]
    assert result["percent"] == pytest.approx(-10.0)


def test_baseline_with_missing_months_is_not_computed_and_names_them():
    monthly = {m: 100 for m in periods.month_range("2025-01", "2025-06")}
    baseline = {"rule": "fixed_period", "period": "2024-10 to 2025-03"}
    result = compute_measure(_spec(baseline=baseline), Inputs(_force(monthly)))["baseline"]
    assert result["available"] is False
    assert "3 of its months are not loaded (October to December 2024)" in result["sentence"]
