"""The parts every Panel report shares, as plain JSON-able data.

A report is built in two steps: ``build`` functions (``quarterly``, ``thematic``, ``annual``)
gather figures, words and commentary into one dict of plain values (the *report data*), and the
renderers (``render``, ``pdf``, ``docx``) turn that dict into HTML, PDF and Word. A published
report freezes the dict, so it can be shown again exactly as it was, whatever the data does
later. Nothing in the dict is a model instance or a date object; dates are ISO strings.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from types import SimpleNamespace
from typing import Any

from oversight.commentary.services import approved_text
from oversight.formatting import date_words, number, percent, rate
from oversight.methods import periods
from oversight.methods.grades import SCALES
from oversight.performance.presentation import (
    POLARITY_WORDS,
    SIGNAL_WORDS,
    STATUS_TAGS,
    UNIT_WORDS,
    measure_view,
)
from oversight.reports.figures import EXCEPTION_RULE, PeriodFigures, exception_for

SCHEMA = 1
SPC_POINTS_SHOWN = 24

ATTRIBUTION = (
    "Contains public sector information licensed under the Open Government Licence v3.0. "
    "Source: data.police.uk, Home Office, Office for National Statistics. Street-level figures "
    "are the records forces publish on data.police.uk, not official recorded crime statistics."
)

VARIATION_ICONS = {
    "common_cause": ("C", "grey", "Common cause variation: no sign of change"),
    "improvement_high": ("H", "blue", "Special cause improvement: higher than usual"),
    "improvement_low": ("L", "blue", "Special cause improvement: lower than usual"),
    "concern_high": ("H", "orange", "Special cause concern: higher than usual"),
    "concern_low": ("L", "orange", "Special cause concern: lower than usual"),
    "neither_high": ("H", "purple", "Special cause variation: higher than usual"),
    "neither_low": ("L", "purple", "Special cause variation: lower than usual"),
}
ASSURANCE_ICONS = {
    "consistently_pass": ("P", "blue", "The target is consistently met"),
    "consistently_fail": ("F", "orange", "The target is consistently missed"),
    "hit_or_miss": ("?", "grey", "The target is met in some months and missed in others"),
}
TARGET_WORDS = {
    "numeric": "Reach {value}",
    "trajectory": "Follow the planned trajectory",
    "reduce_by_percent": "Reduce by {value}% on the same period last year",
    "msg_average_achieve": "Achieve the peer group (Most Similar Group) average, or better it",
    "msg_average_maintain": "Stay better than the peer group (Most Similar Group) average",
    "spc_sustained_signal": "Show a sustained improvement on the SPC chart",
    "spc_assurance": "Meet the target consistently on the SPC chart",
    "not_stated": "The plan does not state a target",
}
NOT_STATED = "Not stated in the plan"


def produced_date(value: dt.date | str | None) -> dt.date:
    """The date printed as "Produced": given, or today. Never a time, so output is stable."""
    if value is None:
        return dt.date.today()
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def plan_data(plan: Any) -> dict[str, Any]:
    return {"id": plan.id, "slug": plan.slug, "title": plan.title, "version": plan.version,
            "force_name": plan.force_name, "grade_scale": plan.grade_scale or "rag"}


def period_data(label: str) -> dict[str, Any]:
    months = periods.period_months(label)
    return {"label": label, "words": periods.period_words(label), "first": months[0],
            "last": months[-1]}


def text_of(value: Any) -> str:
    """A plan field (text, list, or dict from the plan file) in words; "" if not stated."""
    if value in (None, "", {}, [], "not_stated"):
        return ""
    if isinstance(value, dict):
        parts = []
        for key, item in value.items():
            if item in (None, "", [], {}, "not_stated") or key == "not_stated":
                continue
            words = key.replace("_", " ")
            if isinstance(item, list):
                item = ", ".join(str(i) for i in item)
            parts.append(f"{words[:1].upper()}{words[1:]}: {str(item).replace('_', ' ')}")
        return "; ".join(parts)
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    return str(value)


def source_words(source: dict[str, Any]) -> str:
    """Where a measure's figures come from, in words."""
    source = source or {}
    kind = source.get("type")
    if kind == "police-uk":
        types = source.get("crime_types") or []
        types = [types] if isinstance(types, str) else types
        words = (f"data.police.uk street-level crime ({', '.join(types)}), counting "
                 f"{'rows' if source.get('counting', 'rows') == 'rows' else 'crime IDs'}.")
        return f"{words} {source['note']}" if source.get("note") else words
    if kind in (None, "not_stated"):
        return source.get("note") or ""
    # ONS tables, Home Office workforce tables, partner returns and surveys: what the plan
    # names, in its own words.
    parts = [str(source[key]).strip().rstrip(".") for key in ("name", "description", "note")
             if source.get(key)]
    return ". ".join(parts) + "." if parts else text_of(source)


