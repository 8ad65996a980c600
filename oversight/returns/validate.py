"""Checking an uploaded return, every cell, before anything is stored.

``read_return(name, data, template, period, today)`` reads an .xlsx or .csv made from the
template (see ``template.py``) and returns a ``CheckedReturn``: the rows as read, each with
its problems, and the problems that concern no single row (a measure with no row). A file
that cannot be read as a return at all (empty, too big, not a spreadsheet, the wrong sheet,
template, version, provider or period, merged cells, changed headings) raises
``ReturnFileError`` with one message saying what is wrong and what to do.

Nothing here touches the database; the caller stores a return only when it has no problems.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any

from oversight.returns import schedule
from oversight.returns.template import (
    COLUMNS,
    COMMENT_LIMIT,
    FIRST_ROW,
    HEADER_ROW,
    META_LABELS,
    SHEET,
)

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 500
NUMBER = re.compile(r"[+-]?([0-9]{1,3}(,[0-9]{3})+|[0-9]+)(\.[0-9]+)?|[+-]?\.[0-9]+")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
DOWNLOAD_AGAIN = "download the template for this period again and copy your figures into it"


class ReturnFileError(Exception):
    """The file cannot be read as this return; the message says why and what to do."""


@dataclass(frozen=True)
class TemplateSpec:
    """What a file is checked against (taken from a ``ReturnTemplate``)."""

    slug: str
    name: str
    version: int
    provider: str
    provider_name: str
    frequency: str
    first_period: str
    fields: list[dict[str, Any]]

    @classmethod
    def of(cls, template: Any) -> TemplateSpec:
        return cls(
            template.slug,
            template.name,
            template.version,
            template.provider.slug,
            template.provider.name,
            template.frequency,
            template.first_period,
            list(template.fields),
        )


@dataclass
class CheckedRow:
    """One measure row as read, with its problems (empty when it is good)."""

    number: int | None
    measure_code: str
    measure: str = ""
    value: float | None = None
    numerator: float | None = None
    denominator: float | None = None
    comment: str = ""
    shown: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "measure_code": self.measure_code,
            "measure": self.measure,
            "value": self.value,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "comment": self.comment,
            "shown": self.shown,
            "errors": self.errors,
        }


@dataclass
class CheckedReturn:
    """A whole file, read: its period and rows; ``ok`` when nothing is wrong anywhere."""

    file_name: str
    period: str
    rows: list[CheckedRow]
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and not any(row.errors for row in self.rows)

    @property
    def error_count(self) -> int:
        return len(self.problems) + sum(len(row.errors) for row in self.rows)

    def messages(self) -> list[str]:
        """Every problem as one sentence, row problems first, in file order."""
        found = [
            f"Row {row.number}: {error}" if row.number else error
            for row in self.rows
            for error in row.errors
        ]
        return found + self.problems


# --- reading the file into cells ----------------------------------------------------------


@dataclass
class _Sheet:
    """Cells of the Return sheet: values by (row, column), numbered from 1."""

    values: dict[tuple[int, int], Any]
    formulas: dict[tuple[int, int], str]
    max_row: int
    kind: str  # "xlsx" or "csv"

    def get(self, row: int, column: int) -> Any:
        return self.values.get((row, column))


def _cell_name(row: int, column: int) -> str:
    return f"{chr(ord('A') + column - 1)}{row}"


def _sniff(name: str, data: bytes) -> str:
    lower = name.lower()
    if not data:
        raise ReturnFileError(
            f"{name} is empty (0 bytes). Fill in the template and save it before uploading."
        )
    if len(data) > MAX_BYTES:
        raise ReturnFileError(
            f"{name} is {len(data) / 1024 / 1024:.1f} MB; a return must be smaller than "
            f"{MAX_BYTES // 1024 // 1024} MB. Upload the template with only your figures in it."
        )
    if data.startswith(OLE_MAGIC):
        raise ReturnFileError(
            f"{name} is an old-style Excel 97-2003 file (.xls) or a password-protected "
            "workbook. Remove any password and save it as an Excel Workbook (.xlsx)."
        )
    if data.startswith(b"PK\x03\x04"):
        if lower.endswith(".csv"):
            raise ReturnFileError(
                f"{name} is an Excel or zip file named .csv. Upload the .xlsx itself, or save "
                "the Return sheet as CSV (comma delimited)."
            )
        return "xlsx"
    if lower.endswith(".xlsx"):
        raise ReturnFileError(
            f"{name} is named .xlsx but is not an Excel workbook (it may be another kind of "
            "file renamed). Open it in Excel and save it as an Excel Workbook (.xlsx)."
        )
    if lower.endswith(".csv"):
        return "csv"
    raise ReturnFileError(
        f"{name} is not an Excel workbook (.xlsx) or a CSV file. Upload the template you "
        "downloaded, filled in."
    )


def _xlsx_sheet(name: str, data: bytes) -> _Sheet:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), data_only=False)
    except (
        zipfile.BadZipFile,
        InvalidFileException,
        KeyError,
        OSError,
        ValueError,
        TypeError,
        EOFError,
    ) as exc:
        raise ReturnFileError(
            f"{name} cannot be opened as an Excel workbook ({type(exc).__name__}); it may be "
            "damaged or another format renamed .xlsx. Save it again from Excel as .xlsx."
        ) from None
    if SHEET not in workbook.sheetnames:
        raise ReturnFileError(
            f'{name} has no sheet named "{SHEET}" (its sheets are: '
            f"{', '.join(workbook.sheetnames)}). Fill in the {SHEET} sheet of the template; "
            "do not rename or delete it."
        )
    sheet = workbook[SHEET]
    merged = [str(r) for r in sheet.merged_cells.ranges]
    if merged:
        raise ReturnFileError(
            f"{name}: the {SHEET} sheet has merged cells ({', '.join(merged[:5])}). Unmerge "
            "them so that every figure is in a cell of its own."
        )
    if sheet.max_row > FIRST_ROW + MAX_ROWS:
        raise ReturnFileError(
            f"{name}: the {SHEET} sheet has {sheet.max_row:,} rows; a return has one row per "
            "measure. Delete the extra rows, or download the template again."
        )
    values: dict[tuple[int, int], Any] = {}
    formulas: dict[tuple[int, int], str] = {}
    for row in sheet.iter_rows(min_row=1, max_row=sheet.max_row, max_col=len(COLUMNS) + 4):
        for cell in row:
            value = cell.value
            if value is None:
                continue
            if cell.data_type == "f" or (isinstance(value, str) and value.startswith("=")):
                formulas[(cell.row, cell.column)] = str(value)
            values[(cell.row, cell.column)] = value
    return _Sheet(values, formulas, sheet.max_row, "xlsx")


def _csv_sheet(name: str, data: bytes) -> _Sheet:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ReturnFileError(
            f"{name} is not UTF-8 text (byte 0x{data[exc.start]:02x} on line {line}). In "
            "Excel choose Save As, CSV UTF-8 (comma delimited)."
        ) from None
    try:
        rows = [
            row
            for row in csv.reader(io.StringIO(text, newline=""))
            if not (row and row[0].lstrip().startswith("#"))
        ]
    except csv.Error as exc:
        raise ReturnFileError(f"{name} is not a readable CSV file ({exc}).") from None
    if len(rows) > FIRST_ROW + MAX_ROWS:
        raise ReturnFileError(
            f"{name} has {len(rows):,} rows; a return has one row per measure. Delete the "
            "extra rows, or download the template again."
        )
    if any(len(row) == 1 and ";" in row[0] for row in rows[:HEADER_ROW]):
        raise ReturnFileError(
            f"{name} uses semicolons between values. Save it as CSV (comma delimited), "
            "or upload the .xlsx."
        )
    values: dict[tuple[int, int], Any] = {}
    for number, row in enumerate(rows, start=1):
        for column, value in enumerate(row, start=1):
            if value.strip():
                values[(number, column)] = value
    return _Sheet(values, {}, len(rows), "csv")


# --- checking --------------------------------------------------------------------------


def read_return(
    name: str,
    data: bytes,
    template: TemplateSpec,
    period: str | None = None,
    today: dt.date | None = None,
) -> CheckedReturn:
    """Read and check a return file. ``period`` is the period being submitted for (None to
    take it from the file, as the command line does)."""
    kind = _sniff(name, data)
    sheet = _xlsx_sheet(name, data) if kind == "xlsx" else _csv_sheet(name, data)
    file_period = _check_metadata(name, sheet, template, period, today or dt.date.today())
    _check_headings(name, sheet)
    return _check_rows(name, sheet, template, file_period)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _check_metadata(
    name: str, sheet: _Sheet, template: TemplateSpec, period: str | None, today: dt.date
) -> str:
    for row, label in enumerate(META_LABELS, start=1):
        found = _text(sheet.get(row, 1))
        if found.lower() != label.lower():
            raise ReturnFileError(
                f'{name}: cell A{row} should say "{label}" but says "{found}". The first four '
                f"rows identify the return; {DOWNLOAD_AGAIN}."
            )
        if (row, 2) in sheet.formulas:
            raise ReturnFileError(
                f"{name}: cell B{row} ({label}) holds a formula; {DOWNLOAD_AGAIN}."
            )
    slug, version, provider, file_period = (_text(sheet.get(r, 2)) for r in range(1, 5))
    if slug != template.slug:
        raise ReturnFileError(
            f'{name} is the template for another return ("{slug}"), not "{template.name}" '
            f'("{template.slug}"). Download the template for {template.name}.'
        )
    if version != str(template.version):
        raise ReturnFileError(
            f"{name} was made from version {version or '(blank)'} of the template; the "
            f"current version is {template.version} (the measures asked for have changed). "
            f"Download the template again and copy your figures into it."
        )
    if provider != template.provider:
        raise ReturnFileError(
            f'{name} is the template for provider "{provider}", not {template.provider_name} '
            f'("{template.provider}"). Download your own template.'
        )
    try:
        file_period = schedule.check_period(file_period, template.frequency)
    except ValueError as exc:
        raise ReturnFileError(
            f"{name}: the Period in cell B4 is wrong: {exc}. Do not change it; {DOWNLOAD_AGAIN}."
        ) from None
    first = template.first_period
    if schedule.period_end(file_period) < schedule.period_end(first):
        raise ReturnFileError(
            f"{name} is for {schedule.words(file_period)}, before this return started "
            f"({schedule.words(first)})."
        )
    if schedule.period_end(file_period) >= today:
        raise ReturnFileError(
            f"{name} is for {schedule.words(file_period)}, which has not ended yet; a return "
            "can be submitted once its period is over."
        )
    if period is not None and file_period != period:
        raise ReturnFileError(
            f"{name} is the return for {schedule.words(file_period)} ({file_period}), but you "
            f"are submitting {schedule.words(period)} ({period}). Upload the file for "
            f"{schedule.words(period)}, or submit this one under its own period."
        )
    return file_period


def _check_headings(name: str, sheet: _Sheet) -> None:
    found = [_text(sheet.get(HEADER_ROW, c)) for c in range(1, len(COLUMNS) + 1)]
    if [f.lower() for f in found] != list(COLUMNS):
        wrong = next(
            (c, f) for c, (f, e) in enumerate(zip(found, COLUMNS, strict=True), 1) if f.lower() != e
        )
        raise ReturnFileError(
            f"{name}: cell {_cell_name(HEADER_ROW, wrong[0])} should be the heading "
            f'"{COLUMNS[wrong[0] - 1]}" but is "{wrong[1]}". Row {HEADER_ROW} must read: '
            f"{', '.join(COLUMNS)}. Do not add, move or rename columns."
        )
    extra = _text(sheet.get(HEADER_ROW, len(COLUMNS) + 1))
    if extra:
        raise ReturnFileError(
            f"{name}: cell {_cell_name(HEADER_ROW, len(COLUMNS) + 1)} has an extra heading "
            f'"{extra}". Remove the extra column.'
        )


def _number(raw: Any, row: int, column: str, kind: str) -> tuple[float | None, str | None]:
    """(number, problem) for one cell; (None, None) for an empty cell."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, None
    if isinstance(raw, bool):
        return None, f"{column} is {str(raw).upper()}, not a number"
    if isinstance(raw, dt.datetime | dt.date | dt.time):
        return (
            None,
            f"{column} is a date or time ({raw}), not a number; format the cell as a number",
        )
    if isinstance(raw, int | float):
        number = float(raw)
    else:
        text = str(raw).strip()
        if text.endswith("%"):
            return None, f'{column} is "{text}": give the number without a % sign'
        if not NUMBER.fullmatch(text):
            return None, f'{column} is "{text}", which is not a number'
        number = float(text.replace(",", ""))
    if kind != "value" and not number.is_integer():
        return None, f"{column} is {number:g}; it must be a whole number"
    return number, None


