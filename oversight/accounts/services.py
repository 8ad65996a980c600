"""Adding people: the one way a user and their role are created, from the web or the command
line, checked and audited.

Only administrators may sign in to Django's admin (``is_staff``); every other role works in
the staff area, whose views check roles through ``oversight.accounts.roles``.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import transaction

from oversight.accounts import audit
from oversight.accounts.models import Organisation, Profile, Role
from oversight.accounts.roles import role_of

LANDING = {
    Role.ADMINISTRATOR: "/staff/",
    Role.ANALYST: "/staff/",
    Role.PANEL_MEMBER: "/staff/panel/",
    Role.DATA_PROVIDER: "/staff/returns/",
}


class UserError(ValueError):
    """A user that cannot be added as asked; the message says what to change."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(message)


def landing_url(user: Any) -> str:
    """Where a signed-in user starts: their role's page of the staff area, else the home page."""
    return LANDING.get(role_of(user), "/")


def create_user(username: str, role: str, *, organisation: str | None = None,
                password: str | None = None, email: str = "", by: Any = None) -> Any:
    """Add a user with a role (and, for a data provider, the organisation they submit for).

    Raises ``UserError`` naming the field to fix. ``by`` is who added them, for the audit.
    """
    User = get_user_model()
    username = (username or "").strip()
    if not username:
        raise UserError("username", "Enter a user name")
    if User.objects.filter(username__iexact=username).exists():
        raise UserError("username", f'There is already a user called "{username}"')
    if role not in Role.values:
        raise UserError("role", f"Choose a role: {', '.join(Role.values)}")
    org = None
    if organisation:
        org = Organisation.objects.filter(slug=organisation).first()
        if org is None:
            known = ", ".join(Organisation.objects.values_list("slug", flat=True)) or "none yet"
            raise UserError("organisation",
                            f'There is no organisation "{organisation}"; known: {known}')
    if role == Role.DATA_PROVIDER and org is None:
        raise UserError("organisation", "Choose the organisation a data provider submits for")
    if password:
        try:
            validate_password(password, User(username=username))
        except ValidationError as exc:
            raise UserError("password", " ".join(exc.messages)) from None
    administrator = role == Role.ADMINISTRATOR
    with transaction.atomic():
        user = User(username=username, email=email, is_staff=administrator,
                    is_superuser=administrator)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
        profile = Profile.objects.create(user=user, role=role, organisation=org)
        audit.record(by, "user.add", user, after={
            "username": username, "role": role, "organisation": org.slug if org else None,
            "is_staff": administrator,
        })
    user.profile = profile
    return user


def create_organisation(slug: str, name: str, kind: str, *, by: Any = None) -> Organisation:
    """Add an organisation (the OPCC, the force, a partner, the Panel)."""
    try:
        validate_slug(slug)
    except ValidationError:
        raise UserError("slug", f'"{slug}" is not a short name: use letters, numbers and '
                                "hyphens, e.g. victim-services") from None
    if not name.strip():
        raise UserError("name", "Enter the organisation's name")
    if kind not in Organisation.Kind.values:
        raise UserError("kind", f"Choose a kind: {', '.join(Organisation.Kind.values)}")
    if Organisation.objects.filter(slug=slug).exists():
        raise UserError("slug", f'There is already an organisation "{slug}"')
    with transaction.atomic():
        org = Organisation.objects.create(slug=slug, name=name, kind=kind)
        audit.record(by, "organisation.add", org, after={"slug": slug, "name": name,
                                                         "kind": kind})
    return org
