"""Edits to a plan file held as plain data (``PlanFile.model_dump(mode="json")``), as the
staff pages make them: a measure's fields (with the months its baseline leaves out), the
wording of a theme, priority or outcome, a priority's rank, adding and removing a measure;
and ``finalise``, which turns an edited copy into the next version (its version name and
reason, the reason on every item it changes, and the measures it drops listed under
``removed``).

A measure's target edited to another type keeps only the fields that type uses
(``TYPE_FIELDS``): the comparator, peer group and average of a peer-comparison (MSG) target,
the figures of a trajectory.

Every function returns a new dict and leaves its input alone. Nothing here checks the result:
``oversight.plans.changes.validate_spec`` does that with the plan file's own checks, so an
edit made here and a file written by hand are held to the same rules.

Where a field a measure must declare (``planfile.MEASURE_FIELDS_TO_DECLARE``) is emptied, it
is listed under the measure's ``not_stated``; where a field is filled in, it is taken off that
list.

This module does not use Django.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from oversight.plans.checks import MSG_TARGETS
from oversight.plans.planfile import NOT_STATED

Data = dict[str, Any]

# Target fields that belong to some target types only (docs/plan-file.md, "target"), with the
# value each has when not given. A target edited to another type drops them, so a plain figure
# is not shown "compared with" the peer average its old type was measured against.
TYPE_FIELDS: dict[str, tuple[frozenset[str], Any]] = {
    "comparator": (frozenset(MSG_TARGETS), None),
    "peer_group": (frozenset(MSG_TARGETS), None),
    "average": (frozenset(MSG_TARGETS), None),
    "values": (frozenset({"trajectory"}), {}),
}


class EditError(Exception):
    """The item to edit is not in the plan (a code or key that does not exist)."""


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def set_field(block: Data, name: str, value: Any, *, declare: bool = False) -> None:
    """Set ``block[name]``; an empty value clears it (and, with ``declare``, lists the field
    under ``not_stated``). A value given is taken off ``not_stated``."""
    listed = [n for n in block.get("not_stated") or [] if n != name]
    if _empty(value):
        block[name] = [] if isinstance(block.get(name), list) else None
        if declare:
            listed.append(name)
    else:
        block[name] = value
    block["not_stated"] = listed


# --- finding items ---------------------------------------------------------------------------


def measure(data: Data, code: str) -> Data:
    """The measure with ``code``; raises ``EditError`` if there is none."""
    for item in data.get("measures") or []:
        if item["code"] == code:
            return item
    raise EditError(f"There is no measure {code} in the plan")


def measure_index(data: Data, code: str) -> int:
    codes = [item["code"] for item in data.get("measures") or []]
    if code not in codes:
        raise EditError(f"There is no measure {code} in the plan")
    return codes.index(code)


def theme(data: Data, number: int) -> Data:
    for item in data["themes"]:
        if item["number"] == number:
            return item
    raise EditError(f"There is no theme {number} in the plan")


def priorities(data: Data) -> Iterator[tuple[tuple[Any, ...], Data]]:
    """Every priority with its path in the file, such as ``("themes", 0, "priorities", 1)``."""
    for t, item in enumerate(data["themes"]):
        for p, priority in enumerate(item.get("priorities") or []):
            yield ("themes", t, "priorities", p), priority
    for p, priority in enumerate(data.get("priorities_without_theme") or []):
        yield ("priorities_without_theme", p), priority


def outcomes(data: Data) -> Iterator[tuple[tuple[Any, ...], Data]]:
    """Every outcome with its path in the file."""
    for t, item in enumerate(data["themes"]):
        for o, outcome in enumerate(item.get("outcomes") or []):
            yield ("themes", t, "outcomes", o), outcome
    for path, priority in priorities(data):
        for o, outcome in enumerate(priority.get("outcomes") or []):
            yield (*path, "outcomes", o), outcome


def priority_path(data: Data, key: str) -> tuple[Any, ...]:
    for path, item in priorities(data):
        if item["key"] == key:
            return path
    raise EditError(f"There is no priority {key} in the plan")


def outcome_path(data: Data, key: str) -> tuple[Any, ...]:
    for path, item in outcomes(data):
        if item["key"] == key:
            return path
    raise EditError(f"There is no outcome {key} in the plan")


def at(data: Data, path: tuple[Any, ...]) -> Any:
    for part in path:
        data = data[part]
    return data


# --- edits ------------------------------------------------------------------------------------


@dataclass
class MeasureEdit:
    """The fields of a measure the staff pages edit. Text is stripped; empty means not given."""

    name: str
    definition: str = ""
    owner: str = ""
    polarity: str = NOT_STATED
    public: bool = False
    caveats: list[str] = field(default_factory=list)
    target_type: str = NOT_STATED
    target_value: float | None = None
    target_methodology: str = ""
    target_consultees: list[str] = field(default_factory=list)
    baseline_rule: str = NOT_STATED
    baseline_period: str = ""
    baseline_value: float | None = None
    baseline_excluded: list[Data] = field(default_factory=list)


def measure_edit_from(item: Data) -> MeasureEdit:
    """The edit form's starting values for a measure as it stands."""
    target = item.get("target") or {}
    baseline = item.get("baseline") or {}
    return MeasureEdit(
        name=item["name"],
        definition=item.get("definition") or "",
        owner=item.get("owner") or "",
        polarity=item.get("polarity") or NOT_STATED,
        public=bool(item.get("public")),
        caveats=list(item.get("caveats") or []),
        target_type=target.get("type") or NOT_STATED,
        target_value=target.get("value"),
        target_methodology=target.get("methodology") or "",
        target_consultees=list(target.get("consultees") or []),
        baseline_rule=baseline.get("rule") or NOT_STATED,
        baseline_period=baseline.get("period") or "",
        baseline_value=baseline.get("value"),
        baseline_excluded=[{"period": e["period"], "reason": e["reason"]}
                           for e in baseline.get("excluded") or []],
    )


