"""Adding users: the service, the administrators' pages and ``oversight user``."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from oversight.accounts import services
from oversight.accounts.models import AuditEvent, Organisation
from oversight.cli.main import app
from tests.staff.helpers import check_staff_page

pytestmark = pytest.mark.django_db
runner = CliRunner()


def test_create_user_sets_role_organisation_and_admin_access(db):
    Organisation.objects.create(slug="victim-services", name="Victim Services", kind="partner")
    provider = services.create_user("dee", "data-provider", organisation="victim-services",
                                    password="a-long-pass-phrase")
    assert provider.profile.role == "data-provider"
    assert provider.profile.organisation.slug == "victim-services"
    assert not provider.is_staff
    ada = services.create_user("ada", "administrator", password="a-long-pass-phrase")
    assert ada.is_staff and ada.is_superuser
    event = AuditEvent.objects.get(action="user.add", object_id=str(provider.pk))
    assert event.after["organisation"] == "victim-services"


@pytest.mark.parametrize("kwargs,field,message", [
    ({"username": "", "role": "analyst"}, "username", "Enter a user name"),
    ({"username": "x", "role": "boss"}, "role", "Choose a role"),
    ({"username": "x", "role": "data-provider"}, "organisation", "Choose the organisation"),
    ({"username": "x", "role": "analyst", "organisation": "nope"}, "organisation",
     'no organisation "nope"'),
    ({"username": "x", "role": "analyst", "password": "password"}, "password", "too common"),
])
def test_create_user_says_what_to_fix(db, kwargs, field, message):
    with pytest.raises(services.UserError) as caught:
        services.create_user(**kwargs)
    assert caught.value.field == field
    assert message in str(caught.value)


def test_a_user_name_is_taken_once(db):
    services.create_user("anna", "analyst", password="a-long-pass-phrase")
    with pytest.raises(services.UserError, match="already a user"):
        services.create_user("Anna", "analyst")


def test_cli_adds_a_user_with_the_password_from_the_environment(db, monkeypatch):
    monkeypatch.setenv("NEW_PASSWORD", "a-long-pass-phrase")
    result = runner.invoke(app, ["user", "organisation", "victim-services", "Victim Services",
                                 "--kind", "partner"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["user", "add", "dee", "--role", "data-provider",
                                 "--organisation", "victim-services",
                                 "--password-from-env", "NEW_PASSWORD"])
    assert result.exit_code == 0, result.output
    assert "Added dee as data provider for Victim Services." in result.output
    from django.contrib.auth import authenticate

    assert authenticate(username="dee", password="a-long-pass-phrase") is not None
    listed = runner.invoke(app, ["user", "list"])
    assert "dee\tdata-provider\tvictim-services" in listed.output


def test_cli_errors_are_one_plain_sentence(db, monkeypatch):
    result = runner.invoke(app, ["user", "add", "x", "--role", "boss"])
    assert result.exit_code == 1
    assert '"boss" is not a role' in result.output
    result = runner.invoke(app, ["user", "add", "x", "--role", "analyst",
                                 "--password-from-env", "UNSET_VARIABLE_FOR_TEST"])
    assert result.exit_code == 1
    assert "UNSET_VARIABLE_FOR_TEST is not set" in result.output
    monkeypatch.setenv("NEW_PASSWORD", "a-long-pass-phrase")
    result = runner.invoke(app, ["user", "add", "x", "--role", "data-provider",
                                 "--password-from-env", "NEW_PASSWORD"])
    assert result.exit_code == 1
    assert "Choose the organisation" in result.output
    assert "Traceback" not in result.output


def test_cli_asks_for_the_password_when_no_variable_is_given(db):
    result = runner.invoke(app, ["user", "add", "pat", "--role", "panel-member"],
                           input="a-long-pass-phrase\na-long-pass-phrase\n")
    assert result.exit_code == 0, result.output
    assert "a-long-pass-phrase" not in result.output


def test_administrators_list_and_add_users(client, users):
    client.force_login(users["administrator"])
    html = client.get("/staff/users/").content.decode()
    check_staff_page(html)
    for user in users.values():
        assert user.username in html
    form = client.get("/staff/users/new/").content.decode()
    check_staff_page(form)
    response = client.post("/staff/users/new/", {"username": "newbie", "role": "analyst",
                                                 "organisation": "",
                                                 "password": "a-long-pass-phrase"})
    assert response.status_code == 302
    assert "newbie was added as analyst" in client.get("/staff/users/").content.decode()
    assert AuditEvent.objects.filter(action="user.add", username="ada").exists()


def test_adding_a_user_shows_errors_in_the_gov_uk_pattern(client, users):
    client.force_login(users["administrator"])
    html = client.post("/staff/users/new/", {"username": "", "password": "short"}).content
    html = html.decode()
    check_staff_page(html)
    assert 'href="#username">Enter a user name</a>' in html
    assert 'href="#role">Choose a role</a>' in html
    assert "Password must be 8 characters or more" in html
    html = client.post("/staff/users/new/", {"username": "dee2", "role": "data-provider",
                                             "password": "a-long-pass-phrase"}).content.decode()
    assert 'href="#organisation">Choose the organisation' in html
