"""A thematic update to the Police and Crime Panel: one theme of the plan, for one quarter.

Laid out like the 2015 theme update (``seeds/2015-theme-update.txt``): purpose, recommendation,
background (what the theme covers, its outcomes and priorities), then the theme's measures with
the same figures, charts, targets, grades and approved commentary as the quarterly report, the
sections other apps add for the theme (commissioned services, delivery) when they have data,
and the background papers: the quarterly report it should be read with.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from oversight.methods import periods
from oversight.reports import context, quarterly
from oversight.reports.figures import ReportError, check_quarter, latest_quarter
from oversight.reports.sections import optional_sections


def theme_data(theme: Any) -> dict[str, Any]:
    """What the theme covers: description, ambitions, outcomes and ranked priorities."""
    priorities = sorted(theme.priorities.all(), key=lambda p: (p.rank is None, p.rank or 0,
                                                                p.order))
    return {
        "number": theme.number,
        "title": theme.title,
        "description": theme.description,
        "ambitions": [a if isinstance(a, str) else context.text_of(a) for a in theme.ambitions],
        "outcomes": [o.title for o in theme.outcomes.order_by("order")],
        "priorities": [{"title": p.title, "rank": p.rank, "status": p.get_status_display()}
                       for p in priorities],
        "resources": theme.resources,
        "anchor": f"theme-{theme.number}",
    }


def build(plan: Any, theme_number: int, period: str | None = None, *, public_only: bool = True,
          produced: dt.date | str | None = None) -> dict[str, Any]:
    """The thematic update's data for theme ``theme_number`` and ``period``."""
    theme = plan.themes.filter(number=theme_number).first()
    if theme is None:
        numbers = ", ".join(str(n) for n in plan.themes.order_by("number")
                            .values_list("number", flat=True))
        raise ReportError(f"The plan has no theme {theme_number}; its themes are {numbers}.")
    quarter = period or latest_quarter(plan)
    check_quarter(plan, quarter)
    measures = context.plan_measures(plan, public_only=public_only, theme=theme)
    entries, comparison, batch_ids = quarterly.measure_entries(plan, measures, quarter,
                                                               public_only=public_only)
    period_info = context.period_data(quarter)
    data = context.common(plan, kind="thematic", title=f"Thematic update: {theme.title}",
                          period=period_info, produced=context.produced_date(produced),
                          public_only=public_only)
    sections = optional_sections(plan, quarter, theme=theme.number,
                                 public_only=public_only)
    info = theme_data(theme)
    by_id = {e["id"]: e for e in entries}
    data.update(
        subtitle=(f"An update for the Police and Crime Panel on {theme.title}, a theme of the "
                  f"{plan.title}, for {period_info['words']}."),
        theme=info,
        purpose=(f"This report gives the Police and Crime Panel an update on {theme.title}, "
                 f"theme {theme.number} of the {plan.title}. Read it with the quarterly "
                 f"performance report for {period_info['words']}, which reports on every "
                 "measure in the plan."),
        recommendation="The Police and Crime Panel is asked to discuss the contents of this "
                       "report.",
        comparison=comparison,
        summary=quarterly.summary(entries, data["plan"]["grade_scale"]),
        exceptions=quarterly.exceptions(entries),
        themes=[{**info, "measures": entries}] if entries else [],
        sections=sections,
        missing_commentary=quarterly.missing_commentary(entries),
        grade_scale=context.grade_scale_data(data["plan"]["grade_scale"]),
        annex=[context.annex_entry(m, by_id[m.id]) for m in measures],
        other_sources=context.other_sources(entries),
        sources=context.data_sources(plan, periods.months_of_quarter(quarter)[-1]),
        background_papers=[f"Police and Crime Panel performance report, {period_info['words']} "
                           f"({quarter})"],
        batch_ids=batch_ids,
    )
    data["contents"] = (
        [("purpose", "Purpose of the report"), ("recommendation", "Recommendation"),
         ("background", "Background"), ("measures", "Measures under this theme")]
        + [(s["id"], s["title"]) for s in sections]
        + [("background-papers", "Background papers"), ("annex", "Technical annex"),
           ("data", "Data and attribution")]
    )
    return data
