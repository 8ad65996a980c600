"""LSOA codes of both vintages, local authorities newer than the lookups, and the series the
performance app can read for measures whose source is not data.police.uk."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from oversight.data import geography, services
from tests.data.conftest import NORTHANTS_2022_01, read_rows

pytestmark = pytest.mark.django_db


def test_lsoa_codes_of_both_vintages(shared_data: Path):
    rows_2011 = read_rows(NORTHANTS_2022_01)
    rows_2021 = read_rows(
        shared_data / "police-uk" / "street" / "2025-03" / "2025-03-leicestershire-street.csv.gz"
    )
    codes_2011 = {r["LSOA code"] for r in rows_2011 if r["LSOA code"]}
    codes_2021 = {r["LSOA code"] for r in rows_2021 if r["LSOA code"]}
    assert all("2011" in geography.lsoa_vintages(c) for c in codes_2011)
    new_in_2021 = {c for c in codes_2021 if geography.lsoa_vintages(c) == ("2021",)}
    assert new_in_2021 and all(c >= "E01033769" for c in new_in_2021)
    assert geography.lsoa_vintages("E01035509") == ("2021",)
    assert geography.local_authority_of("Blaby 002A") == "Blaby"
    with pytest.raises(ValueError, match="is not an LSOA code"):
        geography.lsoa_vintages("E02000001")


def test_local_authorities_map_to_forces_old_and_new(shared_data: Path):
    services.import_lookups([shared_data / "lookups"], imported_by="test")
    assert geography.force_for_local_authority("Blaby") == "leicestershire"
    assert geography.force_for_local_authority("Bristol") == "avon-and-somerset"
    assert geography.force_for_local_authority("North Northamptonshire") == "northamptonshire"
    assert geography.force_for_local_authority("Gotham") is None


def test_external_series_for_ons_workforce_returns_and_survey_measures(shared_data: Path):
    from oversight.performance.services import external_series
    from oversight.plans import examples
    from oversight.plans.services import load_plan_file

    plan = load_plan_file(examples.path("leicestershire-2013.yaml"), user="test")
    ons = shared_data / "ons" / "pfa-data-tables"
    services.import_ons(
        [ons / "pfatablesdec19.xlsx", ons / "policeforceareatablesyearendingmarch2018v2.xlsx"],
        imported_by="test",
    )
    services.import_workforce(
        [
            shared_data
            / "home-office"
            / "police-workforce"
            / "source-ods"
            / "police-workforce-sep19-tables.ods"
        ],
        imported_by="test",
    )
    measure = plan.measures.get(code="MCNS-CONFIDENCE")

    measure.source = {"type": "ons", "name": "ONS PFA tables: violence with injury"}
    series = external_series(plan, measure)
    assert series.source == "ons" and series.unit == "count"
    assert set(series.points) == {"2018-03", "2019-12"}
    assert series.details["2019-12"]["edition"] == "pfatablesdec19.xlsx"

    measure.unit = "rate_per_1000"
    rates = external_series(plan, measure)
    assert rates.unit == "rate_per_1000_population"
    assert rates.details["2019-12"]["population_vintage"] == "mid-2018"

    measure.source = {"type": "home-office", "name": "Police officers (FTE)"}
    officers = external_series(plan, measure)
    assert officers.points["2019-09"] == pytest.approx(1803.26)

    measure.source = {"type": "survey", "name": "Community based survey"}
    assert external_series(plan, measure) is None
    services.record_manual_value(
        services.ManualValue(
            measure_code="MCNS-CONFIDENCE",
            period="2024/25",
            value=85.5,
            source="Survey",
            force="leicestershire",
            sample_size=2400,
            published_on=dt.date(2025, 6, 1),
        ),
        entered_by="test",
    )
    survey = external_series(plan, measure)
    assert survey.points == {"2024/25": 85.5}
    assert survey.details["2024/25"]["sample_size"] == 2400
