"""Scale: the real files replicated 1×, 4× and 16×, imported and recomputed at each size.

Part of ``python -m benchmarks`` (``--only scale``). Every replica, the first included, is the
real files' rows written again as new data.police.uk files; replica 0 changes nothing but the
compression, and every other replica adjusts identifiers:

- the forces are moved to forces not in the real data (Leicestershire Police becomes, say,
  Bedfordshire Police, in the file name, "Reported by" and "Falls within"), up to 4 groups;
- then the months are moved back by whole spans of the data (7 years for the shared data), in
  the file name and "Month";
- every Crime ID has its hexadecimal digits rotated (a one-to-one change, so repeated IDs stay
  repeated and distinct IDs distinct).

So 16× holds 16 × the rows, the counts and the series, and each force × month stays one file.
Every replica is written the same way (gzip level 1, ``COMPRESS_LEVEL``) into a temporary folder
that is removed afterwards, so every size's input is alike: the real files as published are
gzipped at level 9, which is smaller and reads at a different speed.

At each size a child process imports all the files into a fresh SQLite database, reports the
time, peak RSS and the database size, then recomputes every measure for every force
(``benchmarks.recompute.recompute_database``). DuckDB's typed count of the same files is run at
each size as the import's reference, and numpy's bare XmR arithmetic as the recompute's.
The growth exponent b (time ∝ rows^b) is fitted to the sizes and the national case (43 forces
× 15 years, about 100 million rows) is projected from it; ``--national`` also runs it when
the disk has room.
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import os
import shutil
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from benchmarks.common import BenchmarkError, median, peak_rss_bytes, run_child, say

FACTORS = (1, 4, 16)
QUICK_FACTORS = (1, 2)
FORCE_GROUPS = 4
COMPRESS_LEVEL = 1
"""gzip level of every replica, the 1× one included, so all sizes are read alike."""
NATIONAL_ROWS = 100_000_000
HEX = "0123456789abcdef"


# --- making the replicas --------------------------------------------------------------------


def _month_index(month: str) -> int:
    return int(month[:4]) * 12 + int(month[5:7]) - 1


def _month(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _name_parts(path: Path) -> tuple[str, str]:
    """(month, force slug) from ``2020-01-leicestershire-street.csv.gz``."""
    stem = path.name.split("-street.csv")[0]
    return stem[:7], stem[8:]


def plan_replicas(files: list[Path], count: int) -> list[dict[str, Any]]:
    """How each replica moves forces and months: ``{"forces": {slug: slug}, "shift": months}``.

    Replica 0 changes nothing. Replicas cycle through up to ``FORCE_GROUPS`` force groups (the
    real forces, then groups of forces not in the data), then move months back a span.
    """
    from oversight.data.forces import BY_SLUG, KNOWN_FORCES

    real = sorted({_name_parts(f)[1] for f in files})
    spare = [k.slug for k in KNOWN_FORCES if k.slug not in real and k.ons_code]
    groups = max(1, min(FORCE_GROUPS, 1 + len(spare) // max(1, len(real))))
    months = [_month_index(_name_parts(f)[0]) for f in files]
    span = max(months) - min(months) + 1
    span = math.ceil(span / 12) * 12  # whole years, so calendar quarters stay aligned
    plans = []
    for replica in range(count):
        group, shift = replica % groups, replica // groups
        moves = {slug: slug for slug in real}
        if group:
            moves = {slug: spare[(group - 1) * len(real) + i] for i, slug in enumerate(real)}
        plans.append({
            "forces": moves,
            "names": {BY_SLUG[a].name: BY_SLUG[b].name for a, b in moves.items()
                      if a in BY_SLUG and b in BY_SLUG},
            "shift": -shift * span,
            "rotate": replica % 16,
        })  # fmt: skip
    return plans


def write_replica_file(source: Path, target_dir: Path, plan: dict[str, Any]) -> Path:
    """Write ``source`` again as the replica ``plan`` describes; return the new file's path."""
    month, slug = _name_parts(source)
    new_month = _month(_month_index(month) + plan["shift"])
    new_slug = plan["forces"][slug]
    target = target_dir / new_month / f"{new_month}-{new_slug}-street.csv.gz"
    target.parent.mkdir(parents=True, exist_ok=True)
    rotate = plan["rotate"]
    ids = str.maketrans(HEX, HEX[rotate:] + HEX[:rotate])
    names = plan["names"]
    months: dict[str, str] = {}
    with gzip.open(source, "rt", encoding="utf-8", newline="") as reading, \
            gzip.open(target, "wt", encoding="utf-8", newline="",
                      compresslevel=COMPRESS_LEVEL) as writing:
        writing.write(reading.readline())  # the header
        out = []
        for line in reading:
            crime_id, row_month, reported, falls, rest = line.split(",", 4)
            shifted = months.get(row_month)
            if shifted is None:
                shifted = months[row_month] = (
                    _month(_month_index(row_month) + plan["shift"])
                    if len(row_month) == 7 else row_month
                )  # fmt: skip
            out.append(f"{crime_id.translate(ids)},{shifted},{names.get(reported, reported)},"
                       f"{names.get(falls, falls)},{rest}")  # fmt: skip
            if len(out) >= 20_000:
                writing.write("".join(out))
                out.clear()
        writing.write("".join(out))
    return target


