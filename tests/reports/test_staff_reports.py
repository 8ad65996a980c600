"""Building and publishing reports from the staff area, on the real demo data: the build page
queues a job, whose task (run here in the test's thread, as a worker runs it; the real worker
thread is in tests/staff/test_report_jobs.py) builds the draft; the draft's files say what the
database says, bad choices are refused with the GOV.UK error summary, publishing goes through
services.publish and is audited, and the Panel's questions appear in the report with their
answers."""

from __future__ import annotations

import hashlib

import pytest
from django.utils import timezone

from oversight.accounts.models import AuditEvent
from oversight.commentary import services as commentary
from oversight.formatting import date_words
from oversight.methods import periods
from oversight.reports import jobs, services
from oversight.reports.models import PublishedReport, ReportDraft
from oversight.staff.models import PanelQuestion, ReportJob
from tests.reports.helpers import check_page, pdf_text, word, word_table_after
from tests.reports.test_reports import VEHICLE, street_count
from tests.staff.conftest import fast_passwords, make_user  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db
QUARTER = "2025/26 Q1"


@pytest.fixture
def people(report_plan):
    return {"analyst": make_user("anna", "analyst"), "second": make_user("bob", "analyst"),
            "panel": make_user("pat", "panel-member"),
            "provider": make_user("dee", "data-provider", "victim-services")}


def build(client, **choices):
    """Post the build form; when it is accepted, run the job's task as a worker would and
    return the response of the job's page, which sends the user to the draft."""
    form = {"kind": "quarterly", "period": "", "audience": "public", **choices}
    response = client.post("/staff/reports/new/", form)
    if response.status_code != 302:
        return response
    job = ReportJob.objects.latest("id")
    assert response["Location"] == f"/staff/reports/builds/{job.pk}/"
    assert (job.status, job.kind, job.period) == ("queued", form["kind"], form["period"])
    assert jobs.build_report.call(job.pk) == "done"
    return client.get(response["Location"])


def test_analyst_builds_the_quarterly_report_and_its_files_match_the_database(
        report_plan, people, client):
    client.force_login(people["analyst"])
    form = client.get("/staff/reports/new/").content.decode()
    check_page(form)
    assert "Leave it empty for the latest quarter with all three months loaded (2025/26 Q1)" \
        in form and "2020/21" in form  # the latest complete financial year, for annual

    response = build(client)
    draft = ReportDraft.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/staff/reports/drafts/{draft.pk}/"
    assert (draft.kind, draft.period, draft.public, draft.published) == (
        "quarterly", QUARTER, True, None)
    assert draft.built_by == people["analyst"] and draft.seconds > 0

    count = street_count(report_plan, "Vehicle crime", periods.months_of_quarter(QUARTER))
    stored = report_plan.measures.get(code=VEHICLE).result.figures["quarter"]
    assert stored["count"] == count
    page = client.get(response["Location"]).content.decode()
    check_page(page)
    assert "was built in" in page and f'src="/staff/reports/drafts/{draft.pk}/report.html"' \
        in page
    assert "Publish this report" in page

    html = client.get(f"/staff/reports/drafts/{draft.pk}/report.html")
    assert html.content.decode() == draft.html and html["X-Frame-Options"] == "SAMEORIGIN"
    pdf = client.get(f"/staff/reports/drafts/{draft.pk}/report.pdf")
    assert pdf["Content-Disposition"] == \
        f'attachment; filename="quarterly-report-2025-26-Q1-draft-{draft.pk}.pdf"'
    text = pdf_text(pdf.content)
    assert f"{count:,}" in text and f"{stored['rate']:.2f}" in text and "Draft, not published" \
        in text
    docx = client.get(f"/staff/reports/drafts/{draft.pk}/report.docx").content
    rows = word_table_after(word(docx), "Vehicle crime: figures for April to June 2025")
    assert rows[1] == ["April to June 2025", f"{count:,}", f"{stored['rate']:.2f}"]

    event = AuditEvent.objects.get(action="report.build", object_id=str(draft.pk))
    assert event.user == people["analyst"]
    assert event.after["pdf_sha256"] == hashlib.sha256(bytes(draft.pdf)).hexdigest()


