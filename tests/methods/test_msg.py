"""Most Similar Group comparison (DOMAIN.md 4.2): every worked example, plus properties."""

from __future__ import annotations

import csv
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oversight.methods.msg import (
    AreaCount,
    compare_with_peers,
    funnel_limits,
    poisson_interval,
    poisson_significance,
    rank_of,
    rate_interval,
    rate_per_1000,
    weighted_rate,
    wheeler_poisson_z,
)

F = AreaCount("F", 9_000, 1_000_000)
PEERS = [
    AreaCount("A", 6_000, 750_000),
    AreaCount("B", 12_000, 2_000_000),
    AreaCount("C", 5_500, 500_000),
]


@pytest.fixture
def synthetic():
    return compare_with_peers(F, PEERS, "lower")


def test_rates():
    assert [area.rate for area in (F, *PEERS)] == pytest.approx([9.0, 8.0, 6.0, 11.0])
    assert rate_per_1000(91_242, 1_093_200) == pytest.approx(83.4645, abs=0.01)
    with pytest.raises(ValueError, match="population must be above 0"):
        rate_per_1000(5, 0)


def test_synthetic_averages(synthetic):
    assert synthetic.unweighted_with_force == pytest.approx(8.50, abs=1e-6)
    assert synthetic.unweighted_without_force == pytest.approx(8.333333, abs=1e-6)
    assert synthetic.weighted_with_force == pytest.approx(7.647059, abs=1e-6)
    assert synthetic.weighted_without_force == pytest.approx(7.230769, abs=1e-6)


def test_synthetic_rank_and_spread(synthetic):
    assert (synthetic.rank, synthetic.group_size) == (3, 4)
    assert synthetic.sd_with_force == pytest.approx(2.081666, abs=1e-6)
    assert synthetic.sd_without_force == pytest.approx(2.516611, abs=1e-6)
    assert synthetic.range_low == pytest.approx(8.5 - 2.081666, abs=1e-6)
    assert synthetic.range_high == pytest.approx(8.5 + 2.081666, abs=1e-6)


def test_synthetic_gap_means_the_target_is_not_met(synthetic):
    assert synthetic.average_kind == "unweighted_with_force"
    assert synthetic.gap_rate == pytest.approx(0.50)
    assert synthetic.gap_count == pytest.approx(500)
    assert synthetic.better_than_average() is False


def test_synthetic_significance(synthetic):
    significance = synthetic.significance
    assert significance.interval.lower == pytest.approx(8815.01, abs=0.005)
    assert significance.interval.upper == pytest.approx(9187.89, abs=0.005)
    assert significance.expected == pytest.approx(7230.77, abs=0.005)
    assert significance.result == "higher"
    interval = rate_interval(9_000, 1_000_000)
    assert (interval.lower, interval.upper) == pytest.approx((8.8150, 9.1879), abs=5e-5)


def test_synthetic_sentence(synthetic):
    assert synthetic.sentence() == (
        "F: 9.00 per 1,000, ranked 3 of 4 (1 is best). The peer average is 8.50 per 1,000 "
        "(unweighted, force included), so F is 0.50 per 1,000 higher (worse), about 500 more "
        "crimes. F is significantly higher than its peers "
        "(weighted peer rate 7.23 per 1,000 without F)."
    )


def test_declared_average_changes_the_gap():
    weighted = compare_with_peers(F, PEERS, "lower", average="weighted_without_force")
    assert weighted.average == pytest.approx(7.230769, abs=1e-6)
    assert weighted.gap_count == pytest.approx((9 - 94 / 13) * 1000)
    with pytest.raises(ValueError, match='average "median" is not known'):
        compare_with_peers(F, PEERS, "lower", average="median")  # type: ignore[arg-type]


def test_synthetic_funnel_limits():
    reference = weighted_rate([F, *PEERS])
    at_95 = funnel_limits(reference, 1_000_000)
    at_998 = funnel_limits(reference, 1_000_000, level=0.998)
    assert at_95.method == at_998.method == "normal"
    assert (at_95.lower, at_95.upper) == pytest.approx((7.4757, 7.8185), abs=5e-5)
    assert (at_998.lower, at_998.upper) == pytest.approx((7.3768, 7.9173), abs=5e-5)
    assert at_95.sentence() == "95% limits 7.48 to 7.82 per 1,000 (normal approximation)"


def test_small_counts():
    at_25 = poisson_significance(25, 16)
    assert (at_25.interval.lower, at_25.interval.upper) == pytest.approx(
        (16.1787, 36.9049), abs=5e-5
    )
    assert at_25.result == "higher"
    at_20 = poisson_significance(20, 16)
    assert (at_20.interval.lower, at_20.interval.upper) == pytest.approx(
        (12.2165, 30.8884), abs=5e-5
    )
    assert at_20.result == "not_significant"
    assert poisson_significance(5, 16).result == "lower"
    assert wheeler_poisson_z(16, 25) == pytest.approx(2.0)


def test_exact_intervals_match_published_tables():
    """Standard exact Poisson tables: 0 gives 0–3.689; 16 gives 9.145–25.983."""
    zero = poisson_interval(0)
    assert zero.lower == 0
    assert zero.upper == pytest.approx(3.6889, abs=5e-5)
    sixteen = poisson_interval(16)
    assert (sixteen.lower, sixteen.upper) == pytest.approx((9.1454, 25.9830), abs=5e-5)
    assert sixteen.sentence() == "16 (95% interval 9.15 to 25.98)"


