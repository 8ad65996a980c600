"""``oversight spc``: chart one series from a CSV file as an XmR chart, without a database.

The command reads a ``period,value`` CSV, checks that the periods follow on month by month (or
quarter by quarter), runs ``oversight.methods.spc.spc()`` and prints one CSV row per point, or
with ``--summary`` a JSON summary. It uses the pure methods only and never starts Django. See
``docs/cli-spc.md``.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from rich.markup import escape

from oversight.cli.common import UserError, console, friendly_errors
from oversight.methods import periods
from oversight.methods.spc import SPCInputError, SPCResult, SPCSettings, spc

Kind = Literal["month", "quarter"]

POLARITIES = ("higher", "lower", "neither")
PRESETS = ("mdc", "nhsr")
RUN_LENGTHS = ("6", "7")
COLUMNS = ("period", "value", "mean", "lower", "upper", "special_cause", "signal")
DECIMALS = 6

HELP = "\n\n".join(
    [
        "Chart a monthly or quarterly series as an XmR (SPC) chart and print each point.",
        "FILE is a CSV with the header period,value. Periods are months (2019-12) or "
        "financial-year quarters (2025/26 Q1), oldest first, with none missing; a blank value "
        "is missing. Prints CSV with the columns period, value, mean, lower, upper, "
        "special_cause and signal, or a JSON summary with --summary. Does not use the database.",
        "Example: oversight spc burglary.csv --polarity lower",
    ]
)

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_MONTHISH = re.compile(r"^\d{4}-\d{1,2}$")
_EXAMPLE_PERIODS = "a month such as 2019-12 or a financial-year quarter such as 2025/26 Q1"


@dataclass(frozen=True)
class Series:
    """A series read from a file: every period from the first to the last, in order.

    ``values`` holds None for a period with no row (a gap) or a blank value. ``rows`` gives the
    file row each period came from, or None for a gap.
    """

    name: str
    kind: Kind
    periods: tuple[str, ...]
    values: tuple[float | None, ...]
    rows: tuple[int | None, ...]

    @property
    def gaps(self) -> list[str]:
        """Periods with no row in the file."""
        return [p for p, row in zip(self.periods, self.rows, strict=True) if row is None]

    @property
    def blanks(self) -> list[tuple[str, int]]:
        """Periods whose row has a blank value, with their rows."""
        return [
            (p, row)
            for p, v, row in zip(self.periods, self.values, self.rows, strict=True)
            if row is not None and v is None
        ]


def _q(text: str) -> str:
    """User text made safe to print through the console (no accidental markup)."""
    return escape(text)


def _plural(kind: Kind, count: int) -> str:
    return f"{kind}s" if count != 1 else kind


# Reading the file ------------------------------------------------------------------------


def parse_period(text: str) -> tuple[Kind, str, tuple[int, int]]:
    """The kind of a period label, its standard form and a sort key; ValueError if neither."""
    text = text.strip()
    try:
        key = periods.parse_month(text)
        return "month", periods.format_month(*key), key
    except ValueError:
        pass
    try:
        key = periods.parse_quarter(text.upper())
        return "quarter", periods.quarter_label(*key), key
    except ValueError:
        if "Q" in text.upper() and "/" in text:
            raise
    if _MONTHISH.match(text):
        month = text.split("-")[1]
        fix = "two digits for the month" if len(month) == 1 else "a month from 01 to 12"
        raise ValueError(f'"{text}" is not a month; use YYYY-MM with {fix}, e.g. 2019-03')
    raise ValueError(f'"{text}" is not a period; use {_EXAMPLE_PERIODS}')


def _read_text(path: Path, name: str) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise UserError(f"{name}: there is no such file; check the name and the folder") from None
    except IsADirectoryError:
        raise UserError(f"{name} is a folder; give the CSV file inside it") from None
    except UnicodeDecodeError:
        raise UserError(
            f"{name} is not a UTF-8 text file; save it from your spreadsheet as CSV UTF-8"
        ) from None
    except OSError as exc:
        raise UserError(f"{name} cannot be read ({exc.strerror}); check the file") from None


def _header_columns(header: list[str], name: str, row: int) -> tuple[int, int]:
    """The positions of the period and value columns, or an error saying what to change."""
    names = [cell.strip().lower() for cell in header]
    if "period" in names and "value" in names:
        for column in ("period", "value"):
            if names.count(column) > 1:
                raise UserError(
                    f"{name}, row {row}: the header has two {column} columns; keep one"
                )
        return names.index("period"), names.index("value")
    first = header[0].strip() if header else ""
    try:
        parse_period(first)
    except ValueError:
        shown = ",".join(cell.strip() for cell in header)
        raise UserError(
            f'{name}, row {row}: the header is "{_q(shown)}" but it must name the columns period '
            "and value; make the first line period,value"
        ) from None
    raise UserError(
        f"{name}, row {row}: the header line is missing (the file starts with data); "
        "add period,value as the first line"
    )


def _parse_value(cell: str, name: str, row: int) -> float | None:
    text = cell.strip()
    if not text:
        return None
    if not _NUMBER.match(text):
        hint = " and no thousands separators" if "," in text else ""
        raise UserError(
            f'{name}, row {row}, column value: "{_q(text)}" is not a number; use digits only'
            f"{hint}, with a decimal point if needed, e.g. 412 or 83.46"
        )
    return float(text)


def read_series(path: Path, name: str | None = None) -> Series:
    """Read and check a ``period,value`` CSV file. Raises ``UserError`` naming row and column.

    Rows are counted as a spreadsheet counts them: the header is row 1. Blank lines are skipped.
    """
    name = _q(name if name is not None else str(path))
    text = _read_text(path, name)
    if not text.strip():
        raise UserError(
            f"{name} is empty; it needs a header line period,value and then one row per period, "
            "e.g. 2019-12,557"
        )
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[tuple[int, list[str]]] = []
    try:
        start = 1
        for cells in reader:
            if any(cell.strip() for cell in cells):
                rows.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise UserError(
            f"{name}, row {reader.line_num}: this line is not valid CSV ({exc}); check its quotes"
        ) from None
    if not rows:
        raise UserError(
            f"{name} has no header and no data; make the first line period,value and add one "
            "row per period under it, e.g. 2019-12,557"
        )
    header_row, header = rows[0]
    period_col, value_col = _header_columns(header, name, header_row)
    if len(rows) == 1:
        raise UserError(
            f"{name} has a header but no data; add one row per period under it, e.g. 2019-12,557"
        )

    kind: Kind | None = None
    seen: dict[tuple[int, int], int] = {}
    points: list[tuple[tuple[int, int], str, float | None, int]] = []
    for row, cells in rows[1:]:
        if len(cells) != len(header):
            hint = (
                "; if a number has a comma in it, such as 1,234, remove the comma"
                if len(cells) > len(header)
                else "; give a period and a value on every row, separated by a comma"
            )
            raise UserError(
                f"{name}, row {row}: this row has {len(cells)} "
                f"{'column' if len(cells) == 1 else 'columns'} but the header has "
                f"{len(header)}{hint}"
            )
        raw_period = cells[period_col].strip()
        if not raw_period:
            raise UserError(
                f"{name}, row {row}, column period: the period is blank; give {_EXAMPLE_PERIODS}"
            )
        try:
            this_kind, label, key = parse_period(raw_period)
        except ValueError as exc:
            raise UserError(f"{name}, row {row}, column period: {_q(str(exc))}") from None
        if kind is None:
            kind = this_kind
        elif this_kind != kind:
            raise UserError(
                f'{name}, row {row}, column period: "{_q(raw_period)}" is a {this_kind} but the '
                f"rows above are {kind}s; use {kind}s throughout"
            )
        if key in seen:
            raise UserError(
                f"{name}, row {row}, column period: {_q(label)} is repeated (it is on row "
                f"{seen[key]} too); give each period once"
            )
        if points and key < points[-1][0]:
            raise UserError(
                f"{name}, row {row}, column period: {_q(label)} comes after {points[-1][1]} on "
                f"row {points[-1][3]}, but it is earlier; sort the rows oldest first"
            )
        seen[key] = row
        points.append((key, label, _parse_value(cells[value_col], name, row), row))

    assert kind is not None
    labels = _every_period(kind, points[0][1], points[-1][1])
    found = {label: (value, row) for _, label, value, row in points}
    return Series(
        name=name,
        kind=kind,
        periods=tuple(labels),
        values=tuple(found.get(label, (None, None))[0] for label in labels),
        rows=tuple(found.get(label, (None, None))[1] for label in labels),
    )


def _every_period(kind: Kind, first: str, last: str) -> list[str]:
    """Every month or quarter from ``first`` to ``last``, both included."""
    if kind == "month":
        return periods.month_range(first, last)
    labels = [first]
    while labels[-1] != last:
        labels.append(periods.next_quarter(labels[-1]))
    return labels


# Gaps and ghosts -------------------------------------------------------------------------


def _runs(labels: Sequence[str], every: Sequence[str]) -> list[list[str]]:
    """Group ``labels`` into runs of periods that follow on in ``every``."""
    position = {label: i for i, label in enumerate(every)}
    runs: list[list[str]] = []
    for label in labels:
        if runs and position[label] == position[runs[-1][-1]] + 1:
            runs[-1].append(label)
        else:
            runs.append([label])
    return runs


def _span(run: Sequence[str]) -> str:
    """A run of periods in words: "2019-03" or "2019-03 to 2019-11"."""
    return run[0] if len(run) == 1 else f"{run[0]} to {run[-1]}"


def _join(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _refuse_gaps(series: Series, allowed: set[str]) -> None:
    """Refuse periods with no row, and blank values, unless they are ghosted."""
    gaps = [label for label in series.gaps if label not in allowed]
    if gaps:
        index = {label: i for i, label in enumerate(series.periods)}
        parts = []
        for run in _runs(gaps, series.periods):
            before = next(r for r in series.rows[index[run[0]] :: -1] if r is not None)
            after = next(r for r in series.rows[index[run[-1]] :] if r is not None)
            parts.append(f"{_span(run)} (between rows {before} and {after})")
        many = len(gaps) > 1
        raise UserError(
            f"{series.name}: the {_plural(series.kind, len(gaps))} {_join(parts)} "
            f"{'are' if many else 'is'} missing; add {'them' if many else 'it'}, or pass "
            f"--ghost-gaps to leave {'them' if many else 'it'} out of the limits"
        )
    blanks = [(label, row) for label, row in series.blanks if label not in allowed]
    if blanks:
        label, row = blanks[0]
        raise UserError(
            f'{series.name}, row {row}, column value: the value for {label} is blank; fill it '
            f'in, or pass --ghost "{label}" (or --ghost-gaps) to leave it out of the limits'
        )


def _named_periods(series: Series, given: Sequence[str], option: str) -> list[str]:
    """Check the periods named by an option against the series and return them standardised."""
    labels: list[str] = []
    for text in given:
        try:
            kind, label, _ = parse_period(text)
        except ValueError as exc:
            raise UserError(f"{option}: {_q(str(exc))}") from None
        if kind != series.kind:
            raise UserError(
                f"{option} {_q(text)} is a {kind} but {series.name} has {series.kind}s; "
                f"name a {series.kind}"
            )
        if label not in series.periods:
            raise UserError(
                f"{option} {label} is not in {series.name}, which runs from "
                f"{series.periods[0]} to {series.periods[-1]}; name a period in that range"
            )
        labels.append(label)
    return labels


# Options ---------------------------------------------------------------------------------


def _either(items: Sequence[str]) -> str:
    return f"{', '.join(items[:-1])} or {items[-1]}"


def _choice(value: str | None, option: str, allowed: Sequence[str]) -> str | None:
    if value is None:
        return None
    text = value.strip().lower()
    if text not in allowed:
        raise UserError(f'{option} "{_q(value)}" is not allowed; use {_either(allowed)}')
    return text


def _number(value: str | None, option: str) -> float | None:
    if value is None:
        return None
    if not _NUMBER.match(value.strip()):
        raise UserError(f'{option} "{_q(value)}" is not a number; use digits only, e.g. 400')
    return float(value)


def _whole(value: str | None, option: str) -> int | None:
    if value is None:
        return None
    text = value.strip()
    if not re.fullmatch(r"[0-9]+", text) or int(text) < 2:
        raise UserError(
            f'{option} "{_q(value)}" must be a whole number of points, at least 2, e.g. 15'
        )
    return int(text)


def build_settings(
    preset: str | None,
    run_length: str | None,
    baseline: int | None,
    recalculate_at: Sequence[str],
    ghost: Sequence[str],
) -> SPCSettings:
    """The engine settings: the preset's choices, then the options given."""
    changes: dict[str, Any] = {"recalculate_at": tuple(recalculate_at), "ghost": tuple(ghost)}
    if run_length is not None:
        changes["run_length"] = int(run_length)
    if baseline is not None:
        changes["baseline"] = baseline
    return SPCSettings.nhsr(**changes) if preset == "nhsr" else SPCSettings(**changes)