@pytest.mark.parametrize("choices,field,message", [
    ({"kind": "thematic"}, "theme", "Choose the theme the thematic update is about"),
    ({"kind": "monthly"}, "kind", "Choose the kind of report to build"),
    ({"period": "2025/26 Q2"}, "period",
     "2025/26 Q2 (July to September 2025) is not complete: July 2025, August 2025, "
     "September 2025 are not loaded for Leicestershire Police."),
    ({"period": "Q1 2025"}, "period", "is not a quarter"),
    ({"kind": "annual", "period": "2025"}, "period", "is not a financial year"),
    ({"kind": "annual", "period": "2023/24"}, "period", "No quarter of 2023/24"),
    ({"audience": "everyone"}, "audience", "Choose who the report is for"),
])
def test_bad_choices_are_refused_with_the_error_summary(report_plan, people, client, choices,
                                                        field, message):
    client.force_login(people["analyst"])
    response = build(client, **choices)
    assert response.status_code == 200
    page = response.content.decode()
    check_page(page)
    assert "<title>Error: Build a report" in page
    assert "govuk-error-summary" in page and f'href="#{field}"' in page
    assert message in page
    assert not ReportDraft.objects.exists() and not AuditEvent.objects.filter(
        action="report.build").exists()


def test_publishing_a_draft_freezes_it_through_services_publish(report_plan, people, client):
    client.force_login(people["analyst"])
    build(client)
    draft = ReportDraft.objects.get()
    confirm = client.get(f"/staff/reports/drafts/{draft.pk}/publish/").content.decode()
    check_page(confirm)
    assert "Version 1" in confirm and "on the public site straight away" in confirm

    refused = client.post(f"/staff/reports/drafts/{draft.pk}/publish/", {"note": "First"})
    assert "Confirm that the report has been checked" in refused.content.decode()
    assert not PublishedReport.objects.exists()

    done = client.post(f"/staff/reports/drafts/{draft.pk}/publish/",
                       {"note": "For the July Panel", "confirm": "yes"})
    assert done.status_code == 302 and done["Location"] == "/staff/reports/"
    report = PublishedReport.objects.get()
    draft.refresh_from_db()
    assert draft.published == report
    assert (report.version, report.period, report.note, report.published_by) == (
        1, QUARTER, "For the July Panel", people["analyst"])
    count = report_plan.measures.get(code=VEHICLE).result.figures["quarter"]["count"]
    text = pdf_text(bytes(report.pdf))
    assert "Published, version 1: For the July Panel" in text and f"{count:,}" in text
    assert report.context["themes"] == draft.context["themes"]  # the figures that were checked
    assert AuditEvent.objects.filter(action="report.publish", object_id=str(report.id),
                                     user=people["analyst"]).exists()
    assert AuditEvent.objects.get(action="report.draft.publish").after == {
        "published": report.id, "version": 1}

    listing = client.get("/staff/reports/").content.decode()
    check_page(listing)
    assert "was published as version 1" in listing
    assert f'href="/reports/published/{report.id}/"' in listing

    # The public see it and get the files exactly as published.
    client.logout()
    public = client.get("/reports/published/").content.decode()
    assert f"/reports/published/{report.id}/" in public
    pdf = client.get(f"/reports/published/{report.id}/report.pdf")
    assert hashlib.sha256(pdf.content).hexdigest() == report.pdf_sha256

    # A draft is published once; a new version needs a new build.
    client.force_login(people["analyst"])
    again = client.get(f"/staff/reports/drafts/{draft.pk}/publish/").content.decode()
    assert "This draft was published as version 1" in again
    with pytest.raises(services.ReportError, match="published already"):
        services.publish_draft(draft, user=people["analyst"])


def test_a_draft_whose_data_changed_is_not_published(report_plan, people, client):
    client.force_login(people["analyst"])
    build(client)
    draft = ReportDraft.objects.get()
    # Commentary approved after the draft was built changes what the report would say.
    measure = report_plan.measures.get(code=VEHICLE)
    item = commentary.save_draft(measure, QUARTER, "Thefts of catalytic converters fell.",
                                 people["analyst"])
    commentary.submit_for_review(item, people["analyst"])
    commentary.approve(item, people["second"])
    page = client.get(f"/staff/reports/drafts/{draft.pk}/publish/").content.decode()
    assert "The data has changed since this draft was built" in page
    assert "Publish the report" not in page
    client.post(f"/staff/reports/drafts/{draft.pk}/publish/", {"confirm": "yes"})
    assert not PublishedReport.objects.exists()
    with pytest.raises(services.ReportError, match="Build the report again"):
        services.publish_draft(draft, user=people["analyst"])


