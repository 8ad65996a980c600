"""Compute and store every measure of a plan: the one way figures are (re)computed.

Reads counts and populations from the ``data`` app, runs ``compute.compute_measure`` (for
data.police.uk measures) or ``external.compute_external`` (for ONS tables, Home Office
workforce, partner returns and survey values) and the grade scale, and stores one
``MeasureResult`` per measure, with the import batches it used, in a single transaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from django.db import transaction
from django.db.models import Q, Sum

from oversight.data.models import Force, ImportBatch, Population, StreetCount
from oversight.performance import external
from oversight.performance.compute import ForceInputs, Inputs, MeasureSpec, compute_measure
from oversight.performance.external import ExternalPeers, ExternalSeries, PeerSeries
from oversight.performance.grading import grade_for
from oversight.performance.models import MeasureResult

ALL_CRIME = "all crime"
ASB = "Anti-social behaviour"


def _crime_types(source: dict[str, Any]) -> list[str] | None:
    """The data.police.uk crime types a measure counts, or None if it is not from there."""
    if (source or {}).get("type") != "police-uk":
        return None
    return list(source.get("crime_types") or [])


def _monthly_by_force(force_ids: Iterable[int]) -> dict[int, dict[tuple[str, str], int]]:
    """One grouped query: rows per (month, crime type) for each force, current batches only."""
    totals: dict[int, dict[tuple[str, str], int]] = defaultdict(dict)
    rows = (
        StreetCount.objects.filter(force_id__in=list(force_ids),
                                   batch__status=ImportBatch.Status.CURRENT)
        .values_list("force_id", "month", "crime_type")
        .annotate(n=Sum("rows"))
    )
    for force_id, month, crime_type, n in rows:
        totals[force_id][(month, crime_type)] = n
    return totals


def _select(cells: dict[tuple[str, str], int], crime_types: list[str]) -> dict[str, int]:
    wanted = set(crime_types)
    every = ALL_CRIME in {c.lower() for c in crime_types}
    months: dict[str, int] = defaultdict(int)
    seen: set[str] = set()
    for (month, crime_type), n in cells.items():
        seen.add(month)
        if crime_type in wanted or (every and crime_type != ASB):
            months[month] += n
    for month in seen:  # a loaded month with no matching rows counts as 0, not missing
        months.setdefault(month, 0)
    return dict(months)


def _populations(force_ids: Iterable[int]) -> dict[int, dict[int, tuple[int, str]]]:
    result: dict[int, dict[int, tuple[int, str]]] = defaultdict(dict)
    for p in Population.objects.filter(force_id__in=list(force_ids)):
        result[p.force_id][p.year] = (p.value, p.source)
    return result


def _inputs(force: Force, counts: dict[int, dict[tuple[str, str], int]],
            pops: dict[int, dict[int, tuple[int, str]]], crime_types: list[str]) -> ForceInputs:
    return ForceInputs(force.slug, force.name, _select(counts.get(force.id, {}), crime_types),
                       pops.get(force.id, {}))


def _spec(measure: Any) -> MeasureSpec:
    return MeasureSpec(
        code=measure.code,
        name=measure.name,
        unit=measure.unit,
        polarity=measure.polarity,
        target=measure.target or {},
        baseline=measure.baseline or {},
        spc=measure.spc or {},
    )


def _peer_slugs(plan: Any, measure: Any) -> list[str]:
    name = getattr(measure, "peer_group", "") or ""
    groups = list(plan.peer_groups.all())
    group = next((g for g in groups if g.name == name), groups[0] if groups else None)
    return list(group.members) if group else []


def compute_figures(plan: Any, measures: list[Any], *, last_month: str | None = None,
                    progress: Callable[[str], None] | None = None
                    ) -> dict[int, tuple[dict[str, Any], Any, list[int]]]:
    """Figures, grade and source batches for each measure, keyed by measure id; stores nothing.

    With ``last_month`` only data up to that month is used, for reports of earlier quarters.
    """
    peer_slugs = {slug for m in measures for slug in _peer_slugs(plan, m)}
    forces = {f.slug: f for f in Force.objects.filter(slug__in={*peer_slugs, plan.force.slug})}
    force_ids = [f.id for f in forces.values()]
    counts = _monthly_by_force(force_ids)
    if last_month is not None:
        counts = {force_id: {key: n for key, n in cells.items() if key[0] <= last_month}
                  for force_id, cells in counts.items()}
    pops = _populations(force_ids)
    batches = ImportBatch.objects.filter(status=ImportBatch.Status.CURRENT,
                                         force_id__in=force_ids)
    if last_month is not None:
        batches = batches.exclude(kind=ImportBatch.Kind.POLICE_UK, month__gt=last_month)
    batch_ids = sorted(batches.values_list("id", flat=True))
    found: dict[int, tuple[dict[str, Any], Any, list[int]]] = {}
    for measure in measures:
        if progress:
            progress(measure.code)
        crime_types = _crime_types(measure.source)
        used = batch_ids
        if crime_types is None:
            series = external_series(plan, measure)
            if series is not None and last_month is not None:
                series = _up_to(series, last_month)
            if series is None or not series.points:
                figures: dict[str, Any] = _not_loaded(measure)
                used = []
            else:
                group, peer_batches = _ons_peers(plan, measure, series, forces)
                figures = external.compute_external(_spec(measure), series, group)
                used = sorted({*series.batch_ids, *peer_batches})
        else:
            own = _inputs(plan.force, counts, pops, crime_types)
            peers = [_inputs(forces[s], counts, pops, crime_types)
                     for s in _peer_slugs(plan, measure) if s in forces and s != plan.force.slug]
            figures = compute_measure(_spec(measure), Inputs(own, peers))
        found[measure.id] = (figures, grade_for(plan, measure, figures), used)
    return found


@transaction.atomic
def compute_plan(plan: Any, progress: Callable[[str], None] | None = None) -> list[MeasureResult]:
    """Compute every measure of ``plan`` and store the results. Returns them in plan order."""
    measures = list(plan.measures.select_related("theme").order_by("order", "id"))
    computed = compute_figures(plan, measures, progress=progress)
    results = []
    for measure in measures:
        figures, grade, batch_ids = computed[measure.id]
        result, _ = MeasureResult.objects.update_or_create(
            measure=measure,
            defaults={
                "latest_month": figures.get("latest_month", ""),
                "latest_quarter": (figures.get("quarter") or {}).get("label", ""),
                "status": figures.get("status", "not-assessable"),
                "status_reason": figures.get("status_reason", ""),
                "grade": grade.label,
                "grade_colour": grade.colour,
                "grade_reason": grade.reason,
                "figures": figures,
                "batch_ids": batch_ids,
                "warnings": (figures.get("spc") or {}).get("summary", {}).get("warnings", []),
            },
        )
        results.append(result)
    return results


# --- Series for sources other than data.police.uk (ONS, workforce, returns, survey) --------
#
# ``external_series(plan, measure)`` returns an ``ExternalSeries`` (the periods and values of
# a measure whose source is not data.police.uk, with each value's provenance), or None when
# none are loaded; ``compute_figures`` turns it into figures with ``external.compute_external``.


def _ons_offence_for(measure: Any) -> Any:
    """The ONS offence group a measure counts: named in its source, else the most specific
    offence group whose label its source, name or definition mentions."""
    from oversight.data.importers.ons import BY_OFFENCE, OFFENCES, offence_for

    source = measure.source or {}
    if source.get("offence") in BY_OFFENCE:
        return BY_OFFENCE[source["offence"]]
    named = offence_for(str(source.get("offence") or "")) if source.get("offence") else None
    if named:
        return named
    for text in (source.get("name"), source.get("description"), measure.name,
                 measure.definition):
        text = str(text or "").lower()
        found = [o for o in OFFENCES for label in (o.label, *o.aliases) if label.lower() in text]
        if found:
            return max(found, key=lambda o: (o.level, len(o.label)))
    return None


def _ons_figures_of(offence: str) -> Q:
    """An offence group's counts and rates, and the populations the rates used."""
    return (Q(offence=offence, measure__in=["count", "rate_per_1000_population"])
            | Q(offence="", measure="population"))


