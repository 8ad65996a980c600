"""Reading area lookups: ONS LAD → CSP → PFA files and the data.police.uk force list.

Two kinds of file are understood, told apart by their header (a UTF-8 byte order mark is
allowed, as the ONS files have one):

- the ONS "Local Authority District to Community Safety Partnerships to Police Force Areas"
  lookup (``LAD16CD,LAD16NM,CSP16CD,CSP16NM,PFA16CD,PFA16NM,FID``; any year's column names);
- the force list ``id,Label,…`` mapping data.police.uk slugs to force names (the datahub copy
  also has a "Population 2010" column, which is misaligned and is ignored).

Reading only parses and checks; ``services.import_lookups`` stores.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from oversight.data.forces import BY_ONS_CODE
from oversight.data.validate import ImportFileError, text_stream

MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
AREA_HEADER = re.compile(r"LAD(?P<yy>[0-9]{2})CD")
CODE_PATTERNS = {
    "LAD": r"[EW]0[6-9][0-9]{6}",
    "CSP": r"E22[0-9]{6}|W14[0-9]{6}",
    "PFA": r"E23[0-9]{6}|W15[0-9]{6}",
}
AREA_FIX = (
    "use the ONS lookup with columns LADyyCD, LADyyNM, CSPyyCD, CSPyyNM, PFAyyCD, "
    "PFAyyNM, or the force list with columns id, Label"
)


@dataclass(frozen=True)
class AreaRow:
    """One local authority, its community safety partnership and its police force area."""

    lad_code: str
    lad_name: str
    csp_code: str
    csp_name: str
    pfa_code: str
    force_slug: str


@dataclass(frozen=True)
class ForceRow:
    """One data.police.uk force: its slug and the name the force list gives it."""

    slug: str
    label: str


@dataclass(frozen=True)
class LookupFile:
    """A parsed lookup file: its kind, the vintage it describes and its rows."""

    path: Path
    kind: str  # "areas" or "forces"
    vintage: str  # YYYY-MM the lookup is as at, or "" for the force list
    areas: tuple[AreaRow, ...] = ()
    forces: tuple[ForceRow, ...] = ()


def find_lookup_files(paths: list[Path]) -> list[Path]:
    """The CSV files named, or inside named folders."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(path.rglob("*.csv")))
        elif path.is_file():
            found.append(path)
        else:
            raise ImportFileError(
                str(path), None, None, None, "check the path", problem="does not exist"
            )
    return found


def read_lookup_file(path: Path) -> LookupFile:
    """Parse and check one lookup file."""
    with text_stream(path) as stream:
        rows = list(csv.reader(stream))
    if not rows:
        raise ImportFileError(path.name, None, None, None, AREA_FIX, problem="is empty")
    header = rows[0]
    if header[:2] == ["id", "Label"]:
        return LookupFile(path, "forces", "", forces=_force_rows(path.name, rows[1:]))
    match = AREA_HEADER.fullmatch(header[0]) if header else None
    if match is None:
        raise ImportFileError(
            path.name,
            1,
            None,
            ",".join(header)[:80],
            AREA_FIX,
            problem="is not a header this import understands",
        )
    return LookupFile(
        path,
        "areas",
        _vintage(path.name, match["yy"]),
        areas=_area_rows(path.name, match["yy"], header, rows[1:]),
    )


def _vintage(file_name: str, yy: str) -> str:
    """YYYY-MM from a name like ..._Dec2016.csv, else the header's year (as January)."""
    match = re.search(r"(?i)(" + "|".join(MONTHS) + r")[a-z]*[_ -]?(20[0-9]{2})", file_name)
    if match:
        return f"{match[2]}-{MONTHS.index(match[1][:3].lower()) + 1:02d}"
    return f"20{yy}-01"


def _area_rows(name: str, yy: str, header: list[str], rows: list[list[str]]) -> tuple[AreaRow, ...]:
    wanted = [f"{kind}{yy}{part}" for kind in ("LAD", "CSP", "PFA") for part in ("CD", "NM")]
    missing = [column for column in wanted if column not in header]
    if missing:
        raise ImportFileError(name, 1, missing[0], None, AREA_FIX, problem="is missing")
    at = {column: header.index(column) for column in wanted}
    parsed = []
    for number, row in enumerate(rows, start=2):
        values = {
            column: row[at[column]].strip() if at[column] < len(row) else "" for column in wanted
        }
        _check_codes(name, number, yy, values)
        parsed.append(
            AreaRow(
                values[f"LAD{yy}CD"],
                values[f"LAD{yy}NM"],
                values[f"CSP{yy}CD"],
                values[f"CSP{yy}NM"],
                values[f"PFA{yy}CD"],
                BY_ONS_CODE[values[f"PFA{yy}CD"]].slug,
            )
        )
    return tuple(parsed)


def _check_codes(name: str, row: int, yy: str, values: dict[str, str]) -> None:
    for kind, pattern in CODE_PATTERNS.items():
        column = f"{kind}{yy}CD"
        if not re.fullmatch(pattern, values[column]):
            raise ImportFileError(
                name,
                row,
                column,
                values[column],
                "use the ONS code as published, e.g. E07000129",
                problem=f"is not an ONS {kind} code",
            )
        if not values[f"{kind}{yy}NM"]:
            raise ImportFileError(
                name, row, f"{kind}{yy}NM", None, "give the area's name", problem="is empty"
            )
    if values[f"PFA{yy}CD"] not in BY_ONS_CODE:
        raise ImportFileError(
            name,
            row,
            f"PFA{yy}CD",
            values[f"PFA{yy}CD"],
            "use a police force area code from E23000001 to E23000039 or W15000001 to W15000004",
            problem="is not a police force area",
        )


def _force_rows(name: str, rows: list[list[str]]) -> tuple[ForceRow, ...]:
    parsed = []
    for number, row in enumerate(rows, start=2):
        slug = row[0].strip() if row else ""
        label = row[1].strip() if len(row) > 1 else ""
        if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug):
            raise ImportFileError(
                name,
                number,
                "id",
                slug,
                "use the data.police.uk force identifier, e.g. leicestershire",
                problem="is not a force identifier",
            )
        if not label:
            raise ImportFileError(
                name, number, "Label", None, "give the force's name", problem="is empty"
            )
        parsed.append(ForceRow(slug, label))
    return tuple(parsed)
