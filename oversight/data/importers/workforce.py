"""Reading the Home Office "Police workforce, England and Wales" tables: police officers by
force at 31 March and 30 September.

Two forms are understood:

- the published OpenDocument spreadsheets (``.ods``), read with ``zipfile`` and the XML of
  ``content.xml`` (no spreadsheet library needed): table 1 is police officers (full-time
  equivalent) by police force area, as at three dates (e.g. Sep-18, Mar-19, Sep-19);
- the CSVs extracted from them by Resistance Lab: ``officer-fte-<year>.csv``
  (``Force/Region,September 2018,March 2019,September 2019``) and
  ``officer-headcount-2019.csv`` (headcount; its change columns are ignored).

Rows are forces, English regions (printed before their forces, so "West Midlands" the region
comes before West Midlands the force), totals and others (central secondments, British
Transport Police). Footnote numbers ("Derbyshire1") are removed. Each figure keeps the file it
came from; a later edition repeats earlier dates and may revise them.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

from oversight.data.forces import find_force
from oversight.data.validate import ImportFileError, text_stream

REGIONS = {
    "north east",
    "north west",
    "yorkshire and the humber",
    "east midlands",
    "west midlands",
    "eastern",
    "east of england",
    "east",
    "london",
    "south east",
    "south west",
    "wales",
}
TOTALS = {"total 43 forces", "total", "england and wales"}
OTHERS = {"central service secondments", "british transport police"}
MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
CSV_FIX = (
    "use the Home Office police workforce tables (.ods) or officer-fte-<year>.csv with "
    "columns Force/Region, then one column per date such as September 2019"
)
NS = {
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
}


@dataclass(frozen=True)
class WorkforceRow:
    as_at: dt.date
    measure: str
    area_name: str
    area_kind: str
    force_slug: str
    value: float

    @property
    def area_key(self) -> str:
        """The force's slug, else the name as a slug, so spellings line up across editions."""
        if self.force_slug:
            return self.force_slug
        return f"{self.area_kind}:" + re.sub(r"[^a-z0-9]+", "-", self.area_name.lower()).strip("-")


@dataclass
class WorkforceFile:
    path: Path
    form: str
    rows: list[WorkforceRow]
    rows_read: int
    dates: list[str] = field(default_factory=list)

    @property
    def latest(self) -> str:
        return max(self.dates, default="")


def find_workforce_files(paths: list[Path]) -> tuple[list[Path], list[Path]]:
    """(files to read, files skipped): in a folder, .ods tables and officer CSVs are read."""
    chosen: list[Path] = []
    skipped: list[Path] = []
    for path in paths:
        if path.is_dir():
            for inside in sorted(p for p in path.rglob("*") if p.is_file()):
                if inside.suffix.lower() == ".ods" or re.fullmatch(
                    r"officer-(fte|headcount)-[0-9]{4}\.csv", inside.name
                ):
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


def read_workforce_file(path: Path) -> WorkforceFile:
    if path.suffix.lower() == ".ods":
        return read_ods(path)
    if path.suffix.lower() == ".csv":
        return read_csv(path)
    raise ImportFileError(
        path.name, None, None, None, CSV_FIX, problem="is not a police workforce table"
    )


def _date_from_words(text: str) -> dt.date | None:
    """``September 2019``, ``Sep-19``, ``30 September 2019`` or ``2019-09-30`` as a date (the
    last day of the month: the tables count at 31 March and 30 September)."""
    text = text.strip()
    iso = re.fullmatch(r"([0-9]{4})-([0-9]{2})-([0-9]{2})(T.*)?", text)
    if iso:
        return dt.date(int(iso[1]), int(iso[2]), int(iso[3]))
    match = re.fullmatch(r"(?:[0-9]{1,2} )?([A-Za-z]{3})[a-z]*[ -]([0-9]{2}|[0-9]{4})", text)
    if match is None or match[1].lower() not in MONTHS:
        return None
    year = int(match[2]) + (2000 if len(match[2]) == 2 else 0)
    month = MONTHS[match[1].lower()]
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def _clean_name(text: str) -> str:
    text = " ".join(text.split())
    return re.sub(r"(?<=[A-Za-z])[0-9]+(,[0-9]+)*$", "", text).strip()


