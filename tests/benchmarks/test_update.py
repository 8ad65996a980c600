"""``python -m benchmarks --update``: the benchmarks not rerun keep their newest full result,
and the page says when each section was measured."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks import document
from benchmarks.__main__ import _with_earlier_results


def _run(folder: Path, name: str, date: str, results: dict, quick: bool = False) -> None:
    report = {"date": date[:10], "quick": quick,
              "machine": {"date": date, "load_average_1min": 1.0,
                          "load_average_1min_after": 2.0},
              "results": results}
    (folder / name).write_text(json.dumps(report), encoding="utf-8")


def test_each_benchmark_not_rerun_comes_from_its_newest_full_run(tmp_path: Path) -> None:
    _run(tmp_path, "2026-01-01.json", "2026-01-01 09:00 UTC",
         {"import": {"value": "old import"}, "web": {"value": "old web"},
          "reports": {"value": "old reports"}})
    _run(tmp_path, "2026-02-01-web.json", "2026-02-01 10:00 UTC",
         {"web": {"value": "newer web"}, "reports": {"error": "did not run"}})
    _run(tmp_path, "2026-03-01-quick.json", "2026-03-01 10:00 UTC",
         {"import": {"value": "quick import"}}, quick=True)
    (tmp_path / "broken.json").write_text("{", encoding="utf-8")

    merged = _with_earlier_results({"scale": {"value": "new scale"}}, tmp_path)

    assert list(merged) == ["import", "scale", "web", "reports"]
    assert merged["scale"] == {"value": "new scale"}
    assert merged["import"]["value"] == "old import"          # a quick run never counts
    assert merged["web"]["value"] == "newer web"              # the newest full run with it
    assert merged["reports"]["value"] == "old reports"        # an error is not a result
    assert merged["web"]["measured"] == {"at": "2026-02-01 10:00 UTC",
                                         "load_average_before": 1.0, "load_average_after": 2.0}


def test_the_page_says_when_each_section_was_measured(monkeypatch) -> None:
    lines = ["### Reports", "", "text"]
    report = {"date": "2026-03-01", "quick": False, "goals": [],
              "machine": {k: "x" for k in ("cpu", "cores", "usable_cores", "ram_gib", "os",
                                            "python", "django", "sqlite", "postgresql",
                                            "duckdb", "pandas", "gunicorn", "wrk", "date",
                                            "load_average_1min")},
              "results": {"reports": {"measured": {"at": "2026-02-01 10:00 UTC",
                                                   "load_average_before": 0.5,
                                                   "load_average_after": 1.5}}}}
    monkeypatch.setattr(document, "_reports", lambda r, report: list(lines))
    text = document.section(report)
    assert ("### Reports\n\nMeasured 2026-02-01 10:00 UTC (load average 0.5 before, 1.5 after)."
            "\n\ntext") in text
