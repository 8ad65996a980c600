"""The Panel: the draft report (every measure, marked as a draft) and questions on measures."""

from __future__ import annotations

import pytest

from oversight.accounts.models import AuditEvent
from oversight.staff.models import PanelQuestion
from tests.staff.helpers import check_staff_page

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ["panel-member", "analyst", "administrator"])
def test_draft_report_is_marked_and_includes_unpublished_measures(client, users, plan, role):
    client.force_login(users[role])
    response = client.get("/staff/reports/draft/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    check_staff_page(html)
    assert "Draft: not approved for publication" in html
    assert html.index("Draft: not approved") < html.index("<h1")
    for measure in plan.measures.all():
        assert measure.name in html
    hidden = plan.measures.filter(public=False).first()
    assert hidden is not None
    public_report = client.get("/reports/quarterly/").content.decode()
    assert "Draft: not approved" not in public_report
    assert f'id="measure-{hidden.code}"' not in public_report


def test_panel_member_asks_a_question_which_analysts_see(client, users, plan):
    pat = users["panel-member"]
    measure = plan.measures.filter(public=False).first()
    client.force_login(pat)
    html = client.get("/staff/reports/draft/").content.decode()
    assert 'href="/staff/reports/draft/questions/new/"' in html
    form = client.get(f"/staff/reports/draft/questions/new/?measure={measure.code}")
    form_html = form.content.decode()
    check_staff_page(form_html)
    assert f'value="{measure.code}" selected' in form_html
    response = client.post("/staff/reports/draft/questions/new/",
                           {"measure": measure.code, "text": "Why is this not published?"})
    assert response.status_code == 302 and response["Location"] == "/staff/panel/"
    question = PanelQuestion.objects.get()
    assert question.asked_by == pat and question.measure == measure
    assert question.period == plan.measures.get(code="MCNS-ALL-CRIME").result.latest_quarter
    event = AuditEvent.objects.get(action="panel-question.ask")
    assert event.username == "pat" and event.after["text"] == "Why is this not published?"
    panel_page = client.get("/staff/panel/").content.decode()
    check_staff_page(panel_page)
    assert "Why is this not published?" in panel_page

    client.force_login(users["analyst"])
    assert "Why is this not published?" in client.get("/staff/").content.decode()
    commentary = client.get(f"/staff/measures/{measure.code}/commentary/").content.decode()
    assert "Why is this not published?" in commentary


def test_a_question_needs_a_measure_and_words(client, users, plan):
    client.force_login(users["panel-member"])
    html = client.post("/staff/reports/draft/questions/new/",
                       {"measure": "", "text": ""}).content.decode()
    check_staff_page(html)
    assert 'href="#measure">Choose the measure your question is about</a>' in html
    assert 'href="#text">Enter your question</a>' in html
    html = client.post("/staff/reports/draft/questions/new/",
                       {"measure": "MCNS-ALL-CRIME", "text": "x" * 2001}).content.decode()
    assert "2,000 characters or fewer" in html
    assert not PanelQuestion.objects.exists()


def test_only_panel_members_ask_questions(client, users, plan):
    client.force_login(users["analyst"])
    response = client.post("/staff/reports/draft/questions/new/",
                           {"measure": "MCNS-ALL-CRIME", "text": "Hello?"})
    assert response.status_code == 403
    assert not PanelQuestion.objects.exists()
