"""Area lookups: local authority → community safety partnership → police force area, and
the data.police.uk force list."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.db import transaction

from oversight.data import journal
from oversight.data.forces import BY_SLUG, KnownForce
from oversight.data.importers import lookups as lookup_files
from oversight.data.models import Area, Force, ImportBatch
from oversight.data.services.common import (
    ImportedFile,
    ImportResult,
    Kind,
    _file_batch,
    _new_versions,
    ensure_forces,
)


def import_lookups(paths: Sequence[Path], *, imported_by: str, user: Any = None) -> ImportResult:
    """Import ONS LAD → CSP → PFA lookups and the data.police.uk force list.

    Local authorities and community safety partnerships become ``Area`` rows tied to their
    force; a later lookup vintage updates them, an earlier one does not.
    """
    began = time.monotonic()
    result = ImportResult()
    fresh, result.unchanged = _new_versions(
        lookup_files.find_lookup_files(list(paths)), Kind.LOOKUPS
    )
    parsed = [(lookup_files.read_lookup_file(path), sha) for path, sha in fresh]
    parsed.sort(key=lambda item: (item[0].kind != "forces", item[0].vintage))
    with transaction.atomic():
        for lookup, sha in parsed:
            result.imported.append(_store_lookup(lookup, sha, imported_by, user))
    result.totals = {
        "files": len(result.imported),
        "rows_stored": sum(f.rows_stored for f in result.imported),
    }
    result.seconds = time.monotonic() - began
    return result


def _store_lookup(
    lookup: lookup_files.LookupFile, sha256: str, imported_by: str, user: Any
) -> ImportedFile:
    rows = len(lookup.forces) or len(lookup.areas)
    batch = _file_batch(
        Kind.LOOKUPS,
        lookup.path,
        sha256,
        rows,
        {"lookup": lookup.kind, "vintage": lookup.vintage},
        imported_by,
        user,
    )
    if lookup.kind == "forces":
        stored, spellings = _store_forces(lookup.forces, batch)
        batch.details["spellings_kept"] = spellings
    else:
        stored = _store_areas(lookup.areas, batch, lookup.vintage)
    batch.rows_stored = stored
    batch.save(update_fields=["rows_stored", "details"])
    return ImportedFile(
        batch.pk, batch.file_name, rows, stored, replaced_batch_id=batch.replaces_id
    )


def _store_forces(
    rows: Sequence[lookup_files.ForceRow], batch: ImportBatch
) -> tuple[int, dict[str, str]]:
    """Create each listed force; keep data.police.uk's own spelling where the list differs."""
    spellings = {}
    created_forces, codes_set = [], []
    for row in rows:
        known = BY_SLUG.get(row.slug) or KnownForce(row.slug, row.label)
        force, created = Force.objects.get_or_create(
            slug=row.slug, defaults={"name": known.name, "ons_code": known.ons_code}
        )
        if created:
            created_forces.append(force)
        if not created and not force.ons_code and known.ons_code:
            codes_set.append([force.pk, force.ons_code])
            force.ons_code = known.ons_code
            force.save(update_fields=["ons_code"])
        if force.name != row.label:
            spellings[row.label] = force.name
    journal.record_created(batch, created_forces)
    journal.record_updated(batch, Force, ["ons_code"], codes_set)
    return len(rows), spellings


def _store_areas(rows: Sequence[lookup_files.AreaRow], batch: ImportBatch, vintage: str) -> int:
    """Upsert CSPs, then local authorities under them; a newer vintage is never overwritten."""
    created_forces: list[Force] = []
    forces = ensure_forces({row.force_slug for row in rows}, created_forces)
    journal.record_created(batch, created_forces)
    codes_set = []
    for force in forces.values():
        if not force.ons_code:
            codes_set.append([force.pk, force.ons_code])
            force.ons_code = BY_SLUG[force.slug].ons_code
            force.save(update_fields=["ons_code"])
    journal.record_updated(batch, Force, ["ons_code"], codes_set)
    csps = {(r.csp_code): (r.csp_name, forces[r.force_slug], None) for r in rows}
    stored_csps = _upsert_areas(Area.Kind.CSP, csps, batch, vintage)
    las = {r.lad_code: (r.lad_name, forces[r.force_slug], stored_csps[r.csp_code]) for r in rows}
    _upsert_areas(Area.Kind.LOCAL_AUTHORITY, las, batch, vintage)
    return len(csps) + len(las)


def _upsert_areas(
    kind: str, wanted: dict[str, tuple[str, Force, Area | None]], batch: ImportBatch, vintage: str
) -> dict[str, Area]:
    existing = {
        a.code: a for a in Area.objects.filter(kind=kind, code__in=wanted).select_related("batch")
    }
    changed, created, before = [], [], []
    for code, (name, force, parent) in wanted.items():
        area = existing.get(code)
        if area is None:
            created.append(
                Area(kind=kind, code=code, name=name, force=force, parent=parent, batch=batch)
            )
        elif area.batch.details.get("vintage", "") <= vintage:
            before.append([area.pk, area.name, area.force_id, area.parent_id, area.batch_id])
            area.name, area.force, area.parent, area.batch = name, force, parent, batch
            changed.append(area)
    journal.record_updated(
        batch,
        Area,
        ["name", "force_id", "parent_id", "batch_id"],
        before,
        depends_on={row[4] for row in before},
    )
    Area.objects.bulk_create(created)
    Area.objects.bulk_update(changed, ["name", "force", "parent", "batch"])
    return existing | {area.code: area for area in created}