def _ons_series(plan: Any, measure: Any) -> ExternalSeries | None:
    from oversight.data.models import OnsFigure

    offence = _ons_offence_for(measure)
    if offence is None or plan.force is None:
        return None
    wanted = "rate_per_1000_population" if measure.unit == "rate_per_1000" else "count"
    rows = (OnsFigure.objects.filter(_ons_figures_of(offence.slug), force=plan.force,
                                     is_current=True).order_by("period_end"))
    by_period: dict[str, dict[str, Any]] = defaultdict(dict)
    for f in rows:
        by_period[f.period_end][f.measure] = f
    points, details, batches = {}, {}, set()
    for period, found in sorted(by_period.items()):
        figure = found.get(wanted)
        if figure is None:
            continue
        points[period] = figure.value
        rate, count, people = (found.get("rate_per_1000_population"), found.get("count"),
                               found.get("population"))
        details[period] = {
            "edition": figure.edition, "batch": figure.batch_id,
            "table": figure.table, "offence": offence.slug, "offence_label": offence.label,
            "population_vintage": (rate.population_vintage if rate else "")
            or figure.population_vintage,
            "marker": figure.marker, "revised": figure.revised_from_id is not None,
            "count": count.value if count else None,
            "rate": rate.value if rate else None,
            "population": people.value if people and rate else None,
        }
        batches.update(f.batch_id for f in found.values())
    if not points:
        return None
    return ExternalSeries("ons", "quarterly", wanted, points, details, sorted(batches),
                          f"{offence.label}, 12 months ending each quarter")


