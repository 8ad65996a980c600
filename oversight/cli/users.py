"""``oversight user add|list`` and ``oversight user organisation``: people who sign in.

    oversight user add NAME --role analyst
    oversight user add NAME --role data-provider --organisation victim-services \
        --password-from-env NEW_PASSWORD
    oversight user organisation victim-services "Victim Services" --kind partner
    oversight user list

Without ``--password-from-env`` the password is asked for (and not echoed). Administrators may
also use Django's admin at ``/admin/``; no other role can.
"""

from __future__ import annotations

import os
from typing import Annotated

import typer

from oversight.cli.common import UserError, friendly_errors, out, setup_django

ROLES = ("administrator", "analyst", "data-provider", "panel-member")
KINDS = ("opcc", "force", "partner", "panel")


def _password(variable: str | None) -> str:
    if variable is None:
        return typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    value = os.environ.get(variable)
    if not value:
        raise UserError(f"the environment variable {variable} is not set or is empty; "
                        f"set it to the new password, e.g. read -s {variable}; "
                        f"export {variable}")
    return value


def add(
    name: Annotated[str, typer.Argument(help="The user name they sign in with")],
    role: Annotated[str, typer.Option("--role", help="One of: " + ", ".join(ROLES))],
    organisation: Annotated[str | None, typer.Option(
        "--organisation", help="Slug of the organisation (needed for a data provider)")] = None,
    password_from_env: Annotated[str | None, typer.Option(
        "--password-from-env", metavar="VAR",
        help="Read the password from this environment variable instead of asking")] = None,
    email: Annotated[str, typer.Option("--email", help="Their email address")] = "",
) -> None:
    """Add a user with a role."""
    with friendly_errors():
        if role not in ROLES:
            raise UserError(f'"{role}" is not a role; use one of: {", ".join(ROLES)}')
        password = _password(password_from_env)
        setup_django()
        from oversight.accounts import services

        try:
            user = services.create_user(name, role, organisation=organisation,
                                        password=password, email=email, by="cli")
        except services.UserError as exc:
            raise UserError(str(exc)) from None
        where = f" for {user.profile.organisation}" if user.profile.organisation else ""
        admin = " They can also use the admin pages at /admin/." if role == "administrator" \
            else ""
        out.print(f"Added {user.username} as {user.profile.get_role_display().lower()}{where}."
                  f"{admin}", highlight=False, markup=False)


def organisation(
    slug: Annotated[str, typer.Argument(help="Short name, e.g. victim-services")],
    name: Annotated[str, typer.Argument(help="The organisation's full name")],
    kind: Annotated[str, typer.Option("--kind", help="One of: " + ", ".join(KINDS))] = "partner",
) -> None:
    """Add an organisation that users (e.g. data providers) belong to."""
    with friendly_errors():
        setup_django()
        from oversight.accounts import services

        try:
            org = services.create_organisation(slug, name, kind, by="cli")
        except services.UserError as exc:
            raise UserError(str(exc)) from None
        out.print(f"Added {org.name} ({org.slug}).", highlight=False, markup=False)


def list_users() -> None:
    """List users, their roles and organisations (tab-separated)."""
    with friendly_errors():
        setup_django()
        from django.contrib.auth import get_user_model

        people = get_user_model().objects.select_related("profile__organisation")
        for user in people.order_by("username"):
            profile = getattr(user, "profile", None)
            role = profile.role if profile else ("administrator" if user.is_superuser
                                                 else "no role")
            org = profile.organisation.slug if profile and profile.organisation else ""
            active = "" if user.is_active else " (inactive)"
            typer.echo(f"{user.username}\t{role}\t{org}{active}".rstrip())


def register(app: typer.Typer) -> None:
    user_app = typer.Typer(help="Add and list the people who sign in.", no_args_is_help=True)
    user_app.command("add")(add)
    user_app.command("organisation")(organisation)
    user_app.command("list")(list_users)
    app.add_typer(user_app, name="user")
