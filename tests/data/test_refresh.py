"""``oversight refresh``: re-runs the configured imports and fetches (idempotent: a second run
changes nothing), never overlaps another run, and reports a failing source without stopping
the others."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from oversight.cli.main import app
from oversight.data import refresh
from oversight.data.models import Area, ImportBatch, OnsFigure, StreetCount
from tests.data.conftest import dump_tables
from tests.data.loopback import serve

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(shared_data: Path, tmp_path: Path):
    ons = tmp_path / "ons"
    ons.mkdir()
    shutil.copy(
        shared_data / "ons" / "pfa-data-tables" / "policeforceareatablesyearendingmarch2018v2.xlsx",
        ons,
    )
    with serve(shared_data / "police-uk" / "street") as (base, behaviour):
        config = tmp_path / "refresh.yaml"
        config.write_text(
            f"""
recompute: true
sources:
  - import: lookups
    paths: [{shared_data / "lookups" / "LAD17_CSP17_PFA17_lookup_EW_Jan2017_v2.csv"}]
  - import: ons
    paths: [ons]
  - fetch: police-uk
    force: leicestershire
    from: 2025-01
    to: 2025-01
    base_url: {base}
    layout: files
    into: downloads
""",
            encoding="utf-8",
        )
        yield config, tmp_path / "refresh.lock", behaviour


def invoke(config: Path, lock: Path, *extra: str):
    return CliRunner().invoke(
        app, ["refresh", "--config", str(config), "--lock", str(lock), *extra]
    )


def test_a_refresh_runs_every_source_and_a_second_changes_nothing(setup):
    config, lock, _ = setup

    first = invoke(config, lock)

    assert first.exit_code == 0, first.output
    assert "import lookups: 1 new file(s), 0 unchanged" in first.output
    assert "No plan is loaded; nothing recomputed." in first.output
    assert Area.objects.exists() and OnsFigure.objects.count() == 2695
    assert StreetCount.objects.filter(month="2025-01").exists()
    before = dump_tables()

    second = invoke(config, lock)

    assert second.exit_code == 0, second.output
    assert "Nothing changed; nothing recomputed." in second.output
    assert dump_tables() == before


def test_two_runs_never_overlap(setup):
    config, lock, behaviour = setup
    before = dump_tables()

    with refresh.refresh_lock(lock):
        result = invoke(config, lock)

    assert result.exit_code == 0
    assert "Another refresh is running" in result.output and "this run did nothing" in result.output
    assert '"pid"' in result.output
    assert dump_tables() == before and behaviour.log == []
    assert invoke(config, lock).exit_code == 0  # the lock is free again afterwards


def test_a_failing_source_is_reported_and_the_others_still_run(setup):
    config, lock, behaviour = setup
    behaviour.always["/2025-01/2025-01-leicestershire-street.csv.gz"] = 500
    text = config.read_text(encoding="utf-8").replace(
        "    layout: files", "    layout: files\n    attempts: 2\n    delay: 0.01"
    )
    config.write_text(text, encoding="utf-8")

    result = CliRunner().invoke(
        app, ["refresh", "--config", str(config), "--lock", str(lock), "--quiet"]
    )

    assert result.exit_code == 1
    assert "fetch police-uk leicestershire" in result.output and "500" in result.output
    assert OnsFigure.objects.exists() and not StreetCount.objects.exists()
    assert not ImportBatch.objects.filter(kind="police-uk").exists()


def test_the_configuration_is_checked(tmp_path):
    bad = tmp_path / "refresh.yaml"
    bad.write_text("sources:\n  - import: crimes\n    paths: [x]\n", encoding="utf-8")
    result = invoke(bad, tmp_path / "lock")
    assert result.exit_code == 1
    assert "source 1: import 'crimes' is not one of: lookups, population, ons" in result.output
    missing = invoke(tmp_path / "nope.yaml", tmp_path / "lock")
    assert missing.exit_code == 1 and "cannot be read" in missing.output


def test_months_can_follow_the_calendar():
    today = dt.date(2025, 8, 15)
    assert refresh.resolve_month("latest", today) == "2025-07"
    assert refresh.resolve_month("latest-17", today) == "2024-02"
    assert refresh.resolve_month("2024-01", today) == "2024-01"
