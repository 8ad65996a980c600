"""data.police.uk street-level files, stored as monthly counts by force, crime type and LSOA."""

from __future__ import annotations

import queue
import threading
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, Sum

from oversight.data import bulk, journal
from oversight.data.forces import BY_SLUG, KNOWN_FORCES
from oversight.data.importers import police_uk
from oversight.data.models import Force, ImportBatch, StreetCount
from oversight.data.services.common import (
    ImportedFile,
    ImportResult,
    Kind,
    ProgressReporter,
    Status,
    ensure_forces,
    known_force_names,
)
from oversight.data.validate import ImportFileError

STREET_COUNT_FIELDS = (
    "batch",
    "month",
    "force",
    "crime_type",
    "lsoa_code",
    "local_authority",
    "rows",
    "crime_ids",
)
"""The order of each count's values in the slices ``StreetScan.stored_counts`` yields."""


PREFETCH_SLICES = 2
"""Slices of counts read ahead on a second thread while the database stores the one before
(0: read and store in turn). Bounds the memory the read-ahead takes."""


def _prefetched(slices: Iterable[list[object]], depth: int = PREFETCH_SLICES
                ) -> Iterator[list[object]]:
    """Yield ``slices`` while a helper thread reads the next ones from DuckDB.

    DuckDB and the database driver both release the GIL while they work, so reading the
    next slice overlaps storing this one. An error in the reader is raised here; if the
    caller stops early (an error while storing), the reader is told to stop.
    """
    if depth <= 0:
        yield from slices
        return
    ready: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def offer(item: tuple[str, Any]) -> bool:
        """Hand ``item`` over; False once the caller has stopped."""
        while not stop.is_set():
            try:
                ready.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def read() -> None:
        try:
            for values in slices:
                if not offer(("slice", values)):
                    return
            offer(("done", None))
        except BaseException as exc:  # handed to the caller, raised there
            offer(("error", exc))

    reader = threading.Thread(target=read, name="street-counts-reader", daemon=True)
    reader.start()
    try:
        while True:
            kind, item = ready.get()
            if kind == "done":
                break
            if kind == "error":
                raise item
            yield item
    finally:
        stop.set()
        reader.join()


def _force_slug_for_name(name: str) -> str:
    stored = Force.objects.filter(name=name).values_list("slug", flat=True).first()
    if stored:
        return stored
    return next(known.slug for known in KNOWN_FORCES if known.name == name)


def import_police_uk(
    paths: Sequence[Path],
    *,
    imported_by: str,
    user: Any = None,
    progress: ProgressReporter | None = None,
) -> ImportResult:
    """Import data.police.uk street-level files (or folders of them) as monthly counts.

    Every file is checked before anything is written; the first problem raises
    ``ImportFileError`` and nothing changes. Then, in one transaction, each new file becomes a
    batch and its counts by month × force × crime type × LSOA are stored. A file already
    imported is left alone; a new version of a force's month replaces the old one.
    """
    began = time.monotonic()
    result = ImportResult()
    files = _street_files(paths, progress)
    current = _current_street_batches(files)
    new_files = [f for f in files if current.get((f.force, f.month), (None, ""))[1] != f.sha256]
    result.unchanged = [f.name for f in files if f not in new_files]
    if new_files:
        with police_uk.StreetScan(known_force_names()) as scan:
            if progress:
                progress.start("Reading and checking files", len(new_files))
            counts = scan.read(new_files, progress.advance if progress else None)
            with transaction.atomic():
                result.imported = _store_street_files(
                    scan, new_files, counts, current, imported_by, user, progress
                )
    result.totals = _street_totals(result.imported)
    result.seconds = time.monotonic() - began
    return result


def _street_files(
    paths: Sequence[Path], progress: ProgressReporter | None
) -> list[police_uk.StreetFile]:
    """The files to consider, described, checked for known forces and clashes, in order."""
    found = police_uk.find_street_files(paths)
    if progress:
        progress.start("Checking file names and checksums", len(found))
    files = police_uk.describe_files(found)
    if progress:
        progress.advance(len(found))
    known = set(BY_SLUG) | set(Force.objects.values_list("slug", flat=True))
    by_key: dict[tuple[str, str], police_uk.StreetFile] = {}
    for street_file in sorted(files, key=lambda f: (f.force, f.month, str(f.path))):
        if street_file.force not in known:
            raise ImportFileError(
                street_file.name,
                None,
                None,
                street_file.force,
                "use the data.police.uk force identifier in the file name, "
                "e.g. 2020-01-leicestershire-street.csv.gz",
                problem="is not a data.police.uk force",
            )
        key = (street_file.force, street_file.month)
        earlier = by_key.setdefault(key, street_file)
        if earlier.sha256 != street_file.sha256:
            raise ImportFileError(
                street_file.name,
                None,
                None,
                None,
                f"import one of them ({earlier.name} is also "
                f"{street_file.force} {street_file.month})",
                problem="is a second, different file for the same force and month",
            )
    return list(by_key.values())


