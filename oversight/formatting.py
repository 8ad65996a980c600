"""Numbers, dates and periods as people read them (GOV.UK style).

Used by pages, reports and the command line alike, so a figure reads the same everywhere.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

MONTH_NAMES = [
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
]


def number(value: float | int | Decimal | None, places: int = 0) -> str:
    """``12345.678`` -> ``12,345.7`` with ``places=1``; ``None`` -> an en dash."""
    if value is None:
        return "–"
    return f"{value:,.{places}f}"


def percent(value: float | None, places: int = 1) -> str:
    """``35.79`` -> ``35.8%``."""
    if value is None:
        return "–"
    return f"{value:,.{places}f}%"


def rate(value: float | None) -> str:
    """A rate per 1,000 people, to 2 decimal places."""
    return number(value, 2)


def month_words(month: str | None) -> str:
    """``2025-06`` -> ``June 2025``."""
    if not month:
        return "–"
    year, mm = month.split("-")
    return f"{MONTH_NAMES[int(mm) - 1]} {year}"


def date_words(value: dt.date | dt.datetime | None) -> str:
    """A date as ``1 April 2025``."""
    if value is None:
        return "–"
    return f"{value.day} {MONTH_NAMES[value.month - 1]} {value.year}"


FILTERS = {
    "number": number,
    "percent": percent,
    "rate": rate,
    "month_words": month_words,
    "date_words": date_words,
}
