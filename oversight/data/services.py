"""The one way to write data: every import goes through a function here.

Each import checks all of its files before it writes anything, then writes in one database
transaction: a failure (or a kill) part-way leaves the database exactly as it was. Each file
becomes an ``ImportBatch`` recording its name, checksum, size, row counts, who and when.
Importing a file already imported changes nothing. A new version of a file already imported
(the same force and month for data.police.uk; the same file name otherwise) replaces the old
one, which is kept as a batch with status "replaced"; the new batch records the difference.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from django.db import transaction
from django.db.models import Sum

from oversight.data import bulk
from oversight.data.forces import BY_SLUG, KNOWN_FORCES, KnownForce
from oversight.data.importers import lookups as lookup_files
from oversight.data.importers import police_uk
from oversight.data.importers import population as population_files
from oversight.data.models import Area, Force, ImportBatch, Population, StreetCount
from oversight.data.validate import ImportFileError

Kind = ImportBatch.Kind
Status = ImportBatch.Status
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
"""The order of the values in each tuple ``StreetScan.stored_counts`` yields."""


class ProgressReporter(Protocol):
    """Told how a long import is getting on (the command line shows it as a progress bar)."""

    def start(self, description: str, total: int) -> None: ...

    def advance(self, amount: int = 1) -> None: ...


@dataclass(frozen=True)
class ImportedFile:
    """One file an import stored, and the batch that records it."""

    batch_id: int
    file_name: str
    rows_read: int
    rows_stored: int
    month: str = ""
    force: str = ""
    replaced_batch_id: int | None = None
    difference: dict[str, Any] = field(default_factory=dict)


@dataclass
class ImportResult:
    """What an import did: files stored, files skipped as already imported, time taken."""

    imported: list[ImportedFile] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def replaced(self) -> list[ImportedFile]:
        return [f for f in self.imported if f.replaced_batch_id is not None]


# --- forces -------------------------------------------------------------------------------


def ensure_forces(slugs: Iterable[str]) -> dict[str, Force]:
    """The ``Force`` for each slug, creating any missing from the known force list."""
    wanted = set(slugs)
    forces = {force.slug: force for force in Force.objects.filter(slug__in=wanted)}
    missing = [BY_SLUG[slug] for slug in sorted(wanted - set(forces))]
    for known in missing:
        forces[known.slug] = Force.objects.create(
            slug=known.slug, name=known.name, ons_code=known.ons_code
        )
    return forces


def known_force_names() -> frozenset[str]:
    """Every force name a street-level file's "Falls within" may hold."""
    stored = Force.objects.values_list("name", flat=True)
    return frozenset(known.name for known in KNOWN_FORCES) | frozenset(stored)


def _force_slug_for_name(name: str) -> str:
    stored = Force.objects.filter(name=name).values_list("slug", flat=True).first()
    if stored:
        return stored
    return next(known.slug for known in KNOWN_FORCES if known.name == name)


# --- data.police.uk street-level files --------------------------------------------------


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
    forces = ensure_forces(slugs)
    old_ids = [current[(f.force, f.month)][0] for f in files if (f.force, f.month) in current]
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
    force_ids = {name: forces[_force_slug_for_name(name)].pk for name in names}
    batch_ids = {f.path: batch.pk for f, batch in zip(files, batches, strict=True)}
    if progress:
        progress.start("Storing counts", sum(c.cells for c in counts.values()))
    bulk.insert_rows(
        StreetCount,
        STREET_COUNT_FIELDS,
        scan.stored_counts(batch_ids, force_ids),
        progress.advance if progress else None,
    )
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


# --- shared helpers for the small file imports --------------------------------------------


def _new_versions(paths: list[Path], kind: str) -> tuple[list[tuple[Path, str]], list[str]]:
    """(files whose content is new, with their checksums; names of files already imported)."""
    checked = [(path, police_uk.file_sha256(path)) for path in paths]
    imported = set(
        ImportBatch.objects.filter(
            kind=kind,
            status=Status.CURRENT,
            sha256__in=[sha for _, sha in checked],
        ).values_list("sha256", flat=True)
    )
    fresh, seen = [], set()
    for path, sha in checked:
        if sha not in imported and sha not in seen:
            fresh.append((path, sha))
            seen.add(sha)
    return fresh, [path.name for path, sha in checked if sha in imported]


