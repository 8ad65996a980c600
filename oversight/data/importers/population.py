"""Reading population estimates by police force area, from the two shared sources.

- The ONS police force area data tables, as the tidy long CSV
  (``period_end,edition_file,table,area_code,area_name,variable,measure,value``): table P3
  gives each PFA's mid-2016, mid-2017 and mid-2018 population. Where several editions give
  the same year, the latest edition is used.
- ``population_policeforces.csv`` (``year,<English PFA names>…``): ONS mid-year estimates
  2009–2019 compiled by a third party from a merged local-authority topology, so slightly
  different from the official PFA figures.

Each source has a rank; the ONS tables outrank the compiled table, so where both give a
force and year the ONS figure is kept whichever is imported first. Reading only parses and
checks; ``services.import_population`` stores.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from oversight.data.forces import BY_ONS_CODE, find_force
from oversight.data.validate import ImportFileError, text_stream

ONS_COLUMNS = [
    "period_end",
    "edition_file",
    "table",
    "area_code",
    "area_name",
    "variable",
    "measure",
    "value",
]
NOT_AVAILABLE = {"..", ":", "x", "+"}
"""ONS markers for a figure not available (e.g. Greater Manchester in the 2019 editions)."""
ONS_RANK = 2
COMPILED_RANK = 1
COMPILED_SOURCE = (
    "ONS mid-year estimate, compiled by LeonardoCastro/BritishDrugDynamics "
    "(population_policeforces.csv) from merged local authorities"
)
FILE_FIX = (
    "use the ONS PFA tables long CSV (pfa_tables_p1_p3_long.csv) or population_policeforces.csv"
)


@dataclass(frozen=True)
class PopulationRow:
    """One force's population in one mid-year, and the publication it comes from."""

    force_slug: str
    year: int
    value: int
    source: str


@dataclass(frozen=True)
class PopulationFile:
    """A parsed population file: what it is, its rank against other sources, and its rows."""

    path: Path
    publisher: str
    rank: int
    rows: tuple[PopulationRow, ...]
    rows_read: int


def find_population_files(paths: list[Path]) -> tuple[list[Path], list[Path]]:
    """(files to read, files skipped): named files are all read; a folder's CSV files are
    read if their header is one this import understands, and skipped otherwise."""
    chosen: list[Path] = []
    skipped: list[Path] = []
    for path in paths:
        if path.is_dir():
            for inside in sorted(path.rglob("*.csv")):
                (chosen if _kind(_header(inside)) else skipped).append(inside)
        elif path.is_file():
            chosen.append(path)
        else:
            raise ImportFileError(
                str(path), None, None, None, "check the path", problem="does not exist"
            )
    return chosen, skipped


def _header(path: Path) -> list[str]:
    with text_stream(path) as stream:
        return next(csv.reader(stream), [])


def _kind(header: list[str]) -> str | None:
    if header == ONS_COLUMNS:
        return "ons"
    if header[:1] == ["year"] and len(header) > 1 and all(find_force(h) for h in header[1:]):
        return "compiled"
    return None


def read_population_file(path: Path) -> PopulationFile:
    """Parse and check one population file."""
    with text_stream(path) as stream:
        rows = list(csv.reader(stream))
    header = rows[0] if rows else []
    kind = _kind(header)
    if kind == "ons":
        return _ons_file(path, rows[1:])
    if kind == "compiled":
        return _compiled_file(path, header, rows[1:])
    if header[:1] == ["year"]:
        unknown = next(h for h in header[1:] if not find_force(h))
        raise ImportFileError(
            path.name,
            1,
            unknown,
            None,
            "this import takes police force areas only; name each column "
            "after a force area, e.g. Leicestershire",
            problem="is not a police force area",
        )
    raise ImportFileError(
        path.name,
        1,
        None,
        ",".join(header)[:80],
        FILE_FIX,
        problem="is not a header this import understands",
    )


def _ons_file(path: Path, rows: list[list[str]]) -> PopulationFile:
    """P3 population rows for PFAs; per force and year, the latest edition wins."""
    latest: dict[tuple[str, int], tuple[str, PopulationRow]] = {}
    for number, row in enumerate(rows, start=2):
        if len(row) != len(ONS_COLUMNS):
            raise ImportFileError(
                path.name,
                number,
                None,
                None,
                f"give every row {len(ONS_COLUMNS)} values",
                problem=f"has {len(row)} values",
            )
        values = dict(zip(ONS_COLUMNS, row, strict=True))
        year = re.fullmatch(r"population_mid([0-9]{4})", values["variable"])
        if (
            values["table"] != "Table P3"
            or not year
            or values["area_code"] not in BY_ONS_CODE
            or values["value"].strip() in NOT_AVAILABLE
        ):
            continue
        value = _count(path.name, number, "value", values["value"])
        source = _ons_source(values["period_end"], values["edition_file"], int(year[1]))
        key = (BY_ONS_CODE[values["area_code"]].slug, int(year[1]))
        if key not in latest or values["period_end"] > latest[key][0]:
            latest[key] = (values["period_end"], PopulationRow(key[0], key[1], value, source))
    return PopulationFile(
        path,
        "ONS police force area data tables (table P3)",
        ONS_RANK,
        tuple(row for _, row in sorted(latest.values(), key=_order)),
        len(rows),
    )


