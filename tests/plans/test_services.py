"""Loading plan files into the database, refreshing them, and finding the current plan."""

from __future__ import annotations

from pathlib import Path

import pytest

from oversight.data.models import Force
from oversight.plans.models import Measure, Outcome, PeerGroup, Plan, Priority, Theme
from oversight.plans.planfile import PlanFileError
from oversight.plans.services import (
    current_plan,
    diff_plans,
    load_plan_file,
    load_plan_file_outcome,
    plan_versions,
)
from tests.plans.helpers import EXAMPLES, SMALL_PLAN, write

pytestmark = pytest.mark.django_db

LEICESTERSHIRE = EXAMPLES / "leicestershire-2013.yaml"
DELIVERY = EXAMPLES / "delivery-2022.yaml"
ALL_MODELS = (Plan, Theme, Priority, Outcome, Measure, PeerGroup)


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in ALL_MODELS}


@pytest.mark.parametrize("path", [LEICESTERSHIRE, DELIVERY], ids=lambda p: p.name)
def test_example_files_load(path: Path) -> None:
    plan = load_plan_file(path, user="tester")
    assert plan.is_current and plan.previous is None
    assert plan.loaded_by == "tester" and plan.file_name == path.name
    assert plan.measures.count() == len(plan.plan_file().measures)
    assert plan.force is not None and plan.force.slug == "leicestershire"


def test_leicestershire_has_the_four_themes_in_order() -> None:
    plan = load_plan_file(LEICESTERSHIRE)
    assert [(t.number, t.title) for t in plan.themes.order_by("number")] == [
        (1, "Reducing Offending and Reoffending"),
        (2, "Support for Victims and Witnesses"),
        (3, "Protecting Vulnerable People"),
        (4, "Making Communities and Neighbourhoods Safer"),
    ]
    assert [s["title"] for s in plan.strands] == [
        "Setting the strategic direction and accountability for policing and partnerships",
        "Contributing to resourcing of policing response to regional and national threats",
    ]
    assert (plan.start_year, plan.end_year) == (2013, 2017)


def test_leicestershire_priorities_record_what_was_kept_and_removed() -> None:
    plan = load_plan_file(LEICESTERSHIRE)
    burglary = plan.priorities.get(key="commercial-burglary")
    assert burglary.status == Priority.Status.REMOVED
    assert "not a crime type that affects communities" in burglary.reason
    assert burglary.theme is None and burglary.rank is None and "rank" in burglary.not_stated
    vehicle = plan.priorities.get(key="vehicle-crime")
    assert vehicle.status == Priority.Status.KEPT and "iQuanta" in vehicle.reason
    second = plan.priorities.get(key="priority-2")
    assert second.rank == 2 and second.theme is None and "18-24" in second.description


def test_leicestershire_measures_under_making_communities_safer() -> None:
    plan = load_plan_file(LEICESTERSHIRE)
    measures = {m.code: m for m in plan.measures.all()}
    assert all(m.theme.number == 4 for m in measures.values())
    vehicle = measures["MCNS-VEHICLE-CRIME"]
    assert vehicle.priority is not None and vehicle.priority.key == "vehicle-crime"
    assert vehicle.target["type"] == "msg_average_achieve"
    assert vehicle.target["peer_group"] == "Provisional MSG"
    assert vehicle.source == {"type": "police-uk", "crime_types": ["Vehicle crime"],
                              "counting": "rows", "note": None}
    assert vehicle.public and vehicle.polarity == "lower"
    assert measures["MCNS-ALL-CRIME"].source["crime_types"] == ["all crime"]
    assert measures["MCNS-DOMESTIC-BURGLARY"].source["crime_types"] == ["Burglary"]
    assert any("Proxy" in c for c in measures["MCNS-DOMESTIC-BURGLARY"].caveats)
    confidence = measures["MCNS-CONFIDENCE"]
    assert confidence.baseline["value"] == 75.3 and confidence.baseline["period"] == "2012/13"
    assert confidence.reported_values[0]["value"] == 85.5
    assert not confidence.public and "owner" in confidence.not_stated
    group = plan.peer_groups.get()
    assert group.provisional and group.members == [
        "nottinghamshire", "staffordshire", "kent", "avon-and-somerset", "derbyshire",
        "northamptonshire",
    ]


def test_delivery_plan_records_kpi_kinds_and_lockdown_exclusion() -> None:
    plan = load_plan_file(DELIVERY)
    kinds = set(plan.measures.values_list("kind", flat=True))
    assert kinds == {"input", "outcome", "activity"}
    burglary = plan.measures.get(code="KPI-BURGLARY")
    assert burglary.illustrative and burglary.target["type"] == "spc_sustained_signal"
    assert burglary.baseline["excluded"][0]["period"] == "2020-04 to 2020-06"
    assert burglary.spc["ghost"] == ["2020-04", "2020-05", "2020-06"]
    assert plan.start_year is None and plan.status == Plan.Status.DRAFT


def test_loading_the_same_file_twice_leaves_one_copy() -> None:
    first = load_plan_file(LEICESTERSHIRE)
    counts = row_counts()
    again = load_plan_file_outcome(LEICESTERSHIRE)
    assert again.plan.pk == first.pk and not again.created
    assert row_counts() == counts
    assert counts["Plan"] == 1 and counts["Theme"] == 4


def test_a_refresh_is_a_new_current_version(tmp_path: Path) -> None:
    first = load_plan_file(write(tmp_path, SMALL_PLAN, "v1.yaml"))
    refreshed = SMALL_PLAN.replace('version: "1"', 'version: "2"').replace(
        "      value: 100\n", "      value: 90\n    change_reason: Tighter target agreed\n"
    )
    second = load_plan_file(write(tmp_path, refreshed, "v2.yaml"))
    first.refresh_from_db()
    assert second.previous == first and second.is_current and not first.is_current
    assert current_plan("test-plan") == second
    assert plan_versions("test-plan") == [first, second]
    assert Measure.objects.filter(code="VEH-1").count() == 2  # one per version
    change = diff_plans(first, second).find("measure", "VEH-1")
    assert change is not None and change.field_names() == ["target.value"]
    assert (change.fields[0].old, change.fields[0].new) == (100, 90)
    assert change.reason == "Tighter target agreed"


def test_a_bad_file_stores_nothing(tmp_path: Path) -> None:
    with pytest.raises(PlanFileError):
        load_plan_file(write(tmp_path, SMALL_PLAN.replace("theme: 1", "theme: 7", 1)))
    assert set(row_counts().values()) == {0}


def test_current_plan_is_the_latest_loaded() -> None:
    assert current_plan() is None
    load_plan_file(LEICESTERSHIRE)
    delivery = load_plan_file(DELIVERY)
    assert current_plan() == delivery
    assert current_plan("leicestershire-2013-2017").slug == "leicestershire-2013-2017"


def test_existing_force_is_linked_not_duplicated() -> None:
    force = Force.objects.create(slug="leicestershire", name="Leicestershire Police")
    plan = load_plan_file(LEICESTERSHIRE)
    assert plan.force == force and Force.objects.count() == 1
