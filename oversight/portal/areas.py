"""Crime by type and month for the plan's force area, a community safety partnership (CSP) or
a local authority, from current data.police.uk batches.

Local authorities are matched to street counts by name (the LSOA name's prefix), as
``oversight.data.queries`` does; a CSP is the local authorities the area lookups put in it.
Each table costs at most two queries, however many months or areas are loaded.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.db.models import Count, Max, Sum

from oversight.charts.base import LINE, Chart, base_config, render_svg
from oversight.data.models import Area, ImportBatch, StreetCount
from oversight.data.queries import _name_key
from oversight.data.validate import ASB, CRIME_TYPES
from oversight.formatting import month_words, number

SHOWN_MONTHS = 12
"""Months shown in the page's table; the download has every month."""

KIND_SLUGS = {"csp": Area.Kind.CSP, "local-authority": Area.Kind.LOCAL_AUTHORITY}
KIND_WORDS = {"force": "Police force area", "csp": "Community safety partnership",
              "local-authority": "Local authority"}


@dataclass(frozen=True)
class CrimeTable:
    """Counts by crime type (rows) and month (columns)."""

    months: list[str]
    counts: dict[tuple[str, str], int]

    def count(self, crime_type: str, month: str) -> int:
        return self.counts.get((crime_type, month), 0)

    def month_total(self, month: str, *, with_asb: bool = False) -> int:
        return sum(n for (t, m), n in self.counts.items()
                   if m == month and (with_asb or t != ASB))

    def type_total(self, crime_type: str, months: list[str]) -> int:
        return sum(self.count(crime_type, m) for m in months)

    def rows(self, months: list[str]) -> list[dict[str, Any]]:
        """One row per crime type (all 14, zero where none), then the total excluding ASB."""
        rows = [{"type": t, "cells": [self.count(t, m) for m in months],
                 "total": self.type_total(t, months)} for t in CRIME_TYPES]
        crime = [self.month_total(m) for m in months]
        rows.append({"type": "All crime (excluding anti-social behaviour)", "cells": crime,
                     "total": sum(crime), "is_total": True})
        return rows


def data_version() -> tuple[int, ...]:
    """A fingerprint of the current data.police.uk batches (one small query).

    Any import, replacement or rollback changes it, so answers cached under it (the two
    functions below, which scan the force's street counts) are never out of date.
    """
    row = ImportBatch.objects.filter(
        kind=ImportBatch.Kind.POLICE_UK, status=ImportBatch.Status.CURRENT
    ).aggregate(n=Count("id"), top=Max("id"), ids=Sum("id"), rows=Sum("rows_read"))
    return tuple(row[key] or 0 for key in ("n", "top", "ids", "rows"))


def local_authority_names(force: Any, areas: list[Area]) -> list[str]:
    """The names street counts use for these local authorities (at most two queries)."""
    wanted = frozenset(_name_key(a.name) for a in areas)
    return list(_local_authority_names(force.pk, wanted, data_version()))


@lru_cache(maxsize=256)
def _local_authority_names(force_id: int, wanted: frozenset[str],
                           version: tuple[int, ...]) -> tuple[str, ...]:
    names = (StreetCount.objects.filter(force_id=force_id)
             .values_list("local_authority", flat=True).distinct().order_by())
    return tuple(sorted(n for n in names if n and _name_key(n) in wanted))


def crime_table(force: Any, local_authorities: list[str] | None = None) -> CrimeTable:
    """Counts by crime type and month for a force, or for some of its local authorities."""
    names = None if local_authorities is None else tuple(local_authorities)
    return _crime_table(force.pk, names, data_version())


@lru_cache(maxsize=256)
def _crime_table(force_id: int, local_authorities: tuple[str, ...] | None,
                 version: tuple[int, ...]) -> CrimeTable:
    counts = StreetCount.objects.filter(force_id=force_id,
                                        batch__status=ImportBatch.Status.CURRENT)
    if local_authorities is not None:
        counts = counts.filter(local_authority__in=local_authorities)
    totals: dict[tuple[str, str], int] = defaultdict(int)
    months: set[str] = set()
    for month, crime_type, n in (counts.values_list("month", "crime_type")
                                 .annotate(n=Sum("rows")).order_by()):
        totals[(crime_type, month)] += n
        months.add(month)
    return CrimeTable(sorted(months), dict(totals))


def crime_chart(chart_id: str, place: str, table: CrimeTable) -> Chart:
    """A bar chart of crimes each month (excluding ASB), with its data table."""
    months = table.months[-SHOWN_MONTHS:]
    values = [{"month": month_words(m), "order": i, "count": table.month_total(m)}
              for i, m in enumerate(months)]
    title = f"Crimes recorded each month in {place}"
    if values:
        high = max(values, key=lambda v: v["count"])
        low = min(values, key=lambda v: v["count"])
        summary = (f"From {values[0]['month']} to {values[-1]['month']}, the most crimes were "
                   f"recorded in {high['month']} ({number(high['count'])}) and the fewest in "
                   f"{low['month']} ({number(low['count'])}). Anti-social behaviour is not "
                   "included.")
    else:
        summary = "No street-level data is loaded for this area."
    spec = base_config(620, 240) | {
        "data": {"values": values},
        "mark": {"type": "bar", "color": LINE},
        "encoding": {
            "x": {"field": "month", "type": "ordinal", "sort": {"field": "order"},
                  "title": None, "axis": {"labelAngle": -45}},
            "y": {"field": "count", "type": "quantitative", "title": "Crimes"},
        },
    }
    return Chart(
        chart_id=chart_id, title=title, summary=summary,
        svg=_svg(json.dumps(spec, sort_keys=True), chart_id, title, summary),
        columns=["Month", "Crimes (excluding anti-social behaviour)"],
        rows=[[v["month"], number(v["count"])] for v in values],
        caption=f"Crimes recorded each month in {place}, excluding anti-social behaviour",
        spec=spec,
    )


@lru_cache(maxsize=256)
def _svg(spec: str, chart_id: str, title: str, summary: str) -> str:
    """The chart drawn once per process for the same spec and words (drawing is slow)."""
    return render_svg(json.loads(spec), chart_id, title, summary)
