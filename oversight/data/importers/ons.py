"""Reading the ONS "Crime in England and Wales: Police Force Area data tables".

Two forms are understood:

- the quarterly workbooks themselves (``.xlsx``): table P1 (number of offences by offence
  group and area) and table P3 (rate per 1,000 people, with the mid-year population and
  household figures the rates use). The sheet names vary ("Table P1 " with a space), the
  column headings carry footnote numbers ("Residential burglary5,6") and the offence labels
  vary a little between editions; all of that is normalised here.
- the tidy long CSV (``period_end,edition_file,table,area_code,area_name,variable,measure,
  value``) extracted from the same eight workbooks.

Every figure keeps the edition (publication file) it came from. Offences are mapped to one
fixed tree of slugs (``OFFENCES``) so that a figure lines up across editions whatever label an
edition prints. Values ``..`` (not available, e.g. Greater Manchester in the 2019 editions)
and ``+`` (suppressed, City of London rates) are kept as markers with no value. The British
Transport Police row has no area code and is not stored (it is counted in the batch details).

Reading only parses and checks; ``services.import_ons`` stores.
"""

from __future__ import annotations

import csv
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from oversight.data.forces import BY_ONS_CODE
from oversight.data.validate import ImportFileError, text_stream

LONG_COLUMNS = [
    "period_end",
    "edition_file",
    "table",
    "area_code",
    "area_name",
    "variable",
    "measure",
    "value",
]
MARKERS = {"..": "not available", "+": "suppressed", ":": "not available", "x": "suppressed"}
AREA_CODE = re.compile(r"[EWK][0-9]{8}")
MONTHS = {
    name: number
    for number, name in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ],
        start=1,
    )
}
XLSX_FIX = "use an ONS police force area data tables workbook (.xlsx) as published"
LONG_FIX = "use the long CSV with columns " + ",".join(LONG_COLUMNS)


@dataclass(frozen=True)
class Offence:
    """One offence group or subgroup of the tables."""

    slug: str
    label: str
    parent: str
    level: int
    category: str  # "victim-based", "other crimes against society" or "" for the total
    aliases: tuple[str, ...] = ()


VICTIM = "victim-based crime"
SOCIETY = "other crimes against society"
TOTAL = "total-recorded-crime"
OFFENCES: tuple[Offence, ...] = (
    Offence(TOTAL, "Total recorded crime (excluding fraud)", "", 0, ""),
    Offence("violence-against-the-person", "Violence against the person", TOTAL, 1, VICTIM),
    Offence("homicide", "Homicide", "violence-against-the-person", 2, VICTIM),
    Offence(
        "violence-with-injury", "Violence with injury", "violence-against-the-person", 2, VICTIM
    ),
    Offence(
        "violence-without-injury",
        "Violence without injury",
        "violence-against-the-person",
        2,
        VICTIM,
    ),
    Offence(
        "stalking-and-harassment",
        "Stalking and harassment",
        "violence-against-the-person",
        2,
        VICTIM,
    ),
    Offence(
        "death-or-serious-injury-unlawful-driving",
        "Death or serious injury - unlawful driving",
        "violence-against-the-person",
        2,
        VICTIM,
        ("Death or serious injury caused by illegal driving",),
    ),
    Offence("sexual-offences", "Sexual offences", TOTAL, 1, VICTIM),
    Offence("robbery", "Robbery", TOTAL, 1, VICTIM),
    Offence("theft-offences", "Theft offences", TOTAL, 1, VICTIM),
    Offence("burglary", "Burglary", "theft-offences", 2, VICTIM),
    Offence(
        "residential-burglary",
        "Residential burglary",
        "burglary",
        3,
        VICTIM,
        ("Domestic burglary",),
    ),
    Offence(
        "non-residential-burglary",
        "Non-residential burglary",
        "burglary",
        3,
        VICTIM,
        ("Non-domestic burglary",),
    ),
    Offence("vehicle-offences", "Vehicle offences", "theft-offences", 2, VICTIM),
    Offence("theft-from-the-person", "Theft from the person", "theft-offences", 2, VICTIM),
    Offence("bicycle-theft", "Bicycle theft", "theft-offences", 2, VICTIM),
    Offence("shoplifting", "Shoplifting", "theft-offences", 2, VICTIM),
    Offence(
        "other-theft-offences",
        "Other theft offences",
        "theft-offences",
        2,
        VICTIM,
        ("All other theft offences",),
    ),
    Offence("criminal-damage-and-arson", "Criminal damage and arson", TOTAL, 1, VICTIM),
    Offence("drug-offences", "Drug offences", TOTAL, 1, SOCIETY),
    Offence("possession-of-weapons-offences", "Possession of weapons offences", TOTAL, 1, SOCIETY),
    Offence("public-order-offences", "Public order offences", TOTAL, 1, SOCIETY),
    Offence(
        "miscellaneous-crimes-against-society",
        "Miscellaneous crimes against society",
        TOTAL,
        1,
        SOCIETY,
        ("Miscellaneous crimes",),
    ),
)
BY_OFFENCE: dict[str, Offence] = {o.slug: o for o in OFFENCES}
HOUSEHOLD_RATE_LABEL = "residential burglary (households)"
GROUP_HEADINGS = {"victim-based crime", "other crimes against society"}
"""Headings printed above groups of columns, not columns of their own."""


