"""Killing ``oversight import police-uk`` half-way leaves nothing behind.

The import runs as a real subprocess against its own SQLite file (whatever database the
rest of the suite uses). Once it has started writing (its write-ahead log grows past the size
one import batch would need), it gets SIGKILL; the database must then hold no forces,
batches or counts.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent.parent
FORCES = ("leicestershire", "lancashire", "kent")
STARTED_WRITING = 2 * 1024 * 1024
"""WAL bytes that mean counts are being written: far more than migrations leave behind."""


def _run(args: list[str], database: Path, **kwargs: object) -> subprocess.Popen[bytes]:
    env = os.environ | {"DATABASE_URL": f"sqlite:///{database}", "PYTHONPATH": str(REPO)}
    return subprocess.Popen(
        [sys.executable, "-m", "oversight", *args],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        **kwargs,
    )


def _kill_once_writing(process: subprocess.Popen[bytes], wal: Path, timeout: float) -> int:
    """SIGKILL the process as soon as its WAL passes ``STARTED_WRITING``; the WAL size then."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        size = wal.stat().st_size if wal.exists() else 0
        if size > STARTED_WRITING:
            process.send_signal(signal.SIGKILL)
            process.wait()
            return size
        time.sleep(0.002)
    process.kill()
    process.wait()
    return 0


def _table_counts(database: Path) -> dict[str, int]:
    with sqlite3.connect(database) as db:
        return {
            table: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("data_force", "data_importbatch", "data_streetcount")
        }


def test_sigkill_during_an_import_leaves_nothing(shared_data: Path, tmp_path: Path) -> None:
    folder = tmp_path / "street"
    for source in sorted((shared_data / "police-uk" / "street").glob("*/*-street.csv.gz")):
        if source.name.removesuffix("-street.csv.gz")[8:] in FORCES:
            (folder / source.parent.name).mkdir(parents=True, exist_ok=True)
            (folder / source.parent.name / source.name).symlink_to(source)
    database = tmp_path / "oversight.sqlite3"
    migrate = _run(["migrate"], database)
    assert migrate.wait(timeout=120) == 0, migrate.stderr.read() if migrate.stderr else ""

    importing = _run(["import", "police-uk", str(folder)], database)
    wal_size = _kill_once_writing(importing, Path(f"{database}-wal"), timeout=300)

    assert importing.returncode == -signal.SIGKILL, "the import finished before it could be killed"
    assert wal_size > STARTED_WRITING
    assert _table_counts(database) == {
        "data_force": 0,
        "data_importbatch": 0,
        "data_streetcount": 0,
    }


def test_the_same_command_stores_counts_when_not_killed(shared_data: Path, tmp_path: Path) -> None:
    files = sorted((shared_data / "police-uk" / "street").glob("2020-0[1-3]/*-street.csv.gz"))
    database = tmp_path / "oversight.sqlite3"
    importing = _run(["import", "police-uk", *map(str, files)], database)
    assert importing.wait(timeout=300) == 0, importing.stderr.read() if importing.stderr else ""
    counts = _table_counts(database)
    assert counts["data_importbatch"] == len(files) and counts["data_streetcount"] > 0
