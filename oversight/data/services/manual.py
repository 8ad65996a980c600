"""Survey and other manual values typed in for a measure with no file."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from oversight.data import journal
from oversight.data.models import Force, ImportBatch, SurveyValue
from oversight.data.services.common import Kind, ensure_forces


class ManualValueError(ValueError):
    """A manual value that cannot be stored; the message says what to change."""


@dataclass(frozen=True)
class ManualValue:
    """A value typed in for a measure with no file: a survey result or a published figure."""

    measure_code: str
    period: str
    value: float
    source: str
    kind: str = "survey"
    force: str | None = None
    unit: str = ""
    sample_size: int | None = None
    ci_lower: float | None = None
    ci_upper: float | None = None
    confidence_level: float = 95.0
    published_on: Any = None
    note: str = ""


def check_manual_value(entry: ManualValue) -> dict[str, str]:
    """Problems with an entry, by field name (empty if it can be stored)."""
    from oversight.methods import periods

    problems: dict[str, str] = {}
    if not entry.measure_code.strip():
        problems["measure_code"] = "Enter the measure's code"
    try:
        periods.period_months(entry.period)
    except ValueError:
        problems["period"] = (
            "Enter the period as a month (2025-06), a quarter (2025/26 Q1), a financial year "
            "(2025/26) or a year (2025)"
        )
    if not entry.source.strip():
        problems["source"] = "Enter the source: the survey or publication the value comes from"
    if entry.unit == "percentage" and not 0 <= entry.value <= 100:
        problems["value"] = "A percentage must be between 0 and 100"
    if entry.kind == "survey":
        if entry.sample_size is None and (entry.ci_lower is None or entry.ci_upper is None):
            problems["sample_size"] = (
                "Enter the sample size or both confidence limits: a survey result needs one"
            )
        if entry.sample_size is not None and entry.sample_size < 1:
            problems["sample_size"] = "The sample size must be at least 1"
    if (entry.ci_lower is None) != (entry.ci_upper is None):
        problems["ci_upper" if entry.ci_upper is None else "ci_lower"] = (
            "Enter both confidence limits, or neither"
        )
    elif entry.ci_lower is not None and entry.ci_upper is not None:
        if not entry.ci_lower <= entry.value <= entry.ci_upper:
            problems["ci_lower"] = (
                "The value must lie between the lower and upper confidence limits"
            )
    if not 50 <= entry.confidence_level < 100:
        problems["confidence_level"] = "The confidence level must be a per cent, e.g. 95"
    return problems


def record_manual_value(entry: ManualValue, *, entered_by: str, user: Any = None) -> SurveyValue:
    """Store a survey or manual value as its own batch (who, when, what); a later entry for
    the same measure, force and period revises the earlier one."""
    import hashlib
    import json

    problems = check_manual_value(entry)
    if problems:
        raise ManualValueError("; ".join(problems.values()))
    record = {
        k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in entry.__dict__.items()
    }
    digest = hashlib.sha256(json.dumps(record, sort_keys=True).encode()).hexdigest()
    with transaction.atomic():
        created_forces: list[Force] = []
        force = ensure_forces([entry.force], created_forces)[entry.force] if entry.force else None
        batch = ImportBatch.objects.create(
            kind=Kind.MANUAL,
            file_name=f"{entry.measure_code} {entry.period} (entered)",
            sha256=digest,
            size_bytes=0,
            force=force,
            rows_read=1,
            details={"entry": record},
            imported_by=entered_by,
            user=user,
        )
        journal.record_created(batch, created_forces)
        row = {
            "measure_code": entry.measure_code,
            "force_id": force.pk if force else None,
            "kind": entry.kind,
            "period": entry.period,
            "value": entry.value,
            "unit": entry.unit,
            "sample_size": entry.sample_size,
            "ci_lower": entry.ci_lower,
            "ci_upper": entry.ci_upper,
            "confidence_level": entry.confidence_level,
            "source": entry.source,
            "published_on": entry.published_on,
            "note": entry.note,
        }
        current = SurveyValue.objects.filter(
            is_current=True, measure_code=entry.measure_code, force=force, period=entry.period
        ).first()
        if current is not None:
            journal.record_updated(
                batch, SurveyValue, ["is_current"], [[current.pk, True]], [current.batch_id]
            )
            current.is_current = False
            current.save(update_fields=["is_current"])
            row["revised_from_id"] = current.pk
        value = SurveyValue.objects.create(batch=batch, **row)
        batch.rows_stored = 1
        batch.save(update_fields=["rows_stored"])
    return value
