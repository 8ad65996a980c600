"""Rolling back a batch restores every table to its state before it, checked by comparing the
contents of every table; the batch itself stays, marked "rolled back", and the plan's
computed results are recomputed."""

from __future__ import annotations

import pytest
from django.urls import reverse
from typer.testing import CliRunner

from oversight.cli.main import app
from oversight.data import services
from oversight.data.journal import RollbackError
from oversight.data.models import ImportBatch, OnsFigure, Population, StreetCount
from tests.data.conftest import LEICS_2020_03, dump_tables, import_street, set_value

pytestmark = pytest.mark.django_db


def restored(before: dict, batch_id: int) -> None:
    """Every table is as in ``before``, except the rolled-back batch's own row (kept, marked)
    and the audit trail (which records the rollback)."""
    after = dump_tables()
    rows = after.pop("data_importbatch")
    kept = [row for row in rows if row[0] == batch_id]
    assert len(kept) == 1
    assert sorted((r for r in rows if r[0] != batch_id), key=repr) == before.pop("data_importbatch")
    after.pop("accounts_auditevent")
    before.pop("accounts_auditevent")
    assert after == before
    batch = ImportBatch.objects.get(pk=batch_id)
    assert batch.status == "rolled-back" and batch.details["rolled_back"]["by"] == "test"


def roll_back(batch_id: int) -> None:
    services.rollback_batch(batch_id, rolled_back_by="test")


def test_a_new_street_month_rolls_back(fixtures_dir):
    before = dump_tables()
    batch = import_street(LEICS_2020_03).imported[0].batch_id

    roll_back(batch)

    restored(before, batch)
    assert not StreetCount.objects.exists()


def test_a_republished_street_month_rolls_back_to_the_old_counts(edited_copy):
    old = import_street(LEICS_2020_03).imported[0].batch_id
    before = dump_tables()
    republished = edited_copy(LEICS_2020_03, row=3, change=set_value("Crime type", "Public order"))
    new = import_street(republished).imported[0].batch_id
    assert ImportBatch.objects.get(pk=old).status == "replaced"

    roll_back(new)

    restored(before, new)
    assert ImportBatch.objects.get(pk=old).status == "current"
    with pytest.raises(RollbackError, match="already rolled back"):
        roll_back(new)


def test_lookups_roll_back_with_the_forces_they_added(shared_data):
    before = dump_tables()
    result = services.import_lookups(
        [shared_data / "lookups" / "LAD17_CSP17_PFA17_lookup_EW_Jan2017_v2.csv"], imported_by="test"
    )

    roll_back(result.imported[0].batch_id)

    restored(before, result.imported[0].batch_id)


def test_population_that_overwrote_another_source_rolls_back(shared_data):
    services.import_population(
        [shared_data / "population" / "population_policeforces.csv"], imported_by="test"
    )
    before = dump_tables()
    ons = services.import_population(
        [shared_data / "ons" / "pfa-data-tables" / "derived" / "pfa_tables_p1_p3_long.csv"],
        imported_by="test",
    )
    mid_2018 = Population.objects.get(force__slug="leicestershire", year=2018)
    assert mid_2018.value == 1_093_200

    roll_back(ons.imported[0].batch_id)

    restored(before, ons.imported[0].batch_id)
    assert Population.objects.get(force__slug="leicestershire", year=2018).value != 1_093_200


def test_population_by_local_authority_rolls_back(shared_data):
    services.import_lookups([shared_data / "lookups"], imported_by="test")
    before = dump_tables()
    result = services.import_population([shared_data / "population"], imported_by="test")
    by_area = next(f for f in result.imported if f.file_name == "population_la.csv")
    leicester = Population.objects.get(area__name="Leicester", year=2019)
    assert leicester.value > 300_000
    assert "population_England_and_regions.csv" in result.skipped

    roll_back(by_area.batch_id)
    for other in result.imported:
        if other is not by_area:
            roll_back(other.batch_id)

    assert not Population.objects.exists()
    after = dump_tables()
    assert after["data_area"] == before["data_area"]


def test_an_ons_revision_rolls_back_and_later_batches_must_go_first(shared_data, tmp_path):
    from tests.data.test_ons import DEC19, revised_copy, tables

    services.import_ons([tables(shared_data) / DEC19], imported_by="test")
    before = dump_tables()
    revision = (
        services.import_ons([revised_copy(shared_data, tmp_path, 91_300)], imported_by="test")
        .imported[0]
        .batch_id
    )
    first = ImportBatch.objects.get(file_name=DEC19)

    with pytest.raises(
        RollbackError,
        match=f"roll back batch {revision} "
        r"\(pfatablesdec19v2.xlsx\) first",
    ):
        roll_back(first.pk)
    roll_back(revision)

    restored(before, revision)
    figure = OnsFigure.objects.get(
        area_code="E23000021", period_end="2019-12", offence="total-recorded-crime", measure="count"
    )
    assert figure.is_current and figure.value == 91_242


