"""How long a full recompute of SPC and MSG takes for every force × crime type series.

Run from the repository root (either form works):

    .venv/bin/python benchmarks/recompute.py
    .venv/bin/python -m benchmarks.recompute [--repeat 3] [--quick] [--no-write]

The series are every force × crime type in
`shared/data/police-uk/derived/street_counts_by_force_month_type.csv` (42 forces, 14 crime
types): monthly row counts from the force's first month to its last, with the months in
between that have no file ghosted (left out of the limits and the rules, as the app does).
A month with a file but no row for a crime type counts 0.

For each series the recompute does what `oversight.performance.compute` does with the methods:

- `oversight.methods.spc.spc()` over the monthly series (default settings, ghosts set);
- `oversight.methods.msg.compare_with_peers()` for the force's latest complete financial
  quarter against its peer group.

There is no published Most Similar Group table (shared/data/README.md section 7), so the peer
group is a stand-in: the README's provisional six for Leicestershire, and the 7 forces nearest
in 2019 population for every other force. Forces with no 2019 population in the shared file
(the Welsh forces, British Transport Police, Northern Ireland) get the median population, for
timing only. Polarity is "neither" for Drugs and Possession of weapons, "lower" otherwise.

It then times how the cost grows with the number of series (the real series replicated 1×, 4×
and 16×) and with series length (synthetic series of 12, 48 and 192 points), prints a Markdown
table and writes `benchmarks/results/recompute.json`; `python -m benchmarks` puts it in
`docs/performance.md`. When the real recompute takes longer than the goal (one second
per 1,000 series) it also profiles one run with cProfile and reports the hot spots.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import datetime as dt
import io
import json
import os
import platform
import pstats
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # let `python benchmarks/recompute.py` find the package
    sys.path.insert(0, str(ROOT))

import numpy  # noqa: E402
import scipy  # noqa: E402

from oversight.methods import periods  # noqa: E402
from oversight.methods.msg import AreaCount, compare_with_peers  # noqa: E402
from oversight.methods.spc import SPCSettings, spc  # noqa: E402

GOAL_SECONDS_PER_1000 = 1.0
DATA = Path(os.environ.get("OVERSIGHT_SHARED_DATA", ROOT.parent / "shared" / "data"))
COUNTS = DATA / "police-uk" / "derived" / "street_counts_by_force_month_type.csv"
POPULATION = DATA / "population" / "population_policeforces.csv"
RESULTS = ROOT / "benchmarks" / "results" / "recompute.json"

NEITHER = {"Drugs", "Possession of weapons"}
PROVISIONAL_PEERS = {
    "leicestershire": [
        "nottinghamshire",
        "staffordshire",
        "kent",
        "avon-and-somerset",
        "derbyshire",
        "northamptonshire",
    ]
}
PEER_GROUP_SIZE = 7
LENGTHS = (12, 48, 192)
SYNTHETIC_SERIES = 1000
REPLICATIONS = (1, 4, 16)


@dataclass(frozen=True)
class Job:
    """One series' recompute: the SPC inputs and, when there is a quarter, the MSG inputs."""

    name: str
    values: list[int | None]
    months: list[str]
    ghost: tuple[int, ...]
    polarity: str
    force: AreaCount | None
    peers: tuple[AreaCount, ...]

    @property
    def points(self) -> int:
        return len(self.values)


# --- building the series ------------------------------------------------------------------


def _slug(column: str) -> str:
    return column.lower().replace(" ", "-")


def load_populations() -> dict[str, int]:
    """Force slug -> 2019 mid-year population, from the shared file's 2019 row."""
    with POPULATION.open(newline="", encoding="utf-8") as handle:
        row = next(r for r in csv.DictReader(handle) if r["year"] == "2019")
    return {_slug(column): int(value) for column, value in row.items() if column != "year"}


