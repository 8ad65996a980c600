"""Home Office police workforce tables: officers by force and date."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.db import transaction

from oversight.data import journal
from oversight.data.importers import workforce as workforce_files
from oversight.data.models import Force, WorkforceFigure
from oversight.data.services.common import (
    ImportedFile,
    ImportResult,
    Kind,
    _new_batch,
    _new_versions,
    ensure_forces,
)
from oversight.data.services.revisable import _store_revisable


def import_workforce(paths: Sequence[Path], *, imported_by: str, user: Any = None) -> ImportResult:
    """Import police officer numbers by force (Home Office workforce tables, .ods or CSV).

    Files are stored oldest first; a later edition that gives a different figure for a date
    already held revises it (both kept, linked).
    """
    began = time.monotonic()
    result = ImportResult()
    chosen, skipped = workforce_files.find_workforce_files(list(paths))
    result.skipped = [path.name for path in skipped]
    fresh, result.unchanged = _new_versions(chosen, Kind.WORKFORCE)
    parsed = [(workforce_files.read_workforce_file(path), sha) for path, sha in fresh]
    parsed.sort(key=lambda item: (item[0].latest, item[0].form != "ods", item[0].path.name))
    with transaction.atomic():
        for workforce_file, sha in parsed:
            result.imported.append(_store_workforce(workforce_file, sha, imported_by, user))
    result.totals = {
        "files": len(result.imported),
        "rows_stored": sum(f.rows_stored for f in result.imported),
        "revised": sum(f.difference.get("figures_revised", 0) for f in result.imported),
    }
    result.seconds = time.monotonic() - began
    return result


def _store_workforce(
    workforce_file: workforce_files.WorkforceFile, sha256: str, imported_by: str, user: Any
) -> ImportedFile:
    batch = _new_batch(
        Kind.WORKFORCE,
        workforce_file.path,
        sha256,
        workforce_file.rows_read,
        {"form": workforce_file.form, "dates": workforce_file.dates},
        imported_by,
        user,
    )
    created_forces: list[Force] = []
    forces = ensure_forces(
        {r.force_slug for r in workforce_file.rows if r.force_slug}, created_forces
    )
    journal.record_created(batch, created_forces)
    rows = [
        {
            "as_at": r.as_at,
            "measure": r.measure,
            "area_key": r.area_key,
            "area_name": r.area_name,
            "area_kind": r.area_kind,
            "force_id": forces[r.force_slug].pk if r.force_slug else None,
            "value": r.value,
            "edition": workforce_file.path.name,
        }
        for r in workforce_file.rows
    ]
    outcome = _store_revisable(
        WorkforceFigure,
        batch,
        rows,
        ("area_key", "measure", "as_at"),
        {"as_at__in": sorted({r.as_at for r in workforce_file.rows})},
        lambda r: f"{r['area_name']}, {r['measure']} at {r['as_at']}",
    )
    batch.rows_stored = outcome.created
    batch.details |= outcome.details()
    batch.save(update_fields=["rows_stored", "details"])
    return ImportedFile(
        batch.pk,
        batch.file_name,
        workforce_file.rows_read,
        outcome.created,
        difference=outcome.details(),
    )
