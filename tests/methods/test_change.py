"""Change, year to date, rolling 12 months and quarters (DOMAIN.md 4.5), and projections."""

from __future__ import annotations

import csv
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oversight.methods import periods
from oversight.methods.change import (
    MissingDataError,
    change,
    format_change,
    format_number,
    normalise_polarity,
    project_year_end,
    quarter_on_last_year,
    rolling_12_months,
    total_over,
    year_to_date,
)

# Leicestershire "Vehicle crime" rows per month, data.police.uk, from
# data/police-uk/derived/street_counts_by_force_month_type.csv (checked below).
VEHICLE_CRIME = dict(
    zip(
        periods.month_range("2020-12", "2022-11"),
        [445, 466, 340, 458, 373, 367, 422, 377, 417, 356, 484, 636]
        + [537, 573, 536, 649, 610, 575, 555, 595, 523, 542, 656, 605],
        strict=True,
    )
)


def test_worked_example_year_to_date():
    result = year_to_date(VEHICLE_CRIME, "2022-11")
    assert (result.current, result.previous) == (4661, 3432)
    assert result.change.difference == 1229
    assert result.change.text() == "up 1,229 (35.8%)"
    assert result.current_label == "April to November 2022"
    assert result.sentence() == (
        "April to November 2022: 4,661, up 1,229 (35.8%) on April to November 2021 (3,432)."
    )


def test_worked_example_rolling_12_months():
    result = rolling_12_months(VEHICLE_CRIME, "2022-11")
    assert (result.current, result.previous) == (6956, 5141)
    assert result.change.text() == "up 1,815 (35.3%)"
    assert result.sentence() == (
        "The 12 months to November 2022: 6,956, up 1,815 (35.3%) on the 12 months to "
        "November 2021 (5,141)."
    )


def test_worked_example_quarter_on_same_quarter_last_year():
    result = quarter_on_last_year(VEHICLE_CRIME, "2022/23 Q2")
    assert (result.current, result.previous) == (1660, 1150)
    assert result.change.text() == "up 510 (44.3%)"
    assert result.current_label == "July to September 2022"


def test_vehicle_crime_figures_match_the_shared_data(shared_data):
    path = shared_data / "police-uk" / "derived" / "street_counts_by_force_month_type.csv"
    if not path.exists():
        pytest.skip(f"{path} is not present")
    with path.open(newline="", encoding="utf-8") as handle:
        found = {
            row["month"]: int(row["n"])
            for row in csv.DictReader(handle)
            if row["force"] == "leicestershire" and row["crime_type"] == "Vehicle crime"
        }
    assert {month: found[month] for month in VEHICLE_CRIME} == VEHICLE_CRIME


@pytest.mark.parametrize(
    ("current", "previous", "kind", "text"),
    [
        (1190, 1737, "count", "down 547 (31.5%)"),
        (1190, 874, "count", "up 316 (36.2%)"),
        (1190, 1883, "count", "down 693 (36.8%)"),
        (950, 1000, "count", "down 50 (5.0%)"),
        (950, 870, "count", "up 80 (9.2%)"),
        (12, 12, "count", "no change"),
        (5, 0, "count", "up 5 (from 0)"),
        (8.5, 8.0, "rate", "up 0.50 (6.3%)"),
        (8.001, 8.0, "rate", "up less than 0.01 (0.0%)"),
        (72.5, 75.0, "percentage", "down 2.5 percentage points"),
        (12500.5, 10000, "count", "up 2,500.5 (25.0%)"),
    ],
)
def test_format_change(current, previous, kind, text):
    assert format_change(change(current, previous, kind=kind)) == text


def test_previous_zero_gives_no_percentage():
    result = change(7, 0)
    assert result.percent is None
    assert result.difference == 7


def test_percentage_measures_change_in_points_only():
    result = change(85.5, 75.3, kind="percentage")
    assert result.percent is None
    assert result.difference == pytest.approx(10.2)
    assert result.text() == "up 10.2 percentage points"


def test_small_bases_are_flagged_with_a_caveat():
    small = change(25, 12)
    assert small.small_base
    assert small.caveat() == (
        "The earlier figure is 12, which is below 20, so treat the percentage change with caution."
    )
    assert not change(25, 20).small_base
    assert change(25, 30, small_base=50).small_base
    assert not change(8.5, 8.0, kind="rate").small_base


