"""The staff navigation: each role sees its own items, and exactly one is marked current."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from oversight.staff.govuk import navigation_for


def _nav(user, path):
    request = RequestFactory().get(path)
    request.user = user
    return navigation_for(request)


@pytest.mark.django_db
def test_each_role_sees_its_own_items(users):
    texts = {role: [i["text"] for i in _nav(users[role], "/staff/")]
             for role in ("administrator", "analyst", "data-provider", "panel-member")}
    assert texts["analyst"] == ["Dashboard", "Measures", "Plan", "Imports", "Draft report",
                                "Reports", "Public site"]
    assert "Users" in texts["administrator"] and "Users" not in texts["analyst"]
    assert texts["data-provider"] == ["Returns", "Public site"]
    assert texts["panel-member"] == ["Panel", "Draft report", "Reports", "Public site"]


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "current"), [
    ("/staff/", "Dashboard"),
    ("/staff/reports/", "Reports"),
    ("/staff/reports/new/", "Reports"),
    ("/staff/reports/draft/", "Draft report"),
    ("/staff/reports/draft/questions/new/", "Draft report"),
    ("/staff/measures/MCNS-ALL-CRIME/commentary/", "Measures"),
])
def test_exactly_the_deepest_matching_item_is_current(users, path, current):
    marked = [i["text"] for i in _nav(users["analyst"], path) if i["active"]]
    assert marked == [current]
