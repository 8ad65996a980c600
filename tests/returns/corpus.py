"""The corpus of bad return files: each is the real template, filled in, then broken in one
way, with the words its error message must contain. Built at test time (the 50 MB file is
written to a temporary folder, never committed)."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.returns.conftest import FIGURES, filled_csv, filled_xlsx


@dataclass(frozen=True)
class Bad:
    """One bad file: its name, how to make it from the template, and what the message says."""

    key: str
    file_name: str
    make: Callable[[Any, Any], bytes]  # (template, other_template) -> bytes
    says: tuple[str, ...]


def _cell(sheet: str, ref: str, value: Any) -> Callable[[Any], None]:
    def edit(workbook: Any) -> None:
        workbook[sheet][ref] = value

    return edit


def _figures(**changes: dict[str, Any]) -> dict[str, dict[str, Any]]:
    figures = {code: dict(values) for code, values in FIGURES.items()}
    for code, values in changes.items():
        figures[code.replace("_", "-")] = values
    return figures


def _csv_row(code: str, column: int, value: str) -> Callable[[list[list[str]]], None]:
    def edit(rows: list[list[str]]) -> None:
        for row in rows:
            if row and row[0] == code:
                row[column] = value

    return edit


def _merge(workbook: Any) -> None:
    workbook["Return"].merge_cells("C7:D7")


def _rename_sheet(workbook: Any) -> None:
    workbook["Return"].title = "Sheet1"


def _duplicate_row(workbook: Any) -> None:
    sheet = workbook["Return"]
    for column in range(1, 7):
        sheet.cell(9, column, sheet.cell(7, column).value)


def _drop_row(workbook: Any) -> None:
    sheet = workbook["Return"]
    for column in range(1, 7):
        sheet.cell(8, column).value = None


def _heading(workbook: Any) -> None:
    workbook["Return"]["C6"] = "Value (number)"


def _extra_heading(workbook: Any) -> None:
    workbook["Return"]["G6"] = "notes"


def _many_rows(workbook: Any) -> None:
    sheet = workbook["Return"]
    for row in range(10, 700):
        sheet.cell(row, 1, "VS-REFERRALS")


def _semicolons(template: Any, _other: Any) -> bytes:
    text = filled_csv(template).decode("utf-8-sig")
    lines = [
        line.replace(",", ";") if not line.startswith("#") else line for line in text.splitlines()
    ]
    return "\r\n".join(lines).encode("utf-8")


def _truncated_xlsx(template: Any, _other: Any) -> bytes:
    data = filled_xlsx(template)
    return data[: len(data) // 2]


def _ods_renamed(_template: Any, _other: Any) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


def _big(_template: Any, _other: Any) -> bytes:
    return b"measure_code,measure,value\r\n" + b"x" * (50 * 1024 * 1024)


def _latin1(template: Any, _other: Any) -> bytes:
    return filled_csv(template, edit=_csv_row("VS-REFERRALS", 5, "Cost £12"), encoding="latin-1")


def _future(template: Any, _other: Any) -> bytes:
    next_month = dt.date.today().replace(day=1) + dt.timedelta(days=40)
    period = f"{next_month.year:04d}-{next_month.month:02d}"
    return filled_xlsx(template, period=period)


def _no_template_line(template: Any, _other: Any) -> bytes:
    return filled_csv(
        template, edit=lambda rows: rows.remove(next(r for r in rows if r and r[0] == "Template"))
    )


CORPUS: tuple[Bad, ...] = (
    Bad("empty", "return.xlsx", lambda t, o: b"", ("is empty",)),
    Bad("fifty-megabytes", "return.csv", _big, ("50.0 MB", "smaller than 5 MB")),
    Bad(
        "pdf-renamed",
        "return.xlsx",
        lambda t, o: b"%PDF-1.7\n%binary\n",
        ("is named .xlsx but is not an Excel workbook",),
    ),
    Bad(
        "old-xls",
        "return.xls",
        lambda t, o: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600,
        ("Excel 97-2003",),
    ),
    Bad(
        "not-a-spreadsheet",
        "return.txt",
        lambda t, o: b"412, 377, 412",
        ("not an Excel workbook (.xlsx) or a CSV file",),
    ),
    Bad("truncated-xlsx", "return.xlsx", _truncated_xlsx, ("cannot be opened as an Excel",)),
    Bad("ods-renamed", "return.xlsx", _ods_renamed, ("cannot be opened as an Excel",)),
    Bad(
        "xlsx-named-csv",
        "return.csv",
        lambda t, o: filled_xlsx(t),
        ("is an Excel or zip file named .csv",),
    ),
    Bad(
        "wrong-sheet",
        "return.xlsx",
        lambda t, o: filled_xlsx(t, edit=_rename_sheet),
        ('has no sheet named "Return"', "Sheet1"),
    ),
    Bad(
        "wrong-template",
        "return.xlsx",
        lambda t, o: filled_xlsx(t, edit=_cell("Return", "B1", o.slug)),
        ("the template for another return",),
    ),
    Bad(
        "wrong-template-version",
        "return.xlsx",
        lambda t, o: filled_xlsx(t, edit=_cell("Return", "B2", 0)),
        ("version 0 of the template", "current version is 1"),
    ),
    Bad(
        "wrong-provider",
        "return.xlsx",
        lambda t, o: filled_xlsx(t, edit=_cell("Return", "B3", "youth-diversion")),
        ('provider "youth-diversion"',),
    ),
    Bad(
        "wrong-period",
        "return.xlsx",
        lambda t, o: filled_xlsx(t, period="2025-05"),
        ("is the return for May 2025", "you are submitting June 2025"),
    ),
    Bad(
        "period-in-words",
        "return.xlsx",
        lambda t, o: filled_xlsx(t, edit=_cell("Return", "B4", "June 2025")),
        ("is not a month",),
    ),
    Bad("period-not-ended", "return.xlsx", _future, ("has not ended yet",)),
    Bad(
        "label-cell-changed",
        "return.xlsx",
        lambda t, o: filled_xlsx(t, edit=_cell("Return", "A4", "Month")),
        ('cell A4 should say "Period"',),
    ),
    Bad(
        "merged-cells",
        "return.xlsx",
        lambda t, o: filled_xlsx(t, edit=_merge),
        ("merged cells", "C7:D7"),
    ),
    Bad(
        "heading-renamed",
        "return.xlsx",
        lambda t, o: filled_xlsx(t, edit=_heading),
        ('cell C6 should be the heading "value"',),
    ),
    Bad(
        "extra-column",
        "return.xlsx",
        lambda t, o: filled_xlsx(t, edit=_extra_heading),
        ('extra heading "notes"',),
    ),
    Bad(
        "too-many-rows",
        "return.xlsx",
        lambda t, o: filled_xlsx(t, edit=_many_rows),
        ("a return has one row per measure",),
    ),
    Bad(
        "formula",
        "return.xlsx",
        lambda t, o: filled_xlsx(t, edit=_cell("Return", "C7", "=400+12")),
        ("cell C7 (value) holds a formula", "=400+12"),
    ),
    Bad(
        "text-in-number-cell",
        "return.xlsx",
        lambda t, o: filled_xlsx(t, figures=_figures(VS_REFERRALS={"value": "four hundred"})),
        ('value is "four hundred", which is not a number',),
    ),
    Bad(
        "not-applicable-text",
        "return.csv",
        lambda t, o: filled_csv(t, figures=_figures(VS_REFERRALS={"value": "n/a"})),
        ('value is "n/a", which is not a number',),
    ),
    Bad(
        "decimal-count",
        "return.xlsx",
        lambda t, o: filled_xlsx(t, figures=_figures(VS_REFERRALS={"value": 41.5})),
        ("value is 41.5; it must be a whole number",),
    ),
    Bad(
        "negative",
        "return.xlsx",
        lambda t, o: filled_xlsx(t, figures=_figures(VS_REFERRALS={"value": -3})),
        ("less than 0, the lowest allowed",),
    ),
    Bad(
        "above-maximum",
        "return.xlsx",
        lambda t, o: filled_xlsx(t, figures=_figures(VS_REFERRALS={"value": 250000})),
        ("more than 100,000, the highest allowed",),
    ),
    Bad(
        "percent-sign",
        "return.csv",
        lambda t, o: filled_csv(t, figures=_figures(VS_REFERRALS={"value": "45%"})),
        ("without a % sign",),
    ),
    Bad(
        "date-in-number-cell",
        "return.xlsx",
        lambda t, o: filled_xlsx(t, figures=_figures(VS_REFERRALS={"value": dt.date(2025, 6, 30)})),
        ("is a date or time",),
    ),
    Bad(
        "true-false",
        "return.xlsx",
        lambda t, o: filled_xlsx(t, figures=_figures(VS_REFERRALS={"value": True})),
        ("value is TRUE, not a number",),
    ),
    Bad(
        "required-empty",
        "return.xlsx",
        lambda t, o: filled_xlsx(t, figures=_figures(VS_REFERRALS={})),
        ("enter a value for VS-REFERRALS", "required"),
    ),
    Bad(
        "numerator-greater-than-denominator",
        "return.xlsx",
        lambda t, o: filled_xlsx(
            t, figures=_figures(VS_CONTACTED={"numerator": 450, "denominator": 412})
        ),
        ("the numerator (450) is more than the denominator (412)",),
    ),
    Bad(
        "denominator-zero",
        "return.xlsx",
        lambda t, o: filled_xlsx(
            t, figures=_figures(VS_CONTACTED={"numerator": 0, "denominator": 0})
        ),
        ("the denominator is 0",),
    ),
    Bad(
        "denominator-missing",
        "return.csv",
        lambda t, o: filled_csv(t, figures=_figures(VS_CONTACTED={"numerator": 377})),
        ("enter the denominator for VS-CONTACTED",),
    ),
    Bad(
        "value-in-wrong-column",
        "return.xlsx",
        lambda t, o: filled_xlsx(t, figures=_figures(VS_CONTACTED={"value": 91.5})),
        ("takes a numerator and a denominator; leave value empty",),
    ),
    Bad(
        "unknown-measure-code",
        "return.csv",
        lambda t, o: filled_csv(t, edit=_csv_row("VS-REFERRALS", 0, "VS-REFERALS")),
        ('measure code "VS-REFERALS" is not in this return', "There is no row for VS-REFERRALS"),
    ),
    Bad(
        "duplicate-rows",
        "return.xlsx",
        lambda t, o: filled_xlsx(t, edit=_duplicate_row),
        ("VS-REFERRALS appears again (first on row 7)",),
    ),
    Bad(
        "measure-row-deleted",
        "return.xlsx",
        lambda t, o: filled_xlsx(t, edit=_drop_row),
        ("There is no row for VS-CONTACTED",),
    ),
    Bad(
        "comment-too-long",
        "return.csv",
        lambda t, o: filled_csv(t, edit=_csv_row("VS-REFERRALS", 5, "x" * 501)),
        ("the comment is 501 characters",),
    ),
    Bad("not-utf8", "return.csv", _latin1, ("is not UTF-8 text", "byte 0xa3")),
    Bad("semicolons", "return.csv", _semicolons, ("uses semicolons",)),
    Bad(
        "template-line-missing", "return.csv", _no_template_line, ('cell A1 should say "Template"',)
    ),
)
