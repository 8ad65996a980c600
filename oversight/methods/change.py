"""Change between two figures, and the year-to-date, rolling 12-month and quarterly comparisons.

This follows DOMAIN.md section 4.5. A change is the count change with the percentage change
beside it ("up 1,229 (35.8%)"). There is no percentage when the earlier figure is 0, and a
measure that is itself a percentage changes in percentage points. A small earlier figure
(under 20 by default) is flagged. Figures are kept unrounded; rounding happens only in the
display functions: 1 decimal place for percentages and 2 for rates.

`project_year_end` projects a financial-year total from the year to date.

The module also holds the shared words for polarity and the number formatter the other
method modules use, so every page rounds the same way.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from scipy.stats import norm

from oversight.methods import periods

Polarity = Literal["higher", "lower", "neither"]
MeasureKind = Literal["count", "rate", "percentage"]
Basis = Literal["year_to_date", "rolling_12_months", "quarter"]

SMALL_BASE = 20
"""Earlier figures below this are flagged as a small base."""

_POLARITY_WORDS: dict[str, Polarity] = {
    "higher": "higher",
    "higher_is_better": "higher",
    "increase": "higher",
    "up": "higher",
    "lower": "lower",
    "lower_is_better": "lower",
    "decrease": "lower",
    "down": "lower",
    "neither": "neither",
    "neutral": "neither",
}


def normalise_polarity(value: str) -> Polarity:
    """Return "higher", "lower" or "neither" for a polarity word, or raise ValueError.

    Accepts the common spellings: "higher_is_better", "increase" and "up" mean higher is
    better; "lower_is_better", "decrease" and "down" mean lower is better; "neutral" means
    neither.
    """
    key = str(value).strip().lower().replace(" ", "_").replace("-", "_")
    if key not in _POLARITY_WORDS:
        raise ValueError(f'polarity "{value}" is not known; use higher, lower or neither')
    return _POLARITY_WORDS[key]


def format_number(value: float, decimals: int = 0) -> str:
    """Round half away from zero to `decimals` places and add thousands separators.

    >>> format_number(1229)
    '1,229'
    >>> format_number(2.675, 2)
    '2.68'
    """
    quantum = Decimal(1).scaleb(-decimals)
    rounded = Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)
    return f"{rounded:,.{decimals}f}"


def format_count(value: float) -> str:
    """Format a count: whole numbers without decimals, anything else to 1 decimal place."""
    return format_number(value, 0 if float(value).is_integer() else 1)


@dataclass(frozen=True)
class Change:
    """The change from `previous` to `current`.

    `difference` is in the measure's own units, which are percentage points when `kind` is
    "percentage". `percent` is None when the earlier figure is 0 or the measure is a
    percentage.
    """

    current: float
    previous: float
    difference: float
    percent: float | None
    kind: MeasureKind
    small_base: bool
    small_base_threshold: float

    @property
    def direction(self) -> Literal["up", "down", "none"]:
        """Return "up", "down" or "none"."""
        if self.difference > 0:
            return "up"
        return "down" if self.difference < 0 else "none"

    def text(self) -> str:
        """Return the change for display, such as "up 1,229 (35.8%)"."""
        return format_change(self)

    def caveat(self) -> str | None:
        """Return a warning sentence when the earlier figure is a small base, else None."""
        if not self.small_base:
            return None
        return (
            f"The earlier figure is {format_count(self.previous)}, which is below "
            f"{format_count(self.small_base_threshold)}, so treat the percentage change "
            "with caution."
        )


def change(
    current: float,
    previous: float,
    *,
    kind: MeasureKind = "count",
    small_base: float = SMALL_BASE,
) -> Change:
    """Compare `current` with `previous`.

    Only counts are flagged as a small base: a rate or a percentage has its own denominator.

    >>> change(4661, 3432).text()
    'up 1,229 (35.8%)'
    """
    if kind not in ("count", "rate", "percentage"):
        raise ValueError(f'kind "{kind}" is not known; use count, rate or percentage')
    difference = current - previous
    percent = None if previous == 0 or kind == "percentage" else 100 * difference / previous
    return Change(
        current=current,
        previous=previous,
        difference=difference,
        percent=percent,
        kind=kind,
        small_base=kind == "count" and abs(previous) < small_base,
        small_base_threshold=small_base,
    )


def format_change(item: Change) -> str:
    """Return a change in words with the count beside the percentage.

    Counts show whole numbers, rates 2 decimal places, percentages 1 decimal place.
    Examples: "up 1,229 (35.8%)", "down 547 (31.5%)", "no change", "up 5 (from 0)",
    "up 0.50 (6.3%)", "down 2.5 percentage points".
    """
    if item.difference == 0:
        return "no change"
    word = "up" if item.difference > 0 else "down"
    size = abs(item.difference)
    if item.kind == "percentage":
        return f"{word} {_smallest(size, 1)} percentage points"
    amount = format_count(size) if item.kind == "count" else _smallest(size, 2)
    if item.percent is None:
        return f"{word} {amount} (from 0)"
    return f"{word} {amount} ({format_number(abs(item.percent), 1)}%)"


def _smallest(size: float, decimals: int) -> str:
    shown = format_number(size, decimals)
    if float(shown.replace(",", "")) == 0:
        return f"less than {format_number(10**-decimals, decimals)}"
    return shown


class MissingDataError(ValueError):
    """Raised when a sum needs months that have no figures. `months` lists them."""

    def __init__(self, months: Sequence[str]):
        self.months = list(months)
        super().__init__(
            f"no figures for {', '.join(self.months)}; add them or choose another period"
        )


def total_over(series: Mapping[str, float], months: Sequence[str]) -> float:
    """Add up `series` (month to figure) over `months`, refusing if any month is missing."""
    missing = [month for month in months if series.get(month) is None]
    if missing:
        raise MissingDataError(missing)
    return float(sum(series[month] for month in months))


@dataclass(frozen=True)
class PeriodComparison:
    """A period's total against the same months a year earlier."""

    basis: Basis
    current_months: tuple[str, ...]
    previous_months: tuple[str, ...]
    current: float
    previous: float
    change: Change

    @property
    def current_label(self) -> str:
        """The current period in words."""
        return self._words(self.current_months)

    @property
    def previous_label(self) -> str:
        """The comparison period in words."""
        return self._words(self.previous_months)

    def _words(self, months: tuple[str, ...]) -> str:
        if self.basis == "rolling_12_months":
            return periods.rolling_words(months[-1], len(months))
        return periods.span_words(months[0], months[-1])

    def sentence(self) -> str:
        """Return one sentence a report can print.

        For example: "April to November 2022: 4,661, up 1,229 (35.8%) on April to
        November 2021 (3,432)."
        """
        text = (
            f"{_capitalise(self.current_label)}: {format_count(self.current)}, "
            f"{self.change.text()} on {self.previous_label} ({format_count(self.previous)})."
        )
        caveat = self.change.caveat()
        return f"{text} {caveat}" if caveat else text


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def _compare(
    series: Mapping[str, float], basis: Basis, months: list[str], small_base: float
) -> PeriodComparison:
    earlier = [periods.add_months(month, -12) for month in months]
    current, previous = total_over(series, months), total_over(series, earlier)
    return PeriodComparison(
        basis=basis,
        current_months=tuple(months),
        previous_months=tuple(earlier),
        current=current,
        previous=previous,
        change=change(current, previous, small_base=small_base),
    )


