"""Months, financial-year quarters and other reporting periods, and how to say them in words.

Months are "YYYY-MM" strings. Quarters follow the financial year (Q1 is April to June, Q4 is
January to March) and are labelled like "2025/26 Q1". Other period labels understood here:
a calendar year "2025", a financial year "2025/26" and a range of months
"2021-12 to 2022-02". Every function takes and returns plain strings, so results can be
stored, compared and printed without conversion.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_YEAR = re.compile(r"^(\d{4})$")
_FINANCIAL_YEAR = re.compile(r"^(\d{4})/(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})/(\d{2}) Q([1-4])$")
_QUARTER_FIRST = re.compile(r"^Q([1-4]) (\d{4})/(\d{2})$")
_RANGE = re.compile(r"^(\d{4}-\d{2}) to (\d{4}-\d{2})$")


def parse_month(month: str) -> tuple[int, int]:
    """Return (year, month number) for a "YYYY-MM" string, or raise ValueError saying why."""
    match = _MONTH.match(month.strip()) if isinstance(month, str) else None
    if match is None or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(f'"{month}" is not a month; use YYYY-MM, for example 2025-06')
    return int(match.group(1)), int(match.group(2))


def format_month(year: int, month: int) -> str:
    """Return the "YYYY-MM" string for a year and month number."""
    return f"{year:04d}-{month:02d}"


def add_months(month: str, count: int) -> str:
    """Return the month `count` months after `month` (before it if `count` is negative)."""
    year, number = parse_month(month)
    index = year * 12 + (number - 1) + count
    return format_month(index // 12, index % 12 + 1)


def month_range(start: str, end: str) -> list[str]:
    """Return every month from `start` to `end`, both included.

    >>> month_range("2025-04", "2025-06")
    ['2025-04', '2025-05', '2025-06']
    """
    first, last = parse_month(start), parse_month(end)
    if last < first:
        raise ValueError(f"end month {end} is before start month {start}")
    count = (last[0] - first[0]) * 12 + (last[1] - first[1])
    return [add_months(start, step) for step in range(count + 1)]


def financial_year_start(month: str) -> int:
    """Return the calendar year in which the financial year containing `month` began."""
    year, number = parse_month(month)
    return year if number >= 4 else year - 1


def financial_year_label(start_year: int) -> str:
    """Return the label of the financial year starting in April of `start_year`, like "2025/26"."""
    return f"{start_year}/{(start_year + 1) % 100:02d}"


def _check_financial_year(start: str, suffix: str, label: str) -> int:
    year = int(start)
    if int(suffix) != (year + 1) % 100:
        raise ValueError(
            f'"{label}" is not a financial year; the two years must follow on, as in 2025/26'
        )
    return year


def quarter_label(start_year: int, quarter: int) -> str:
    """Return the label for quarter `quarter` of the financial year starting in `start_year`."""
    if not 1 <= quarter <= 4:
        raise ValueError(f"quarter must be 1 to 4, not {quarter}")
    return f"{financial_year_label(start_year)} Q{quarter}"


def parse_quarter(label: str) -> tuple[int, int]:
    """Return (financial year start, quarter number) for "2025/26 Q1" (or "Q1 2025/26")."""
    text = label.strip() if isinstance(label, str) else ""
    match = _QUARTER.match(text)
    if match:
        start, suffix, quarter = match.groups()
    else:
        first = _QUARTER_FIRST.match(text)
        if first is None:
            raise ValueError(f'"{label}" is not a quarter; use YYYY/YY Qn, for example 2025/26 Q1')
        quarter, start, suffix = first.groups()
    return _check_financial_year(start, suffix, label), int(quarter)


def quarter_of(month: str) -> str:
    """Return the financial-year quarter containing `month`, like "2025/26 Q1"."""
    _, number = parse_month(month)
    return quarter_label(financial_year_start(month), (number - 4) % 12 // 3 + 1)


def months_of_quarter(label: str) -> list[str]:
    """Return the three months of a financial-year quarter."""
    start_year, quarter = parse_quarter(label)
    first = add_months(format_month(start_year, 4), 3 * (quarter - 1))
    return month_range(first, add_months(first, 2))


def previous_quarter(label: str) -> str:
    """Return the quarter before `label`."""
    start_year, quarter = parse_quarter(label)
    return (
        quarter_label(start_year, quarter - 1) if quarter > 1 else quarter_label(start_year - 1, 4)
    )


def next_quarter(label: str) -> str:
    """Return the quarter after `label`."""
    start_year, quarter = parse_quarter(label)
    return (
        quarter_label(start_year, quarter + 1) if quarter < 4 else quarter_label(start_year + 1, 1)
    )


def period_months(period: str) -> list[str]:
    """Return the months in any period label: month, year, financial year, quarter or range."""
    text = period.strip() if isinstance(period, str) else ""
    if _MONTH.match(text):
        parse_month(text)
        return [text]
    if _YEAR.match(text):
        return month_range(f"{text}-01", f"{text}-12")
    if _FINANCIAL_YEAR.match(text):
        start, suffix = text.split("/")
        year = _check_financial_year(start, suffix, period)
        return month_range(format_month(year, 4), format_month(year + 1, 3))
    if _QUARTER.match(text) or _QUARTER_FIRST.match(text):
        return months_of_quarter(text)
    match = _RANGE.match(text)
    if match:
        return month_range(match.group(1), match.group(2))
    raise ValueError(
        f'"{period}" is not a period; use a month (2025-06), a year (2025), a financial year '
        f"(2025/26), a quarter (2025/26 Q1) or a range (2025-04 to 2025-06)"
    )


def shift_years(period: str, years: int) -> str:
    """Return the same period `years` years later (earlier if negative), in the same form."""
    text = period.strip()
    if _MONTH.match(text):
        return add_months(text, 12 * years)
    if _YEAR.match(text):
        return str(int(text) + years)
    if _FINANCIAL_YEAR.match(text):
        start, suffix = text.split("/")
        return financial_year_label(_check_financial_year(start, suffix, period) + years)
    if _QUARTER.match(text) or _QUARTER_FIRST.match(text):
        start_year, quarter = parse_quarter(text)
        return quarter_label(start_year + years, quarter)
    months = period_months(text)
    return f"{add_months(months[0], 12 * years)} to {add_months(months[-1], 12 * years)}"


def same_period_last_year(period: str) -> str:
    """Return the same period a year earlier: "2022/23 Q2" gives "2021/22 Q2"."""
    return shift_years(period, -1)


def year_to_date_months(month: str) -> list[str]:
    """Return the months from April of the financial year up to and including `month`."""
    return month_range(format_month(financial_year_start(month), 4), month)


def rolling_months(month: str, count: int = 12) -> list[str]:
    """Return the `count` months ending with `month` (the rolling 12 months by default)."""
    if count < 1:
        raise ValueError(f"count must be at least 1, not {count}")
    return month_range(add_months(month, 1 - count), month)


def month_words(month: str) -> str:
    """Return a month in words: "2025-06" gives "June 2025"."""
    year, number = parse_month(month)
    return f"{calendar.month_name[number]} {year}"


def span_words(start: str, end: str) -> str:
    """Return a span of months in words, such as "April to June 2025".

    The year is given once when both months are in the same year, and for each month
    otherwise ("December 2021 to February 2022"). A single month is just "June 2025".
    """
    first, last = parse_month(start), parse_month(end)
    if first == last:
        return month_words(start)
    if first[0] == last[0]:
        return f"{calendar.month_name[first[1]]} to {month_words(end)}"
    return f"{month_words(start)} to {month_words(end)}"


def period_words(period: str) -> str:
    """Return any period label in words: a quarter "2025/26 Q1" gives "April to June 2025"."""
    text = period.strip()
    if _YEAR.match(text):
        return text
    months = period_months(text)
    return span_words(months[0], months[-1])


def rolling_words(month: str, count: int = 12) -> str:
    """Return "the 12 months to June 2025" for the rolling period ending in `month`."""
    return f"the {count} months to {month_words(month)}"


def missing_months(
    months: Iterable[str], start: str | None = None, end: str | None = None
) -> list[str]:
    """Return the months missing from `months` between `start` and `end` (both included).

    Without `start` and `end` the first and last months present are used, so only gaps
    inside the sequence are reported.
    """
    present = {format_month(*parse_month(month)) for month in months}
    if not present and (start is None or end is None):
        return []
    first = start if start is not None else min(present)
    last = end if end is not None else max(present)
    return [month for month in month_range(first, last) if month not in present]
