"""Web: the production server on PostgreSQL under a bounded load, against a minimal view.

Part of ``python -m benchmarks`` (``--only web``). A fresh PostgreSQL database gets the demo
state (lookups, populations, the 66 shipped data.police.uk files, the example plan, every
measure computed); gunicorn serves ``oversight.wsgi`` with ``benchmarks.web_settings`` (the
production settings plus one minimal view) on 127.0.0.1 with several workers; ``wrk`` loads
each page at 1, 8 and 32 connections for a fixed time. Reported: requests per second, p50,
p95 and p99 latency, errors (connection errors, timeouts and non-2xx/3xx answers), each
page's p95 over the minimal view's at the same concurrency, and the number of database
queries each page runs when drawn and when answered from the kept public pages
(``CaptureQueriesContext``, counted once in the set-up process).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from benchmarks.common import (
    REPO,
    BenchmarkError,
    _free_port,
    postgres_database,
    run_child,
    say,
)

CONNECTIONS = (1, 8, 32)
WORKERS = 4
SETTINGS = "benchmarks.web_settings"
LUA = Path(__file__).resolve().parent / "wrk_report.lua"


# --- set-up, in a child process on the benchmark database ------------------------------------


def child_setup() -> None:
    """Build the demo state, pick the pages, count each page's queries; print JSON."""
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
    from oversight.cli.common import setup_django

    setup_django(migrate=True)
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    from benchmarks.web_urls import MINIMAL_PATH
    from oversight.cli.demo import DEMO_DATA, DEMO_PLAN, _data_files
    from oversight.data import services
    from oversight.data.models import Area
    from oversight.performance.services import compute_plan
    from oversight.plans import examples
    from oversight.plans.services import load_plan_file

    files = _data_files(DEMO_DATA)
    services.import_lookups(files["lookups"], imported_by="benchmark")
    services.import_population(files["population"], imported_by="benchmark")
    services.import_police_uk(files["street"], imported_by="benchmark")
    plan = load_plan_file(examples.path(DEMO_PLAN), user="benchmark")
    compute_plan(plan)
    measure = (plan.measures.filter(public=True, result__isnull=False)
               .order_by("order", "id").first())  # fmt: skip
    csp = Area.objects.filter(force=plan.force, kind=Area.Kind.CSP).order_by("name").first()
    if measure is None or csp is None:
        raise BenchmarkError("the demo state has no public measure or no CSP area")
    pages = {
        "minimal": f"/{MINIMAL_PATH}",
        "measure": f"/measures/{measure.code}/",
        "area": f"/areas/csp/{csp.code}/",
    }
    client = Client()
    found = {}
    # Counted with the fingerprint read on every request: a server reads it at most once a
    # second in each process (OVERSIGHT_PAGE_CACHE_CHECK_SECONDS).
    with override_settings(OVERSIGHT_PAGE_CACHE_CHECK_SECONDS=0):
        for name, url in pages.items():
            client.get(url)  # the first request draws the charts, as a running server has
            cache.clear()
            with CaptureQueriesContext(connection) as drawn:
                response = client.get(url)
            if response.status_code != 200:
                raise BenchmarkError(f"{url} answered {response.status_code}")
            with CaptureQueriesContext(connection) as kept:
                client.get(url)
            found[name] = {"path": url, "queries": len(drawn), "queries_kept": len(kept),
                           "bytes": len(response.content)}  # fmt: skip
    print(json.dumps({"pages": found, "plan": plan.title, "measure": measure.code,
                      "area": csp.name}))  # fmt: skip


# --- the server and the load --------------------------------------------------------------


