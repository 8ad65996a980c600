"""The two-consecutive-quarters exception rule: when a measure needs a full exception report.

This follows DOMAIN.md section 4.4 (from the 2013 plan refresh, para 32). A quarter is "out"
when its value is beyond the expected range on the adverse side: above the upper bound if
lower is better, below the lower bound if higher is better, either side if the polarity is
neither. A value equal to a bound is inside. An exception is raised once, in the quarter
where a run of out quarters first reaches `run_length` (2 by default); it stays open while
the run continues and closes at the first quarter back inside. By default a quarter with
no figure breaks the run (and closes an open exception); the quarters must otherwise be
consecutive, and any skipped quarter counts as having no figure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from oversight.methods import periods
from oversight.methods.change import Polarity, format_number, normalise_polarity

Side = Literal["above", "below"]
State = Literal["raised", "open", "closed"]


@dataclass(frozen=True)
class QuarterFigure:
    """One quarter's value (None if there is no figure) and its expected range."""

    quarter: str
    value: float | None
    lower: float | None = None
    upper: float | None = None


@dataclass(frozen=True)
class QuarterRow:
    """The rule's working for one quarter, as in the worked example's table.

    `out` is None when the quarter has no figure. `state` is "raised", "open", "closed" or
    None (no exception involved).
    """

    quarter: str
    value: float | None
    lower: float | None
    upper: float | None
    out: bool | None
    side: Side | None
    run: int
    state: State | None


@dataclass(frozen=True)
class ExceptionRecord:
    """One exception: the quarter it was raised in, the run's figures, and when it closed."""

    raised_in: str
    raised_after: int
    quarters: tuple[str, ...]
    values: tuple[float, ...]
    limits: tuple[float, ...]
    sides: tuple[Side, ...]
    closed_in: str | None = None
    closed_because: str | None = None
    unit: str = ""
    decimals: int = 1

    @property
    def run_length(self) -> int:
        """How many quarters running the measure has been out (so far, if still open)."""
        return len(self.quarters)

    @property
    def is_open(self) -> bool:
        """True while the run continues."""
        return self.closed_in is None

    def sentence(self, quarters: int | None = None) -> str:
        """Describe the run so far (or its first `quarters` quarters), for example
        "above the expected range for 2 quarters running (8.3 and 8.4 per 1,000; limit 8.1)".
        """
        count = self.run_length if quarters is None else min(quarters, self.run_length)
        sides = set(self.sides[:count])
        side = self.sides[0] if len(sides) == 1 else "outside"
        values = _join([format_number(value, self.decimals) for value in self.values[:count]])
        limits = [format_number(limit, self.decimals) for limit in self.limits[:count]]
        unit = self.unit if self.unit in ("", "%") else f" {self.unit}"
        limit_words = f"limit {limits[0]}" if len(set(limits)) == 1 else f"limits {_join(limits)}"
        return (
            f"{side} the expected range for {count} quarters running "
            f"({values}{unit}; {limit_words})"
        )

    def raised_sentence(self) -> str:
        """Describe the run as it stood when the exception was raised."""
        return self.sentence(self.raised_after)


@dataclass(frozen=True)
class ExceptionResult:
    """Every quarter's row and every exception raised, oldest first."""

    rows: tuple[QuarterRow, ...]
    exceptions: tuple[ExceptionRecord, ...]

    @property
    def open_exception(self) -> ExceptionRecord | None:
        """The exception still open at the latest quarter, if any."""
        latest = self.exceptions[-1] if self.exceptions else None
        return latest if latest is not None and latest.is_open else None


def _join(items: Sequence[str]) -> str:
    if len(items) < 2:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def _fill_gaps(figures: Sequence[QuarterFigure]) -> list[QuarterFigure]:
    """Return the figures in order with a no-figure entry for every skipped quarter."""
    filled: list[QuarterFigure] = []
    for figure in figures:
        key = periods.parse_quarter(figure.quarter)
        if filled:
            previous = periods.parse_quarter(filled[-1].quarter)
            if key <= previous:
                raise ValueError(
                    f"quarter {figure.quarter} comes after {filled[-1].quarter}; "
                    "give the quarters in order, each once"
                )
            expected = periods.next_quarter(filled[-1].quarter)
            while periods.parse_quarter(expected) < key:
                filled.append(QuarterFigure(expected, None))
                expected = periods.next_quarter(expected)
        filled.append(figure)
    return filled


