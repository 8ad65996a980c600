"""The one way to record a change: ``record(user, action, obj, before, after)``.

Call it inside the same transaction as the change, so a change and its audit entry are saved
together or not at all.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from oversight.accounts.models import AuditEvent


def snapshot(obj: models.Model, fields: list[str]) -> dict[str, Any]:
    """The named fields of ``obj`` as JSON-able values, for ``before`` and ``after``."""
    values: dict[str, Any] = {}
    for name in fields:
        value = getattr(obj, name)
        if isinstance(value, models.Model):
            value = value.pk
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        values[name] = value
    return values


def record(user: Any, action: str, obj: models.Model, *, before: dict | None = None,
           after: dict | None = None) -> AuditEvent:
    """Save one audit entry for a change to ``obj`` by ``user`` (None for the system)."""
    is_user = getattr(user, "is_authenticated", False)
    return AuditEvent.objects.create(
        user=user if is_user else None,
        username=user.get_username() if is_user else str(user or "system"),
        action=action,
        object_type=obj._meta.label,
        object_id=str(obj.pk),
        object_repr=str(obj)[:300],
        before=before,
        after=after,
    )
