"""Home Office police workforce tables: the ODS editions and the officer CSVs import, the
figures for Leicestershire equal the values read independently from the spreadsheets, and
a later edition's revision of a date is kept as a revision."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from oversight.cli.main import app
from oversight.data import services
from oversight.data.importers.workforce import read_ods
from oversight.data.models import WorkforceFigure
from oversight.data.validate import ImportFileError
from tests.data.conftest import dump_tables

pytestmark = pytest.mark.django_db


def workforce(shared_data: Path) -> Path:
    return shared_data / "home-office" / "police-workforce"


def leicestershire_from_ods_text(path: Path) -> list[float]:
    """The first three numbers of Leicestershire's row in table 1, found in the raw XML text
    with regular expressions (not the importer's XML parsing)."""
    xml = zipfile.ZipFile(path).read("content.xml").decode("utf-8")
    table = re.search(r'<table:table table:name="Table_1".*?</table:table>', xml, re.S)[0]
    row = next(
        r
        for r in re.findall(r"<table:table-row.*?</table:table-row>", table, re.S)
        if ">Leicestershire<" in r
    )
    return [float(v) for v in re.findall(r'office:value="([0-9.]+)"', row)[:3]]


def test_all_of_home_office_imports_and_leicestershire_matches_the_spreadsheets(shared_data):
    result = CliRunner().invoke(app, ["import", "workforce", str(shared_data / "home-office")])

    assert result.exit_code == 0, result.output
    figures = {
        f.as_at: f.value
        for f in WorkforceFigure.objects.filter(
            area_key="leicestershire", is_current=True, measure="officers_fte"
        )
    }
    ods = workforce(shared_data) / "source-ods"
    expected = {}
    for name, dates in [
        ("police-workforce-tabs-30sep15.ods", ("2014-09-30", "2015-03-31", "2015-09-30")),
        ("police-workforce-tables-sep16.ods", ("2015-09-30", "2016-03-31", "2016-09-30")),
        ("police-workforce-tables-jan17.ods", ("2016-09-30", "2017-03-31", "2017-09-30")),
        ("police-workforce-sep18-tables.ods", ("2017-09-30", "2018-03-31", "2018-09-30")),
        ("police-workforce-sep19-tables.ods", ("2018-09-30", "2019-03-31", "2019-09-30")),
    ]:
        for date, value in zip(dates, leicestershire_from_ods_text(ods / name), strict=True):
            expected[dt.date.fromisoformat(date)] = value
    assert figures == expected
    # The README's figures: 1985 (Sep 2014) falling to 1765 (Sep 2018), then 1803 (Sep 2019).
    assert round(figures[dt.date(2014, 9, 30)]) == 1985
    assert round(figures[dt.date(2018, 9, 30)]) == 1765
    assert round(figures[dt.date(2019, 9, 30)]) == 1803
    headcount = WorkforceFigure.objects.get(
        area_key="leicestershire", as_at=dt.date(2019, 9, 30), measure="officers_headcount"
    )
    assert headcount.value == 1860


def test_the_csv_extracts_agree_with_the_ods_tables(shared_data):
    folder = workforce(shared_data)
    for year, name in [
        ("2015", "police-workforce-tabs-30sep15.ods"),
        ("2019", "police-workforce-sep19-tables.ods"),
    ]:
        from oversight.data.importers.workforce import read_csv

        ods = {(r.as_at, r.area_key): r.value for r in read_ods(folder / "source-ods" / name).rows}
        extracted = read_csv(folder / "officer-fte-resistancelab" / f"officer-fte-{year}.csv")
        extract = {(r.as_at, r.area_key): r.value for r in extracted.rows}
        assert extract.items() <= ods.items()


def test_a_later_edition_revises_an_earlier_date(shared_data):
    folder = workforce(shared_data) / "source-ods"
    services.import_workforce([folder / "police-workforce-sep18-tables.ods"], imported_by="t")
    result = services.import_workforce(
        [folder / "police-workforce-sep19-tables.ods"], imported_by="t"
    )

    assert result.totals["revised"] > 0
    northumbria = WorkforceFigure.objects.get(
        area_key="northumbria", is_current=True, as_at=dt.date(2018, 9, 30)
    )
    assert [round(f.value, 2) for f in northumbria.history()] == [3151.62, 3140.62]
    assert [f.edition for f in northumbria.history()] == [
        "police-workforce-sep19-tables.ods",
        "police-workforce-sep18-tables.ods",
    ]
    # West Midlands the region and West Midlands the force are told apart.
    kinds = set(
        WorkforceFigure.objects.filter(area_name="West Midlands").values_list(
            "area_kind", flat=True
        )
    )
    assert kinds == {"region", "force"}


def test_a_workforce_file_with_an_unknown_force_changes_nothing(tmp_path):
    bad = tmp_path / "officer-fte-2019.csv"
    bad.write_text(
        "Force/Region,September 2018,March 2019,September 2019\n"
        "Leicestershire,1765.38,1828.98,1803.26\nGotham,1,2,3\n",
        encoding="utf-8",
    )
    before = dump_tables()
    with pytest.raises(
        ImportFileError,
        match='row 3, column Force/Region: "Gotham" is not a police force or region',
    ):
        services.import_workforce([bad], imported_by="t")
    assert dump_tables() == before
