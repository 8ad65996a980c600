"""The rules a data.police.uk street-level file must meet, and the error that names a broken one.

Each rule is written once, as a ``Rule``: a SQL condition that DuckDB checks over whole files
at once (set-based, fast), and a Python check that the row-by-row pass uses to find the first
bad row precisely when DuckDB has found a problem. Every error is an ``ImportFileError``
naming the file, row (the header is row 1), column, value and the fix, for example
``2020-01-leicestershire-street.csv.gz, row 812, column Month: "2020-13" is not a month;
use YYYY-MM``.
"""

from __future__ import annotations

import csv
import difflib
import gzip
import io
import re
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

STREET_COLUMNS: tuple[str, ...] = (
    "Crime ID",
    "Month",
    "Reported by",
    "Falls within",
    "Longitude",
    "Latitude",
    "Location",
    "LSOA code",
    "LSOA name",
    "Crime type",
    "Last outcome category",
    "Context",
)
CRIME_TYPES: tuple[str, ...] = (
    "Anti-social behaviour",
    "Bicycle theft",
    "Burglary",
    "Criminal damage and arson",
    "Drugs",
    "Other crime",
    "Other theft",
    "Possession of weapons",
    "Public order",
    "Robbery",
    "Shoplifting",
    "Theft from the person",
    "Vehicle crime",
    "Violence and sexual offences",
)
ASB = "Anti-social behaviour"

MONTH_PATTERN = r"[0-9]{4}-(0[1-9]|1[0-2])"
LSOA_PATTERN = r"[EW]01[0-9]{6}"
NUMBER_PATTERN = r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)"
LONGITUDE_RANGE = (-9.0, 3.0)
LATITUDE_RANGE = (49.0, 61.0)
STREET_FILE_NAME = re.compile(
    r"(?P<month>[0-9]{4}-[0-9]{2})-(?P<force>[a-z0-9-]+?)-street\.csv(\.gz)?"
)
HEADER_FIX = "the first row must be exactly: " + ",".join(STREET_COLUMNS)


class ImportFileError(Exception):
    """A problem in an import file, said so the reader can fix it without asking us."""

    def __init__(
        self,
        file: str,
        row: int | None,
        column: str | None,
        value: str | None,
        fix: str,
        *,
        problem: str = "is not valid",
    ) -> None:
        self.file, self.row, self.column, self.value = file, row, column, value
        self.fix, self.problem = fix, problem
        super().__init__(str(self))

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column}")
        what = self.problem if self.value is None else f'"{_shown(self.value)}" {self.problem}'
        return f"{', '.join(where)}: {what}; {self.fix}"


def _shown(value: str, limit: int = 60) -> str:
    """A value as it can be printed: control characters escaped, long values cut short."""
    shown = (
        value.encode("unicode_escape", "backslashreplace").decode("ascii")
        if not value.isprintable()
        else value
    )
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def _closest(value: str, choices: tuple[str, ...] | frozenset[str]) -> str:
    """' (did you mean "X"?)' for the nearest choice, or an empty string."""
    match = difflib.get_close_matches(value, sorted(choices), n=1, cutoff=0.6)
    return f' (did you mean "{match[0]}"?)' if match else ""


def _closest_force(value: str, names: frozenset[str]) -> str:
    """The force whose name starts with the same word ("Leicestershire …"), else the nearest."""
    first = value.split(" ", 1)[0].casefold()
    same_start = sorted(n for n in names if n.split(" ", 1)[0].casefold() == first)
    return f' (did you mean "{same_start[0]}"?)' if same_start else _closest(value, names)


def _in_range(value: str, bounds: tuple[float, float]) -> bool:
    if not re.fullmatch(NUMBER_PATTERN, value):
        return False
    return bounds[0] <= float(value) <= bounds[1]


@dataclass(frozen=True)
class Rule:
    """One check on one column: SQL for the set-based pass, Python for locating the row."""

    column: str
    sql_ok: str  # a SQL condition on {col} (NULL means empty) that holds for every good value
    python_ok: Callable[[str, FileContext], bool]
    problem: str
    fix: Callable[[str, FileContext], str]


@dataclass(frozen=True)
class FileContext:
    """What a file's values are checked against: its name's month and the known force names."""

    name: str
    month: str
    force_names: frozenset[str]


def _sql_number_between(bounds: tuple[float, float]) -> str:
    return (
        f"({{col}} IS NULL OR coalesce(try_cast({{col}} AS DOUBLE) BETWEEN {bounds[0]} "
        f"AND {bounds[1]} AND regexp_full_match({{col}}, '{NUMBER_PATTERN}'), false))"
    )


def _crime_type_sql() -> str:
    listed = ", ".join("'" + name.replace("'", "''") + "'" for name in CRIME_TYPES)
    return f"coalesce({{col}} IN ({listed}), false)"