def load_jobs() -> tuple[list[Job], dict[str, Any]]:
    """Every force × crime type series, ready for `spc()` and `compare_with_peers()`."""
    counts: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    force_months: dict[str, set[str]] = defaultdict(set)
    crime_types: set[str] = set()
    with COUNTS.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            counts[row["force"], row["crime_type"]][row["month"]] += int(row["n"])
            force_months[row["force"]].add(row["month"])
            crime_types.add(row["crime_type"])
    known = load_populations()
    stand_in = int(statistics.median(known.values()))
    forces = sorted(force_months)
    population = {force: known.get(force, stand_in) for force in forces}
    peer_groups = {
        force: PROVISIONAL_PEERS.get(force)
        or sorted(
            (other for other in forces if other != force),
            key=lambda other: (abs(population[other] - population[force]), other),
        )[:PEER_GROUP_SIZE]
        for force in forces
    }
    jobs: list[Job] = []
    for force in forces:
        present = force_months[force]
        months = periods.month_range(min(present), max(present))
        quarter = _latest_complete_quarter(present)
        for crime_type in sorted(crime_types):
            by_month = counts.get((force, crime_type), {})
            values = [by_month.get(m, 0) if m in present else None for m in months]
            ghost = tuple(i for i, value in enumerate(values) if value is None)
            area, peers = None, ()
            if quarter is not None:
                area = AreaCount(force, _quarter_total(by_month, quarter), population[force])
                peers = tuple(
                    AreaCount(peer, _quarter_total(counts.get((peer, crime_type), {}), quarter),
                              population[peer])
                    for peer in peer_groups[force]
                    if set(periods.months_of_quarter(quarter)) <= force_months[peer]
                )  # fmt: skip
            polarity = "neither" if crime_type in NEITHER else "lower"
            jobs.append(Job(f"{force}/{crime_type}", values, months, ghost, polarity, area, peers))
    info = {
        "forces": len(forces),
        "crime_types": len(crime_types),
        "forces_without_2019_population": sorted(set(forces) - set(known)),
        "stand_in_population": stand_in,
    }
    return jobs, info


def _latest_complete_quarter(months: set[str]) -> str | None:
    quarters = sorted({periods.quarter_of(m) for m in months}, key=periods.parse_quarter)
    for label in reversed(quarters):
        if set(periods.months_of_quarter(label)) <= months:
            return label
    return None


def _quarter_total(by_month: dict[str, int], quarter: str) -> int:
    return sum(by_month.get(m, 0) for m in periods.months_of_quarter(quarter))


def synthetic_jobs(length: int, count: int, seed: int = 20250101) -> list[Job]:
    """`count` synthetic monthly series of `length` points (no gaps), with a peer group."""
    rng = numpy.random.default_rng(seed + length)
    months = periods.month_range("2000-01", periods.add_months("2000-01", length - 1))
    force = AreaCount("force", 1_800, 1_000_000)
    peers = tuple(AreaCount(f"peer {k}", 1_500 + 100 * k, 900_000 + 50_000 * k) for k in range(7))
    jobs = []
    for i in range(count):
        level = rng.uniform(20, 600)
        values = [int(v) for v in rng.poisson(level, length)]
        jobs.append(Job(f"synthetic {i}", values, months, (), "lower", force, peers))
    return jobs


# --- timing ---------------------------------------------------------------------------------


def run_spc(jobs: Sequence[Job]) -> None:
    for job in jobs:
        spc(job.values, periods=job.months, polarity=job.polarity,
            settings=SPCSettings(ghost=job.ghost))  # fmt: skip


def run_msg(jobs: Sequence[Job]) -> None:
    for job in jobs:
        if job.force is not None and job.peers:
            compare_with_peers(job.force, job.peers, job.polarity)


def run_all(jobs: Sequence[Job]) -> None:
    run_spc(jobs)
    run_msg(jobs)


