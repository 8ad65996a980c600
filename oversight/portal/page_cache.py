"""Whole public pages kept for visitors who are not signed in, so a busy public site does not
render the same page again for every request.

Two parts, one cache:

- ``public_page`` marks a view whose page is the same for every visitor who is not signed in
  (it depends only on the address and the data). Only marked pages are ever kept, and only
  requests for them pay for the fingerprint below.
- ``KeptPageMiddleware`` sits early in ``MIDDLEWARE`` (after the security and static-file
  middleware, before sessions, CSRF, authentication and messages). For a GET or HEAD request
  that carries no session cookie it looks the page up and, if kept, answers at once: the rest
  of the middleware and the view do not run. Otherwise the request goes through as usual and,
  if the view is marked, its answer is kept exactly as the inner middleware left it
  (body and every header, such as ``Content-Type``, ``Vary`` and ``X-Frame-Options``); the
  security middleware adds its headers to a kept page as to any other.

A page is kept under its address (with query string) and the *site version*: a fingerprint of
everything a public page can show, read in one query. Any change to what the public may see
changes the fingerprint, so a kept page is not shown after it:

- every change made through Oversight is audited (``AuditEvent``), including edits in the
  admin, plan approvals, commentary decisions and publication;
- imports, replacements and rollbacks change the current import batches;
- computing figures again updates ``MeasureResult.computed_at``;
- commentary changes update ``Commentary.updated_at``; a new plan version or published
  report adds a row.

Each server process reads the fingerprint at most once every
``OVERSIGHT_PAGE_CACHE_CHECK_SECONDS`` (default 1), not on every request: so a change reaches
the public pages within that time, not at once (a withdrawn measure may still be shown for up
to a second). Reading it on every request (0) costs a database round trip per kept page,
which under load made a kept page several times slower than a page that reads nothing
(``docs/performance.md``).

A page is kept only if the answer is 200, not streamed and sets no cookie (a page with a
form sets the CSRF cookie, so it is never kept), and only when the request was made by a
visitor who is not signed in. A request with a session cookie (someone signed in, or with a
message waiting) always gets a freshly drawn page. As a backstop a kept page is dropped after
``OVERSIGHT_PAGE_CACHE_SECONDS`` (default 60; 0 turns the cache off). The cache is Django's
default cache (memory in each server process unless ``CACHES`` says otherwise).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve

MARK = "oversight_public_page"
MESSAGES_COOKIE = "messages"  # django.contrib.messages' cookie storage


def _fingerprint_query() -> tuple[str, list[Any]]:
    """One SELECT of scalar subqueries (no FROM), which SQLite and PostgreSQL both run."""
    from oversight.accounts.models import AuditEvent
    from oversight.commentary.models import Commentary
    from oversight.data.models import ImportBatch
    from oversight.performance.models import MeasureResult
    from oversight.plans.models import Plan
    from oversight.reports.models import PublishedReport

    quote = connection.ops.quote_name

    def table(model: Any) -> str:
        return quote(model._meta.db_table)

    def column(model: Any, field: str) -> str:
        return quote(model._meta.get_field(field).column)

    def pk(model: Any) -> str:
        return quote(model._meta.pk.column)

    batch, result, note, plan, report = (ImportBatch, MeasureResult, Commentary, Plan,
                                         PublishedReport)  # fmt: skip
    current_batches = f"FROM {table(batch)} WHERE {column(batch, 'status')} = %s"
    current_plans = (f"FROM {table(plan)} WHERE {column(plan, 'is_current')} = %s"
                     f" AND {column(plan, 'status')} = %s")  # fmt: skip
    parts = [
        f"SELECT MAX({pk(AuditEvent)}) FROM {table(AuditEvent)}",
        f"SELECT COUNT(*) {current_batches}",
        f"SELECT MAX({pk(batch)}) {current_batches}",
        f"SELECT SUM({pk(batch)}) {current_batches}",
        f"SELECT COUNT(*) FROM {table(result)}",
        f"SELECT MAX({column(result, 'computed_at')}) FROM {table(result)}",
        f"SELECT COUNT(*) FROM {table(note)}",
        f"SELECT MAX({column(note, 'updated_at')}) FROM {table(note)}",
        f"SELECT COUNT(*) FROM {table(plan)}",
        f"SELECT MAX({pk(plan)}) FROM {table(plan)}",
        f"SELECT SUM({pk(plan)}) {current_plans}",
        f"SELECT COUNT(*) FROM {table(report)}",
        f"SELECT MAX({pk(report)}) FROM {table(report)}",
    ]
    status = ImportBatch.Status.CURRENT.value
    params = [status, status, status, True, Plan.Status.APPROVED.value]
    return "SELECT " + ", ".join(f"({part})" for part in parts), params


def site_version() -> str:
    """The fingerprint of everything a public page can show (one query)."""
    sql, params = _fingerprint_query()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return hashlib.sha256(repr(row).encode()).hexdigest()[:20]


_checked: dict[str, Any] = {}  # this process's last fingerprint: {"at": monotonic, "version"}


def current_version() -> str:
    """The fingerprint, read again at most once every ``OVERSIGHT_PAGE_CACHE_CHECK_SECONDS``
    in this process (0: on every request)."""
    every = float(getattr(settings, "OVERSIGHT_PAGE_CACHE_CHECK_SECONDS", 1))
    now = time.monotonic()
    if every <= 0 or not _checked or now - _checked["at"] >= every:
        _checked.update(at=now, version=site_version())
    return str(_checked["version"])


def seconds() -> int:
    return int(getattr(settings, "OVERSIGHT_PAGE_CACHE_SECONDS", 60))


def public_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Mark the view's page as the same for every visitor who is not signed in, so
    ``KeptPageMiddleware`` may keep it."""
    setattr(view, MARK, True)
    return view


def _public_view(request: HttpRequest) -> bool:
    """Whether the address leads to a view marked ``public_page`` (no query for any other)."""
    try:
        match = resolve(request.path_info, getattr(request, "urlconf", None))
    except Resolver404:
        return False
    return getattr(match.func, MARK, False)


def _may_be_kept(request: HttpRequest) -> bool:
    return (request.method in ("GET", "HEAD")
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and MESSAGES_COOKIE not in request.COOKIES
            and _public_view(request))  # fmt: skip


class KeptPageMiddleware:
    """Answer GET and HEAD requests without a session cookie from the kept public pages."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        ttl = seconds()
        if ttl <= 0 or not _may_be_kept(request):
            return self.get_response(request)
        request.get_host()  # a host not in ALLOWED_HOSTS is refused, as further in
        key = f"oversight:page:{current_version()}:{request.get_full_path()}"
        kept = cache.get(key)
        if kept is not None:
            content, headers = kept
            response = HttpResponse(content)
            for name, value in headers:
                response[name] = value
            return response
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (request.method == "GET" and response.status_code == 200
                and not response.streaming and not response.cookies
                and user is not None and not user.is_authenticated):  # fmt: skip
            cache.set(key, (response.content, list(response.items())), ttl)
        return response
