"""The undo log of imports, and rolling a batch back as a whole.

Every row an import creates points at its ``ImportBatch``, so removing those rows is easy. What
an import changes elsewhere is written down here, in ``BatchChange`` rows, inside the import's
own transaction: the field values of rows it updated (a population figure it overwrote, an
earlier edition's figure it marked as revised, a batch it replaced), the whole rows it deleted
(the counts of a month it replaced) and the objects it created without a batch (forces).

``rollback(batch)`` replays that log backwards, in one transaction, so every table is as it
was before the batch: the batch itself stays, marked "rolled back", as the record that it was
imported and undone. A batch that a later, live batch builds on (a later edition revised its
figures, population figures use its areas, a later file replaced it) is refused with the
batch to roll back first.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import models

from oversight.data.models import BatchChange, Force, ImportBatch

Status = ImportBatch.Status
Action = BatchChange.Action


class RollbackError(Exception):
    """A batch cannot be rolled back; the message says why and what to do first."""


def _label(model: type[models.Model]) -> str:
    return model._meta.label


def record_updated(
    batch: ImportBatch,
    model: type[models.Model],
    fields: Sequence[str],
    rows: Iterable[Sequence[Any]],
    depends_on: Iterable[int] = (),
) -> None:
    """Note the values of ``fields`` (attribute names, e.g. ``batch_id``) of rows, given as
    ``[pk, value, …]``, before ``batch`` changes them."""
    rows = [list(row) for row in rows]
    if rows:
        BatchChange.objects.create(
            batch=batch,
            model=_label(model),
            action=Action.UPDATED,
            fields=list(fields),
            rows=rows,
        )
    add_dependencies(batch, depends_on)


def record_deleted(
    batch: ImportBatch,
    model: type[models.Model],
    fields: Sequence[str],
    rows: Iterable[Sequence[Any]],
    depends_on: Iterable[int] = (),
) -> None:
    """Keep whole rows (``fields`` must start with ``id``) that ``batch`` deletes."""
    rows = [list(row) for row in rows]
    if rows:
        BatchChange.objects.create(
            batch=batch,
            model=_label(model),
            action=Action.DELETED,
            fields=list(fields),
            rows=rows,
        )
    add_dependencies(batch, depends_on)


def record_created(batch: ImportBatch, objects: Iterable[models.Model]) -> None:
    """Note objects ``batch`` created that have no batch of their own (e.g. forces)."""
    by_model: dict[type[models.Model], list[int]] = defaultdict(list)
    for obj in objects:
        by_model[type(obj)].append(obj.pk)
    for model, pks in by_model.items():
        BatchChange.objects.create(
            batch=batch,
            model=_label(model),
            action=Action.CREATED,
            fields=["id"],
            rows=[[pk] for pk in sorted(pks)],
        )


def add_dependencies(batch: ImportBatch, batch_ids: Iterable[int]) -> None:
    """Note that ``batch`` builds on the given batches (it changed rows they brought in)."""
    wanted = {int(pk) for pk in batch_ids if pk is not None and pk != batch.pk}
    if not wanted:
        return
    known = set(batch.details.get("depends_on", []))
    if wanted <= known:
        return
    batch.details["depends_on"] = sorted(known | wanted)
    batch.save(update_fields=["details"])


# --- rolling back ---------------------------------------------------------------------


@dataclass
class RollbackResult:
    """What a rollback did: rows removed and restored, by table."""

    batch_id: int
    file_name: str
    removed: dict[str, int] = field(default_factory=dict)
    restored: dict[str, int] = field(default_factory=dict)
    recomputed: int | None = None


def batch_models() -> list[type[models.Model]]:
    """Every model whose rows belong to an import batch (a ``batch`` foreign key)."""
    found = []
    for model in apps.get_models():
        try:
            batch_field = model._meta.get_field("batch")
        except Exception:  # noqa: BLE001 - models without a batch field
            continue
        if getattr(batch_field, "related_model", None) is ImportBatch and model is not BatchChange:
            found.append(model)
    return _children_first(found)


def _children_first(found: list[type[models.Model]]) -> list[type[models.Model]]:
    """Order models so that one pointing at another comes before it (safe deletion order)."""
    ordered: list[type[models.Model]] = []
    remaining = list(found)
    while remaining:
        for model in remaining:
            points_at = {
                f.related_model
                for f in model._meta.get_fields()
                if f.many_to_one and f.concrete and f.related_model not in (model, ImportBatch)
            }
            if not any(other in points_at for other in remaining if other is not model):
                ordered.append(model)
                remaining.remove(model)
                break
        else:  # a cycle: keep the declared order
            ordered.extend(remaining)
            break
    return ordered


def dependants(batch: ImportBatch) -> list[ImportBatch]:
    """Live batches that build on ``batch``, so must be rolled back before it."""
    live = ImportBatch.objects.exclude(status=Status.ROLLED_BACK).exclude(pk=batch.pk)
    found: dict[int, ImportBatch] = {b.pk: b for b in live.filter(replaces=batch)}
    for other in live.filter(imported_at__gte=batch.imported_at).only("id", "details"):
        if batch.pk in other.details.get("depends_on", []):
            found.setdefault(other.pk, ImportBatch.objects.get(pk=other.pk))
    for model in batch_models():
        for relation in model._meta.related_objects:
            related = relation.related_model
            if related not in batch_models() or not relation.field.concrete:
                continue
            users = (
                related._base_manager.filter(**{f"{relation.field.name}__batch": batch})
                .exclude(batch=batch)
                .exclude(batch__status=Status.ROLLED_BACK)
                .values_list("batch_id", flat=True)
                .distinct()
            )
            for pk in users:
                found.setdefault(pk, ImportBatch.objects.get(pk=pk))
    return sorted(found.values(), key=lambda b: b.pk)


def rollback(batch: ImportBatch) -> RollbackResult:
    """Undo ``batch`` in the current transaction (the caller holds it). See the module note."""
    if batch.status == Status.ROLLED_BACK:
        raise RollbackError(f"batch {batch.pk} ({batch.file_name}) is already rolled back")
    if batch.status == Status.REPLACED:
        later = batch.replaced_by.exclude(status=Status.ROLLED_BACK).first()
        hint = f"; roll back batch {later.pk} ({later.file_name}) first" if later else ""
        raise RollbackError(
            f"batch {batch.pk} ({batch.file_name}) has been replaced by a later file{hint}"
        )
    blockers = dependants(batch)
    if blockers:
        names = ", ".join(f"{b.pk} ({b.file_name})" for b in blockers[:5])
        raise RollbackError(
            f"later imports build on batch {batch.pk} ({batch.file_name}): roll back "
            f"batch {names} first"
        )
    result = RollbackResult(batch.pk, batch.file_name)
    changes = list(batch.changes.order_by("-id"))
    batch.status = Status.ROLLED_BACK
    batch.save(update_fields=["status"])
    keep: dict[str, set[int]] = defaultdict(set)
    for change in changes:
        if change.action == Action.UPDATED:
            keep[change.model].update(row[0] for row in change.rows)
    for model in batch_models():
        removed = _delete_rows(model, batch, keep.get(_label(model), set()))
        if removed:
            result.removed[_label(model)] = removed
    for change in changes:
        if change.action == Action.UPDATED:
            _restore_updated(change)
            result.restored[change.model] = result.restored.get(change.model, 0) + len(change.rows)
    for change in reversed([c for c in changes if c.action == Action.DELETED]):
        model = apps.get_model(change.model)
        model._base_manager.bulk_create(
            [model(**dict(zip(change.fields, row, strict=True))) for row in change.rows],
            batch_size=2000,
        )
        result.restored[change.model] = result.restored.get(change.model, 0) + len(change.rows)
    for change in changes:
        if change.action == Action.CREATED:
            removed = _delete_unreferenced(change, batch)
            if removed:
                result.removed[change.model] = result.removed.get(change.model, 0) + removed
    batch.changes.all().delete()
    return result


def _delete_rows(model: type[models.Model], batch: ImportBatch, keep: set[int]) -> int:
    """Delete the batch's rows of ``model`` (except those to be restored), leaves first."""
    rows = model._base_manager.filter(batch=batch)
    if keep:
        rows = rows.exclude(pk__in=keep)
    self_links = [
        f.name
        for f in model._meta.get_fields()
        if f.many_to_one and f.concrete and f.related_model is model
    ]
    removed = 0
    while True:
        leaves = rows
        for name in self_links:
            leaves = leaves.exclude(pk__in=rows.filter(**{f"{name}__isnull": False}).values(name))
        pks = list(leaves.values_list("pk", flat=True)[:5000])
        if not pks:
            break
        model._base_manager.filter(pk__in=pks).delete()
        removed += len(pks)
    return removed