def _ons_peers(plan: Any, measure: Any, series: ExternalSeries, forces: dict[str, Force]
               ) -> tuple[ExternalPeers | None, set[int]]:
    """The peer forces' ONS figures for the series' offence group and latest period, in one
    query, and the import batches they came from."""
    from oversight.data.models import OnsFigure

    if series.source != "ons" or plan.force is None:
        return None, set()
    slugs = [s for s in _peer_slugs(plan, measure) if s != plan.force.slug and s in forces]
    offence = next((d["offence"] for d in series.details.values() if d.get("offence")), None)
    with_values = [p for p, v in series.points.items() if v is not None]
    if not slugs or offence is None or not with_values:
        return None, set()
    period = max(with_values, key=external.last_month)
    rows = OnsFigure.objects.filter(_ons_figures_of(offence),
                                    force__in=[forces[s] for s in slugs], is_current=True,
                                    period_end=period)
    found: dict[int, dict[str, Any]] = defaultdict(dict)
    batches: set[int] = set()
    for f in rows:
        found[f.force_id][f.measure] = f.value
        batches.add(f.batch_id)
    peers = []
    for slug in slugs:
        values = found.get(forces[slug].id, {})
        peers.append(PeerSeries(slug, forces[slug].name, {period: {
            "count": values.get("count"), "rate": values.get("rate_per_1000_population"),
            "population": values.get("population")}}))
    return ExternalPeers(plan.force.slug, plan.force.name, peers), batches


def _is_workforce(measure: Any) -> bool:
    text = " ".join(str(t) for t in ((measure.source or {}).get("name"),
                                     (measure.source or {}).get("description"), measure.name)
                    if t).lower()
    return any(word in text for word in ("officer", "workforce", "fte", "full-time equivalent"))


def _workforce_series(plan: Any, measure: Any) -> ExternalSeries | None:
    from oversight.data.models import WorkforceFigure

    if plan.force is None:
        return None
    wanted = "officers_headcount" if "headcount" in str(measure.source).lower() else "officers_fte"
    rows = WorkforceFigure.objects.filter(force=plan.force, area_kind="force", measure=wanted,
                                          is_current=True).order_by("as_at")
    points = {f.as_at.strftime("%Y-%m"): f.value for f in rows}
    details = {f.as_at.strftime("%Y-%m"): {"edition": f.edition, "batch": f.batch_id,
                                           "as_at": f.as_at.isoformat(),
                                           "revised": f.revised_from_id is not None}
               for f in rows}
    if not points:
        return None
    return ExternalSeries("home-office", "half-yearly", wanted, points, details,
                          sorted({f.batch_id for f in rows}), "Police officers")