def edit_measure(data: Data, code: str, edit: MeasureEdit) -> Data:
    """A copy of ``data`` with measure ``code`` changed as ``edit`` says."""
    data = copy.deepcopy(data)
    item = measure(data, code)
    item["name"] = edit.name
    set_field(item, "definition", edit.definition, declare=True)
    set_field(item, "owner", edit.owner, declare=True)
    set_field(item, "polarity", None if edit.polarity == NOT_STATED else edit.polarity,
              declare=True)
    item["public"] = edit.public
    item["caveats"] = list(edit.caveats)
    _edit_target(item, edit)
    _edit_baseline(item, edit)
    return data


def _edit_target(item: Data, edit: MeasureEdit) -> None:
    given = (edit.target_value is not None or edit.target_methodology
             or edit.target_consultees)
    if item.get("target") is None and edit.target_type == NOT_STATED and not given:
        return  # still not stated, as before: leave the measure's not_stated list alone
    target = dict(item.get("target") or {})
    target["type"] = edit.target_type
    dropped = {name for name, (types, _) in TYPE_FIELDS.items() if edit.target_type not in types}
    for name in dropped:
        if name in target:
            target[name] = copy.deepcopy(TYPE_FIELDS[name][1])
    if target.get("not_stated"):
        target["not_stated"] = [n for n in target["not_stated"] if n not in dropped]
    set_field(target, "value", edit.target_value)
    set_field(target, "methodology", edit.target_methodology)
    set_field(target, "consultees", edit.target_consultees)
    set_field(item, "target", target)


def _edit_baseline(item: Data, edit: MeasureEdit) -> None:
    given = edit.baseline_period or edit.baseline_value is not None or edit.baseline_excluded
    if item.get("baseline") is None and edit.baseline_rule == NOT_STATED and not given:
        return
    baseline = dict(item.get("baseline") or {})
    baseline["rule"] = edit.baseline_rule
    set_field(baseline, "period", edit.baseline_period)
    set_field(baseline, "value", edit.baseline_value)
    baseline["excluded"] = [dict(e) for e in edit.baseline_excluded]
    set_field(item, "baseline", baseline)


