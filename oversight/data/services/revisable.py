"""Figures a later edition may revise (ONS tables, workforce): stored beside the figure they
revise, which is kept."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from oversight.data import bulk, journal
from oversight.data.models import ImportBatch, OnsFigure, Revisable


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