STREET_RULES: tuple[Rule, ...] = (
    Rule(
        "Month",
        f"coalesce(regexp_full_match({{col}}, '{MONTH_PATTERN}'), false)",
        lambda v, ctx: bool(re.fullmatch(MONTH_PATTERN, v)),
        "is not a month",
        lambda v, ctx: "use YYYY-MM",
    ),
    Rule(
        "Month",
        "coalesce({col} = {file_month}, false)",
        lambda v, ctx: v == ctx.month,
        "is not the month in the file name",
        lambda v, ctx: (
            f"every row of {ctx.name} must be for {ctx.month}; check you have the "
            "right file, or rename it to match its rows"
        ),
    ),
    Rule(
        "Crime type",
        _crime_type_sql(),
        lambda v, ctx: v in CRIME_TYPES,
        "is not a data.police.uk crime type",
        lambda v, ctx: (
            "use one of the 14 types exactly as data.police.uk writes them"
            + _closest(v, CRIME_TYPES)
        ),
    ),
    Rule(
        "Falls within",
        "coalesce({col} IN (SELECT name FROM force_names), false)",
        lambda v, ctx: v in ctx.force_names,
        "is not a known force name",
        lambda v, ctx: (
            "use the force's name as data.police.uk writes it" + _closest_force(v, ctx.force_names)
        ),
    ),
    Rule(
        "Longitude",
        _sql_number_between(LONGITUDE_RANGE),
        lambda v, ctx: v == "" or _in_range(v, LONGITUDE_RANGE),
        "is not a longitude in the UK",
        lambda v, ctx: (
            f"use decimal degrees from {LONGITUDE_RANGE[0]:g} to "
            f"{LONGITUDE_RANGE[1]:g}, or leave it empty for no location"
        ),
    ),
    Rule(
        "Latitude",
        _sql_number_between(LATITUDE_RANGE),
        lambda v, ctx: v == "" or _in_range(v, LATITUDE_RANGE),
        "is not a latitude in the UK",
        lambda v, ctx: (
            f"use decimal degrees from {LATITUDE_RANGE[0]:g} to "
            f"{LATITUDE_RANGE[1]:g}, or leave it empty for no location"
        ),
    ),
    Rule(
        "LSOA code",
        f"({{col}} IS NULL OR regexp_full_match({{col}}, '{LSOA_PATTERN}'))",
        lambda v, ctx: v == "" or bool(re.fullmatch(LSOA_PATTERN, v)),
        "is not an LSOA code",
        lambda v, ctx: "use a code like E01025734 or W01000001, or leave it empty for no location",
    ),
)
ROW_RULES = tuple(rule for rule in STREET_RULES if rule.column in ("Longitude", "Latitude"))
"""Rules on columns that are not kept as keys of the counts, so are checked row by row in SQL."""
CELL_RULES = tuple(rule for rule in STREET_RULES if rule not in ROW_RULES)
"""Rules on columns kept as keys of the counts, so are checked on the aggregated cells."""


def rule_sql(rule: Rule, column_sql: str, file_month_sql: str = "file_month") -> str:
    """The rule's SQL condition applied to a column expression."""
    return rule.sql_ok.replace("{col}", column_sql).replace("{file_month}", file_month_sql)


def parse_street_file_name(path: Path) -> tuple[str, str]:
    """The (month, force slug) a street-level file's name says it holds."""
    match = STREET_FILE_NAME.fullmatch(path.name)
    if match is None or not re.fullmatch(MONTH_PATTERN, match["month"]):
        raise ImportFileError(
            path.name,
            None,
            None,
            None,
            "name it as data.police.uk does, e.g. 2020-01-leicestershire-street.csv.gz",
            problem="is not a street-level file name (YYYY-MM-<force>-street.csv)",
        )
    return match["month"], match["force"]


def check_header(fields: list[str], name: str) -> None:
    """Raise if a header row is not the 12 data.police.uk columns, in order, exactly."""
    for position, expected in enumerate(STREET_COLUMNS):
        found = fields[position] if position < len(fields) else None
        if found != expected:
            column = f"{position + 1} ({expected})"
            if found is None:
                raise ImportFileError(
                    name,
                    1,
                    column,
                    None,
                    HEADER_FIX,
                    problem=f"is missing: the header has {len(fields)} columns",
                )
            raise ImportFileError(
                name, 1, column, found, HEADER_FIX, problem=f'should be "{expected}"'
            )
    if len(fields) > len(STREET_COLUMNS):
        raise ImportFileError(
            name,
            1,
            str(len(STREET_COLUMNS) + 1),
            fields[len(STREET_COLUMNS)],
            HEADER_FIX,
            problem="is an extra column",
        )


def open_bytes(path: Path) -> IO[bytes]:
    """The file's bytes, decompressed if its name ends in .gz."""
    return gzip.open(path, "rb") if path.suffix == ".gz" else path.open("rb")