def edit_wording(data: Data, path: tuple[Any, ...], title: str, description: str) -> Data:
    """A copy of ``data`` with the theme, priority or outcome at ``path`` reworded."""
    data = copy.deepcopy(data)
    item = at(data, path)
    item["title"] = title
    set_field(item, "description", description)
    return data


def edit_priority(data: Data, key: str, title: str, description: str,
                  rank: int | None) -> Data:
    """A copy of ``data`` with priority ``key`` reworded and ranked (``None``: not stated)."""
    path = priority_path(data, key)
    data = edit_wording(data, path, title, description)
    item = at(data, path)
    item["rank"] = NOT_STATED if rank is None else rank
    item["not_stated"] = [n for n in item.get("not_stated") or [] if n != "rank"]
    return data


@dataclass
class NewMeasure:
    """A measure added from the staff pages. With crime types it counts data.police.uk rows
    for the force area each month; without, its source is not stated yet."""

    code: str
    name: str
    theme: int
    definition: str = ""
    unit: str = ""
    polarity: str = NOT_STATED
    crime_types: list[str] = field(default_factory=list)
    public: bool = False


def add_measure(data: Data, new: NewMeasure) -> Data:
    """A copy of ``data`` with ``new`` added after the other measures."""
    data = copy.deepcopy(data)
    item: Data = {"code": new.code, "name": new.name, "theme": new.theme, "public": new.public,
                  "kind": NOT_STATED, "baseline": {"rule": NOT_STATED},
                  "target": {"type": NOT_STATED}, "not_stated": []}
    if new.crime_types:
        item.update(source={"type": "police-uk", "crime_types": list(new.crime_types),
                            "counting": "rows"},
                    frequency="monthly", geography="force")
    else:
        item["source"] = {"type": NOT_STATED}
        item["not_stated"] += ["frequency", "geography"]
    set_field(item, "definition", new.definition, declare=True)
    set_field(item, "unit", new.unit, declare=True)
    set_field(item, "polarity", None if new.polarity == NOT_STATED else new.polarity,
              declare=True)
    item["not_stated"].append("owner")
    data.setdefault("measures", []).append(item)
    return data


def remove_measure(data: Data, code: str) -> Data:
    """A copy of ``data`` without measure ``code`` (``finalise`` records it as removed)."""
    data = copy.deepcopy(data)
    index = measure_index(data, code)
    del data["measures"][index]
    return data


# --- the next version -------------------------------------------------------------------------

_NESTED = {"theme": ("priorities", "outcomes", "change_reason"),
           "priority": ("outcomes", "change_reason"),
           "outcome": ("change_reason",), "measure": ("change_reason",)}


def _items(data: Data) -> dict[tuple[str, str], Data]:
    """Themes, priorities, outcomes and measures by (kind, key), as dicts inside ``data``."""
    found: dict[tuple[str, str], Data] = {}
    for item in data["themes"]:
        found[("theme", str(item["number"]))] = item
    for _path, item in priorities(data):
        found[("priority", item["key"])] = item
    for _path, item in outcomes(data):
        found[("outcome", item["key"])] = item
    for item in data.get("measures") or []:
        found[("measure", item["code"])] = item
    return found


def _own_fields(kind: str, item: Data) -> Data:
    return {k: v for k, v in item.items() if k not in _NESTED[kind]}


def finalise(base: Data, edited: Data, *, reason: str, version: str) -> Data:
    """The next version of the plan: ``edited`` with its version name, approved status and
    ``reason`` as the plan's change reason and on each item added or changed since ``base``;
    the measures and other items it drops are listed under ``removed`` with the same reason."""
    data = copy.deepcopy(edited)
    data["plan"].update(version=version, change_reason=reason, status="approved")
    before, after = _items(base), _items(data)
    for key, item in after.items():
        old = before.get(key)
        if old is None or _own_fields(key[0], old) != _own_fields(key[0], item):
            item["change_reason"] = reason
    data["removed"] = [{"kind": kind, "key": key, "reason": reason}
                       for kind, key in before if (kind, key) not in after]
    return data
