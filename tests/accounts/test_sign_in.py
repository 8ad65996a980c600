"""Signing in and out: the GOV.UK form pattern, where each role lands, and safe redirects."""

from __future__ import annotations

import pytest

from tests.staff.conftest import PASSWORD
from tests.staff.helpers import check_staff_page

pytestmark = pytest.mark.django_db


def test_sign_in_page_is_a_gov_uk_form(client):
    response = client.get("/staff/login/")
    assert response.status_code == 200
    html = response.content.decode()
    parsed = check_staff_page(html)
    assert parsed.h1 == ["Sign in"]
    assert 'name="username"' in html and 'name="password"' in html
    assert 'autocomplete="current-password"' in html
    assert "csrfmiddlewaretoken" in html


def test_empty_form_shows_an_error_summary_linked_to_each_field(client):
    html = client.post("/staff/login/", {}).content.decode()
    check_staff_page(html)
    assert "<title>Error: Sign in" in html
    assert 'href="#username">Enter your user name</a>' in html
    assert 'href="#password">Enter your password</a>' in html
    assert 'id="username-error"' in html  # the message by the field


@pytest.mark.parametrize("username,password", [("anna", "wrong"), ("nobody", PASSWORD)])
def test_wrong_details_are_refused_without_saying_which(client, users, username, password):
    response = client.post("/staff/login/", {"username": username, "password": password})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Sign in" in html
    assert "Enter a correct user name and password" in html
    assert "_auth_user_id" not in client.session
    assert f'value="{username}"' in html  # the user name is kept, the password is not
    assert password not in html


@pytest.mark.parametrize("role,landing", [
    ("administrator", "/staff/"), ("analyst", "/staff/"), ("panel-member", "/staff/panel/"),
    ("data-provider", "/staff/returns/"),
])
def test_each_role_lands_on_its_own_page(client, users, role, landing):
    user = users[role]
    response = client.post("/staff/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == landing
    assert client.session["_auth_user_id"] == str(user.pk)


def test_next_is_followed_only_within_the_site(client, users):
    anna = users["analyst"]
    response = client.post("/staff/login/?next=/staff/imports/",
                           {"username": anna.username, "password": PASSWORD})
    assert response["Location"] == "/staff/imports/"
    client.logout()
    response = client.post("/staff/login/", {"username": anna.username, "password": PASSWORD,
                                             "next": "https://evil.example/"})
    assert response["Location"] == "/staff/"


def test_a_protected_page_sends_you_to_sign_in_and_back(client, users):
    response = client.get("/staff/imports/")
    assert response.status_code == 302
    assert response["Location"] == "/staff/login/?next=/staff/imports/"
    html = client.get(response["Location"]).content.decode()
    assert 'name="next" value="/staff/imports/"' in html


def test_sign_out_is_a_post_and_ends_the_session(client, users):
    client.force_login(users["analyst"])
    page = client.get("/staff/logout/")
    assert page.status_code == 200
    check_staff_page(page.content.decode())
    assert "_auth_user_id" in client.session  # a GET changes nothing
    response = client.post("/staff/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/staff/login/?signed-out=1"
    assert "_auth_user_id" not in client.session
    assert "You have signed out" in client.get(response["Location"]).content.decode()


def test_signed_in_users_see_staff_area_and_sign_out_on_public_pages(client, users, plan):
    anonymous = client.get("/").content.decode()
    assert "Sign out" not in anonymous and ">Staff area<" not in anonymous
    assert 'href="/staff/login/">Staff sign in' in anonymous
    client.force_login(users["panel-member"])
    html = client.get("/").content.decode()
    assert 'href="/staff/"' in html and "Staff area" in html
    assert 'action="/staff/logout/"' in html and "Sign out" in html


def test_a_signed_in_panel_member_is_sent_to_their_page_from_the_staff_home(client, users):
    client.force_login(users["panel-member"])
    assert client.get("/staff/")["Location"] == "/staff/panel/"
    client.force_login(users["data-provider"])
    assert client.get("/staff/")["Location"] == "/staff/returns/"


def test_forbidden_page_is_a_gov_uk_page(client, users):
    client.force_login(users["panel-member"])
    response = client.get("/staff/imports/")
    assert response.status_code == 403
    parsed = check_staff_page(response.content.decode())
    assert parsed.h1 == ["You cannot see this page"]
