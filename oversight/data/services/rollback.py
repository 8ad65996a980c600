"""Provenance: listing import batches and rolling one back as a whole."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from oversight.data import journal
from oversight.data.models import ImportBatch

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
