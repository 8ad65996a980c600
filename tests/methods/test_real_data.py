"""The methods on real data.police.uk counts (DOMAIN.md 4.2 to 4.4).

Every test reads `/work/shared/data` through the `shared_data` fixture and is skipped when
that folder is absent. Expected figures are either quoted from DOMAIN.md or recomputed in the
test by a separate route (the raw street files, pandas, plain Python), never by the module
under test.
"""

from __future__ import annotations

import csv
import gzip
import math
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from scipy.stats import gamma

from oversight.methods.exceptions import QuarterFigure, find_exceptions
from oversight.methods.msg import AreaCount, compare_with_peers
from oversight.methods.spc import SPCSettings, spc

DERIVED = Path("police-uk/derived/street_counts_by_force_month_type.csv")
POPULATION = Path("population/population_policeforces.csv")
FORCE = "leicestershire"


def _months(first: str, last: str) -> list[str]:
    """Every "YYYY-MM" from `first` to `last`, both included (plain Python, no periods.py)."""
    year, month = int(first[:4]), int(first[5:])
    out = [first]
    while out[-1] != last:
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        out.append(f"{year:04d}-{month:02d}")
    return out


MONTHS = _months("2019-12", "2022-11")
# DOMAIN.md 4.3: Leicestershire burglary, December 2019 to November 2022.
DOMAIN_BURGLARY = [
    557, 646, 534, 486, 350, 354, 311, 369, 356, 397, 487, 443, 322, 281, 271, 294, 265, 297,
    259, 271, 308, 275, 384, 336, 382, 407, 401, 482, 398, 451, 461, 496, 441, 420, 516, 520,
]  # fmt: skip


def _signals(first: str, last: str, signal: str) -> dict[str, str]:
    return dict.fromkeys(_months(first, last), signal)


# DOMAIN.md 4.3: concern Dec 2019 to Feb 2020, improvement Dec 2020 to Dec 2021, concern
# Jan to Nov 2022, and common cause everywhere else.
EXPECTED_BURGLARY_SIGNALS = {
    **dict.fromkeys(MONTHS, "none"),
    **_signals("2019-12", "2020-02", "concern"),
    **_signals("2020-12", "2021-12", "improvement"),
    **_signals("2022-01", "2022-11", "concern"),
}


@pytest.fixture(scope="module")
def monthly(shared_data: Path) -> dict[tuple[str, str], dict[str, int]]:
    """(force, crime type) -> month -> n, summed over the derived file's rows."""
    totals: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    with (shared_data / DERIVED).open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            totals[row["force"], row["crime_type"]][row["month"]] += int(row["n"])
    return {key: dict(by_month) for key, by_month in totals.items()}


def _series(
    monthly: dict[tuple[str, str], dict[str, int]], crime_type: str, months: list[str]
) -> list[int]:
    by_month = monthly[FORCE, crime_type]
    missing = [month for month in months if month not in by_month]
    assert not missing, f"{FORCE} {crime_type} has no derived count for {missing}"
    return [by_month[month] for month in months]


# --- the derived counts against the raw street files --------------------------------------


def _raw_rows(shared_data: Path, month: str) -> Iterator[dict[str, str]]:
    path = shared_data / "police-uk" / "street" / month / f"{month}-{FORCE}-street.csv.gz"
    with gzip.open(path, "rt", newline="", encoding="utf-8") as handle:
        yield from csv.DictReader(handle)


def test_derived_counts_equal_the_raw_street_files(shared_data, monthly):
    """Row counts by crime type, from each month's gzipped street CSV, match the derived file."""
    checked = ("Burglary", "Shoplifting", "Other theft")
    raw: dict[str, list[int]] = {crime_type: [] for crime_type in checked}
    for month in MONTHS:
        rows = list(_raw_rows(shared_data, month))
        assert {row["Month"] for row in rows} == {month}
        assert {row["Falls within"] for row in rows} == {"Leicestershire Police"}
        by_type = Counter(row["Crime type"] for row in rows)
        for crime_type in checked:
            raw[crime_type].append(by_type[crime_type])
    assert raw["Burglary"] == DOMAIN_BURGLARY
    for crime_type in checked:
        assert raw[crime_type] == _series(monthly, crime_type, MONTHS), crime_type


# --- SPC: DOMAIN.md 4.3's burglary chart, and the first lockdown ---------------------------


@pytest.mark.parametrize("settings", [SPCSettings(), SPCSettings(run_length=7)], ids=["N6", "N7"])
def test_burglary_signals_reproduce_domain_4_3(monthly, settings):
    values = _series(monthly, "Burglary", MONTHS)
    assert values == DOMAIN_BURGLARY
    result = spc(values, periods=MONTHS, polarity="lower", settings=settings)

    (segment,) = result.segments
    assert sum(values) == 14_228
    assert segment.mean == pytest.approx(395.222222, abs=1e-6)
    assert segment.mr_bar == pytest.approx(49.342857, abs=1e-6)
    assert segment.upper == pytest.approx(526.474222, abs=1e-6)
    assert segment.lower == pytest.approx(263.970222, abs=1e-6)
    assert {p.period: p.signal for p in result.points} == EXPECTED_BURGLARY_SIGNALS
    june_2021 = result.points[MONTHS.index("2021-06")]
    assert june_2021.value == 259
    assert any(hit.rule == "beyond_limits" and hit.direction == -1 for hit in june_2021.rules)