def _key(text: str) -> str:
    return " ".join(text.lower().replace("–", "-").split())


_BY_LABEL: dict[str, Offence] = {}
for _offence in OFFENCES:
    for _label in (_offence.label, *_offence.aliases):
        _BY_LABEL[_key(_label)] = _offence


def offence_for(label: str) -> Offence | None:
    """The offence an edition means by a (cleaned) label, if it is one the tables use."""
    return _BY_LABEL.get(_key(label))


def clean_label(text: Any) -> str:
    """A heading or area name without footnote numbers and extra spaces.

    ``"Residential burglary5,6"`` and ``"Residential burglary (households) 6,7,9"`` lose their
    footnotes; ``"Total recorded crime (excluding fraud3)"`` becomes ``"… (excluding fraud)"``.
    """
    text = " ".join(str(text).split())
    text = re.sub(r"(?<=[a-z])[0-9]+(,\s?[0-9]+)*(?=\))", "", text)
    text = re.sub(r"(?<=[A-Za-z)])\s?[0-9]+(,\s?[0-9]+)*$", "", text)
    return text.strip()


@dataclass(frozen=True)
class FigureRow:
    """One figure as read, before it is stored."""

    period_end: str
    edition: str
    table: str
    area_code: str
    area_name: str
    area_kind: str
    force_slug: str
    offence: str
    offence_label: str
    parent_offence: str
    level: int
    measure: str
    value: float | None
    marker: str
    population_vintage: str

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.area_code, self.period_end, self.offence, self.measure)


@dataclass
class OnsFile:
    """A parsed file: the figures of one or more editions."""

    path: Path
    form: str  # "xlsx" or "long"
    figures: list[FigureRow]
    rows_read: int
    editions: dict[str, str] = field(default_factory=dict)  # edition -> period_end
    skipped: list[str] = field(default_factory=list)

    @property
    def first_period(self) -> str:
        return min(self.editions.values(), default="")


def area_kind(code: str) -> str:
    if code[:3] in ("E23", "W15"):
        return "pfa"
    if code.startswith("E12"):
        return "region"
    return "country"


def _force_slug(code: str) -> str:
    known = BY_ONS_CODE.get(code)
    return known.slug if known else ""


# --- finding files ------------------------------------------------------------------------


def long_header(path: Path) -> list[str]:
    try:
        with text_stream(path) as stream:
            return next(csv.reader(stream), [])
    except (UnicodeDecodeError, OSError):
        return []


def find_ons_files(paths: list[Path]) -> tuple[list[Path], list[Path]]:
    """(files to read, files skipped) from the paths given: a named file is always read (and
    refused if it is not an ONS table); in a folder, workbooks and the long CSV are read and
    anything else skipped."""
    chosen: list[Path] = []
    skipped: list[Path] = []
    for path in paths:
        if path.is_dir():
            for inside in sorted(p for p in path.rglob("*") if p.is_file()):
                if inside.suffix.lower() == ".xlsx" and not inside.name.startswith("~$"):
                    chosen.append(inside)
                elif inside.suffix.lower() == ".csv" and long_header(inside) == LONG_COLUMNS:
                    chosen.append(inside)
                else:
                    skipped.append(inside)
        elif path.is_file():
            chosen.append(path)
        else:
            raise ImportFileError(
                str(path), None, None, None, "check the path", problem="does not exist"
            )
    return chosen, skipped


