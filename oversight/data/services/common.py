"""What every import shares: the result it returns, the batch it records, the forces it
creates, and the check that a file is new."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from oversight.data import journal
from oversight.data.forces import BY_SLUG, KNOWN_FORCES
from oversight.data.importers import police_uk
from oversight.data.models import Force, ImportBatch

Kind = ImportBatch.Kind
Status = ImportBatch.Status


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
