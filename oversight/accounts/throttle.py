"""Refusing password guessing: after ``LIMIT`` wrong attempts within ``WINDOW`` for one user
name, or from one client address, further attempts are refused for ``LOCKOUT`` (counted from
the attempt that reached the limit), even with the right password.

Every attempt is kept as a ``SignInAttempt`` in the database, so the limit holds across server
processes. A successful sign-in starts the count again for its user name and address. Refused
attempts do not count, so waiting out the lockout always works. Wrong attempts, the start of a
lockout and each refused attempt are written to the audit trail.

The address is the connection's ``REMOTE_ADDR``. Behind a proxy every user shares the proxy's
address; the per-address limit then covers them all, and the per-user-name limit still holds.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from oversight.accounts import audit
from oversight.accounts.models import SignInAttempt

LIMIT = 5
WINDOW = dt.timedelta(minutes=15)
LOCKOUT = dt.timedelta(minutes=15)
Outcome = SignInAttempt.Outcome


@dataclass(frozen=True)
class Lock:
    """Attempts are refused until ``until`` because of too many wrong attempts for ``by``
    ("user name" or "address")."""

    until: dt.datetime
    by: str


def client_address(request: Any) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def _normal(username: str) -> str:
    return username.strip().lower()[:150]


def _lock_from(failures: list[dt.datetime], by: str) -> Lock | None:
    """The lock the failures (oldest first) set: from each failure that is the ``LIMIT``-th
    within ``WINDOW``, for ``LOCKOUT``; the latest one counts."""
    until = None
    for index in range(LIMIT - 1, len(failures)):
        if failures[index] - failures[index - LIMIT + 1] <= WINDOW:
            until = failures[index] + LOCKOUT
    return Lock(until, by) if until is not None else None


def _failures(**key: Any) -> list[dt.datetime]:
    """Times of wrong attempts for one user name or address since its last success, within
    the span a lock can still reach back to, oldest first."""
    since = timezone.now() - WINDOW - LOCKOUT
    attempts = SignInAttempt.objects.filter(at__gte=since, **key)
    last_success = (attempts.filter(outcome=Outcome.SUCCEEDED).order_by("-at")
                    .values_list("at", flat=True).first())
    failed = attempts.filter(outcome=Outcome.FAILED)
    if last_success is not None:
        failed = failed.filter(at__gt=last_success)
    return list(failed.order_by("at").values_list("at", flat=True))


def lock_for(username: str, address: str | None) -> Lock | None:
    """The lock that stops this attempt now, if any."""
    now = timezone.now()
    locks = [_lock_from(_failures(username=_normal(username)), "user name")]
    if address:
        locks.append(_lock_from(_failures(address=address), "address"))
    current = [lock for lock in locks if lock is not None and lock.until > now]
    return max(current, key=lambda lock: lock.until) if current else None


def record(username: str, address: str | None, outcome: str) -> Lock | None:
    """Keep one attempt (and audit it if it was wrong or refused). For a wrong attempt, return
    the lock it starts, if it reaches the limit."""
    with transaction.atomic():
        attempt = SignInAttempt.objects.create(username=_normal(username), address=address,
                                               outcome=outcome)
        if outcome == Outcome.SUCCEEDED:
            return None
        details = {"username": attempt.username, "address": address}
        who = f"not signed in, from {address or 'an unknown address'}"
        if outcome == Outcome.REFUSED:
            audit.record(who, "sign-in.refuse", attempt, after=details)
            return None
        audit.record(who, "sign-in.fail", attempt, after=details)
        lock = lock_for(username, address)
        if lock is not None and lock.until - attempt.at >= LOCKOUT - dt.timedelta(seconds=1):
            audit.record(who, "sign-in.lock", attempt,
                         after={**details, "until": lock.until.isoformat(), "by": lock.by})
        return lock