def _write_replica(args: tuple[list[Path], Path, dict[str, Any]]) -> list[Path]:
    files, folder, plan = args
    return [write_replica_file(f, folder, plan) for f in files]


def make_replicas(files: list[Path], count: int, folder: Path) -> list[list[Path]]:
    """The files of each replica, all written here the same way (replica 0 keeps every
    identifier, so it is the real files recompressed like the others)."""
    plans = plan_replicas(files, count)
    jobs = [(files, folder / f"replica-{r:02d}", plans[r]) for r in range(count)]
    with ProcessPoolExecutor(max_workers=min(2, os.cpu_count() or 1)) as pool:
        return list(pool.map(_write_replica, jobs))


# --- one size, in a child process ---------------------------------------------------------


def child(list_file: Path, workdir: Path, population: list[Path]) -> None:
    """Import the listed files into a fresh SQLite file, measure it, recompute; print JSON."""
    database = workdir / "scale.sqlite3"
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    from oversight.cli.common import setup_django

    setup_django(migrate=True)
    from django.db import connection

    from benchmarks.import_speed import StepTimer
    from benchmarks.recompute import recompute_database
    from oversight.data import services

    if population:
        services.import_population(population, imported_by="benchmark")
    files = [Path(line) for line in list_file.read_text().splitlines()]
    steps = StepTimer()
    began = time.perf_counter()
    result = services.import_police_uk(files, imported_by="benchmark", progress=steps)
    seconds = time.perf_counter() - began
    steps.start("done", 0)
    rss = peak_rss_bytes()
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = sum(p.stat().st_size for p in workdir.glob("scale.sqlite3*"))
    recompute = recompute_database()
    print(json.dumps({
        "files": len(files),
        "rows": result.totals["rows_read"],
        "counts_stored": result.totals["counts_stored"],
        "import_seconds": seconds,
        "import_steps": steps.seconds,
        "import_peak_rss_bytes": rss,
        "database_bytes": size,
        "recompute": recompute,
    }))  # fmt: skip


def _duckdb_typed_seconds(files: list[Path]) -> float:
    import duckdb

    from oversight.data.importers.police_uk import _read_csv_sql

    connection = duckdb.connect()
    began = time.perf_counter()
    connection.execute(f"SELECT count(*) FROM {_read_csv_sql()}",
                       {"files": [str(f) for f in files]}).fetchone()  # fmt: skip
    return time.perf_counter() - began


def measure_size(files: list[Path], population: list[Path], folder: Path) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="size-", dir=folder))
    try:
        list_file = work / "files.txt"
        list_file.write_text("\n".join(str(f) for f in files))
        args = [str(list_file), "--workdir", str(work)]
        for path in population:
            args += ["--population", str(path)]
        measured = run_child("scale", args)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    measured["duckdb_typed_seconds"] = median([_duckdb_typed_seconds(files) for _ in range(3)])
    return measured