def _check_rows(name: str, sheet: _Sheet, template: TemplateSpec, period: str) -> CheckedReturn:
    specs = {spec["code"]: spec for spec in template.fields}
    rows: list[CheckedRow] = []
    seen: dict[str, int] = {}
    for number in range(FIRST_ROW, sheet.max_row + 1):
        cells = [sheet.get(number, c) for c in range(1, len(COLUMNS) + 4)]
        if all(_text(v) == "" for v in cells):
            continue
        code = _text(cells[0])
        row = CheckedRow(number, code, _text(cells[1]))
        row.shown = {c: _text(v) for c, v in zip(COLUMNS, cells, strict=False)}
        rows.append(row)
        for column in range(1, len(COLUMNS) + 1):
            if (number, column) in sheet.formulas:
                row.errors.append(
                    f"cell {_cell_name(number, column)} ({COLUMNS[column - 1]}) holds a formula "
                    f"({sheet.formulas[(number, column)][:40]}); type the figure itself"
                )
        if any(_text(v) for v in cells[len(COLUMNS) :]):
            row.errors.append(f"has values beyond the {COLUMNS[-1]} column; remove them")
        spec = specs.get(code)
        if spec is None:
            row.errors.append(
                f'measure code "{code}" is not in this return; the codes are: ' + ", ".join(specs)
                if code
                else "the measure_code is empty; do not remove the codes from the first column"
            )
            continue
        if code in seen:
            row.errors.append(
                f"{code} appears again (first on row {seen[code]}); give one row per measure"
            )
            continue
        seen[code] = number
        if row.errors:
            continue
        _check_figures(row, spec, cells)
    problems = [
        f"There is no row for {code} ({spec['name']}); do not delete measure rows"
        for code, spec in specs.items()
        if code not in seen
    ]
    return CheckedReturn(name, period, rows, problems)