def about_measure(measure: Any) -> list[tuple[str, str]]:
    """The technical description of a measure: definition, source, method, target, owner."""
    return [
        ("Definition", measure.definition),
        ("Unit", UNIT_WORDS.get(measure.unit, measure.unit)),
        ("Polarity", POLARITY_WORDS.get(measure.polarity, measure.polarity)),
        ("Data source", source_words(measure.source)),
        ("Frequency", str(getattr(measure, "frequency", "") or "").replace("_", " ").capitalize()),
        ("Baseline", text_of({k: v for k, v in (measure.baseline or {}).items()
                              if k != "rule" or v != "not_stated"})),
        ("Target", target_words(measure.target)),
        ("Owner", measure.owner),
        ("Caveats", text_of(getattr(measure, "caveats", ""))),
    ]


def target_words(target: dict[str, Any] | None) -> str:
    """The target in one phrase, such as "Reduce by 5% on the same period last year"."""
    target = target or {}
    kind = target.get("type") or "not_stated"
    value = target.get("value")
    words = TARGET_WORDS.get(kind, kind.replace("_", " ")).format(
        value=number(value, 2 if value is not None and value != int(value) else 0)
        if value is not None else "")
    if target.get("comparator"):
        words += f" (compared with the {target['comparator']})"
    return words


def target_data(measure: Any) -> dict[str, Any]:
    """The target in words, how it was set, who was consulted, and how it will be achieved."""
    target = measure.target or {}
    kind = target.get("type") or "not_stated"
    return {
        "type": kind,
        "words": target_words(target),
        "stated": kind != "not_stated",
        "how_set": target.get("methodology") or "",
        "consultees": list(target.get("consultees") or []),
        "actions": list(target.get("actions") or []),
        "source": target.get("source") or "",
    }


ICON_FILLS = {"blue": ("#00B0F0", "#0b0c0c"), "orange": ("#E46C0A", "#0b0c0c"),
              "purple": ("#490092", "#ffffff"), "grey": ("#A6A6A6", "#0b0c0c")}


def _icon(table: dict[str, tuple[str, str, str]], key: str | None) -> dict[str, str] | None:
    """A Making Data Count icon: a letter in a coloured circle, and its meaning in words."""
    if not key or key not in table:
        return None
    letter, colour, words = table[key]
    fill, text = ICON_FILLS[colour]
    return {"key": key, "letter": letter, "fill": fill, "text_fill": text, "words": words}


