"""Changing the plan from the staff area: draft → waiting for review → approved.

An analyst starts a ``PlanChange`` against the plan in use (``start``), edits it
(``save_edit``, with the edits in ``oversight.plans.editing``) and sends it for review
(``submit``). Someone else, never the author, approves it (``approve``) or sends it back with
a note (``send_back``); the author can withdraw a draft (``withdraw``).

Approving writes the edited plan as a plan file (``oversight.plans.writing``) and loads it
through the same service as ``oversight plan load`` (``load_plan_text``: checked by the plan
file's own rules, stored as a new version pointing at the one it replaces, each kept measure's
commentary and Panel questions copied to it and every measure's figures computed again by
``services.take_over``), all in one transaction. Every step is audited.

Each edit is checked at once with the plan file's own rules (``validate_spec``), so a problem
is shown on the form that caused it, not at approval.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from pydantic import ValidationError

from oversight.accounts import audit
from oversight.formatting import MONTH_NAMES
from oversight.plans import editing
from oversight.plans.checks import check_plan
from oversight.plans.diff import PlanDiff, diff_specs
from oversight.plans.models import Plan, PlanChange
from oversight.plans.planfile import PlanFile, _explain
from oversight.plans.services import current_plan, load_plan_text
from oversight.plans.writing import plan_file_yaml
from oversight.plans.yamlsource import format_path

Status = PlanChange.Status
REASON_MAX = 2000


class ChangeError(Exception):
    """A step that is not allowed, or a change that breaks the plan file's rules. ``field``
    names the form field the message belongs to."""

    def __init__(self, message: str, field: str = "reason") -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class SpecProblem:
    """One problem with an edited plan: where (a path such as ``("measures", 3, "target",
    "value")``) and what is wrong, in the plan file checker's words."""

    path: tuple[Any, ...]
    message: str

    def sentence(self) -> str:
        return f"{format_path(self.path) or 'the plan'}: {self.message}"


class SpecProblems(Exception):
    """An edit that breaks the plan file's rules; nothing was saved."""

    def __init__(self, problems: list[SpecProblem]) -> None:
        super().__init__("; ".join(p.sentence() for p in problems))
        self.problems = problems


def validate_spec(data: dict[str, Any]) -> PlanFile:
    """``data`` as a checked plan file; raises ``SpecProblems`` listing every problem."""
    try:
        spec = PlanFile.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors(include_url=False):
            path = tuple(error["loc"])
            problems.append(SpecProblem(path, _explain(error, path)))
        raise SpecProblems(problems) from None
    found = check_plan(spec)
    if found:
        raise SpecProblems([SpecProblem(tuple(p.path), p.message) for p in found])
    return spec


def suggest_version(plan: Plan) -> str:
    """A name for the next version: one more than a version that starts with a number."""
    match = re.match(r"\s*(\d+)", plan.version)
    if match:
        return str(int(match.group(1)) + 1)
    today = timezone.localdate()
    return f"{plan.version}, changed {today.day} {MONTH_NAMES[today.month - 1]} {today.year}"


def _check_details(reason: str, version: str) -> tuple[str, str]:
    reason, version = reason.strip(), version.strip()
    if not reason:
        raise ChangeError("Enter why the plan is changing", "reason")
    if len(reason) > REASON_MAX:
        raise ChangeError(f"The reason must be {REASON_MAX:,} characters or fewer", "reason")
    if not version:
        raise ChangeError("Enter a name for the new version, such as 3", "version")
    if len(version) > 100:
        raise ChangeError("The version name must be 100 characters or fewer", "version")
    return reason, version


def _snapshot(change: PlanChange) -> dict[str, Any]:
    return audit.snapshot(change, ["status", "reason", "version", "review_note"])


def start(plan: Plan, user: Any, reason: str, version: str) -> PlanChange:
    """A new draft change to ``plan`` (which must be the version in use) by ``user``."""
    reason, version = _check_details(reason, version)
    with transaction.atomic():
        change = PlanChange.objects.create(plan=plan, spec=plan.spec, reason=reason,
                                           version=version, author=user)
        audit.record(user, "plan-change.start", change, after=_snapshot(change))
    return change


def _must_be_author_draft(change: PlanChange, user: Any) -> None:
    if change.status != Status.DRAFT:
        raise ChangeError(f"This change is {change.get_status_display().lower()}, so it "
                          "cannot be edited")
    if change.author_id != user.pk:
        raise ChangeError("Only the person who proposed this change can edit it")


def save_details(change: PlanChange, user: Any, reason: str, version: str) -> PlanChange:
    """Change the reason and the new version's name of a draft."""
    _must_be_author_draft(change, user)
    reason, version = _check_details(reason, version)
    if (reason, version) == (change.reason, change.version):
        return change
    with transaction.atomic():
        before = _snapshot(change)
        change.reason, change.version = reason, version
        change.save(update_fields=["reason", "version", "updated_at"])
        audit.record(user, "plan-change.edit", change, before=before, after=_snapshot(change))
    return change


