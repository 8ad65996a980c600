"""The one way returns are set up, checked, stored and listed.

- ``define_template``: set up (or change) what a provider returns; changing the measures
  makes a new version.
- ``check_upload``: read and check an uploaded file; if it has no problem, keep the checked
  figures as a *pending* submission (nothing else is stored) for the provider to confirm.
- ``confirm``: turn a pending submission into an accepted one, in one transaction, with an
  ``ImportBatch`` (file, checksum, who, when) and the ``ReturnValue`` rows; an earlier
  accepted return for the same period is superseded. ``submit_files`` does both for the
  command line.
- ``periods_for`` and ``late_and_missing``: where each period stands, per provider.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from oversight.accounts import audit
from oversight.accounts.models import Organisation
from oversight.data import journal
from oversight.data.models import ImportBatch
from oversight.returns import schedule
from oversight.returns.models import ReturnSubmission, ReturnTemplate, ReturnValue
from oversight.returns.validate import CheckedReturn, ReturnFileError, TemplateSpec, read_return

KINDS = ("count", "proportion", "value")


class ReturnSetupError(ValueError):
    """A template that cannot be set up as asked; the message says what to change."""


# --- setting up ---------------------------------------------------------------------------


def field_spec(
    code: str,
    name: str,
    *,
    kind: str = "count",
    definition: str = "",
    unit: str = "",
    minimum: float = 0,
    maximum: float | None = None,
    required: bool = True,
    numerator_label: str = "",
    denominator_label: str = "",
) -> dict[str, Any]:
    """One measure of a return, as stored in ``ReturnTemplate.fields``."""
    if kind not in KINDS:
        raise ReturnSetupError(f'"{kind}" is not a kind of figure; use one of {", ".join(KINDS)}')
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,39}", code or ""):
        raise ReturnSetupError(f'"{code}" is not a measure code (letters, digits, - _ .)')
    spec: dict[str, Any] = {
        "code": code,
        "name": name,
        "kind": kind,
        "definition": definition,
        "unit": unit or ("percentage" if kind == "proportion" else "count"),
        "min": minimum,
        "max": maximum,
        "required": required,
    }
    if kind == "proportion":
        spec["numerator_label"] = numerator_label
        spec["denominator_label"] = denominator_label
    return spec


def define_template(
    *,
    name: str,
    provider: Organisation,
    frequency: str,
    first_period: str,
    fields: Sequence[dict[str, Any]],
    due_days: int = 20,
    notes: str = "",
    slug: str | None = None,
    user: Any = None,
) -> ReturnTemplate:
    """Create a return template, or change the one with ``slug``. A change to its measures
    makes a new version, so files made from the old one are refused."""
    if frequency not in ReturnTemplate.Frequency.values:
        raise ReturnSetupError("Choose how often the return is made: monthly or quarterly")
    try:
        first_period = schedule.check_period(first_period, frequency)
    except ValueError as exc:
        raise ReturnSetupError(f"First period: {exc}") from None
    if not fields:
        raise ReturnSetupError("Choose at least one measure for the return")
    codes = [f["code"] for f in fields]
    if len(set(codes)) != len(codes):
        raise ReturnSetupError("Each measure can be asked for once only")
    if provider.kind != Organisation.Kind.PARTNER:
        raise ReturnSetupError(f"{provider} is not a partner or commissioned service")
    with transaction.atomic():
        template = ReturnTemplate.objects.filter(slug=slug).first() if slug else None
        if template is None:
            base = slugify(name)[:70] or "return"
            new_slug, n = base, 1
            while ReturnTemplate.objects.filter(slug=new_slug).exists():
                n += 1
                new_slug = f"{base}-{n}"
            template = ReturnTemplate(slug=new_slug)
            before = None
        else:
            before = audit.snapshot(template, ["name", "version", "fields", "due_days"])
            if list(template.fields) != list(fields) or template.frequency != frequency:
                template.version += 1
        template.name, template.provider, template.frequency = name, provider, frequency
        template.first_period, template.fields = first_period, list(fields)
        template.due_days, template.notes = due_days, notes
        template.save()
        audit.record(
            user,
            "returns.template.save",
            template,
            before=before,
            after=audit.snapshot(template, ["name", "version", "fields", "due_days"]),
        )
    return template


def templates_for(user: Any) -> Any:
    """The templates a user may see: a data provider only its own organisation's."""
    from oversight.accounts.models import Role
    from oversight.accounts.roles import role_of

    templates = ReturnTemplate.objects.select_related("provider")
    if role_of(user) == Role.DATA_PROVIDER:
        organisation = getattr(getattr(user, "profile", None), "organisation", None)
        return templates.filter(provider=organisation) if organisation else templates.none()
    return templates


