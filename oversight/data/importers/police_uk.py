"""Reading data.police.uk street-level files: find them, check them, count them, with DuckDB.

The work is set-based and streaming. Files are read a chunk at a time (a few dozen files, a
bounded amount of memory) by one DuckDB query that parses every value as text and counts rows
by file × month × force × crime type × LSOA. The rules in ``validate.py`` are then checked
in SQL over those counts (and row by row for coordinates, inside the same query). Each
chunk's counts go to a Parquet file in a private temporary folder, so memory does not grow
with the number of files. Only when every file has passed are the counts handed, in large
sorted slices, to ``services.py`` to store. If DuckDB finds a problem, the file is read again
row by row in Python to name the first bad row, column and value.

DuckDB is used here only, inside the import job; pages and reports read the Django database.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

import duckdb
import numpy

from oversight.data.validate import (
    ASB,
    CELL_RULES,
    ROW_RULES,
    STREET_COLUMNS,
    FileContext,
    ImportFileError,
    first_problem,
    parse_street_file_name,
    read_header,
    rule_sql,
)

CHUNK_BYTES = 24 * 1024 * 1024
"""Compressed bytes read by one DuckDB query: bounds memory whatever the number of files."""
CHUNK_FILES = 48
SLICE_ROWS = 20_000
"""Counts handed to the database per slice."""
DUCKDB_MEMORY_LIMIT = "1GB"
LSOA_SUFFIX = r" [0-9]{3}[A-Z]$"
"""What follows the local authority name in an LSOA name ("Blaby 002A")."""

Progress = Callable[[int], None]


@dataclass(frozen=True)
class StreetFile:
    """One street-level file: where it is, which month and force its name says, its checksum."""

    path: Path
    month: str
    force: str
    size_bytes: int
    sha256: str

    @property
    def name(self) -> str:
        return self.path.name


@dataclass
class FileCounts:
    """What reading one file found: the figures recorded in its batch's ``details``."""

    rows: int
    asb_rows: int
    duplicate_crime_id_rows: int
    no_location_rows: int
    no_coordinates_rows: int
    empty_crime_id_rows: int
    cells: int
    falls_within: list[str]
    crime_types: dict[str, int] = field(default_factory=dict)

    def details(self) -> dict[str, object]:
        return {
            "rows": self.rows,
            "asb_rows": self.asb_rows,
            "duplicate_crime_id_rows": self.duplicate_crime_id_rows,
            "no_location_rows": self.no_location_rows,
            "no_coordinates_rows": self.no_coordinates_rows,
            "empty_crime_id_rows": self.empty_crime_id_rows,
            "counts_stored": self.cells,
            "falls_within": self.falls_within,
            "crime_types": self.crime_types,
        }


def find_street_files(paths: Iterable[Path]) -> list[Path]:
    """Every street-level file named or inside a named folder (any depth), each once."""
    found: dict[Path, None] = {}
    for path in paths:
        if path.is_dir():
            inside = sorted(
                p
                for p in path.rglob("*-street.csv*")
                if p.is_file() and p.name.endswith((".csv", ".csv.gz"))
            )
            if not inside:
                raise ImportFileError(
                    str(path),
                    None,
                    None,
                    None,
                    "name a folder holding files like 2020-01/2020-01-leicestershire-street.csv.gz",
                    problem="has no street-level files (*-street.csv or .csv.gz)",
                )
            found.update(dict.fromkeys(p.resolve() for p in inside))
        elif path.is_file():
            found[path.resolve()] = None
        else:
            raise ImportFileError(
                str(path), None, None, None, "check the path", problem="does not exist"
            )
    return list(found)


def file_sha256(path: Path) -> str:
    """The SHA-256 of the file's bytes as stored (compressed, if it is .gz)."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while block := stream.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def describe_files(paths: list[Path]) -> list[StreetFile]:
    """Each file's month and force (from its name), size and checksum, hashed in parallel."""
    names = [parse_street_file_name(path) for path in paths]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        digests = list(pool.map(file_sha256, paths))
    return [
        StreetFile(path, month, force, path.stat().st_size, digest)
        for path, (month, force), digest in zip(paths, names, digests, strict=True)
    ]


def _chunks(files: list[StreetFile]) -> Iterator[list[StreetFile]]:
    """Consecutive groups of files small enough to read in one query."""
    chunk: list[StreetFile] = []
    size = 0
    for street_file in files:
        if chunk and (size + street_file.size_bytes > CHUNK_BYTES or len(chunk) >= CHUNK_FILES):
            yield chunk
            chunk, size = [], 0
        chunk.append(street_file)
        size += street_file.size_bytes
    if chunk:
        yield chunk


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _read_csv_sql() -> str:
    columns = ", ".join(f"'{name}': 'VARCHAR'" for name in STREET_COLUMNS)
    return (
        f"read_csv($files, columns = {{{columns}}}, header = true, auto_detect = false, "
        "delim = ',', quote = '\"', escape = '\"', encoding = 'utf-8', strict_mode = true, "
        "filename = true)"
    )


