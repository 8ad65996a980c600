"""`oversight query spc --measure CODE` prints the stored SPC summary of a measure."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from oversight.cli.main import app
from tests import demo_state

pytestmark = pytest.mark.django_db


def test_query_spc_prints_the_stored_summary_with_an_independent_mean():
    from oversight.methods.periods import month_range

    plan = demo_state.build([*month_range("2021-06", "2022-11"), "2024-01"])
    measure = plan.measures.get(code="MCNS-VEHICLE-CRIME")
    result = CliRunner().invoke(app, ["query", "spc", "--measure", measure.code])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    counts = [row["count"] for row in measure.result.figures["series"] if row["count"] is not None]
    assert len(counts) == 19
    assert summary["mean"] == pytest.approx(sum(counts) / len(counts))
    assert summary["first_period"] == "2021-06" and summary["last_period"] == "2024-01"
    assert summary["ghosted"] == ["2022-12", *[f"2023-{m:02d}" for m in range(1, 13)]]


def test_query_spc_names_the_codes_when_the_measure_is_unknown():
    demo_state.build(["2025-04", "2025-05", "2025-06"])
    result = CliRunner().invoke(app, ["query", "spc", "--measure", "NOPE"])
    assert result.exit_code == 1
    assert "MCNS-VEHICLE-CRIME" in result.output
