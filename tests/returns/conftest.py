"""Partners, their users and a return template for the returns tests, and a builder of
filled-in return files (good ones, and copies made bad in one way each)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.staff.conftest import fast_passwords, make_user  # noqa: F401 (fixture)

TODAY = dt.date(2025, 8, 15)
PERIOD = "2025-06"
FIGURES = {"VS-REFERRALS": {"value": 412}, "VS-CONTACTED": {"numerator": 377, "denominator": 412}}


@pytest.fixture
def partners(db):
    from oversight.accounts.models import Organisation

    return {
        "victim-services": Organisation.objects.create(
            slug="victim-services", name="Victim First", kind=Organisation.Kind.PARTNER
        ),
        "youth-diversion": Organisation.objects.create(
            slug="youth-diversion", name="Youth Diversion Service", kind=Organisation.Kind.PARTNER
        ),
    }


def victim_fields() -> list[dict[str, Any]]:
    from oversight.returns.services import field_spec

    return [
        field_spec(
            "VS-REFERRALS",
            "Victims referred to the service",
            kind="count",
            definition="Victims referred in the month, by any route.",
            maximum=100000,
        ),
        field_spec(
            "VS-CONTACTED",
            "Victims contacted within 2 working days",
            kind="proportion",
            definition="Of the victims referred, those contacted within 2 working days.",
            numerator_label="victims contacted within 2 working days",
            denominator_label="victims referred",
        ),
    ]


@pytest.fixture
def template(partners):
    from oversight.returns.services import define_template

    return define_template(
        name="Victim services monthly return",
        provider=partners["victim-services"],
        frequency="monthly",
        first_period="2025-01",
        fields=victim_fields(),
        due_days=20,
    )


@pytest.fixture
def other_template(partners):
    from oversight.returns.services import define_template, field_spec

    return define_template(
        name="Youth diversion quarterly return",
        provider=partners["youth-diversion"],
        frequency="quarterly",
        first_period="2024/25 Q1",
        fields=[field_spec("YD-STARTS", "Young people starting the programme")],
        due_days=30,
    )


@pytest.fixture
def people(partners, fast_passwords):  # noqa: F811
    return {
        "provider": make_user("vera", "data-provider", "victim-services"),
        "other-provider": make_user("yusuf", "data-provider", "youth-diversion"),
        "analyst": make_user("anna", "analyst"),
        "administrator": make_user("ada", "administrator"),
        "panel-member": make_user("pat", "panel-member"),
    }


def filled_xlsx(
    template: Any,
    period: str = PERIOD,
    figures: dict | None = None,
    edit: Callable[[Any], None] | None = None,
) -> bytes:
    """The downloaded Excel template, filled in (then changed by ``edit``)."""
    from openpyxl import load_workbook

    from oversight.returns.template import FIRST_ROW, xlsx_bytes

    workbook = load_workbook(io.BytesIO(xlsx_bytes(template, period)))
    sheet = workbook["Return"]
    figures = FIGURES if figures is None else figures
    for row in range(FIRST_ROW, FIRST_ROW + len(template.fields)):
        for name, column in (("value", 3), ("numerator", 4), ("denominator", 5)):
            value = figures.get(sheet.cell(row, 1).value, {}).get(name)
            if value is not None:
                sheet.cell(row, column, value)
    if edit:
        edit(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def filled_csv(
    template: Any,
    period: str = PERIOD,
    figures: dict | None = None,
    edit: Callable[[list[list[str]]], None] | None = None,
    encoding: str = "utf-8",
) -> bytes:
    """The downloaded CSV template, filled in (then changed by ``edit``)."""
    from oversight.returns.template import csv_bytes

    text = csv_bytes(template, period).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    figures = FIGURES if figures is None else figures
    for row in rows:
        if row and row[0] in figures:
            for name, column in (("value", 2), ("numerator", 3), ("denominator", 4)):
                value = figures[row[0]].get(name)
                if value is not None:
                    row[column] = str(value)
    if edit:
        edit(rows)
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


def write(folder: Path, name: str, data: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(data)
    return path