def _return_series(plan: Any, measure: Any) -> ExternalSeries | None:
    from oversight.returns.models import ReturnValue

    rows = list(ReturnValue.objects.filter(measure_code=measure.code,
                                           batch__status=ImportBatch.Status.CURRENT)
                .select_related("provider").order_by("period"))
    if not rows:
        return None
    points = {r.period: r.figure for r in rows}
    details = {r.period: {"provider": r.provider.name, "batch": r.batch_id,
                          "numerator": r.numerator, "denominator": r.denominator,
                          "count": r.numerator if r.denominator else r.value,
                          "comment": r.comment} for r in rows}
    unit = "percentage" if any(r.denominator for r in rows) else (measure.unit or "count")
    frequency = "monthly" if all(len(p) == 7 for p in points) else "quarterly"
    return ExternalSeries("partner", frequency, unit, points, details,
                          sorted({r.batch_id for r in rows}), "Partner returns")


def _survey_series(plan: Any, measure: Any) -> ExternalSeries | None:
    from oversight.data.models import SurveyValue

    rows = list(SurveyValue.objects.filter(Q(force=plan.force) | Q(force__isnull=True),
                                           measure_code=measure.code, is_current=True,
                                           batch__status=ImportBatch.Status.CURRENT)
                .order_by("period"))
    if not rows:
        return None
    points = {r.period: r.value for r in rows}
    details = {r.period: {"kind": r.kind, "sample_size": r.sample_size, "ci_lower": r.ci_lower,
                          "ci_upper": r.ci_upper, "confidence_level": r.confidence_level,
                          "source": r.source,
                          "published_on": r.published_on.isoformat() if r.published_on else None,
                          "note": r.note, "batch": r.batch_id} for r in rows}
    return ExternalSeries(rows[-1].kind, "as entered", rows[-1].unit or measure.unit or "",
                          points, details, sorted({r.batch_id for r in rows}), rows[-1].source)


def external_series(plan: Any, measure: Any) -> ExternalSeries | None:
    """The figures of a measure whose source is not data.police.uk, or None."""
    kind = (measure.source or {}).get("type")
    if kind == "police-uk":
        return None
    if kind == "ons":
        return _ons_series(plan, measure)
    if kind == "home-office":
        if _is_workforce(measure):
            return _workforce_series(plan, measure)
        return _ons_series(plan, measure)
    if kind == "partner":
        return _return_series(plan, measure) or _survey_series(plan, measure)
    return _survey_series(plan, measure) or _return_series(plan, measure)


NOT_LOADED = {
    "ons": "No ONS police force area table figures for this offence group are loaded for the "
           "plan's force. Import them with: oversight import ons PATH",
    "home-office": "No Home Office figures for this measure are loaded for the plan's force. "
                   "Import them with: oversight import workforce PATH (or ons PATH for "
                   "recorded crime)",
    "partner": "No partner return for this measure has been accepted yet.",
    "survey": "No survey value has been entered for this measure yet. Enter one in the staff "
              "area (Data, Survey and other values).",
    "not_stated": "The plan does not say where this measure's figures come from, so there is "
                  "nothing to compute it from.",
}


def _not_loaded(measure: Any) -> dict[str, Any]:
    kind = (measure.source or {}).get("type") or "not_stated"
    reason = NOT_LOADED.get(kind, "No figures for this measure have been loaded or entered "
                                  "yet.")
    return {"available": False, "status": "not-assessable",
            "status_reason": "There are no figures to assess.", "reason": reason,
            "source_kind": kind}


def _up_to(series: ExternalSeries, last_month: str) -> ExternalSeries:
    """The series with only the periods ending by ``last_month``."""
    from dataclasses import replace

    keep = {p: v for p, v in series.points.items() if external.last_month(p) <= last_month}
    details = {p: d for p, d in series.details.items() if p in keep}
    return replace(series, points=keep, details=details,
                   batch_ids=sorted({d["batch"] for d in details.values() if d.get("batch")}))
