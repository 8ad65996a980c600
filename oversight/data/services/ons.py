"""ONS police force area data tables (the .xlsx editions and the long CSV)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.db import transaction

from oversight.data import journal
from oversight.data.importers import ons as ons_files
from oversight.data.models import Force, OnsFigure
from oversight.data.services.common import (
    ImportedFile,
    ImportResult,
    Kind,
    _new_batch,
    _new_versions,
    ensure_forces,
)
from oversight.data.services.revisable import _store_revisable


def import_ons(paths: Sequence[Path], *, imported_by: str, user: Any = None) -> ImportResult:
    """Import ONS police force area data tables (the .xlsx editions or the long CSV).

    Every file is read and checked first; then, in one transaction, each becomes a batch.
    A figure already held from an earlier edition is revised when a later edition of the same
    period gives a different value: both are kept and linked (``OnsFigure.history()``).
    Editions are stored oldest period first, workbooks before the long CSV.
    """
    began = time.monotonic()
    result = ImportResult()
    chosen, skipped = ons_files.find_ons_files(list(paths))
    result.skipped = [path.name for path in skipped]
    fresh, result.unchanged = _new_versions(chosen, Kind.ONS)
    parsed = [(ons_files.read_ons_file(path), sha) for path, sha in fresh]
    parsed.sort(key=lambda item: (item[0].form != "xlsx", item[0].first_period, item[0].path.name))
    with transaction.atomic():
        for ons_file, sha in parsed:
            result.imported.append(_store_ons(ons_file, sha, imported_by, user))
    result.totals = {
        "files": len(result.imported),
        "rows_stored": sum(f.rows_stored for f in result.imported),
        "revised": sum(f.difference.get("figures_revised", 0) for f in result.imported),
    }
    result.seconds = time.monotonic() - began
    return result


ONS_KEY = ("area_code", "period_end", "offence", "measure")


def _store_ons(
    ons_file: ons_files.OnsFile, sha256: str, imported_by: str, user: Any
) -> ImportedFile:
    batch = _new_batch(
        Kind.ONS,
        ons_file.path,
        sha256,
        ons_file.rows_read,
        {
            "form": ons_file.form,
            "editions": ons_file.editions,
            "periods": sorted(set(ons_file.editions.values())),
            "skipped_rows": ons_file.skipped,
        },
        imported_by,
        user,
    )
    created_forces: list[Force] = []
    forces = ensure_forces({f.force_slug for f in ons_file.figures if f.force_slug}, created_forces)
    journal.record_created(batch, created_forces)
    rows = [
        {
            "period_end": f.period_end,
            "edition": f.edition,
            "table": f.table,
            "area_code": f.area_code,
            "area_name": f.area_name,
            "area_kind": f.area_kind,
            "force_id": forces[f.force_slug].pk if f.force_slug else None,
            "offence": f.offence,
            "offence_label": f.offence_label,
            "parent_offence": f.parent_offence,
            "level": f.level,
            "measure": f.measure,
            "value": f.value,
            "marker": f.marker,
            "population_vintage": f.population_vintage,
        }
        for f in ons_file.figures
    ]
    outcome = _store_revisable(
        OnsFigure,
        batch,
        rows,
        ONS_KEY,
        {"period_end__in": sorted(set(ons_file.editions.values()))},
        lambda r: (
            f"{r['area_name']}, {r['offence'] or r['measure']} ({r['measure']}), "
            f"12 months to {r['period_end']}"
        ),
    )
    batch.rows_stored = outcome.created
    batch.details |= outcome.details()
    if len(ons_file.editions) == 1:
        batch.month = next(iter(ons_file.editions.values()))
    batch.save(update_fields=["rows_stored", "details", "month"])
    return ImportedFile(
        batch.pk,
        batch.file_name,
        ons_file.rows_read,
        outcome.created,
        month=batch.month,
        difference=outcome.details(),
    )
