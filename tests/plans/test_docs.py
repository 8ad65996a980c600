"""``docs/plan-file.md`` stays true to the code: its example is valid and every field is there."""

from __future__ import annotations

import re

import pytest
from pydantic import BaseModel

from oversight.plans import planfile
from tests.plans.helpers import REPO

DOC = (REPO / "docs" / "plan-file.md").read_text(encoding="utf-8")


def test_the_short_example_is_a_valid_plan_file() -> None:
    match = re.search(r"## A short example\n\n```yaml\n(.*?)```", DOC, re.S)
    assert match is not None
    spec = planfile.parse_plan_text(match.group(1), "example.yaml")
    assert spec.measures[0].code == "VEH-1"


@pytest.mark.parametrize(
    "spec",
    [
        planfile.PlanHeader, planfile.ThemeSpec, planfile.PrioritySpec, planfile.MeasureSpec,
        planfile.PoliceUkSource, planfile.BaselineSpec, planfile.TargetSpec,
        planfile.PeerGroupSpec, planfile.PlanFile,
    ],
    ids=lambda spec: spec.__name__,
)
def test_every_field_is_documented(spec: type[BaseModel]) -> None:
    missing = [name for name in spec.model_fields if f"`{name}`" not in DOC]
    assert missing == []
