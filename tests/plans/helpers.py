"""A small valid plan file for tests, and helpers to change one line of it and find lines."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
PACKAGED = REPO / "oversight" / "plans" / "examples"

SMALL_PLAN = """\
plan:
  slug: test-plan
  title: Test plan
  force: leicestershire
  force_name: Leicestershire Police
  period: {start: 2013, end: 2017}
  version: "1"
  status: approved
  source: A test
  not_stated: [published]
themes:
  - number: 1
    title: Making Communities and Neighbourhoods Safer
    priorities:
      - key: vehicle-crime
        rank: not_stated
        title: Vehicle crime
        status: kept
measures:
  - code: VEH-1
    name: Vehicle crime
    theme: 1
    priority: vehicle-crime
    unit: count
    polarity: lower
    kind: outcome
    source:
      type: police-uk
      crime_types: [Vehicle crime]
      counting: rows
    frequency: monthly
    geography: force
    baseline: not_stated
    target:
      type: numeric
      value: 100
    public: true
    not_stated: [definition, owner]
  - code: ALL-1
    name: All crime
    theme: 1
    unit: count
    polarity: lower
    kind: outcome
    source:
      type: police-uk
      crime_types: all crime
      counting: rows
    frequency: monthly
    geography: force
    baseline: not_stated
    target: not_stated
    not_stated: [definition, owner]
"""


def line_of(text: str, fragment: str, occurrence: int = 1) -> int:
    """The 1-based line of the ``occurrence``-th line containing ``fragment``."""
    found = [n for n, line in enumerate(text.splitlines(), start=1) if fragment in line]
    return found[occurrence - 1]


def write(tmp_path: Path, text: str, name: str = "plan.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path
