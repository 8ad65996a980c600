"""The analysts' dashboard: commentary to write, measures needing attention, imports and the
Panel's questions."""

from __future__ import annotations

import re

import pytest

from oversight.commentary import services
from oversight.data.models import ImportBatch
from oversight.staff.models import PanelQuestion
from tests.staff.helpers import check_staff_page

pytestmark = pytest.mark.django_db


def section(html: str, anchor: str) -> str:
    start = html.index(f'id="{anchor}"')
    end = html.find('<h2 class="govuk-heading-l"', start + 1)
    return html[start:end if end > 0 else None]


def test_dashboard_lists_what_needs_doing(client, users, plan):
    anna, bob = users["analyst"], users["analyst-2"]
    measures = list(plan.measures.select_related("result").order_by("order"))
    done, waiting = measures[0], measures[1]
    period = done.result.latest_quarter or measures[2].result.latest_quarter
    item = services.save_draft(done, done.result.latest_quarter or period, "Done.", bob)
    services.submit_for_review(item, bob)
    services.approve(item, anna)
    item = services.save_draft(waiting, waiting.result.latest_quarter or period, "Check.", bob)
    services.submit_for_review(item, bob)
    PanelQuestion.objects.create(measure=measures[2], period=period,
                                 text="Why did vehicle crime fall?", asked_by=users["panel-member"])

    client.force_login(anna)
    html = client.get("/staff/").content.decode()
    check_staff_page(html)
    needing = section(html, "commentary")
    assert done.name not in needing
    assert waiting.name in needing and "Waiting for review" in needing
    assert len(measures) - 1 == needing.count("/commentary/")
    assert waiting.name in section(html, "review")
    assert "Why did vehicle crime fall?" in section(html, "questions")
    assert ImportBatch.objects.first().file_name in section(html, "imports")
    attention = section(html, "attention")
    for measure in measures:
        figures = measure.result.figures
        flagged = figures.get("status") == "not-met" or \
            (figures.get("spc") or {}).get("latest_signal") == "concern"
        assert (measure.name in attention) == flagged, measure.code
    assert 'href="/staff/returns/"' in html


def test_dashboard_without_a_plan_says_so(client, users):
    client.force_login(users["analyst"])
    html = client.get("/staff/").content.decode()
    check_staff_page(html)
    assert "No plan is loaded yet" in html


def test_dashboard_query_count_does_not_grow_with_measures(client, users, plan,
                                                          django_assert_max_num_queries):
    client.force_login(users["analyst"])
    with django_assert_max_num_queries(15):
        client.get("/staff/")


def partner_returns(count: int = 1):
    """``count`` monthly returns from one partner from April 2025, plus a quarterly return from
    another partner whose first quarter came in late and whose second came in on time."""
    import datetime as dt

    from django.utils import timezone

    from oversight.accounts.models import Organisation
    from oversight.returns import schedule
    from oversight.returns.models import ReturnSubmission
    from oversight.returns.services import define_template, field_spec

    victims = Organisation.objects.create(slug="victim-first", name="Victim First",
                                          kind=Organisation.Kind.PARTNER)
    youth = Organisation.objects.create(slug="youth-diversion", name="Youth Diversion",
                                        kind=Organisation.Kind.PARTNER)
    monthly = [define_template(name=f"Victim referrals {n}", provider=victims,
                               frequency="monthly", first_period="2025-04",
                               fields=[field_spec(f"VS-{n}", "Victims referred")])
               for n in range(1, count + 1)]
    quarterly = define_template(name="Young people starting", provider=youth,
                                frequency="quarterly", first_period="2025/26 Q1",
                                fields=[field_spec("YD-STARTS", "Young people starting")])
    for period, days_after_due in (("2025/26 Q1", 9), ("2025/26 Q2", -3)):
        due = schedule.due_date(period, quarterly.due_days)
        ReturnSubmission.objects.create(
            template=quarterly, provider=youth, period=period,
            template_version=quarterly.version, file_name="return.csv", sha256="0" * 64,
            size_bytes=10, rows=[], uploaded_by_name="test",
            status=ReturnSubmission.Status.ACCEPTED,
            submitted_at=timezone.make_aware(dt.datetime.combine(
                due + dt.timedelta(days=days_after_due), dt.time(12))))
    return monthly, quarterly


def test_dashboard_lists_late_and_missing_returns_per_provider(client, users, plan):
    from django.utils import timezone

    from oversight.returns import schedule

    monthly, quarterly = partner_returns()
    today = timezone.localdate()
    overdue = [p for p in schedule.ended_periods("2025-04", "monthly", today)
               if schedule.due_date(p, monthly[0].due_days) < today]
    assert len(overdue) >= 3  # April to June 2025 at least

    client.force_login(users["analyst"])
    html = client.get("/staff/").content.decode()
    check_staff_page(html)
    returns = section(html, "returns")
    quarters_overdue = [p for p in schedule.ended_periods("2025/26 Q1", "quarterly", today)
                        if schedule.due_date(p, quarterly.due_days) < today][2:]
    assert f"({len(overdue) + len(quarters_overdue)} missing)" in returns
    rows = returns.split('<tr class="govuk-table__row">')[2:]
    victim_row = next(r for r in rows if "Victim referrals 1" in r)
    assert "Victim First" in victim_row
    assert f"{len(overdue)} missing</strong> the oldest April 2025" in victim_row
    youth_row = next(r for r in rows if "Young people starting" in r)
    assert "Youth Diversion" in youth_row
    cells = re.findall(r'<td class="govuk-table__cell">(.*?)</td>', youth_row, re.S)
    assert cells[-1] == "1"  # the first quarter came in late, the second on time
    assert (f"{len(quarters_overdue)} missing" in cells[1]) if quarters_overdue \
        else cells[1] == "None"
    assert returns.index("Victim First") < returns.index("Youth Diversion")
    assert 'href="/staff/returns/late/"' in returns


def test_dashboard_returns_run_the_same_queries_for_1_or_6_returns(
        client, users, plan, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(users["analyst"])
    partner_returns(1)
    with CaptureQueriesContext(connection) as one:
        client.get("/staff/")
    from oversight.returns.models import ReturnTemplate
    from oversight.returns.services import define_template, field_spec

    first = ReturnTemplate.objects.get(name="Victim referrals 1")
    for n in range(2, 7):
        define_template(name=f"Victim referrals {n}", provider=first.provider,
                        frequency="monthly", first_period="2025-04",
                        fields=[field_spec(f"VS-{n}", "Victims referred")])
    with django_assert_num_queries(len(one.captured_queries)):
        html = client.get("/staff/").content.decode()
    assert html.count("Victim referrals ") == 6
