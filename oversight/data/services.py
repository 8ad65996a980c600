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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from oversight.data import bulk, journal
from oversight.data.forces import BY_SLUG, KNOWN_FORCES, KnownForce
from oversight.data.importers import lookups as lookup_files
from oversight.data.importers import ons as ons_files
from oversight.data.importers import police_uk
from oversight.data.importers import population as population_files
from oversight.data.importers import workforce as workforce_files
from oversight.data.models import (
    Area,
    Force,
    ImportBatch,
    OnsFigure,
    Population,
    Revisable,
    StreetCount,
    SurveyValue,
    WorkforceFigure,
)
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
"""The order of each count's values in the slices ``StreetScan.stored_counts`` yields."""


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


def ensure_forces(slugs: Iterable[str], created: list[Force] | None = None) -> dict[str, Force]:
    """The ``Force`` for each slug, creating any missing from the known force list (and
    adding those created to ``created``, for the import's undo log)."""
    wanted = set(slugs)
    forces = {force.slug: force for force in Force.objects.filter(slug__in=wanted)}
    missing = [BY_SLUG[slug] for slug in sorted(wanted - set(forces))]
    for known in missing:
        forces[known.slug] = Force.objects.create(
            slug=known.slug, name=known.name, ons_code=known.ons_code
        )
        if created is not None:
            created.append(forces[known.slug])
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
    batch = ImportBatch.objects.create(
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
    if previous is not None:
        journal.record_updated(
            batch, ImportBatch, ["status"], [[previous.pk, Status.CURRENT]], [previous.pk]
        )
    return batch


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


# --- population -----------------------------------------------------------------------


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


# --- revisable figures (ONS tables, workforce, survey values) -----------------------------


def _same(old: float | None, new: float | None) -> bool:
    if old is None or new is None:
        return old is None and new is None
    return abs(old - new) <= 1e-9 * max(1.0, abs(old), abs(new))


@dataclass
class _Revisions:
    """What storing one file's figures did to the figures already held."""

    created: int = 0
    revised: int = 0
    unchanged: int = 0
    examples: list[dict[str, Any]] = field(default_factory=list)

    def details(self) -> dict[str, Any]:
        return {
            "figures_new": self.created - self.revised,
            "figures_revised": self.revised,
            "figures_unchanged": self.unchanged,
            "revisions": self.examples[:25],
        }


def _store_revisable(
    model: type[Revisable],
    batch: ImportBatch,
    rows: list[dict[str, Any]],
    key_fields: tuple[str, ...],
    current_filter: dict[str, Any],
    describe: Callable[[dict[str, Any]], str],
) -> _Revisions:
    """Store figures that a later edition may revise.

    Each row (a dict of model field values) is compared with the current figure with the same
    key: a new key is stored; the same value is left alone (the earlier edition stays its
    source); a different value is stored as a revision of the current figure, which is kept
    but no longer current. The change is written to the batch's undo log.
    """
    outcome = _Revisions()
    current = {
        tuple(values[:-3]): values[-3:]
        for values in model.objects.filter(is_current=True, **current_filter).values_list(
            *key_fields, "pk", "value", "batch_id"
        )
    }
    if model is OnsFigure:
        markers = dict(
            model.objects.filter(is_current=True, **current_filter).values_list("pk", "marker")
        )
    else:
        markers = {}
    new_rows, superseded = [], []
    confirmed: set[int] = set()
    seen: set[tuple[Any, ...]] = set()
    for row in rows:
        key = tuple(row[f] for f in key_fields)
        if key in seen:
            continue
        seen.add(key)
        held = current.get(key)
        if held is not None:
            pk, value, old_batch = held
            if _same(value, row["value"]) and markers.get(pk, "") == row.get("marker", ""):
                outcome.unchanged += 1
                confirmed.add(old_batch)
                continue
            superseded.append((pk, old_batch))
            row = row | {"revised_from_id": pk}
            outcome.revised += 1
            if len(outcome.examples) < 25:
                outcome.examples.append(
                    {"figure": describe(row), "old": value, "new": row["value"]}
                )
        new_rows.append(row)
    if superseded:
        journal.record_updated(
            batch,
            model,
            ["is_current"],
            [[pk, True] for pk, _ in superseded],
            depends_on={old for _, old in superseded},
        )
        pks = [pk for pk, _ in superseded]
        for start in range(0, len(pks), 2000):
            model.objects.filter(pk__in=pks[start : start + 2000]).update(is_current=False)
    # A file that repeats figures already held builds on the batch that brought them in.
    journal.add_dependencies(batch, confirmed)
    if new_rows:
        fields = sorted(set(new_rows[0]) | {"revised_from_id"})
        values = [
            value for row in new_rows for value in [*(row.get(f) for f in fields), batch.pk, True]
        ]
        width = (len(fields) + 2) * 1000
        bulk.insert_rows(
            model,
            [*fields, "batch_id", "is_current"],
            (values[start : start + width] for start in range(0, len(values), width)),
        )
    outcome.created = len(new_rows)
    return outcome


def _new_batch(
    kind: str,
    path: Path,
    sha256: str,
    rows_read: int,
    details: dict[str, Any],
    imported_by: str,
    user: Any,
) -> ImportBatch:
    return ImportBatch.objects.create(
        kind=kind,
        file_name=path.name,
        sha256=sha256,
        size_bytes=path.stat().st_size,
        rows_read=rows_read,
        details=details | {"path": str(path)},
        imported_by=imported_by,
        user=user,
    )


# --- ONS police force area tables ------------------------------------------------------


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


# --- Home Office police workforce ---------------------------------------------------------


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


# --- survey and other manual values -------------------------------------------------------


class ManualValueError(ValueError):
    """A manual value that cannot be stored; the message says what to change."""


@dataclass(frozen=True)
class ManualValue:
    """A value typed in for a measure with no file: a survey result or a published figure."""

    measure_code: str
    period: str
    value: float
    source: str
    kind: str = "survey"
    force: str | None = None
    unit: str = ""
    sample_size: int | None = None
    ci_lower: float | None = None
    ci_upper: float | None = None
    confidence_level: float = 95.0
    published_on: Any = None
    note: str = ""


def check_manual_value(entry: ManualValue) -> dict[str, str]:
    """Problems with an entry, by field name (empty if it can be stored)."""
    from oversight.methods import periods

    problems: dict[str, str] = {}
    if not entry.measure_code.strip():
        problems["measure_code"] = "Enter the measure's code"
    try:
        periods.period_months(entry.period)
    except ValueError:
        problems["period"] = (
            "Enter the period as a month (2025-06), a quarter (2025/26 Q1), a financial year "
            "(2025/26) or a year (2025)"
        )
    if not entry.source.strip():
        problems["source"] = "Enter the source: the survey or publication the value comes from"
    if entry.unit == "percentage" and not 0 <= entry.value <= 100:
        problems["value"] = "A percentage must be between 0 and 100"
    if entry.kind == "survey":
        if entry.sample_size is None and (entry.ci_lower is None or entry.ci_upper is None):
            problems["sample_size"] = (
                "Enter the sample size or both confidence limits: a survey result needs one"
            )
        if entry.sample_size is not None and entry.sample_size < 1:
            problems["sample_size"] = "The sample size must be at least 1"
    if (entry.ci_lower is None) != (entry.ci_upper is None):
        problems["ci_upper" if entry.ci_upper is None else "ci_lower"] = (
            "Enter both confidence limits, or neither"
        )
    elif entry.ci_lower is not None and entry.ci_upper is not None:
        if not entry.ci_lower <= entry.value <= entry.ci_upper:
            problems["ci_lower"] = (
                "The value must lie between the lower and upper confidence limits"
            )
    if not 50 <= entry.confidence_level < 100:
        problems["confidence_level"] = "The confidence level must be a per cent, e.g. 95"
    return problems


def record_manual_value(entry: ManualValue, *, entered_by: str, user: Any = None) -> SurveyValue:
    """Store a survey or manual value as its own batch (who, when, what); a later entry for
    the same measure, force and period revises the earlier one."""
    import hashlib
    import json

    problems = check_manual_value(entry)
    if problems:
        raise ManualValueError("; ".join(problems.values()))
    record = {
        k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in entry.__dict__.items()
    }
    digest = hashlib.sha256(json.dumps(record, sort_keys=True).encode()).hexdigest()
    with transaction.atomic():
        created_forces: list[Force] = []
        force = ensure_forces([entry.force], created_forces)[entry.force] if entry.force else None
        batch = ImportBatch.objects.create(
            kind=Kind.MANUAL,
            file_name=f"{entry.measure_code} {entry.period} (entered)",
            sha256=digest,
            size_bytes=0,
            force=force,
            rows_read=1,
            details={"entry": record},
            imported_by=entered_by,
            user=user,
        )
        journal.record_created(batch, created_forces)
        row = {
            "measure_code": entry.measure_code,
            "force_id": force.pk if force else None,
            "kind": entry.kind,
            "period": entry.period,
            "value": entry.value,
            "unit": entry.unit,
            "sample_size": entry.sample_size,
            "ci_lower": entry.ci_lower,
            "ci_upper": entry.ci_upper,
            "confidence_level": entry.confidence_level,
            "source": entry.source,
            "published_on": entry.published_on,
            "note": entry.note,
        }
        current = SurveyValue.objects.filter(
            is_current=True, measure_code=entry.measure_code, force=force, period=entry.period
        ).first()
        if current is not None:
            journal.record_updated(
                batch, SurveyValue, ["is_current"], [[current.pk, True]], [current.batch_id]
            )
            current.is_current = False
            current.save(update_fields=["is_current"])
            row["revised_from_id"] = current.pk
        value = SurveyValue.objects.create(batch=batch, **row)
        batch.rows_stored = 1
        batch.save(update_fields=["rows_stored"])
    return value


# --- provenance: listing and rolling back batches -----------------------------------------


BATCH_EXPORT_COLUMNS = [
    "batch",
    "kind",
    "file_name",
    "sha256",
    "size_bytes",
    "edition_or_month",
    "force",
    "rows_read",
    "rows_stored",
    "status",
    "replaces",
    "imported_by",
    "imported_at",
]


def batch_rows(batches: Iterable[ImportBatch]) -> Iterable[list[Any]]:
    """One row per batch for exports, in ``BATCH_EXPORT_COLUMNS`` order."""
    for b in batches:
        editions = b.details.get("editions")
        yield [
            b.pk,
            b.kind,
            b.file_name,
            b.sha256,
            b.size_bytes,
            "; ".join(sorted(editions))
            if editions
            else b.month or "; ".join(b.details.get("dates", [])),
            b.force.slug if b.force else b.details.get("force", ""),
            b.rows_read,
            b.rows_stored,
            b.status,
            b.replaces_id or "",
            b.imported_by,
            b.imported_at.isoformat(timespec="seconds"),
        ]


def rollback_batch(
    batch_id: int, *, rolled_back_by: str, user: Any = None, recompute: bool = True
) -> journal.RollbackResult:
    """Roll a batch back as a whole, in one transaction, then recompute the current plan.

    Every table returns to its state before the batch; the batch stays, marked "rolled back",
    and the rollback is written to the audit trail. Raises ``journal.RollbackError`` (nothing
    changed) if the batch is already rolled back or a later batch builds on it.
    """
    from oversight.accounts import audit

    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().filter(pk=batch_id).first()
        if batch is None:
            raise journal.RollbackError(f"there is no batch {batch_id}")
        before = {"status": batch.status, "file_name": batch.file_name, "sha256": batch.sha256}
        outcome = journal.rollback(batch)
        batch.refresh_from_db()
        batch.details["rolled_back"] = {
            "by": rolled_back_by,
            "at": timezone.now().isoformat(timespec="seconds"),
            "removed": outcome.removed,
            "restored": outcome.restored,
        }
        batch.save(update_fields=["details"])
        audit.record(
            user if user is not None else rolled_back_by,
            "import.rollback",
            batch,
            before=before,
            after={
                "status": batch.status,
                "removed": outcome.removed,
                "restored": outcome.restored,
            },
        )
    if recompute:
        outcome.recomputed = recompute_current_plan()
    return outcome


def recompute_current_plan() -> int | None:
    """Recompute every measure of the current plan (after data changed); the number of
    measures computed, or None when no plan is loaded."""
    from oversight.performance.services import compute_plan
    from oversight.plans.services import current_plan

    plan = current_plan()
    if plan is None:
        return None
    return len(compute_plan(plan))


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
