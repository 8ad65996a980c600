"""Run the benchmarks: ``python -m benchmarks`` (or ``oversight bench``) from the project root.

Every benchmark runs by default; ``--only import,web`` picks some. Each result is measured
beside a reference run on the same machine in the same run (DuckDB and pandas for the import,
numpy's bare XmR arithmetic for the recompute, a minimal Django view for the web pages,
WeasyPrint laying out plain pages for the report's PDF), because the machine is shared and
absolute times are noisy. The results go to ``benchmarks/results/<date>.json`` and the
generated part of ``docs/performance.md``. ``--quick`` is a smoke run (small input, one run
each, short loads) that writes ``<date>-quick.json`` and leaves the docs alone unless
``--doc`` is given. ``--update`` reruns only the chosen benchmarks and keeps the others'
results from the newest full results file, each section saying when it was measured.

PostgreSQL: ``OVERSIGHT_TEST_POSTGRES`` if set, else a throwaway cluster on 127.0.0.1 (as
``./dev test`` does), stopped and removed at the end. The web benchmark needs ``wrk``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.common import (
    DEFAULT_DATA,
    REPO,
    BenchmarkError,
    machine,
    postgres,
    say,
    street_files,
    write_json,
)

BENCHMARKS = ("import", "scale", "recompute", "web", "reports")
RESULTS_DIR = REPO / "benchmarks" / "results"
DOC = REPO / "docs" / "performance.md"
QUICK_FILES = 12
DEMO_POPULATION = REPO / "oversight" / "demo_data" / "population"


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks",
                                     description=__doc__.split("\n\n")[0])  # fmt: skip
    parser.add_argument("--only", default=",".join(BENCHMARKS),
                        help=f"comma-separated benchmarks to run (of {', '.join(BENCHMARKS)})")
    parser.add_argument("--quick", action="store_true",
                        help="a smoke run: small input, one run each, short loads")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA,
                        help="street-level files, or a shared data folder (default: %(default)s)")
    parser.add_argument("--repeat", type=int, default=None,
                        help="runs of each import variant (default 3; 1 with --quick)")
    parser.add_argument("--national", action="store_true",
                        help="also run the national case (about 100 million rows) if it fits")
    parser.add_argument("--no-postgres", action="store_true", help="skip PostgreSQL")
    parser.add_argument("--results", type=Path, default=RESULTS_DIR,
                        help="folder for the JSON results (default: %(default)s)")
    parser.add_argument("--doc", type=Path, default=None,
                        help=f"Markdown file to regenerate (default: {DOC.relative_to(REPO)}, "
                        "none with --quick)")
    parser.add_argument("--no-doc", action="store_true", help="write no Markdown")
    parser.add_argument("--update", action="store_true",
                        help="keep the results of the benchmarks not chosen from the newest "
                        "full results file, so the page shows every benchmark")
    args = parser.parse_args(argv)
    chosen = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = [name for name in chosen if name not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark {', '.join(unknown)}; use some of {', '.join(BENCHMARKS)}")
    args.chosen = [name for name in BENCHMARKS if name in chosen]
    if args.repeat is None:
        args.repeat = 1 if args.quick else 3
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    return args


def run_benchmark(name: str, args: argparse.Namespace, files: list[Path],
                  postgres_url: str | None) -> dict[str, Any]:  # fmt: skip
    population = sorted(DEMO_POPULATION.glob("*.csv"))
    if name == "import":
        from benchmarks import import_speed

        return import_speed.run(files, args.repeat, postgres_url)
    if name == "scale":
        from benchmarks import scale

        return scale.run(files, population, quick=args.quick, national=args.national)
    if name == "recompute":
        from benchmarks import recompute

        if not recompute.COUNTS.exists():
            raise BenchmarkError(f"{recompute.COUNTS} is missing (the shared data's derived "
                                 "counts); point OVERSIGHT_SHARED_DATA at the shared data")
        argv = ["--no-write", "--quick"] if args.quick else ["--no-write", "--repeat", "3"]
        report = recompute.main(argv)
        report.pop("profile", None)
        return report
    if name == "web":
        if postgres_url is None:
            raise BenchmarkError("the web benchmark needs PostgreSQL (none was available)")
        from benchmarks import web

        return web.run(postgres_url, quick=args.quick)
    if name == "reports":
        with tempfile.TemporaryDirectory(prefix="oversight-bench-reports-") as folder:
            target = Path(folder) / "reports.json"
            measures, repeat = ("4", "0") if args.quick else ("40", "2")
            done = subprocess.run(
                [sys.executable, "-m", "benchmarks.reports", "--measures", measures,
                 "--repeat", repeat, "--json", str(target)],
                cwd=REPO, capture_output=True, text=True, check=False,
            )  # fmt: skip
            if done.returncode != 0:
                raise BenchmarkError(f"the reports benchmark failed:\n{done.stderr[-2000:]}")
            return json.loads(target.read_text(encoding="utf-8"))
    raise BenchmarkError(f"no benchmark called {name}")


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args = parse(argv)
    files = street_files(args.data)
    if args.quick:
        files = files[:QUICK_FILES]
    began = time.perf_counter()
    needs_postgres = not args.no_postgres and bool({"import", "web"} & set(args.chosen))
    results: dict[str, Any] = {}
    with postgres() if needs_postgres else _nothing() as postgres_url:
        info = machine(postgres_url)
        for name in args.chosen:
            say(f"== {name}")
            started = time.perf_counter()
            load_before = round(os.getloadavg()[0], 2)
            measured_at = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
            try:
                results[name] = run_benchmark(name, args, files, postgres_url)
            except BenchmarkError as exc:
                say(f"{name} did not run: {exc}")
                results[name] = {"error": str(exc)}
            results[name]["wall_seconds"] = round(time.perf_counter() - started, 1)
            results[name]["measured"] = {"at": measured_at, "load_average_before": load_before,
                                         "load_average_after": round(os.getloadavg()[0], 2)}
    if args.update and not args.quick:
        results = _with_earlier_results(results, args.results)
    info["load_average_1min_after"] = round(os.getloadavg()[0], 2)
    from benchmarks import document

    report = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "quick": args.quick,
        "benchmarks": list(results),
        "data": {"folder": str(args.data), "files": len(files),
                 "bytes": sum(f.stat().st_size for f in files)},
        "machine": info,
        "results": results,
        "wall_seconds": round(time.perf_counter() - began, 1),
    }
    report["goals"] = document.goals(report)
    name = report["date"] + ("-quick" if args.quick else "") + ".json"
    write_json(args.results / name, report)
    say(f"wrote {args.results / name}")
    doc = args.doc if args.doc is not None else (None if args.quick else DOC)
    if doc is not None and not args.no_doc:
        document.write(doc, report)
        say(f"wrote {doc}")
    return report


def _with_earlier_results(results: dict[str, Any], folder: Path) -> dict[str, Any]:
    """The results just measured, and for each other benchmark its newest result in a full
    (not ``--quick``) results file in ``folder``, in the usual order."""
    runs = []
    for path in folder.glob("*.json"):
        try:
            found = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(found, dict) and found.get("quick") is False and "results" in found:
            runs.append(found)
    runs.sort(key=lambda run: run["machine"]["date"], reverse=True)
    merged: dict[str, Any] = {}
    for name in BENCHMARKS:
        if name in results:
            merged[name] = results[name]
            continue
        run = next((run for run in runs
                    if "error" not in run["results"].get(name, {"error": "not run"})), None)
        if run is None:
            continue
        kept = dict(run["results"][name])
        kept.setdefault("measured", {
            "at": run["machine"]["date"],
            "load_average_before": run["machine"].get("load_average_1min"),
            "load_average_after": run["machine"].get("load_average_1min_after"),
        })
        merged[name] = kept
        say(f"keeping the {name} results measured {kept['measured']['at']}")
    return merged


class _nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


if __name__ == "__main__":
    try:
        main()
    except BenchmarkError as exc:
        raise SystemExit(f"Error: {exc}") from None
