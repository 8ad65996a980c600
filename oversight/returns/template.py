"""The return templates providers download, as Excel (.xlsx) and CSV.

Both carry the same sheet layout, which ``validate.py`` reads back:

- rows 1 to 4: ``Template``, ``Version``, ``Provider`` and ``Period`` with their values;
- row 6: the headings ``measure_code, measure, value, numerator, denominator, comment``;
- from row 7: one row per measure, code and name filled in.

The workbook has a README sheet with each measure's definition, what to enter, the allowed
range and the validation rules, and the "Return" sheet protected so that only the cells to
fill in can be changed, with Excel data validation on each of them. The CSV starts with the
same definitions and rules as lines beginning with ``#``, which are ignored when it is read.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from oversight.returns import schedule

SHEET = "Return"
README = "README"
META_LABELS = ("Template", "Version", "Provider", "Period")
COLUMNS = ("measure_code", "measure", "value", "numerator", "denominator", "comment")
HEADER_ROW = 6
FIRST_ROW = 7
COMMENT_LIMIT = 500
KINDS = {
    "count": "a whole number",
    "proportion": "a numerator and a denominator (whole numbers)",
    "value": "a number (decimals allowed)",
}


def what_to_enter(spec: dict[str, Any]) -> str:
    """The "what to enter" sentence for one measure."""
    kind = spec.get("kind", "count")
    text = KINDS.get(kind, KINDS["count"])
    if kind == "proportion":
        numerator = spec.get("numerator_label") or "numerator"
        denominator = spec.get("denominator_label") or "denominator"
        text += f": numerator = {numerator}; denominator = {denominator}"
    return text


def allowed_range(spec: dict[str, Any]) -> str:
    low = spec.get("min", 0)
    high = spec.get("max")
    if spec.get("kind") == "proportion":
        return "numerator 0 or more, no more than the denominator; denominator more than 0"
    if high is None:
        return f"{low:g} or more"
    return f"{low:g} to {high:g}"


def rules(template: Any, period: str) -> list[str]:
    """The validation rules, in words, as the README and the CSV give them."""
    return [
        f"Give figures for {schedule.words(period)} only (period {period}).",
        "Do not change the Template, Version, Provider or Period cells, the column headings "
        "or the sheet names.",
        "One row per measure; do not add, remove or repeat measure rows.",
        "Type figures as plain numbers: no formulas, no % signs, no text such as 'n/a', "
        "no dates. Do not merge cells.",
        "A count is a whole number of 0 or more. Leave a cell empty only if the measure is "
        "marked as optional.",
        "For a numerator and denominator: both whole numbers, the denominator more than 0 and "
        "the numerator no more than the denominator.",
        f"Comments are optional, up to {COMMENT_LIMIT} characters.",
        "Save as .xlsx, or as CSV (comma delimited, UTF-8). Files must be smaller than 5 MB.",
    ]


def _meta(template: Any, period: str) -> list[tuple[str, str]]:
    return list(
        zip(
            META_LABELS,
            (template.slug, str(template.version), template.provider.slug, period),
            strict=True,
        )
    )


def file_name(template: Any, period: str, extension: str) -> str:
    return f"{template.slug}-{schedule.slug(period)}-v{template.version}.{extension}"


def csv_bytes(template: Any, period: str) -> bytes:
    """The CSV template: definitions and rules as # lines, then the Return sheet's rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    due = schedule.due_date(period, template.due_days)
    writer.writerow(
        [
            f"# {template.name}, from {template.provider.name}, for "
            f"{schedule.words(period)}. Due by {due:%d %B %Y}."
        ]
    )
    for spec in template.fields:
        writer.writerow(
            [
                f"# {spec['code']}: {spec['name']}. {spec.get('definition', '')} "
                f"Enter {what_to_enter(spec)}; allowed: {allowed_range(spec)}; "
                f"{'required' if spec.get('required', True) else 'optional'}."
            ]
        )
    for rule in rules(template, period):
        writer.writerow([f"# Rule: {rule}"])
    for label, value in _meta(template, period):
        writer.writerow([label, value])
    writer.writerow([])
    writer.writerow(COLUMNS)
    for spec in template.fields:
        writer.writerow([spec["code"], spec["name"], "", "", "", ""])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(template: Any, period: str) -> bytes:
    """The Excel template: a README sheet and the protected Return sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill, Protection
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    readme = workbook.active
    readme.title = README
    due = schedule.due_date(period, template.due_days)
    bold = Font(bold=True)
    lines: list[list[Any]] = [
        [template.name],
        [f"Provider: {template.provider.name}"],
        [f"Period: {schedule.words(period)} ({period}); due by {due:%d %B %Y}."],
        [f"Template version {template.version}. Fill in the '{SHEET}' sheet and upload it."],
        [],
        ["Code", "Measure", "Definition", "What to enter", "Allowed", "Required"],
    ]
    for spec in template.fields:
        lines.append(
            [
                spec["code"],
                spec["name"],
                spec.get("definition", ""),
                what_to_enter(spec),
                allowed_range(spec),
                "Yes" if spec.get("required", True) else "No",
            ]
        )
    lines += [[], ["Rules"]] + [
        [f"{n}. {rule}"] for n, rule in enumerate(rules(template, period), 1)
    ]
    if template.notes:
        lines += [[], ["Notes"], [template.notes]]
    for line in lines:
        readme.append(line)
    readme["A1"].font = Font(bold=True, size=14)
    for cell in readme[6]:
        cell.font = bold
    for column, width in zip("ABCDEF", (16, 40, 60, 40, 30, 10), strict=True):
        readme.column_dimensions[column].width = width

    sheet = workbook.create_sheet(SHEET)
    grey = PatternFill("solid", fgColor="DDDDDD")
    for row, (label, value) in enumerate(_meta(template, period), start=1):
        sheet.cell(row, 1, label).font = bold
        sheet.cell(row, 2, value)
    sheet.cell(5, 1, "Fill in the white cells only. See the README sheet for definitions.")
    for column, heading in enumerate(COLUMNS, start=1):
        sheet.cell(HEADER_ROW, column, heading).font = bold
    whole = DataValidation(
        type="whole",
        operator="greaterThanOrEqual",
        formula1="0",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Whole number",
        error="Enter a whole number, 0 or more.",
    )
    comment = DataValidation(
        type="textLength",
        operator="lessThanOrEqual",
        formula1=str(COMMENT_LIMIT),
        allow_blank=True,
        showErrorMessage=True,
        error=f"Up to {COMMENT_LIMIT} characters.",
    )
    sheet.add_data_validation(whole)
    sheet.add_data_validation(comment)
    for offset, spec in enumerate(template.fields):
        row = FIRST_ROW + offset
        sheet.cell(row, 1, spec["code"])
        sheet.cell(row, 2, spec["name"])
        kind = spec.get("kind", "count")
        inputs = (4, 5) if kind == "proportion" else (3,)
        for column in (3, 4, 5):
            cell = sheet.cell(row, column)
            if column in inputs:
                cell.protection = Protection(locked=False)
                if kind == "value":
                    rule = DataValidation(
                        type="decimal",
                        operator="between",
                        formula1=str(spec.get("min", 0)),
                        formula2=str(spec.get("max", 1e12)),
                        allow_blank=True,
                        showErrorMessage=True,
                        error=f"Enter a number, {allowed_range(spec)}.",
                    )
                    sheet.add_data_validation(rule)
                    rule.add(cell)
                elif kind == "count" and spec.get("max") is not None:
                    rule = DataValidation(
                        type="whole",
                        operator="between",
                        formula1=str(spec.get("min", 0)),
                        formula2=str(spec["max"]),
                        allow_blank=True,
                        showErrorMessage=True,
                        error=f"Enter a whole number, {allowed_range(spec)}.",
                    )
                    sheet.add_data_validation(rule)
                    rule.add(cell)
                else:
                    whole.add(cell)
            else:
                cell.fill = grey
        note = sheet.cell(row, 6)
        note.protection = Protection(locked=False)
        note.alignment = Alignment(wrap_text=True)
        comment.add(note)
    for column, width in zip("ABCDEF", (16, 44, 14, 14, 14, 50), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False
    workbook.active = 1
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
