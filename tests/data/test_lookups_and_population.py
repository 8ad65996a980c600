"""Area lookups (LAD → CSP → PFA, force list) and population by police force area, imported
from the real shared files, with their sources and the ONS-first rule."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from oversight.cli.main import app
from oversight.data import queries, services
from oversight.data.models import Area, Force, ImportBatch, Population
from oversight.data.validate import ImportFileError
from tests.data.conftest import dump_tables

pytestmark = pytest.mark.django_db
LEICESTERSHIRE_LAS = {
    "Blaby",
    "Charnwood",
    "Harborough",
    "Hinckley and Bosworth",
    "Leicester",
    "Melton",
    "North West Leicestershire",
    "Oadby and Wigston",
    "Rutland",
}


def test_lookups_tie_local_authorities_to_csps_and_forces(shared_data: Path) -> None:
    result = services.import_lookups([shared_data / "lookups"], imported_by="test")

    assert len(result.imported) == 3
    leics = Force.objects.get(slug="leicestershire")
    las = Area.objects.filter(kind="la", force=leics)
    assert set(las.values_list("name", flat=True)) == LEICESTERSHIRE_LAS
    blaby = las.get(name="Blaby")
    assert (blaby.code, blaby.parent.kind, blaby.parent.name) == ("E07000129", "csp", "Blaby")
    assert Area.objects.filter(kind="la").count() == 348


def test_the_newer_lookup_vintage_wins_whatever_the_order(shared_data: Path) -> None:
    lookups = shared_data / "lookups"
    services.import_lookups(
        [lookups / "LAD17_CSP17_PFA17_lookup_EW_Jan2017_v2.csv"], imported_by="test"
    )
    services.import_lookups(
        [lookups / "LAD16_CSP16_PFA16_lookup_EW_Dec2016.csv"], imported_by="test"
    )

    merthyr = Area.objects.get(kind="la", name="Merthyr Tydfil")
    assert merthyr.parent.name == "Cwm Taf"  # the January 2017 CSP, not December 2016's


def test_the_force_list_keeps_data_police_uk_spellings(shared_data: Path) -> None:
    services.import_lookups(
        [shared_data / "lookups" / "datahub_crime-uk_forces.csv"], imported_by="test"
    )

    assert Force.objects.get(slug="avon-and-somerset").name == "Avon and Somerset Constabulary"
    assert Force.objects.get(slug="btp").name == "British Transport Police"
    batch = ImportBatch.objects.get(kind="lookups")
    assert batch.details["spellings_kept"]["Avon & Somerset Constabulary"] == (
        "Avon and Somerset Constabulary"
    )


def test_importing_lookups_twice_changes_nothing(shared_data: Path) -> None:
    services.import_lookups([shared_data / "lookups"], imported_by="test")
    before = dump_tables()

    again = services.import_lookups([shared_data / "lookups"], imported_by="test")

    assert again.imported == [] and len(again.unchanged) == 3
    assert dump_tables() == before


def test_a_lookup_with_an_unknown_force_area_changes_nothing(
    tmp_path: Path, shared_data: Path
) -> None:
    source = (shared_data / "lookups" / "LAD17_CSP17_PFA17_lookup_EW_Jan2017_v2.csv").read_text(
        encoding="utf-8-sig"
    )
    bad = tmp_path / "LAD17_CSP17_PFA17_lookup_EW_Jan2017_v2.csv"
    bad.write_text(source.replace("E23000021", "E23000099", 1), encoding="utf-8-sig")
    before = dump_tables()

    with pytest.raises(
        ImportFileError,
        match=r'row \d+, column PFA17CD: "E23000099" is not a '
        "police force area",
    ):
        services.import_lookups([bad], imported_by="test")
    assert dump_tables() == before


def population_files(shared_data: Path) -> list[Path]:
    return [
        shared_data / "population" / "population_policeforces.csv",
        shared_data / "ons" / "pfa-data-tables" / "derived" / "pfa_tables_p1_p3_long.csv",
    ]


@pytest.mark.parametrize("order", ["compiled first", "ONS first"])
def test_ons_figures_are_preferred_and_every_year_has_its_source(
    shared_data: Path, order: str
) -> None:
    files = population_files(shared_data)
    for path in files if order == "compiled first" else files[::-1]:
        services.import_population([path], imported_by="test")

    mid_2018 = queries.population_for("leicestershire", 2018)
    assert mid_2018 is not None and mid_2018.value == 1_093_200
    assert "ONS mid-2018 population estimate" in mid_2018.source
    assert "pfatablesdec19.xlsx" in mid_2018.source  # the latest edition giving mid-2018
    mid_2016 = queries.population_for("leicestershire", 2016)
    assert mid_2016 is not None and mid_2016.value == 1_068_900
    mid_2011 = queries.population_for("leicestershire", 2011)
    assert mid_2011 is not None and mid_2011.value == 1_018_387
    assert "population_policeforces.csv" in mid_2011.source
    assert [p.year for p in queries.populations("leicestershire")] == list(range(2009, 2020))
    assert queries.population_for("leicestershire", 2030) is None


def test_welsh_forces_come_from_the_ons_tables_only(shared_data: Path) -> None:
    services.import_population(population_files(shared_data), imported_by="test")

    assert [p.year for p in queries.populations("gwent")] == [2016, 2017, 2018]


def test_greater_manchester_not_available_marks_are_skipped(shared_data: Path) -> None:
    services.import_population(population_files(shared_data)[1:], imported_by="test")

    mid_2018 = queries.population_for("greater-manchester", 2018)
    assert mid_2018 is not None and "June 2019" in mid_2018.source


def test_the_population_command_skips_files_it_does_not_take(shared_data: Path) -> None:
    result = CliRunner().invoke(app, ["import", "population", str(shared_data / "population")])

    assert result.exit_code == 0, result.output
    assert "population_la.csv" in result.stdout and "Skipped" in result.stdout
    assert Population.objects.filter(year=2019).count() == 39


def test_a_population_file_with_an_unknown_area_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "population_policeforces.csv"
    bad.write_text("year,Leicestershire,Gotham\n2019,1100306,12\n", encoding="utf-8")

    with pytest.raises(ImportFileError, match="row 1, column Gotham: is not a police force area"):
        services.import_population([bad], imported_by="test")