def read_ons_file(path: Path) -> OnsFile:
    """Parse and check one file (a workbook or the long CSV)."""
    if path.suffix.lower() == ".xlsx":
        return read_workbook(path)
    header = long_header(path)
    if header == LONG_COLUMNS:
        return read_long_csv(path)
    raise ImportFileError(
        path.name,
        None,
        None,
        None,
        f"{XLSX_FIX}, or {LONG_FIX}",
        problem="is not an ONS police force area table",
    )


# --- workbooks ----------------------------------------------------------------------------


def _sheet(workbook: Any, wanted: str, name: str) -> Any:
    for sheet_name in workbook.sheetnames:
        if " ".join(sheet_name.split()).lower() == wanted.lower():
            return workbook[sheet_name]
    raise ImportFileError(
        name,
        None,
        None,
        None,
        f"{XLSX_FIX}; its sheets are: {', '.join(workbook.sheetnames)}",
        problem=f'has no sheet "{wanted}"',
    )


def period_from_title(title: str) -> str | None:
    """``"…, year ending March 181,2,3"`` gives ``"2018-03"`` (footnotes run on the year)."""
    match = re.search(r"year ending ([A-Za-z]+) ([0-9]{2,})", title or "")
    if match is None or match[1].lower() not in MONTHS:
        return None
    digits = match[2]
    year = digits[:4] if digits.startswith("20") and len(digits) >= 4 else "20" + digits[:2]
    return f"{year}-{MONTHS[match[1].lower()]:02d}"


def _cell_name(row: int, column: int) -> str:
    from openpyxl.utils import get_column_letter

    return f"{get_column_letter(column)}{row}"


def read_workbook(path: Path) -> OnsFile:
    import openpyxl

    name = path.name
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True, keep_links=False)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise ImportFileError(
            name, None, None, None, XLSX_FIX, problem=f"cannot be opened as a workbook ({exc})"
        ) from None
    try:
        p1 = [tuple(r) for r in _sheet(workbook, "Table P1", name).iter_rows(values_only=True)]
        p3 = [tuple(r) for r in _sheet(workbook, "Table P3", name).iter_rows(values_only=True)]
    finally:
        workbook.close()
    title = str(p1[0][0]) if p1 and p1[0] else ""
    period = period_from_title(title)
    if period is None:
        raise ImportFileError(
            name,
            1,
            "A (Table P1)",
            title[:80],
            XLSX_FIX,
            problem='does not say "year ending <month> <year>"',
        )
    p3_period = period_from_title(str(p3[0][0]) if p3 and p3[0] else "")
    if p3_period != period:
        raise ImportFileError(
            name,
            1,
            "A (Table P3)",
            str(p3[0][0])[:80] if p3 and p3[0] else "",
            "tables P1 and P3 of one workbook must cover the same year",
            problem=f"is not for the year ending {period}",
        )
    skipped: list[str] = []
    figures = _table_figures(name, "P1", p1, period, skipped)
    figures += _table_figures(name, "P3", p3, period, skipped)
    return OnsFile(
        path,
        "xlsx",
        figures,
        rows_read=sum(1 for r in p1 + p3 if r and r[0] and AREA_CODE.fullmatch(str(r[0]).strip())),
        editions={name: period},
        skipped=sorted(set(skipped)),
    )


@dataclass(frozen=True)
class _Column:
    index: int
    label: str
    offence: Offence | None
    measure: str
    vintage: str


def _header_row(name: str, table: str, rows: list[tuple]) -> int:
    for number, row in enumerate(rows[:20]):
        if row and row[0] is not None and str(row[0]).strip().lower() == "area code":
            return number
    raise ImportFileError(
        name, None, None, None, XLSX_FIX, problem=f'has no "Area Code" heading in table {table}'
    )


