"""Compute one measure's figures from plain inputs (no Django).

``compute_measure(spec, inputs)`` returns the JSON-able ``figures`` dict stored on
``MeasureResult``:

- ``series``: monthly ``[{period, label, count}]`` for every month in the data range,
  ``count`` ``None`` where the month is missing;
- ``quarter``: the latest financial-year quarter with all three months loaded: ``label``,
  ``words``, ``count``, ``rate`` per 1,000, ``population`` and its ``population_year`` and
  ``population_source``, ``previous`` (same quarter a year earlier) and ``change``;
- ``rolling12``: the 12 months to the latest month, against the 12 months before, when loaded;
- ``spc``: the XmR chart over the monthly series (missing months left out), as
  ``points`` and ``summary``;
- ``peers``: the latest quarter's rate per 1,000 for the force and its peer group, averages,
  rank and significance;
- ``status``: ``met``, ``not-met`` or ``not-assessable`` with a ``reason`` sentence;
- ``headline``: the value shown first for the measure's unit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from oversight.methods import baselines, msg, periods
from oversight.methods import change as change_method
from oversight.methods.spc import SPCInputError, SPCSettings, spc


@dataclass(frozen=True)
class MeasureSpec:
    """What a measure asks for, taken from the plan."""

    code: str
    name: str
    unit: str
    polarity: str
    target: dict[str, Any] = field(default_factory=dict)
    baseline: dict[str, Any] = field(default_factory=dict)
    spc: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ForceInputs:
    """Monthly counts and populations for one force."""

    slug: str
    name: str
    monthly: dict[str, int]
    populations: dict[int, tuple[int, str]]  # year -> (population, source)


@dataclass(frozen=True)
class Inputs:
    force: ForceInputs
    peers: list[ForceInputs] = field(default_factory=list)


def population_for(force: ForceInputs, year: int) -> tuple[int, int, str] | None:
    """The estimate for ``year`` or the latest before it: (population, year, source)."""
    years = [y for y in force.populations if y <= year] or []
    if not years:
        return None
    chosen = max(years)
    value, source = force.populations[chosen]
    return value, chosen, source


def _rate(count: int, population: int) -> float:
    return 1000.0 * count / population


def _month_short(month: str) -> str:
    """``2025-06`` -> ``Jun 2025``, for chart axes and tables."""
    return periods.month_words(month)[:3] + " " + month[:4]


def _quarter_count(monthly: dict[str, int], label: str) -> int | None:
    months = periods.months_of_quarter(label)
    if all(m in monthly for m in months):
        return sum(monthly[m] for m in months)
    return None


def latest_complete_quarter(monthly: dict[str, int]) -> str | None:
    """The latest financial-year quarter whose three months are all loaded."""
    quarters = sorted({periods.quarter_of(m) for m in monthly}, key=periods.parse_quarter)
    for label in reversed(quarters):
        if _quarter_count(monthly, label) is not None:
            return label
    return None


def _change(current: int | float, previous: int | float | None, unit: str) -> dict[str, Any]:
    if previous is None:
        return {"available": False, "text": "no figure for the same period last year"}
    item = change_method.change(current, previous)
    return {"available": True, "count": item.difference, "percent": item.percent,
            "text": item.text()}


def _quarter_figures(spec: MeasureSpec, force: ForceInputs, label: str) -> dict[str, Any]:
    count = _quarter_count(force.monthly, label)
    assert count is not None
    year = int(periods.months_of_quarter(label)[0][:4])
    pop = population_for(force, year)
    previous_label = periods.same_period_last_year(label)
    previous = _quarter_count(force.monthly, previous_label)
    figures: dict[str, Any] = {
        "label": label,
        "words": periods.period_words(label),
        "count": count,
        "previous_label": previous_label,
        "previous_words": periods.period_words(previous_label),
        "previous": previous,
        "change": _change(count, previous, "count"),
    }
    if pop:
        population, pop_year, source = pop
        figures.update(
            rate=round(_rate(count, population), 4),
            population=population,
            population_year=pop_year,
            population_source=source,
        )
        if previous is not None:
            prev_pop = population_for(force, year - 1) or pop
            figures["previous_rate"] = round(_rate(previous, prev_pop[0]), 4)
    return figures


def _rolling12(force: ForceInputs, latest: str) -> dict[str, Any] | None:
    months = periods.month_range(periods.add_months(latest, -11), latest)
    if not all(m in force.monthly for m in months):
        return None
    count = sum(force.monthly[m] for m in months)
    before = periods.month_range(periods.add_months(latest, -23), periods.add_months(latest, -12))
    previous = sum(force.monthly[m] for m in before) if all(
        m in force.monthly for m in before) else None
    return {
        "words": periods.rolling_words(latest),
        "count": count,
        "previous": previous,
        "change": _change(count, previous, "count"),
    }


def _baseline_figures(spec: MeasureSpec, force: ForceInputs, quarter: dict[str, Any] | None
                      ) -> dict[str, Any]:
    """The plan's baseline as an average month, against the latest quarter's average month.

    Only baselines over stated months can be computed (``fixed_period`` or ``mean_of_periods``);
    declared exclusions are left out and named.
    """
    rule = (spec.baseline or {}).get("rule", "not_stated")
    spans = ([spec.baseline.get("period")] if rule == "fixed_period"
             else list(spec.baseline.get("periods") or []) if rule == "mean_of_periods" else [])
    spans = [s for s in spans if s and s != "not_stated"]
    if not spans:
        return {"available": False,
                "sentence": "The plan does not state a baseline that can be computed from "
                            "monthly figures."}
    months = [m for span in spans for m in periods.period_months(str(span))]
    exclusions = [baselines.Exclusion(str(e["period"]), reason=e.get("reason", ""))
                  for e in spec.baseline.get("excluded") or []]
    missing = [m for m in months if m not in force.monthly
               and not any(e.covers(m) for e in exclusions)]
    if missing:
        noun = "month is" if len(missing) == 1 else "months are"
        return {"available": False,
                "sentence": f"The baseline cannot be computed: {len(missing)} of its {noun} "
                            f"not loaded ({periods.span_words(missing[0], missing[-1])})."}
    base = baselines.mean_baseline(force.monthly, months, exclusions)
    excluded = sorted({p.period for p in base.excluded})
    left_out = []
    for exclusion in exclusions:
        span = periods.span_words(min(exclusion.months()), max(exclusion.months()))
        left_out.append(f"{span} ({exclusion.reason.strip()})" if exclusion.reason else span)
    words = " and ".join(periods.span_words(periods.period_months(str(s))[0],
                                            periods.period_months(str(s))[-1]) for s in spans)
    sentence = (f"The baseline is an average of {change_method.format_number(base.value, 1)} a "
                f"month over {words}")
    sentence += f", leaving out {'; '.join(left_out)}." if excluded else "."
    result: dict[str, Any] = {"available": True, "value": base.value,
                              "months_used": len(base.periods), "months_excluded": excluded,
                              "sentence": sentence}
    if quarter:
        current = quarter["count"] / 3
        item = change_method.change(current, base.value, kind="rate")
        result.update(current=current, percent=item.percent,
                      comparison=f"{quarter['words']} averaged "
                                 f"{change_method.format_number(current, 1)} a month: "
                                 f"{item.text()} on the baseline.")
    return result


def _spc_figures(spec: MeasureSpec, force: ForceInputs) -> dict[str, Any]:
    months = periods.month_range(min(force.monthly), max(force.monthly))
    values = [force.monthly.get(m) for m in months]
    missing = [m for m, v in zip(months, values, strict=True) if v is None]
    options = dict(spec.spc)
    ghost = tuple(missing) + tuple(options.pop("ghost", ()))
    target = options.pop("target", None)
    try:
        settings = SPCSettings(ghost=ghost, **options)
        result = spc(values, periods=months, polarity=spec.polarity, settings=settings,
                     target=target)
    except (SPCInputError, TypeError) as exc:
        return {"available": False, "reason": str(exc)}
    points = []
    for p in result.points:
        points.append({
            "period": p.period,
            "label": _month_short(p.period),
            "value": p.value,
            "mean": p.mean,
            "upper": p.upper,
            "lower": p.lower,
            "segment": p.segment,
            "signal": "ghost" if p.ghost else p.signal,
        })
    summary = result.to_summary()
    return {
        "available": True,
        "points": [pt for pt in points if pt["value"] is not None],
        "summary": summary,
        "sentence": result.summary_sentence(),
        "missing_months": missing,
        "latest_signal": next((pt["signal"] for pt in reversed(points)
                               if pt["value"] is not None), "none"),
    }


def _peer_figures(spec: MeasureSpec, inputs: Inputs, label: str) -> dict[str, Any] | None:
    year = int(periods.months_of_quarter(label)[0][:4])
    rows = []
    for force in [inputs.force, *inputs.peers]:
        count = _quarter_count(force.monthly, label)
        pop = population_for(force, year)
        if count is None or pop is None:
            continue
        rows.append((force.slug, msg.AreaCount(force.name, count, pop[0])))
    if len(rows) < 2 or rows[0][0] != inputs.force.slug:
        return None
    return {"quarter": label, "words": periods.period_words(label),
            **peer_comparison(rows, spec.polarity)}


def peer_comparison(rows: list[tuple[str, msg.AreaCount]], polarity: str) -> dict[str, Any]:
    """The figures of a Most Similar Group comparison: ``rows`` are (slug, area) with the
    plan's own force first. One bar per force, lowest rate first, the force highlighted."""
    c = msg.compare_with_peers(rows[0][1], [area for _, area in rows[1:]], polarity)
    bars = sorted(
        ({"name": a.name, "slug": slug, "count": int(a.count),
          "population": int(round(a.population)), "rate": round(a.rate, 4),
          "highlight": slug == rows[0][0]} for slug, a in rows),
        key=lambda b: b["rate"],
    )
    return {
        "bars": bars,
        "rate": c.force_rate,
        "unweighted_mean_including": c.unweighted_with_force,
        "unweighted_mean_excluding": c.unweighted_without_force,
        "weighted_including": c.weighted_with_force,
        "weighted_excluding": c.weighted_without_force,
        "rank": c.rank,
        "group_size": c.group_size,
        "gap_rate": c.gap_rate,
        "gap_count": c.gap_count,
        "significance": c.significance.result,
        "better_than_average": c.better_than_average(),
        "sentence": c.sentence(),
    }