def _wait_until_up(url: str, server: subprocess.Popen[bytes], seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise BenchmarkError(f"gunicorn stopped with exit code {server.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise BenchmarkError(f"gunicorn did not answer {url} within {seconds:.0f} s")


def load(url: str, connections: int, seconds: float) -> dict[str, Any]:
    """One bounded ``wrk`` run; returns its counts and latency percentiles in milliseconds."""
    threads = min(2, connections)
    done = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "10s",
         "--latency", "-s", str(LUA), url],
        capture_output=True, text=True, check=False, timeout=seconds + 60,
    )  # fmt: skip
    line = next((ln for ln in reversed(done.stdout.splitlines()) if ln.startswith("{")), None)
    if done.returncode != 0 or line is None:
        raise BenchmarkError(f"wrk failed on {url}: {done.stderr or done.stdout}")
    raw = json.loads(line)
    duration = raw["duration_us"] / 1e6
    errors = sum(raw[k] for k in ("connect_errors", "read_errors", "write_errors",
                                  "status_errors", "timeouts"))  # fmt: skip
    return {
        "connections": connections,
        "seconds": round(duration, 2),
        "requests": raw["requests"],
        "requests_per_second": round(raw["requests"] / duration, 1) if duration else 0.0,
        "p50_ms": raw["p50_us"] / 1000,
        "p95_ms": raw["p95_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "max_ms": raw["max_us"] / 1000,
        "errors": errors,
        "raw": raw,
    }


def run(postgres_url: str, quick: bool = False, seconds: float | None = None) -> dict[str, Any]:
    """Set up, serve with gunicorn, load every page at every concurrency, stop."""
    if shutil.which("wrk") is None:
        raise BenchmarkError("wrk is not installed (as root: apt-get install -y wrk)")
    duration = seconds or (2.0 if quick else 10.0)
    connections = (1, 8) if quick else CONNECTIONS
    with postgres_database(postgres_url, "bench_web") as database, \
            tempfile.TemporaryDirectory(prefix="oversight-web-") as var:
        # As a production deployment runs: each worker keeps its PostgreSQL connection.
        env = {"DATABASE_URL": database, "DJANGO_SETTINGS_MODULE": SETTINGS,
               "OVERSIGHT_VAR_DIR": var, "OVERSIGHT_DB_CONN_MAX_AGE": "600"}  # fmt: skip
        say("web: building the demo state on PostgreSQL")
        setup = run_child("web", ["setup"], env=env)
        port = _free_port()
        server = subprocess.Popen(
            [str(Path(sys.executable).with_name("gunicorn")), "oversight.wsgi:application",
             "--workers", str(WORKERS), "--bind", f"127.0.0.1:{port}", "--log-level",
             "warning", "--timeout", "60"],
            cwd=REPO, env=os.environ | {"PYTHONPATH": str(REPO)} | env,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        try:
            base = f"http://127.0.0.1:{port}"
            _wait_until_up(base + setup["pages"]["minimal"]["path"], server)
            for page in setup["pages"].values():  # warm every worker
                for _ in range(WORKERS * 3):
                    urllib.request.urlopen(base + page["path"], timeout=120).read()
            runs: dict[str, list[dict[str, Any]]] = {name: [] for name in setup["pages"]}
            for count in connections:
                for name, page in setup["pages"].items():
                    measured = load(base + page["path"], count, duration)
                    runs[name].append(measured)
                    say(f"web {name} at {count}: {measured['requests_per_second']:.0f} req/s, "
                        f"p95 {measured['p95_ms']:.1f} ms, errors {measured['errors']}")
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
    return {
        "workers": WORKERS,
        "seconds_per_run": duration,
        "connections": list(connections),
        "pages": setup["pages"],
        "measure": setup["measure"],
        "area": setup["area"],
        "runs": runs,
        "ratios": ratios(runs),
    }


def ratios(runs: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    """Each page's p95 and requests per second against the minimal view's, by concurrency."""
    reference = {r["connections"]: r for r in runs["minimal"]}
    found: dict[str, list[dict[str, Any]]] = {}
    for name, measured in runs.items():
        if name == "minimal":
            continue
        found[name] = [
            {
                "connections": r["connections"],
                "p95_ratio": round(r["p95_ms"] / reference[r["connections"]]["p95_ms"], 2),
                "throughput_ratio": round(
                    reference[r["connections"]]["requests_per_second"]
                    / r["requests_per_second"], 2) if r["requests_per_second"] else None,
            }
            for r in measured
        ]  # fmt: skip
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--child", choices=("setup",), required=True)
    args = parser.parse_args()
    if args.child == "setup":
        child_setup()


if __name__ == "__main__":
    main()