def _restore_updated(change: BatchChange) -> None:
    """Put back the field values an import changed, one UPDATE per distinct set of values."""
    model = apps.get_model(change.model)
    groups: dict[str, tuple[dict[str, Any], list[int]]] = {}
    for pk, *values in change.rows:
        fields = dict(zip(change.fields, values, strict=True))
        key = repr(sorted(fields.items()))
        groups.setdefault(key, (fields, []))[1].append(pk)
    for fields, pks in groups.values():
        for start in range(0, len(pks), 2000):
            model._base_manager.filter(pk__in=pks[start : start + 2000]).update(**fields)


def _delete_unreferenced(change: BatchChange, batch: ImportBatch) -> int:
    """Delete objects the batch created (forces), unless something still refers to them."""
    model = apps.get_model(change.model)
    removed = 0
    for (pk,) in change.rows:
        obj = model._base_manager.filter(pk=pk).first()
        if obj is None:
            continue
        if model is Force and batch.force_id == pk:
            batch.details["force"] = obj.slug
            batch.force = None
            batch.save(update_fields=["force", "details"])
        if not _is_referenced(obj):
            obj.delete()
            removed += 1
    return removed


def _is_referenced(obj: models.Model) -> bool:
    for relation in obj._meta.related_objects:
        if relation.many_to_many or not relation.field.concrete:
            continue
        manager = relation.related_model._base_manager
        if manager.filter(**{relation.field.name: obj}).exists():
            return True
    return False