def _current_street_batches(
    files: list[police_uk.StreetFile],
) -> dict[tuple[str, str], tuple[int, str]]:
    """(force, month) → (batch id, checksum) of the current batch for each file's month."""
    batches = ImportBatch.objects.filter(
        kind=Kind.POLICE_UK,
        status=Status.CURRENT,
        force__slug__in={f.force for f in files},
        month__in={f.month for f in files},
    ).values_list("force__slug", "month", "pk", "sha256")
    return {(slug, month): (pk, sha) for slug, month, pk, sha in batches}


def _store_street_files(
    scan: police_uk.StreetScan,
    files: list[police_uk.StreetFile],
    counts: dict[Path, police_uk.FileCounts],
    current: dict[tuple[str, str], tuple[int, str]],
    imported_by: str,
    user: Any,
    progress: ProgressReporter | None,
) -> list[ImportedFile]:
    """Inside the transaction: retire replaced months, record batches, store the counts."""
    names = {name for c in counts.values() for name in c.falls_within}
    slugs = {f.force for f in files} | {_force_slug_for_name(name) for name in names}
    created_forces: list[Force] = []
    forces = ensure_forces(slugs, created_forces)
    old_ids = [current[(f.force, f.month)][0] for f in files if (f.force, f.month) in current]
    old_rows = _street_rows(old_ids)
    old_types = _retire_street_batches(old_ids)
    batches = [
        _street_batch(
            f,
            counts[f.path],
            forces[f.force],
            current.get((f.force, f.month)),
            old_types,
            imported_by,
            user,
        )
        for f in files
    ]
    ImportBatch.objects.bulk_create(batches)
    _journal_street_batches(batches, old_rows, created_forces)
    force_ids = {name: forces[_force_slug_for_name(name)].pk for name in names}
    batch_ids = {f.path: batch.pk for f, batch in zip(files, batches, strict=True)}
    expected = sum(c.cells for c in counts.values())
    if progress:
        progress.start("Storing counts", expected)
    _lock_forces(set(force_ids.values()))
    stored = bulk.insert_rows(
        StreetCount,
        STREET_COUNT_FIELDS,
        _prefetched(scan.stored_counts(batch_ids, force_ids)),
        progress.advance if progress else None,
    )
    _check_stored_counts(list(batch_ids.values()), set(force_ids.values()), expected, stored)
    return [
        ImportedFile(
            b.pk,
            b.file_name,
            b.rows_read,
            b.rows_stored,
            b.month,
            f.force,
            b.replaces_id,
            b.difference,
        )
        for f, b in zip(files, batches, strict=True)
    ]


def _lock_forces(force_ids: set[int]) -> None:
    """Lock the forces the counts refer to until the import commits, so no other transaction
    can delete one meanwhile (what a foreign key constraint's check would do; StreetCount has
    none in the database, see the model)."""
    locked = set(
        Force.objects.select_for_update(no_key=True)
        .filter(pk__in=force_ids)
        .values_list("pk", flat=True)
    )
    if locked != force_ids:
        raise RuntimeError(f"Forces {sorted(force_ids - locked)} disappeared during the import")


def _check_stored_counts(
    batch_ids: list[int], force_ids: set[int], expected: int, stored: int
) -> None:
    """Check every stored count once, by one query, before the import commits: each belongs
    to one of the new batches (they were created in this transaction) and refers to a locked
    force, and there are as many as the files held. Raising rolls the whole import back."""
    found = StreetCount.objects.filter(batch_id__in=batch_ids).aggregate(
        counts=Count("id"), other_forces=Count("id", filter=~Q(force_id__in=force_ids))
    )
    if found["counts"] != expected or stored != expected or found["other_forces"]:
        raise RuntimeError(
            f"Storing street-level counts went wrong: {expected:,} expected, {stored:,} "
            f"written, {found['counts']:,} found in the new batches, {found['other_forces']:,} "
            "for a force not in the files; nothing was imported"
        )


