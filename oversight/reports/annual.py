"""The annual performance report: every measure across one financial year (April to March).

Each measure shows its year by quarter (count, rate, change on a year earlier and grade, as at
each quarter), the year's total against the year before when all four quarters are loaded, and
then its figures, target, grade, charts and approved commentary at the year's end (the latest
quarter of the year with all three months loaded). Grades are compared with the first quarter
of the year that has figures. Commentary is the approved text written for the year
(``2025/26``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from oversight.formatting import number, percent, rate
from oversight.methods import periods
from oversight.performance import services as performance
from oversight.reports import context, quarterly
from oversight.reports.figures import (
    PeriodFigures,
    ReportError,
    complete_quarters,
    figures_as_at,
    loaded_months,
    quarterly_counts,
)
from oversight.reports.sections import optional_sections


def year_of(quarter: str) -> str:
    """The financial year a quarter belongs to: ``2025/26 Q1`` -> ``2025/26``."""
    return quarter.split(" ")[0]


def _quarter_row(label: str, found: PeriodFigures | None, *, after: bool = False
                 ) -> dict[str, Any]:
    """One quarter of a measure's year; ``after`` marks a quarter after the report's year end
    (the latest quarter with all three months of street-level data loaded)."""
    row: dict[str, Any] = {"label": label, "words": periods.period_words(label),
                           "available": False, "after_year_end": after}
    quarter = context.quarter_data(found.figures) if found and found.figures.get("available") \
        else None
    latest = found.figures.get("latest") if found else None
    if quarter and latest and quarter["label"] == label:
        # A source other than data.police.uk: the figure published for the period ending in
        # this quarter (a 12-month total for the ONS tables), with that period.
        change = (found.figures.get("year_earlier") or {}).get("change") or {}
        row.update(available=True, count_words=context.external_figure(latest),
                   figure_period=context.sentence(latest["words"]),
                   rate_words=rate(latest.get("rate")),
                   change_words=change["text"] if change.get("available") else "–",
                   grade=found.grade)
    elif quarter and quarter["label"] == label:
        row.update(available=True, count_words=quarter["count_words"],
                   rate_words=quarter["rate_words"],
                   change_words=(f"{quarter['change_count_words']} "
                                 f"({quarter['change_percent_words']})"
                                 if quarter["change_available"] else "–"),
                   grade=found.grade if found else None)
    return row


def _year_total(figures: dict[str, Any], year: str, year_end: str) -> dict[str, Any]:
    if figures.get("latest"):
        return {"complete": False, "words": "Not added up",
                "note": "Figures from this source are not added up over the year: each is "
                        "the source's own figure for its period."}
    start = periods.parse_quarter(f"{year} Q1")[0]
    counts = dict(quarterly_counts(figures, year_end)) if figures.get("available") else {}
    this = [counts.get(periods.quarter_label(start, q)) for q in range(1, 5)]
    last = [counts.get(periods.quarter_label(start - 1, q)) for q in range(1, 5)]
    if any(c is None for c in this):
        loaded = sum(1 for c in this if c is not None)
        return {"complete": False, "words": f"{loaded} of 4 quarters loaded"}
    total = sum(c for c in this if c is not None)
    result = {"complete": True, "count": total, "words": number(total),
              "previous_words": "–", "change_words": "–"}
    if all(c is not None for c in last):
        before = sum(c for c in last if c is not None)
        change = total - before
        result.update(previous=before, previous_words=number(before),
                      change_words=(f"{change:+,}".replace("-", "−") + " ("
                                    + (percent(100 * change / before).replace("-", "−")
                                       if before else "–") + ")"))
    return result


def default_year(plan: Any) -> str:
    """The latest financial year with all four quarters loaded or, if none is, the year of
    the latest loaded quarter. Raises ``ReportError`` when no quarter is complete."""
    loaded = complete_quarters(loaded_months(plan))
    if not loaded:
        raise ReportError(f"No quarter has all three months loaded for {plan.force_name}; "
                          "import data.police.uk files with: oversight import police-uk PATH")
    full = [y for y in dict.fromkeys(year_of(q) for q in loaded)
            if sum(1 for q in loaded if year_of(q) == y) == 4]
    return full[-1] if full else year_of(loaded[-1])


def complete_quarters_of(plan: Any, year: str) -> list[str]:
    """The quarters of financial year ``year`` with all three months loaded, oldest first;
    ``ReportError`` if there is none."""
    loaded = complete_quarters(loaded_months(plan))
    start = periods.parse_quarter(f"{year} Q1")[0]
    year_quarters = [periods.quarter_label(start, q) for q in range(1, 5)]
    complete = [q for q in year_quarters if q in loaded]
    if not complete:
        raise ReportError(f"No quarter of {year} ({periods.period_words(year)}) has all three "
                          f"months loaded for {plan.force_name}; choose another year.")
    return complete


def build(plan: Any, year: str | None = None, *, public_only: bool = True,
          produced: dt.date | str | None = None) -> dict[str, Any]:
    """The annual report's data for financial year ``year``.

    By default the year is the latest with all four quarters loaded or, if none is, the year
    of the latest loaded quarter.
    """
    year = year or default_year(plan)
    complete = complete_quarters_of(plan, year)
    start = periods.parse_quarter(f"{year} Q1")[0]
    year_quarters = [periods.quarter_label(start, q) for q in range(1, 5)]
    measures = context.plan_measures(plan, public_only=public_only)
    if not measures:
        raise ReportError("The plan has no measures to report on"
                          + (" that are public." if public_only else "."))
    found = {q: figures_as_at(plan, measures, periods.months_of_quarter(q)[-1])
             for q in complete}
    year_end, first = complete[-1], complete[0]
    # Measures from the ONS tables, returns or surveys do not need street-level months: their
    # figure as at each quarter up to the year end is shown even where street data is missing.
    others = [m for m in measures if performance._crime_types(m.source) is None]
    for q in year_quarters:
        if others and q not in found and \
                periods.parse_quarter(q) < periods.parse_quarter(year_end):
            found[q] = figures_as_at(plan, others, periods.months_of_quarter(q)[-1])
    first_words = periods.period_words(first)
    previous = (({m.code: found[first][m.id].grade for m in measures},
                 f"the first quarter of the year with figures ({first_words})")
                if first != year_end else
                (None, f"only one quarter of the year ({first_words}) loaded"))
    entries, comparison, batch_ids = quarterly.measure_entries(
        plan, measures, year_end, public_only=public_only, commentary_period=year,
        found=found[year_end], previous=previous)
    for measure, entry in zip(measures, entries, strict=True):
        entry["year"] = {
            "quarters": [_quarter_row(q, found.get(q, {}).get(measure.id),
                                      after=periods.parse_quarter(q)
                                      > periods.parse_quarter(year_end))
                         for q in year_quarters],
            "total": _year_total(found[year_end][measure.id].figures, year, year_end),
        }
    period_info = context.period_data(year)
    data = context.common(plan, kind="annual",
                          title=f"Annual performance report: {period_info['words']}",
                          period=period_info, produced=context.produced_date(produced),
                          public_only=public_only)
    themes = quarterly.group_by_theme(plan, measures, entries)
    sections = optional_sections(plan, year, public_only=public_only)
    by_id = {e["id"]: e for e in entries}
    data.update(
        subtitle=(f"A report to the Police and Crime Panel on the measures (KPIs) in the "
                  f"{plan.title} for {plan.force_name}, for the financial year "
                  f"{period_info['words']}."),
        year_end=context.period_data(year_end),
        quarters_loaded=[periods.period_words(q) for q in complete],
        comparison=comparison,
        summary=quarterly.summary(entries, data["plan"]["grade_scale"]),
        exceptions=quarterly.exceptions(entries),
        themes=themes,
        sections=sections,
        missing_commentary=quarterly.missing_commentary(entries),
        commentary_period_words=f"the year {year}",
        grade_scale=context.grade_scale_data(data["plan"]["grade_scale"]),
        annex=[context.annex_entry(m, by_id[m.id]) for m in measures],
        other_sources=context.other_sources(entries),
        sources=context.data_sources(plan, periods.months_of_quarter(year_end)[-1]),
        batch_ids=sorted({b for q in found.values() for f in q.values()
                          for b in f.batch_ids} | set(batch_ids)),
    )
    data["contents"] = (
        [("summary", "Summary"), ("exceptions", "Exceptions at the year end")]
        + [(t["anchor"], f"Theme {t['number']}: {t['title']}") for t in themes]
        + [(s["id"], s["title"]) for s in sections]
        + [("annex", "Technical annex"), ("data", "Data and attribution")]
    )
    return data