@pytest.mark.parametrize("crime_type", ["Shoplifting", "Other theft"])
def test_first_lockdown_is_an_improvement(monthly, crime_type):
    """April to June 2020 are improvement signals (lower is better, one segment, defaults)."""
    result = spc(_series(monthly, crime_type, MONTHS), periods=MONTHS, polarity="lower")
    signals = {p.period: p.signal for p in result.points}
    for month in ("2020-04", "2020-05", "2020-06"):
        assert signals[month] == "improvement", (crime_type, month)


# --- MSG: a real peer group for one quarter, against pandas --------------------------------

PEER_SLUGS = (
    "nottinghamshire",
    "staffordshire",
    "kent",
    "avon-and-somerset",
    "derbyshire",
    "northamptonshire",
)
POPULATION_COLUMNS = {
    "leicestershire": "Leicestershire",
    "nottinghamshire": "Nottinghamshire",
    "staffordshire": "Staffordshire",
    "kent": "Kent",
    "avon-and-somerset": "Avon and Somerset",
    "derbyshire": "Derbyshire",
    "northamptonshire": "Northamptonshire",
}
QUARTER = ["2022-04", "2022-05", "2022-06"]


@pytest.fixture(scope="module")
def vehicle_quarter(shared_data: Path) -> pd.DataFrame:
    """Vehicle crime, April to June 2022, with 2019 populations: one row per force, the force
    first. Built with pandas only."""
    counts = pd.read_csv(shared_data / DERIVED)
    slugs = [FORCE, *PEER_SLUGS]
    chosen = counts[
        counts["force"].isin(slugs)
        & counts["month"].isin(QUARTER)
        & (counts["crime_type"] == "Vehicle crime")
    ]
    months_present = chosen.groupby("force")["month"].nunique()
    assert months_present.reindex(slugs).eq(3).all(), months_present.to_dict()
    frame = chosen.groupby("force")["n"].sum().reindex(slugs).to_frame("count")
    population = pd.read_csv(shared_data / POPULATION).set_index("year").loc[2019]
    frame["population"] = [population[POPULATION_COLUMNS[slug]] for slug in slugs]
    frame["rate"] = 1000 * frame["count"] / frame["population"]
    return frame


def test_msg_on_real_peers_agrees_with_pandas(vehicle_quarter):
    frame = vehicle_quarter
    force, peers = frame.iloc[:1], frame.iloc[1:]
    areas = [AreaCount(slug, int(r["count"]), int(r["population"])) for slug, r in frame.iterrows()]
    result = compare_with_peers(areas[0], areas[1:], "lower")

    expected = {
        "unweighted_with_force": frame["rate"].mean(),
        "unweighted_without_force": peers["rate"].mean(),
        "weighted_with_force": 1000 * frame["count"].sum() / frame["population"].sum(),
        "weighted_without_force": 1000 * peers["count"].sum() / peers["population"].sum(),
    }
    force_rate = float(force["rate"].iloc[0])
    force_population = float(force["population"].iloc[0])
    tol = {"rel": 1e-9, "abs": 1e-9}
    assert result.force_rate == pytest.approx(force_rate, **tol)
    assert [area.rate for area in result.peers] == pytest.approx(list(peers["rate"]), **tol)
    for name, value in expected.items():
        assert getattr(result, name) == pytest.approx(value, **tol), name
    assert result.sd_with_force == pytest.approx(frame["rate"].std(ddof=1), **tol)
    assert result.sd_without_force == pytest.approx(peers["rate"].std(ddof=1), **tol)
    assert result.range_low == pytest.approx(
        expected["unweighted_with_force"] - frame["rate"].std(ddof=1), **tol
    )

    # Rank: 1 is the lowest rate (lower is better); ties share the better rank.
    assert result.rank == int(frame["rate"].rank(method="min", ascending=True).iloc[0])
    assert result.group_size == 7
    assert result.rank == 7  # the highest vehicle crime rate of the seven forces

    gap = force_rate - expected["unweighted_with_force"]
    assert result.average == pytest.approx(expected["unweighted_with_force"], **tol)
    assert result.gap_rate == pytest.approx(gap, **tol)
    assert result.gap_count == pytest.approx(gap * force_population / 1000, **tol)
    for kind, average in expected.items():
        other = compare_with_peers(areas[0], areas[1:], "lower", average=kind)
        assert other.gap_rate == pytest.approx(force_rate - average, **tol), kind
        assert other.gap_count == pytest.approx(
            (force_rate - average) * force_population / 1000, **tol
        ), kind

    # Significance by another route: ½χ²(p; 2O) is the p-quantile of Gamma(O, 1).
    count = int(force["count"].iloc[0])
    expected_count = expected["weighted_without_force"] * force_population / 1000
    low, high = gamma.ppf(0.025, count), gamma.ppf(0.975, count + 1)
    assert result.significance.expected == pytest.approx(expected_count, **tol)
    assert result.significance.interval.lower == pytest.approx(low, rel=1e-9)
    assert result.significance.interval.upper == pytest.approx(high, rel=1e-9)
    verdict = "not_significant"
    if low > expected_count:
        verdict = "higher"
    elif high < expected_count:
        verdict = "lower"
    assert result.significance.result == verdict == "higher"