# Output ----------------------------------------------------------------------------------


def format_number(value: float | None) -> str:
    """A number to at most 6 decimal places, without trailing zeros; empty for None."""
    if value is None:
        return ""
    text = f"{value:.{DECIMALS}f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def rows_csv(result: SPCResult) -> str:
    """The points as CSV text: a header line and one line per point."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in result.to_rows():
        writer.writerow(
            [
                row["period"],
                format_number(row["value"]),
                format_number(row["mean"]),
                format_number(row["lower"]),
                format_number(row["upper"]),
                "true" if row["special_cause"] else "false",
                row["signal"],
            ]
        )
    return buffer.getvalue()


def _rounded(value: Any) -> Any:
    """Round every float in a JSON-able structure to 6 decimal places."""
    if isinstance(value, float):
        return round(value, DECIMALS) + 0.0 if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: _rounded(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_rounded(item) for item in value]
    return value


def summary_json(result: SPCResult, series: Series, ghosted: Sequence[str]) -> str:
    """The summary as JSON: ``to_summary()`` plus what was charted."""
    summary = {
        **result.to_summary(),
        "polarity": result.polarity,
        "target": result.target,
        "first_period": series.periods[0],
        "last_period": series.periods[-1],
        "points": len(series.periods),
        "ghosted": list(ghosted),
    }
    return json.dumps(_rounded(summary), indent=2) + "\n"


# The command -----------------------------------------------------------------------------


def run(
    file: Path,
    *,
    polarity: str | None,
    baseline: str | None = None,
    recalculate_at: Sequence[str] = (),
    ghost: Sequence[str] = (),
    target: str | None = None,
    run_length: str | None = None,
    preset: str | None = None,
    ghost_gaps: bool = False,
    summary: bool = False,
) -> None:
    """Do the work of ``oversight spc``; raises ``UserError`` for anything the user can fix."""
    chosen_polarity = _choice(polarity, "--polarity", POLARITIES)
    if chosen_polarity is None:
        raise UserError(
            "Say which way is better with --polarity higher, lower or neither "
            "(neither is for measures such as hate crime, where a rise can be good news)"
        )
    chosen_preset = _choice(preset, "--preset", PRESETS)
    chosen_run = _choice(run_length, "--run-length", RUN_LENGTHS)
    points = _whole(baseline, "--baseline")
    goal = _number(target, "--target")

    series = read_series(file, str(file))
    recalculations = _named_periods(series, recalculate_at, "--recalculate-at")
    if series.periods[0] in recalculations:
        raise UserError(
            f"--recalculate-at {series.periods[0]} is the first period in {series.name}; "
            "name the first period of the new segment, which must come later"
        )
    ghosted = set(_named_periods(series, ghost, "--ghost"))
    if ghost_gaps:
        ghosted |= set(series.gaps) | {label for label, _ in series.blanks}
    _refuse_gaps(series, ghosted)
    ghost_labels = [label for label in series.periods if label in ghosted]

    settings = build_settings(chosen_preset, chosen_run, points, recalculations, ghost_labels)
    try:
        result = spc(
            list(series.values),
            periods=list(series.periods),
            polarity=chosen_polarity,  # type: ignore[arg-type]
            settings=settings,
            target=goal,
        )
    except SPCInputError as exc:
        raise UserError(f"{series.name}: {_q(str(exc))}") from None

    if summary:
        sys.stdout.write(summary_json(result, series, ghost_labels))
        return
    sys.stdout.write(rows_csv(result))
    if ghost_labels:
        spans = [_span(run) for run in _runs(ghost_labels, series.periods)]
        note(f"Ghosted (left out of the mean and limits, not tested): {_join(spans)}.")
    for warning in result.warnings:
        note(warning)


def note(text: str) -> None:
    """A note for the reader on standard error, so that standard output stays plain CSV."""
    console.print(f"Note: {text}", highlight=False, soft_wrap=True, markup=False)


def register(app: typer.Typer) -> None:
    @app.command("spc", help=HELP, short_help=HELP.split("\n", 1)[0])
    def spc_command(
        file: Annotated[
            Path,
            typer.Argument(
                show_default=False, help="CSV file with a header line period,value."
            ),
        ],
        polarity: Annotated[
            str | None,
            typer.Option(metavar="higher|lower|neither", help="Which way is better. Required."),
        ] = None,
        baseline: Annotated[
            str | None,
            typer.Option(
                metavar="N", help="Set the limits from the first N points and extend them forward."
            ),
        ] = None,
        recalculate_at: Annotated[
            list[str] | None,
            typer.Option(
                "--recalculate-at",
                metavar="PERIOD",
                help="Start a new segment, with its own limits, at PERIOD. Repeatable.",
            ),
        ] = None,
        ghost: Annotated[
            list[str] | None,
            typer.Option(
                metavar="PERIOD",
                help="Leave PERIOD out of the mean and limits, and do not test it. Repeatable.",
            ),
        ] = None,
        target: Annotated[
            str | None,
            typer.Option(metavar="X", help="Target value, for the assurance icon in --summary."),
        ] = None,
        run_length: Annotated[
            str | None,
            typer.Option(
                "--run-length",
                metavar="6|7",
                help="Points in a row for a shift or a trend (default 6; 7 with --preset nhsr).",
            ),
        ] = None,
        preset: Annotated[
            str | None,
            typer.Option(
                metavar="mdc|nhsr",
                help="mdc: MDC Single Chart Tool v5.0 rules (default). nhsr: NHSRplotthedots.",
            ),
        ] = None,
        ghost_gaps: Annotated[
            bool,
            typer.Option(
                "--ghost-gaps",
                help="Ghost missing periods and blank values instead of refusing them.",
            ),
        ] = False,
        summary: Annotated[
            bool,
            typer.Option(
                "--summary",
                help="Print a JSON summary (mean, limits, icons) instead of one row per point.",
            ),
        ] = False,
    ) -> None:
        """Run ``oversight spc``; the help text is ``HELP``."""
        with friendly_errors():
            run(
                file,
                polarity=polarity,
                baseline=baseline,
                recalculate_at=recalculate_at or (),
                ghost=ghost or (),
                target=target,
                run_length=run_length,
                preset=preset,
                ghost_gaps=ghost_gaps,
                summary=summary,
            )
