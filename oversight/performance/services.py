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


@transaction.atomic
def compute_plan(plan: Any, progress: Callable[[str], None] | None = None) -> list[MeasureResult]:
    """Compute every measure of ``plan`` and store the results. Returns them in plan order."""
    measures = list(plan.measures.select_related("theme").order_by("order", "id"))
    peer_slugs = {slug for m in measures for slug in _peer_slugs(plan, m)}
    forces = {f.slug: f for f in Force.objects.filter(slug__in={*peer_slugs, plan.force.slug})}
    counts = _monthly_by_force(f.id for f in forces.values())
    pops = _populations(f.id for f in forces.values())
    batch_ids = sorted(
        ImportBatch.objects.filter(status=ImportBatch.Status.CURRENT,
                                   force_id__in=[f.id for f in forces.values()])
        .values_list("id", flat=True)
    )
    results = []
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
        grade = grade_for(plan, measure, figures)
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
                "batch_ids": batch_ids if crime_types is not None else [],
                "warnings": (figures.get("spc") or {}).get("summary", {}).get("warnings", []),
            },
        )
        results.append(result)
    return results