def year_to_date(
    series: Mapping[str, float], month: str, *, small_base: float = SMALL_BASE
) -> PeriodComparison:
    """Compare April to `month` with the same months a year earlier (counts are added up)."""
    return _compare(series, "year_to_date", periods.year_to_date_months(month), small_base)


def rolling_12_months(
    series: Mapping[str, float], month: str, *, small_base: float = SMALL_BASE
) -> PeriodComparison:
    """Compare the 12 months to `month` with the 12 months before those."""
    return _compare(series, "rolling_12_months", periods.rolling_months(month), small_base)


def quarter_on_last_year(
    series: Mapping[str, float], quarter: str, *, small_base: float = SMALL_BASE
) -> PeriodComparison:
    """Compare a financial-year quarter ("2022/23 Q2") with the same quarter a year earlier."""
    return _compare(series, "quarter", periods.months_of_quarter(quarter), small_base)


@dataclass(frozen=True)
class YearEndProjection:
    """A year-end total projected from the year to date, with an approximate interval."""

    month: str
    months_elapsed: int
    year_to_date: float
    factor: float
    projected: float
    lower: float
    upper: float
    level: float
    method: Literal["pro_rata", "seasonal"]

    def sentence(self) -> str:
        """Return the projection in words."""
        how = "pro rata" if self.method == "pro_rata" else "using last year's seasonal pattern"
        year = periods.financial_year_label(periods.financial_year_start(self.month))
        return (
            f"Projected total for {year}: {format_count(round(self.projected))} "
            f"({100 * self.level:g}% interval {format_count(round(self.lower))} to "
            f"{format_count(round(self.upper))}), from {format_count(self.year_to_date)} in "
            f"{periods.span_words(periods.year_to_date_months(self.month)[0], self.month)}, {how}."
        )


def project_year_end(
    series: Mapping[str, float],
    month: str,
    *,
    prior_year: Mapping[str, float] | None = None,
    level: float = 0.95,
) -> YearEndProjection:
    """Project the financial-year total from April to `month`.

    Pro rata: year to date × 12 ÷ months elapsed. With `prior_year` (the previous financial
    year's monthly figures) the factor is instead last year's full-year total ÷ last year's
    total for the same months. The interval treats the remaining months as Poisson counts at
    the year-to-date rate: variance ≈ YTD × f × (f − 1) for factor f, with a normal
    approximation, and never below the count already recorded.
    """
    months = periods.year_to_date_months(month)
    ytd = total_over(series, months)
    method: Literal["pro_rata", "seasonal"] = "pro_rata" if prior_year is None else "seasonal"
    if prior_year is None:
        factor = 12 / len(months)
    else:
        earlier = [periods.add_months(m, -12) for m in months]
        whole = periods.rolling_months(periods.add_months(earlier[0], 11))
        part = total_over(prior_year, earlier)
        if part == 0:
            raise ValueError("prior_year: last year's figure for the same months is 0")
        factor = total_over(prior_year, whole) / part
    projected = ytd * factor
    spread = float(norm.ppf(0.5 + level / 2)) * math.sqrt(max(ytd * factor * (factor - 1), 0.0))
    return YearEndProjection(
        month=month,
        months_elapsed=len(months),
        year_to_date=ytd,
        factor=factor,
        projected=projected,
        lower=max(ytd, projected - spread),
        upper=projected + spread,
        level=level,
        method=method,
    )
