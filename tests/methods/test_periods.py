"""Months, financial-year quarters and period words (DOMAIN.md 4.0), and the no-Django rule."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oversight.methods import periods

months = st.builds(
    lambda year, month: f"{year:04d}-{month:02d}",
    st.integers(1990, 2100),
    st.integers(1, 12),
)


def test_month_range_includes_both_ends_and_crosses_years():
    assert periods.month_range("2025-04", "2025-06") == ["2025-04", "2025-05", "2025-06"]
    assert periods.month_range("2021-12", "2022-02") == ["2021-12", "2022-01", "2022-02"]
    assert periods.month_range("2025-06", "2025-06") == ["2025-06"]


def test_month_range_refuses_end_before_start():
    with pytest.raises(ValueError, match="end month 2025-03 is before start month 2025-04"):
        periods.month_range("2025-04", "2025-03")


@pytest.mark.parametrize("bad", ["2020-13", "2020-00", "2020-1", "20-01", "June 2020", ""])
def test_bad_months_say_how_to_write_one(bad):
    with pytest.raises(ValueError, match="is not a month; use YYYY-MM"):
        periods.parse_month(bad)


@pytest.mark.parametrize(
    ("month", "quarter"),
    [
        ("2025-04", "2025/26 Q1"),
        ("2025-06", "2025/26 Q1"),
        ("2025-07", "2025/26 Q2"),
        ("2025-09", "2025/26 Q2"),
        ("2025-10", "2025/26 Q3"),
        ("2025-12", "2025/26 Q3"),
        ("2026-01", "2025/26 Q4"),
        ("2026-03", "2025/26 Q4"),
        ("2013-07", "2013/14 Q2"),
        ("2000-02", "1999/00 Q4"),
    ],
)
def test_quarter_of_follows_the_financial_year(month, quarter):
    assert periods.quarter_of(month) == quarter


def test_months_of_quarter():
    assert periods.months_of_quarter("2025/26 Q1") == ["2025-04", "2025-05", "2025-06"]
    assert periods.months_of_quarter("2025/26 Q4") == ["2026-01", "2026-02", "2026-03"]
    assert periods.months_of_quarter("Q2 2022/23") == ["2022-07", "2022-08", "2022-09"]


def test_previous_and_next_quarter_cross_financial_years():
    assert periods.previous_quarter("2025/26 Q1") == "2024/25 Q4"
    assert periods.previous_quarter("2025/26 Q3") == "2025/26 Q2"
    assert periods.next_quarter("2024/25 Q4") == "2025/26 Q1"
    assert periods.next_quarter("Q1 2013/14") == "2013/14 Q2"


@pytest.mark.parametrize("bad", ["2025/27 Q1", "2025/26 Q5", "2025 Q1", "Q1"])
def test_bad_quarters_are_refused(bad):
    with pytest.raises(ValueError):
        periods.parse_quarter(bad)


@pytest.mark.parametrize(
    ("period", "last_year"),
    [
        ("2022-11", "2021-11"),
        ("2022/23 Q2", "2021/22 Q2"),
        ("2022/23", "2021/22"),
        ("2022", "2021"),
        ("2021-12 to 2022-02", "2020-12 to 2021-02"),
    ],
)
def test_same_period_last_year(period, last_year):
    assert periods.same_period_last_year(period) == last_year


def test_period_months_for_each_kind_of_label():
    assert periods.period_months("2019/20")[0] == "2019-04"
    assert periods.period_months("2019/20")[-1] == "2020-03"
    assert len(periods.period_months("2020")) == 12
    assert periods.period_months("2019-12 to 2020-02") == ["2019-12", "2020-01", "2020-02"]
    with pytest.raises(ValueError, match="is not a period"):
        periods.period_months("spring 2020")


def test_year_to_date_and_rolling_months():
    assert periods.year_to_date_months("2022-11") == periods.month_range("2022-04", "2022-11")
    assert periods.year_to_date_months("2023-02")[0] == "2022-04"
    assert periods.year_to_date_months("2022-04") == ["2022-04"]
    assert periods.rolling_months("2022-11") == periods.month_range("2021-12", "2022-11")


def test_words_follow_govuk_style():
    assert periods.month_words("2025-06") == "June 2025"
    assert periods.period_words("2025/26 Q1") == "April to June 2025"
    assert periods.period_words("2025/26 Q3") == "October to December 2025"
    assert periods.period_words("2024/25 Q4") == "January to March 2025"
    assert periods.period_words("2021-12 to 2022-02") == "December 2021 to February 2022"
    assert periods.period_words("2025/26") == "April 2025 to March 2026"
    assert periods.period_words("2025") == "2025"
    assert periods.rolling_words("2025-06") == "the 12 months to June 2025"
    assert periods.span_words("2022-04", "2022-11") == "April to November 2022"


def test_missing_months_inside_a_sequence():
    present = ["2019-01", "2019-02", "2019-12", "2019-02"]
    assert periods.missing_months(present) == periods.month_range("2019-03", "2019-11")
    assert periods.missing_months(["2020-02"], "2020-01", "2020-03") == ["2020-01", "2020-03"]
    assert periods.missing_months([]) == []


def test_missing_months_match_the_data_readme_gaps():
    """The street data has 2018-10..2019-02, 2019-12..2022-11, 2024-01..04 and 2025-01..06."""
    present = (
        periods.month_range("2018-10", "2019-02")
        + periods.month_range("2019-12", "2022-11")
        + periods.month_range("2024-01", "2024-04")
        + periods.month_range("2025-01", "2025-06")
    )
    assert len(present) == 51
    expected = (
        periods.month_range("2019-03", "2019-11")
        + periods.month_range("2022-12", "2023-12")
        + periods.month_range("2024-05", "2024-12")
    )
    assert periods.missing_months(present) == expected


@given(months)
def test_every_month_is_in_its_own_quarter(month):
    quarter = periods.quarter_of(month)
    assert month in periods.months_of_quarter(quarter)
    assert periods.previous_quarter(periods.next_quarter(quarter)) == quarter


@given(months, st.integers(-600, 600))
def test_add_months_is_undone_by_subtracting(month, count):
    later = periods.add_months(month, count)
    assert periods.add_months(later, -count) == month
    if count >= 0:
        assert len(periods.month_range(month, later)) == count + 1


@given(months)
def test_year_to_date_starts_in_april_and_never_spans_more_than_12_months(month):
    ytd = periods.year_to_date_months(month)
    assert ytd[0].endswith("-04") and ytd[-1] == month
    assert 1 <= len(ytd) <= 12
    assert {periods.financial_year_start(m) for m in ytd} == {periods.financial_year_start(month)}


METHOD_MODULES = ["periods", "change", "msg", "baselines", "exceptions", "grades"]


def test_method_modules_do_not_import_django():
    """Methods stay plain Python: importing them must not pull Django into sys.modules."""
    code = (
        "import sys\n"
        + "".join(f"import oversight.methods.{name}\n" for name in METHOD_MODULES)
        + "print(sorted(m for m in sys.modules if m == 'django' or m.startswith('django.')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert result.stdout.strip() == "[]"