READ_COLUMNS = (
    "Crime ID",
    "Month",
    "Falls within",
    "Longitude",
    "Latitude",
    "LSOA code",
    "LSOA name",
    "Crime type",
)
"""Columns the counts are made from; the others are only checked."""


def _cells_sql() -> str:
    """Counts by file × month × force × crime type × LSOA, with what validation needs.

    Crime IDs are compared by their 64-bit hash, much faster than as 64-character text (the
    odds of two different IDs in one file sharing a hash are far below one in a billion).
    Counting the columns not otherwise read makes DuckDB decode, and so check the UTF-8 of,
    every value in the file.
    """
    rows_ok = " AND ".join(rule_sql(rule, _quote(rule.column)) for rule in ROW_RULES)
    decoded = " + ".join(f"count({_quote(c)})" for c in STREET_COLUMNS if c not in READ_COLUMNS)
    return f"""
        CREATE OR REPLACE TEMP TABLE cells AS
        SELECT filename, "Month" AS month, "Falls within" AS falls_within,
               "Crime type" AS crime_type, coalesce("LSOA code", '') AS lsoa_code,
               coalesce("LSOA name", '') AS lsoa_name,
               count(*) AS n_rows,
               list_distinct(list(hash("Crime ID")) FILTER (WHERE "Crime ID" IS NOT NULL)) AS ids,
               count("Crime ID") AS with_id,
               count(*) FILTER (WHERE "Longitude" IS NULL OR "Latitude" IS NULL) AS no_coordinates,
               count(*) FILTER (WHERE NOT ({rows_ok})) AS bad_rows,
               {decoded} AS decoded
        FROM {_read_csv_sql()}
        GROUP BY ALL
    """


def _first_bad_cell_sql() -> str:
    cells_ok = " AND ".join(
        rule_sql(
            rule,
            "nullif(c.lsoa_code, '')"
            if rule.column == "LSOA code"
            else {
                "Month": "c.month",
                "Crime type": "c.crime_type",
                "Falls within": "c.falls_within",
            }[rule.column],
            "f.file_month",
        )
        for rule in CELL_RULES
    )
    return f"""
        SELECT min(f.position) FROM cells c JOIN chunk_files f USING (filename)
        WHERE c.bad_rows > 0 OR NOT ({cells_ok})
    """


FILE_COUNTS_SQL = f"""
    SELECT filename,
           sum(n_rows)::BIGINT,
           coalesce(sum(n_rows) FILTER (WHERE crime_type = '{ASB}'), 0)::BIGINT,
           sum(with_id)::BIGINT,
           coalesce(sum(n_rows) FILTER (WHERE lsoa_code = ''), 0)::BIGINT,
           sum(no_coordinates)::BIGINT,
           (sum(n_rows) - sum(with_id))::BIGINT,
           count(*)::BIGINT,
           list_sort(list_distinct(list(falls_within)))
    FROM cells GROUP BY filename
"""
DISTINCT_IDS_SQL = """
    SELECT filename, count(DISTINCT id)::BIGINT
    FROM (SELECT filename, unnest(ids) AS id FROM cells) GROUP BY filename
"""
CRIME_TYPE_COUNTS_SQL = """
    SELECT filename, crime_type, sum(n_rows)::BIGINT FROM cells GROUP BY ALL ORDER BY ALL
"""
STAGE_SQL = f"""
    COPY (
        SELECT c.filename, c.month, c.falls_within, c.crime_type, c.lsoa_code,
               regexp_replace(c.lsoa_name, '{LSOA_SUFFIX}', '') AS local_authority,
               c.n_rows, coalesce(len(c.ids), 0) AS n_ids
        FROM cells c
    ) TO $target (FORMAT parquet)
"""
STORED_SQL = """
    SELECT b.batch_id, s.month, f.force_id, s.crime_type, s.lsoa_code, s.local_authority,
           s.n_rows, s.n_ids
    FROM read_parquet($source) s
    JOIN batch_ids b USING (filename) JOIN force_ids f USING (falls_within)
    ORDER BY b.batch_id, s.crime_type
"""


