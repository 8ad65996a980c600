"""Commentary through the staff pages: draft → review → approved, errors, history, and the
public measure page showing only the approved text."""

from __future__ import annotations

import pytest

from oversight.commentary.models import Commentary
from tests.staff.helpers import check_staff_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def measure(plan):
    return plan.measures.filter(public=True, result__figures__available=True).first()


def url(measure) -> str:
    return f"/staff/measures/{measure.code}/commentary/"


def test_the_page_shows_the_measure_quarter_and_an_empty_form(client, users, measure):
    client.force_login(users["analyst"])
    html = client.get(url(measure)).content.decode()
    parsed = check_staff_page(html)
    assert parsed.h1 == [f"Commentary: {measure.name}"]
    assert measure.result.figures["quarter"]["words"] in html
    assert "Not started" in html
    assert 'value="submit"' in html and 'value="save"' in html


def test_draft_review_send_back_and_approve(client, users, measure):
    anna, bob = users["analyst"], users["analyst-2"]
    period = measure.result.latest_quarter
    client.force_login(anna)
    response = client.post(url(measure), {"action": "save", "text": "Burglary rose in June."})
    assert response.status_code == 302
    item = Commentary.objects.get(measure=measure, period=period)
    assert item.status == "draft" and item.author == anna
    assert "Your draft has been saved" in client.get(url(measure)).content.decode()

    client.post(url(measure), {"action": "submit", "text": "Burglary rose in June."})
    item.refresh_from_db()
    assert item.status == "review"
    html = client.get(url(measure)).content.decode()
    assert "someone else must review and approve it" in html
    assert 'value="approve"' not in html  # the author cannot approve

    client.force_login(bob)
    html = client.get(url(measure)).content.decode()
    assert 'value="approve"' in html
    client.post(url(measure), {"action": "send-back", "review_note": "Say why it rose."})
    item.refresh_from_db()
    assert item.status == "draft" and item.review_note == "Say why it rose."

    client.force_login(anna)
    page = client.get(url(measure)).content.decode()
    assert "Sent back by the reviewer: Say why it rose." in page
    client.post(url(measure), {"action": "submit",
                               "text": "Burglary rose in June after a series in Blaby."})
    client.force_login(bob)
    client.post(url(measure), {"action": "approve"})
    item.refresh_from_db()
    assert item.status == "approved" and item.reviewer == bob
    assert item.text == "Burglary rose in June after a series in Blaby."

    html = client.get(url(measure)).content.decode()
    history = html[html.index('id="history"'):]
    for words in ("Saved as a draft", "Sent for review", "Sent back: Say why it rose.",
                  "Approved"):
        assert words in history
    assert "anna" in history and "bob" in history

    client.logout()
    public = client.get(f"/measures/{measure.code}/").content.decode()
    assert "Burglary rose in June after a series in Blaby." in public


def test_workflow_errors_show_in_the_error_summary(client, users, measure):
    client.force_login(users["analyst"])
    html = client.post(url(measure), {"action": "save", "text": "  "}).content.decode()
    check_staff_page(html)
    assert "<title>Error: Commentary" in html
    assert 'href="#text">Enter the commentary.</a>' in html
    assert not Commentary.objects.exists()

    client.post(url(measure), {"action": "submit", "text": "Text."})
    html = client.post(url(measure), {"action": "approve"}).content.decode()
    assert "Someone other than the author must approve the commentary." in html
    client.force_login(users["analyst-2"])
    html = client.post(url(measure), {"action": "send-back", "review_note": ""}).content
    assert 'href="#review_note">Say what needs to change.</a>' in html.decode()
    assert Commentary.objects.get().status == "review"


def test_unapproved_commentary_is_not_public(client, users, measure):
    client.force_login(users["analyst"])
    client.post(url(measure), {"action": "submit", "text": "Draft words not for the public."})
    client.logout()
    public = client.get(f"/measures/{measure.code}/").content.decode()
    assert "Draft words not for the public." not in public
    assert "No commentary has been approved for the latest quarter yet." in public


def test_a_code_outside_the_current_plan_is_not_found(client, users, plan):
    client.force_login(users["analyst"])
    assert client.get("/staff/measures/NO-SUCH-CODE/commentary/").status_code == 404


def test_measures_page_lists_every_measure_with_its_commentary(client, users, plan):
    client.force_login(users["analyst"])
    html = client.get("/staff/measures/").content.decode()
    check_staff_page(html)
    for measure in plan.measures.all():
        assert measure.name in html
