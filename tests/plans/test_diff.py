"""Comparing two versions of a plan file: added, removed and changed, field by field."""

from __future__ import annotations

from oversight.plans.diff import diff_specs
from oversight.plans.planfile import parse_plan_file, parse_plan_text
from tests.plans.helpers import EXAMPLES, SMALL_PLAN


def test_no_changes() -> None:
    spec = parse_plan_text(SMALL_PLAN)
    diff = diff_specs(spec, spec)
    assert diff.is_empty
    assert diff.lines() == [
        "No differences between test-plan version '1' and test-plan version '1'."
    ]


def test_changed_target_names_the_measure_and_field() -> None:
    old = parse_plan_file(EXAMPLES / "leicestershire-2013.yaml")
    text = (EXAMPLES / "leicestershire-2013.yaml").read_text(encoding="utf-8")
    new = parse_plan_text(text.replace("type: msg_average_achieve", "type: msg_average_maintain"))
    diff = diff_specs(old, new)
    assert [(c.kind, c.key, c.change) for c in diff.changes] == [
        ("measure", "MCNS-VEHICLE-CRIME", "changed")
    ]
    assert diff.changes[0].field_names() == ["target.type"]
    assert "  Changed: MCNS-VEHICLE-CRIME Vehicle crime" in diff.lines()
    assert "    - target.type: 'msg_average_achieve' → 'msg_average_maintain'" in diff.lines()


def test_removed_and_added_items_with_reasons() -> None:
    old = parse_plan_text(SMALL_PLAN)
    start = SMALL_PLAN.index("  - code: ALL-1")
    new_text = SMALL_PLAN[:start] + SMALL_PLAN[start:].replace("ALL-1", "ALL-2").replace(
        "name: All crime", "name: All crime (new)\n    change_reason: Renumbered"
    ) + "removed:\n  - kind: measure\n    key: ALL-1\n    reason: Replaced by ALL-2\n"
    diff = diff_specs(old, parse_plan_text(new_text))
    added, removed = diff.find("measure", "ALL-2"), diff.find("measure", "ALL-1")
    assert added is not None and added.change == "added" and added.reason == "Renumbered"
    assert removed is not None and removed.change == "removed"
    assert removed.reason == "Replaced by ALL-2"


def test_priority_status_change_gives_its_reason() -> None:
    old = parse_plan_text(SMALL_PLAN)
    new = parse_plan_text(SMALL_PLAN.replace(
        "        status: kept\n",
        "        status: removed\n        reason: Does not affect communities as much\n",
    ).replace("    priority: vehicle-crime\n", ""))
    change = diff_specs(old, new).find("priority", "vehicle-crime")
    assert change is not None and set(change.field_names()) == {"status", "reason"}
    assert change.reason == "Does not affect communities as much"


def test_an_unchanged_reason_is_not_repeated() -> None:
    text = SMALL_PLAN.replace("  source: A test\n", "  source: A test\n  change_reason: First\n")
    old = parse_plan_text(text)
    new = parse_plan_text(text.replace('version: "1"', 'version: "2"'))
    change = diff_specs(old, new).find("plan", "test-plan")
    assert change is not None and change.reason is None