def _columns(name: str, table: str, rows: list[tuple], header: int) -> list[_Column]:
    above = rows[header - 1] if header > 0 else ()
    columns: list[_Column] = []
    width = max(len(r) for r in rows)
    data_rows = [
        r for r in rows[header + 1 :] if r and r[0] and AREA_CODE.fullmatch(str(r[0]).strip())
    ]
    vintage = ""
    for index in range(2, width):
        text = rows[header][index] if index < len(rows[header]) else None
        if text is None and index < len(above):
            text = above[index]
        has_data = any(index < len(r) and isinstance(r[index], int | float) for r in data_rows)
        if text is None:
            if has_data:
                raise ImportFileError(
                    name,
                    header + 1,
                    _cell_name(header + 1, index + 1),
                    None,
                    XLSX_FIX,
                    problem=f"is a column of figures with no heading in table {table}",
                )
            continue
        label = clean_label(text)
        people = re.match(r"(Population|Household) figures \(mid-([0-9]{4})\)", label)
        if people:
            measure = "population" if people[1] == "Population" else "households"
            if measure == "population":
                vintage = f"mid-{people[2]}"
            columns.append(_Column(index, label, None, measure, f"mid-{people[2]}"))
            continue
        if _key(label) in GROUP_HEADINGS and not has_data:
            continue
        if _key(label) == HOUSEHOLD_RATE_LABEL:
            offence, measure = BY_OFFENCE["residential-burglary"], "rate_per_1000_households"
        else:
            offence = offence_for(label)
            measure = "count" if table == "P1" else "rate_per_1000_population"
        if offence is None:
            if not has_data:
                continue
            raise ImportFileError(
                name,
                header + 1,
                _cell_name(header + 1, index + 1),
                label,
                "the offence groups of the ONS tables are: " + ", ".join(o.label for o in OFFENCES),
                problem=f"is not an offence group of table {table}",
            )
        columns.append(_Column(index, label, offence, measure, ""))
    if table == "P3":
        columns = [
            _Column(c.index, c.label, c.offence, c.measure, c.vintage or vintage) for c in columns
        ]
    if not any(c.offence for c in columns):
        raise ImportFileError(
            name, header + 1, None, None, XLSX_FIX, problem=f"has no offence columns in {table}"
        )
    return columns


def _table_figures(
    name: str, table: str, rows: list[tuple], period: str, skipped: list[str]
) -> list[FigureRow]:
    header = _header_row(name, table, rows)
    columns = _columns(name, table, rows, header)
    figures: list[FigureRow] = []
    for number, row in enumerate(rows[header + 1 :], start=header + 2):
        if not row or all(v is None for v in row):
            continue
        code = str(row[0]).strip() if row[0] is not None else ""
        if not AREA_CODE.fullmatch(code):
            area = clean_label(row[1]) if len(row) > 1 and row[1] is not None else ""
            if area and not code and any(isinstance(v, int | float) for v in row[2:]):
                skipped.append(f"{area} (table {table}: no area code)")
            continue
        area_name = clean_label(row[1]) if len(row) > 1 and row[1] is not None else code
        for column in columns:
            raw = row[column.index] if column.index < len(row) else None
            value, marker = _value(name, number, column, raw, table)
            offence = column.offence
            figures.append(
                FigureRow(
                    period_end=period,
                    edition=name,
                    table=table,
                    area_code=code,
                    area_name=area_name,
                    area_kind=area_kind(code),
                    force_slug=_force_slug(code),
                    offence=offence.slug if offence else "",
                    offence_label=column.label if offence else "",
                    parent_offence=offence.parent if offence else "",
                    level=offence.level if offence else 0,
                    measure=column.measure,
                    value=value,
                    marker=marker,
                    population_vintage=column.vintage,
                )
            )
    return figures