def test_who_may_build_read_and_publish(report_plan, people, client):
    draft = services.build_draft("quarterly", report_plan, None, user=people["analyst"])
    client.force_login(people["panel"])
    assert client.get("/staff/reports/").status_code == 200
    assert client.get(f"/staff/reports/drafts/{draft.pk}/").status_code == 200
    assert "Publish this report" not in client.get(
        f"/staff/reports/drafts/{draft.pk}/").content.decode()
    assert client.get(f"/staff/reports/drafts/{draft.pk}/report.pdf").status_code == 200
    assert build(client).status_code == 403
    assert client.post(f"/staff/reports/drafts/{draft.pk}/publish/",
                       {"confirm": "yes"}).status_code == 403
    client.force_login(people["provider"])
    assert client.get(f"/staff/reports/drafts/{draft.pk}/report.pdf").status_code == 403
    client.logout()
    assert client.get("/staff/reports/")["Location"].startswith("/staff/login/")
    assert not PublishedReport.objects.exists() and ReportDraft.objects.count() == 1


def test_panel_questions_are_listed_in_the_report_with_their_answers(report_plan, people,
                                                                    client):
    public = report_plan.measures.get(code=VEHICLE)
    hidden = report_plan.measures.filter(public=False).order_by("order").first()
    asked = PanelQuestion.objects.create(measure=public, period=QUARTER, asked_by=people["panel"],
                                         text="Why did vehicle crime fall in June?")
    PanelQuestion.objects.create(measure=public, period=QUARTER, asked_by=people["panel"],
                                 text="How does this compare with Kent?")
    PanelQuestion.objects.create(measure=hidden, period=QUARTER, asked_by=people["panel"],
                                 text="Is this measure ready to publish?")
    PanelQuestion.objects.create(measure=public, period="2025/26 Q2", asked_by=people["panel"],
                                 text="A question about a later quarter.")
    client.force_login(people["analyst"])
    answer = "Fewer thefts from vehicles in the city centre after the May operation."
    response = client.post(f"/staff/reports/questions/{asked.pk}/answer/", {"answer": answer})
    assert response.status_code == 302
    asked.refresh_from_db()
    when = date_words(timezone.localdate(asked.answered_at))

    data = services.build("quarterly", report_plan, QUARTER, produced="2025-07-31")
    section = next(s for s in data["sections"] if s["id"] == "panel-questions")
    rows = section["tables"][0]["rows"]
    assert section["tables"][0]["columns"] == ["Measure", "Quarter", "Asked", "Question",
                                               "Answer"]
    assert [r[0] for r in rows] == ["Vehicle crime"] * 2  # public measures only, up to Q1
    assert rows[0][1:2] == [QUARTER] and rows[0][3] == "Why did vehicle crime fall in June?"
    assert rows[0][4] == f"{answer} (answered {when})"
    assert rows[1][3:] == ["How does this compare with Kent?", "Not yet answered"]
    assert "1 answered and 1 not yet answered" in section["paragraphs"][0]
    assert ("panel-questions", "Panel questions") in [tuple(c) for c in data["contents"]]
    # Who asked and who answered are never published.
    assert "pat" not in str(section) and "anna" not in str(section)
    internal = services.build("quarterly", report_plan, QUARTER, public_only=False,
                              produced="2025-07-31")
    rows = next(s for s in internal["sections"] if s["id"] == "panel-questions")["tables"][0][
        "rows"]
    assert sorted(r[0] for r in rows) == sorted(["Vehicle crime", "Vehicle crime", hidden.name])

    files = services.render_data(data, ("html", "pdf", "docx"))
    html = files["html"].decode()
    assert answer in html and "Not yet answered" in html
    assert ">pat<" not in html and "anna" not in html
    text = " ".join(pdf_text(files["pdf"]).split())
    assert "Panel questions" in text and "Why did vehicle crime fall in June?" in text
    assert "Not yet answered" in text and "Fewer thefts from vehicles" in text
    table = word_table_after(word(files["docx"]), "Questions from Panel members (2), oldest "
                                                  "first")
    assert table[0] == ["Measure", "Quarter", "Asked", "Question", "Answer"]
    assert table[1][0] == "Vehicle crime" and table[1][3] == "Why did vehicle crime fall in June?"
    assert table[1][4].startswith(answer) and table[2][4] == "Not yet answered"
