"""What changed between two versions of a plan: items added, removed and changed, field by field.

``diff_specs(old, new)`` compares two validated plan files and returns a ``PlanDiff``.
Themes are matched by number, priorities and outcomes by key, measures by code, strands by
number and peer groups by name. Each change carries the reason the new file gives: the item's
``change_reason``, a priority's ``reason``, or an entry in the new file's ``removed`` list.

This module does not use Django, so two files can be compared without a database.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from oversight.plans.planfile import NOT_STATED, PlanFile, PrioritySpec, ThemeSpec

ChangeKind = Literal["added", "removed", "changed"]

KIND_ORDER: tuple[str, ...] = (
    "plan", "strand", "theme", "priority", "outcome", "measure", "peer_group"
)
KIND_HEADINGS = {
    "plan": "Plan",
    "strand": "Strands",
    "theme": "Themes",
    "priority": "Priorities",
    "outcome": "Outcomes",
    "measure": "Measures",
    "peer_group": "Peer groups",
}
_LONGEST_VALUE = 160


@dataclass(frozen=True)
class FieldChange:
    """One field of one item, before and after."""

    field: str
    old: Any
    new: Any

    def sentence(self) -> str:
        """Such as ``target.value: 12 → 10``."""
        return f"{self.field}: {_show(self.old)} → {_show(self.new)}"

    @property
    def old_words(self) -> str:
        """The value before, as the diff prints it (``(none)``, ``not stated``, ``yes``…)."""
        return _show(self.old)

    @property
    def new_words(self) -> str:
        return _show(self.new)


@dataclass(frozen=True)
class ItemChange:
    """An item (theme, priority, measure…) added, removed or changed, and why."""

    kind: str
    key: str
    label: str
    change: ChangeKind
    fields: tuple[FieldChange, ...] = ()
    reason: str | None = None

    def field_names(self) -> list[str]:
        """The fields that changed, such as ``["target.value"]``."""
        return [f.field for f in self.fields]


@dataclass(frozen=True)
class PlanDiff:
    """Every difference between two versions of a plan, in plan order."""

    old_label: str
    new_label: str
    changes: tuple[ItemChange, ...] = field(default_factory=tuple)

    @property
    def is_empty(self) -> bool:
        return not self.changes

    def find(self, kind: str, key: str) -> ItemChange | None:
        """The change to one item, such as ``find("measure", "VEH-1")``, if it changed."""
        return next((c for c in self.changes if c.kind == kind and c.key == key), None)

    def only(self, keep: Callable[[ItemChange], bool]) -> PlanDiff:
        """The same comparison with only the changes ``keep`` accepts, such as the ones the
        public may see."""
        return PlanDiff(self.old_label, self.new_label,
                        tuple(c for c in self.changes if keep(c)))

    def summary(self) -> str:
        """What changed in one sentence, such as "Changed 2 measures and the plan's details;
        added 1 measure; removed 1 priority." Reasons are not included."""
        parts = []
        for verb in ("changed", "added", "removed"):
            counts = {kind: sum(1 for c in self.changes if c.kind == kind and c.change == verb)
                      for kind in KIND_ORDER}
            words = [_count_words(kind, n) for kind, n in counts.items() if n]
            if words:
                parts.append(f"{verb} {_and(words)}")
        if not parts:
            return "Nothing changed in the plan's contents."
        sentence = "; ".join(parts) + "."
        return sentence[:1].upper() + sentence[1:]

    def lines(self) -> list[str]:
        """The differences as lines of plain text, grouped by kind of item."""
        if self.is_empty:
            return [f"No differences between {self.old_label} and {self.new_label}."]
        lines = [f"Changes from {self.old_label} to {self.new_label}:"]
        for kind in KIND_ORDER:
            changes = [c for c in self.changes if c.kind == kind]
            if changes:
                lines.append("")
                lines.append(KIND_HEADINGS[kind])
                for change in changes:
                    lines += _describe(change)
        return lines

    def __str__(self) -> str:
        return "\n".join(self.lines())


_NOUNS = {"strand": ("strand", "strands"), "theme": ("theme", "themes"),
          "priority": ("priority", "priorities"), "outcome": ("outcome", "outcomes"),
          "measure": ("measure", "measures"), "peer_group": ("peer group", "peer groups")}


def _count_words(kind: str, count: int) -> str:
    if kind == "plan":
        return "the plan's details"
    singular, plural = _NOUNS[kind]
    return f"{count} {singular if count == 1 else plural}"


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _describe(change: ItemChange) -> list[str]:
    lines = [f"  {change.change.capitalize()}: {change.label}"]
    lines += [f"    - {f.sentence()}" for f in change.fields]
    lines.append(f"    Reason: {change.reason or 'none given in the new file'}")
    return lines


