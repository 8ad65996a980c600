"""When returns are due: the periods a template asks for, their due dates and their status.

Monthly periods are "YYYY-MM"; quarterly periods are financial-year quarters "2025/26 Q1"
(April to June). In URLs a quarter is written "2025-26-q1".
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from oversight.methods import periods

MONTH = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")
QUARTER_SLUG = re.compile(r"([0-9]{4})-([0-9]{2})-q([1-4])")


def check_period(period: str, frequency: str) -> str:
    """The period, checked for the frequency; raises ValueError saying what is wanted."""
    period = (period or "").strip()
    if frequency == "monthly":
        if not MONTH.fullmatch(period):
            raise ValueError(f'"{period}" is not a month; use YYYY-MM, for example 2025-06')
        return period
    try:
        periods.parse_quarter(period)
    except ValueError:
        raise ValueError(
            f'"{period}" is not a financial-year quarter; use the form 2025/26 Q1 '
            "(Q1 is April to June)"
        ) from None
    return period


def slug(period: str) -> str:
    return period.replace("/", "-").replace(" Q", "-q")


def from_slug(text: str) -> str | None:
    if MONTH.fullmatch(text):
        return text
    match = QUARTER_SLUG.fullmatch(text)
    return f"{match[1]}/{match[2]} Q{match[3]}" if match else None


def months(period: str) -> list[str]:
    return periods.period_months(period)


def period_end(period: str) -> dt.date:
    year, month = periods.parse_month(months(period)[-1])
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def due_date(period: str, due_days: int) -> dt.date:
    return period_end(period) + dt.timedelta(days=due_days)


def words(period: str) -> str:
    return periods.period_words(period)


def next_period(period: str, frequency: str) -> str:
    if frequency == "monthly":
        return periods.add_months(period, 1)
    return periods.next_quarter(period)


def ended_periods(first: str, frequency: str, today: dt.date, limit: int = 60) -> list[str]:
    """Every period from ``first`` that has ended by ``today`` (the newest ``limit``)."""
    found: list[str] = []
    current = first
    while period_end(current) < today:
        found.append(current)
        current = next_period(current, frequency)
    return found[-limit:]


@dataclass(frozen=True)
class PeriodStatus:
    """Where one period of a template stands."""

    period: str
    due: dt.date
    key: str  # "submitted", "late", "missing", "due"
    submission: Any = None

    @property
    def label(self) -> str:
        return {
            "submitted": "Submitted",
            "late": "Submitted late",
            "missing": "Missing (overdue)",
            "due": "Due",
        }[self.key]

    @property
    def colour(self) -> str:
        return {"submitted": "green", "late": "yellow", "missing": "red", "due": "blue"}[self.key]

    @property
    def words(self) -> str:
        return words(self.period)

    @property
    def slug(self) -> str:
        return slug(self.period)


def status(period: str, due: dt.date, accepted: Any, today: dt.date) -> PeriodStatus:
    if accepted is not None:
        late = accepted.submitted_at is not None and accepted.submitted_at.date() > due
        return PeriodStatus(period, due, "late" if late else "submitted", accepted)
    return PeriodStatus(period, due, "missing" if today > due else "due")
