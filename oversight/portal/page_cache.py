"""Whole public pages kept for visitors who are not signed in, so a busy public site does not
render the same page again for every request.

A page is kept under its address (with query string) and the *site version*: a fingerprint of
everything a public page can show, read in a few small queries. Any change to what the public
may see changes the fingerprint, so a kept page is never shown after it:

- every change made through Oversight is audited (``AuditEvent``), including edits in the
  admin, plan approvals, commentary decisions and publication;
- imports, replacements and rollbacks change the current import batches;
- computing figures again updates ``MeasureResult.computed_at``;
- commentary changes update ``Commentary.updated_at``; a new plan version or published
  report adds a row.

As a backstop a kept page is dropped after ``OVERSIGHT_PAGE_CACHE_SECONDS`` (default 60; 0
turns the cache off). Signed-in users always get a freshly drawn page (theirs shows a staff
link and a sign-out button). The cache is Django's default cache (memory in each server
process unless ``CACHES`` says otherwise).
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max, Sum
from django.http import HttpRequest, HttpResponse


def site_version() -> str:
    """The fingerprint of everything a public page can show (five small queries)."""
    from oversight.accounts.models import AuditEvent
    from oversight.commentary.models import Commentary
    from oversight.data.models import ImportBatch
    from oversight.performance.models import MeasureResult
    from oversight.plans.models import Plan
    from oversight.reports.models import PublishedReport

    parts: list[Any] = [
        AuditEvent.objects.aggregate(top=Max("id"))["top"],
        tuple(ImportBatch.objects.filter(status=ImportBatch.Status.CURRENT).aggregate(
            n=Count("id"), top=Max("id"), ids=Sum("id")).values()),
        tuple(MeasureResult.objects.aggregate(n=Count("id"), at=Max("computed_at")).values()),
        tuple(Commentary.objects.aggregate(n=Count("id"), at=Max("updated_at")).values()),
        tuple(Plan.objects.aggregate(n=Count("id"), top=Max("id"),
                                     current=Sum("id", filter=_current())).values()),
        tuple(PublishedReport.objects.aggregate(n=Count("id"), top=Max("id")).values()),
    ]
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:20]


def _current() -> Any:
    from django.db.models import Q

    from oversight.plans.models import Plan

    return Q(is_current=True, status=Plan.Status.APPROVED)


def seconds() -> int:
    return int(getattr(settings, "OVERSIGHT_PAGE_CACHE_SECONDS", 60))


def public_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Keep the view's successful GET answers for visitors who are not signed in."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        ttl = seconds()
        if (ttl <= 0 or request.method != "GET"
                or getattr(request, "user", None) is None or request.user.is_authenticated):
            return view(request, *args, **kwargs)
        key = f"oversight:page:{site_version()}:{request.get_full_path()}"
        kept = cache.get(key)
        if kept is not None:
            content, content_type, headers = kept
            response = HttpResponse(content, content_type=content_type)
            for name, value in headers:
                response[name] = value
            return response
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming and not response.cookies:
            headers = [(k, v) for k, v in response.items()
                       if k.lower() in ("content-disposition", "content-language")]
            cache.set(key, (response.content, response["Content-Type"], headers), ttl)
        return response

    return wrapper