def _outside(figure: QuarterFigure, polarity: Polarity) -> tuple[Side | None, float | None]:
    """Return the adverse side the value is beyond and that bound, or (None, None)."""
    value, lower, upper = figure.value, figure.lower, figure.upper
    assert value is not None
    if polarity == "lower" and upper is None:
        raise ValueError(f"{figure.quarter}: upper is missing; lower is better, so it is needed")
    if polarity == "higher" and lower is None:
        raise ValueError(f"{figure.quarter}: lower is missing; higher is better, so it is needed")
    if lower is None and upper is None:
        raise ValueError(f"{figure.quarter}: give lower, upper or both")
    if polarity != "higher" and upper is not None and value > upper:
        return "above", upper
    if polarity != "lower" and lower is not None and value < lower:
        return "below", lower
    return None, None


@dataclass
class _Run:
    quarters: list[str] = field(default_factory=list)
    values: list[float] = field(default_factory=list)
    limits: list[float] = field(default_factory=list)
    sides: list[Side] = field(default_factory=list)


def find_exceptions(
    figures: Sequence[QuarterFigure],
    polarity: Polarity | str,
    *,
    run_length: int = 2,
    missing_breaks_run: bool = True,
    unit: str = "",
    decimals: int = 1,
) -> ExceptionResult:
    """Apply the consecutive-quarters rule to `figures`, given oldest first.

    `run_length` is r, the number of consecutive out quarters that raises an exception.
    With `missing_breaks_run=False` a quarter with no figure is passed over: the run and
    any open exception carry on to the next quarter with a figure. `unit` and `decimals`
    shape the sentence.
    """
    if run_length < 1:
        raise ValueError(f"run_length must be at least 1, not {run_length}")
    direction = normalise_polarity(polarity)
    rows: list[QuarterRow] = []
    records: list[ExceptionRecord] = []
    run = _Run()
    is_open = False

    def close(quarter: str, because: str) -> None:
        records[-1] = replace(records[-1], closed_in=quarter, closed_because=because)

    for figure in _fill_gaps(figures):
        state: State | None = None
        if figure.value is None:
            if missing_breaks_run:
                if is_open:
                    close(figure.quarter, "no figure for this quarter")
                    state, is_open = "closed", False
                run = _Run()
            elif is_open:
                state = "open"
            rows.append(_row(figure, None, None, len(run.quarters), state))
            continue
        side, limit = _outside(figure, direction)
        if side is None or limit is None:
            if is_open:
                close(figure.quarter, "back inside the expected range")
                state, is_open = "closed", False
            run = _Run()
        else:
            run.quarters.append(figure.quarter)
            run.values.append(figure.value)
            run.limits.append(limit)
            run.sides.append(side)
            if is_open:
                state = "open"
                records[-1] = _with_run(records[-1], run)
            elif len(run.quarters) == run_length:
                state, is_open = "raised", True
                new = ExceptionRecord(
                    figure.quarter, run_length, (), (), (), (), unit=unit, decimals=decimals
                )
                records.append(_with_run(new, run))
        rows.append(_row(figure, side is not None, side, len(run.quarters), state))
    return ExceptionResult(tuple(rows), tuple(records))


def _with_run(record: ExceptionRecord, run: _Run) -> ExceptionRecord:
    """Return `record` carrying the run's figures so far."""
    return replace(
        record,
        quarters=tuple(run.quarters),
        values=tuple(run.values),
        limits=tuple(run.limits),
        sides=tuple(run.sides),
    )


def _row(
    figure: QuarterFigure, out: bool | None, side: Side | None, run: int, state: State | None
) -> QuarterRow:
    return QuarterRow(
        figure.quarter, figure.value, figure.lower, figure.upper, out, side, run, state
    )
