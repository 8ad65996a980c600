"""Changing the plan from the staff pages: draft → review → approved by someone else, loaded as
a new version through the plan file service, figures computed again, audited; a draft never
reaches the public pages; problems are shown on the form that caused them."""

from __future__ import annotations

import pytest

from oversight.accounts.models import AuditEvent
from oversight.commentary import services as commentary
from oversight.performance.models import MeasureResult
from oversight.plans import editing
from oversight.plans.models import Plan, PlanChange
from oversight.plans.planfile import parse_plan_text
from oversight.plans.services import current_plan, diff_plans
from oversight.staff.models import PanelQuestion
from tests import demo_state
from tests.staff.helpers import check_staff_page

pytestmark = pytest.mark.django_db

VEHICLE = "MCNS-VEHICLE-CRIME"
REASON = "The Panel agreed a vehicle crime target on 4 June 2025."


@pytest.fixture
def plan(db):
    return demo_state.build(["2025-04", "2025-05", "2025-06"])


def measure_form(**changes) -> dict[str, str]:
    """The vehicle crime measure's edit form as the plan in use fills it, with ``changes``."""
    edit = editing.measure_edit_from(editing.measure(current_plan().spec, VEHICLE))

    def text(value):
        return "" if value is None else f"{value:g}"

    form = {
        "name": edit.name, "definition": edit.definition, "owner": edit.owner,
        "polarity": edit.polarity, "target-type": edit.target_type,
        "target-value": text(edit.target_value), "target-methodology": edit.target_methodology,
        "target-consultees": "\n".join(edit.target_consultees),
        "baseline-rule": edit.baseline_rule, "baseline-period": edit.baseline_period,
        "baseline-value": text(edit.baseline_value), "caveats": "\n".join(edit.caveats),
        "public": "yes" if edit.public else "",
    }
    form.update(changes)
    return form


def start(client, reason: str = REASON) -> PlanChange:
    response = client.post("/staff/plans/changes/new/", {"reason": reason, "version": "3"})
    assert response.status_code == 302, response.content.decode()[:2000]
    change = PlanChange.objects.latest("id")
    assert response["Location"] == f"/staff/plans/changes/{change.pk}/"
    return change


def propose_target(client, **changes) -> PlanChange:
    change = start(client)
    response = client.post(f"/staff/plans/changes/{change.pk}/measures/{VEHICLE}/",
                           measure_form(**changes))
    assert response.status_code == 302, response.content.decode()[:3000]
    return change


def submit(client, change: PlanChange):
    return client.post(f"/staff/plans/changes/{change.pk}/",
                       {"action": "submit", "reason": change.reason, "version": "3"})


