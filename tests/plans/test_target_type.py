"""A measure's target edited in the staff plan-change form keeps only the fields its new type
uses (docs/plan-file.md, "target"): a plain figure drops the comparator, peer group and average
of the peer-comparison (MSG) target it replaces, so the public page no longer says "compared
with" the MSG average; a target that stays a peer comparison keeps them."""

from __future__ import annotations

import html as html_lib
import re

import pytest
from django.test import Client

from oversight.plans import editing
from oversight.plans.changes import validate_spec
from oversight.plans.services import current_plan
from tests import demo_state
from tests.plans.test_changes import VEHICLE, propose_target, submit

pytestmark = pytest.mark.django_db

COMPARATOR = "iQuanta Most Similar Group (MSG) average"


@pytest.fixture
def plan(db):
    return demo_state.build(["2025-04", "2025-05", "2025-06"])


def public_target(code: str) -> str:
    """The Target row of the public measure page, as a visitor reads it."""
    response = Client().get(f"/measures/{code}/")
    assert response.status_code == 200
    page = response.content.decode()
    found = re.search(r'<dt class="govuk-summary-list__key">\s*Target\s*</dt>\s*'
                      r'<dd class="govuk-summary-list__value">(.*?)</dd>', page, re.S)
    assert found, "the measure page has no Target row"
    return " ".join(html_lib.unescape(found.group(1)).split())


def approve_target(client, users, **form) -> None:
    """``analyst`` proposes the target change, ``analyst-2`` approves it."""
    client.force_login(users["analyst"])
    change = propose_target(client, **form)
    assert submit(client, change).status_code == 302
    client.force_login(users["analyst-2"])
    response = client.post(f"/staff/plans/changes/{change.pk}/", {"action": "approve"})
    assert response.status_code == 302, response.content.decode()[:2000]


def test_a_plain_figure_replacing_an_msg_target_drops_its_comparator(client, users, plan):
    assert public_target(VEHICLE) == (
        "Achieve the peer group (Most Similar Group) average, or better it "
        f"(compared with the {COMPARATOR})")

    approve_target(client, users, **{"target-type": "numeric", "target-value": "1,150"})

    assert public_target(VEHICLE) == "Reach 1,150"
    target = current_plan().measures.get(code=VEHICLE).target
    assert (target["type"], target["value"]) == ("numeric", 1150.0)
    assert (target["comparator"], target["peer_group"], target["average"]) == (None, None, None)
    # The methodology and consultees belong to every type and stay as they were.
    assert target["methodology"] == plan.measures.get(code=VEHICLE).target["methodology"]


def test_a_target_that_stays_a_peer_comparison_keeps_its_comparator(client, users, plan):
    before = plan.measures.get(code=VEHICLE).target
    approve_target(client, users, **{"target-type": "msg_average_maintain",
                                      "owner": "Head of Crime"})

    assert public_target(VEHICLE) == (
        "Stay better than the peer group (Most Similar Group) average "
        f"(compared with the {COMPARATOR})")
    target = current_plan().measures.get(code=VEHICLE).target
    assert target["type"] == "msg_average_maintain"
    assert (target["comparator"], target["peer_group"], target["average"]) == (
        COMPARATOR, before["peer_group"], before["average"]) == (
        COMPARATOR, "Provisional MSG", "not_stated")


def test_each_type_keeps_only_its_own_fields(plan):
    """A trajectory's figures go when it becomes a percentage; a peer group declared not
    stated is taken off the target's not_stated list with the field."""
    data = plan.spec
    vehicle = editing.measure(data, VEHICLE)
    vehicle["target"].update(type="trajectory", values={"2014/15": 1200.0, "2015/16": 1100.0},
                             peer_group=None, not_stated=["peer_group"])
    start = editing.measure_edit_from(vehicle)
    assert start.target_type == "trajectory"

    kept = editing.edit_measure(data, VEHICLE, start)
    assert editing.measure(kept, VEHICLE)["target"]["values"] == {"2014/15": 1200.0,
                                                                 "2015/16": 1100.0}

    start.target_type, start.target_value = "reduce_by_percent", 5.0
    edited = validate_spec(editing.edit_measure(data, VEHICLE, start))
    target = next(m for m in edited.measures if m.code == VEHICLE).target
    assert (target.type, target.value, target.values) == ("reduce_by_percent", 5.0, {})
    assert (target.comparator, target.peer_group, target.not_stated) == (None, None, [])
    assert editing.measure(data, VEHICLE)["target"]["type"] == "trajectory"  # input untouched
