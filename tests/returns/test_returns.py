"""Partner returns end to end: templates (Excel and CSV) with definitions, periods and rules;
upload, preview, confirm; who submitted and when; object-level access; resubmission; late
and missing returns per provider; the command line; rollback of a return."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook
from typer.testing import CliRunner

from oversight.accounts.models import AuditEvent
from oversight.cli.main import app
from oversight.data import services as data_services
from oversight.data.models import ImportBatch
from oversight.returns import schedule, services
from oversight.returns.models import ReturnSubmission, ReturnValue
from oversight.returns.template import csv_bytes, xlsx_bytes
from oversight.returns.validate import TemplateSpec, read_return
from tests.data.conftest import dump_tables
from tests.returns.conftest import PERIOD, filled_csv, filled_xlsx, write

pytestmark = pytest.mark.django_db


def test_the_excel_template_has_definitions_rules_and_validation(template):
    workbook = load_workbook(io.BytesIO(xlsx_bytes(template, PERIOD)))

    assert workbook.sheetnames == ["README", "Return"]
    readme = "\n".join(
        str(c) for row in workbook["README"].iter_rows(values_only=True) for c in row if c
    )
    assert "Victims referred in the month, by any route." in readme
    assert "numerator = victims contacted within 2 working days" in readme
    assert "June 2025 (2025-06); due by 20 July 2025" in readme
    assert "the numerator no more than the denominator" in readme
    sheet = workbook["Return"]
    assert [sheet[f"A{r}"].value for r in range(1, 5)] == [
        "Template",
        "Version",
        "Provider",
        "Period",
    ]
    assert [sheet[f"B{r}"].value for r in range(1, 5)] == [
        template.slug,
        "1",
        "victim-services",
        "2025-06",
    ]
    assert sheet.protection.sheet
    assert not sheet["C7"].protection.locked and sheet["B7"].protection.locked
    assert not sheet["D8"].protection.locked and sheet["C8"].protection.locked
    validated = {
        str(rng) for dv in sheet.data_validations.dataValidation for rng in dv.sqref.ranges
    }
    assert {"C7", "D8", "E8"} <= validated


def test_the_csv_template_carries_definitions_and_rules_and_reads_back(template):
    text = csv_bytes(template, PERIOD).decode("utf-8-sig")
    comments = [row[0] for row in csv.reader(io.StringIO(text)) if row and row[0].startswith("#")]
    assert any("VS-CONTACTED: Victims contacted within 2 working days" in c for c in comments)
    assert any(c.startswith("# Rule: A count is a whole number") for c in comments)

    checked = read_return("r.csv", filled_csv(template), TemplateSpec.of(template), PERIOD)

    assert checked.ok, checked.messages()
    assert [(r.measure_code, r.value, r.numerator, r.denominator) for r in checked.rows] == [
        ("VS-REFERRALS", 412.0, None, None),
        ("VS-CONTACTED", None, 377.0, 412.0),
    ]


def test_a_provider_uploads_previews_and_confirms_a_return(client, people, template):
    provider = people["provider"]
    client.force_login(provider)
    index = client.get(reverse("returns:index"))
    assert index.status_code == 200 and "Victim services monthly return" in index.content.decode()
    download = client.get(reverse("returns:download", args=[template.slug, PERIOD, "xlsx"]))
    assert download.status_code == 200
    assert download["Content-Disposition"].endswith(f'{template.slug}-2025-06-v1.xlsx"')

    response = client.post(
        reverse("returns:upload", args=[template.slug, PERIOD]),
        {"return_file": SimpleUploadedFile("june.xlsx", filled_xlsx(template))},
    )

    pending = ReturnSubmission.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("returns:submission", args=[pending.pk])
    assert pending.status == "pending" and pending.batch is None
    assert not ReturnValue.objects.exists() and not ImportBatch.objects.exists()
    preview = client.get(response["Location"]).content.decode()
    assert "Check your return for June 2025" in preview and "Submit the return" in preview
    assert "377" in preview and "412" in preview

    done = client.post(reverse("returns:confirm", args=[pending.pk]))

    assert done.status_code == 302
    pending.refresh_from_db()
    assert pending.status == "accepted"
    assert pending.submitted_by == provider and pending.submitted_by_name == "vera"
    assert pending.submitted_at is not None
    batch = pending.batch
    assert (batch.kind, batch.file_name, batch.imported_by, batch.month) == (
        "return",
        "june.xlsx",
        "vera",
        "2025-06",
    )
    assert batch.sha256 == pending.sha256 and batch.user == provider
    values = {
        v.measure_code: (v.value, v.numerator, v.denominator, v.batch_id)
        for v in ReturnValue.objects.all()
    }
    assert values == {
        "VS-REFERRALS": (412.0, None, None, batch.pk),
        "VS-CONTACTED": (None, 377.0, 412.0, batch.pk),
    }
    assert AuditEvent.objects.filter(action="returns.submit", username="vera").exists()
    receipt = client.get(done["Location"]).content.decode()
    assert "Return submitted" in receipt
    assert client.post(reverse("returns:confirm", args=[pending.pk])).status_code == 409


def test_a_provider_cannot_see_another_providers_returns(client, people, template, other_template):
    pending = services.check_upload(template, PERIOD, "june.xlsx", filled_xlsx(template))[1]
    client.force_login(people["other-provider"])
    for url in (
        reverse("returns:template", args=[template.slug]),
        reverse("returns:download", args=[template.slug, PERIOD, "csv"]),
        reverse("returns:upload", args=[template.slug, PERIOD]),
        reverse("returns:submission", args=[pending.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("returns:confirm", args=[pending.pk])).status_code == 404
    pending.refresh_from_db()
    assert pending.status == "pending"
    page = client.get(reverse("returns:index")).content.decode()
    assert "Youth diversion quarterly return" in page and "Victim services" not in page
    for name in ("returns:late", "returns:values", "returns:setup"):
        assert client.get(reverse(name)).status_code == 403


def test_roles(client, people, template):
    url = reverse("returns:template", args=[template.slug])
    assert client.get(url)["Location"].startswith("/staff/login/")
    client.force_login(people["panel-member"])
    assert client.get(url).status_code == 403
    for role in ("analyst", "administrator"):
        client.force_login(people[role])
        assert client.get(url).status_code == 200
        assert client.get(reverse("returns:late")).status_code == 200


def test_a_second_return_for_a_period_supersedes_the_first_and_rolls_back(template, people):
    first = services.confirm(
        services.check_upload(template, PERIOD, "a.xlsx", filled_xlsx(template))[1], by="vera"
    )
    before = dump_tables()
    changed = {
        "VS-REFERRALS": {"value": 420},
        "VS-CONTACTED": {"numerator": 380, "denominator": 420},
    }
    second = services.confirm(
        services.check_upload(template, PERIOD, "b.csv", filled_csv(template, figures=changed))[1],
        by="vera",
    )

    first.refresh_from_db()
    assert (first.status, second.status) == ("superseded", "accepted")
    assert second.batch.replaces == first.batch and first.batch.status == "replaced"
    assert [v.value for v in services.current_values("VS-REFERRALS")] == [420.0]

    data_services.rollback_batch(second.batch_id, rolled_back_by="anna")

    after = dump_tables()
    for table in ("accounts_auditevent", "data_importbatch", "returns_returnsubmission"):
        before.pop(table), after.pop(table)
    assert after == before
    first.refresh_from_db()
    assert first.status == "accepted" and first.batch.status == "current"
    assert [v.value for v in services.current_values("VS-REFERRALS")] == [412.0]


def test_late_and_missing_returns_are_listed_per_provider(template, other_template):
    late_one = services.confirm(
        services.check_upload(
            template,
            "2025-05",
            "may.xlsx",
            filled_xlsx(template, period="2025-05"),
            today=dt.date(2025, 8, 1),
        )[1],
        by="vera",
    )
    ReturnSubmission.objects.filter(pk=late_one.pk).update(
        submitted_at=dt.datetime(2025, 7, 1, 9, tzinfo=dt.UTC)
    )
    on_time = services.confirm(
        services.check_upload(
            template,
            "2025-04",
            "april.xlsx",
            filled_xlsx(template, period="2025-04"),
            today=dt.date(2025, 8, 1),
        )[1],
        by="vera",
    )
    ReturnSubmission.objects.filter(pk=on_time.pk).update(
        submitted_at=dt.datetime(2025, 5, 10, 9, tzinfo=dt.UTC)
    )

    listing = {p.provider.slug: p for p in services.late_and_missing(dt.date(2025, 8, 1))}

    victims = listing["victim-services"]
    assert [s.period for _, s in victims.late] == ["2025-05"]
    assert [s.period for _, s in victims.missing] == ["2025-06", "2025-03", "2025-02", "2025-01"]
    youth = listing["youth-diversion"]
    assert [s.period for _, s in youth.missing] == [
        "2025/26 Q1",
        "2024/25 Q4",
        "2024/25 Q3",
        "2024/25 Q2",
        "2024/25 Q1",
    ]
    statuses = {s.period: s.key for s in services.periods_for(template, dt.date(2025, 7, 10))}
    assert statuses["2025-06"] == "due" and statuses["2025-05"] == "late"
    assert statuses["2025-04"] == "submitted"


def test_the_late_page_and_its_export(client, people, template):
    client.force_login(people["analyst"])
    page = client.get(reverse("returns:late")).content.decode()
    assert "Victim First" in page and "Missing" in page
    export = client.get(reverse("returns:late") + "?format=csv").content.decode()
    rows = list(csv.DictReader(io.StringIO(export)))
    assert rows[0]["provider"] == "Victim First" and rows[0]["status"] == "missing"


def test_the_command_line_submits_good_files(template, tmp_path: Path):
    path = write(tmp_path, "june.csv", filled_csv(template))

    result = CliRunner().invoke(app, ["import", "returns", str(path), "--by", "vera"])

    assert result.exit_code == 0, result.output
    submission = ReturnSubmission.objects.get()
    assert (submission.status, submission.via, submission.submitted_by_name) == (
        "accepted",
        "command line",
        "vera",
    )
    assert "Submitted june.csv: Victim services monthly return, 2025-06, 2 figures" in (
        result.output
    )


def test_a_changed_template_refuses_files_of_the_old_version(template, partners):
    from tests.returns.conftest import victim_fields

    old_file = filled_xlsx(template)
    fields = victim_fields()
    fields[0]["max"] = 5000
    changed = services.define_template(
        name=template.name,
        provider=partners["victim-services"],
        frequency="monthly",
        first_period="2025-01",
        fields=fields,
        slug=template.slug,
    )
    assert changed.version == 2
    from oversight.returns.validate import ReturnFileError

    with pytest.raises(
        ReturnFileError, match="version 1 of the template; the current version is 2"
    ):
        services.check_upload(changed, PERIOD, "old.xlsx", old_file)


def test_quarter_periods_and_slugs():
    assert schedule.slug("2025/26 Q1") == "2025-26-q1"
    assert schedule.from_slug("2025-26-q1") == "2025/26 Q1"
    assert schedule.due_date("2025/26 Q1", 30) == dt.date(2025, 7, 30)
    assert schedule.ended_periods("2024/25 Q3", "quarterly", dt.date(2025, 7, 1)) == [
        "2024/25 Q3",
        "2024/25 Q4",
        "2025/26 Q1",
    ]


def test_an_analyst_sets_up_a_return_from_the_plan(client, people, partners):
    from oversight.plans import examples
    from oversight.plans.services import load_plan_file

    load_plan_file(examples.path("leicestershire-2013.yaml"), user="test")
    client.force_login(people["analyst"])
    assert client.get(reverse("returns:setup")).status_code == 200

    response = client.post(
        reverse("returns:setup"),
        {
            "name": "Victim satisfaction return",
            "provider": "victim-services",
            "frequency": "quarterly",
            "first_period": "2025/26 Q1",
            "due_days": "30",
            "measures": ["MCNS-VICTIM-OUTCOMES"],
            "kind-MCNS-VICTIM-OUTCOMES": "proportion",
        },
    )

    assert response.status_code == 302
    created = services.ReturnTemplate.objects.get(slug="victim-satisfaction-return")
    assert created.fields[0]["code"] == "MCNS-VICTIM-OUTCOMES"
    assert created.fields[0]["kind"] == "proportion"
    bad = client.post(
        reverse("returns:setup"),
        {
            "name": "x",
            "provider": "victim-services",
            "frequency": "monthly",
            "first_period": "June",
            "due_days": "20",
            "measures": [],
        },
    )
    assert bad.status_code == 400 and "There is a problem" in bad.content.decode()
