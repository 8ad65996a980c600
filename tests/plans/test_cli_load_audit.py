"""``oversight plan load`` writes the audit trail as approving a plan change does: who (the
account named by ``--as``, else the computer user name as a name), the version it replaces and
the new one (version, file, checksum) and what was carried over. A repeat load writes nothing;
an unknown ``--as`` is refused before anything is loaded."""

from __future__ import annotations

import getpass

import pytest
from typer.testing import CliRunner

from oversight.accounts.models import AuditEvent
from oversight.plans.models import Plan
from oversight.plans.services import current_plan
from tests import demo_state
from tests.plans.test_cli_load import VEHICLE, approve_commentary, plan_app, refreshed_file

pytestmark = pytest.mark.django_db

runner = CliRunner()


@pytest.fixture
def plan(db):
    return demo_state.build(["2025-04", "2025-05", "2025-06"])


def load(*args: str):
    return runner.invoke(plan_app(), ["plan", "load", *args])


def test_a_load_as_a_user_is_audited_with_both_versions_and_what_was_carried(tmp_path, users,
                                                                            plan):
    approve_commentary(plan.measures.select_related("result").get(code=VEHICLE), users,
                       "Vehicle crime fell by a tenth in the quarter.")
    dropped = plan.measures.exclude(code=VEHICLE).order_by("order").first()
    path = refreshed_file(tmp_path, plan, drop=dropped.code)

    result = load(str(path), "--as", "ada")

    assert result.exit_code == 0, result.output
    new = current_plan()
    assert new.version == "3" and new.loaded_by == "ada"
    event = AuditEvent.objects.get(action="plan.load")
    assert (event.user, event.username) == (users["administrator"], "ada")
    assert (event.object_type, event.object_id) == ("plans.Plan", str(new.pk))
    assert event.before == {"plan": plan.pk, "version": "2 (October 2013 refresh)",
                            "file_name": plan.file_name, "sha256": plan.sha256}
    kept = plan.measures.count() - 1
    assert event.after == {
        "plan": new.pk, "version": "3", "file_name": "refreshed.yaml", "sha256": new.sha256,
        "carried_over": {"commentary": 1, "questions": 0, "measures_kept": kept,
                         "measures_computed": kept}}
    assert new.sha256 != plan.sha256
    # The same counts as the command printed.
    assert (f"Carried over from the {kept} measures it keeps: 1 piece of commentary and "
            "0 Panel questions.") in result.output

    again = load(str(path), "--as", "ada")
    assert again.exit_code == 0, again.output
    assert "refreshed.yaml is already loaded as" in again.output
    assert "Nothing was changed." in again.output
    assert AuditEvent.objects.filter(action="plan.load").count() == 1


def test_without_as_the_computer_user_name_is_recorded(tmp_path, users, plan):
    path = refreshed_file(tmp_path, plan, drop=plan.measures.exclude(code=VEHICLE)
                          .order_by("order").first().code)
    result = load(str(path))
    assert result.exit_code == 0, result.output
    event = AuditEvent.objects.get(action="plan.load")
    assert event.user is None and event.username == getpass.getuser()
    assert current_plan().loaded_by == getpass.getuser()
    assert event.before["version"] == plan.version and event.after["version"] == "3"


@pytest.mark.parametrize(("name", "message"), [
    ("nobody", "--as nobody: there is no user called 'nobody'"),
    ("pat", "--as pat: that user's account is switched off"),
])
def test_an_unknown_or_switched_off_user_is_refused_and_nothing_is_loaded(tmp_path, users,
                                                                         plan, name, message):
    users["panel-member"].is_active = False
    users["panel-member"].save()
    path = refreshed_file(tmp_path, plan, drop=plan.measures.exclude(code=VEHICLE)
                          .order_by("order").first().code)
    result = load(str(path), "--as", name)
    assert result.exit_code == 1
    words = " ".join(result.output.split())
    assert message in words and "Nothing was loaded." in words
    assert Plan.objects.count() == 1 and current_plan().pk == plan.pk
    assert not AuditEvent.objects.filter(action="plan.load").exists()
