"""Fast bulk inserts of plain tuples, for imports that store many rows in one transaction.

Used by ``services`` only (the one way to write). PostgreSQL gets ``COPY``; SQLite gets
multi-row ``INSERT`` statements run with ``executemany``; other databases get one row per
statement, still with ``executemany``. No model instances are built and no signals are sent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import connection
from django.db.models import Model

SQLITE_ROWS_PER_INSERT = 100
"""Rows per SQLite INSERT statement (8 columns × 100 stays far below its 32,766 parameters)."""


def insert_rows(
    model: type[Model],
    fields: Sequence[str],
    slices: Iterable[list[Any]],
    advance: Callable[[int], None] | None = None,
) -> int:
    """Insert rows into ``model``'s table inside the caller's transaction; return how many.

    Each slice is a flat list of values, row after row, each row holding ``fields``' values in
    order (foreign keys as ids).
    """
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(model._meta.get_field(name).column) for name in fields)
    width = len(fields)
    inserted = 0
    with connection.cursor() as cursor:
        for values in slices:
            if connection.vendor == "postgresql":
                _copy(cursor, table, columns, values, width)
            else:
                _insert(cursor, table, columns, values, width)
            inserted += len(values) // width
            if advance:
                advance(len(values) // width)
    return inserted


def _copy(cursor: Any, table: str, columns: str, values: list[Any], width: int) -> None:
    """PostgreSQL: stream the rows with COPY (psycopg 3)."""
    with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for start in range(0, len(values), width):
            copy.write_row(values[start : start + width])


def _insert(cursor: Any, table: str, columns: str, values: list[Any], width: int) -> None:
    """SQLite: many rows per INSERT statement; other databases: one row per statement."""
    one = "(" + ", ".join(["%s"] * width) + ")"
    per = SQLITE_ROWS_PER_INSERT if connection.vendor == "sqlite" else 1
    step = per * width
    whole = len(values) - len(values) % step
    if whole:
        cursor.executemany(
            f"INSERT INTO {table} ({columns}) VALUES " + ", ".join([one] * per),
            [values[start : start + step] for start in range(0, whole, step)],
        )
    if whole < len(values):
        cursor.executemany(
            f"INSERT INTO {table} ({columns}) VALUES {one}",
            [values[start : start + width] for start in range(whole, len(values), width)],
        )
