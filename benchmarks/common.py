"""What every benchmark shares: the machine, versions, child processes, PostgreSQL, medians.

Each measurement that needs its own Django database or its own peak memory runs in a child
process (``python -m benchmarks.<module> --child ...``) that prints one JSON line last.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATA = Path(os.environ.get("OVERSIGHT_SHARED_DATA", REPO.parent / "shared" / "data"))


class BenchmarkError(RuntimeError):
    """A benchmark could not run; the message says what failed and what to do."""


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


def street_files(data: Path) -> list[Path]:
    """Every street-level file under ``data`` (a folder of them, or a shared data folder)."""
    for folder in (data / "police-uk" / "street", data / "street", data):
        if folder.is_dir():
            files = sorted(
                p for p in folder.rglob("*-street.csv*") if p.name.endswith((".csv", ".csv.gz"))
            )
            if files:
                return files
    raise BenchmarkError(f"No street-level files under {data}; use --data DIR.")


def run_child(module: str, args: Sequence[str], env: dict[str, str] | None = None,
              timeout: float | None = None) -> dict[str, Any]:
    """Run ``python -m benchmarks.<module> --child ...`` and return the JSON it printed last."""
    done = subprocess.run(
        [sys.executable, "-m", f"benchmarks.{module}", "--child", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
        env=os.environ | {"PYTHONPATH": str(REPO)} | (env or {}),
    )
    if done.returncode != 0:
        raise BenchmarkError(f"benchmarks.{module} {' '.join(args)} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def peak_rss_bytes() -> int:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- the machine ---------------------------------------------------------------------------


def machine(postgres_url: str | None = None) -> dict[str, Any]:
    """CPU, cores, RAM, operating system and the versions of everything measured."""
    import django
    import duckdb
    import pandas
    import psutil

    cpu = platform.processor() or platform.machine()
    try:
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    except (OSError, StopIteration):
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "usable_cores": usable,
        "ram_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "sqlite": __import__("sqlite3").sqlite_version,
        "postgresql": postgres_version(postgres_url),
        "duckdb": duckdb.__version__,
        "pandas": pandas.__version__,
        "gunicorn": _version("gunicorn"),
        "wrk": _wrk_version(),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "load_average_1min": round(os.getloadavg()[0], 2),
    }


def _version(distribution: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(distribution)
    except PackageNotFoundError:
        return None


def _wrk_version() -> str | None:
    if shutil.which("wrk") is None:
        return None
    done = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False)
    first = (done.stdout or done.stderr).strip().splitlines()
    return first[0].split()[1] if first and len(first[0].split()) > 1 else None


def postgres_version(url: str | None) -> str | None:
    if not url:
        return None
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        row = connection.execute("SHOW server_version").fetchone()
    return str(row[0]).split()[0] if row else None


# --- PostgreSQL ----------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def postgres() -> Iterator[str | None]:
    """A PostgreSQL server URL for the run, or None if there is none to be had.

    ``OVERSIGHT_TEST_POSTGRES`` is used if set. Otherwise a throwaway cluster is started on
    127.0.0.1 (as the ``postgres`` user when run as root, like ``./dev test``), and stopped and
    removed when the block ends.
    """
    given = os.environ.get("OVERSIGHT_TEST_POSTGRES")
    if given:
        yield given
        return
    bins = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
    if not bins:
        say("PostgreSQL is not installed: its benchmarks are skipped.")
        yield None
        return
    pg_bin = bins[-1]
    folder = Path(tempfile.mkdtemp(prefix="oversight-bench-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    port = _free_port()
    data = folder / "data"
    try:
        subprocess.run(
            [*as_user, str(pg_bin / "initdb"), "-D", str(data), "-U", "postgres",
             "--auth=trust", "-E", "UTF8"],
            check=True, capture_output=True,
        )  # fmt: skip
        options = (f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c full_page_writes=off -c max_connections=200")  # fmt: skip
        started = subprocess.run(
            [*as_user, str(pg_bin / "pg_ctl"), "-D", str(data), "-l", str(folder / "log"), "-w",
             "-o", options, "start"],
            check=False, capture_output=True,
        )  # fmt: skip
        if started.returncode != 0:
            log = (folder / "log").read_text() if (folder / "log").exists() else ""
            raise BenchmarkError(f"PostgreSQL did not start: {log[-500:]}")
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            [*as_user, str(pg_bin / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            check=False, capture_output=True,
        )  # fmt: skip
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def postgres_database(server_url: str, name: str) -> Iterator[str]:
    """A new, empty database on the server, dropped afterwards; yields its URL."""
    import psycopg

    name = f"{name}_{os.getpid()}_{int(time.time() * 1000) % 10**8}"
    with psycopg.connect(server_url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield server_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(server_url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def postgres_database_bytes(url: str) -> int:
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        row = connection.execute("SELECT pg_database_size(current_database())").fetchone()
    return int(row[0]) if row else 0


def write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")
