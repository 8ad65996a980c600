"""The data.police.uk street-level import: counts that match the files, provenance, idempotence
and replacement of re-published months, on real files."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest
from django.db.models import Sum

from oversight.data.models import Force, ImportBatch, StreetCount
from oversight.data.validate import ASB, CRIME_TYPES, ImportFileError
from tests.data.conftest import (
    LEICS_2020_03,
    LEICS_2025_04,
    NORTHANTS_2022_01,
    NORTHANTS_2025_01,
    count_by,
    dump_tables,
    import_street,
    read_rows,
    set_value,
)

pytestmark = pytest.mark.django_db


def stored_by_month_and_type(force: str) -> Counter[tuple[str, str]]:
    rows = (
        StreetCount.objects.filter(force__slug=force, batch__status="current")
        .values_list("month", "crime_type")
        .annotate(n=Sum("rows"))
    )
    return Counter({(month, crime_type): n for month, crime_type, n in rows})


def test_leicestershire_counts_equal_the_source_rows_and_the_published_counts(
    leicestershire_files: list[Path], shared_data: Path
) -> None:
    result = import_street(*leicestershire_files)

    assert len(result.imported) == 51
    expected: Counter[tuple[str, str]] = Counter()
    for path in leicestershire_files:
        rows = read_rows(path)
        expected.update(
            count_by(
                [r for r in rows if r["Falls within"] == "Leicestershire Police"],
                "Month",
                "Crime type",
            )
        )
    assert stored_by_month_and_type("leicestershire") == expected

    with (shared_data / "police-uk" / "derived" / "street_counts_by_force_month_type.csv").open(
        newline=""
    ) as stream:
        published = Counter(
            {
                (r["month"], r["crime_type"]): int(r["n"])
                for r in csv.DictReader(stream)
                if r["force"] == "leicestershire"
            }
        )
    assert stored_by_month_and_type("leicestershire") == published
    assert sum(published.values()) == 443_180


def test_batch_records_provenance_and_what_was_found() -> None:
    result = import_street(NORTHANTS_2022_01)

    batch = ImportBatch.objects.get(pk=result.imported[0].batch_id)
    rows = read_rows(NORTHANTS_2022_01)
    ids = Counter(r["Crime ID"] for r in rows if r["Crime ID"])
    assert batch.kind == "police-uk" and batch.status == "current"
    assert batch.file_name == "2022-01-northamptonshire-street.csv.gz"
    assert batch.month == "2022-01" and batch.force.slug == "northamptonshire"
    assert len(batch.sha256) == 64 and batch.size_bytes == NORTHANTS_2022_01.stat().st_size
    assert batch.imported_by == "test" and batch.imported_at is not None
    assert batch.rows_read == len(rows) == 87
    assert batch.rows_stored == StreetCount.objects.filter(batch=batch).count()
    assert batch.details["rows"] == len(rows)
    assert batch.details["asb_rows"] == sum(1 for r in rows if r["Crime type"] == ASB)
    assert batch.details["duplicate_crime_id_rows"] == sum(ids.values()) - len(ids) == 4
    assert batch.details["no_location_rows"] == sum(1 for r in rows if not r["LSOA code"])
    assert batch.details["crime_types"] == {
        t: n for (t,), n in count_by(rows, "Crime type").items()
    }


def test_cells_count_rows_and_distinct_crime_ids() -> None:
    import_street(NORTHANTS_2022_01)

    rows = read_rows(NORTHANTS_2022_01)
    cells: dict[tuple[str, str], list[str]] = {}
    for row in rows:
        cells.setdefault((row["Crime type"], row["LSOA code"]), []).append(row["Crime ID"])
    stored = {(c.crime_type, c.lsoa_code): (c.rows, c.crime_ids) for c in StreetCount.objects.all()}
    assert stored == {key: (len(ids), len({i for i in ids if i})) for key, ids in cells.items()}
    assert any(n_rows > n_ids > 0 for n_rows, n_ids in stored.values())  # a repeated ID in a cell


def test_local_authority_is_the_lsoa_name_prefix() -> None:
    import_street(LEICS_2025_04, NORTHANTS_2025_01)

    names = {
        r["LSOA code"]: r["LSOA name"]
        for p in (LEICS_2025_04, NORTHANTS_2025_01)
        for r in read_rows(p)
    }
    stored = dict(StreetCount.objects.values_list("lsoa_code", "local_authority").distinct())
    assert stored == {code: name.rsplit(" ", 1)[0] for code, name in names.items()}
    assert stored["E01033242"] == "Bournemouth, Christchurch and Poole"
    assert "North Northamptonshire" in stored.values()
    assert "West Northamptonshire" in stored.values()


def test_rows_with_no_location_have_an_empty_lsoa() -> None:
    import_street(LEICS_2020_03)

    rows = read_rows(LEICS_2020_03)
    no_location = StreetCount.objects.filter(lsoa_code="").aggregate(n=Sum("rows"))["n"]
    assert no_location == sum(1 for r in rows if not r["LSOA code"]) == 20
    assert not StreetCount.objects.filter(lsoa_code="").exclude(local_authority="").exists()


def test_counts_follow_falls_within(edited_copy) -> None:
    other_force = edited_copy(
        LEICS_2020_03, row=2, change=set_value("Falls within", "Derbyshire Constabulary")
    )
    import_street(other_force)

    assert StreetCount.objects.filter(force__slug="derbyshire").aggregate(n=Sum("rows"))["n"] == 1
    batch = ImportBatch.objects.get()
    assert batch.force.slug == "leicestershire"
    assert batch.details["falls_within"] == ["Derbyshire Constabulary", "Leicestershire Police"]


def test_forces_are_created_with_data_police_uk_names() -> None:
    import_street(LEICS_2020_03)

    force = Force.objects.get(slug="leicestershire")
    assert force.name == "Leicestershire Police" and force.ons_code == "E23000021"


def test_importing_the_same_file_twice_leaves_one_copy(tmp_path: Path) -> None:
    first = import_street(LEICS_2020_03)
    before = dump_tables()

    again = import_street(LEICS_2020_03)

    assert len(first.imported) == 1
    assert again.imported == [] and again.unchanged == [LEICS_2020_03.name]
    assert dump_tables() == before
    assert ImportBatch.objects.count() == 1
    assert StreetCount.objects.aggregate(n=Sum("rows"))["n"] == len(read_rows(LEICS_2020_03))


def test_a_copy_under_another_folder_is_the_same_file(tmp_path: Path) -> None:
    import_street(LEICS_2020_03)
    copy = tmp_path / "2020-03" / LEICS_2020_03.name
    copy.parent.mkdir()
    copy.write_bytes(LEICS_2020_03.read_bytes())

    assert import_street(tmp_path).imported == []
    assert ImportBatch.objects.count() == 1


def test_a_republished_month_replaces_the_old_one_and_records_the_difference(edited_copy) -> None:
    old_rows = read_rows(LEICS_2020_03)
    import_street(LEICS_2020_03)
    republished = edited_copy(
        LEICS_2020_03,
        row=3,
        change=set_value("Crime type", "Public order"),
        whole=lambda data: b"".join(data.splitlines(keepends=True)[:-10]),
    )
    new_rows = read_rows(republished)

    result = import_street(republished)

    old, new = ImportBatch.objects.order_by("pk")
    assert (old.status, new.status) == ("replaced", "current")
    assert new.replaces == old and result.replaced[0].replaced_batch_id == old.pk
    assert not StreetCount.objects.filter(batch=old).exists()
    assert stored_by_month_and_type("leicestershire") == count_by(new_rows, "Month", "Crime type")
    old_types, new_types = count_by(old_rows, "Crime type"), count_by(new_rows, "Crime type")
    expected = {
        t: {
            "old": old_types[(t,)],
            "new": new_types[(t,)],
            "change": new_types[(t,)] - old_types[(t,)],
        }
        for t in CRIME_TYPES
        if old_types[(t,)] != new_types[(t,)]
    }
    assert new.difference["crime_types"] == expected
    assert new.difference["rows"] == {"old": 174, "new": 164, "change": -10}
    assert new.difference["replaces_batch"] == old.pk


def test_two_different_files_for_one_month_in_one_command_are_refused(edited_copy) -> None:
    other = edited_copy(LEICS_2020_03, row=2, change=set_value("Crime type", "Drugs"))
    before = dump_tables()

    with pytest.raises(ImportFileError, match="same force and month"):
        import_street(LEICS_2020_03, other)
    assert dump_tables() == before


def test_folders_in_the_archive_layout_are_searched(tmp_path: Path) -> None:
    for path in (LEICS_2020_03, LEICS_2025_04):
        month = path.name[:7]
        (tmp_path / month).mkdir()
        (tmp_path / month / path.name).write_bytes(path.read_bytes())
    (tmp_path / "2020-03" / "2020-03-leicestershire-outcomes.csv").write_text("not street data")

    result = import_street(tmp_path)

    assert sorted(f.month for f in result.imported) == ["2020-03", "2025-04"]


def test_a_utf8_byte_order_mark_is_allowed(edited_copy) -> None:
    with_bom = edited_copy(LEICS_2020_03, whole=lambda data: b"\xef\xbb\xbf" + data)

    assert len(import_street(with_bom).imported) == 1


@pytest.mark.slow
def test_every_shared_file_matches_the_inventory_and_published_counts(shared_data: Path) -> None:
    files = sorted((shared_data / "police-uk" / "street").glob("*/*-street.csv.gz"))
    result = import_street(*files)

    assert len(result.imported) == 250 and result.totals["rows_read"] == 2_865_888
    derived = shared_data / "police-uk" / "derived"
    with (derived / "street_file_inventory.csv").open(newline="") as stream:
        inventory = {(r["force"], r["month"]): r for r in csv.DictReader(stream)}
    for batch in ImportBatch.objects.select_related("force"):
        row = inventory[(batch.force.slug, batch.month)]
        found = batch.details
        assert (
            found["rows"],
            found["empty_crime_id_rows"],
            found["duplicate_crime_id_rows"],
            found["no_location_rows"],
            found["no_coordinates_rows"],
        ) == (
            int(row["rows"]),
            int(row["empty_crime_id"]),
            int(row["duplicate_crime_id_rows"]),
            int(row["no_lsoa"]),
            int(row["no_coords"]),
        ), batch.file_name
    imported = {(b.force.slug, b.month) for b in ImportBatch.objects.select_related("force")}
    with (derived / "street_counts_by_force_month_type.csv").open(newline="") as stream:
        published = Counter(
            {
                (r["month"], r["falls_within"], r["crime_type"]): int(r["n"])
                for r in csv.DictReader(stream)
                if (r["force"], r["month"]) in imported
            }
        )
    stored = StreetCount.objects.values_list("month", "force__name", "crime_type").annotate(
        n=Sum("rows")
    )
    assert Counter({key[:3]: key[3] for key in stored}) == published
