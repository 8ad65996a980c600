"""Bad street-level files: each fails the whole import with the file, row, column, value and
fix, and leaves every table exactly as it was. Each bad file is a real fixture with one
thing changed."""

from __future__ import annotations

import gzip
from collections.abc import Callable
from pathlib import Path

import pytest

from oversight.data.validate import ImportFileError
from tests.data.conftest import (
    LEICS_2020_03,
    LEICS_2025_04,
    NORTHANTS_2022_01,
    dump_tables,
    import_street,
    set_value,
)

pytestmark = pytest.mark.django_db
NAME = "2020-03-leicestershire-street.csv"

CASES: dict[str, tuple[dict[str, object], str]] = {
    "wrong header": (
        {"row": 1, "change": lambda line: line.replace(b"Falls within", b"Falls Within")},
        f'{NAME}, row 1, column 4 (Falls within): "Falls Within" should be "Falls within"; '
        "the first row must be exactly: Crime ID,Month,Reported by,Falls within,",
    ),
    "missing column": (
        {"row": 1, "change": lambda line: line.replace(b",Context", b"")},
        f"{NAME}, row 1, column 12 (Context): is missing: the header has 11 columns; ",
    ),
    "bad month": (
        {"row": 50, "change": set_value("Month", "2020-13")},
        f'{NAME}, row 50, column Month: "2020-13" is not a month; use YYYY-MM',
    ),
    "month not the file's": (
        {"row": 61, "change": set_value("Month", "2020-04")},
        f'{NAME}, row 61, column Month: "2020-04" is not the month in the file name; every '
        f"row of {NAME} must be for 2020-03;",
    ),
    "unknown crime type": (
        {"row": 70, "change": set_value("Crime type", "Burglery")},
        f'{NAME}, row 70, column Crime type: "Burglery" is not a data.police.uk crime type; use '
        'one of the 14 types exactly as data.police.uk writes them (did you mean "Burglary"?)',
    ),
    "unknown force": (
        {"row": 80, "change": set_value("Falls within", "Leicestershire Constabulary")},
        f'{NAME}, row 80, column Falls within: "Leicestershire Constabulary" is not a known '
        "force name; use the force's name as data.police.uk writes it",
    ),
    "negative latitude": (
        {"row": 90, "change": set_value("Latitude", "-52.623430")},
        f'{NAME}, row 90, column Latitude: "-52.623430" is not a latitude in the UK; use '
        "decimal degrees from 49 to 61, or leave it empty for no location",
    ),
    "garbage longitude": (
        {"row": 91, "change": set_value("Longitude", "1.2.3")},
        f'{NAME}, row 91, column Longitude: "1.2.3" is not a longitude in the UK; use decimal '
        "degrees from -9 to 3, or leave it empty for no location",
    ),
    "bad LSOA code": (
        {"row": 92, "change": set_value("LSOA code", "E1025631")},
        f'{NAME}, row 92, column LSOA code: "E1025631" is not an LSOA code; use a code like '
        "E01025734 or W01000001, or leave it empty for no location",
    ),
    "empty month": (
        {"row": 93, "change": set_value("Month", "")},
        f'{NAME}, row 93, column Month: "" is not a month; use YYYY-MM',
    ),
    "non-UTF-8 byte": (
        {"row": 100, "change": lambda line: line.replace(b"On or near", b"On or n\xe9ar", 1)},
        f'{NAME}, row 100, column Location: "On or n\\xe9ar ',
    ),
    "too few values": (
        {"row": 101, "change": lambda line: line.replace(b",Leicestershire Police", b"", 1)},
        f"{NAME}, row 101: has 11 values, not 12; quote any value that contains a comma",
    ),
    "empty file": (
        {"whole": lambda data: b""},
        f"{NAME}: is empty: it has no header row; download the file again from data.police.uk",
    ),
    "header only": (
        {"whole": lambda data: data.splitlines(keepends=True)[0]},
        f"{NAME}, row 2: has a header but no rows; download the file again from data.police.uk",
    ),
}


@pytest.fixture
def database_with_data() -> dict[str, list[tuple[object, ...]]]:
    """A database already holding an import, dumped table by table."""
    import_street(NORTHANTS_2022_01)
    return dump_tables()


@pytest.mark.parametrize("case", list(CASES))
def test_a_bad_file_fails_the_import_and_changes_nothing(
    case: str, edited_copy: Callable[..., Path], database_with_data: dict
) -> None:
    edit, message = CASES[case]
    bad = edited_copy(LEICS_2020_03, **edit)

    with pytest.raises(ImportFileError) as caught:
        import_street(LEICS_2025_04, bad)  # the good file is not stored either

    assert str(caught.value).startswith(message), str(caught.value)
    assert dump_tables() == database_with_data


@pytest.mark.parametrize("case", ["bad month", "unknown crime type", "non-UTF-8 byte"])
def test_the_same_errors_are_found_in_gzip_files(
    case: str, edited_copy: Callable[..., Path], database_with_data: dict
) -> None:
    edit, message = CASES[case]
    bad = edited_copy(LEICS_2020_03, gzip_it=True, **edit)

    with pytest.raises(ImportFileError) as caught:
        import_street(bad)

    assert str(caught.value).startswith(message.replace(NAME, NAME + ".gz"))
    assert dump_tables() == database_with_data


def test_a_truncated_gzip_file(
    edited_copy: Callable[..., Path], database_with_data: dict, tmp_path: Path
) -> None:
    whole = LEICS_2025_04.read_bytes()
    truncated = tmp_path / LEICS_2025_04.name
    truncated.write_bytes(whole[: len(whole) // 2])

    with pytest.raises(ImportFileError) as caught:
        import_street(LEICS_2020_03, truncated)

    text = str(caught.value)
    assert text.startswith("2025-04-leicestershire-street.csv.gz, row ")
    assert "ends early: the gzip data is cut off (truncated); download the file again" in text
    row = int(text.split("row ")[1].split(":")[0])
    rows_before_cut = gzip.decompress(whole).count(b"\n")
    assert 1 < row <= rows_before_cut
    assert dump_tables() == database_with_data


def test_a_file_that_is_not_gzip(tmp_path: Path, database_with_data: dict) -> None:
    fake = tmp_path / "2020-03-leicestershire-street.csv.gz"
    fake.write_bytes(LEICS_2020_03.read_bytes())

    with pytest.raises(ImportFileError, match="is not a gzip file, although its name ends in .gz"):
        import_street(fake)
    assert dump_tables() == database_with_data


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("leicestershire-2020-03.csv", "is not a street-level file name"),
        ("2020-03-leics-street.csv", '"leics" is not a data.police.uk force'),
    ],
)
def test_file_names_must_say_month_and_force(
    name: str, message: str, tmp_path: Path, database_with_data: dict
) -> None:
    renamed = tmp_path / name
    renamed.write_bytes(LEICS_2020_03.read_bytes())

    with pytest.raises(ImportFileError, match=message):
        import_street(renamed)
    assert dump_tables() == database_with_data


def test_a_folder_with_no_street_files(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match="has no street-level files"):
        import_street(tmp_path)


def test_the_first_bad_row_is_named(edited_copy: Callable[..., Path]) -> None:
    def two_problems(data: bytes) -> bytes:
        lines = data.splitlines(keepends=True)
        lines[120] = set_value("Crime type", "Arson")(lines[120])
        lines[40] = set_value("Month", "2020-3")(lines[40])
        return b"".join(lines)

    with pytest.raises(ImportFileError, match=r", row 41, column Month: \"2020-3\""):
        import_street(edited_copy(LEICS_2020_03, whole=two_problems))
