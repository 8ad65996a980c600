"""Public pages kept for visitors: served again while nothing changed, exactly as drawn, before
the session and sign-in middleware; drawn afresh after a change the public could see (an
audited change, an import or rollback, computing again, commentary, publication); never kept
for or shown to signed-in users."""

from __future__ import annotations

import time

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from oversight.accounts import audit
from oversight.portal import page_cache
from tests import demo_state
from tests.staff.conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db

CODE = "MCNS-VEHICLE-CRIME"
PAGE = f"/measures/{CODE}/"


@pytest.fixture
def plan(settings):
    cache.clear()
    settings.OVERSIGHT_PAGE_CACHE_SECONDS = 60
    # The fingerprint is read on every request here, so each change must show at once; the
    # one-second check a server uses by default is tested on its own below.
    settings.OVERSIGHT_PAGE_CACHE_CHECK_SECONDS = 0
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return demo_state.build(["2025-04", "2025-05", "2025-06"])


def _queries(client, path, **extra):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path, **extra)
    return response, len(ctx.captured_queries)


def _kept(client, path):
    """Whether the page was answered from the kept pages: one query (the fingerprint), and
    the session and authentication middleware never ran."""
    response, queries = _queries(client, path)
    return queries == 1 and not hasattr(response.wsgi_request, "user")


def test_a_kept_page_is_the_same_page_with_the_same_headers_for_one_query(client, plan):
    first, drawn = _queries(client, PAGE)
    second, kept = _queries(client, PAGE)
    assert first.status_code == second.status_code == 200
    assert second.content == first.content
    assert drawn > kept == 1
    # Every header the view and the middleware gave the drawn page, and nothing else.
    assert dict(second.items()) == dict(first.items())
    assert second["Content-Type"] == "text/html; charset=utf-8"
    assert second["Vary"] == "Cookie"
    assert second["X-Frame-Options"] == "DENY"
    assert second["X-Content-Type-Options"] == "nosniff"
    assert second["Referrer-Policy"] == "same-origin"
    # Answered before the session, CSRF, authentication and messages middleware.
    assert hasattr(first.wsgi_request, "user") and not hasattr(second.wsgi_request, "user")
    assert not hasattr(second.wsgi_request, "session")
    csv_first, _ = _queries(client, f"/measures/{CODE}/monthly.csv")
    csv_kept, queries = _queries(client, f"/measures/{CODE}/monthly.csv")
    assert queries == 1
    assert csv_kept.content == csv_first.content
    assert dict(csv_kept.items()) == dict(csv_first.items())
    assert csv_kept["Content-Type"].startswith("text/csv")
    assert csv_kept["Content-Disposition"] == csv_first["Content-Disposition"]
    head = client.head(PAGE)
    assert head.status_code == 200
    assert dict(head.items()) == dict(first.items())


def test_only_pages_marked_public_are_kept_or_pay_for_the_fingerprint(client, plan):
    missing, _ = _queries(client, "/measures/NO-SUCH-MEASURE/")
    again, queries = _queries(client, "/measures/NO-SUCH-MEASURE/")
    assert missing.status_code == again.status_code == 404
    assert queries > 1  # looked up again, not kept
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/staff/login/").status_code == 200
    assert not any("performance_measureresult" in q["sql"] for q in ctx.captured_queries)


def test_a_host_not_allowed_is_refused_even_for_a_kept_page(client, plan):
    assert client.get(PAGE).status_code == 200
    assert _kept(client, PAGE)
    assert client.get(PAGE, HTTP_HOST="elsewhere.example").status_code == 400


def test_a_visitor_with_a_session_cookie_gets_a_freshly_drawn_page(client, plan):
    kept = client.get(PAGE).content
    client.cookies[django_settings.SESSION_COOKIE_NAME] = "no-such-session"
    fresh, queries = _queries(client, PAGE)
    assert queries > 1 and hasattr(fresh.wsgi_request, "user")
    assert fresh.content == kept


def test_an_audited_change_shows_at_once(client, plan):
    assert client.get(PAGE).status_code == 200
    assert _kept(client, PAGE)
    _withdraw(plan)  # as the admin does it: a change with an audit record
    assert client.get(PAGE).status_code == 404


def _withdraw(plan):
    measure = plan.measures.get(code=CODE)
    before = audit.snapshot(measure, ["public"])
    measure.public = False
    measure.save()
    audit.record(None, "measure.withdrawn", measure, before=before,
                 after=audit.snapshot(measure, ["public"]))


