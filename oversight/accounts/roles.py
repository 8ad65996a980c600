"""What each role may do. Views check roles through ``role_required``; nothing else decides."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from oversight.accounts.models import Role

STAFF_ROLES = (Role.ADMINISTRATOR, Role.ANALYST)


def role_of(user: Any) -> str | None:
    """The user's role, or None for the public (not signed in, or no profile)."""
    if not getattr(user, "is_authenticated", False):
        return None
    if user.is_superuser:
        return Role.ADMINISTRATOR
    profile = getattr(user, "profile", None)
    return profile.role if profile is not None else None


def role_required(*roles: str) -> Callable:
    """Allow only signed-in users with one of ``roles``: others go to sign in, or get 403."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request: Any, *args: Any, **kwargs: Any) -> Any:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if role_of(request.user) not in roles:
                raise PermissionDenied("Your role does not allow this page")
            return view(request, *args, **kwargs)

        wrapped.allowed_roles = tuple(roles)  # type: ignore[attr-defined]
        return wrapped

    return decorator