def _status(spec: MeasureSpec, figures: dict[str, Any]) -> tuple[str, str]:
    """A first simple rule for the status against the plan's target."""
    target = spec.target or {}
    kind = target.get("type", "not_stated")
    quarter = figures.get("quarter")
    better = {"lower": -1, "higher": 1}.get(spec.polarity)
    if kind in ("not_stated", None) or quarter is None:
        return "not-assessable", "The plan does not state a target that can be measured."
    if kind in ("msg_average_achieve", "msg_average_maintain"):
        peers = figures.get("peers")
        if not peers or better is None:
            return "not-assessable", "No peer figures are loaded for the latest quarter."
        ours, average = quarter.get("rate"), peers["unweighted_mean_including"]
        met = (ours - average) * better > 0
        verb = "better than" if met else "not better than"
        return ("met" if met else "not-met",
                f"The rate of {ours:.2f} per 1,000 people is {verb} the peer group average of "
                f"{average:.2f} in {quarter['words']}.")
    if kind == "reduce_by_percent":
        change = quarter.get("change", {})
        if not change.get("available") or change.get("percent") is None:
            return "not-assessable", "There is no figure for the same quarter last year."
        wanted = -abs(float(target.get("value", 0)))
        met = change["percent"] <= wanted
        return ("met" if met else "not-met",
                f"The plan asks for a fall of {abs(wanted):.1f}%; the change on the same quarter "
                f"last year is {change['text']}.")
    if kind == "numeric" and better is not None and target.get("value") is not None:
        value = (quarter.get("rate") if spec.unit == "rate_per_1000"
                 else quarter.get("value", quarter["count"]))
        if value is None:
            return "not-assessable", f"There is no figure in {quarter['words']} to compare."
        goal = float(target["value"])
        met = (value - goal) * better >= 0
        return ("met" if met else "not-met",
                f"{value:,.2f} against a target of {goal:,.2f} in {quarter['words']}.")
    if kind in ("spc_sustained_signal", "spc_assurance"):
        spc_fig = figures.get("spc", {})
        if not spc_fig.get("available"):
            return "not-assessable", "The SPC chart has too few points to judge the target."
        signal = spc_fig.get("latest_signal")
        if kind == "spc_assurance":
            icon = spc_fig["summary"].get("assurance_icon")
            if icon is None:
                return "not-assessable", "The SPC chart has no assurance icon for this target."
            met = icon == "consistently_pass"
            return ("met" if met else "not-met",
                    f"The assurance icon is '{icon.replace('_', ' ')}'.")
        met = signal == "improvement"
        return ("met" if met else "not-met",
                "The latest month shows improvement on the SPC chart." if met else
                "The latest month does not show a sustained improvement on the SPC chart.")
    return "not-assessable", f"Targets of type '{kind}' are not assessed yet."


def compute_measure(spec: MeasureSpec, inputs: Inputs) -> dict[str, Any]:
    """All figures for one measure. Pure: the same inputs always give the same output."""
    monthly = inputs.force.monthly
    if not monthly:
        return {"available": False, "status": "not-assessable",
                "reason": "No data is loaded for this measure yet."}
    latest = max(monthly)
    months = periods.month_range(min(monthly), latest)
    figures: dict[str, Any] = {
        "available": True,
        "latest_month": latest,
        "latest_month_words": periods.month_words(latest),
        "series": [{"period": m, "label": _month_short(m), "count": monthly.get(m)}
                   for m in months],
    }
    label = latest_complete_quarter(monthly)
    if label:
        figures["quarter"] = _quarter_figures(spec, inputs.force, label)
        figures["peers"] = _peer_figures(spec, inputs, label)
    figures["baseline"] = _baseline_figures(spec, inputs.force, figures.get("quarter"))
    figures["rolling12"] = _rolling12(inputs.force, latest)
    figures["spc"] = _spc_figures(spec, inputs.force)
    status, reason = _status(spec, figures)
    figures["status"] = status
    figures["status_reason"] = reason
    return figures