# --- where each period stands --------------------------------------------------------------


def accepted_by_period(templates: Iterable[ReturnTemplate]) -> dict[tuple[int, str], Any]:
    rows = ReturnSubmission.objects.filter(
        template__in=list(templates), status=ReturnSubmission.Status.ACCEPTED
    )
    return {(s.template_id, s.period): s for s in rows}


def periods_for(
    template: ReturnTemplate, today: dt.date | None = None, accepted: dict | None = None
) -> list[schedule.PeriodStatus]:
    """Every period of a template that has ended, newest first, with its status."""
    today = today or timezone.localdate()
    accepted = accepted if accepted is not None else accepted_by_period([template])
    found = [
        schedule.status(
            period,
            schedule.due_date(period, template.due_days),
            accepted.get((template.pk, period)),
            today,
        )
        for period in schedule.ended_periods(template.first_period, template.frequency, today)
    ]
    return list(reversed(found))


@dataclass
class ProviderLateness:
    provider: Organisation
    missing: list[tuple[ReturnTemplate, schedule.PeriodStatus]] = field(default_factory=list)
    late: list[tuple[ReturnTemplate, schedule.PeriodStatus]] = field(default_factory=list)


def late_and_missing(today: dt.date | None = None) -> list[ProviderLateness]:
    """Per provider, returns that are overdue (missing) or arrived after their due date."""
    today = today or timezone.localdate()
    templates = list(ReturnTemplate.objects.filter(active=True).select_related("provider"))
    accepted = accepted_by_period(templates)
    by_provider: dict[int, ProviderLateness] = {}
    for template in templates:
        entry = by_provider.setdefault(template.provider_id, ProviderLateness(template.provider))
        for status in periods_for(template, today, accepted):
            if status.key == "missing":
                entry.missing.append((template, status))
            elif status.key == "late":
                entry.late.append((template, status))
    return sorted(by_provider.values(), key=lambda p: p.provider.name)


# --- checking and storing -----------------------------------------------------------------


def _user_name(user: Any, fallback: str = "") -> str:
    if getattr(user, "is_authenticated", False):
        return user.get_username()
    return fallback or "system"


def check_upload(
    template: ReturnTemplate,
    period: str,
    name: str,
    data: bytes,
    *,
    user: Any = None,
    today: dt.date | None = None,
) -> tuple[CheckedReturn, ReturnSubmission | None]:
    """Check an uploaded file. When it has no problems, keep the checked figures as a pending
    submission (and return it); otherwise store nothing. Raises ``ReturnFileError`` when the
    file cannot be read as this return at all."""
    checked = read_return(
        name, data, TemplateSpec.of(template), period, today or timezone.localdate()
    )
    if not checked.ok:
        return checked, None
    submission = ReturnSubmission.objects.create(
        template=template,
        provider=template.provider,
        period=checked.period,
        template_version=template.version,
        file_name=name[:255],
        sha256=hashlib.sha256(data).hexdigest(),
        size_bytes=len(data),
        rows=[row.as_dict() for row in checked.rows],
        uploaded_by=user if getattr(user, "is_authenticated", False) else None,
        uploaded_by_name=_user_name(user),
    )
    return checked, submission