def save_edit(change: PlanChange, user: Any, data: dict[str, Any], what: str,
              before: Any = None, after: Any = None) -> PlanChange:
    """Store ``data`` (the whole edited plan) on a draft, if it passes the plan file's checks.

    ``what`` says what was edited (such as ``measure MCNS-ALL-CRIME``); ``before`` and
    ``after`` are that item's values, for the audit trail. Raises ``SpecProblems``.
    """
    _must_be_author_draft(change, user)
    validate_spec(data)
    with transaction.atomic():
        change.spec = data
        change.save(update_fields=["spec", "updated_at"])
        audit.record(user, "plan-change.edit", change, before={"item": what, "values": before},
                     after={"item": what, "values": after})
    return change


def proposed_spec(change: PlanChange) -> PlanFile:
    """The plan as it will be once ``change`` is approved: version name, reasons, removals."""
    data = editing.finalise(change.plan.spec, change.spec, reason=change.reason,
                            version=change.version)
    return validate_spec(data)


def change_diff(change: PlanChange) -> PlanDiff:
    """What ``change`` changes, field by field, from the version it was proposed against."""
    return diff_specs(change.plan.plan_file(), proposed_spec(change))


def is_stale(change: PlanChange) -> bool:
    """Whether a newer version of the plan has been made since the change was started."""
    latest = current_plan(change.plan.slug)
    return latest is None or latest.pk != change.plan_id


def submit(change: PlanChange, user: Any) -> PlanChange:
    """Send a draft for review. It must change something."""
    _must_be_author_draft(change, user)
    diff = change_diff(change)
    if not [c for c in diff.changes if c.kind != "plan"]:
        raise ChangeError("The change does not change anything in the plan yet: change a "
                          "measure, theme, priority or outcome first", "changes")
    with transaction.atomic():
        before = _snapshot(change)
        change.status, change.review_note = Status.REVIEW, ""
        change.save(update_fields=["status", "review_note", "updated_at"])
        audit.record(user, "plan-change.submit", change, before=before,
                     after=_snapshot(change))
    return change


def _must_be_reviewable(change: PlanChange, user: Any) -> None:
    if change.status != Status.REVIEW:
        raise ChangeError("Only a change waiting for review can be approved or sent back",
                          "review_note")
    if change.author_id == user.pk:
        raise ChangeError("You proposed this change, so someone else must review it",
                          "review_note")


def send_back(change: PlanChange, user: Any, note: str) -> PlanChange:
    """Return a change to its author as a draft, with a note saying what to change."""
    _must_be_reviewable(change, user)
    note = note.strip()
    if not note:
        raise ChangeError("Enter what needs to change before sending it back", "review_note")
    with transaction.atomic():
        before = _snapshot(change)
        change.status, change.review_note, change.reviewer = Status.DRAFT, note, user
        change.save(update_fields=["status", "review_note", "reviewer", "updated_at"])
        audit.record(user, "plan-change.send-back", change, before=before,
                     after=_snapshot(change))
    return change


def withdraw(change: PlanChange, user: Any) -> PlanChange:
    """The author drops a draft. It stays in the history, marked withdrawn."""
    _must_be_author_draft(change, user)
    with transaction.atomic():
        before = _snapshot(change)
        change.status = Status.WITHDRAWN
        change.save(update_fields=["status", "updated_at"])
        audit.record(user, "plan-change.withdraw", change, before=before,
                     after=_snapshot(change))
    return change


def approve(change: PlanChange, user: Any) -> Plan:
    """Approve a change: load it as the new version of the plan (which carries commentary and
    Panel questions over and computes every measure again), and audit it, in one
    transaction."""
    _must_be_reviewable(change, user)
    with transaction.atomic():
        base = Plan.objects.select_for_update().get(pk=change.plan_id)
        if not base.is_current:
            raise ChangeError(
                "The plan has changed since this change was proposed, so approving it would "
                "undo the newer version. Send it back so its author can propose it again "
                "from the plan in use", "review_note")
        spec = proposed_spec(change)
        diff = diff_specs(base.plan_file(), spec)
        when = timezone.now()
        heading = (f"{spec.plan.title}, version {spec.plan.version}.\n"
                   f"Change {change.pk}, proposed by {_name(change.author)} and approved by "
                   f"{_name(user)} on {timezone.localtime(when):%Y-%m-%d}.")
        text = plan_file_yaml(spec, heading)
        name = f"{spec.plan.slug}-change-{change.pk}.yaml"
        outcome = load_plan_text(text, name, user=user.get_username())
        if not outcome.created:
            raise ChangeError("This change gives a plan identical to an earlier version",
                              "review_note")
        plan = outcome.plan
        before = _snapshot(change)
        change.status, change.reviewer, change.review_note = Status.APPROVED, user, ""
        change.decided_at, change.new_plan = when, plan
        change.save()
        audit.record(user, "plan-change.approve", change, before=before,
                     after={**_snapshot(change), "new_plan": plan.pk})
        audit.record(user, "plan.new-version", plan, before=_diff_values(diff, "old"),
                     after=_diff_values(diff, "new"))
    return plan


def _name(user: Any) -> str:
    return user.get_username() if user is not None else "someone since removed"


def _diff_values(diff: PlanDiff, side: str) -> dict[str, Any]:
    """Every changed field as ``{"measure MCNS-ALL-CRIME": {"target.value": …}}``."""
    values: dict[str, Any] = {}
    for item in diff.changes:
        key = f"{item.kind} {item.key}"
        if item.change == "changed":
            values[key] = {f.field: getattr(f, side) for f in item.fields}
        else:
            values[key] = item.change if (item.change == "added") == (side == "new") else None
    return values
