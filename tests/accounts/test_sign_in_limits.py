"""Refusing password guessing: 5 wrong attempts for a user name, or from one address, within
15 minutes stop sign-in for 15 minutes, even with the right password; audited."""

from __future__ import annotations

import datetime as dt

import pytest

from oversight.accounts.models import AuditEvent, SignInAttempt
from tests.staff.conftest import PASSWORD
from tests.staff.helpers import check_staff_page

pytestmark = pytest.mark.django_db


def attempt(client, username: str, password: str, address: str = "192.0.2.10"):
    return client.post("/staff/login/", {"username": username, "password": password},
                       REMOTE_ADDR=address)


def age(minutes: int) -> None:
    """Move every attempt so far ``minutes`` into the past."""
    for row in SignInAttempt.objects.all():
        SignInAttempt.objects.filter(pk=row.pk).update(at=row.at - dt.timedelta(minutes=minutes))


def test_five_wrong_passwords_lock_the_user_name_for_15_minutes(client, users):
    for n in range(1, 5):
        response = attempt(client, "anna", f"wrong-{n}")
        assert response.status_code == 200
        assert "Enter a correct user name and password" in response.content.decode()
    response = attempt(client, "anna", "wrong-5")
    assert response.status_code == 429
    html = response.content.decode()
    check_staff_page(html)
    assert "<title>Error: Sign in" in html
    assert 'href="#username">You have entered a wrong user name or password too many times. ' \
           "Wait 15 minutes, until " in html
    # The right password is refused too while the lock lasts, and nobody is signed in.
    response = attempt(client, "Anna", PASSWORD)  # the same user name, whatever the case
    assert response.status_code == 429
    assert "too many times" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert list(AuditEvent.objects.filter(action__startswith="sign-in").order_by("id")
                .values_list("action", flat=True)) == [
        "sign-in.fail"] * 5 + ["sign-in.lock", "sign-in.refuse"]
    lock = AuditEvent.objects.get(action="sign-in.lock")
    assert lock.after["username"] == "anna" and lock.after["by"] == "user name"
    assert lock.username == "not signed in, from 192.0.2.10"

    age(14)
    assert attempt(client, "anna", PASSWORD).status_code == 429
    age(2)  # 16 minutes after the fifth wrong attempt
    response = attempt(client, "anna", PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(users["analyst"].pk)


def test_wrong_attempts_more_than_15_minutes_apart_do_not_lock(client, users):
    for _ in range(3):
        attempt(client, "anna", "wrong")
    age(16)
    for _ in range(4):
        assert attempt(client, "anna", "wrong").status_code == 200
    assert attempt(client, "anna", PASSWORD).status_code == 302


def test_signing_in_starts_the_count_again(client, users):
    for _ in range(4):
        attempt(client, "anna", "wrong")
    assert attempt(client, "anna", PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        assert attempt(client, "anna", "wrong").status_code == 200
    assert attempt(client, "anna", PASSWORD).status_code == 302


def test_five_wrong_attempts_from_one_address_lock_that_address(client, users):
    for name in ("nobody", "ada", "bob", "dee", "pat"):
        attempt(client, name, "wrong", address="198.51.100.7")
    # Another user name from the same address is refused...
    response = attempt(client, "anna", PASSWORD, address="198.51.100.7")
    assert response.status_code == 429
    assert AuditEvent.objects.get(action="sign-in.lock").after["by"] == "address"
    # ...but each of those user names has one wrong attempt only, so from elsewhere it works.
    assert attempt(client, "anna", PASSWORD, address="203.0.113.5").status_code == 302


def test_a_locked_attempt_is_refused_before_the_password_is_checked(client, users):
    for _ in range(5):
        attempt(client, "anna", "wrong")
    count = SignInAttempt.objects.count()
    response = attempt(client, "anna", "wrong")
    assert response.status_code == 429
    assert "Enter a correct user name and password" not in response.content.decode()
    assert SignInAttempt.objects.count() == count + 1
    assert SignInAttempt.objects.first().outcome == "refused"


def test_the_admin_has_no_sign_in_form_of_its_own(client, users):
    """Otherwise the admin's form would be a way round the limit."""
    response = client.get("/admin/login/?next=/admin/plans/")
    assert response.status_code == 302
    assert response["Location"] == "/staff/login/?next=/admin/plans/"
    response = client.post("/admin/login/", {"username": "ada", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"].startswith("/staff/login/")
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/")["Location"].startswith("/admin/login/")
