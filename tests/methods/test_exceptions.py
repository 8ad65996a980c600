"""The two-consecutive-quarters exception rule (DOMAIN.md 4.4)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oversight.methods import periods
from oversight.methods.exceptions import QuarterFigure, find_exceptions

WORKED = [
    QuarterFigure("2013/14 Q1", 8.2, upper=8.0),
    QuarterFigure("2013/14 Q2", 7.9, upper=8.0),
    QuarterFigure("2013/14 Q3", 8.3, upper=8.1),
    QuarterFigure("2013/14 Q4", 8.4, upper=8.1),
    QuarterFigure("2014/15 Q1", 8.2, upper=8.0),
    QuarterFigure("2014/15 Q2", 8.0, upper=8.0),
]


def test_worked_example_row_by_row():
    result = find_exceptions(WORKED, "lower", unit="per 1,000")
    table = [(row.quarter, row.out, row.run, row.state) for row in result.rows]
    assert table == [
        ("2013/14 Q1", True, 1, None),
        ("2013/14 Q2", False, 0, None),
        ("2013/14 Q3", True, 1, None),
        ("2013/14 Q4", True, 2, "raised"),
        ("2014/15 Q1", True, 3, "open"),
        ("2014/15 Q2", False, 0, "closed"),
    ]


def test_worked_example_exception_record():
    result = find_exceptions(WORKED, "lower", unit="per 1,000")
    assert len(result.exceptions) == 1
    record = result.exceptions[0]
    assert record.raised_in == "2013/14 Q4"
    assert record.quarters == ("2013/14 Q3", "2013/14 Q4", "2014/15 Q1")
    assert record.run_length == 3
    assert (record.closed_in, record.closed_because) == (
        "2014/15 Q2",
        "back inside the expected range",
    )
    assert record.raised_sentence() == (
        "above the expected range for 2 quarters running (8.3 and 8.4 per 1,000; limit 8.1)"
    )
    assert record.sentence() == (
        "above the expected range for 3 quarters running "
        "(8.3, 8.4 and 8.2 per 1,000; limits 8.1, 8.1 and 8.0)"
    )
    assert result.open_exception is None


def test_an_exception_is_open_while_the_run_continues():
    result = find_exceptions(WORKED[:4], "lower", unit="per 1,000")
    assert result.open_exception is result.exceptions[0]
    assert result.open_exception.sentence() == (
        "above the expected range for 2 quarters running (8.3 and 8.4 per 1,000; limit 8.1)"
    )


def test_favourable_side_never_counts():
    low = [QuarterFigure(q, 5.0, lower=6.0, upper=8.0) for q in ("2013/14 Q1", "2013/14 Q2")]
    result = find_exceptions(low, "lower")
    assert [row.out for row in result.rows] == [False, False]
    assert result.exceptions == ()
    high = [QuarterFigure(q, 9.0, lower=6.0, upper=8.0) for q in ("2013/14 Q1", "2013/14 Q2")]
    assert find_exceptions(high, "higher").exceptions == ()
    assert len(find_exceptions(high, "lower").exceptions) == 1


def test_higher_is_better_counts_the_lower_side():
    figures = [
        QuarterFigure("2022/23 Q1", 70.0, lower=75.0),
        QuarterFigure("2022/23 Q2", 72.0, lower=75.0),
    ]
    record = find_exceptions(figures, "higher", unit="%").exceptions[0]
    assert record.sentence() == (
        "below the expected range for 2 quarters running (70.0 and 72.0%; limit 75.0)"
    )


def test_polarity_neither_counts_either_side():
    figures = [
        QuarterFigure("2022/23 Q1", 9.0, lower=6.0, upper=8.0),
        QuarterFigure("2022/23 Q2", 5.0, lower=6.0, upper=8.0),
    ]
    result = find_exceptions(figures, "neither")
    assert [row.side for row in result.rows] == ["above", "below"]
    assert result.exceptions[0].sentence() == (
        "outside the expected range for 2 quarters running (9.0 and 5.0; limits 8.0 and 6.0)"
    )


def test_a_value_equal_to_the_bound_is_inside():
    figures = [QuarterFigure(q, 8.0, upper=8.0) for q in ("2013/14 Q1", "2013/14 Q2")]
    assert find_exceptions(figures, "lower").exceptions == ()


def test_a_missing_quarter_breaks_the_run_by_default():
    figures = [
        QuarterFigure("2013/14 Q1", 8.2, upper=8.0),
        QuarterFigure("2013/14 Q2", None, upper=8.0),
        QuarterFigure("2013/14 Q3", 8.3, upper=8.0),
    ]
    result = find_exceptions(figures, "lower")
    assert [(row.out, row.run) for row in result.rows] == [(True, 1), (None, 0), (True, 1)]
    assert result.exceptions == ()
    carried = find_exceptions(figures, "lower", missing_breaks_run=False)
    assert [(row.out, row.run) for row in carried.rows] == [(True, 1), (None, 1), (True, 2)]
    assert carried.exceptions[0].raised_in == "2013/14 Q3"


def test_a_skipped_quarter_counts_as_missing():
    figures = [
        QuarterFigure("2013/14 Q1", 8.2, upper=8.0),
        QuarterFigure("2013/14 Q3", 8.3, upper=8.0),
    ]
    result = find_exceptions(figures, "lower")
    assert [row.quarter for row in result.rows] == ["2013/14 Q1", "2013/14 Q2", "2013/14 Q3"]
    assert result.rows[1].value is None
    assert result.exceptions == ()


def test_a_missing_quarter_closes_an_open_exception():
    figures = WORKED[2:4] + [QuarterFigure("2014/15 Q1", None)]
    result = find_exceptions(figures, "lower")
    assert result.rows[-1].state == "closed"
    assert result.exceptions[0].closed_because == "no figure for this quarter"


def test_run_length_is_a_setting():
    result = find_exceptions(WORKED, "lower", run_length=3)
    assert [row.state for row in result.rows] == [None, None, None, None, "raised", "closed"]
    assert (
        result.exceptions[0]
        .raised_sentence()
        .startswith("above the expected range for 3 quarters running")
    )
    single = find_exceptions(WORKED, "lower", run_length=1)
    assert [record.raised_in for record in single.exceptions] == ["2013/14 Q1", "2013/14 Q3"]


def test_inputs_are_checked():
    with pytest.raises(ValueError, match="2013/14 Q1: upper is missing"):
        find_exceptions([QuarterFigure("2013/14 Q1", 8.0, lower=7.0)], "lower")
    with pytest.raises(ValueError, match="2013/14 Q1: lower is missing"):
        find_exceptions([QuarterFigure("2013/14 Q1", 8.0, upper=9.0)], "higher")
    with pytest.raises(ValueError, match="give the quarters in order"):
        find_exceptions(WORKED[::-1], "lower")
    with pytest.raises(ValueError, match="run_length must be at least 1"):
        find_exceptions(WORKED, "lower", run_length=0)


@given(st.lists(st.booleans(), max_size=24), st.integers(1, 4))
def test_one_exception_per_run_that_reaches_r(outs, run_length):
    quarters = ["2010/11 Q1"]
    while len(quarters) < len(outs):
        quarters.append(periods.next_quarter(quarters[-1]))
    figures = [
        QuarterFigure(q, 9.0 if out else 7.0, upper=8.0)
        for q, out in zip(quarters, outs, strict=False)
    ]
    result = find_exceptions(figures, "lower", run_length=run_length)
    runs, length = [], 0
    for out in [*outs, False]:
        if out:
            length += 1
        elif length:
            runs.append(length)
            length = 0
    assert len(result.exceptions) == sum(1 for run in runs if run >= run_length)
    assert sum(row.state == "raised" for row in result.rows) == len(result.exceptions)
    for row in result.rows:
        assert row.run == 0 or row.out
