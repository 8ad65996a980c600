"""The months a measure's baseline leaves out (such as lockdown months), edited in the staff
plan-change form: one line each, checked for format there and by the plan file's own rules
(inside the baseline period, each month once), shown in the change's diff, audited, and
carried into the approved version."""

from __future__ import annotations

import pytest

from oversight.accounts.models import AuditEvent
from oversight.plans.changes import SpecProblems, validate_spec
from oversight.plans.planfile import PlanFileError, parse_plan_text
from oversight.plans.services import current_plan
from tests.plans.helpers import SMALL_PLAN
from tests.plans.test_changes import VEHICLE, measure_form, start, submit
from tests.staff.helpers import check_staff_page

pytestmark = pytest.mark.django_db

LOCKDOWN = ("2020-04 to 2020-06: first national lockdown (ONS)\n"
            "2021-01: third national lockdown")
PANDEMIC_BASELINE = {"baseline-rule": "fixed_period", "baseline-period": "2019-12 to 2022-11"}


@pytest.fixture
def plan(db):
    from tests import demo_state

    return demo_state.build(["2025-04", "2025-05", "2025-06"])


def post_measure(client, change, **fields):
    return client.post(f"/staff/plans/changes/{change.pk}/measures/{VEHICLE}/",
                       measure_form(**fields))


def test_left_out_months_are_saved_shown_in_the_diff_audited_and_approved(client, users,
                                                                          plan):
    client.force_login(users["analyst"])
    change = start(client)
    response = post_measure(client, change, **PANDEMIC_BASELINE,
                            **{"baseline-excluded": LOCKDOWN + "\n\n"})
    assert response.status_code == 302, response.content.decode()[:3000]
    change.refresh_from_db()
    baseline = next(m for m in change.spec["measures"] if m["code"] == VEHICLE)["baseline"]
    assert baseline["excluded"] == [
        {"period": "2020-04 to 2020-06", "reason": "first national lockdown (ONS)"},
        {"period": "2021-01", "reason": "third national lockdown"}]

    # The form shows them back, one a line, as they were entered.
    html = client.get(f"/staff/plans/changes/{change.pk}/measures/{VEHICLE}/").content.decode()
    check_staff_page(html)
    assert ">2020-04 to 2020-06: first national lockdown (ONS)\n2021-01: third national " \
           "lockdown</textarea>" in html

    # The change page's diff names the field with the months before and after.
    html = client.get(f"/staff/plans/changes/{change.pk}/").content.decode()
    diff = html[html.index('id="changes"'):html.index('id="edit"')]
    assert "<code>baseline.excluded</code>" in diff
    assert ("[2020-04 to 2020-06: &#39;first national lockdown (ONS)&#39;; 2021-01: "
            "&#39;third national lockdown&#39;]") in diff

    # The audit trail holds the measure's baseline before and after.
    event = AuditEvent.objects.get(action="plan-change.edit")
    assert event.before["item"] == f"measure {VEHICLE}"
    assert event.before["values"]["baseline"]["excluded"] == []
    assert event.after["values"]["baseline"]["excluded"][1] == {
        "period": "2021-01", "reason": "third national lockdown"}

    submit(client, change)
    client.force_login(users["analyst-2"])
    client.post(f"/staff/plans/changes/{change.pk}/", {"action": "approve"})
    new = current_plan()
    assert new.pk != plan.pk
    stored = new.measures.get(code=VEHICLE).baseline
    assert [e["period"] for e in stored["excluded"]] == ["2020-04 to 2020-06", "2021-01"]
    event = AuditEvent.objects.get(action="plan.new-version")
    assert event.after[f"measure {VEHICLE}"]["baseline.excluded"][0]["period"] == (
        "2020-04 to 2020-06")