class StreetScan:
    """A DuckDB session that checks and counts street-level files, then hands the counts over.

    Use it as a context manager; its temporary folder (the staged counts) is removed on exit.
    """

    def __init__(self, force_names: frozenset[str]) -> None:
        self.force_names = force_names
        self._folder = tempfile.TemporaryDirectory(prefix="oversight-import-")
        self._staged: list[Path] = []
        self._db = duckdb.connect(
            config={
                "memory_limit": DUCKDB_MEMORY_LIMIT,
                "preserve_insertion_order": False,
                "temp_directory": str(Path(self._folder.name) / "spill"),
            }
        )
        self._db.execute(
            "CREATE TEMP TABLE force_names AS SELECT unnest($names) AS name",
            {"names": sorted(force_names)},
        )

    def __enter__(self) -> StreetScan:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()
        self._folder.cleanup()

    def read(
        self, files: list[StreetFile], progress: Progress | None = None
    ) -> dict[Path, FileCounts]:
        """Check and count every file; raise ``ImportFileError`` at the first problem."""
        counts: dict[Path, FileCounts] = {}
        for chunk in _chunks(files):
            counts.update(self._read_chunk(chunk))
            if progress:
                progress(len(chunk))
        return counts

    def _read_chunk(self, chunk: list[StreetFile]) -> dict[Path, FileCounts]:
        for street_file in chunk:
            read_header(street_file.path)
        self._db.execute(
            "CREATE OR REPLACE TEMP TABLE chunk_files AS SELECT unnest($names) AS filename, "
            "unnest($months) AS file_month, unnest($positions) AS position",
            {
                "names": [str(f.path) for f in chunk],
                "months": [f.month for f in chunk],
                "positions": list(range(len(chunk))),
            },
        )
        try:
            self._db.execute(_cells_sql(), {"files": [str(f.path) for f in chunk]})
        except duckdb.Error as exc:
            raise self._locate(chunk, 0, exc) from None
        bad = self._db.execute(_first_bad_cell_sql()).fetchone()
        if bad is not None and bad[0] is not None:
            raise self._locate(chunk, int(bad[0]), None)
        counts = self._file_counts()
        target = Path(self._folder.name) / f"counts-{len(self._staged):05d}.parquet"
        self._db.execute(STAGE_SQL, {"target": str(target)})
        self._db.execute("DROP TABLE cells")
        self._staged.append(target)
        return counts

    def _file_counts(self) -> dict[Path, FileCounts]:
        distinct = dict(self._db.execute(DISTINCT_IDS_SQL).fetchall())
        counts = {}
        for (
            name,
            rows,
            asb,
            with_id,
            no_lsoa,
            no_coords,
            no_id,
            cells,
            falls_within,
        ) in self._db.execute(FILE_COUNTS_SQL).fetchall():
            duplicates = with_id - distinct.get(name, 0)
            counts[Path(name)] = FileCounts(
                rows, asb, duplicates, no_lsoa, no_coords, no_id, cells, list(falls_within)
            )
        for name, crime_type, rows in self._db.execute(CRIME_TYPE_COUNTS_SQL).fetchall():
            counts[Path(name)].crime_types[crime_type] = rows
        return counts

    def _locate(
        self, chunk: list[StreetFile], start: int, exc: duckdb.Error | None
    ) -> ImportFileError:
        """The first problem in the chunk, found row by row from file ``start`` on."""
        for street_file in chunk[start:]:
            context = FileContext(street_file.name, street_file.month, self.force_names)
            problem = first_problem(street_file.path, context)
            if problem is not None:
                return problem
        culprit = _file_named_in(str(exc), chunk) if exc else chunk[start]
        detail = str(exc).splitlines()[0] if exc else "a check failed"
        return ImportFileError(
            culprit.name,
            None,
            None,
            None,
            "check the file opens as a CSV in a text editor",
            problem=f"cannot be read ({detail})",
        )

    def stored_counts(
        self, batch_ids: dict[Path, int], force_ids: dict[str, int]
    ) -> Iterator[list[object]]:
        """The counts to store, in slices of values row after row: (batch, month, force, crime
        type, LSOA, local authority, rows, crime IDs) for each count, by batch and crime type.

        Each staged chunk is fetched as columns and laid out with numpy, which is much faster
        than building a tuple per row; memory stays bounded by the chunk size.
        """
        self._db.execute(
            "CREATE OR REPLACE TEMP TABLE batch_ids AS "
            "SELECT unnest($names) AS filename, unnest($ids) AS batch_id",
            {"names": [str(path) for path in batch_ids], "ids": list(batch_ids.values())},
        )
        self._db.execute(
            "CREATE OR REPLACE TEMP TABLE force_ids AS "
            "SELECT unnest($names) AS falls_within, unnest($ids) AS force_id",
            {"names": list(force_ids), "ids": list(force_ids.values())},
        )
        for source in self._staged:
            columns = self._db.execute(STORED_SQL, {"source": str(source)}).fetchnumpy()
            table = numpy.empty((len(columns["batch_id"]), len(columns)), dtype=object)
            for position, values in enumerate(columns.values()):
                table[:, position] = values
            values = table.ravel().tolist()
            step = SLICE_ROWS * len(columns)
            for start in range(0, len(values), step):
                yield values[start : start + step]


def _file_named_in(message: str, chunk: list[StreetFile]) -> StreetFile:
    """The file a DuckDB error message names, or the chunk's first file."""
    for street_file in chunk:
        if re.search(re.escape(str(street_file.path)), message):
            return street_file
    return chunk[0]