def test_an_analyst_proposes_a_target_and_a_second_user_approves_it(client, users, plan):
    anna, bob = users["analyst"], users["analyst-2"]
    client.force_login(anna)
    change = propose_target(client, **{"target-type": "numeric", "target-value": "1,150",
                                       "target-consultees": "Leicestershire Police\nThe Panel",
                                       "owner": "Chief Constable"})
    change.refresh_from_db()
    target = next(m for m in change.spec["measures"] if m["code"] == VEHICLE)["target"]
    assert (target["type"], target["value"]) == ("numeric", 1150.0)
    assert target["consultees"] == ["Leicestershire Police", "The Panel"]

    # The draft page shows the readable diff, with the reason, before anything is public.
    html = client.get(f"/staff/plans/changes/{change.pk}/").content.decode()
    check_staff_page(html)
    diff = html[html.index('id="changes"'):html.index('id="edit"')]
    assert "Changed: MCNS-VEHICLE-CRIME Vehicle crime" in diff
    assert "<code>target.type</code>" in diff and "&#39;numeric&#39;" in diff
    assert "<code>target.value</code>" in diff and "1150" in diff
    assert "<code>owner</code>" in diff and "Chief Constable" in diff
    assert REASON in diff
    assert current_plan().pk == plan.pk

    assert submit(client, change).status_code == 302
    change.refresh_from_db()
    assert change.status == "review"
    # The author cannot approve their own change.
    html = client.get(f"/staff/plans/changes/{change.pk}/").content.decode()
    assert 'value="approve"' not in html
    html = client.post(f"/staff/plans/changes/{change.pk}/", {"action": "approve"}
                       ).content.decode()
    assert "You proposed this change, so someone else must review it" in html
    assert Plan.objects.count() == 1

    client.force_login(bob)
    response = client.post(f"/staff/plans/changes/{change.pk}/", {"action": "approve"})
    assert response.status_code == 302
    new = current_plan()
    assert new.pk != plan.pk and new.previous_id == plan.pk and new.is_current
    assert new.version == "3" and new.change_reason == REASON and new.status == "approved"
    assert new.loaded_by == "bob"
    plan.refresh_from_db()
    assert not plan.is_current
    vehicle = new.measures.get(code=VEHICLE)
    assert vehicle.target["type"] == "numeric" and vehicle.target["value"] == 1150
    assert vehicle.owner == "Chief Constable"
    # Figures computed for the new version, from the same stored counts.
    old_result = MeasureResult.objects.get(measure__plan=plan, measure__code=VEHICLE)
    new_result = MeasureResult.objects.get(measure=vehicle)
    assert new_result.latest_month == old_result.latest_month == "2025-06"
    assert new_result.figures["quarter"]["count"] == old_result.figures["quarter"]["count"] > 0
    assert MeasureResult.objects.filter(measure__plan=new).count() == new.measures.count()
    assert "against a target of 1,150.00" in new_result.status_reason  # graded on the new one
    # The stored versions compare as `oversight plan diff` compares them.
    item = diff_plans(plan, new).find("measure", VEHICLE)
    # A plain figure drops the peer-comparison fields of the MSG target it replaces.
    assert item.field_names() == ["target.type", "target.value", "target.comparator",
                                  "target.peer_group", "target.average", "target.consultees",
                                  "owner", "not_stated"]
    assert item.reason == REASON
    change.refresh_from_db()
    assert (change.status, change.reviewer, change.new_plan) == ("approved", bob, new)
    event = AuditEvent.objects.get(action="plan.new-version")
    assert event.username == "bob" and event.object_id == str(new.pk)
    assert event.before[f"measure {VEHICLE}"]["target.type"] == "msg_average_achieve"
    assert event.after[f"measure {VEHICLE}"]["target.value"] == 1150
    actions = list(AuditEvent.objects.filter(object_type="plans.PlanChange",
                                             object_id=str(change.pk))
                   .order_by("id").values_list("action", "username"))
    assert actions == [("plan-change.start", "anna"), ("plan-change.edit", "anna"),
                       ("plan-change.submit", "anna"), ("plan-change.approve", "bob")]


def test_a_draft_or_change_in_review_never_shows_on_the_public_pages(client, users, plan):
    client.force_login(users["analyst"])
    change = propose_target(client, name="Vehicle crime (DRAFT NAME)")
    submit(client, change)
    client.logout()
    for path in ("/", f"/measures/{VEHICLE}/"):
        html = client.get(path).content.decode()
        assert "DRAFT NAME" not in html and "Vehicle crime" in html, path
    client.force_login(users["analyst-2"])
    client.post(f"/staff/plans/changes/{change.pk}/", {"action": "approve"})
    client.logout()
    assert "Vehicle crime (DRAFT NAME)" in client.get(f"/measures/{VEHICLE}/").content.decode()


def test_approved_commentary_and_panel_questions_stay_with_the_measure(client, users, plan):
    anna, bob = users["analyst"], users["analyst-2"]
    old = plan.measures.select_related("result").get(code=VEHICLE)
    period = old.result.latest_quarter
    item = commentary.save_draft(old, period, "Vehicle crime fell in the quarter.", anna)
    commentary.submit_for_review(item, anna)
    commentary.approve(item, bob)
    PanelQuestion.objects.create(measure=old, period=period, text="Why?",
                                 asked_by=users["panel-member"])
    client.force_login(anna)
    change = propose_target(client, **{"target-type": "numeric", "target-value": "900"})
    submit(client, change)
    client.force_login(bob)
    client.post(f"/staff/plans/changes/{change.pk}/", {"action": "approve"})
    new = current_plan().measures.get(code=VEHICLE)
    copied = new.commentaries.get(period=period)
    assert (copied.status, copied.text, copied.author) == ("approved", item.text, anna)
    assert new.panel_questions.get().text == "Why?"
    client.logout()
    assert "Vehicle crime fell in the quarter." in client.get(
        f"/measures/{VEHICLE}/").content.decode()


@pytest.mark.parametrize("field,value,summary", [
    ("baseline-period", "2019/13",
     "Baseline period: &#34;2019/13&#34; is not a financial year; the two years must follow on"),
    ("target-value", "twelve", "Enter the target value as a number, like 12 or 12.5"),
    ("name", "", "Enter the measure&#39;s name"),
])
def test_a_problem_is_shown_on_its_field_and_nothing_is_saved(client, users, plan, field,
                                                             value, summary):
    client.force_login(users["analyst"])
    change = start(client)
    form = measure_form(**{field: value})
    if field == "baseline-period":
        form.update({"baseline-rule": "fixed_period", "baseline-value": "4000"})
    response = client.post(f"/staff/plans/changes/{change.pk}/measures/{VEHICLE}/", form)
    assert response.status_code == 200
    html = response.content.decode()
    check_staff_page(html)
    assert "<title>Error: Change measure" in html
    error_summary = html[html.index("govuk-error-summary"):html.index("</ul>",
                                                                       html.index("govuk-error-summary"))]
    assert summary in error_summary, error_summary
    assert f'href="#{field}"' in error_summary
    assert f'id="{field}-error"' in html
    change.refresh_from_db()
    assert change.spec == plan.spec
    assert not AuditEvent.objects.filter(action="plan-change.edit").exists()


