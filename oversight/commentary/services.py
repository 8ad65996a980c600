"""The commentary workflow: draft -> review -> approved, every step audited.

Only analysts and administrators write and approve; a reviewer may not approve their own text.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from oversight.accounts import audit
from oversight.accounts.models import Role
from oversight.accounts.roles import role_of
from oversight.commentary.models import Commentary

FIELDS = ["text", "status", "review_note"]


class WorkflowError(Exception):
    """A step that is not allowed; the message says why and what to do."""


def _require_staff(user: Any) -> None:
    if role_of(user) not in (Role.ADMINISTRATOR, Role.ANALYST):
        raise WorkflowError("Only analysts and administrators can write or approve commentary.")


@transaction.atomic
def save_draft(measure: Any, period: str, text: str, user: Any) -> Commentary:
    """Create or edit the draft for a measure and period (an approved text goes back to draft)."""
    _require_staff(user)
    if not text.strip():
        raise WorkflowError("Enter the commentary.")
    item = Commentary.objects.select_for_update().filter(measure=measure, period=period).first()
    before = audit.snapshot(item, FIELDS) if item else None
    if item is None:
        item = Commentary(measure=measure, period=period, author=user)
    item.text, item.status, item.approved_at = text.strip(), Commentary.Status.DRAFT, None
    item.save()
    audit.record(user, "commentary.draft", item, before=before, after=audit.snapshot(item, FIELDS))
    return item


@transaction.atomic
def submit_for_review(item: Commentary, user: Any) -> Commentary:
    _require_staff(user)
    if item.status != Commentary.Status.DRAFT:
        raise WorkflowError("Only a draft can be sent for review.")
    return _move(item, user, Commentary.Status.REVIEW, "commentary.submit")


@transaction.atomic
def approve(item: Commentary, user: Any) -> Commentary:
    _require_staff(user)
    if item.status != Commentary.Status.REVIEW:
        raise WorkflowError("Send the commentary for review before approving it.")
    if item.author_id == user.pk:
        raise WorkflowError("Someone other than the author must approve the commentary.")
    item.reviewer, item.approved_at = user, timezone.now()
    return _move(item, user, Commentary.Status.APPROVED, "commentary.approve")


@transaction.atomic
def send_back(item: Commentary, user: Any, note: str) -> Commentary:
    _require_staff(user)
    if not note.strip():
        raise WorkflowError("Say what needs to change.")
    item.review_note = note.strip()
    return _move(item, user, Commentary.Status.DRAFT, "commentary.send-back")


def _move(item: Commentary, user: Any, status: str, action: str) -> Commentary:
    before = audit.snapshot(item, FIELDS)
    item.status = status
    item.save()
    audit.record(user, action, item, before=before, after=audit.snapshot(item, FIELDS))
    return item


def approved_text(measure: Any, period: str) -> str | None:
    """The approved commentary for a measure and period, or None if there is none."""
    item = Commentary.objects.filter(measure=measure, period=period,
                                     status=Commentary.Status.APPROVED).first()
    return item.text if item else None