def read_header(path: Path) -> None:
    """Check a file opens, is not empty, is UTF-8 at the start and has the right header."""
    name = path.name
    try:
        with open_bytes(path) as stream:
            first = stream.readline(65536)
            second = stream.read(1)
    except (OSError, EOFError, zlib.error) as exc:
        raise _broken_file_error(name, 1, exc) from None
    if not first.strip():
        raise ImportFileError(
            name,
            None,
            None,
            None,
            "download the file again from data.police.uk",
            problem="is empty: it has no header row",
        )
    try:
        text = first.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _encoding_error(name, 1, first, exc) from None
    check_header(next(csv.reader([text])), name)
    if not second:
        raise ImportFileError(
            name,
            2,
            None,
            None,
            "download the file again from data.police.uk",
            problem="has a header but no rows",
        )


def _broken_file_error(name: str, row: int, exc: BaseException) -> ImportFileError:
    """The error for a file that cannot be read to the end (bad or truncated gzip)."""
    if isinstance(exc, EOFError):
        problem = "ends early: the gzip data is cut off (truncated)"
    elif isinstance(exc, gzip.BadGzipFile):
        problem = "is not a gzip file, although its name ends in .gz"
    else:
        problem = f"cannot be read ({exc})"
    return ImportFileError(
        name,
        row,
        None,
        None,
        "download the file again, or unzip it and import the .csv",
        problem=problem,
    )


def _encoding_error(name: str, row: int, raw: bytes, exc: UnicodeDecodeError) -> ImportFileError:
    """The error for a line that is not UTF-8, naming the column holding the bad bytes."""
    fields = next(csv.reader([raw.decode("utf-8", "backslashreplace")]), [])
    column, value = None, raw.decode("utf-8", "backslashreplace").rstrip("\r\n")
    for position, field in enumerate(fields):
        if "\\x" in field:
            column = (
                STREET_COLUMNS[position] if position < len(STREET_COLUMNS) else str(position + 1)
            )
            value = field
            break
    return ImportFileError(
        name,
        row,
        column,
        value,
        "save the file as UTF-8 (data.police.uk files are UTF-8)",
        problem=f"is not UTF-8 text (byte 0x{raw[exc.start]:02x})",
    )


def _decoded_lines(stream: IO[bytes], name: str, position: list[int]) -> Iterator[str]:
    """Lines of a byte stream as text, raising an ``ImportFileError`` at the first bad line."""
    for raw in stream:
        position[0] += 1
        try:
            yield raw.decode("utf-8-sig" if position[0] == 1 else "utf-8")
        except UnicodeDecodeError as exc:
            raise _encoding_error(name, position[0], raw, exc) from None


def first_problem(path: Path, context: FileContext) -> ImportFileError | None:
    """Read one file row by row and return the first problem, or None if it is good.

    This is the slow, precise pass: it runs only on a file the set-based pass found fault
    with, to say exactly which row and column to fix.
    """
    lines = [0]
    row = 0
    try:
        with open_bytes(path) as stream:
            for row, fields in enumerate(
                csv.reader(_decoded_lines(stream, context.name, lines)), start=1
            ):
                error = (
                    check_row_header(fields, context)
                    if row == 1
                    else check_row(fields, row, context)
                )
                if error is not None:
                    return error
    except ImportFileError as exc:
        return exc
    except (OSError, EOFError, zlib.error) as exc:
        return _broken_file_error(context.name, row + 1, exc)
    except csv.Error as exc:
        return ImportFileError(
            context.name,
            row + 1,
            None,
            None,
            "check for a stray quote mark in this row",
            problem=f"({exc})",
        )
    if row == 0:
        return ImportFileError(
            context.name,
            None,
            None,
            None,
            "download the file again from data.police.uk",
            problem="is empty: it has no header row",
        )
    if row == 1:
        return ImportFileError(
            context.name,
            2,
            None,
            None,
            "download the file again from data.police.uk",
            problem="has a header but no rows",
        )
    return None


def check_row_header(fields: list[str], context: FileContext) -> ImportFileError | None:
    try:
        check_header(fields, context.name)
    except ImportFileError as exc:
        return exc
    return None


def check_row(fields: list[str], row: int, context: FileContext) -> ImportFileError | None:
    """The first rule a data row breaks, as an error, or None."""
    if len(fields) != len(STREET_COLUMNS):
        return ImportFileError(
            context.name,
            row,
            None,
            None,
            "quote any value that contains a comma, and give every row 12 values",
            problem=f"has {len(fields)} values, not {len(STREET_COLUMNS)}",
        )
    values = dict(zip(STREET_COLUMNS, fields, strict=True))
    for rule in STREET_RULES:
        value = values[rule.column]
        if not rule.python_ok(value, context):
            return ImportFileError(
                context.name,
                row,
                rule.column,
                value,
                rule.fix(value, context),
                problem=rule.problem,
            )
    return None


def text_stream(path: Path) -> io.TextIOWrapper:
    """A file as UTF-8 text (with or without a byte order mark), decompressed if .gz."""
    return io.TextIOWrapper(open_bytes(path), encoding="utf-8-sig", newline="")
