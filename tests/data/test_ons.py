"""ONS police force area tables: every edition (the workbooks and the long CSV) imports,
figures for Leicestershire equal the values read independently from the spreadsheets,
editions are kept per figure, and a later edition of a period revises a figure with its
history kept."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from oversight.cli.main import app
from oversight.data import services
from oversight.data.models import ImportBatch, OnsFigure
from oversight.data.validate import ImportFileError
from tests.data.conftest import dump_tables

pytestmark = pytest.mark.django_db
LEICESTERSHIRE = "E23000021"
DEC19 = "pfatablesdec19.xlsx"
MAR18 = "policeforceareatablesyearendingmarch2018v2.xlsx"


def tables(shared_data: Path) -> Path:
    return shared_data / "ons" / "pfa-data-tables"


def read_independently(path: Path, sheet_prefix: str) -> pd.DataFrame:
    """A table as pandas reads it: the header row is the one starting "Area Code"."""
    sheets = pd.read_excel(path, sheet_name=None, header=None)
    raw = next(df for name, df in sheets.items() if name.strip() == sheet_prefix)
    header = raw.index[raw[0].astype(str).str.strip() == "Area Code"][0]
    return raw.iloc[header:].reset_index(drop=True)


def current(offence: str, measure: str, period: str) -> OnsFigure:
    return OnsFigure.objects.get(
        area_code=LEICESTERSHIRE,
        offence=offence,
        measure=measure,
        period_end=period,
        is_current=True,
    )


def test_all_of_the_ons_folder_imports_and_the_csv_agrees_with_the_workbooks(shared_data):
    result = services.import_ons([shared_data / "ons"], imported_by="test")

    assert result.totals["files"] == 9 and result.totals["revised"] == 0
    assert OnsFigure.objects.count() == 21_560
    csv_batch = ImportBatch.objects.get(file_name="pfa_tables_p1_p3_long.csv")
    # The long CSV repeats every workbook figure exactly: nothing new, nothing revised.
    assert csv_batch.rows_stored == 0 and csv_batch.details["figures_unchanged"] == 21_560
    assert len(csv_batch.details["editions"]) == 8
    leics = OnsFigure.objects.filter(area_code=LEICESTERSHIRE)
    assert {f.force.slug for f in leics} == {"leicestershire"}
    # Each figure keeps the edition (workbook) it came from.
    assert set(leics.values_list("edition", flat=True)) == {
        p.name for p in tables(shared_data).glob("*.xlsx")
    }
    assert current("total-recorded-crime", "count", "2018-03").value == 81_960
    assert current("total-recorded-crime", "count", "2019-12").value == 91_242
    assert current("", "population", "2019-12").value == 1_093_200


@pytest.mark.parametrize("edition", [MAR18, DEC19])
def test_leicestershire_equals_the_spreadsheet_read_independently(shared_data, edition):
    path = tables(shared_data) / edition
    services.import_ons([path], imported_by="test")
    period = OnsFigure.objects.values_list("period_end", flat=True).first()

    p1 = read_independently(path, "Table P1")
    row = p1[p1[0].astype(str).str.strip() == LEICESTERSHIRE].iloc[0]
    headings = p1.iloc[0].astype(str).str.replace(r"[0-9,\s]+$", "", regex=True).str.strip()
    assert row[2] == current("total-recorded-crime", "count", period).value
    for label, offence in [
        ("Violence with injury", "violence-with-injury"),
        ("Burglary", "burglary"),
        ("Shoplifting", "shoplifting"),
        ("Criminal damage and arson", "criminal-damage-and-arson"),
        ("Public order offences", "public-order-offences"),
    ]:
        column = headings[headings == label].index[0]
        assert row[column] == current(offence, "count", period).value, label

    p3 = read_independently(path, "Table P3")
    row3 = p3[p3[0].astype(str).str.strip() == LEICESTERSHIRE].iloc[0]
    population = current("", "population", period)
    assert row3[2] == population.value
    vintage = "mid-2016" if edition == MAR18 else "mid-2018"
    assert population.population_vintage == vintage
    rate = current("total-recorded-crime", "rate_per_1000_population", period)
    assert row3[5] == rate.value and rate.population_vintage == vintage
    households = current("residential-burglary", "rate_per_1000_households", period)
    heading3 = p3.iloc[0].astype(str)
    column = heading3[
        heading3.str.contains("households", case=False)
        & heading3.str.contains("burglary", case=False)
    ].index[0]
    assert row3[column] == households.value


def test_offence_groups_and_subgroups_form_a_tree(shared_data):
    services.import_ons([tables(shared_data) / DEC19], imported_by="test")

    def figure(offence):
        return current(offence, "count", "2019-12")

    burglary = figure("burglary")
    assert (burglary.parent_offence, burglary.level) == ("theft-offences", 2)
    parts = figure("residential-burglary").value + figure("non-residential-burglary").value
    assert parts == burglary.value
    vap = [
        "homicide",
        "violence-with-injury",
        "violence-without-injury",
        "stalking-and-harassment",
        "death-or-serious-injury-unlawful-driving",
    ]
    assert sum(figure(o).value for o in vap) == figure("violence-against-the-person").value
    misc = figure("miscellaneous-crimes-against-society")
    assert misc.offence_label == "Miscellaneous crimes"  # as this edition prints it


def test_markers_are_kept_not_guessed(shared_data):
    services.import_ons([tables(shared_data) / DEC19], imported_by="test")

    gmp = OnsFigure.objects.get(
        area_code="E23000005", offence="total-recorded-crime", measure="count"
    )
    assert (gmp.value, gmp.marker) == (None, "..")
    city = OnsFigure.objects.get(
        area_code="E23000034", offence="total-recorded-crime", measure="rate_per_1000_population"
    )
    assert (city.value, city.marker) == (None, "+")
    batch = ImportBatch.objects.get()
    assert batch.details["skipped_rows"] == ["British Transport Police (table P1: no area code)"]


def revised_copy(shared_data: Path, folder: Path, value: int) -> Path:
    """A copy of the December 2019 edition, renamed as a later edition, with Leicestershire's
    total changed."""
    workbook = openpyxl.load_workbook(tables(shared_data) / DEC19)
    sheet = workbook["Table P1"]
    for row in sheet.iter_rows(min_row=7, max_row=70):
        if row[0].value == LEICESTERSHIRE:
            row[2].value = value
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "pfatablesdec19v2.xlsx"
    workbook.save(path)
    return path


def test_a_later_edition_revises_a_figure_and_keeps_its_history(shared_data, tmp_path):
    services.import_ons([tables(shared_data) / DEC19], imported_by="test")
    copy = revised_copy(shared_data, tmp_path, 91_300)

    result = CliRunner().invoke(app, ["import", "ons", str(copy)])

    assert result.exit_code == 0, result.output
    assert "pfatablesdec19v2.xlsx revised 1 figure of earlier editions" in result.output
    figure = current("total-recorded-crime", "count", "2019-12")
    assert [(f.value, f.edition) for f in figure.history()] == [
        (91_300, "pfatablesdec19v2.xlsx"),
        (91_242, DEC19),
    ]
    assert OnsFigure.objects.filter(period_end="2019-12").count() == 2_696
    batch = ImportBatch.objects.get(file_name="pfatablesdec19v2.xlsx")
    assert batch.details["figures_revised"] == 1
    assert batch.details["revisions"][0]["old"] == 91_242
    # Every other figure is unchanged and keeps the first edition as its source.
    assert current("burglary", "count", "2019-12").edition == DEC19


def test_importing_the_same_file_again_changes_nothing(shared_data):
    services.import_ons([tables(shared_data) / MAR18], imported_by="test")
    before = dump_tables()

    again = services.import_ons([tables(shared_data) / MAR18], imported_by="test")

    assert again.imported == [] and again.unchanged == [MAR18]
    assert dump_tables() == before


def test_a_broken_workbook_names_the_problem_and_changes_nothing(shared_data, tmp_path):
    workbook = openpyxl.load_workbook(tables(shared_data) / DEC19)
    workbook["Table P1"]["F5"] = "Violence with injuries"
    bad = tmp_path / "pfatablesdec19.xlsx"
    workbook.save(bad)
    no_p3 = tmp_path / "nop3" / "edition.xlsx"
    no_p3.parent.mkdir()
    shutil.copy(tables(shared_data) / DEC19, no_p3)
    book = openpyxl.load_workbook(no_p3)
    del book["Table P3"]
    book.save(no_p3)
    before = dump_tables()

    with pytest.raises(
        ImportFileError,
        match=r'row 5, column F5: "Violence with injuries" is '
        "not an offence group of table P1",
    ):
        services.import_ons([tables(shared_data) / MAR18, bad], imported_by="test")
    with pytest.raises(ImportFileError, match='has no sheet "Table P3"'):
        services.import_ons([no_p3], imported_by="test")
    assert dump_tables() == before
