"""Reads shared by pages, reports and the command line: street-level counts and populations.

Counts come only from current import batches. The counting convention (DOMAIN.md 4.0) is
rows, repeated Crime IDs included; ``Counting.CRIME_IDS`` sums each cell's distinct Crime IDs
instead (ASB has none), which still counts an ID twice if its rows differ in LSOA or type.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from enum import StrEnum

from django.db.models import QuerySet, Sum

from oversight.data.models import Area, Force, ImportBatch, Population, StreetCount
from oversight.data.validate import CRIME_TYPES, MONTH_PATTERN

UNMAPPED = "unmapped"
"""The CSP reported for a local authority the area lookups do not have."""
LA_RENAMES = {"Folkestone and Hythe": "Shepway"}
"""Local authorities renamed without a boundary change since the lookups were published."""


class Grouping(StrEnum):
    """What monthly counts are broken down by."""

    CRIME_TYPE = "crime-type"
    LSOA = "lsoa"
    LOCAL_AUTHORITY = "local-authority"
    CSP = "csp"


class Counting(StrEnum):
    """What is counted: rows (the convention) or each cell's distinct Crime IDs."""

    ROWS = "rows"
    CRIME_IDS = "crime-ids"


class QueryError(ValueError):
    """A question the data cannot answer as asked; the message says what to change."""


@dataclass(frozen=True)
class MonthlyCount:
    """One month's count for one force and one crime type, LSOA, local authority or CSP.

    An empty ``key`` for LSOA, local authority or CSP means rows with no location.
    """

    month: str
    force: str
    key: str
    count: int


@dataclass(frozen=True)
class PopulationFigure:
    """A force area's mid-year population and the publication it comes from."""

    force: str
    year: int
    value: int
    source: str
    batch_id: int


def check_month(value: str) -> str:
    """The value if it is a YYYY-MM month, else ``QueryError``."""
    if not re.fullmatch(MONTH_PATTERN, value):
        raise QueryError(f'"{value}" is not a month; use YYYY-MM, e.g. 2020-01')
    return value


def get_force(slug: str) -> Force:
    """The force with this data.police.uk slug, else ``QueryError`` listing the known ones."""
    force = Force.objects.filter(slug=slug).first()
    if force is None:
        known = ", ".join(Force.objects.order_by("slug").values_list("slug", flat=True)) or "none"
        raise QueryError(
            f'there is no force "{slug}"; use one of: {known} '
            "(import data first if the list is empty)"
        )
    return force


def street_counts(
    force: str | None = None, start: str | None = None, end: str | None = None
) -> QuerySet[StreetCount]:
    """Current street counts, optionally for one force (slug) and months start..end."""
    counts = StreetCount.objects.filter(batch__status=ImportBatch.Status.CURRENT)
    if force is not None:
        counts = counts.filter(force=get_force(force))
    if start is not None:
        counts = counts.filter(month__gte=check_month(start))
    if end is not None:
        counts = counts.filter(month__lte=check_month(end))
    return counts


def monthly_counts(
    force: str | None = None,
    start: str | None = None,
    end: str | None = None,
    by: Grouping = Grouping.CRIME_TYPE,
    counting: Counting = Counting.ROWS,
) -> list[MonthlyCount]:
    """Monthly counts by force and the chosen breakdown, ordered by month, force and key.

    By crime type, every month a force has data lists all 14 types (zero where none).
    By CSP, local authorities are mapped through the imported lookups; those the lookups lack
    (e.g. North Northamptonshire, created in 2021) are counted under "unmapped".
    """
    measure = Sum("rows" if counting == Counting.ROWS else "crime_ids")
    column = {
        Grouping.CRIME_TYPE: "crime_type",
        Grouping.LSOA: "lsoa_code",
        Grouping.LOCAL_AUTHORITY: "local_authority",
        Grouping.CSP: "local_authority",
    }[by]
    grouped = (
        street_counts(force, start, end)
        .values_list("month", "force__slug", column)
        .annotate(n=measure)
        .order_by()
    )
    totals: Counter[tuple[str, str, str]] = Counter()
    if by == Grouping.CSP:
        csps = local_authority_csps()
        for month, slug, local_authority, n in grouped:
            totals[(month, slug, csp_for(local_authority, csps))] += n
    else:
        for month, slug, key, n in grouped:
            totals[(month, slug, key)] += n
    if by == Grouping.CRIME_TYPE:
        for month, slug in {(month, slug) for month, slug, _ in totals}:
            for crime_type in CRIME_TYPES:
                totals.setdefault((month, slug, crime_type), 0)
    return [MonthlyCount(month, slug, key, n) for (month, slug, key), n in sorted(totals.items())]


def months_with_counts(force: str) -> list[str]:
    """The months for which a force has current street-level data, in order."""
    return list(
        ImportBatch.objects.filter(
            kind=ImportBatch.Kind.POLICE_UK,
            status=ImportBatch.Status.CURRENT,
            force=get_force(force),
        )
        .order_by("month")
        .values_list("month", flat=True)
        .distinct()
    )


def _name_key(name: str) -> str:
    """A local authority name as matched: "Bristol, City of" and "Bristol" match."""
    name = LA_RENAMES.get(name, name)
    name = re.sub(r", (City|County) of$", "", name)
    return re.sub(r"^The ", "", name).casefold()


def local_authority_csps() -> dict[str, str]:
    """Local authority name (as matched by ``csp_for``) → its community safety partnership."""
    pairs = Area.objects.filter(kind=Area.Kind.LOCAL_AUTHORITY, parent__isnull=False).values_list(
        "name", "parent__name"
    )
    return {_name_key(name): csp for name, csp in pairs}


def csp_for(local_authority: str, csps: dict[str, str]) -> str:
    """The CSP of a local authority named in an LSOA name; "" for no location, else
    ``UNMAPPED`` when the lookups do not have it."""
    if not local_authority:
        return ""
    return csps.get(_name_key(local_authority), UNMAPPED)


def population_for(force: str, year: int) -> PopulationFigure | None:
    """A force area's population for a mid-year, with its source, or None if not imported."""
    row = (
        Population.objects.filter(force=get_force(force), year=year)
        .values_list("value", "source", "batch_id")
        .first()
    )
    if row is None:
        return None
    return PopulationFigure(force, year, row[0], row[1], row[2])


def populations(force: str) -> list[PopulationFigure]:
    """Every imported mid-year population for a force area, oldest first."""
    rows = (
        Population.objects.filter(force=get_force(force))
        .order_by("year")
        .values_list("year", "value", "source", "batch_id")
    )
    return [
        PopulationFigure(force, year, value, source, batch) for year, value, source, batch in rows
    ]


def street_batches(
    force: str | None = None, include_replaced: bool = False
) -> QuerySet[ImportBatch]:
    """data.police.uk batches (current only, unless asked), newest month first."""
    batches = ImportBatch.objects.filter(kind=ImportBatch.Kind.POLICE_UK)
    if not include_replaced:
        batches = batches.filter(status=ImportBatch.Status.CURRENT)
    if force is not None:
        batches = batches.filter(force=get_force(force))
    return batches.select_related("force").order_by("-month", "force__slug", "-imported_at")
