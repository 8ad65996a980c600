"""Helpers for the data tests: real fixture files, files made bad in one way, table dumps."""

from __future__ import annotations

import csv
import gzip
import io
import shutil
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from django.db import connection

from oversight.data import services
from oversight.data.services import ImportResult

POLICE_UK = Path(__file__).resolve().parent.parent / "fixtures" / "police-uk"
LEICS_2020_03 = POLICE_UK / "2020-03-leicestershire-street.csv"
NORTHANTS_2022_01 = POLICE_UK / "2022-01-northamptonshire-street.csv.gz"
LEICS_2025_04 = POLICE_UK / "2025-04-leicestershire-street.csv.gz"
NORTHANTS_2025_01 = POLICE_UK / "2025-01-northamptonshire-street.csv"


def read_rows(path: Path) -> list[dict[str, str]]:
    """A street-level file's data rows, read independently with the csv module."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def count_by(rows: list[dict[str, str]], *columns: str) -> Counter[tuple[str, ...]]:
    return Counter(tuple(row[c] for c in columns) for row in rows)


def dump_tables() -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table in the database, for before/after comparisons."""
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        dump = {}
        for table in sorted(tables):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            dump[table] = sorted(cursor.fetchall(), key=repr)
    return dump


def import_street(*paths: Path) -> ImportResult:
    return services.import_police_uk(list(paths), imported_by="test")


@pytest.fixture
def leicestershire_files(shared_data: Path) -> list[Path]:
    """All 51 months of real Leicestershire street-level files in the shared data."""
    files = sorted((shared_data / "police-uk" / "street").glob("*/*-leicestershire-street.csv.gz"))
    assert len(files) == 51
    return files


@pytest.fixture
def edited_copy(tmp_path: Path) -> Callable[..., Path]:
    """A copy of a fixture file, under its own name, with raw bytes of one row changed."""

    def make(
        source: Path,
        row: int | None = None,
        change: Callable[[bytes], bytes] = lambda line: line,
        whole: Callable[[bytes], bytes] | None = None,
        gzip_it: bool = False,
        name: str | None = None,
    ) -> Path:
        raw = (
            gzip.decompress(source.read_bytes()) if source.suffix == ".gz" else source.read_bytes()
        )
        lines = raw.splitlines(keepends=True)
        if row is not None:
            lines[row - 1] = change(lines[row - 1])
        data = b"".join(lines)
        if whole is not None:
            data = whole(data)
        folder = tmp_path / f"edited-{len(list(tmp_path.iterdir()))}"
        folder.mkdir()
        target = folder / (name or source.name.removesuffix(".gz"))
        if gzip_it or target.suffix == ".gz":
            target = target.with_name(target.name.removesuffix(".gz") + ".gz")
            data = gzip.compress(data, mtime=0)
        target.write_bytes(data)
        return target

    return make


def set_value(column: str, value: str) -> Callable[[bytes], bytes]:
    """A change to one row: put ``value`` in ``column`` (by the 12 street columns)."""
    from oversight.data.validate import STREET_COLUMNS

    def change(line: bytes) -> bytes:
        ending = line[len(line.rstrip(b"\r\n")) :]
        fields = next(csv.reader([line.decode("utf-8")]))
        fields[STREET_COLUMNS.index(column)] = value
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="").writerow(fields)
        return buffer.getvalue().encode("utf-8") + ending

    return change


def copy_into(folder: Path, *paths: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return [Path(shutil.copy(path, folder / path.name)) for path in paths]