def confirm(
    submission: ReturnSubmission, *, user: Any = None, by: str = "", via: str = "web"
) -> ReturnSubmission:
    """Accept a pending submission: store its figures with their provenance, in one go."""
    with transaction.atomic():
        submission = ReturnSubmission.objects.select_for_update().get(pk=submission.pk)
        if submission.status != ReturnSubmission.Status.PENDING:
            raise ReturnFileError("This return has already been submitted.")
        template = submission.template
        if submission.template_version != template.version:
            raise ReturnFileError(
                f"The template changed (now version {template.version}) after this file was "
                "checked. Download the template again and upload your figures in it."
            )
        name = _user_name(user, by)
        previous = ReturnSubmission.objects.filter(
            template=template, period=submission.period, status=ReturnSubmission.Status.ACCEPTED
        ).first()
        batch = ImportBatch.objects.create(
            kind=ImportBatch.Kind.RETURN,
            file_name=submission.file_name,
            sha256=submission.sha256,
            size_bytes=submission.size_bytes,
            month=submission.period if schedule.MONTH.fullmatch(submission.period) else "",
            rows_read=len(submission.rows),
            rows_stored=len(submission.rows),
            details={
                "template": template.slug,
                "template_version": template.version,
                "provider": template.provider.slug,
                "period": submission.period,
                "via": via,
                "submission": submission.pk,
            },
            replaces=previous.batch if previous else None,
            imported_by=name,
            user=user if getattr(user, "is_authenticated", False) else None,
        )
        if previous is not None:
            journal.record_updated(
                batch,
                ReturnSubmission,
                ["status"],
                [[previous.pk, previous.status]],
                depends_on=[previous.batch_id] if previous.batch_id else [],
            )
            previous.status = ReturnSubmission.Status.SUPERSEDED
            previous.save(update_fields=["status"])
            if previous.batch_id:
                journal.record_updated(
                    batch,
                    ImportBatch,
                    ["status"],
                    [[previous.batch_id, ImportBatch.Status.CURRENT]],
                )
                ImportBatch.objects.filter(pk=previous.batch_id).update(
                    status=ImportBatch.Status.REPLACED
                )
        journal.record_updated(
            batch,
            ReturnSubmission,
            ["status", "batch_id", "submitted_by_id", "submitted_by_name", "submitted_at", "via"],
            [
                [
                    submission.pk,
                    submission.status,
                    submission.batch_id,
                    submission.submitted_by_id,
                    submission.submitted_by_name,
                    submission.submitted_at,
                    submission.via,
                ]
            ],
        )
        submission.status = ReturnSubmission.Status.ACCEPTED
        submission.batch = batch
        submission.submitted_by = user if getattr(user, "is_authenticated", False) else None
        submission.submitted_by_name = name
        submission.submitted_at = timezone.now()
        submission.via = via
        submission.save()
        ReturnValue.objects.bulk_create(
            ReturnValue(
                submission=submission,
                batch=batch,
                provider=template.provider,
                measure_code=row["measure_code"],
                period=submission.period,
                value=row["value"],
                numerator=row["numerator"],
                denominator=row["denominator"],
                comment=row["comment"],
            )
            for row in submission.rows
        )
        audit.record(
            user if user is not None else name,
            "returns.submit",
            submission,
            after={"period": submission.period, "batch": batch.pk, "file": submission.file_name},
        )
    return submission


@dataclass
class FileOutcome:
    """What the command line did with one file."""

    path: Path
    checked: CheckedReturn | None = None
    error: str = ""
    submission: ReturnSubmission | None = None


def template_named_in(name: str, data: bytes) -> ReturnTemplate:
    """The template a file says it was made from (cell B1 / the Template line)."""
    from oversight.returns.validate import _csv_sheet, _sniff, _text, _xlsx_sheet

    kind = _sniff(name, data)
    sheet = _xlsx_sheet(name, data) if kind == "xlsx" else _csv_sheet(name, data)
    slug = _text(sheet.get(1, 2))
    template = ReturnTemplate.objects.select_related("provider").filter(slug=slug).first()
    if template is None:
        known = ", ".join(ReturnTemplate.objects.values_list("slug", flat=True)) or "none yet"
        raise ReturnFileError(
            f'{name}: "{slug}" in cell B1 is not a return template (the templates are: '
            f"{known}). Use a template downloaded from Oversight."
        )
    return template


def submit_files(
    paths: Sequence[Path], *, by: str, today: dt.date | None = None
) -> list[FileOutcome]:
    """Check every file; only if all are good, store them all (one transaction)."""
    outcomes = []
    for path in paths:
        outcome = FileOutcome(path)
        outcomes.append(outcome)
        try:
            data = path.read_bytes()
            template = template_named_in(path.name, data)
            outcome.checked = read_return(
                path.name, data, TemplateSpec.of(template), None, today or timezone.localdate()
            )
        except ReturnFileError as exc:
            outcome.error = str(exc)
        except OSError as exc:
            outcome.error = f"{path}: cannot be read ({exc.strerror})"
    if any(o.error or not o.checked.ok for o in outcomes):  # type: ignore[union-attr]
        return outcomes
    with transaction.atomic():
        for outcome in outcomes:
            assert outcome.checked is not None
            data = outcome.path.read_bytes()
            template = template_named_in(outcome.path.name, data)
            checked, pending = check_upload(
                template, outcome.checked.period, outcome.path.name, data, today=today
            )
            assert pending is not None
            outcome.submission = confirm(pending, by=by, via="command line")
    return outcomes


# --- figures for measures ---------------------------------------------------------------


def current_values(measure_code: str) -> list[ReturnValue]:
    """The accepted figures for a measure, one per period, oldest first."""
    return list(
        ReturnValue.objects.filter(
            measure_code=measure_code, batch__status=ImportBatch.Status.CURRENT
        ).order_by("period")
    )


def group_by_provider(values: Iterable[ReturnValue]) -> dict[int, list[ReturnValue]]:
    grouped: dict[int, list[ReturnValue]] = defaultdict(list)
    for value in values:
        grouped[value.provider_id].append(value)
    return grouped