def test_a_target_that_needs_a_figure_asks_for_it(client, users, plan):
    client.force_login(users["analyst"])
    change = start(client)
    html = client.post(f"/staff/plans/changes/{change.pk}/measures/{VEHICLE}/",
                       measure_form(**{"target-type": "numeric"})).content.decode()
    assert "Enter the target value: a target to reach a figure needs one" in html
    assert 'href="#target-value"' in html


def test_sending_back_needs_a_note_and_returns_the_draft_to_its_author(client, users, plan):
    client.force_login(users["analyst"])
    change = propose_target(client, **{"target-type": "numeric", "target-value": "1000"})
    submit(client, change)
    client.force_login(users["administrator"])
    html = client.post(f"/staff/plans/changes/{change.pk}/", {"action": "send-back",
                                                               "review_note": ""}
                       ).content.decode()
    assert "Enter what needs to change before sending it back" in html
    client.post(f"/staff/plans/changes/{change.pk}/",
                {"action": "send-back", "review_note": "Give the source of the figure."})
    change.refresh_from_db()
    assert (change.status, change.review_note) == ("draft", "Give the source of the figure.")
    client.force_login(users["analyst"])
    html = client.get(f"/staff/plans/changes/{change.pk}/").content.decode()
    assert "Sent back by ada: Give the source of the figure." in html
    assert Plan.objects.count() == 1


def test_only_the_author_edits_and_only_a_draft(client, users, plan):
    client.force_login(users["analyst"])
    change = propose_target(client, **{"target-type": "numeric", "target-value": "1000"})
    edit = f"/staff/plans/changes/{change.pk}/measures/{VEHICLE}/"
    client.force_login(users["analyst-2"])
    assert client.get(edit).status_code == 403
    assert client.post(edit, measure_form(name="Taken over")).status_code == 403
    client.force_login(users["analyst"])
    submit(client, change)
    response = client.post(edit, measure_form(name="Too late"))
    assert response.status_code == 302 and response["Location"].endswith(f"/{change.pk}/")
    change.refresh_from_db()
    assert "Too late" not in str(change.spec) and "Taken over" not in str(change.spec)


def test_a_change_with_nothing_in_it_cannot_be_sent(client, users, plan):
    client.force_login(users["analyst"])
    change = start(client)
    html = submit(client, change).content.decode()
    assert "does not change anything in the plan yet" in html
    change.refresh_from_db()
    assert change.status == "draft"


def test_a_change_started_before_a_newer_version_cannot_be_approved(client, users, plan):
    anna, bob = users["analyst"], users["analyst-2"]
    client.force_login(anna)
    first = propose_target(client, **{"target-type": "numeric", "target-value": "1000"})
    second = propose_target(client, **{"target-type": "numeric", "target-value": "2000"})
    submit(client, first)
    submit(client, second)
    client.force_login(bob)
    client.post(f"/staff/plans/changes/{first.pk}/", {"action": "approve"})
    html = client.post(f"/staff/plans/changes/{second.pk}/", {"action": "approve"}
                       ).content.decode()
    assert "The plan has changed since this change was proposed" in html
    assert "A newer version of the plan has been made" in html
    assert Plan.objects.count() == 2
    assert current_plan().measures.get(code=VEHICLE).target["value"] == 1000


