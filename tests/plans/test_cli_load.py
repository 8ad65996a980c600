"""``oversight plan load`` of a refreshed plan file goes through the same service as approving
a change in the staff area: the new version takes over the commentary and Panel questions of
the measures it keeps (matched by code), a measure it drops takes nothing, and its figures are
computed, so approved commentary stays on the public pages."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from oversight.cli import plans
from oversight.commentary import services as commentary
from oversight.commentary.models import Commentary
from oversight.performance.models import MeasureResult
from oversight.plans import editing
from oversight.plans.changes import validate_spec
from oversight.plans.services import current_plan
from oversight.plans.writing import plan_file_yaml
from oversight.staff.models import PanelQuestion
from tests import demo_state

pytestmark = pytest.mark.django_db

VEHICLE = "MCNS-VEHICLE-CRIME"
runner = CliRunner()


def plan_app() -> typer.Typer:
    app = typer.Typer()
    plans.register(app)
    return app


@pytest.fixture
def plan(db):
    return demo_state.build(["2025-04", "2025-05", "2025-06"])


def refreshed_file(tmp_path: Path, plan, *, drop: str) -> Path:
    """The stored plan, refreshed by hand: version 3, the vehicle crime target changed and
    measure ``drop`` taken out, written as a plan file."""
    data = editing.edit_measure(plan.spec, VEHICLE, editing.MeasureEdit(
        **{**editing.measure_edit_from(editing.measure(plan.spec, VEHICLE)).__dict__,
           "target_type": "numeric", "target_value": 900.0}))
    data = editing.remove_measure(data, drop)
    data = editing.finalise(plan.spec, data, reason="Refreshed by the PCC in 2025",
                            version="3")
    path = tmp_path / "refreshed.yaml"
    path.write_text(plan_file_yaml(validate_spec(data)), encoding="utf-8")
    return path


def approve_commentary(measure, users, text: str) -> Commentary:
    period = measure.result.latest_quarter
    item = commentary.save_draft(measure, period, text, users["analyst"])
    commentary.submit_for_review(item, users["analyst"])
    return commentary.approve(item, users["analyst-2"])


def test_plan_load_carries_approved_commentary_to_the_new_version(tmp_path, users, plan,
                                                                   client):
    kept = plan.measures.select_related("result").get(code=VEHICLE)
    dropped = (plan.measures.select_related("result").filter(public=True)
               .exclude(code=VEHICLE).order_by("order").first())
    kept_note = approve_commentary(kept, users, "Vehicle crime fell by a tenth in the quarter.")
    approve_commentary(dropped, users, "This measure is dropped at the refresh.")
    PanelQuestion.objects.create(measure=kept, period=kept_note.period, text="Why the fall?",
                                 asked_by=users["panel-member"])
    path = refreshed_file(tmp_path, plan, drop=dropped.code)

    result = runner.invoke(plan_app(), ["plan", "load", str(path), "--as", "bob"])

    assert result.exit_code == 0, result.output
    new = current_plan()
    assert new.pk != plan.pk and new.previous_id == plan.pk and new.version == "3"
    assert "It replaces version 2 (October 2013 refresh) as the current version." in (
        result.output)
    count = plan.measures.count()
    assert (f"Carried over from the {count - 1} measures it keeps: 1 piece of commentary and "
            f"1 Panel question. Figures computed for {count - 1} measures.") in result.output
    copied = new.measures.get(code=VEHICLE).commentaries.get(period=kept_note.period)
    assert (copied.status, copied.text, copied.author, copied.reviewer) == (
        "approved", kept_note.text, users["analyst"], users["analyst-2"])
    assert copied.approved_at == kept_note.approved_at
    assert new.measures.get(code=VEHICLE).panel_questions.get().text == "Why the fall?"
    # The dropped measure is not in the new version, and its commentary went nowhere.
    assert not new.measures.filter(code=dropped.code).exists()
    assert not Commentary.objects.filter(measure__plan=new,
                                         text="This measure is dropped at the refresh.").exists()
    assert Commentary.objects.filter(measure__plan=plan).count() == 2  # the old stay put
    # Figures are computed for the new version, so the public page shows it with commentary.
    assert MeasureResult.objects.filter(measure__plan=new).count() == count - 1
    html = client.get(f"/measures/{VEHICLE}/").content.decode()
    assert "Vehicle crime fell by a tenth in the quarter." in html
    assert client.get(f"/measures/{dropped.code}/").status_code == 404


def test_loading_the_same_refresh_twice_copies_nothing_twice(tmp_path, users, plan):
    kept = plan.measures.select_related("result").get(code=VEHICLE)
    approve_commentary(kept, users, "Vehicle crime fell.")
    dropped = plan.measures.exclude(code=VEHICLE).order_by("order").first()
    path = refreshed_file(tmp_path, plan, drop=dropped.code)
    assert runner.invoke(plan_app(), ["plan", "load", str(path)]).exit_code == 0
    again = runner.invoke(plan_app(), ["plan", "load", str(path)])
    assert again.exit_code == 0, again.output
    assert "is already loaded" in again.output
    assert Commentary.objects.filter(measure__plan=current_plan(), text="Vehicle crime fell."
                                     ).count() == 1