class _Classifier:
    """Tells forces, regions, totals and others apart, in table order."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.region = ""

    def classify(self, area: str, row: int) -> tuple[str, str]:
        key = area.lower()
        if key in REGIONS and key != self.region:
            self.region = key
            return "region", ""
        if key in TOTALS:
            return "total", ""
        if key in OTHERS:
            force = find_force(area)
            return "other", force.slug if force else ""
        force = find_force(area)
        if force is None:
            raise ImportFileError(
                self.name,
                row,
                "Force/Region",
                area,
                "use a police force area, English region or Wales as the Home Office names them",
                problem="is not a police force or region",
            )
        return "force", force.slug


def _number(name: str, row: int, column: str, raw: str) -> float:
    try:
        return float(raw.replace(",", ""))
    except ValueError:
        raise ImportFileError(
            name, row, column, raw, "give the number of officers", problem="is not a number"
        ) from None


def read_csv(path: Path) -> WorkforceFile:
    name = path.name
    measure = "officers_headcount" if "headcount" in name else "officers_fte"
    with text_stream(path) as stream:
        rows = list(csv.reader(stream))
    if not rows or rows[0][:1] != ["Force/Region"]:
        raise ImportFileError(
            name,
            1,
            None,
            ",".join(rows[0])[:60] if rows else "",
            CSV_FIX,
            problem="is not a header this import understands",
        )
    dates: list[tuple[int, str, dt.date]] = []
    for index, heading in enumerate(rows[0][1:], start=1):
        when = _date_from_words(heading)
        if when is not None:
            dates.append((index, heading, when))
        elif not re.search(r"increase|change|%", heading, re.I):
            raise ImportFileError(
                name, 1, heading, heading, CSV_FIX, problem="is not a date such as March 2019"
            )
    classifier = _Classifier(name)
    parsed: list[WorkforceRow] = []
    for number, row in enumerate(rows[1:], start=2):
        if not row or not row[0].strip():
            continue
        area = _clean_name(row[0])
        kind, slug = classifier.classify(area, number)
        for index, heading, when in dates:
            raw = row[index].strip() if index < len(row) else ""
            if not raw:
                continue
            parsed.append(
                WorkforceRow(when, measure, area, kind, slug, _number(name, number, heading, raw))
            )
    return WorkforceFile(
        path, "csv", parsed, len(rows) - 1, sorted({d.isoformat() for _, _, d in dates})
    )


# --- OpenDocument spreadsheets ------------------------------------------------------------


def ods_tables(path: Path) -> dict[str, list[list[object]]]:
    """Every table of an .ods file as rows of cell values (numbers as float, else text)."""
    try:
        with zipfile.ZipFile(path) as archive:
            content = archive.read("content.xml")
    except (zipfile.BadZipFile, KeyError, OSError) as exc:
        raise ImportFileError(
            path.name,
            None,
            None,
            None,
            "use the .ods file as the Home Office publishes it",
            problem=f"cannot be opened as an OpenDocument spreadsheet ({exc})",
        ) from None
    root = ElementTree.fromstring(content)
    table_tag = f"{{{NS['table']}}}table"
    row_tag = f"{{{NS['table']}}}table-row"
    cell_tags = {f"{{{NS['table']}}}table-cell", f"{{{NS['table']}}}covered-table-cell"}
    repeat_cols = f"{{{NS['table']}}}number-columns-repeated"
    repeat_rows = f"{{{NS['table']}}}number-rows-repeated"
    value_attr = f"{{{NS['office']}}}value"
    date_attr = f"{{{NS['office']}}}date-value"
    tables: dict[str, list[list[object]]] = {}
    for table in root.iter(table_tag):
        rows: list[list[object]] = []
        for row in table.iter(row_tag):
            cells: list[object] = []
            for cell in row:
                if cell.tag not in cell_tags:
                    continue
                repeat = min(int(cell.get(repeat_cols, "1")), 64)
                if cell.get(value_attr) is not None:
                    value: object = float(cell.get(value_attr, "0"))
                elif cell.get(date_attr) is not None:
                    value = cell.get(date_attr)
                else:
                    value = "".join(cell.itertext()).strip() or None
                cells.extend([value] * repeat)
            while cells and cells[-1] is None:
                cells.pop()
            rows.extend([cells] * min(int(row.get(repeat_rows, "1")), 4))
        tables[table.get(f"{{{NS['table']}}}name", "")] = rows
    return tables


def read_ods(path: Path) -> WorkforceFile:
    """Table 1 of the workforce tables: police officers (FTE) by police force area."""
    name = path.name
    tables = ods_tables(path)
    sheet = next(
        (
            rows
            for rows in tables.values()
            if rows
            and rows[0]
            and re.match(r"Table 1: Police officers by police force area", str(rows[0][0] or ""))
        ),
        None,
    )
    if sheet is None:
        raise ImportFileError(
            name,
            None,
            None,
            None,
            "use the Home Office police workforce tables",
            problem='has no "Table 1: Police officers by police force area"',
        )
    header_index, dates = _ods_dates(name, sheet)
    classifier = _Classifier(name)
    parsed: list[WorkforceRow] = []
    read = 0
    for number, row in enumerate(sheet[header_index + 1 :], start=header_index + 2):
        if not row or not isinstance(row[0], str) or not row[0].strip():
            continue
        if not any(isinstance(row[i], float) for i, _ in dates if i < len(row)):
            continue
        area = _clean_name(row[0])
        kind, slug = classifier.classify(area, number)
        read += 1
        for index, when in dates:
            value = row[index] if index < len(row) else None
            if isinstance(value, float):
                parsed.append(WorkforceRow(when, "officers_fte", area, kind, slug, value))
        if kind == "total" and area.lower() == "total":
            break
    return WorkforceFile(path, "ods", parsed, read, sorted({d.isoformat() for _, d in dates}))


def _ods_dates(name: str, sheet: list[list[object]]) -> tuple[int, list[tuple[int, dt.date]]]:
    """The row holding the dates ("Sep-18", "Mar-19", …) and each date's column."""
    for number, row in enumerate(sheet[:15]):
        dates = []
        for index, cell in enumerate(row[1:4], start=1):
            when = _date_from_words(str(cell)) if cell is not None else None
            if when is not None:
                dates.append((index, when))
        if len(dates) >= 2:
            return number, dates
    raise ImportFileError(
        name,
        None,
        None,
        None,
        "use the Home Office police workforce tables",
        problem="has no row of dates (such as Sep-18, Mar-19, Sep-19) in table 1",
    )