def test_adding_and_removing_measures(client, users, plan):
    client.force_login(users["analyst"])
    change = start(client, "Add a robbery measure and drop the confidence survey.")
    response = client.post(f"/staff/plans/changes/{change.pk}/add-measure/", {
        "code": "MCNS-ROBBERY", "name": "Robbery", "theme": "4", "unit": "count",
        "polarity": "lower", "crime-types": ["Robbery"], "public": "yes",
        "definition": "Street-level robbery rows."})
    assert response.status_code == 302, response.content.decode()[:3000]
    # A code already used is refused by the plan file's own check.
    html = client.post(f"/staff/plans/changes/{change.pk}/add-measure/", {
        "code": "MCNS-ROBBERY", "name": "Robbery again", "theme": "4", "unit": "count",
        "polarity": "lower"}).content.decode()
    assert "Code: measure &#39;MCNS-ROBBERY&#39; is used twice" in html
    html = client.post(f"/staff/plans/changes/{change.pk}/measures/MCNS-CONFIDENCE/remove/",
                       {}).content.decode()
    assert "Select yes to remove measure MCNS-CONFIDENCE" in html
    client.post(f"/staff/plans/changes/{change.pk}/measures/MCNS-CONFIDENCE/remove/",
                {"confirm": "yes"})
    submit(client, change)
    client.force_login(users["analyst-2"])
    client.post(f"/staff/plans/changes/{change.pk}/", {"action": "approve"})
    new = current_plan()
    codes = set(new.measures.values_list("code", flat=True))
    assert "MCNS-ROBBERY" in codes and "MCNS-CONFIDENCE" not in codes
    robbery = MeasureResult.objects.get(measure__plan=new, measure__code="MCNS-ROBBERY")
    assert robbery.latest_month == "2025-06" and robbery.figures["quarter"]["count"] > 0
    assert new.plan_file().removed[0].key == "MCNS-CONFIDENCE"
    diff = diff_plans(plan, new)
    assert diff.find("measure", "MCNS-ROBBERY").change == "added"
    removed = diff.find("measure", "MCNS-CONFIDENCE")
    assert removed.change == "removed" and removed.reason == change.reason


def test_rewording_a_theme_and_ranking_a_priority(client, users, plan):
    client.force_login(users["analyst"])
    change = start(client, "Wording agreed with the Panel.")
    base = f"/staff/plans/changes/{change.pk}"
    html = client.post(f"{base}/priorities/vehicle-crime/",
                       {"title": "Vehicle crime", "rank": "first"}).content.decode()
    assert "Enter the rank as a whole number" in html and 'href="#rank"' in html
    assert client.post(f"{base}/priorities/vehicle-crime/",
                       {"title": "Vehicle crime", "rank": "1"}).status_code == 302
    assert client.post(f"{base}/themes/4/", {"title": "Safer communities",
                                             "description": ""}).status_code == 302
    assert client.post(f"{base}/outcomes/reduce-crime/",
                       {"title": "Reduce crime", "description": "All crime."}
                       ).status_code == 302
    assert client.get(f"{base}/themes/99/").status_code == 404
    submit(client, change)
    client.force_login(users["administrator"])
    client.post(f"{base}/", {"action": "approve"})
    new = current_plan()
    assert new.priorities.get(key="vehicle-crime").rank == 1
    assert new.themes.get(number=4).title == "Safer communities"
    assert new.outcomes.get(key="reduce-crime").description == "All crime."
    diff = diff_plans(plan, new)
    assert diff.find("priority", "vehicle-crime").field_names() == ["rank"]
    assert diff.find("theme", "4").reason == "Wording agreed with the Panel."


def test_withdrawing_a_draft_keeps_it_in_the_list(client, users, plan):
    client.force_login(users["analyst"])
    change = propose_target(client, **{"target-type": "numeric", "target-value": "1000"})
    client.post(f"/staff/plans/changes/{change.pk}/", {"action": "withdraw"})
    change.refresh_from_db()
    assert change.status == "withdrawn"
    html = client.get("/staff/plans/").content.decode()
    assert "Withdrawn" in html and f"Change {change.pk}" in html


def test_the_plan_page_lists_versions_and_downloads_the_plan_file(client, users, plan):
    client.force_login(users["analyst"])
    change = propose_target(client, **{"target-type": "numeric", "target-value": "1000"})
    submit(client, change)
    client.force_login(users["analyst-2"])
    client.post(f"/staff/plans/changes/{change.pk}/", {"action": "approve"})
    html = client.get("/staff/plans/").content.decode()
    check_staff_page(html)
    versions = html[html.index('id="versions"'):]
    assert versions.index("3 (in use)") < versions.index(plan.version)
    assert REASON in versions and f"change {change.pk}" in versions
    assert plan.change_reason[:40] in versions
    response = client.get("/staff/plans/plan.yaml")
    assert response["Content-Disposition"] == f'attachment; filename="{plan.slug}.yaml"'
    spec = parse_plan_text(response.content.decode(), "plan.yaml")
    assert spec == current_plan().plan_file()
    assert spec.plan.version == "3"


def test_the_plan_page_query_count_does_not_grow(client, users, plan,
                                                 django_assert_max_num_queries):
    client.force_login(users["analyst"])
    for reason in ("One", "Two", "Three"):
        start(client, reason)
    with django_assert_max_num_queries(12):
        assert client.get("/staff/plans/").status_code == 200
