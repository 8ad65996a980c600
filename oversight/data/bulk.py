"""Fast bulk inserts of plain tuples, for imports that store many rows in one transaction.

Used by ``services`` only (the one way to write). PostgreSQL gets ``COPY``; SQLite gets
multi-row ``INSERT`` statements run with ``executemany``; other databases get one row per
statement, still with ``executemany``. No model instances are built and no signals are sent.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import connection
from django.db.models import Model

SQLITE_ROWS_PER_INSERT = 100
"""Rows per SQLite INSERT statement (8 columns × 100 stays far below its 32,766 parameters)."""

Row = tuple[Any, ...]


def insert_rows(
    model: type[Model],
    fields: Sequence[str],
    slices: Iterable[list[Row]],
    advance: Callable[[int], None] | None = None,
) -> int:
    """Insert rows (tuples of ``fields``' values, foreign keys as ids) into ``model``'s table,
    slice by slice, inside the caller's transaction; return how many were inserted."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(model._meta.get_field(name).column) for name in fields)
    inserted = 0
    with connection.cursor() as cursor:
        for rows in slices:
            if not rows:
                continue
            if connection.vendor == "postgresql":
                _copy(cursor, table, columns, rows)
            else:
                _insert(cursor, table, columns, rows)
            inserted += len(rows)
            if advance:
                advance(len(rows))
    return inserted


def _copy(cursor: Any, table: str, columns: str, rows: list[Row]) -> None:
    """PostgreSQL: stream the rows with COPY (psycopg 3)."""
    with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _insert(cursor: Any, table: str, columns: str, rows: list[Row]) -> None:
    """SQLite: many rows per INSERT statement; other databases: one row per statement."""
    width = len(rows[0])
    one = "(" + ", ".join(["%s"] * width) + ")"
    per = SQLITE_ROWS_PER_INSERT if connection.vendor == "sqlite" else 1
    whole = len(rows) - len(rows) % per
    if whole:
        values = list(itertools.chain.from_iterable(rows[:whole]))
        step = per * width
        cursor.executemany(
            f"INSERT INTO {table} ({columns}) VALUES " + ", ".join([one] * per),
            [values[i : i + step] for i in range(0, len(values), step)],
        )
    if whole < len(rows):
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES {one}", rows[whole:])
