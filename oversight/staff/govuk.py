"""What every staff page shares: the navigation for the user's role, messages, and errors in
the GOV.UK pattern (an error summary at the top, linked to a message by each field).

A view passes ``errors`` as a list of ``(field id, message)``; the page gets ``error_list``
for ``govukErrorSummary``, ``field_errors`` (field id → ``{"text": message}``) for each
component's ``errorMessage``, and ``form_has_errors`` so the title starts "Error: ".
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.messages import get_messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from oversight.accounts.models import Role
from oversight.accounts.roles import role_of
from oversight.plans.services import current_plan

# (href, text, roles that see it)
_NAVIGATION: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("/staff/", "Dashboard", (Role.ADMINISTRATOR, Role.ANALYST)),
    ("/staff/measures/", "Measures", (Role.ADMINISTRATOR, Role.ANALYST)),
    ("/staff/plans/", "Plan", (Role.ADMINISTRATOR, Role.ANALYST)),
    ("/staff/imports/", "Imports", (Role.ADMINISTRATOR, Role.ANALYST)),
    ("/staff/panel/", "Panel", (Role.PANEL_MEMBER,)),
    ("/staff/reports/draft/", "Draft report",
     (Role.ADMINISTRATOR, Role.ANALYST, Role.PANEL_MEMBER)),
    ("/staff/reports/", "Reports", (Role.ADMINISTRATOR, Role.ANALYST, Role.PANEL_MEMBER)),
    ("/staff/returns/", "Returns", (Role.DATA_PROVIDER,)),
    ("/staff/users/", "Users", (Role.ADMINISTRATOR,)),
    ("/", "Public site", (Role.ADMINISTRATOR, Role.ANALYST, Role.PANEL_MEMBER,
                          Role.DATA_PROVIDER)),
)


def plan_or_404() -> Any:
    """The plan in use, or "not found" when no plan is loaded."""
    plan = current_plan()
    if plan is None:
        raise Http404("No plan is loaded")
    return plan


def navigation_for(request: HttpRequest) -> list[dict[str, Any]]:
    """The staff navigation the signed-in user's role may follow, the current item marked."""
    role = role_of(request.user)
    allowed = [(href, text) for href, text, roles in _NAVIGATION if role in roles]
    # The current item is the longest address the page sits under, so the draft report
    # (/staff/reports/draft/) is not also marked as Reports (/staff/reports/).
    under = [href for href, _ in allowed if request.path == href
             or (href not in ("/", "/staff/") and request.path.startswith(href))]
    current = max(under, key=len, default=None)
    return [{"href": href, "text": text, "active": href == current} for href, text in allowed]


def field_errors(errors: Iterable[tuple[str, str]]) -> dict[str, dict[str, str]]:
    """Field id → the first message for it, as a GOV.UK component's ``errorMessage``."""
    found: dict[str, dict[str, str]] = {}
    for field_id, message in errors:
        found.setdefault(field_id, {"text": message})
    return found


def form_errors(form: Any, ids: dict[str, str] | None = None) -> list[tuple[str, str]]:
    """A Django form's errors as ``(field id, message)``, in field order; form-wide errors
    are linked to the first field (or ``ids["__all__"]``)."""
    ids = ids or {}
    names = list(form.fields)
    errors: list[tuple[str, str]] = []
    for message in form.non_field_errors():
        errors.append((ids.get("__all__", ids.get(names[0], names[0]) if names else ""), message))
    for name in names:
        for message in form.errors.get(name, []):
            errors.append((ids.get(name, name), message))
    return errors


def staff_page(request: HttpRequest, template: str, title: str, *,
               errors: list[tuple[str, str]] | None = None, status: int = 200,
               **context: Any) -> HttpResponse:
    """Render a staff page: navigation for the role, messages, errors, title."""
    errors = errors or []
    return render(request, template, {
        "page_title": title,
        "navigation": navigation_for(request) if request.user.is_authenticated else [],
        "staff_navigation": True,
        "messages": list(get_messages(request)),
        "form_has_errors": bool(errors),
        "error_list": [{"text": message, "href": f"#{field_id}"} for field_id, message in errors],
        "field_errors": field_errors(errors),
        "role": role_of(request.user),
        **context,
    }, status=status)