def _value(name: str, row: int, column: _Column, raw: Any, table: str) -> tuple[float | None, str]:
    if isinstance(raw, bool) or raw is None or (isinstance(raw, str) and not raw.strip()):
        raise ImportFileError(
            name,
            row,
            f"{_cell_name(row, column.index + 1)} ({column.label}, table {table})",
            None,
            "give a number, or '..' where the figure is not available",
            problem="is empty",
        )
    if isinstance(raw, int | float):
        return float(raw), ""
    text = str(raw).strip()
    if text in MARKERS:
        return None, text
    try:
        return float(text.replace(",", "")), ""
    except ValueError:
        raise ImportFileError(
            name,
            row,
            f"{_cell_name(row, column.index + 1)} ({column.label}, table {table})",
            text,
            "give a number, or '..' where the figure is not available",
            problem="is not a number",
        ) from None


# --- the long CSV -------------------------------------------------------------------------


def read_long_csv(path: Path) -> OnsFile:
    name = path.name
    with text_stream(path) as stream:
        rows = list(csv.reader(stream))
    vintages: dict[str, str] = {}
    for row in rows[1:]:
        if len(row) == len(LONG_COLUMNS):
            match = re.fullmatch(r"population_mid([0-9]{4})", row[5])
            if match:
                vintages[row[1]] = f"mid-{match[1]}"
    figures: list[FigureRow] = []
    editions: dict[str, str] = {}
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != len(LONG_COLUMNS):
            raise ImportFileError(
                name,
                number,
                None,
                None,
                f"give every row {len(LONG_COLUMNS)} values",
                problem=f"has {len(row)} values",
            )
        values = dict(zip(LONG_COLUMNS, row, strict=True))
        figures.append(_long_figure(name, number, values, vintages))
        editions.setdefault(values["edition_file"], values["period_end"])
    return OnsFile(path, "long", figures, rows_read=len(rows) - 1, editions=editions)


def _long_figure(
    name: str, number: int, values: dict[str, str], vintages: dict[str, str]
) -> FigureRow:
    if not re.fullmatch(r"[0-9]{4}-(0[1-9]|1[0-2])", values["period_end"]):
        raise ImportFileError(
            name,
            number,
            "period_end",
            values["period_end"],
            "use YYYY-MM",
            problem="is not a month",
        )
    code = values["area_code"].strip()
    if not AREA_CODE.fullmatch(code):
        raise ImportFileError(
            name,
            number,
            "area_code",
            code,
            "use an ONS area code such as E23000021",
            problem="is not an area code",
        )
    table = values["table"].replace("Table", "").strip()
    if table not in ("P1", "P3"):
        raise ImportFileError(
            name,
            number,
            "table",
            values["table"],
            'use "Table P1" or "Table P3"',
            problem="is not a table this import takes",
        )
    variable = values["variable"]
    people = re.fullmatch(r"(population|households)_mid([0-9]{4})", variable)
    offence: Offence | None = None
    vintage = ""
    if people:
        measure, vintage = people[1], f"mid-{people[2]}"
    elif _key(variable) == HOUSEHOLD_RATE_LABEL:
        offence, measure = BY_OFFENCE["residential-burglary"], "rate_per_1000_households"
    else:
        offence = offence_for(variable)
        if offence is None:
            raise ImportFileError(
                name,
                number,
                "variable",
                variable,
                "use an offence group of the ONS tables, e.g. " + OFFENCES[1].label,
                problem="is not an offence group",
            )
        measure = "count" if values["measure"] == "count" else "rate_per_1000_population"
    if offence is not None and table == "P3":
        vintage = vintages.get(values["edition_file"], "")
    raw = values["value"].strip()
    if raw in MARKERS:
        value, marker = None, raw
    else:
        try:
            value, marker = float(raw), ""
        except ValueError:
            raise ImportFileError(
                name,
                number,
                "value",
                raw,
                "give a number, or '..' where not available",
                problem="is not a number",
            ) from None
    return FigureRow(
        period_end=values["period_end"],
        edition=values["edition_file"],
        table=table,
        area_code=code,
        area_name=clean_label(values["area_name"]),
        area_kind=area_kind(code),
        force_slug=_force_slug(code),
        offence=offence.slug if offence else "",
        offence_label=variable if offence else "",
        parent_offence=offence.parent if offence else "",
        level=offence.level if offence else 0,
        measure=measure,
        value=value,
        marker=marker,
        population_vintage=vintage,
    )
