"""The analysts' dashboard: commentary to write, measures needing attention, imports and the
Panel's questions."""

from __future__ import annotations

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