def fit(xs: list[float], ys: list[float]) -> tuple[float, float]:
    """Least squares of log y = a + b log x: returns (a, b)."""
    lx, ly = [math.log(x) for x in xs], [math.log(max(y, 1e-9)) for y in ys]
    mx, my = sum(lx) / len(lx), sum(ly) / len(ly)
    sxx = sum((x - mx) ** 2 for x in lx)
    b = sum((x - mx) * (y - my) for x, y in zip(lx, ly, strict=True)) / sxx if sxx else 1.0
    return my - b * mx, b


def project(rows: list[float], values: list[float], target: float) -> dict[str, float]:
    a, b = fit(rows, values)
    return {"exponent": round(b, 3), "projected": math.exp(a) * target**b}


def run(files: list[Path], population: list[Path], quick: bool = False,
        national: bool = False) -> dict[str, Any]:  # fmt: skip
    """Import and recompute at each size; fit the growth and project the national case."""
    factors = QUICK_FACTORS if quick else FACTORS
    base = Path(tempfile.mkdtemp(prefix="oversight-scale-"))
    sizes = []
    try:
        needed = max(factors)
        began = time.perf_counter()
        replicas = make_replicas(files, needed, base)
        generated = time.perf_counter() - began
        say(f"scale: wrote {needed} replicas in {generated:.0f} s")
        for factor in factors:
            chosen = [f for replica in replicas[:factor] for f in replica]
            measured = measure_size(chosen, population, base)
            measured["factor"] = factor
            sizes.append(measured)
            say(f"scale {factor}×: {measured['rows']:,} rows, import "
                f"{measured['import_seconds']:.1f} s, database "
                f"{measured['database_bytes'] / 2**20:.0f} MiB, recompute "
                f"{measured['recompute']['seconds']:.2f} s")  # fmt: skip
        rows = [s["rows"] for s in sizes]
        growth = {
            "import_seconds": project(rows, [s["import_seconds"] for s in sizes], NATIONAL_ROWS),
            "database_bytes": project(rows, [s["database_bytes"] for s in sizes], NATIONAL_ROWS),
            "recompute_seconds": project(rows, [s["recompute"]["seconds"] for s in sizes],
                                         NATIONAL_ROWS),
            "import_peak_rss_bytes": project(rows, [s["import_peak_rss_bytes"] for s in sizes],
                                             NATIONAL_ROWS),
        }  # fmt: skip
        report: dict[str, Any] = {
            "factors": list(factors),
            "generate_seconds": generated,
            "sizes": sizes,
            "growth": growth,
            "national_rows": NATIONAL_ROWS,
        }
        report["national"] = national_case(files, population, rows[0], growth, base, national)
        return report
    finally:
        shutil.rmtree(base, ignore_errors=True)


def national_case(files: list[Path], population: list[Path], base_rows: int,
                  growth: dict[str, Any], folder: Path, wanted: bool) -> dict[str, Any]:
    """Run the national case if asked and there is room; say why not otherwise."""
    factor = math.ceil(NATIONAL_ROWS / base_rows)
    need = growth["database_bytes"]["projected"] + sum(f.stat().st_size for f in files) * factor
    free = shutil.disk_usage(folder).free
    case: dict[str, Any] = {"factor": factor, "disk_needed_bytes": need, "disk_free_bytes": free}
    if not wanted:
        case["ran"] = False
        case["why_not"] = "not asked for (--national)"
        return case
    if need * 1.5 > free:
        case["ran"] = False
        case["why_not"] = f"needs about {need / 2**30:.0f} GiB, {free / 2**30:.0f} GiB free"
        return case
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    replicas = make_replicas(files, factor, folder)
    chosen = [f for replica in replicas for f in replica]
    case.update(measure_size(chosen, population, folder), ran=True)
    return case


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--child", type=Path, required=True, help="file listing the files")
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--population", type=Path, action="append", default=[])
    args = parser.parse_args()
    if not args.child.exists():
        raise BenchmarkError(f"{args.child} does not exist")
    child(args.child, args.workdir, args.population)


if __name__ == "__main__":
    main()