def test_workforce_revisions_roll_back(shared_data):
    folder = shared_data / "home-office" / "police-workforce" / "source-ods"
    services.import_workforce([folder / "police-workforce-sep18-tables.ods"], imported_by="t")
    before = dump_tables()
    later = (
        services.import_workforce([folder / "police-workforce-sep19-tables.ods"], imported_by="t")
        .imported[0]
        .batch_id
    )

    roll_back(later)

    restored(before, later)


def test_rolling_back_recomputes_the_plan(edited_copy):
    from tests import demo_state

    plan = demo_state.build(["2025-04", "2025-05", "2025-06"])
    before = {m.code: m.result.figures for m in plan.measures.select_related("result")}
    source = demo_state.street_files(["2025-06"], ("leicestershire",))[0]
    republished = edited_copy(
        source, whole=lambda data: b"".join(data.splitlines(keepends=True)[:-2000])
    )
    batch = import_street(republished).imported[0].batch_id
    services.recompute_current_plan()
    changed = {m.code: m.result.figures for m in plan.measures.select_related("result")}
    assert changed != before

    outcome = services.rollback_batch(batch, rolled_back_by="test")

    assert outcome.recomputed == plan.measures.count()
    after = {m.code: m.result.figures for m in plan.measures.select_related("result")}
    assert after == before


def test_the_command_line_lists_and_rolls_back(shared_data):
    from tests.data.test_ons import MAR18, tables

    services.import_ons([tables(shared_data) / MAR18], imported_by="test")
    batch = ImportBatch.objects.get()
    runner = CliRunner()

    listing = runner.invoke(app, ["batches", "list", "--kind", "ons", "--format", "csv"])
    assert listing.exit_code == 0, listing.output
    header, row = listing.stdout.strip().splitlines()
    assert header.startswith("batch,kind,file_name,sha256")
    assert row.startswith(f"{batch.pk},ons,{MAR18},{batch.sha256}")

    result = runner.invoke(app, ["batches", "rollback", str(batch.pk), "--by", "test"])
    assert result.exit_code == 0, result.output
    assert f"Rolled back batch {batch.pk} ({MAR18}). Removed: 2,695 ons figures, 43 forces" in (
        result.output
    )
    again = runner.invoke(app, ["batches", "rollback", str(batch.pk)])
    assert again.exit_code == 1 and "already rolled back. Nothing was changed." in again.output


@pytest.fixture
def data_urls(settings):
    settings.ROOT_URLCONF = "tests.data.urls_with_data"


def test_the_batch_pages_list_export_and_roll_back(client, data_urls, shared_data):
    from tests.data.test_ons import DEC19, tables
    from tests.staff.conftest import make_user

    services.import_ons([tables(shared_data) / DEC19], imported_by="test")
    batch = ImportBatch.objects.get()
    analyst = make_user("anna", "analyst")
    administrator = make_user("ada", "administrator")
    provider = make_user("dee", "data-provider", "victim-services")

    client.force_login(provider)
    assert client.get(reverse("data:batches")).status_code == 403
    client.force_login(analyst)
    page = client.get(reverse("data:batches")).content.decode()
    assert DEC19 in page and batch.sha256[:12] in page
    export = client.get(reverse("data:batches-csv")).content.decode()
    assert export.splitlines()[1].startswith(f"{batch.pk},ons,{DEC19},{batch.sha256}")
    detail = client.get(reverse("data:batch", args=[batch.pk])).content.decode()
    assert "2019-12" in detail and "Roll back batch" not in detail
    ons = client.get(
        reverse("data:ons") + "?force=leicestershire&offence=total-recorded-crime"
        "&measure=rate_per_1000_population"
    ).content.decode()
    assert "83.46" in ons and "mid-2018" in ons
    assert client.post(reverse("data:rollback", args=[batch.pk])).status_code == 403
    assert client.get(reverse("data:workforce")).status_code == 200

    client.force_login(administrator)
    assert "Roll back batch" in client.get(reverse("data:batch", args=[batch.pk])).content.decode()
    response = client.post(reverse("data:rollback", args=[batch.pk]))
    assert response.status_code == 302
    assert not OnsFigure.objects.exists()
    assert "rolled back" in client.get(response["Location"]).content.decode()
