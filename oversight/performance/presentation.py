"""Turn a measure and its stored result into what a page or report shows.

Pages, reports and exports all call ``measure_view``; the words, figures and charts are made
here once, so a number cannot read differently in two places.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from oversight.charts import Chart, peer_chart, spc_chart
from oversight.formatting import number, rate

UNIT_WORDS = {
    "count": "Number",
    "rate_per_1000": "Rate per 1,000 people",
    "percentage": "Percentage",
    "money": "Pounds",
    "days": "Days",
}
POLARITY_WORDS = {
    "higher": "Higher is better",
    "lower": "Lower is better",
    "neither": "Neither higher nor lower is better",
}
STATUS_TAGS = {
    "met": ("Target met", "green"),
    "not-met": ("Target not met", "red"),
    "not-assessable": ("Not assessed", "grey"),
}
SIGNAL_WORDS = {
    "improvement": "Improvement",
    "concern": "Concern",
    "neither": "Unusual (no preferred direction)",
    "none": "Common cause",
    "ghost": "Left out",
}


VARIATION_ICONS = {
    "common_cause": ("Common cause variation: no sign of change", "#A6A6A6", "~"),
    "improvement_high": ("Special cause improvement: unusually high", "#00B0F0", "H"),
    "improvement_low": ("Special cause improvement: unusually low", "#00B0F0", "L"),
    "concern_high": ("Special cause concern: unusually high", "#E46C0A", "H"),
    "concern_low": ("Special cause concern: unusually low", "#E46C0A", "L"),
    "neither_high": ("Special cause variation: unusually high", "#490092", "H"),
    "neither_low": ("Special cause variation: unusually low", "#490092", "L"),
}
ASSURANCE_ICONS = {
    "consistently_pass": ("The target is consistently met", "#00B0F0", "P"),
    "hit_or_miss": ("The target will be met some months and missed in others", "#A6A6A6", "?"),
    "consistently_fail": ("The target is consistently missed", "#E46C0A", "F"),
}


def spc_icons(summary: dict[str, Any]) -> list[dict[str, str]]:
    """The Making Data Count variation and assurance icons, each with words, colour, letter."""
    icons = []
    for kind, table, key in (("Variation", VARIATION_ICONS, summary.get("variation_icon")),
                             ("Assurance", ASSURANCE_ICONS, summary.get("assurance_icon"))):
        if key in table:
            words, colour, letter = table[key]
            icons.append({"kind": kind, "key": key, "words": words, "colour": colour,
                          "letter": letter})
    return icons


def _headline(unit: str, quarter: dict[str, Any]) -> dict[str, str]:
    """The figure a reader sees first, with the count beside any rate."""
    count = number(quarter["count"])
    if unit == "rate_per_1000" and quarter.get("rate") is not None:
        value = f"{rate(quarter['rate'])} per 1,000 people"
        detail = (f"{count} crimes; population {number(quarter['population'])} "
                  f"(ONS mid-{quarter['population_year']} estimate)")
    else:
        value = count
        detail = (f"{rate(quarter['rate'])} per 1,000 people (ONS mid-"
                  f"{quarter['population_year']} estimate)" if quarter.get("rate") else "")
    return {"value": value, "detail": detail, "period": quarter["words"]}


def _external_headline(figures: dict[str, Any]) -> dict[str, str]:
    """The headline of a measure from ONS, Home Office, a return or a survey: its latest value,
    with the count beside a rate or percentage and the population vintage beside a rate."""
    latest = figures["latest"]
    unit = latest.get("unit", "")
    details = []
    if unit.startswith("rate_per_1000") and latest.get("count") is not None:
        details.append(f"{number(latest['count'])} offences")
    if latest.get("rate") is not None and not unit.startswith("rate_per_1000"):
        details.append(f"{rate(latest['rate'])} per 1,000 people")
    if latest.get("rate") is not None and latest.get("population_vintage"):
        people = f"{number(latest['population'])}, " if latest.get("population") else ""
        details.append(f"population {people}ONS {latest['population_vintage']} estimate")
    if latest.get("numerator") is not None and latest.get("denominator"):
        details.append(f"{number(latest['numerator'])} of {number(latest['denominator'])}")
    if latest.get("sample_size"):
        details.append(f"sample of {number(latest['sample_size'])}")
    if latest.get("ci_lower") is not None and latest.get("ci_upper") is not None:
        level = number(latest.get("confidence_level") or 95)
        details.append(f"{level}% confidence interval {number(latest['ci_lower'], 1)} to "
                       f"{number(latest['ci_upper'], 1)}")
    words = latest["words"]
    return {"value": latest["value_words"], "detail": "; ".join(details),
            "period": words[:1].upper() + words[1:]}


def _external_view(figures: dict[str, Any]) -> dict[str, Any]:
    """What a page shows of a measure whose figures are not from data.police.uk."""
    rows = []
    for point in reversed(figures.get("points") or []):
        rows.append({
            "period": point["period"],
            "words": point["words"],
            "value": point["value_words"],
            "count": number(point["count"]) if point.get("count") is not None else "–",
            "rate": rate(point["rate"]) if point.get("rate") is not None else "–",
            "source": point["provenance_words"],
        })
    comparisons = []
    for key, what in (("previous_period", "the figure before"),
                      ("year_earlier", "the same period a year earlier")):
        other = figures.get(key)
        if other and other["change"].get("available"):
            text = other["change"]["text"]
            sentence = (f"{text[:1].upper()}{text[1:]} on {what} ({other['words']}: "
                        f"{other['value_words']}).")
            if other.get("note"):
                sentence += " " + other["note"]
            comparisons.append(sentence)
    if not figures.get("year_earlier"):
        comparisons.append("There is no figure for the same period a year earlier.")
    return {
        "source_words": figures.get("source_words", ""),
        "source_label": figures.get("source_label", ""),
        "latest": figures["latest"],
        "latest_note": figures.get("latest_note", ""),
        "previous_period": figures.get("previous_period"),
        "comparisons": comparisons,
        "rows": rows,
        "has_rates": any(r["rate"] != "–" for r in rows),
        "has_counts": any(r["count"] != "–" for r in rows)
        and figures["latest"].get("unit") != "count",
    }


def measure_view(measure: Any, result: Any | None, *, with_charts: bool = True) -> dict[str, Any]:
    """Everything shown about one measure (KPI): words, figures, status, charts and tables."""
    figures = result.figures if result is not None else {}
    view: dict[str, Any] = {
        "measure": measure,
        "code": measure.code,
        "name": measure.name,
        "unit_words": UNIT_WORDS.get(measure.unit, measure.unit),
        "polarity_words": POLARITY_WORDS.get(measure.polarity, measure.polarity),
        "available": bool(figures.get("available")),
        "reason_unavailable": figures.get("reason", "No data is loaded for this measure yet."),
    }
    status = figures.get("status", "not-assessable")
    label, colour = STATUS_TAGS[status]
    view["status"] = {"key": status, "label": label, "colour": colour,
                      "reason": figures.get("status_reason", "")}
    if result is not None and result.grade:
        view["grade"] = {"label": result.grade, "colour": result.grade_colour,
                         "reason": result.grade_reason}
    if not view["available"]:
        return view
    quarter = figures.get("quarter")
    if figures.get("latest"):
        view["external"] = _external_view(figures)
        view["headline"] = _external_headline(figures)
        view["quarter"] = quarter
        view["change_text"] = (quarter or {}).get("change", {}).get("text", "")
    elif quarter:
        view["headline"] = _headline(measure.unit, quarter)
        view["quarter"] = quarter
        view["change_text"] = quarter["change"].get("text", "")
    view["rolling12"] = figures.get("rolling12")
    view["latest_month_words"] = figures.get("latest_month_words")
    spc_fig = figures.get("spc", {})
    view["spc"] = spc_fig
    if spc_fig.get("available"):
        view["latest_signal"] = SIGNAL_WORDS.get(spc_fig.get("latest_signal", "none"))
        view["icons"] = spc_icons(spc_fig.get("summary", {}))
    view["baseline"] = figures.get("baseline")
    view["peers"] = figures.get("peers")
    view["series"] = figures.get("series", [])
    if with_charts:
        view["charts"] = charts_for(measure, figures)
    return view


def charts_for(measure: Any, figures: dict[str, Any]) -> list[Chart]:
    """The SPC chart and, when peers are loaded, the peer comparison chart.

    Drawing a chart takes far longer than the rest of a page, so each process keeps the
    charts it drew for the last few hundred inputs: the key is everything a chart is drawn
    from, so new figures always get new charts.
    """
    spc_fig = figures.get("spc", {})
    unit = (UNIT_WORDS.get(figures["latest"].get("unit", ""), "Value") if figures.get("latest")
            else "")
    key = json.dumps([measure.code, measure.name, unit, spc_fig.get("available"),
                      spc_fig.get("points"), spc_fig.get("sentence", ""),
                      figures.get("peers")], sort_keys=True, default=str)
    return list(_charts(key))


@lru_cache(maxsize=256)
def _charts(key: str) -> tuple[Chart, ...]:
    code_text, name, unit, available, points, sentence, peers = json.loads(key)
    charts: list[Chart] = []
    code = code_text.lower().replace(" ", "-")
    spc_fig = {"available": available, "points": points, "sentence": sentence}
    if spc_fig.get("available") and spc_fig.get("points"):
        charts.append(spc_chart(
            f"chart-{code}-spc",
            f"{name}: {unit.lower()} each period" if unit else f"{name}: number each month",
            spc_fig["points"],
            summary=spc_fig.get("sentence", ""),
            value_label=unit or "Number",
        ))
    if peers:
        charts.append(peer_chart(
            f"chart-{code}-peers",
            f"{name}: rate per 1,000 people, {peers['words']}",
            peers["bars"],
            average=peers.get("unweighted_mean_including"),
            summary=peers.get("sentence", ""),
        ))
    return tuple(charts)