def spc_data(figures: dict[str, Any]) -> dict[str, Any]:
    """The SPC chart's points and words, or why there is none.

    Points are months for data.police.uk measures; for other sources they are the source's
    periods (``figures["frequency"]``), so gaps are only looked for between monthly points.
    """
    spc_fig = figures.get("spc") or {}
    if not spc_fig.get("available"):
        return {"available": False, "reason": spc_fig.get("reason", "")}
    points = spc_fig.get("points") or []
    summary = spc_fig.get("summary") or {}
    shown = points[-SPC_POINTS_SHOWN:]
    latest = figures.get("latest") or {}
    monthly = not latest or figures.get("frequency") == "monthly"
    gaps = []
    for before, after in zip(shown, shown[1:], strict=False):
        if monthly and periods.add_months(before["period"], 1) != after["period"]:
            gaps.append(f"{before['label']} to {after['label']}")
    unit = latest.get("unit", "count")
    return {
        "available": True,
        "each": "month" if monthly else "period",
        "value_label": UNIT_WORDS.get(unit, "Value") if latest else "Number",
        "places": 0 if unit in ("count", "officers_headcount") else
        2 if unit.startswith("rate_per_1000") else 1,
        "sentence": spc_fig.get("sentence", ""),
        "signal_words": SIGNAL_WORDS.get(spc_fig.get("latest_signal", "none"), ""),
        "variation": _icon(VARIATION_ICONS, summary.get("variation_icon")),
        "assurance": _icon(ASSURANCE_ICONS, summary.get("assurance_icon")),
        "points": shown,
        "gaps": gaps,
        "shown": len(shown),
        "total": len(points),
        "missing": len(spc_fig.get("missing_months") or []),
        "first": points[0]["label"] if points else "",
    }


def peers_data(figures: dict[str, Any]) -> dict[str, Any] | None:
    peers = figures.get("peers")
    if not peers:
        return None
    return {
        "words": peers["words"],
        "bars": peers["bars"],
        "average": peers.get("unweighted_mean_including"),
        "average_words": rate(peers.get("unweighted_mean_including")),
        "rank": peers["rank"],
        "group_size": peers["group_size"],
        "sentence": peers.get("sentence", ""),
    }


def quarter_data(figures: dict[str, Any]) -> dict[str, Any] | None:
    quarter = figures.get("quarter")
    if not quarter:
        return None
    change = quarter.get("change") or {}
    return {
        "label": quarter["label"],
        "words": quarter["words"],
        "count": quarter.get("count"),
        "value": quarter.get("value", quarter.get("count")),
        "count_words": number(quarter.get("count")),
        "rate": quarter.get("rate"),
        "rate_words": rate(quarter.get("rate")) if quarter.get("rate") is not None else "–",
        "population_words": (f"{number(quarter['population'])} (ONS mid-"
                             f"{quarter['population_year']} estimate)"
                             if quarter.get("population") else "–"),
        "previous_words": quarter["previous_words"],
        "previous": quarter.get("previous"),
        "previous_count_words": number(quarter.get("previous")),
        "previous_rate_words": rate(quarter.get("previous_rate"))
        if quarter.get("previous_rate") is not None else "–",
        "change_available": bool(change.get("available")),
        "change_count_words": (f"{change['count']:+,}".replace("-", "−")
                               if change.get("available") else "–"),
        "change_percent_words": (percent(change.get("percent")).replace("-", "−")
                                 if change.get("percent") is not None else "–"),
        "change_text": change.get("text", ""),
    }


def measure_entry(measure: Any, found: PeriodFigures, *, quarter: str,
                  previous_grade: dict[str, str] | None, commentary_period: str | None = None
                  ) -> dict[str, Any]:
    """Everything a report shows about one measure for the quarter, as plain data.

    The commentary is the approved text for ``commentary_period`` (default: the quarter).
    """
    stand_in = SimpleNamespace(figures=found.figures, grade=found.grade["label"],
                               grade_colour=found.grade["colour"],
                               grade_reason=found.grade["reason"])
    view = measure_view(measure, stand_in, with_charts=False)
    figures = found.figures
    grade = dict(found.grade)
    entry: dict[str, Any] = {
        "id": measure.id,
        "code": measure.code,
        "anchor": f"measure-{measure.code.lower()}",
        "chart_key": measure.code.lower().replace(" ", "-"),
        "name": measure.name,
        "theme": measure.theme.number,
        "public": bool(measure.public),
        "unit_words": view["unit_words"] or NOT_STATED,
        "polarity_words": view["polarity_words"] or NOT_STATED,
        "available": view["available"],
        "reason_unavailable": view["reason_unavailable"],
        "headline": view.get("headline"),
        "quarter": quarter_data(figures) if view["available"] else None,
        "status": view["status"],
        "grade": grade,
        "previous_grade": previous_grade,
        "grade_change": grade_change(grade, previous_grade),
        "target": target_data(measure),
        "spc": spc_data(figures) if view["available"] else {"available": False},
        "peers": peers_data(figures) if view["available"] else None,
        "commentary": approved_text(measure, commentary_period or quarter),
        "source": found.source,
    }
    entry["peers_missing"] = (peers_missing(measure, quarter)
                              if entry["available"] and not entry["peers"] else "")
    if view["available"] and view.get("external"):
        entry["external"] = external_data(view, figures, quarter)
    elif entry["quarter"] and entry["quarter"]["label"] != quarter:
        entry["available"] = False
        entry["reason_unavailable"] = (f"There is no figure for {periods.period_words(quarter)}"
                                       f"; the latest is for {entry['quarter']['words']}.")
    entry["exception"] = exception_for(measure, figures, quarter)
    return entry


def sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def external_figure(point: dict[str, Any]) -> str:
    """A figure for a summary table: the count where the source has one (a count beside its
    rate), else the value, with "377 of 412" beside a percentage."""
    if point.get("unit") == "percentage":
        if point.get("numerator") is not None and point.get("denominator"):
            return (f"{point['value_words']} ({number(point['numerator'])} of "
                    f"{number(point['denominator'])})")
        return point["value_words"]
    if point.get("count") is not None:
        return number(point["count"])
    return point["value_words"]


def _external_row(what: str, point: dict[str, Any]) -> dict[str, str]:
    change = point.get("change") or {}
    return {
        "what": what,
        "words": sentence(point["words"]),
        "value": point["value_words"],
        "count": number(point["count"]) if point.get("count") is not None else "–",
        "rate": rate(point["rate"]) if point.get("rate") is not None else "–",
        "change": change.get("text", "–") if change.get("available") else "–",
    }


def _change_short(figures: dict[str, Any], earlier: dict[str, Any]) -> str:
    """The change on a year earlier as the summary table gives it for street-level counts:
    "+1,024 (15.0%)" for a count; the words ("up 3.5 percentage points") otherwise."""
    change = (figures.get("quarter") or {}).get("change") or {}
    if not change.get("available"):
        return "–"
    count = change.get("count")
    if (isinstance(count, (int, float)) and float(count).is_integer()
            and change.get("percent") is not None):
        return (f"{int(count):+,} ({percent(change['percent'])})").replace("-", "−")
    return (earlier.get("change") or {}).get("text") or change.get("text", "–")


def external_data(view: dict[str, Any], figures: dict[str, Any], quarter: str
                  ) -> dict[str, Any]:
    """What a report shows of a measure from the ONS tables, workforce tables, a return or a
    survey: the latest figure published up to the report's period, with its own period in
    words and where it came from, the figure before it and the figure a year earlier, and
    the figures loaded (latest first, the population estimate beside each rate)."""
    external = view["external"]
    latest = figures["latest"]
    rows = [_external_row("Latest published figure", latest)]
    notes = []
    for key, what in (("previous_period", "The figure before"),
                      ("year_earlier", "The same period a year earlier")):
        other = figures.get(key)
        if other:
            rows.append(_external_row(what, other))
            if other.get("note"):
                notes.append(f"{what} ({other['words']}): {other['note']}")
    if not figures.get("year_earlier"):
        notes.append("There is no figure for the same period a year earlier.")
    for_quarter = (figures.get("quarter") or {}).get("label") == quarter
    year_earlier = figures.get("year_earlier") or {}
    return {
        "source_words": figures.get("source_words", ""),
        "source_label": figures.get("source_label", ""),
        "unit_words": UNIT_WORDS.get(latest.get("unit", ""), "Value"),
        "period_words": latest["words"],
        "figure_words": external_figure(latest),
        "is_count": latest.get("unit") != "percentage" and latest.get("count") is not None,
        "value_words": latest["value_words"],
        "detail": view["headline"]["detail"],
        "provenance_words": latest["provenance_words"],
        "for_quarter": for_quarter,
        "stale_words": "" if for_quarter else (
            f"There is no figure for {periods.period_words(quarter)} from this source: this is "
            f"the latest published figure loaded, for {latest['words']}."),
        "latest_note": figures.get("latest_note", ""),
        "change_words": (year_earlier.get("change") or {}).get("text", "")
        if (year_earlier.get("change") or {}).get("available") else "",
        "change_short": _change_short(figures, year_earlier),
        "compared": rows,
        "notes": notes,
        "rows": [{"words": sentence(p["words"]), "value": p["value_words"],
                  "count": number(p["count"]) if p.get("count") is not None else "–",
                  "rate": rate(p["rate"]) if p.get("rate") is not None else "–",
                  "population": (f"{number(p['population'])} (ONS {p['population_vintage']})"
                                 if p.get("population") and p.get("population_vintage")
                                 else "–")}
                 for p in reversed((figures.get("points") or [])[-SPC_POINTS_SHOWN:])],
        "rows_total": len(figures.get("points") or []),
        "has_counts": external["has_counts"],
        "has_rates": external["has_rates"],
        "has_population": any(p.get("population") for p in figures.get("points") or []),
    }