def _check_figures(row: CheckedRow, spec: dict[str, Any], cells: list[Any]) -> None:
    kind = spec.get("kind", "count")
    required = spec.get("required", True)
    label = f"{spec['code']} ({spec['name']})"
    if kind == "proportion" and _text(cells[2]):
        row.errors.append(f"{label} takes a numerator and a denominator; leave value empty")
        return
    value, value_problem = _number(cells[2], row.number or 0, "value", kind)
    numerator, numerator_problem = _number(cells[3], row.number or 0, "numerator", "count")
    denominator, denominator_problem = _number(cells[4], row.number or 0, "denominator", "count")
    for problem in (value_problem, numerator_problem, denominator_problem):
        if problem:
            row.errors.append(problem)
    comment = _text(cells[5])
    if len(comment) > COMMENT_LIMIT:
        row.errors.append(f"the comment is {len(comment):,} characters; keep it to {COMMENT_LIMIT}")
    row.comment = comment[:COMMENT_LIMIT]
    if row.errors:
        return
    if kind == "proportion":
        if value is not None:
            row.errors.append(f"{label} takes a numerator and a denominator; leave value empty")
            return
        if numerator is None or denominator is None:
            if required or numerator is not None or denominator is not None:
                missing = "numerator" if numerator is None else "denominator"
                if numerator is None and denominator is None:
                    missing = "numerator and denominator"
                row.errors.append(f"enter the {missing} for {label}")
        else:
            if numerator < 0 or denominator < 0:
                row.errors.append("the numerator and denominator must be 0 or more")
            elif denominator == 0:
                row.errors.append("the denominator is 0; it must be more than 0")
            elif numerator > denominator:
                row.errors.append(
                    f"the numerator ({numerator:,.0f}) is more than the denominator "
                    f"({denominator:,.0f}); the numerator counts part of the denominator"
                )
        row.numerator, row.denominator = numerator, denominator
        return
    if numerator is not None or denominator is not None:
        row.errors.append(f"{label} takes a value only; leave numerator and denominator empty")
    if value is None:
        if required:
            row.errors.append(f"enter a value for {label}; it is required")
        return
    low, high = spec.get("min", 0), spec.get("max")
    if value < low:
        row.errors.append(f"the value {value:,g} is less than {low:,g}, the lowest allowed")
    elif high is not None and value > high:
        row.errors.append(f"the value {value:,g} is more than {high:,g}, the highest allowed")
    row.value = value
