"""Grade a measure on its plan's grade scale from its computed figures."""

from __future__ import annotations

from typing import Any

from oversight.methods.grades import SCALES, GradeInputs, GradeResult

STATUS_FACT = {"met": "met", "not-met": "not_met", "not-assessable": "not_assessable"}


def grade_for(plan: Any, measure: Any, figures: dict[str, Any]) -> GradeResult:
    """The measure's grade on the plan's scale (RAG unless the plan names another)."""
    scale = SCALES.get(getattr(plan, "grade_scale", "") or "rag", SCALES["rag"])
    spc_fig = figures.get("spc") or {}
    signal = spc_fig.get("latest_signal") if spc_fig.get("available") else None
    if signal == "ghost":
        signal = None
    target = (measure.target or {}).get("type")
    status = figures.get("status", "not-assessable")
    inputs = GradeInputs(
        target_status="unknown" if target in (None, "not_stated") else STATUS_FACT[status],
        spc_signal=signal,
        exception_open=None,
        figures=figures.get("status_reason", ""),
    )
    return scale.grade(inputs)
