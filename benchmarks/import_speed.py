"""How fast the data.police.uk street-level import is, against two references on the same files.

Part of ``python -m benchmarks`` (``--only import``). Each measurement runs in its own child
process, so its peak memory (RSS, from ``getrusage``) is its own:

- **import-sqlite** and **import-postgresql**: ``oversight.data.services.import_police_uk``
  end to end (parse, validate, count, store) into a fresh database, timed from the call to its
  return (tables created first, not timed);
- **duckdb-count**: DuckDB's bare ``SELECT count(*) FROM read_csv(files)``, the practical floor;
- **duckdb-count-typed**: the same with the import's explicit CSV options (no type sniffing),
  a stricter floor shown for reference;
- **pandas**: plain ``pandas.read_csv`` of each file then a group-by month, force and crime type.

Timings are repeated (interleaved, to share out noise from other work on the machine) and the
median is reported. The SQLite import's peak memory is also measured on 1/4, 1/2 and all of
the files.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from benchmarks.common import (
    median,
    peak_rss_bytes,
    postgres_database,
    run_child,
    say,
)

REFERENCES = ("duckdb-count", "duckdb-count-typed", "pandas")
GROUP_COLUMNS = ["Month", "Falls within", "Crime type"]


# --- the measured work, each run in a child process --------------------------------------


def run_import(files: list[Path], database_url: str) -> dict[str, Any]:
    os.environ["DATABASE_URL"] = database_url
    from oversight.cli.common import setup_django

    setup_django(migrate=True)
    from oversight.data.services import import_police_uk

    steps = StepTimer()
    began = time.perf_counter()
    result = import_police_uk(files, imported_by="benchmark", progress=steps)
    seconds = time.perf_counter() - began
    steps.start("done", 0)
    return {
        "seconds": seconds,
        "rows": result.totals["rows_read"],
        "counts_stored": result.totals["counts_stored"],
        "steps": steps.seconds,
    }


class StepTimer:
    """A progress reporter that notes how long each step of the import took."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._step: str | None = None
        self._began = time.perf_counter()

    def start(self, description: str, total: int) -> None:
        now = time.perf_counter()
        if self._step is not None:
            self.seconds[self._step] = round(now - self._began, 3)
        self._step, self._began = description, now

    def advance(self, amount: int = 1) -> None:
        pass


def run_duckdb_count(files: list[Path], typed: bool) -> dict[str, Any]:
    import duckdb

    connection = duckdb.connect()
    began = time.perf_counter()
    if typed:
        from oversight.data.importers.police_uk import _read_csv_sql

        sql = f"SELECT count(*) FROM {_read_csv_sql()}"
    else:
        sql = "SELECT count(*) FROM read_csv($files)"
    row = connection.execute(sql, {"files": [str(f) for f in files]}).fetchone()
    return {"seconds": time.perf_counter() - began, "rows": row[0] if row else 0}


def run_pandas(files: list[Path]) -> dict[str, Any]:
    import pandas as pd

    began = time.perf_counter()
    groups = [pd.read_csv(path).groupby(GROUP_COLUMNS).size() for path in files]
    counts = pd.concat(groups).groupby(level=[0, 1, 2]).sum()
    return {"seconds": time.perf_counter() - began, "rows": int(counts.sum())}


def child(variant: str, list_file: Path, database_url: str) -> None:
    """Run one measurement and print it, with this process's peak RSS, as JSON."""
    import resource

    files = [Path(line) for line in list_file.read_text().splitlines()]
    if variant == "import":
        measured = run_import(files, database_url)
    elif variant == "pandas":
        measured = run_pandas(files)
    else:
        measured = run_duckdb_count(files, typed=variant == "duckdb-count-typed")
    usage = resource.getrusage(resource.RUSAGE_SELF)
    measured["peak_rss_bytes"] = peak_rss_bytes()
    measured["process_cpu_seconds"] = round(usage.ru_utime + usage.ru_stime, 3)
    print(json.dumps(measured))