def test_a_small_base_is_mentioned_in_the_period_sentence():
    series = {month: 1 for month in periods.month_range("2021-04", "2022-06")}
    assert "treat the percentage change with caution" in year_to_date(series, "2022-06").sentence()


def test_values_are_kept_unrounded():
    result = change(4661, 3432)
    assert result.percent == pytest.approx(100 * 1229 / 3432, abs=1e-12)


def test_missing_months_are_named():
    series = {"2022-04": 10, "2022-06": 12}
    with pytest.raises(MissingDataError, match="no figures for 2022-05, 2021-04") as caught:
        total_over(series, ["2022-04", "2022-05", "2021-04"])
    assert caught.value.months == ["2022-05", "2021-04"]
    with pytest.raises(MissingDataError):
        year_to_date(VEHICLE_CRIME, "2021-05")


@pytest.mark.parametrize(
    ("value", "decimals", "text"),
    [
        (1229, 0, "1,229"),
        (2.675, 2, "2.68"),
        (0.125, 2, "0.13"),
        (-0.04, 1, "0.0"),
        (35.75, 1, "35.8"),
    ],
)
def test_format_number_rounds_half_away_from_zero(value, decimals, text):
    assert format_number(value, decimals) == text


def test_polarity_words():
    assert normalise_polarity("Lower is better") == "lower"
    assert normalise_polarity("higher_is_better") == "higher"
    assert normalise_polarity("neutral") == "neither"
    with pytest.raises(ValueError, match='polarity "sideways" is not known'):
        normalise_polarity("sideways")


def test_year_end_projection_pro_rata():
    """Hand calculation: 4,661 × 12 ÷ 8 = 6,991.5; variance 4,661 × 1.5 × 0.5 = 3,495.75."""
    result = project_year_end(VEHICLE_CRIME, "2022-11")
    assert result.method == "pro_rata"
    assert result.months_elapsed == 8
    assert result.projected == pytest.approx(6991.5)
    half_width = 1.959964 * math.sqrt(3495.75)
    assert result.lower == pytest.approx(6991.5 - half_width, abs=0.01)
    assert result.upper == pytest.approx(6991.5 + half_width, abs=0.01)
    assert result.sentence() == (
        "Projected total for 2022/23: 6,992 (95% interval 6,876 to 7,107), from 4,661 in "
        "April to November 2022, pro rata."
    )


def test_year_end_projection_with_last_years_seasonal_pattern():
    """Hand calculation: 2021/22 total 5,727 over April–November 2021's 3,432 = 1.668706."""
    result = project_year_end(VEHICLE_CRIME, "2022-11", prior_year=VEHICLE_CRIME)
    assert result.method == "seasonal"
    assert result.factor == pytest.approx(5727 / 3432)
    assert result.projected == pytest.approx(4661 * 5727 / 3432)
    assert result.projected == pytest.approx(7777.84, abs=0.01)
    assert result.upper - result.projected == pytest.approx(141.35, abs=0.01)


def test_projection_at_year_end_is_the_total_itself():
    series = {month: 100 for month in periods.month_range("2021-04", "2022-03")}
    result = project_year_end(series, "2022-03")
    assert result.projected == result.lower == result.upper == 1200


def test_projection_needs_every_prior_year_month():
    with pytest.raises(MissingDataError, match="2020-04"):
        project_year_end(VEHICLE_CRIME, "2021-05", prior_year=VEHICLE_CRIME)


counts = st.integers(0, 10**6)


@given(counts, counts)
def test_change_words_follow_the_sign(current, previous):
    result = change(current, previous)
    text = result.text()
    if current > previous:
        assert text.startswith("up ")
    elif current < previous:
        assert text.startswith("down ")
    else:
        assert text == "no change"
    if previous:
        assert result.percent is not None
        assert result.percent * previous / 100 == pytest.approx(result.difference)
        assert text.endswith("%)") or text == "no change"


@given(st.integers(1, 12), st.integers(0, 5000))
def test_projection_interval_brackets_the_projection(elapsed, monthly):
    month = periods.add_months("2022-03", elapsed)
    series = {m: monthly for m in periods.month_range("2022-04", month)}
    result = project_year_end(series, month)
    assert result.year_to_date <= result.lower <= result.projected <= result.upper
    assert result.projected == pytest.approx(12 * monthly)