STREET_ROW_FIELDS = (
    "id",
    "batch_id",
    "month",
    "force_id",
    "crime_type",
    "lsoa_code",
    "local_authority",
    "rows",
    "crime_ids",
)


def _street_rows(batch_ids: list[int]) -> dict[int, list[tuple[object, ...]]]:
    """The stored counts of batches about to be replaced, whole, for the undo log."""
    rows: dict[int, list[tuple[object, ...]]] = defaultdict(list)
    if batch_ids:
        for row in StreetCount.objects.filter(batch_id__in=batch_ids).values_list(
            *STREET_ROW_FIELDS
        ):
            rows[row[1]].append(row)
    return rows


def _journal_street_batches(
    batches: list[ImportBatch],
    old_rows: dict[int, list[tuple[object, ...]]],
    created_forces: list[Force],
) -> None:
    """Write the undo log of new street batches: the month each replaced (its status and its
    deleted counts) and the forces the import created."""
    for batch in batches:
        if batch.replaces_id is not None:
            journal.record_deleted(
                batch, StreetCount, STREET_ROW_FIELDS, old_rows.get(batch.replaces_id, [])
            )
            journal.record_updated(
                batch,
                ImportBatch,
                ["status"],
                [[batch.replaces_id, Status.CURRENT]],
                depends_on=[batch.replaces_id],
            )
        if created_forces:
            journal.record_created(batch, created_forces)


def _retire_street_batches(batch_ids: list[int]) -> dict[int, dict[str, int]]:
    """Mark batches replaced and delete their counts; return their counts by crime type."""
    if not batch_ids:
        return {}
    by_type: dict[int, dict[str, int]] = defaultdict(dict)
    totals = (
        StreetCount.objects.filter(batch_id__in=batch_ids)
        .values_list("batch_id", "crime_type")
        .annotate(n=Sum("rows"))
    )
    for batch_id, crime_type, rows in totals:
        by_type[batch_id][crime_type] = rows
    StreetCount.objects.filter(batch_id__in=batch_ids).delete()
    ImportBatch.objects.filter(pk__in=batch_ids).update(status=Status.REPLACED)
    return by_type


def _street_batch(
    street_file: police_uk.StreetFile,
    counts: police_uk.FileCounts,
    force: Force,
    current: tuple[int, str] | None,
    old_types: dict[int, dict[str, int]],
    imported_by: str,
    user: Any,
) -> ImportBatch:
    details = counts.details() | {"path": str(street_file.path)}
    difference = {}
    if current is not None:
        difference = street_difference(
            current[0], current[1], old_types.get(current[0], {}), counts.crime_types
        )
    return ImportBatch(
        kind=Kind.POLICE_UK,
        file_name=street_file.name,
        sha256=street_file.sha256,
        size_bytes=street_file.size_bytes,
        month=street_file.month,
        force=force,
        rows_read=counts.rows,
        rows_stored=counts.cells,
        details=details,
        replaces_id=current[0] if current else None,
        difference=difference,
        imported_by=imported_by,
        user=user,
    )


def street_difference(
    old_batch_id: int, old_sha256: str, old: dict[str, int], new: dict[str, int]
) -> dict[str, Any]:
    """How a re-published month differs from the batch it replaces, by crime type."""
    changed = {
        crime_type: {
            "old": old.get(crime_type, 0),
            "new": new.get(crime_type, 0),
            "change": new.get(crime_type, 0) - old.get(crime_type, 0),
        }
        for crime_type in sorted(set(old) | set(new))
        if old.get(crime_type, 0) != new.get(crime_type, 0)
    }
    old_rows, new_rows = sum(old.values()), sum(new.values())
    return {
        "replaces_batch": old_batch_id,
        "replaces_sha256": old_sha256,
        "rows": {"old": old_rows, "new": new_rows, "change": new_rows - old_rows},
        "crime_types": changed,
    }


def _street_totals(imported: list[ImportedFile]) -> dict[str, int]:
    return {
        "files": len(imported),
        "rows_read": sum(f.rows_read for f in imported),
        "counts_stored": sum(f.rows_stored for f in imported),
        "months_replaced": sum(1 for f in imported if f.replaced_batch_id is not None),
    }
