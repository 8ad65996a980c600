"""Figures for a measure whose source is not data.police.uk (no Django).

``compute_external(spec, series)`` turns an ``ExternalSeries`` (the periods and values of a
measure from the ONS police force area tables, Home Office workforce tables, partner returns
or survey and manual entries, each value with its provenance) into the same JSON-able
``figures`` dict as ``compute.compute_measure``, so pages, reports and grades read both alike:

- ``latest``: the latest value, its period in words, the count and rate where the source has
  them (a rate with its population and vintage), and ``provenance`` (edition or file and
  batch; sample size and confidence interval for a survey value; provider for a return) with
  a ``provenance_words`` sentence;
- ``previous_period`` and ``year_earlier``: the figure before the latest and the figure for
  the same period a year earlier, each with its ``change`` on the latest;
- ``points``: every period with its value, for the data table and the CSV;
- ``quarter``: the keys the police-uk path fills (``label`` is the financial-year quarter the
  latest period ends in, ``words`` the period itself, ``count``, ``rate``, ``previous`` and
  ``change`` against a year earlier), so the target is judged by ``compute._status``;
- ``baseline``: the plan's baseline period (or periods) read from the same series;
- ``spc``: an XmR chart only when the series has enough points and they are not overlapping
  12-month totals, otherwise the reason;
- ``peers``: for the ONS tables, the Most Similar Group comparison for the latest period (each
  peer with a figure for the same 12 months: count, population and rate per 1,000, averages,
  rank, exact Poisson significance) in the shape ``compute._peer_figures`` gives, so pages,
  charts and reports read it alike; None for other sources or when no peer has a figure;
- ``series`` is empty and ``rolling12`` is None: these sources give no monthly counts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from oversight.methods import change as change_method
from oversight.methods import msg, periods
from oversight.methods.spc import SPCInputError, SPCSettings, spc
from oversight.performance.compute import MeasureSpec, _status, peer_comparison

SOURCE_WORDS = {
    "ons": "ONS police force area data tables",
    "home-office": "Home Office police workforce tables",
    "partner": "Partner return",
    "survey": "Survey",
    "manual": "Entered value",
}
ROLLING_SOURCES = {"ons"}  # each point is the 12 months ending in its month
WHOLE = ("count", "population", "numerator", "denominator", "sample_size")


@dataclass(frozen=True)
class ExternalSeries:
    """A measure's figures from ONS tables, workforce tables, partner returns or survey and
    manual entries.

    ``points`` maps a period to its value (``None`` where the source prints a marker such as
    ``..``): for ONS, the month a 12-month period ends ("2019-12", one point a quarter); for
    workforce, the month of the count ("2019-09"); for returns and survey values, the period
    as entered ("2025-06", "2025/26 Q1", "2024/25"). ``details`` gives, per period, where
    the value came from (edition or file, batch, population vintage for a rate, sample size
    and confidence interval for a survey) and, where the source has them, ``count``,
    ``rate``, ``population``, ``numerator`` and ``denominator``. ``batch_ids`` are the import
    batches used.
    """

    source: str
    frequency: str
    unit: str
    points: dict[str, float | None]
    details: dict[str, dict[str, Any]] = field(default_factory=dict)
    batch_ids: list[int] = field(default_factory=list)
    label: str = ""


@dataclass(frozen=True)
class PeerSeries:
    """One force's figures from the same source, for the peer comparison.

    ``figures`` maps a period to its ``count``, ``rate`` (per 1,000) and ``population`` (the one
    the source's rate used), any of which may be None.
    """

    slug: str
    name: str
    figures: dict[str, dict[str, float | None]] = field(default_factory=dict)


@dataclass(frozen=True)
class ExternalPeers:
    """The plan's force (``force_slug``, ``force_name``) and its peers' series."""

    force_slug: str
    force_name: str
    peers: list[PeerSeries] = field(default_factory=list)


# --- periods ------------------------------------------------------------------------------


def last_month(period: str) -> str:
    """The last month of any period label ("2024/25" -> "2025-03")."""
    return periods.period_months(period)[-1]


def period_words(series: ExternalSeries, period: str) -> str:
    """A period in words as the source means it."""
    if series.source in ROLLING_SOURCES:
        return periods.rolling_words(period)
    detail = series.details.get(period, {})
    if detail.get("as_at"):
        return f"at {_date_words(detail['as_at'])}"
    return periods.period_words(period)


def _date_words(iso: str) -> str:
    year, month, day = (int(part) for part in iso[:10].split("-"))
    return f"{day} {periods.month_words(periods.format_month(year, month))}"


# --- numbers in words -------------------------------------------------------------------


def _kind(unit: str) -> str:
    if unit in ("percentage",):
        return "percentage"
    if unit in ("count", "officers_fte", "officers_headcount"):
        return "count"
    return "rate"


def value_words(value: float | None, unit: str) -> str:
    """A value as the unit prints it: 1,234; 12.34 per 1,000 people; 85.5%; 2,134.5 FTE."""
    if value is None:
        return "not published"
    if unit == "percentage":
        return f"{change_method.format_number(value, 1)}%"
    if unit.startswith("rate_per_1000"):
        return f"{change_method.format_number(value, 2)} per 1,000 people"
    if unit == "officers_fte":
        return f"{change_method.format_number(value, 1)} full-time equivalent officers"
    if unit == "officers_headcount":
        return f"{change_method.format_number(value, 0)} officers"
    if unit == "count":
        return change_method.format_number(value, 0)
    return change_method.format_number(value, 2)


def _change(current: float | None, previous: float | None, unit: str) -> dict[str, Any]:
    if current is None or previous is None:
        return {"available": False, "text": "no figure to compare with"}
    item = change_method.change(current, previous, kind=_kind(unit))  # type: ignore[arg-type]
    return {"available": True, "count": item.difference, "percent": item.percent,
            "text": item.text()}


# --- provenance ---------------------------------------------------------------------------


def provenance_words(series: ExternalSeries, period: str) -> str:
    """Where one value came from, in a sentence."""
    d = series.details.get(period, {})
    batch = f" (import batch {d['batch']})" if d.get("batch") else ""
    if series.source == "ons":
        words = f"{SOURCE_WORDS['ons']}, edition {d.get('edition', 'not recorded')}{batch}"
        if d.get("revised"):
            words += "; this figure revises one from an earlier edition"
        if d.get("rate") is not None and d.get("population_vintage"):
            population = (f" ({change_method.format_number(d['population'], 0)} people)"
                          if d.get("population") else "")
            words += (f". The rate uses the ONS {d['population_vintage']} population "
                      f"estimate{population}")
        return words + "."
    if series.source == "home-office":
        return (f"{SOURCE_WORDS['home-office']}, {d.get('edition', 'not recorded')}{batch}, "
                f"officers in post {period_words(series, period)}.")
    if "provider" in d:
        words = f"Return from {d['provider']}{batch}"
        if d.get("numerator") is not None and d.get("denominator"):
            words += (f": {change_method.format_number(d['numerator'], 0)} of "
                      f"{change_method.format_number(d['denominator'], 0)}")
        return words + "."
    parts = [d.get("source") or series.label or "Source not recorded"]
    if d.get("published_on"):
        parts.append(f"published {_date_words(d['published_on'])}")
    if d.get("sample_size"):
        parts.append(f"sample of {change_method.format_number(d['sample_size'], 0)}")
    if d.get("ci_lower") is not None and d.get("ci_upper") is not None:
        level = change_method.format_number(d.get("confidence_level") or 95, 0)
        parts.append(f"{level}% confidence interval {value_words(d['ci_lower'], series.unit)} "
                     f"to {value_words(d['ci_upper'], series.unit)}")
    return ", ".join(parts) + batch + "."


def _whole(value: Any) -> Any:
    """A float that is a whole number as an int (counts print without a decimal point)."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _point(series: ExternalSeries, period: str) -> dict[str, Any]:
    d = series.details.get(period, {})
    value = series.points.get(period)
    point: dict[str, Any] = {
        "period": period,
        "month": last_month(period),
        "words": period_words(series, period),
        "value": value,
        "value_words": value_words(value, series.unit),
        "unit": series.unit,
        "marker": d.get("marker", ""),
        "provenance": {k: v for k, v in d.items()
                       if k not in ("count", "rate", "population", "numerator", "denominator")},
        "provenance_words": provenance_words(series, period),
    }
    for key in ("count", "rate", "population", "population_vintage", "numerator",
                "denominator", "sample_size", "ci_lower", "ci_upper", "confidence_level"):
        if d.get(key) is not None:
            point[key] = _whole(d[key]) if key in WHOLE else d[key]
    if series.unit == "count":
        point["value"] = _whole(value)
        point.setdefault("count", point["value"])
    return point


def _survey_note(latest: dict[str, Any], other: dict[str, Any]) -> str:
    """Whether two survey values' confidence intervals overlap: if they do, the change may be
    chance."""
    needed = ("ci_lower", "ci_upper")
    if not all(k in latest for k in needed) or not all(k in other for k in needed):
        return ""
    if latest["ci_lower"] <= other["ci_upper"] and other["ci_lower"] <= latest["ci_upper"]:
        return ("The confidence intervals overlap, so the change may be due to chance in who "
                "was sampled.")
    return "The confidence intervals do not overlap, so the change is unlikely to be chance."


def _compared(series: ExternalSeries, latest: dict[str, Any], period: str | None
              ) -> dict[str, Any] | None:
    if period is None or period not in series.points:
        return None
    point = _point(series, period)
    point["change"] = _change(latest["value"], point["value"], series.unit)
    if "count" in latest and "count" in point and series.unit != "count":
        point["count_change"] = _change(latest["count"], point["count"], "count")
    note = _survey_note(latest, point)
    if note:
        point["note"] = note
    return point


# --- baseline and SPC ---------------------------------------------------------------------


def _baseline(spec: MeasureSpec, series: ExternalSeries, latest: dict[str, Any]
              ) -> dict[str, Any]:
    """The plan's baseline read from the series: a stated value, one period, or the mean of
    several."""
    rule = (spec.baseline or {}).get("rule", "not_stated")
    if spec.baseline.get("value") is not None and rule != "not_stated":
        base, used = float(spec.baseline["value"]), []
        stated = str(spec.baseline.get("period") or "")
        when = f" ({periods.period_words(stated)})" if stated not in ("", "not_stated") else ""
        sentence = f"The baseline is {value_words(base, series.unit)}{when}, as the plan states."
    else:
        spans = ([spec.baseline.get("period")] if rule == "fixed_period"
                 else list(spec.baseline.get("periods") or []) if rule == "mean_of_periods"
                 else [])
        spans = [str(s) for s in spans if s and s != "not_stated"]
        if not spans:
            return {"available": False,
                    "sentence": "The plan does not state a baseline that can be read from this "
                                "source."}
        missing = [s for s in spans if series.points.get(s) is None]
        if missing:
            return {"available": False,
                    "sentence": f"The baseline cannot be computed: {len(missing)} of its "
                                f"{len(spans)} period(s) ({', '.join(missing)}) "
                                f"{'is' if len(missing) == 1 else 'are'} not loaded."}
        used = spans
        base = sum(float(series.points[s] or 0) for s in spans) / len(spans)
        joined = " and ".join(period_words(series, s) for s in spans)
        sentence = (f"The baseline is {value_words(base, series.unit)}, "
                    f"{'the figure for' if len(spans) == 1 else 'the average of'} {joined}.")
    result: dict[str, Any] = {"available": True, "value": base, "periods_used": used,
                              "sentence": sentence}
    if latest["value"] is not None:
        item = _change(latest["value"], base, series.unit)
        result.update(current=latest["value"], percent=item.get("percent"),
                      comparison=f"{latest['words'][:1].upper()}{latest['words'][1:]}: "
                                 f"{latest['value_words']}, {item['text']} on the baseline.")
    return result


def _spc(spec: MeasureSpec, series: ExternalSeries, ordered: list[str]) -> dict[str, Any]:
    if series.source in ROLLING_SOURCES:
        return {"available": False,
                "reason": "No SPC chart: each figure is a total over 12 months, so "
                          "neighbouring figures share 9 of their months and a chart of them "
                          "would show signals that are not there."}
    values = [series.points[p] for p in ordered]
    options = dict(spec.spc or {})
    options.pop("ghost", None)
    target = options.pop("target", None)
    try:
        settings = SPCSettings(ghost=tuple(p for p, v in zip(ordered, values, strict=True)
                                           if v is None), **options)
    except (SPCInputError, TypeError) as exc:
        return {"available": False, "reason": str(exc)}
    with_values = sum(v is not None for v in values)
    if with_values < settings.minimum_points:
        return {"available": False,
                "reason": f"No SPC chart: {with_values} "
                          f"{'figure is' if with_values == 1 else 'figures are'} loaded and at "
                          f"least {settings.minimum_points} are needed to set process limits."}
    try:
        result = spc(values, periods=ordered, polarity=spec.polarity, settings=settings,
                     target=target)
    except SPCInputError as exc:
        return {"available": False, "reason": str(exc)}
    points = [{"period": last_month(p.period), "label": period_words(series, p.period),
               "value": p.value, "mean": p.mean, "upper": p.upper, "lower": p.lower,
               "segment": p.segment, "signal": "ghost" if p.ghost else p.signal}
              for p in result.points]
    return {
        "available": True,
        "points": [pt for pt in points if pt["value"] is not None],
        "summary": result.to_summary(),
        "sentence": result.summary_sentence(),
        "missing_months": [],
        "latest_signal": next((pt["signal"] for pt in reversed(points)
                               if pt["value"] is not None), "none"),
    }


# --- peers ----------------------------------------------------------------------------------


def _count_and_population(d: dict[str, Any]) -> tuple[float, float] | None:
    """A count and the population its rate used (or count ÷ rate × 1,000), or None."""
    count, rate, population = d.get("count"), d.get("rate"), d.get("population")
    if count is None:
        return None
    if not population and rate:
        population = count / rate * 1000
    return (float(count), float(population)) if population else None


def _peers(spec: MeasureSpec, series: ExternalSeries, period: str,
           group: ExternalPeers | None) -> dict[str, Any] | None:
    """The Most Similar Group comparison for ``period``, or None without a peer figure."""
    if group is None or series.source not in ROLLING_SOURCES:
        return None
    own = _count_and_population(series.details.get(period, {}))
    if own is None:
        return None
    rows = [(group.force_slug, msg.AreaCount(group.force_name, *own))]
    missing = []
    for peer in group.peers:
        if peer.slug == group.force_slug:
            continue
        found = _count_and_population(peer.figures.get(period, {}))
        if found is None:
            missing.append(peer.name)
        else:
            rows.append((peer.slug, msg.AreaCount(peer.name, *found)))
    if len(rows) < 2:
        return None
    return {
        "quarter": periods.quarter_of(last_month(period)),
        "period": period,
        "words": period_words(series, period),
        **peer_comparison(rows, spec.polarity),
        "not_loaded": missing,
    }


# --- the figures --------------------------------------------------------------------------


def _quarter(series: ExternalSeries, latest: dict[str, Any], earlier: dict[str, Any] | None
             ) -> dict[str, Any]:
    """The latest figure under the keys the police-uk path uses for its latest quarter."""
    earlier_period = periods.same_period_last_year(latest["period"])
    quarter: dict[str, Any] = {
        "label": periods.quarter_of(latest["month"]),
        "words": latest["words"],
        "value": latest["value"],
        "value_words": latest["value_words"],
        "count": latest.get("count"),
        "previous_label": earlier_period,
        "previous_words": period_words(series, earlier_period) if earlier is None
        else earlier["words"],
        "previous": earlier.get("count") if earlier else None,
        "previous_value": earlier["value"] if earlier else None,
        "change": earlier["change"] if earlier else {"available": False,
                                                     "text": "no figure for a year earlier"},
    }
    if latest.get("rate") is not None:
        quarter["rate"] = latest["rate"]
        if earlier and earlier.get("rate") is not None:
            quarter["previous_rate"] = earlier["rate"]
    elif series.unit.startswith("rate_per_1000") and latest["value"] is not None:
        quarter["rate"] = latest["value"]
    if latest.get("population"):
        quarter["population"] = latest["population"]
        vintage = str(latest.get("population_vintage") or "")
        year = vintage.removeprefix("mid-")
        quarter["population_year"] = int(year) if year.isdigit() else year
        quarter["population_source"] = f"ONS {vintage} estimate" if vintage else "ONS"
    if series.unit != "count" and earlier is not None and "count_change" in earlier:
        # The change on a year earlier is of the count where there is one (the police-uk
        # path's meaning); the value's own change stays in ``year_earlier``.
        quarter["change"] = earlier["count_change"]
    return quarter


def compute_external(spec: MeasureSpec, series: ExternalSeries,
                     peers: ExternalPeers | None = None) -> dict[str, Any]:
    """All figures for a measure from a series other than data.police.uk. Pure.

    ``peers`` (ONS tables only) gives the force's peer group for the Most Similar Group
    comparison of the latest period.
    """
    ordered = sorted(series.points, key=lambda p: (last_month(p), len(periods.period_months(p))))
    with_values = [p for p in ordered if series.points[p] is not None]
    source_words = SOURCE_WORDS.get(series.source, series.source)
    if not with_values:
        return {"available": False, "status": "not-assessable",
                "status_reason": "The source has no figure for this measure.",
                "reason": f"The {source_words.lower()} loaded print no figure for this measure "
                          "(only markers such as '..').", "source_kind": series.source}
    latest_period = with_values[-1]
    latest = _point(series, latest_period)
    before = with_values[-2] if len(with_values) > 1 else None
    previous = _compared(series, latest, before)
    earlier = _compared(series, latest, periods.same_period_last_year(latest_period))
    figures: dict[str, Any] = {
        "available": True,
        "source_kind": series.source,
        "source_words": source_words,
        "source_label": series.label,
        "frequency": series.frequency,
        "latest_month": latest["month"],
        "latest_month_words": latest["words"],
        "latest_period": latest_period,
        "latest": latest,
        "previous_period": previous,
        "year_earlier": earlier,
        "points": [_point(series, p) for p in ordered],
        "series": [],
        "rolling12": None,
        "peers": _peers(spec, series, latest_period, peers),
        "batch_ids": sorted(series.batch_ids),
    }
    if ordered[-1] != latest_period:
        figures["latest_note"] = (f"The source prints no figure for "
                                  f"{period_words(series, ordered[-1])}; the latest figure is "
                                  f"for {latest['words']}.")
    figures["quarter"] = _quarter(series, latest, earlier)
    figures["baseline"] = _baseline(spec, series, latest)
    figures["spc"] = _spc(spec, series, ordered)
    status, reason = _status(spec, figures)
    figures["status"] = status
    figures["status_reason"] = reason
    return figures