def test_a_server_checks_for_changes_once_a_second_so_a_change_shows_within_it(
        client, plan, settings):
    # A long interval first, to show what the check trades: within it, this process answers
    # a kept page without reading the database, even after a change.
    settings.OVERSIGHT_PAGE_CACHE_CHECK_SECONDS = 60
    page_cache._checked.clear()
    assert client.get(PAGE).status_code == 200
    kept, queries = _queries(client, PAGE)
    assert kept.status_code == 200 and queries == 0
    _withdraw(plan)
    stale, queries = _queries(client, PAGE)
    assert stale.status_code == 200 and queries == 0
    # The default: checked again once a second has passed.
    settings.OVERSIGHT_PAGE_CACHE_CHECK_SECONDS = 1
    time.sleep(1.0)
    assert client.get(PAGE).status_code == 404


def test_computing_figures_again_shows_at_once(client, plan):
    from oversight.performance.models import MeasureResult
    from oversight.performance.services import compute_plan

    html = client.get(PAGE).content.decode()
    quarter = MeasureResult.objects.get(measure__plan=plan, measure__code=CODE).figures["quarter"]
    assert f"{quarter['count']:,}" in html
    assert _kept(client, PAGE)
    compute_plan(plan)
    again, queries = _queries(client, PAGE)
    assert again.status_code == 200
    assert queries > 1  # drawn afresh, not served from the cache


def test_an_import_and_its_rollback_show_at_once(client, plan):
    from oversight.data.models import ImportBatch
    from oversight.data.services import import_police_uk
    from oversight.data.services.rollback import rollback_batch

    name = "2025-03-leicestershire-street.csv.gz"
    assert name not in client.get("/data/").content.decode()
    assert _kept(client, "/data/")
    import_police_uk(demo_state.street_files(["2025-03"], ("leicestershire",)),
                     imported_by="test")
    assert name in client.get("/data/").content.decode()
    assert _kept(client, "/data/")
    batch = ImportBatch.objects.get(file_name=name, status=ImportBatch.Status.CURRENT)
    rollback_batch(batch.pk, rolled_back_by="test", recompute=False)
    assert name not in client.get("/data/").content.decode()


def test_commentary_shows_once_approved_and_never_before(client, plan):
    from oversight.commentary import services as commentary
    from oversight.performance.models import MeasureResult

    anna, ben = make_user("anna", "analyst"), make_user("ben", "analyst")
    measure = plan.measures.get(code=CODE)
    period = MeasureResult.objects.get(measure=measure).latest_quarter
    text = "Vehicle crime fell after the new patrol pattern began."
    assert client.get(PAGE).status_code == 200
    item = commentary.save_draft(measure, period, text, anna)
    assert text not in client.get(PAGE).content.decode()
    assert _kept(client, PAGE)
    commentary.submit_for_review(item, anna)
    assert text not in client.get(PAGE).content.decode()
    commentary.approve(item, ben)
    assert text in client.get(PAGE).content.decode()


def test_publishing_a_report_draws_pages_afresh(client, plan):
    from oversight.reports import services as reports

    assert client.get("/").status_code == 200
    assert _kept(client, "/")
    reports.publish("quarterly", plan, "2025/26-Q1", user=make_user("pat", "administrator"))
    again, queries = _queries(client, "/")
    assert again.status_code == 200 and queries > 1


def test_signed_in_users_always_get_a_fresh_page_and_theirs_is_never_kept(client, plan):
    make_user("anna", "analyst")
    public = client.get(PAGE).content.decode()
    assert "Sign out" not in public  # this copy is now kept for visitors
    client.login(username="anna", password=PASSWORD)
    mine, queries = _queries(client, PAGE)
    assert "Sign out" in mine.content.decode() and queries > 1
    assert _queries(client, PAGE)[1] > 1  # and again: never answered from the kept pages
    client.logout()
    assert "Sign out" not in client.get(PAGE).content.decode()
    # Signed in before any visitor came: the signed-in page is not kept for the next visitor.
    cache.clear()
    client.login(username="anna", password=PASSWORD)
    assert "Sign out" in client.get(PAGE).content.decode()
    client.logout()
    visitor, queries = _queries(client, PAGE)
    assert "Sign out" not in visitor.content.decode() and queries > 1