def _order(item: tuple[str, PopulationRow]) -> tuple[str, int]:
    return item[1].force_slug, item[1].year


def _ons_source(period_end: str, edition_file: str, year: int) -> str:
    when = date.fromisoformat(period_end + "-01").strftime("%B %Y")
    return (
        f"ONS mid-{year} population estimate, from the ONS police force area data tables, "
        f"year ending {when} ({edition_file}, table P3)"
    )


def _compiled_file(path: Path, header: list[str], rows: list[list[str]]) -> PopulationFile:
    forces = [find_force(name) for name in header[1:]]
    parsed = []
    for number, row in enumerate(rows, start=2):
        if len(row) != len(header):
            raise ImportFileError(
                path.name,
                number,
                None,
                None,
                f"give every row {len(header)} values",
                problem=f"has {len(row)} values",
            )
        if not re.fullmatch(r"(19|20)[0-9]{2}", row[0]):
            raise ImportFileError(
                path.name, number, "year", row[0], "use a year like 2019", problem="is not a year"
            )
        for column, force, raw in zip(header[1:], forces, row[1:], strict=True):
            assert force is not None
            parsed.append(
                PopulationRow(
                    force.slug, int(row[0]), _count(path.name, number, column, raw), COMPILED_SOURCE
                )
            )
    return PopulationFile(
        path,
        "ONS mid-year estimates, compiled by a third party",
        COMPILED_RANK,
        tuple(parsed),
        len(rows),
    )


def _count(name: str, row: int, column: str, raw: str) -> int:
    text = raw.strip().replace(",", "")
    if not re.fullmatch(r"[0-9]+(\.0+)?", text):
        raise ImportFileError(
            name, row, column, raw, "use a whole number of people", problem="is not a population"
        )
    return int(float(text))


# --- local authorities --------------------------------------------------------------------

LA_SOURCE = (
    "ONS mid-year estimate, compiled by LeonardoCastro/BritishDrugDynamics (population_la.csv)"
)
LA_RANK = 1


@dataclass(frozen=True)
class AreaPopulationRow:
    """One local authority's population in one mid-year."""

    area_code: str
    year: int
    value: int


@dataclass(frozen=True)
class AreaPopulationFile:
    path: Path
    rows: tuple[AreaPopulationRow, ...]
    rows_read: int
    matched: tuple[str, ...]
    unmatched: tuple[str, ...]


def is_local_authority_file(path: Path, la_codes: dict[str, str]) -> bool:
    """Whether a ``year,<name>…`` file is by local authority: most of its columns are local
    authorities the lookups know (``la_codes``: name key → code)."""
    if not la_codes or path.suffix.lower() != ".csv":
        return False
    header = _header(path)
    if header[:1] != ["year"] or len(header) < 2:
        return False
    matched = sum(1 for name in header[1:] if la_key(name) in la_codes)
    return matched * 2 >= len(header) - 1


def la_key(name: str) -> str:
    """A local authority name as matched: "Bristol, City of" matches "Bristol"."""
    from oversight.data.queries import _name_key

    return _name_key(name.replace("St. ", "St "))


def read_la_population_file(path: Path, la_codes: dict[str, str]) -> AreaPopulationFile:
    """Parse a population file by local authority; columns that are not one local authority
    the lookups know (the compiler merged some, e.g. "Leicestershire and Rutland") are listed
    as unmatched and not stored."""
    with text_stream(path) as stream:
        rows = list(csv.reader(stream))
    header = rows[0]
    columns = [(i, name, la_codes.get(la_key(name))) for i, name in enumerate(header) if i]
    parsed = []
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            raise ImportFileError(
                path.name,
                number,
                None,
                None,
                f"give every row {len(header)} values",
                problem=f"has {len(row)} values",
            )
        if not re.fullmatch(r"(19|20)[0-9]{2}", row[0]):
            raise ImportFileError(
                path.name, number, "year", row[0], "use a year like 2019", problem="is not a year"
            )
        for index, name, code in columns:
            if code is not None:
                parsed.append(
                    AreaPopulationRow(
                        code, int(row[0]), _count(path.name, number, name, row[index])
                    )
                )
    return AreaPopulationFile(
        path,
        tuple(parsed),
        len(rows) - 1,
        tuple(name for _, name, code in columns if code),
        tuple(name for _, name, code in columns if not code),
    )
