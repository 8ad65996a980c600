"""Compute and store every measure of a plan: the one way figures are (re)computed.

Reads counts and populations from the ``data`` app, runs ``compute.compute_measure`` and the
grade scale, and stores one ``MeasureResult`` per measure in a single transaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from django.db import transaction
from django.db.models import Sum

from oversight.data.models import Force, ImportBatch, Population, StreetCount
from oversight.performance.compute import ForceInputs, Inputs, MeasureSpec, compute_measure
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
        if crime_types is None:
            figures: dict[str, Any] = {
                "available": False, "status": "not-assessable",
                "status_reason": "This measure's data source is not loaded yet.",
                "reason": "This measure comes from a source that has not been loaded yet.",
            }
        else:
            own = _inputs(plan.force, counts, pops, crime_types)
            peers = [_inputs(forces[s], counts, pops, crime_types)
                     for s in _peer_slugs(plan, measure) if s in forces and s != plan.force.slug]
            figures = compute_measure(_spec(measure), Inputs(own, peers))
        found[measure.id] = (figures, grade_for(plan, measure, figures),
                             batch_ids if crime_types is not None else [])
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
# The hook: ``external_series(plan, measure)`` returns an ``ExternalSeries`` (the periods and
# values of a measure whose source is not data.police.uk, with each value's provenance), or
# None when the measure has no such figures. ``compute_plan`` does not call it yet; it is
# kept separate so that the figures of these measures can be wired in without changing the
# police-uk path above.


from dataclasses import dataclass as _dataclass  # noqa: E402
from dataclasses import field as _field  # noqa: E402


@_dataclass(frozen=True)
class ExternalSeries:
    """A measure's figures from ONS tables, workforce tables, partner returns or survey and
    manual entries.

    ``points`` maps a period to its value (``None`` where the source prints a marker such as
    ``..``): for ONS, the month a 12-month period ends ("2019-12", one point a quarter); for
    workforce, the month of the count ("2019-09"); for returns and survey values, the period
    as entered ("2025-06", "2025/26 Q1", "2024/25"). ``details`` gives, per period, where
    the value came from (edition or file, batch, population vintage for a rate, sample size
    and confidence interval for a survey). ``batch_ids`` are the import batches used.
    """

    source: str
    frequency: str
    unit: str
    points: dict[str, float | None]
    details: dict[str, dict[str, Any]] = _field(default_factory=dict)
    batch_ids: list[int] = _field(default_factory=list)
    label: str = ""


def _ons_offence_for(measure: Any) -> Any:
    from oversight.data.importers.ons import BY_OFFENCE, OFFENCES, offence_for

    source = measure.source or {}
    if source.get("offence") in BY_OFFENCE:
        return BY_OFFENCE[source["offence"]]
    named = offence_for(str(source.get("offence") or "")) if source.get("offence") else None
    if named:
        return named
    text = " ".join(str(t) for t in (source.get("name"), source.get("description"),
                                     measure.name, measure.definition) if t).lower()
    labels = sorted(((label.lower(), o) for o in OFFENCES for label in (o.label, *o.aliases)),
                    key=lambda item: -len(item[0]))
    return next((o for label, o in labels if label in text), None)


def _ons_series(plan: Any, measure: Any) -> ExternalSeries | None:
    from oversight.data.models import OnsFigure

    offence = _ons_offence_for(measure)
    if offence is None or plan.force is None:
        return None
    wanted = "rate_per_1000_population" if measure.unit == "rate_per_1000" else "count"
    rows = OnsFigure.objects.filter(force=plan.force, offence=offence.slug, measure=wanted,
                                    is_current=True).order_by("period_end")
    points, details, batches = {}, {}, set()
    for f in rows:
        points[f.period_end] = f.value
        details[f.period_end] = {"edition": f.edition, "batch": f.batch_id,
                                 "population_vintage": f.population_vintage,
                                 "marker": f.marker, "revised": f.revised_from_id is not None}
        batches.add(f.batch_id)
    if not points:
        return None
    return ExternalSeries("ons", "quarterly", wanted, points, details, sorted(batches),
                          f"{offence.label}, 12 months ending each quarter")


def _workforce_series(plan: Any, measure: Any) -> ExternalSeries | None:
    from oversight.data.models import WorkforceFigure

    if plan.force is None:
        return None
    wanted = "officers_headcount" if "headcount" in str(measure.source).lower() else "officers_fte"
    rows = WorkforceFigure.objects.filter(force=plan.force, area_kind="force", measure=wanted,
                                          is_current=True).order_by("as_at")
    points = {f.as_at.strftime("%Y-%m"): f.value for f in rows}
    details = {f.as_at.strftime("%Y-%m"): {"edition": f.edition, "batch": f.batch_id,
                                           "as_at": f.as_at.isoformat()} for f in rows}
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
                          "comment": r.comment} for r in rows}
    unit = "percentage" if any(r.denominator for r in rows) else (measure.unit or "count")
    frequency = "monthly" if all(len(p) == 7 for p in points) else "quarterly"
    return ExternalSeries("partner", frequency, unit, points, details,
                          sorted({r.batch_id for r in rows}), "Partner returns")


def _survey_series(plan: Any, measure: Any) -> ExternalSeries | None:
    from django.db.models import Q

    from oversight.data.models import SurveyValue

    rows = list(SurveyValue.objects.filter(Q(force=plan.force) | Q(force__isnull=True),
                                           measure_code=measure.code, is_current=True)
                .order_by("period"))
    if not rows:
        return None
    points = {r.period: r.value for r in rows}
    details = {r.period: {"kind": r.kind, "sample_size": r.sample_size, "ci_lower": r.ci_lower,
                          "ci_upper": r.ci_upper, "confidence_level": r.confidence_level,
                          "source": r.source,
                          "published_on": r.published_on.isoformat() if r.published_on else None,
                          "batch": r.batch_id} for r in rows}
    return ExternalSeries(rows[-1].kind, "as entered", rows[-1].unit or measure.unit, points,
                          details, sorted({r.batch_id for r in rows}), rows[-1].source)


def external_series(plan: Any, measure: Any) -> ExternalSeries | None:
    """The figures of a measure whose source is not data.police.uk, or None."""
    kind = (measure.source or {}).get("type")
    if kind == "police-uk":
        return None
    if kind == "ons":
        return _ons_series(plan, measure)
    if kind == "home-office":
        return _workforce_series(plan, measure) or _ons_series(plan, measure)
    if kind == "partner":
        return _return_series(plan, measure) or _survey_series(plan, measure)
    return _survey_series(plan, measure) or _return_series(plan, measure)
