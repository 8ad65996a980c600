"""``oversight plan check`` and ``oversight plan diff`` (neither needs a database)."""

from __future__ import annotations

from pathlib import Path

import typer
from typer.testing import CliRunner

from oversight.cli import plans
from tests.plans.helpers import EXAMPLES, SMALL_PLAN, line_of, write

runner = CliRunner()


def plan_app() -> typer.Typer:
    app = typer.Typer()
    plans.register(app)
    return app


def test_check_a_valid_file() -> None:
    path = EXAMPLES / "leicestershire-2013.yaml"
    result = runner.invoke(plan_app(), ["plan", "check", str(path)])
    assert result.exit_code == 0, result.output
    assert "leicestershire-2013.yaml is a valid plan file" in result.output
    assert "4 themes, 3 priorities, 6 measures" in result.output


def test_check_a_bad_file_lists_problems_and_exits_1(tmp_path: Path) -> None:
    text = SMALL_PLAN.replace("polarity: lower", "polarity: down", 1)
    result = runner.invoke(plan_app(), ["plan", "check", str(write(tmp_path, text))])
    assert result.exit_code == 1
    assert "The plan file has 1 problem:" in result.output
    assert f"plan.yaml, line {line_of(text, 'polarity: down')}, measures[0].polarity" in (
        result.output
    )


def test_diff_two_files(tmp_path: Path) -> None:
    old = write(tmp_path, SMALL_PLAN, "old.yaml")
    new = write(tmp_path, SMALL_PLAN.replace("value: 100", "value: 80"), "new.yaml")
    result = runner.invoke(plan_app(), ["plan", "diff", str(old), str(new)])
    assert result.exit_code == 0, result.output
    assert "Changed: VEH-1 Vehicle crime" in result.output
    assert "- target.value: 100 → 80" in result.output