# --- the parent: run the children, summarise ----------------------------------------------


def measure(variant: str, files: list[Path], postgres_url: str | None = None) -> dict[str, Any]:
    """One run of ``variant`` on ``files``; ``import-*`` variants get a fresh database."""
    with tempfile.TemporaryDirectory(prefix="oversight-bench-") as folder, ExitStack() as stack:
        list_file = Path(folder) / "files.txt"
        list_file.write_text("\n".join(str(f) for f in files))
        database = f"sqlite:///{Path(folder) / 'benchmark.sqlite3'}"
        if variant == "import-postgresql":
            assert postgres_url is not None
            database = stack.enter_context(postgres_database(postgres_url, "bench_import"))
        kind = "import" if variant.startswith("import") else variant
        return run_child("import_speed", [kind, "--files", str(list_file),
                                          "--database", database])  # fmt: skip


def run(files: list[Path], repeat: int, postgres_url: str | None,
        memory: bool = True) -> dict[str, Any]:  # fmt: skip
    """Every variant ``repeat`` times, interleaved; the summary gives medians and ratios."""
    variants = ["import-sqlite", *(["import-postgresql"] if postgres_url else []), *REFERENCES]
    runs: dict[str, list[dict[str, Any]]] = {variant: [] for variant in variants}
    for round_number in range(repeat):
        for variant in variants:
            result = measure(variant, files, postgres_url)
            runs[variant].append(result)
            say(f"import round {round_number + 1}: {variant}: {result['seconds']:.2f} s, "
                f"peak RSS {result['peak_rss_bytes'] / 2**20:.0f} MiB")  # fmt: skip
    report: dict[str, Any] = {
        "files": len(files),
        "bytes": sum(f.stat().st_size for f in files),
        "repeat": repeat,
        "runs": runs,
        "summary": summarise(runs),
    }
    if memory:
        report["memory"] = memory_by_share(files, runs["import-sqlite"][0])
    return report


def memory_by_share(files: list[Path], all_files: dict[str, Any]) -> dict[str, Any]:
    """Peak RSS of the SQLite import on 1/4, 1/2 and all of the files."""
    memory = {}
    for share, count in (("1/4", max(1, len(files) // 4)), ("1/2", max(1, len(files) // 2))):
        memory[share] = {"files": count, **measure("import-sqlite", files[:count])}
        say(f"import of {share} of the files: peak RSS "
            f"{memory[share]['peak_rss_bytes'] / 2**20:.0f} MiB")  # fmt: skip
    memory["all"] = {"files": len(files), **all_files}
    return memory


def summarise(runs: dict[str, list[dict[str, Any]]]) -> dict[str, dict[str, Any]]:
    """Median seconds, rows per second, peak RSS, and each import's time over each reference."""
    summary: dict[str, dict[str, Any]] = {}
    for variant, results in runs.items():
        seconds = [r["seconds"] for r in results]
        rows = results[0]["rows"]
        middle = median(seconds)
        summary[variant] = {
            "median_seconds": round(middle, 3),
            "min_seconds": round(min(seconds), 3),
            "max_seconds": round(max(seconds), 3),
            "rows": rows,
            "rows_per_second": round(rows / middle) if middle else 0,
            "peak_rss_mib": round(max(r["peak_rss_bytes"] for r in results) / 2**20),
        }
    for variant in [v for v in summary if v.startswith("import")]:
        summary[variant]["ratio_to"] = {
            reference: round(summary[variant]["median_seconds"]
                             / summary[reference]["median_seconds"], 2)
            for reference in REFERENCES
            if summary[reference]["median_seconds"]
        }  # fmt: skip
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--child", choices=("import", *REFERENCES), required=True)
    parser.add_argument("--files", type=Path, required=True)
    parser.add_argument("--database", default="")
    args = parser.parse_args()
    child(args.child, args.files, args.database)


if __name__ == "__main__":
    main()
