"""Django's admin: administrators only, every change audited, the audit trail read-only."""

from __future__ import annotations

import pytest

from oversight.accounts.models import AuditEvent, Organisation, Role

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ["analyst", "data-provider", "panel-member"])
def test_other_roles_cannot_use_the_admin(client, users, role):
    user = users[role]
    assert not user.is_staff and not user.is_superuser
    client.force_login(user)
    for path in ("/admin/", "/admin/auth/user/", "/admin/accounts/organisation/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/admin/login/"), path


def test_is_staff_alone_does_not_open_the_admin(client, users):
    """A non-administrator given is_staff by mistake is still kept out."""
    anna = users["analyst"]
    type(anna).objects.filter(pk=anna.pk).update(is_staff=True)
    client.force_login(anna)
    assert client.get("/admin/").status_code == 302


def test_administrators_can_use_the_admin(client, users):
    client.force_login(users["administrator"])
    html = client.get("/admin/").content.decode()
    assert "Oversight administration" in html
    for path in ("/admin/auth/user/", "/admin/accounts/organisation/",
                 "/admin/accounts/auditevent/", "/admin/staff/panelquestion/",
                 "/admin/plans/measure/", "/admin/commentary/commentary/"):
        assert client.get(path).status_code == 200, path


def test_admin_access_follows_the_role(users):
    anna = users["analyst"]
    profile = anna.profile
    profile.role = Role.ADMINISTRATOR
    profile.save()
    anna.refresh_from_db()
    assert anna.is_staff and anna.is_superuser
    profile.role = Role.ANALYST
    profile.save()
    anna.refresh_from_db()
    assert not anna.is_staff and not anna.is_superuser


def test_adding_changing_and_deleting_an_organisation_is_audited(client, users):
    ada = users["administrator"]
    client.force_login(ada)
    response = client.post("/admin/accounts/organisation/add/",
                           {"name": "Youth Offending Service", "slug": "yos", "kind": "partner"})
    assert response.status_code == 302, response.content.decode()[:2000]
    org = Organisation.objects.get(slug="yos")
    added = AuditEvent.objects.get(action="admin.organisation.add")
    assert added.username == "ada" and added.object_id == str(org.pk)
    assert added.after["name"] == "Youth Offending Service"

    client.post(f"/admin/accounts/organisation/{org.pk}/change/",
                {"name": "Youth Justice Service", "slug": "yos", "kind": "partner"})
    changed = AuditEvent.objects.get(action="admin.organisation.change")
    assert changed.before == {"name": "Youth Offending Service"}
    assert changed.after == {"name": "Youth Justice Service"}

    client.post(f"/admin/accounts/organisation/{org.pk}/delete/", {"post": "yes"})
    assert not Organisation.objects.filter(slug="yos").exists()
    deleted = AuditEvent.objects.get(action="admin.organisation.delete")
    assert deleted.before["name"] == "Youth Justice Service"


def test_changing_a_users_role_in_the_admin_is_audited(client, users):
    ada, pat = users["administrator"], users["panel-member"]
    client.force_login(ada)
    page = client.get(f"/admin/auth/user/{pat.pk}/change/").content.decode()
    assert "Profile" in page or "profile" in page
    data = {
        "username": pat.username, "first_name": "", "last_name": "", "email": "",
        "is_active": "on", "last_login_0": "", "last_login_1": "",
        "date_joined_0": "2025-01-01", "date_joined_1": "10:00:00",
        "profile-TOTAL_FORMS": "1", "profile-INITIAL_FORMS": "1",
        "profile-MIN_NUM_FORMS": "0", "profile-MAX_NUM_FORMS": "1",
        "profile-0-id": str(pat.profile.pk), "profile-0-user": str(pat.pk),
        "profile-0-role": "analyst", "profile-0-organisation": "",
    }
    response = client.post(f"/admin/auth/user/{pat.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    pat.refresh_from_db()
    assert pat.profile.role == "analyst"
    event = AuditEvent.objects.get(action="admin.profile.change")
    assert event.before["role"] == "panel-member" and event.after["role"] == "analyst"
    assert AuditEvent.objects.filter(action="admin.user.change", username="ada").exists()


def test_the_audit_trail_cannot_be_changed_in_the_admin(client, users):
    client.force_login(users["administrator"])
    event = AuditEvent.objects.first()
    assert client.get("/admin/accounts/auditevent/add/").status_code == 403
    assert client.post(f"/admin/accounts/auditevent/{event.pk}/delete/",
                       {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_a_superuser_without_a_profile_is_an_administrator(client, db):
    from django.contrib.auth import get_user_model

    root = get_user_model().objects.create_superuser("root", password="x-long-password-1")
    client.force_login(root)
    assert client.get("/admin/").status_code == 200
    assert client.get("/staff/").status_code == 200
