"""``python -m benchmarks --quick`` on six real demo files writes a results file whose
figures are present, positive and consistent with each other."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from oversight.cli.demo import DEMO_DATA
from tests.conftest import REPO, shared_data_dir

pytestmark = pytest.mark.slow


@pytest.fixture
def tiny_data(tmp_path: Path) -> Path:
    """Six real files: two forces, three months."""
    folder = tmp_path / "street"
    for month in ("2025-04", "2025-05", "2025-06"):
        for force in ("leicestershire", "derbyshire"):
            name = f"{month}-{force}-street.csv.gz"
            (folder / month).mkdir(parents=True, exist_ok=True)
            (folder / month / name).write_bytes((DEMO_DATA / "street" / month / name).read_bytes())
    return folder


def test_quick_run_writes_sane_results(tiny_data: Path, tmp_path: Path) -> None:
    if shared_data_dir() is None:
        pytest.skip("the recompute benchmark reads ../shared/data's derived counts")
    results = tmp_path / "results"
    doc = tmp_path / "performance.md"
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL",)}
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--only", "import,scale,recompute",
         "--no-postgres", "--data", str(tiny_data), "--results", str(results),
         "--doc", str(doc)],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False,
    )
    assert done.returncode == 0, done.stderr
    written = list(results.glob("*-quick.json"))
    assert len(written) == 1
    report = json.loads(written[0].read_text())

    assert report["quick"] is True
    assert report["data"]["files"] == 6
    machine = report["machine"]
    assert machine["cores"] >= 1 and machine["ram_gib"] > 0
    assert machine["sqlite"].count(".") == 2 and machine["django"].startswith("5.")

    imported = report["results"]["import"]["summary"]
    sqlite = imported["import-sqlite"]
    rows = sqlite["rows"]
    assert rows == 55_527  # the six files' rows, as the DuckDB and pandas references count
    for reference in ("duckdb-count", "duckdb-count-typed", "pandas"):
        assert imported[reference]["rows"] == rows
        assert imported[reference]["median_seconds"] > 0
        ratio = sqlite["ratio_to"][reference]
        expected = sqlite["median_seconds"] / imported[reference]["median_seconds"]
        assert ratio == pytest.approx(expected, rel=0.02, abs=0.01)
    assert sqlite["rows_per_second"] == pytest.approx(rows / sqlite["median_seconds"], rel=0.01)
    memory = report["results"]["import"]["memory"]
    assert [memory[s]["files"] for s in ("1/4", "1/2", "all")] == [1, 3, 6]
    assert all(memory[s]["peak_rss_bytes"] > 20 * 2**20 for s in memory)

    sizes = report["results"]["scale"]["sizes"]
    assert [s["factor"] for s in sizes] == [1, 2]
    assert sizes[1]["rows"] == 2 * sizes[0]["rows"] == 2 * rows
    assert sizes[1]["counts_stored"] == 2 * sizes[0]["counts_stored"]
    assert sizes[1]["recompute"]["series"] == 2 * sizes[0]["recompute"]["series"] == 60
    assert all(s["database_bytes"] > 0 and s["import_seconds"] > 0 for s in sizes)
    growth = report["results"]["scale"]["growth"]
    assert 0 < growth["database_bytes"]["exponent"] < 1.5
    assert growth["import_seconds"]["projected"] > sizes[1]["import_seconds"]

    recompute = report["results"]["recompute"]["real"]
    assert recompute["series"] == 588 and recompute["seconds_per_1000_series"] > 0
    assert recompute["ratio_to_floor"] > 1

    goals = {g["goal"]: g for g in report["goals"]}
    assert goals["Import into SQLite faster than the pandas reference"]["met"] is (
        sqlite["ratio_to"]["pandas"] < 1)
    text = doc.read_text()
    assert "| Goal | Measured | Result |" in text and f"{rows:,}" in text