def other_sources(entries: list[dict[str, Any]]) -> list[dict[str, str]]:
    """The measures whose figures come from a source other than data.police.uk, with where
    their latest figure came from, for the data section."""
    return [{"name": e["name"], "anchor": e["anchor"],
             "words": (f"figure for {e['external']['period_words']} from the "
                       f"{e['external']['provenance_words']}")}
            for e in entries if e.get("external")]


def peers_missing(measure: Any, quarter: str) -> str:
    """Why a measure with figures has no comparison with peer forces, in one sentence."""
    from oversight.performance import services as performance

    if performance._crime_types(measure.source) is not None:
        return (f"There is no comparison with peer forces: their street-level figures for "
                f"{periods.period_words(quarter)} are not loaded, or a population for them "
                "is missing.")
    if (measure.source or {}).get("type") == "ons":
        return ("There is no comparison with peer forces: none of the plan's peer forces has "
                "a figure in the ONS tables for the same 12 months.")
    return ("There is no comparison with peer forces: peer comparisons are made from "
            "data.police.uk figures and the ONS tables, and this measure's figures come from "
            "another source.")


def grade_change(grade: dict[str, str], previous: dict[str, str] | None) -> str:
    """"No change", "Was Green" or "Not graded before", for the summary table."""
    if previous is None:
        return "No earlier grade"
    if previous["label"] == grade["label"]:
        return "No change"
    return f"Was {previous['label']}"


def grade_counts(entries: list[dict[str, Any]], scale_key: str) -> list[dict[str, Any]]:
    """How many measures have each grade, in the scale's order."""
    scale = SCALES.get(scale_key, SCALES["rag"])
    counts = Counter(e["grade"]["label"] for e in entries)
    ordered = [g.label for g in scale.grades] + sorted(set(counts) - {g.label
                                                                         for g in scale.grades})
    colours = {e["grade"]["label"]: e["grade"]["colour"] for e in entries}
    return [{"label": label, "colour": colours[label], "count": counts[label]}
            for label in ordered if counts[label]]


