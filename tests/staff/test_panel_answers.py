"""Answers to the Panel's questions: an analyst or administrator answers from the staff area
(GOV.UK form, error summary), the answer is audited with before and after, the dashboard lists
only the questions not yet answered, and the Panel's reports show the answer."""

from __future__ import annotations

import pytest

from oversight.accounts.models import AuditEvent
from oversight.staff.models import PanelQuestion
from tests.staff.helpers import check_staff_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def questions(users, plan):
    measures = list(plan.measures.filter(public=True).order_by("order")[:2])
    pat = users["panel-member"]
    return [PanelQuestion.objects.create(measure=measures[0], period="2025/26 Q1", asked_by=pat,
                                         text="Why did this fall in June?"),
            PanelQuestion.objects.create(measure=measures[1], period="2025/26 Q1", asked_by=pat,
                                         text="How does this compare with Kent?")]


def section(html: str, anchor: str) -> str:
    start = html.index(f'id="{anchor}"')
    return html[start:html.index("<h2", start + 1)]


def test_analyst_answers_from_the_dashboard_and_it_is_audited(client, users, questions):
    first, second = questions
    anna = users["analyst"]
    client.force_login(anna)
    dashboard = client.get("/staff/").content.decode()
    waiting = section(dashboard, "questions")
    assert "not yet answered (2)" in waiting
    assert f'href="/staff/reports/questions/{first.pk}/answer/"' in waiting
    assert "Why did this fall in June?" in waiting and "How does this compare" in waiting

    form = client.get(f"/staff/reports/questions/{first.pk}/answer/").content.decode()
    check_staff_page(form)
    assert "<h1 class=\"govuk-heading-xl\">Answer a question from the Panel</h1>" in form
    assert "Why did this fall in June?" in form and first.measure.name in form
    assert "by pat" in form  # staff see who asked; reports never say

    response = client.post(f"/staff/reports/questions/{first.pk}/answer/",
                           {"answer": "  Fewer burglaries after the May operation.  "})
    assert response.status_code == 302 and response["Location"] == "/staff/"
    first.refresh_from_db()
    assert (first.answer, first.answered_by, first.answered_by_name) == (
        "Fewer burglaries after the May operation.", anna, "anna")
    assert first.answered_at is not None
    event = AuditEvent.objects.get(action="panel-question.answer")
    assert (event.user, event.object_id) == (anna, str(first.pk))
    assert event.before == {"answer": "", "answered_by_name": "", "answered_at": None}
    assert event.after == {"answer": "Fewer burglaries after the May operation.",
                           "answered_by_name": "anna",
                           "answered_at": first.answered_at.isoformat()}

    dashboard = client.get(response["Location"]).content.decode()
    check_staff_page(dashboard)
    assert "Your answer to the question about" in dashboard and "was saved" in dashboard
    waiting = section(dashboard, "questions")
    assert "not yet answered (1)" in waiting
    assert "Why did this fall in June?" not in waiting and "How does this compare" in waiting

    # An administrator changes the answer: before and after are both kept.
    client.force_login(users["administrator"])
    form = client.get(f"/staff/reports/questions/{first.pk}/answer/").content.decode()
    assert "Change the answer" in form and "Fewer burglaries after the May operation." in form
    client.post(f"/staff/reports/questions/{first.pk}/answer/",
                {"answer": "Fewer burglaries in the city centre after the May operation."})
    change = AuditEvent.objects.filter(action="panel-question.answer").latest("id")
    assert change.username == "ada"
    assert change.before["answer"] == "Fewer burglaries after the May operation."
    assert change.before["answered_by_name"] == "anna"
    assert change.after["answer"].startswith("Fewer burglaries in the city centre")
    first.refresh_from_db()
    assert first.answered_by_name == "ada"

    # The Panel's draft report shows the answer under the question.
    client.force_login(users["panel-member"])
    draft = client.get("/staff/reports/draft/").content.decode()
    questions_part = draft[draft.index('id="panel-questions"'):]
    assert "Fewer burglaries in the city centre after the May operation." in questions_part
    assert "Not yet answered" in questions_part


@pytest.mark.parametrize("answer,message", [
    ("   ", "Enter the answer to the question"),
    ("x" * 5001, "The answer must be 5,000 characters or fewer; it is 5,001"),
])
def test_an_empty_or_long_answer_is_refused_with_the_error_summary(client, users, questions,
                                                                   answer, message):
    question = questions[0]
    client.force_login(users["analyst"])
    html = client.post(f"/staff/reports/questions/{question.pk}/answer/",
                       {"answer": answer}).content.decode()
    check_staff_page(html)
    assert "<title>Error: Answer a question from the Panel" in html
    assert f'href="#answer">{message}</a>' in html and 'id="answer-error"' in html
    question.refresh_from_db()
    assert (question.answer, question.answered_at) == ("", None)
    assert not AuditEvent.objects.filter(action="panel-question.answer").exists()


@pytest.mark.parametrize("role", ["panel-member", "data-provider"])
def test_only_analysts_and_administrators_answer(client, users, questions, role):
    question = questions[0]
    client.force_login(users[role])
    assert client.get(f"/staff/reports/questions/{question.pk}/answer/").status_code == 403
    response = client.post(f"/staff/reports/questions/{question.pk}/answer/",
                           {"answer": "An answer"})
    assert response.status_code == 403
    question.refresh_from_db()
    assert question.answer == "" and question.answered_at is None
    client.force_login(users["analyst"])
    assert client.get("/staff/reports/questions/999999/answer/").status_code == 404


def test_every_question_answered_says_so(client, users, questions):
    client.force_login(users["analyst"])
    for question in questions:
        client.post(f"/staff/reports/questions/{question.pk}/answer/", {"answer": "Answered."})
    waiting = section(client.get("/staff/").content.decode(), "questions")
    assert "not yet answered (0)" in waiting
    assert "Every question from the Panel has been answered." in waiting


def test_panel_members_see_each_answer_beside_its_question(client, users, questions):
    first, second = questions
    client.force_login(users["analyst"])
    client.post(f"/staff/reports/questions/{first.pk}/answer/",
                {"answer": "Fewer burglaries after the May operation."})
    client.force_login(users["panel-member"])
    html = client.get("/staff/panel/").content.decode()
    check_staff_page(html)
    rows = html[html.index("<tbody"):html.index("</tbody>")].split("<tr")[1:]
    by_question = {row.split("</th>")[1].split("</td>")[0]: row for row in rows}
    answered = next(row for text, row in by_question.items() if "fall in June" in text)
    waiting = next(row for text, row in by_question.items() if "How does this compare" in text)
    assert "Fewer burglaries after the May operation." in answered
    assert "Answered " in answered and "Not yet answered" not in answered
    assert "Not yet answered" in waiting and "Fewer burglaries" not in waiting