def _file_batch(
    kind: str,
    path: Path,
    sha256: str,
    rows_read: int,
    details: dict[str, Any],
    imported_by: str,
    user: Any,
) -> ImportBatch:
    """A batch for a whole-file import, replacing the current batch of the same file name."""
    previous = ImportBatch.objects.filter(
        kind=kind, file_name=path.name, status=Status.CURRENT
    ).first()
    if previous is not None:
        previous.status = Status.REPLACED
        previous.save(update_fields=["status"])
    return ImportBatch.objects.create(
        kind=kind,
        file_name=path.name,
        sha256=sha256,
        size_bytes=path.stat().st_size,
        rows_read=rows_read,
        details=details | {"path": str(path)},
        replaces=previous,
        difference={"replaces_batch": previous.pk, "replaces_sha256": previous.sha256}
        if previous
        else {},
        imported_by=imported_by,
        user=user,
    )


# --- area lookups -----------------------------------------------------------------------


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
        stored, spellings = _store_forces(lookup.forces)
        batch.details["spellings_kept"] = spellings
    else:
        stored = _store_areas(lookup.areas, batch, lookup.vintage)
    batch.rows_stored = stored
    batch.save(update_fields=["rows_stored", "details"])
    return ImportedFile(
        batch.pk, batch.file_name, rows, stored, replaced_batch_id=batch.replaces_id
    )


def _store_forces(rows: Sequence[lookup_files.ForceRow]) -> tuple[int, dict[str, str]]:
    """Create each listed force; keep data.police.uk's own spelling where the list differs."""
    spellings = {}
    for row in rows:
        known = BY_SLUG.get(row.slug) or KnownForce(row.slug, row.label)
        force, created = Force.objects.get_or_create(
            slug=row.slug, defaults={"name": known.name, "ons_code": known.ons_code}
        )
        if not created and not force.ons_code and known.ons_code:
            force.ons_code = known.ons_code
            force.save(update_fields=["ons_code"])
        if force.name != row.label:
            spellings[row.label] = force.name
    return len(rows), spellings


def _store_areas(rows: Sequence[lookup_files.AreaRow], batch: ImportBatch, vintage: str) -> int:
    """Upsert CSPs, then local authorities under them; a newer vintage is never overwritten."""
    forces = ensure_forces({row.force_slug for row in rows})
    for force in forces.values():
        if not force.ons_code:
            force.ons_code = BY_SLUG[force.slug].ons_code
            force.save(update_fields=["ons_code"])
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
    changed, created = [], []
    for code, (name, force, parent) in wanted.items():
        area = existing.get(code)
        if area is None:
            created.append(
                Area(kind=kind, code=code, name=name, force=force, parent=parent, batch=batch)
            )
        elif area.batch.details.get("vintage", "") <= vintage:
            area.name, area.force, area.parent, area.batch = name, force, parent, batch
            changed.append(area)
    Area.objects.bulk_create(created)
    Area.objects.bulk_update(changed, ["name", "force", "parent", "batch"])
    return existing | {area.code: area for area in created}


# --- population -----------------------------------------------------------------------


def import_population(paths: Sequence[Path], *, imported_by: str, user: Any = None) -> ImportResult:
    """Import mid-year populations by police force area, recording each figure's source.

    The ONS police force area tables outrank the compiled table: where both give a force and
    year, the ONS figure is kept, whichever file is imported first.
    """
    began = time.monotonic()
    result = ImportResult()
    chosen, skipped = population_files.find_population_files(list(paths))
    result.skipped = [path.name for path in skipped]
    fresh, result.unchanged = _new_versions(chosen, Kind.POPULATION)
    parsed = [(population_files.read_population_file(path), sha) for path, sha in fresh]
    parsed.sort(key=lambda item: item[0].rank)
    with transaction.atomic():
        for population_file, sha in parsed:
            result.imported.append(_store_population(population_file, sha, imported_by, user))
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
    forces = ensure_forces({row.force_slug for row in population_file.rows})
    existing = {
        (p.force_id, p.year): p
        for p in Population.objects.filter(force__in=forces.values()).select_related("batch")
    }
    created, changed, kept = [], [], Counter[str]()
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
            current.value, current.source, current.batch = row.value, row.source, batch
            changed.append(current)
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
