"""Public pages kept for visitors: served again while nothing changed, drawn afresh after a
change the public could see, and never kept for signed-in users."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from oversight.accounts import audit
from tests import demo_state
from tests.staff.conftest import make_user

pytestmark = pytest.mark.django_db

CODE = "MCNS-VEHICLE-CRIME"


@pytest.fixture
def plan(settings):
    cache.clear()
    settings.OVERSIGHT_PAGE_CACHE_SECONDS = 60
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return demo_state.build(["2025-04", "2025-05", "2025-06"])


def _queries(client, path):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    return response, len(ctx.captured_queries)


def test_a_kept_page_is_the_same_page_for_fewer_queries(client, plan):
    first, drawn = _queries(client, f"/measures/{CODE}/")
    second, kept = _queries(client, f"/measures/{CODE}/")
    assert first.status_code == second.status_code == 200
    assert second.content == first.content
    assert kept < drawn
    csv_first, _ = _queries(client, f"/measures/{CODE}/monthly.csv")
    csv_kept, _ = _queries(client, f"/measures/{CODE}/monthly.csv")
    assert csv_kept.content == csv_first.content
    assert csv_kept["Content-Disposition"] == csv_first["Content-Disposition"]


def test_an_audited_change_shows_at_once(client, plan):
    measure = plan.measures.get(code=CODE)
    assert client.get(f"/measures/{CODE}/").status_code == 200
    # Withdrawn from publication, as the admin does it: a change with an audit record.
    before = audit.snapshot(measure, ["public"])
    measure.public = False
    measure.save()
    audit.record(None, "measure.withdrawn", measure, before=before,
                 after=audit.snapshot(measure, ["public"]))
    assert client.get(f"/measures/{CODE}/").status_code == 404


def test_computing_figures_again_shows_at_once(client, plan):
    from oversight.performance.models import MeasureResult
    from oversight.performance.services import compute_plan

    html = client.get(f"/measures/{CODE}/").content.decode()
    quarter = MeasureResult.objects.get(measure__plan=plan, measure__code=CODE).figures["quarter"]
    assert f"{quarter['count']:,}" in html
    _, kept = _queries(client, f"/measures/{CODE}/")
    compute_plan(plan)
    again, queries = _queries(client, f"/measures/{CODE}/")
    assert again.status_code == 200
    assert queries > kept  # drawn afresh, not served from the cache


def test_signed_in_users_always_get_a_fresh_page(client, plan):
    make_user("anna", "analyst")
    public = client.get(f"/measures/{CODE}/").content.decode()
    assert "Sign out" not in public  # this copy is now kept for visitors
    client.login(username="anna", password="correct-horse-battery-staple")
    mine = client.get(f"/measures/{CODE}/").content.decode()
    assert "Sign out" in mine
    client.logout()
    assert "Sign out" not in client.get(f"/measures/{CODE}/").content.decode()
