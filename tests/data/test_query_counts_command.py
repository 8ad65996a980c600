"""``oversight query counts``: the exact CSV it prints, by crime type, LSOA, local authority
and CSP, checked against counts made independently from the fixture files."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from oversight.cli.main import app
from oversight.data import services
from oversight.data.validate import CRIME_TYPES
from tests.data.conftest import (
    LEICS_2020_03,
    LEICS_2025_04,
    NORTHANTS_2025_01,
    count_by,
    import_street,
    read_rows,
)

pytestmark = pytest.mark.django_db
runner = CliRunner()


def query(*args: str) -> str:
    result = runner.invoke(app, ["query", "counts", *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def csv_lines(header: str, rows: list[tuple[object, ...]]) -> str:
    return "".join(f"{line}\n" for line in [header, *(",".join(map(str, r)) for r in rows)])


def test_by_crime_type_prints_all_14_types_with_row_counts() -> None:
    import_street(LEICS_2020_03, LEICS_2025_04)
    counts = count_by(read_rows(LEICS_2020_03), "Crime type")

    printed = query(
        "--force",
        "leicestershire",
        "--from",
        "2020-01",
        "--to",
        "2020-12",
        "--by",
        "crime-type",
        "--format",
        "csv",
    )

    assert printed == csv_lines(
        "month,force,crime_type,count",
        [("2020-03", "leicestershire", t, counts[(t,)]) for t in CRIME_TYPES],
    )
    assert counts[("Anti-social behaviour",)] > 0
    assert 0 in {counts[(t,)] for t in CRIME_TYPES}  # a type with no rows is still listed


def test_the_month_range_is_inclusive_and_months_are_in_order() -> None:
    import_street(LEICS_2020_03, LEICS_2025_04)

    printed = query("--force", "leicestershire", "--format", "csv")
    months = [line.split(",")[0] for line in printed.splitlines()[1:]]

    assert months == ["2020-03"] * 14 + ["2025-04"] * 14
    assert (
        query(
            "--force", "leicestershire", "--from", "2025-04", "--to", "2025-04", "--format", "csv"
        ).count("\n")
        == 15
    )


def test_by_lsoa() -> None:
    import_street(LEICS_2025_04)
    counts = count_by(read_rows(LEICS_2025_04), "LSOA code")

    printed = query("--force", "leicestershire", "--by", "lsoa", "--format", "csv")

    assert printed == csv_lines(
        "month,force,lsoa_code,count",
        [("2025-04", "leicestershire", code, n) for (code,), n in sorted(counts.items())],
    )


def test_by_local_authority_quotes_names_with_commas() -> None:
    import_street(LEICS_2025_04)
    counts = count_by(read_rows(LEICS_2025_04), "LSOA name")
    by_authority: dict[str, int] = {}
    for (name,), n in counts.items():
        authority = name.rsplit(" ", 1)[0]
        by_authority[authority] = by_authority.get(authority, 0) + n

    printed = query("--force", "leicestershire", "--by", "local-authority", "--format", "csv")

    assert printed.splitlines()[0] == "month,force,local_authority,count"
    assert '2025-04,leicestershire,"Bournemouth, Christchurch and Poole",2' in printed.splitlines()
    assert len(printed.splitlines()) == 1 + len(by_authority)


def test_by_csp_maps_local_authorities_and_reports_unmapped_ones(shared_data: Path) -> None:
    services.import_lookups([shared_data / "lookups"], imported_by="test")
    import_street(LEICS_2020_03, NORTHANTS_2025_01)
    leics = read_rows(LEICS_2020_03)
    blaby = sum(1 for r in leics if r["LSOA name"].startswith("Blaby "))
    no_location = sum(1 for r in leics if not r["LSOA name"])

    leics_printed = query("--force", "leicestershire", "--by", "csp", "--format", "csv")
    northants_printed = query("--force", "northamptonshire", "--by", "csp", "--format", "csv")

    assert leics_printed.splitlines()[0] == "month,force,csp,count"
    assert f"2020-03,leicestershire,Blaby,{blaby}" in leics_printed.splitlines()
    assert f"2020-03,leicestershire,,{no_location}" in leics_printed.splitlines()
    assert "unmapped" not in leics_printed
    assert northants_printed == csv_lines(
        "month,force,csp,count", [("2025-01", "northamptonshire", "unmapped", 80)]
    )


def test_table_format_is_for_reading() -> None:
    import_street(LEICS_2020_03)

    printed = query("--force", "leicestershire", "--format", "table")

    assert "Violence and sexual offences" in printed and "crime_type" in printed


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--force", "leicestershire", "--from", "2020-13"], '--from: "2020-13" is not a month'),
        (["--force", "nowhere"], 'there is no force "nowhere"'),
    ],
)
def test_mistakes_are_explained(args: list[str], message: str) -> None:
    import_street(LEICS_2020_03)

    result = runner.invoke(app, ["query", "counts", *args])

    assert result.exit_code == 1
    assert message in result.output