@pytest.mark.parametrize("text,message", [
    ("April 2020: first lockdown",
     "Months left out of the baseline, line 1: write the month as YYYY-MM (or a run of months "
     "as 2020-04 to 2020-06), then a colon and why it is left out"),
    ("2020-04: first lockdown\n2020-13: a typing slip",
     "Months left out of the baseline, line 2: “2020-13” is not a month; the month after the "
     "year runs from 01 to 12"),
    ("2020/04: first lockdown",
     "Months left out of the baseline, line 1: “2020/04” is not a month; write each month as "
     "YYYY-MM, such as 2020-04"),
    ("2020-06 to 2020-04: first lockdown",
     "Months left out of the baseline, line 1: 2020-06 to 2020-04 ends before it starts; put "
     "the earlier month first"),
    ("2020-04",
     "Months left out of the baseline, line 1: say why 2020-04 is left out, after a colon, "
     "such as 2020-04: first national lockdown"),
    ("2019-04: before the baseline",
     "Months left out of the baseline: 2019-04 is not inside the baseline&#39;s period "
     "(2019-12 to 2022-11), so leaving it out changes nothing; check the dates"),
    ("2022-10 to 2023-01: at the end",
     "Months left out of the baseline: 2022-10 to 2023-01 is partly outside the baseline&#39;s "
     "period (2019-12 to 2022-11): 2022-12, 2023-01 are not in it; leave out only months "
     "inside the baseline"),
    ("2020-04 to 2020-06: first lockdown\n2020-05: listed again",
     "Months left out of the baseline: 2020-05 is already left out (under 2020-04 to "
     "2020-06); list each month once"),
])
def test_a_bad_left_out_month_is_named_in_the_error_summary_and_nothing_is_saved(
        client, users, plan, text, message):
    client.force_login(users["analyst"])
    change = start(client)
    response = post_measure(client, change, **PANDEMIC_BASELINE, **{"baseline-excluded": text})
    assert response.status_code == 200
    html = response.content.decode()
    check_staff_page(html)
    summary_at = html.index("govuk-error-summary")
    summary = html[summary_at:html.index("</ul>", summary_at)]
    assert message in summary, summary
    assert 'href="#baseline-excluded"' in summary
    assert 'id="baseline-excluded-error"' in html
    assert text.split("\n")[0] in html  # what was typed is shown again to correct
    change.refresh_from_db()
    assert change.spec == plan.spec
    assert not AuditEvent.objects.filter(action="plan-change.edit").exists()


def with_exclusions(excluded: str) -> str:
    return SMALL_PLAN.replace(
        "    baseline: not_stated\n    target:\n      type: numeric",
        "    baseline:\n      rule: fixed_period\n      period: 2019/20\n      excluded:\n"
        + excluded + "    target:\n      type: numeric", 1)


def test_a_plan_file_is_held_to_the_same_rules():
    good = with_exclusions("        - {period: 2020-03, reason: first lockdown}\n")
    assert parse_plan_text(good, "plan.yaml").measures[0].baseline.excluded[0].period == (
        "2020-03")
    twice = with_exclusions("        - {period: 2019/20 Q4, reason: lockdown}\n"
                            "        - {period: 2020-03, reason: lockdown again}\n")
    with pytest.raises(PlanFileError) as caught:
        parse_plan_text(twice, "plan.yaml")
    assert any("measures[0].baseline.excluded[1].period" in m
               and "2020-03 is already left out (under 2019/20 Q4); list each month once" in m
               for m in caught.value.messages), caught.value.messages
    partly = with_exclusions("        - {period: 2020-03 to 2020-05, reason: lockdown}\n")
    data = parse_plan_text(good, "plan.yaml").model_dump(mode="json")
    assert validate_spec(data).measures[0].baseline.excluded[0].reason == "first lockdown"
    data["measures"][0]["baseline"]["excluded"].append({"period": "2020-03", "reason": "again"})
    with pytest.raises(SpecProblems) as problems:
        validate_spec(data)
    assert [(p.path, p.message) for p in problems.value.problems] == [
        (("measures", 0, "baseline", "excluded", 1, "period"),
         "2020-03 is already left out (under 2020-03); list each month once")]
    with pytest.raises(PlanFileError) as caught:
        parse_plan_text(partly, "plan.yaml")
    assert any("2020-04, 2020-05 are not in it" in m for m in caught.value.messages)
