"""Mid-year population by police force area and by local authority."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.db import transaction

from oversight.data import journal
from oversight.data.importers import population as population_files
from oversight.data.models import Area, Force, Population
from oversight.data.services.common import (
    ImportedFile,
    ImportResult,
    Kind,
    _file_batch,
    _new_versions,
    ensure_forces,
)


def import_population(paths: Sequence[Path], *, imported_by: str, user: Any = None) -> ImportResult:
    """Import mid-year populations by police force area, recording each figure's source.

    The ONS police force area tables outrank the compiled table: where both give a force and
    year, the ONS figure is kept, whichever file is imported first.
    """
    began = time.monotonic()
    result = ImportResult()
    chosen, skipped = population_files.find_population_files(list(paths))
    la_codes = _local_authority_codes()
    by_area = [
        p for p in [*chosen, *skipped] if population_files.is_local_authority_file(p, la_codes)
    ]
    chosen = [p for p in chosen if p not in by_area]
    result.skipped = [_skip_reason(path) for path in skipped if path not in by_area]
    fresh, result.unchanged = _new_versions(chosen, Kind.POPULATION)
    fresh_areas, unchanged_areas = _new_versions(by_area, Kind.POPULATION)
    result.unchanged += unchanged_areas
    parsed = [(population_files.read_population_file(path), sha) for path, sha in fresh]
    parsed.sort(key=lambda item: item[0].rank)
    parsed_areas = [
        (population_files.read_la_population_file(path, la_codes), sha) for path, sha in fresh_areas
    ]
    with transaction.atomic():
        for population_file, sha in parsed:
            result.imported.append(_store_population(population_file, sha, imported_by, user))
        for area_file, sha in parsed_areas:
            result.imported.append(_store_area_population(area_file, sha, imported_by, user))
    result.totals = {
        "files": len(result.imported),
        "rows_stored": sum(f.rows_stored for f in result.imported),
    }
    result.seconds = time.monotonic() - began
    return result


def _store_population(
    population_file: population_files.PopulationFile, sha256: str, imported_by: str, user: Any
) -> ImportedFile:
    batch = _file_batch(
        Kind.POPULATION,
        population_file.path,
        sha256,
        population_file.rows_read,
        {"publisher": population_file.publisher, "rank": population_file.rank},
        imported_by,
        user,
    )
    created_forces: list[Force] = []
    forces = ensure_forces({row.force_slug for row in population_file.rows}, created_forces)
    journal.record_created(batch, created_forces)
    existing = {
        (p.force_id, p.year): p
        for p in Population.objects.filter(force__in=forces.values()).select_related("batch")
    }
    created, changed, kept, before = [], [], Counter[str](), []
    for row in population_file.rows:
        force = forces[row.force_slug]
        current = existing.get((force.pk, row.year))
        if current is None:
            created.append(
                Population(
                    force=force, year=row.year, value=row.value, source=row.source, batch=batch
                )
            )
        elif current.batch.details.get("rank", 0) > population_file.rank:
            kept[str(row.year)] += 1
        else:
            before.append([current.pk, current.value, current.source, current.batch_id])
            current.value, current.source, current.batch = row.value, row.source, batch
            changed.append(current)
    journal.record_updated(
        batch, Population, ["value", "source", "batch_id"], before, {r[3] for r in before}
    )
    Population.objects.bulk_create(created)
    Population.objects.bulk_update(changed, ["value", "source", "batch"])
    batch.rows_stored = len(created) + len(changed)
    batch.details["years"] = sorted({row.year for row in population_file.rows})
    batch.details["kept_higher_ranked_source"] = dict(kept)
    batch.save(update_fields=["rows_stored", "details"])
    return ImportedFile(
        batch.pk,
        batch.file_name,
        population_file.rows_read,
        batch.rows_stored,
        replaced_batch_id=batch.replaces_id,
    )


def _local_authority_codes() -> dict[str, str]:
    """Local authority name key → ONS code, for the local authorities the lookups hold."""
    return {
        population_files.la_key(name): code
        for name, code in Area.objects.filter(kind=Area.Kind.LOCAL_AUTHORITY).values_list(
            "name", "code"
        )
    }


def _skip_reason(path: Path) -> str:
    header = population_files._header(path) if path.suffix.lower() == ".csv" else []
    if header[:1] == ["year"] and "la" in path.stem.lower().split("_"):
        return f"{path.name} (by local authority: import the area lookups first)"
    return path.name


def _store_area_population(
    area_file: population_files.AreaPopulationFile, sha256: str, imported_by: str, user: Any
) -> ImportedFile:
    """Population by local authority: one row per area and year, the compiled source."""
    batch = _file_batch(
        Kind.POPULATION,
        area_file.path,
        sha256,
        area_file.rows_read,
        {
            "publisher": "ONS mid-year estimates by local authority, compiled by a third party",
            "rank": population_files.LA_RANK,
            "areas_matched": len(area_file.matched),
            "not_stored_merged_areas": list(area_file.unmatched),
        },
        imported_by,
        user,
    )
    areas = {
        a.code: a
        for a in Area.objects.filter(
            kind=Area.Kind.LOCAL_AUTHORITY, code__in={r.area_code for r in area_file.rows}
        )
    }
    existing = {
        (p.area_id, p.year): p
        for p in Population.objects.filter(area__in=areas.values()).select_related("batch")
    }
    created, changed, before = [], [], []
    for row in area_file.rows:
        area = areas[row.area_code]
        current = existing.get((area.pk, row.year))
        if current is None:
            created.append(
                Population(
                    area=area,
                    year=row.year,
                    value=row.value,
                    source=population_files.LA_SOURCE,
                    batch=batch,
                )
            )
        elif current.value != row.value or current.batch_id != batch.pk:
            before.append([current.pk, current.value, current.source, current.batch_id])
            current.value, current.source, current.batch = (
                row.value,
                population_files.LA_SOURCE,
                batch,
            )
            changed.append(current)
    journal.record_updated(
        batch, Population, ["value", "source", "batch_id"], before, {r[3] for r in before}
    )
    Population.objects.bulk_create(created)
    Population.objects.bulk_update(changed, ["value", "source", "batch"])
    batch.rows_stored = len(created) + len(changed)
    batch.save(update_fields=["rows_stored"])
    return ImportedFile(
        batch.pk,
        batch.file_name,
        area_file.rows_read,
        batch.rows_stored,
        replaced_batch_id=batch.replaces_id,
    )