def best_of(repeat: int, work: Callable[[Sequence[Job]], None], jobs: Sequence[Job]) -> float:
    """The fastest of `repeat` runs, in seconds (the least disturbed by other load)."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work(jobs)
        times.append(time.perf_counter() - started)
    return min(times)


def per_1000(seconds: float, series: int) -> float:
    return 1000 * seconds / series


STAGES = (
    ("SPC: `spc.spc` in all", "oversight/methods/spc.py", "spc"),
    ("SPC: exact means with `Fraction` (`spc._mean`)", "oversight/methods/spc.py", "_mean"),
    ("SPC: the rules (`spc_rules.apply_rules`)", "oversight/methods/spc_rules.py", "apply_rules"),
    ("SPC: input checks (`spc._clean_values`)", "oversight/methods/spc.py", "_clean_values"),
    ("SPC: ghost and recalculation lookups (`spc._positions`)", "oversight/methods/spc.py",
     "_positions"),
    ("MSG: `msg.compare_with_peers` in all", "oversight/methods/msg.py", "compare_with_peers"),
    ("MSG: exact Poisson interval via `scipy.stats.chi2.ppf` (`msg._exact_limits`)",
     "oversight/methods/msg.py", "_exact_limits"),
    ("MSG: sample SDs (`statistics.stdev`, exact `Fraction` sums)", "statistics.py", "stdev"),
)  # fmt: skip


def profile(jobs: Sequence[Job], top: int = 15) -> dict[str, Any]:
    """cProfile one full recompute: time by stage, and the functions with most own time."""
    profiler = cProfile.Profile()
    profiler.enable()
    run_all(jobs)
    profiler.disable()
    stats = pstats.Stats(profiler)
    entries = stats.stats.items()  # type: ignore[attr-defined]
    total = sum(own for (_, _, own, _, _) in stats.stats.values())  # type: ignore[attr-defined]

    def short(filename: str) -> str:
        where = Path(filename)
        return str(where.relative_to(ROOT)) if where.is_relative_to(ROOT) else where.name

    stages = []
    for label, filename, function in STAGES:
        cumulative = sum(
            value[3]
            for (path, _, name), value in entries
            if name == function and short(path) == filename
        )
        stages.append({"stage": label, "cumulative_seconds": cumulative,
                       "share": cumulative / total if total else 0.0})  # fmt: skip
    rows = []
    by_own_time = sorted(entries, key=lambda item: item[1][2], reverse=True)[:top]
    for (filename, line, function), (_, calls, own, cumulative, _) in by_own_time:
        rows.append({"function": f"{short(filename)}:{line}({function})", "calls": calls,
                     "own_seconds": own, "cumulative_seconds": cumulative,
                     "own_share": own / total if total else 0.0})  # fmt: skip
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(25)
    return {
        "total_seconds": total,
        "stages": stages,
        "top_by_own_time": rows,
        "cumulative_text": text.getvalue(),
    }


# --- the floor: the bare arithmetic of an XmR chart ---------------------------------------


def xmr_floor(series: Sequence[Sequence[int | None]]) -> float:
    """Seconds for numpy to work out each series' mean, moving ranges and limits (the floor).

    The reference a recompute is compared with: the same loop over the same series, doing only
    the arithmetic every SPC chart needs, with no rules, ghosts, baselines or peers.
    """
    began = time.perf_counter()
    for values in series:
        points = numpy.array([v for v in values if v is not None], dtype=float)
        if len(points) < 2:
            continue
        centre = points.mean()
        moving = numpy.abs(numpy.diff(points)).mean()
        _ = (points > centre + 2.66 * moving) | (points < centre - 2.66 * moving)
    return time.perf_counter() - began


# --- the app's own recompute on a database -------------------------------------------------

MEASURE_CRIME_TYPES = ("all crime", *sorted(
    ("Anti-social behaviour", "Bicycle theft", "Burglary", "Criminal damage and arson", "Drugs",
     "Other crime", "Other theft", "Possession of weapons", "Public order", "Robbery",
     "Shoplifting", "Theft from the person", "Vehicle crime", "Violence and sexual offences")))
"""One measure per crime type and one for all crime: 15 measures for every force."""


def recompute_database() -> dict[str, Any]:
    """Every measure for every force in the Django database, the way ``compute_plan`` does it.

    One grouped query reads the monthly counts (``performance.services._monthly_by_force``);
    then ``performance.compute.compute_measure`` runs for each force × measure: the series,
    quarter, rolling year, baseline, SPC chart and the comparison with the 7 forces nearest in
    population. Nothing is stored. Returns the times, the series and the numpy floor's time.
    """
    from oversight.data.models import Force, StreetCount
    from oversight.performance.compute import ForceInputs, Inputs, MeasureSpec, compute_measure
    from oversight.performance.services import _monthly_by_force, _populations, _select

    began = time.perf_counter()
    force_ids = sorted(set(StreetCount.objects.values_list("force_id", flat=True).distinct()))
    forces = list(Force.objects.filter(id__in=force_ids).order_by("slug"))
    counts = _monthly_by_force(force_ids)
    pops = _populations(force_ids)
    read = time.perf_counter() - began

    def size(force: Any) -> int:
        known = pops.get(force.id, {})
        return known[max(known)][0] if known else 0

    peer_groups = {
        force.id: sorted((other for other in forces if other.id != force.id),
                         key=lambda other: (abs(size(other) - size(force)), other.slug)
                         )[:PEER_GROUP_SIZE]
        for force in forces
    }  # fmt: skip
    began = time.perf_counter()
    series: list[list[int | None]] = []
    for crime_type in MEASURE_CRIME_TYPES:
        spec = MeasureSpec(code=_slug(crime_type), name=crime_type, unit="count",
                           polarity="neither" if crime_type in NEITHER else "lower",
                           target={"type": "msg_average_achieve"})  # fmt: skip
        inputs = {
            force.id: ForceInputs(force.slug, force.name,
                                  _select(counts.get(force.id, {}), [crime_type]),
                                  pops.get(force.id, {}))
            for force in forces
        }  # fmt: skip
        for force in forces:
            figures = compute_measure(
                spec, Inputs(inputs[force.id], [inputs[p.id] for p in peer_groups[force.id]])
            )
            series.append([row["count"] for row in figures.get("series", [])])
    compute = time.perf_counter() - began
    floor = xmr_floor(series)
    total = read + compute
    return {
        "forces": len(forces),
        "measures": len(MEASURE_CRIME_TYPES),
        "series": len(series),
        "points": sum(len(s) for s in series),
        "read_seconds": read,
        "compute_seconds": compute,
        "seconds": total,
        "seconds_per_1000_series": per_1000(total, len(series)) if series else 0.0,
        "floor_seconds": floor,
        "ratio_to_floor": total / floor if floor else None,
    }


# --- machine and reporting ------------------------------------------------------------------


def machine() -> dict[str, Any]:
    cpu, ram_kb = platform.processor() or platform.machine(), None
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram_kb = int(line.split()[1])
                break
    except OSError:
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    return {
        "cpu": cpu,
        "logical_cores": os.cpu_count(),
        "usable_cores": usable,
        "ram_gib": round(ram_kb / 1024**2, 1) if ram_kb else None,
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "scipy": scipy.__version__,
        "platform": platform.platform(),
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def markdown(report: dict[str, Any]) -> str:
    real, m = report["real"], report["machine"]
    ok = real["seconds_per_1000_series"] <= GOAL_SECONDS_PER_1000
    lines = [
        "## Full recompute of SPC and MSG",
        "",
        f"Machine: {m['cpu']}, {m['logical_cores']} logical cores ({m['usable_cores']} usable), "
        f"{m['ram_gib']} GiB RAM; Python {m['python']}, numpy {m['numpy']}, scipy {m['scipy']}; "
        f"{m['date']}. Produced by `benchmarks/recompute.py` (best of {report['repeat']} runs, "
        "one process, one thread).",
        "",
        f"**Goal: under {GOAL_SECONDS_PER_1000:g} second per 1,000 series. "
        f"Result: {real['seconds_per_1000_series']:.2f} seconds per 1,000 series "
        f"({'met' if ok else 'not met'}).**",
        "",
        "| Workload | Series | Points | MSG comparisons | SPC s | MSG s | Total s "
        "| s per 1,000 series |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]  # fmt: skip
    for row in report["rows"]:
        spc_s = f"{row['spc_seconds']:.3f}" if row.get("spc_seconds") is not None else "–"
        msg_s = f"{row['msg_seconds']:.3f}" if row.get("msg_seconds") is not None else "–"
        lines.append(
            f"| {row['workload']} | {row['series']:,} | {row['points']:,} | "
            f"{row['msg_comparisons']:,} | {spc_s} | {msg_s} | {row['total_seconds']:.3f} | "
            f"{row['seconds_per_1000_series']:.2f} |"
        )
    lines += [
        "",
        f"Loading the CSV and building the series took {report['prepare_seconds']:.2f} s "
        "(not included above). "
        f"The real series have {real['points']:,} points in all, of which "
        f"{real['ghosted_points']:,} are ghosted months with no file; "
        f"{real['series_without_msg']} series have no MSG comparison (no complete quarter). "
        "Peer groups are stand-ins (no published MSG table); forces with no 2019 population "
        f"({', '.join(report['data']['forces_without_2019_population'])}) use the median, "
        f"{report['data']['stand_in_population']:,}, for timing only.",
        "",
        "Growth: " + report["growth_words"],
    ]
    if report.get("profile"):
        profiled = report["profile"]["total_seconds"]
        lines += [
            "",
            "### Hot spots (cProfile, one full recompute of the real series)",
            "",
            f"Profiled time {profiled:.2f} s (cProfile slows call-heavy code, so compare shares, "
            "not seconds, with the table above).",
            "",
            "| Stage | Cumulative s | Share |",
            "|---|---:|---:|",
        ]
        for stage in report["profile"]["stages"]:
            lines.append(
                f"| {stage['stage']} | {stage['cumulative_seconds']:.3f} | "
                f"{100 * stage['share']:.1f}% |"
            )
        lines += [
            "",
            "| Function | Calls | Own s | Share of profiled time |",
            "|---|---:|---:|---:|",
        ]
        for row in report["profile"]["top_by_own_time"][:12]:
            lines.append(
                f"| `{row['function']}` | {row['calls']:,} | {row['own_seconds']:.3f} | "
                f"{100 * row['own_share']:.1f}% |"
            )
    return "\n".join(lines) + "\n"


# --- main -----------------------------------------------------------------------------------


def _row(workload: str, jobs: Sequence[Job], spc_s: float | None, msg_s: float | None,
         total: float) -> dict[str, Any]:  # fmt: skip
    return {
        "workload": workload,
        "series": len(jobs),
        "points": sum(job.points for job in jobs),
        "msg_comparisons": sum(1 for job in jobs if job.force is not None and job.peers),
        "spc_seconds": spc_s,
        "msg_seconds": msg_s,
        "total_seconds": total,
        "seconds_per_1000_series": per_1000(total, len(jobs)),
        "microseconds_per_point": 1e6 * total / max(1, sum(job.points for job in jobs)),
    }


def _growth_words(rows: list[dict[str, Any]]) -> str:
    by_name = {row["workload"]: row for row in rows}
    base = by_name["Real series, 1×"]["total_seconds"]
    ratios = [
        f"{k}× the series takes {by_name[f'Real series, {k}×']['total_seconds'] / base:.1f}× "
        "the time"
        for k in REPLICATIONS[1:]
    ]
    short = by_name[f"Synthetic, {LENGTHS[0]} points"]
    long = by_name[f"Synthetic, {LENGTHS[-1]} points"]
    ratio = long["total_seconds"] / short["total_seconds"]
    return (
        f"{', '.join(ratios)}. A series {LENGTHS[-1] // LENGTHS[0]}× as long "
        f"({LENGTHS[-1]} points against {LENGTHS[0]}) takes {ratio:.1f}× the time: "
        f"{short['microseconds_per_point']:.1f} µs per point at {LENGTHS[0]} points and "
        f"{long['microseconds_per_point']:.1f} µs per point at {LENGTHS[-1]} (a fixed cost per "
        "series, mostly the MSG comparison, plus a cost that grows with length)."
    )


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per timing; best is kept")
    parser.add_argument("--quick", action="store_true", help="one run each, 1× and 4× only")
    parser.add_argument("--no-write", action="store_true", help="print only; write no files")
    parser.add_argument("--profile", action="store_true", help="profile even if the goal is met")
    args = parser.parse_args(argv)
    if not COUNTS.exists():
        sys.exit(f"{COUNTS} is missing: the benchmark needs the shared data folder")
    repeat = 1 if args.quick else max(1, args.repeat)
    replications = REPLICATIONS[:2] if args.quick else REPLICATIONS

    started = time.perf_counter()
    jobs, data_info = load_jobs()
    prepare = time.perf_counter() - started

    rows = []
    spc_s, msg_s = best_of(repeat, run_spc, jobs), best_of(repeat, run_msg, jobs)
    total = best_of(repeat, run_all, jobs)
    rows.append(_row("Real series, 1×", jobs, spc_s, msg_s, total))
    for k in replications[1:]:
        many = jobs * k
        rows.append(_row(f"Real series, {k}×", many, None, None, best_of(repeat, run_all, many)))
    for length in LENGTHS:
        synthetic = synthetic_jobs(length, SYNTHETIC_SERIES)
        rows.append(_row(
            f"Synthetic, {length} points", synthetic, best_of(repeat, run_spc, synthetic),
            best_of(repeat, run_msg, synthetic), best_of(repeat, run_all, synthetic),
        ))  # fmt: skip

    real = dict(rows[0])
    real["floor_seconds"] = min(xmr_floor([job.values for job in jobs]) for _ in range(repeat))
    real["ratio_to_floor"] = real["total_seconds"] / real["floor_seconds"]
    real["ghosted_points"] = sum(len(job.ghost) for job in jobs)
    real["series_without_msg"] = sum(1 for job in jobs if job.force is None or not job.peers)
    report: dict[str, Any] = {
        "goal_seconds_per_1000_series": GOAL_SECONDS_PER_1000,
        "machine": machine(),
        "repeat": repeat,
        "data": data_info,
        "prepare_seconds": prepare,
        "real": real,
        "rows": rows,
        "growth_words": _growth_words(rows) if not args.quick else "not measured (--quick)",
        "goal_met": real["seconds_per_1000_series"] <= GOAL_SECONDS_PER_1000,
    }
    if args.profile or not report["goal_met"]:
        report["profile"] = profile(jobs)
    section = markdown(report)
    print(section)
    if report.get("profile"):
        print(report["profile"]["cumulative_text"])
    if not args.no_write:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {RESULTS.relative_to(ROOT)}")
    return report


if __name__ == "__main__":
    main()
