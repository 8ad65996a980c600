"""The data.police.uk fetcher, end to end against a real HTTP server on 127.0.0.1 serving the
real files of the shared data folder: downloads, 404s, a connection dropped half-way, 429 and
500 answers retried with back-off, resuming, and nothing imported unless every file arrived."""

from __future__ import annotations

import gzip
import hashlib
import io
import zipfile
from pathlib import Path

import pytest
from django.db.models import Sum
from typer.testing import CliRunner

from oversight.cli.main import app
from oversight.data import fetch
from oversight.data.models import ImportBatch, StreetCount
from tests.data.conftest import dump_tables
from tests.data.loopback import serve

pytestmark = pytest.mark.django_db
FAST = fetch.RetryPolicy(attempts=4, base_delay=0.01, max_delay=0.05, timeout=10)
LEICESTERSHIRE_ROWS = {"2025-01": 8448, "2025-02": 7867, "2025-03": 9341}


@pytest.fixture
def street(shared_data: Path) -> Path:
    return shared_data / "police-uk" / "street"


@pytest.fixture
def server(street: Path):
    with serve(street) as running:
        yield running


def path_of(month: str) -> str:
    return f"/{month}/{month}-leicestershire-street.csv.gz"


def stored_rows() -> dict[str, int]:
    return dict(
        StreetCount.objects.filter(batch__status="current")
        .values_list("month")
        .annotate(n=Sum("rows"))
        .order_by("month")
    )


def run(base: str, into: Path, start: str, end: str, **options) -> fetch.FetchResult:
    sleeps: list[float] = options.pop("sleeps", [])
    return fetch.fetch_police_uk(
        "leicestershire",
        start,
        end,
        base_url=base,
        layout="files",
        into=into,
        imported_by="test",
        policy=options.pop("policy", FAST),
        sleep=sleeps.append,
        **options,
    )


def test_the_command_downloads_and_imports_and_lists_unpublished_months(server, street, tmp_path):
    base, behaviour = server
    result = CliRunner().invoke(
        app,
        [
            "fetch",
            "police-uk",
            "--force",
            "leicestershire",
            "--from",
            "2024-12",
            "--to",
            "2025-02",
            "--base-url",
            base,
            "--layout",
            "files",
            "--into",
            str(tmp_path),
            "--delay",
            "0.01",
        ],
    )

    assert result.exit_code == 0, result.output
    assert "Not published for this force: 2024-12." in result.output
    assert stored_rows() == {m: LEICESTERSHIRE_ROWS[m] for m in ("2025-01", "2025-02")}
    for month in ("2025-01", "2025-02"):
        name = f"{month}-leicestershire-street.csv.gz"
        assert (tmp_path / month / name).read_bytes() == (street / month / name).read_bytes()
        batch = ImportBatch.objects.get(month=month)
        assert batch.sha256 == hashlib.sha256((street / month / name).read_bytes()).hexdigest()
    assert all(entry[2] in (200, 404) for entry in behaviour.log)


def test_a_connection_dropped_half_way_is_resumed(server, street, tmp_path):
    base, behaviour = server
    behaviour.drops[path_of("2025-01")] = 1

    result = run(base, tmp_path, "2025-01", "2025-01")

    first, second = behaviour.requests_for(path_of("2025-01"))
    assert (first[1], first[2]) == (None, 200)
    assert second[1] is not None and second[1].startswith("bytes=") and second[2] == 206
    assert result.resumed == 1 and result.retries == 1
    name = "2025-01-leicestershire-street.csv.gz"
    assert (tmp_path / "2025-01" / name).read_bytes() == (street / "2025-01" / name).read_bytes()
    assert stored_rows() == {"2025-01": 8448}


def test_429_and_500_are_retried_with_back_off(server, tmp_path):
    base, behaviour = server
    behaviour.statuses[path_of("2025-02")] = [429, 500, 503]
    sleeps: list[float] = []

    result = run(base, tmp_path, "2025-02", "2025-02", sleeps=sleeps)

    assert [code for _, _, code in behaviour.requests_for(path_of("2025-02"))] == [
        429,
        500,
        503,
        200,
    ]
    assert sleeps == [0.0, 0.02, 0.04]  # Retry-After: 0, then doubling from 0.01 s
    assert result.retries == 3 and stored_rows() == {"2025-02": 7867}


def test_a_server_error_that_persists_imports_nothing_and_a_rerun_completes(server, tmp_path):
    base, behaviour = server
    behaviour.always[path_of("2025-02")] = 500
    before = dump_tables()

    with pytest.raises(
        fetch.FetchError,
        match=r"could not be downloaded after 4 attempts "
        r"\(the server had a problem \(500",
    ):
        run(base, tmp_path, "2025-01", "2025-03")

    assert dump_tables() == before
    assert (tmp_path / "2025-01" / "2025-01-leicestershire-street.csv.gz").exists()
    del behaviour.always[path_of("2025-02")]
    behaviour.log.clear()

    result = run(base, tmp_path, "2025-01", "2025-03")

    assert result.not_modified == ["2025-01-leicestershire-street.csv.gz"]
    assert [code for _, _, code in behaviour.requests_for(path_of("2025-01"))] == [304]
    assert stored_rows() == LEICESTERSHIRE_ROWS


def test_a_dropped_connection_with_no_retries_left_imports_nothing_and_a_rerun_resumes(
    server, street, tmp_path
):
    base, behaviour = server
    behaviour.drops[path_of("2025-03")] = 1
    before = dump_tables()
    once = fetch.RetryPolicy(attempts=1, timeout=10)

    with pytest.raises(fetch.FetchError, match="connection dropped"):
        run(base, tmp_path, "2025-02", "2025-03", policy=once)

    assert dump_tables() == before
    part = tmp_path / "2025-03" / "2025-03-leicestershire-street.csv.gz.part"
    assert 0 < part.stat().st_size < (street / "2025-03" / part.name[:-5]).stat().st_size
    assert not (tmp_path / "2025-03" / part.name[:-5]).exists()

    size = part.stat().st_size

    result = run(base, tmp_path, "2025-02", "2025-03", policy=once)

    assert behaviour.requests_for(path_of("2025-03"))[-1][1:] == (f"bytes={size}-", 206)
    assert result.resumed == 1 and not part.exists()
    assert stored_rows() == {"2025-02": 7867, "2025-03": 9341}


def test_the_archive_layout(street, tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for month in ("2025-01", "2025-02", "2025-03"):
            for force in ("leicestershire", "derbyshire"):
                name = f"{month}-{force}-street.csv"
                archive.writestr(
                    f"{month}/{name}", gzip.decompress((street / month / f"{name}.gz").read_bytes())
                )
    with serve(tmp_path / "empty") as (base, behaviour):
        behaviour.extra["/2025-03.zip"] = buffer.getvalue()
        behaviour.drops["/2025-03.zip"] = 1

        result = fetch.fetch_police_uk(
            "leicestershire",
            "2025-02",
            "2025-03",
            base_url=base,
            layout="archive",
            into=tmp_path / "downloads",
            imported_by="test",
            policy=FAST,
            sleep=lambda s: None,
        )

    assert result.resumed == 1 and result.missing_months == []
    assert stored_rows() == {"2025-02": 7867, "2025-03": 9341}
    assert fetch.archives_for(fetch.months_between("2021-01", "2025-03")) == ["2025-03", "2022-03"]