# --- Exceptions: quarterly burglary against SPC limits of the quarterly values -------------


def _financial_quarter(month: str) -> str:
    """ "2020-04" -> "2020/21 Q1": Q1 is April to June, Q4 January to March."""
    year, number = int(month[:4]), int(month[5:])
    start = year if number >= 4 else year - 1
    return f"{start}/{(start + 1) % 100:02d} Q{(number - 4) % 12 // 3 + 1}"


def _complete_quarters(values: list[int], months: list[str]) -> list[tuple[str, int]]:
    grouped: dict[str, list[int]] = {}
    for month, value in zip(months, values, strict=True):
        grouped.setdefault(_financial_quarter(month), []).append(value)
    return [(label, sum(parts)) for label, parts in grouped.items() if len(parts) == 3]


def _hand_rows(
    quarters: list[tuple[str, int]], upper: float, run_length: int
) -> list[tuple[str, bool, int, str | None]]:
    """(quarter, out, run, state) from first principles, lower is better, no missing quarters."""
    rows, run, is_open = [], 0, False
    for label, value in quarters:
        out = value > upper
        state = None
        if out:
            run += 1
            if is_open:
                state = "open"
            elif run == run_length:
                state, is_open = "raised", True
        else:
            run = 0
            if is_open:
                state, is_open = "closed", False
        rows.append((label, out, run, state))
    return rows


@pytest.mark.parametrize("run_length", [2, 1])
def test_exceptions_on_quarterly_burglary(monthly, run_length):
    values = _series(monthly, "Burglary", MONTHS)
    quarters = _complete_quarters(values, MONTHS)
    # December 2019 and October-November 2022 are part-quarters, so 11 quarters are complete:
    # 2019/20 Q4 (January to March 2020) to 2022/23 Q2 (July to September 2022).
    assert [label for label, _ in quarters][:2] == ["2019/20 Q4", "2020/21 Q1"]
    assert [value for _, value in quarters] == [
        646 + 534 + 486, 350 + 354 + 311, 369 + 356 + 397, 487 + 443 + 322, 281 + 271 + 294,
        265 + 297 + 259, 271 + 308 + 275, 384 + 336 + 382, 407 + 401 + 482, 398 + 451 + 461,
        496 + 441 + 420,
    ]  # fmt: skip

    # SPC limits of the 11 quarterly values (one segment; the default minimum is 13 points).
    labels = [label for label, _ in quarters]
    numbers = [value for _, value in quarters]
    chart = spc(numbers, periods=labels, polarity="lower", settings=SPCSettings(minimum_points=11))
    (segment,) = chart.segments
    mean = sum(numbers) / len(numbers)
    ranges = [abs(numbers[i] - numbers[i - 1]) for i in range(1, len(numbers))]
    mr_bar = sum(ranges) / len(ranges)
    assert mean == pytest.approx(12_635 / 11, rel=1e-12)
    assert mr_bar == pytest.approx(1_855 / 10, rel=1e-12)
    assert segment.upper == pytest.approx(mean + 2.66 * mr_bar, rel=1e-12)
    assert segment.lower == pytest.approx(mean - 2.66 * mr_bar, rel=1e-12)
    assert segment.upper == pytest.approx(1642.066364, abs=1e-6)

    figures = [
        QuarterFigure(label, value, lower=segment.lower, upper=segment.upper)
        for label, value in quarters
    ]
    result = find_exceptions(figures, "lower", run_length=run_length, decimals=0)

    got = [(row.quarter, row.out, row.run, row.state) for row in result.rows]
    assert got == _hand_rows(quarters, mean + 2.66 * mr_bar, run_length)
    # Only January to March 2020 (1,666) is above the upper limit (1,642.07): a run of one.
    assert [row.quarter for row in result.rows if row.out] == ["2019/20 Q4"]
    assert all(row.side in (None, "above") for row in result.rows)
    if run_length == 2:
        assert result.exceptions == ()
        assert all(row.state is None for row in result.rows)
    else:
        (record,) = result.exceptions
        assert (record.raised_in, record.closed_in) == ("2019/20 Q4", "2020/21 Q1")
        assert record.values == (1666,)
        assert record.closed_because == "back inside the expected range"
        assert result.open_exception is None
        assert math.isclose(record.limits[0], segment.upper)