def _show(value: Any) -> str:
    if value is None or value == [] or value == {}:
        return "(none)"
    if value == NOT_STATED:
        return "not stated"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return "[" + "; ".join(_show(v) for v in value) + "]"
    if isinstance(value, dict) and set(value) == {"period", "reason"}:  # a period left out
        return f"{value['period']}: {_show(value['reason'])}"
    if isinstance(value, dict):
        return ", ".join(f"{key}: {_show(item)}" for key, item in value.items())
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = f"'{value}'" if isinstance(value, str) else str(value)
    return text if len(text) <= _LONGEST_VALUE else text[: _LONGEST_VALUE - 1] + "…'"


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """``{"target": {"value": 1}}`` as ``{"target.value": 1}``; lists stay whole."""
    if isinstance(value, dict) and value:
        flat: dict[str, Any] = {}
        for key, item in value.items():
            flat.update(_flatten(item, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    return {prefix: value}


@dataclass(frozen=True)
class _Item:
    label: str
    fields: dict[str, Any]
    reason: str | None


def _items(spec: PlanFile) -> dict[tuple[str, str], _Item]:
    """Every item of a plan, keyed by (kind, key), with its fields flattened for comparison."""
    items: dict[tuple[str, str], _Item] = {}
    header = spec.plan.model_dump(mode="json", exclude={"change_reason"})
    header["grade_scale"] = spec.grade_scale
    items[("plan", spec.plan.slug)] = _Item(spec.plan.title, _flatten(header),
                                            spec.plan.change_reason)
    for strand in spec.strands:
        dump = strand.model_dump(mode="json", exclude={"change_reason"})
        items[("strand", str(strand.number))] = _Item(
            f"{strand.number}. {strand.title}", _flatten(dump), strand.change_reason
        )
    for theme in spec.themes:
        dump = theme.model_dump(mode="json", exclude={"change_reason", "priorities", "outcomes"})
        items[("theme", str(theme.number))] = _Item(
            f"{theme.number}. {theme.title}", _flatten(dump), theme.change_reason
        )
    for parent, priority in spec.all_priorities():
        dump = priority.model_dump(mode="json", exclude={"change_reason", "outcomes"})
        dump["theme"] = parent.number if parent else NOT_STATED
        items[("priority", priority.key)] = _Item(
            priority.title, _flatten(dump), priority.change_reason or priority.reason
        )
    for outcome_theme, outcome_priority, outcome in spec.all_outcomes():
        dump = outcome.model_dump(mode="json", exclude={"change_reason"})
        dump["under"] = _parent_words(outcome_theme, outcome_priority)
        items[("outcome", outcome.key)] = _Item(outcome.title, _flatten(dump),
                                                outcome.change_reason)
    for measure in spec.measures:
        dump = measure.model_dump(mode="json", exclude={"change_reason", "code"})
        items[("measure", measure.code)] = _Item(
            f"{measure.code} {measure.name}", _flatten(dump), measure.change_reason
        )
    for group in spec.peer_groups:
        dump = group.model_dump(mode="json", exclude={"name"})
        items[("peer_group", group.name)] = _Item(group.name, _flatten(dump), None)
    return items


def _parent_words(theme: ThemeSpec | None, priority: PrioritySpec | None) -> str:
    if priority is not None:
        return f"priority {priority.key}"
    return f"theme {theme.number}" if theme is not None else NOT_STATED


def _field_changes(old: dict[str, Any], new: dict[str, Any]) -> tuple[FieldChange, ...]:
    names = list(old) + [name for name in new if name not in old]
    return tuple(
        FieldChange(name, old.get(name), new.get(name))
        for name in names
        if old.get(name) != new.get(name)
    )


def diff_specs(old: PlanFile, new: PlanFile) -> PlanDiff:
    """Every difference between plan file ``old`` and plan file ``new``."""
    before, after = _items(old), _items(new)
    if old.plan.slug != new.plan.slug:  # compare the two headers with each other
        before = {("plan", new.plan.slug) if k[0] == "plan" else k: v for k, v in before.items()}
    removed_reasons: dict[tuple[str, str], str] = {(r.kind, r.key): r.reason for r in new.removed}
    changes: list[ItemChange] = []
    for key, item in after.items():
        if key not in before:
            changes.append(ItemChange(key[0], key[1], item.label, "added", (), item.reason))
            continue
        fields = _field_changes(before[key].fields, item.fields)
        if fields:
            reason = item.reason if item.reason != before[key].reason else None  # not left over
            changes.append(ItemChange(key[0], key[1], item.label, "changed", fields, reason))
    for key, item in before.items():
        if key not in after:
            reason = removed_reasons.get(key)
            changes.append(ItemChange(key[0], key[1], item.label, "removed", (), reason))
    changes.sort(key=lambda c: KIND_ORDER.index(c.kind))
    return PlanDiff(_label(old), _label(new), tuple(changes))


def _label(spec: PlanFile) -> str:
    return f"{spec.plan.slug} version {spec.plan.version!r}"