def test_funnel_uses_exact_limits_when_expected_is_small():
    limits = funnel_limits(16.0, 1_000)
    assert limits.method == "exact"
    assert limits.expected == pytest.approx(16)
    assert (limits.lower, limits.upper) == pytest.approx((9.1454, 25.9830), abs=5e-5)
    assert funnel_limits(16.0, 1_000, exact_below=10).method == "normal"


def test_ties_share_the_better_rank():
    assert [rank_of(v, [6, 8, 8, 11], "lower") for v in (6, 8, 8, 11)] == [1, 2, 2, 4]
    assert [rank_of(v, [6, 8, 8, 11], "higher") for v in (6, 8, 8, 11)] == [4, 2, 2, 1]
    assert rank_of(11, [6, 8, 8, 11], "neither") == 1
    assert rank_of(6000 / 750_000 * 1000, [8.0, 9.0], "lower") == 1


def test_peers_must_be_distinct_and_present():
    with pytest.raises(ValueError, match="at least one other force"):
        compare_with_peers(F, [], "lower")
    with pytest.raises(ValueError, match="each force must appear once"):
        compare_with_peers(F, [AreaCount("F", 1, 10)], "lower")


PROVISIONAL_PEERS = {
    "E23000021": "Leicestershire",
    "E23000032": "Kent",
    "E23000019": "Nottinghamshire",
    "E23000036": "Avon and Somerset",
    "E23000015": "Staffordshire",
}


def _vehicle_offences_2019_12(path):
    counts, populations = {}, {}
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["period_end"] != "2019-12" or row["area_code"] not in PROVISIONAL_PEERS:
                continue
            if row["variable"] == "Vehicle offences" and row["measure"] == "count":
                counts[row["area_code"]] = float(row["value"])
            if row["variable"].startswith("population_mid") and row["measure"] == "count":
                populations[row["area_code"]] = float(row["value"])
    return {
        code: AreaCount(name, counts[code], populations[code])
        for code, name in PROVISIONAL_PEERS.items()
    }


def test_real_vehicle_offences_illustration(shared_data):
    path = shared_data / "ons" / "pfa-data-tables" / "derived" / "pfa_tables_p1_p3_long.csv"
    if not path.exists():
        pytest.skip(f"{path} is not present, so the real MSG illustration cannot be checked")
    areas = _vehicle_offences_2019_12(path)
    leicestershire = areas.pop("E23000021")
    assert (leicestershire.count, leicestershire.population) == (9_697, 1_093_200)
    expected_rates = {"Kent": 7.4970, "Nottinghamshire": 7.3471, "Avon and Somerset": 6.1199}
    for area in areas.values():
        if area.name in expected_rates:
            assert area.rate == pytest.approx(expected_rates[area.name], abs=0.01)
    assert areas["E23000015"].rate == pytest.approx(4.7160, abs=0.01)
    result = compare_with_peers(leicestershire, list(areas.values()), "lower")
    assert result.force_rate == pytest.approx(8.8704, abs=0.01)
    assert result.unweighted_with_force == pytest.approx(6.9101, abs=0.01)
    assert result.weighted_with_force == pytest.approx(6.8951, abs=0.01)
    assert (result.rank, result.group_size) == (5, 5)
    assert result.significance.result == "higher"


areas = st.lists(
    st.builds(
        AreaCount,
        name=st.uuids().map(str),
        count=st.integers(0, 200_000),
        population=st.integers(10_000, 5_000_000),
    ),
    min_size=2,
    max_size=8,
    unique_by=lambda area: area.name,
)


@given(st.integers(0, 10**6))
def test_poisson_interval_contains_the_count(count):
    interval = poisson_interval(count)
    assert interval.lower <= count <= interval.upper


@given(areas, st.randoms(use_true_random=False), st.sampled_from(["higher", "lower", "neither"]))
def test_rank_does_not_depend_on_order(group, shuffle: random.Random, polarity):
    rates = [area.rate for area in group]
    shuffled = rates[:]
    shuffle.shuffle(shuffled)
    for rate in rates:
        assert rank_of(rate, rates, polarity) == rank_of(rate, shuffled, polarity)
        assert 1 <= rank_of(rate, rates, polarity) <= len(rates)


@given(areas)
def test_averages_lie_between_the_lowest_and_highest_rates(group):
    result = compare_with_peers(group[0], group[1:], "lower")
    rates = [area.rate for area in group]
    low, high = min(rates) - 1e-9, max(rates) + 1e-9
    assert low <= result.weighted_with_force <= high
    assert low <= result.unweighted_with_force <= high
    peer_rates = rates[1:]
    assert min(peer_rates) - 1e-9 <= result.weighted_without_force <= max(peer_rates) + 1e-9


@given(st.floats(0.1, 200), st.integers(100, 5_000_000))
def test_funnel_limits_surround_the_reference_rate(rate, population):
    limits = funnel_limits(rate, population)
    assert limits.lower <= rate <= limits.upper
