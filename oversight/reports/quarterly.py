"""The quarterly performance report to the Police and Crime Panel.

``build(plan, period)`` gathers the report data: a summary of grades and how they changed since
the last report, exceptions first, a section per theme with its measures, the sections other
apps add when they have data, a technical annex and the data used. ``render_html`` keeps the
site's live draft page (``/reports/quarterly/``) on the same template as the files.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from oversight.methods import periods
from oversight.reports import context
from oversight.reports.context import about_measure
from oversight.reports.figures import (
    PeriodFigures,
    ReportError,
    check_quarter,
    complete_quarters,
    figures_as_at,
    latest_quarter,
    loaded_months,
)
from oversight.reports.sections import optional_sections

__all__ = ["about_measure", "build", "render_html"]


def previous_grades(plan: Any, measures: list[Any], quarter: str, *, public_only: bool
                    ) -> tuple[dict[str, dict[str, str]] | None, str]:
    """Each measure's grade at the last report, by code, and what "the last report" was.

    The last report is the latest published quarterly report of this plan for the quarter
    before; failing that, the figures as at the quarter before, if it is loaded.
    """
    from oversight.reports.models import PublishedReport

    before = periods.previous_quarter(quarter)
    published = (PublishedReport.objects.filter(kind=PublishedReport.Kind.QUARTERLY,
                                                plan__slug=plan.slug, period=before,
                                                public=public_only)
                 .order_by("-version").first())
    if published is not None:
        grades = {m["code"]: m["grade"] for t in published.context["themes"]
                  for m in t["measures"]}
        return grades, (f"the report for {periods.period_words(before)} (version "
                        f"{published.version}, published {published.context['produced_words']})")
    if before not in complete_quarters(loaded_months(plan)):
        return None, (f"no earlier report: {periods.period_words(before)} is not loaded, so "
                      "changes cannot be shown")
    found = figures_as_at(plan, measures, periods.months_of_quarter(before)[-1])
    grades = {m.code: found[m.id].grade for m in measures}
    return grades, (f"the figures for {periods.period_words(before)} (no report for that "
                    "quarter was published here)")


def measure_entries(plan: Any, measures: list[Any], quarter: str, *, public_only: bool,
                    commentary_period: str | None = None,
                    found: dict[int, PeriodFigures] | None = None,
                    previous: tuple[dict[str, dict[str, str]] | None, str] | None = None,
                    ) -> tuple[list[dict[str, Any]], dict[str, Any], list[int]]:
    """The report entries for ``measures`` as at ``quarter``, the comparison with the last
    report (``{"words", "compared", "changes"}``) and the import batches the figures used.

    ``found`` (figures already worked out for the quarter) and ``previous`` (grades by code to
    compare with, and what they are) replace the defaults when given.
    """
    if found is None:
        found = figures_as_at(plan, measures, periods.months_of_quarter(quarter)[-1])
    before, words = previous or previous_grades(plan, measures, quarter,
                                                public_only=public_only)
    entries = [context.measure_entry(m, found[m.id], quarter=quarter,
                                     previous_grade=(before or {}).get(m.code),
                                     commentary_period=commentary_period)
               for m in measures]
    comparison = {"words": words, "compared": before is not None,
                  "changes": [e for e in entries if e["grade_change"].startswith("Was")]}
    batch_ids = sorted({b for f in found.values() for b in f.batch_ids})
    return entries, comparison, batch_ids


def group_by_theme(plan: Any, measures: list[Any], entries: list[dict[str, Any]]
                   ) -> list[dict[str, Any]]:
    """The entries under their themes, in theme and plan order; empty themes left out."""
    by_id = {e["id"]: e for e in entries}
    themes = []
    for theme in plan.themes.order_by("number"):
        in_theme = [by_id[m.id] for m in measures if m.theme_id == theme.id]
        if in_theme:
            themes.append({"number": theme.number, "title": theme.title,
                           "description": theme.description, "anchor": f"theme-{theme.number}",
                           "measures": in_theme})
    return themes


def summary(entries: list[dict[str, Any]], scale: str) -> dict[str, Any]:
    """Counts of measures by grade and by status against the target."""
    return {
        "measures": len(entries),
        "with_figures": sum(1 for e in entries if e["available"]
                            and (e.get("external") or {}).get("for_quarter", True)),
        "earlier_figures": sum(1 for e in entries if e["available"]
                               and not (e.get("external") or {}).get("for_quarter", True)),
        "grade_counts": context.grade_counts(entries, scale),
        "status_counts": context.status_counts(entries),
    }


def exceptions(entries: list[dict[str, Any]]) -> dict[str, Any]:
    """The measures that are exceptions, and those the rule could not be applied to."""
    return {
        "items": [e for e in entries if e["exception"].get("is_exception")],
        "not_assessed": [{"name": e["name"], "anchor": e["anchor"],
                          "reason": e["exception"]["reason"]}
                         for e in entries if not e["exception"].get("assessed")],
    }


def missing_commentary(entries: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [{"name": e["name"], "anchor": e["anchor"]} for e in entries if not e["commentary"]]


def build(plan: Any, period: str | None = None, *, public_only: bool = True,
          produced: dt.date | str | None = None) -> dict[str, Any]:
    """The quarterly report's data for ``period`` (default: the latest complete quarter)."""
    quarter = period or latest_quarter(plan)
    check_quarter(plan, quarter)
    measures = context.plan_measures(plan, public_only=public_only)
    if not measures:
        raise ReportError("The plan has no measures to report on"
                          + (" that are public." if public_only else "."))
    entries, comparison, batch_ids = measure_entries(plan, measures, quarter,
                                                     public_only=public_only)
    period_info = context.period_data(quarter)
    data = context.common(plan, kind="quarterly",
                          title=f"Quarterly performance report: {period_info['words']}",
                          period=period_info, produced=context.produced_date(produced),
                          public_only=public_only)
    themes = group_by_theme(plan, measures, entries)
    sections = optional_sections(plan, quarter, public_only=public_only)
    by_id = {e["id"]: e for e in entries}
    data.update(
        subtitle=(f"A report to the Police and Crime Panel on the measures (KPIs) in the "
                  f"{plan.title} for {plan.force_name}, for {period_info['words']}."),
        comparison=comparison,
        summary=summary(entries, data["plan"]["grade_scale"]),
        exceptions=exceptions(entries),
        themes=themes,
        sections=sections,
        missing_commentary=missing_commentary(entries),
        grade_scale=context.grade_scale_data(data["plan"]["grade_scale"]),
        annex=[context.annex_entry(m, by_id[m.id]) for m in measures],
        other_sources=context.other_sources(entries),
        sources=context.data_sources(plan, periods.months_of_quarter(quarter)[-1]),
        batch_ids=batch_ids,
    )
    data["contents"] = (
        [("summary", "Summary"), ("exceptions", "Exceptions")]
        + [(t["anchor"], f"Theme {t['number']}: {t['title']}") for t in themes]
        + [(s["id"], s["title"]) for s in sections]
        + [("annex", "Technical annex"), ("data", "Data and attribution")]
    )
    return data


def render_html(plan: Any, *, public_only: bool = True, standalone: bool = True,
                request: Any = None, period: str | None = None,
                produced: dt.date | str | None = None) -> str:
    """The report as HTML: a page of the site, or a self-contained file when ``standalone``.

    The site page is the live draft: if no quarter is complete it says so instead.
    """
    from oversight.reports import render

    try:
        data = build(plan, period, public_only=public_only, produced=produced)
    except ReportError as exc:
        if standalone:
            raise
        return render.unavailable_page(plan, str(exc), request=request)
    return render.html(data, medium="html" if standalone else "site", request=request)
