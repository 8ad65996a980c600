"""Users for every role, and the real demo database, for staff area tests."""

from __future__ import annotations

import pytest

from tests import demo_state

PASSWORD = "correct-horse-battery-staple"


def make_user(username: str, role: str, organisation: str | None = None):
    from oversight.accounts.models import Organisation
    from oversight.accounts.services import create_user

    if organisation and not Organisation.objects.filter(slug=organisation).exists():
        Organisation.objects.create(slug=organisation, name=organisation.replace("-", " ").title(),
                                    kind=Organisation.Kind.PARTNER)
    return create_user(username, role, organisation=organisation, password=PASSWORD)


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """A fast password hash: the tests check who may do what, not hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def users(db):
    """One user of each role (and a second analyst, to approve), by role name."""
    return {
        "administrator": make_user("ada", "administrator"),
        "analyst": make_user("anna", "analyst"),
        "analyst-2": make_user("bob", "analyst"),
        "data-provider": make_user("dee", "data-provider", "victim-services"),
        "panel-member": make_user("pat", "panel-member"),
    }


@pytest.fixture
def plan(db):
    return demo_state.build(["2025-01", "2025-02", "2025-03", "2025-04", "2025-05", "2025-06"])


def client_for(client, user):
    client.force_login(user)
    return client