def status_counts(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    counts = Counter(e["status"]["key"] for e in entries)
    return [{"label": STATUS_TAGS[k][0], "colour": STATUS_TAGS[k][1], "count": counts[k]}
            for k in STATUS_TAGS if counts[k]]


def annex_entry(measure: Any, entry: dict[str, Any]) -> dict[str, Any]:
    """The technical annex for one measure: definition, source, method and caveats."""
    rows = [(key, value or NOT_STATED) for key, value in about_measure(measure)]
    spc = entry.get("spc") or {}
    external = entry.get("external")
    if external:
        label = f" ({external['source_label']})" if external["source_label"] else ""
        chart = (f"Charted as an XmR (SPC) chart of the {spc['total']} figures since "
                 f"{spc['first']}; limits and signals follow NHS Making Data Count."
                 if spc.get("available") else spc.get("reason", ""))
        rows.append(("Method", (
            f"Source: {external['source_words']}{label}. Figures are used as published, not "
            "counted here. The report shows the latest figure published up to the end of the "
            "period reported, with its own period, the figure before it and the figure for the "
            f"same period a year earlier. {chart}").strip()))
        rows.append(("Latest figure from", external["provenance_words"]))
    elif spc.get("available"):
        gaps = (f"; {spc['missing']} months in between have no data and are left out"
                if spc["missing"] else "")
        rows.append(("Method", (
            f"Counted each month and charted as an XmR (SPC) chart of the {spc['total']} "
            f"months with data since {spc['first']}{gaps}. Limits and signals follow NHS "
            "Making Data Count. Quarters are financial-year quarters; change is on the same "
            "quarter a year earlier. Rates use ONS mid-year population estimates.")))
    if entry.get("peers"):
        groups = list(measure.plan.peer_groups.all())
        group = next((g for g in groups if g.name == measure.peer_group),
                     groups[0] if groups else None)
        provisional = group is not None and group.provisional and \
            "provisional" not in group.name.lower()
        name = f"{group.name}{' (provisional)' if provisional else ''}" if group else "Peers"
        rows.append(("Peer group", f"{name}: "
                     + ", ".join(sorted(b["name"] for b in entry["peers"]["bars"]))))
    if measure.citation:
        rows.append(("Where the plan states it", measure.citation))
    return {"code": measure.code, "name": measure.name, "anchor": entry["anchor"],
            "rows": rows}


def month_spans(months: list[str]) -> str:
    """Months in words as runs: "October 2018 to February 2019, and April to June 2025"."""
    ordered = sorted(set(months))
    if not ordered:
        return "none"
    runs, start, last = [], ordered[0], ordered[0]
    for month in ordered[1:]:
        if month != periods.add_months(last, 1):
            runs.append(periods.span_words(start, last))
            start = month
        last = month
    runs.append(periods.span_words(start, last))
    return runs[0] if len(runs) == 1 else ", ".join(runs[:-1]) + " and " + runs[-1]


def data_sources(plan: Any, last_month: str) -> dict[str, Any]:
    """What data the report used: months loaded for the force, files, population source."""
    from oversight.data.models import ImportBatch, Population

    batches = ImportBatch.objects.filter(status=ImportBatch.Status.CURRENT,
                                         kind=ImportBatch.Kind.POLICE_UK,
                                         month__lte=last_month)
    own = sorted(batches.filter(force_id=plan.force_id).values_list("month", flat=True))
    population = (Population.objects.filter(force_id=plan.force_id).order_by("-year")
                  .values_list("year", "source").first())
    return {
        "months_words": month_spans(own),
        "months": len(own),
        "files": batches.count(),
        "population": (f"ONS mid-{population[0]} estimate ({population[1]})"
                       if population else "No population estimate is loaded."),
    }


def common(plan: Any, *, kind: str, title: str, period: dict[str, Any], produced: dt.date,
           public_only: bool) -> dict[str, Any]:
    """The fields every report kind has."""
    return {
        "schema": SCHEMA,
        "kind": kind,
        "title": title,
        "plan": plan_data(plan),
        "period": period,
        "commentary_period_words": period["words"],
        "produced": produced.isoformat(),
        "produced_words": date_words(produced),
        "audience": "public" if public_only else "internal",
        "publication": None,
        "exception_rule": EXCEPTION_RULE,
        "attribution": ATTRIBUTION,
    }


def plan_measures(plan: Any, *, public_only: bool, theme: Any = None) -> list[Any]:
    measures = plan.measures.select_related("theme", "result").order_by("order", "id")
    if public_only:
        measures = measures.filter(public=True)
    if theme is not None:
        measures = measures.filter(theme=theme)
    return list(measures)


def grade_scale_data(scale_key: str) -> dict[str, Any]:
    """The plan's grade scale and its rules in order, so every grade's reason can be checked."""
    scale = SCALES.get(scale_key, SCALES["rag"])
    return {
        "name": scale.name,
        "rules": [f"{scale.grade_named(rule.grade).label} when {rule.describe()}."
                  for rule in scale.rules],
    }
