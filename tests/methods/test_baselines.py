"""Baselines when 2020–21 is distorted (DOMAIN.md 4.3), and targets judged against them."""

from __future__ import annotations

import csv

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oversight.methods.baselines import (
    FIRST_LOCKDOWN,
    Exclusion,
    Target,
    TargetContext,
    comparator_index,
    evaluate_target,
    fixed_baseline,
    last_pre_pandemic_baseline,
    mean_baseline,
    value_of,
)
from oversight.methods.msg import AreaCount, compare_with_peers

# data.police.uk "Burglary" rows per month, from
# data/police-uk/derived/street_counts_by_force_month_type.csv (checked below).
LEICESTERSHIRE_BURGLARY = {
    "2018-12": 705, "2019-01": 716, "2019-02": 608,
    "2019-12": 557, "2020-01": 646, "2020-02": 534,
    "2020-12": 322, "2021-01": 281, "2021-02": 271,
    "2021-12": 382, "2022-01": 407, "2022-02": 401,
}  # fmt: skip
LANCASHIRE_BURGLARY = {"2019-12": 859, "2020-01": 944, "2020-02": 876}
LANCASHIRE_BURGLARY |= {"2021-12": 721, "2022-01": 712, "2022-02": 592}
CURRENT = "2021-12 to 2022-02"
LOCKDOWN = Exclusion("2020-03", "2021-03", "COVID-19 restrictions")


def test_window_totals():
    assert value_of(LEICESTERSHIRE_BURGLARY, "2018-12 to 2019-02") == 2029
    assert value_of(LEICESTERSHIRE_BURGLARY, "2019-12 to 2020-02") == 1737
    assert value_of(LEICESTERSHIRE_BURGLARY, "2020-12 to 2021-02") == 874
    assert value_of(LEICESTERSHIRE_BURGLARY, CURRENT) == 1190


def test_naive_year_on_year():
    baseline = fixed_baseline(LEICESTERSHIRE_BURGLARY, "2020-12 to 2021-02")
    assert baseline.value == 874
    assert baseline.compare(1190).text() == "up 316 (36.2%)"


def test_option_3_last_pre_pandemic_year():
    baseline = last_pre_pandemic_baseline(LEICESTERSHIRE_BURGLARY, CURRENT)
    assert baseline.value == 1737
    assert baseline.periods == ("2019-12 to 2020-02",)
    assert [item.period for item in baseline.excluded] == ["2020-12 to 2021-02"]
    assert baseline.compare(1190).text() == "down 547 (31.5%)"
    assert baseline.sentence() == (
        "The baseline is 1,737: the same period in the last year before the pandemic, "
        "December 2019 to February 2020. Left out of the baseline: December 2020 to "
        "February 2021 (it is not before March 2020)."
    )


def test_option_2_two_year_mean():
    baseline = mean_baseline(
        LEICESTERSHIRE_BURGLARY, ["2018-12 to 2019-02", "2019-12 to 2020-02"], [LOCKDOWN]
    )
    assert baseline.value == 1883
    assert baseline.excluded == ()
    assert baseline.compare(1190).text() == "down 693 (36.8%)"


def test_option_4_comparator_index_with_lancashire():
    lancashire_now = value_of(LANCASHIRE_BURGLARY, CURRENT)
    lancashire_before = value_of(LANCASHIRE_BURGLARY, "2019-12 to 2020-02")
    assert (lancashire_now, lancashire_before) == (2025, 2679)
    index = comparator_index(
        1190,
        1737,
        lancashire_now,
        lancashire_before,
        force_name="Leicestershire",
        comparator_name="Lancashire",
    )
    assert index.comparator_ratio == pytest.approx(0.7559, abs=5e-5)
    assert index.force_ratio == pytest.approx(0.6851, abs=5e-5)
    assert index.index == pytest.approx(0.9063, abs=5e-5)
    assert index.sentence() == (
        "Index 0.9063: Leicestershire's ratio to its baseline (0.6851) is 9.4% below "
        "Lancashire's (0.7559): a 31.5% fall against a 24.4% fall, a difference of "
        "7.1 percentage points."
    )


def test_comparator_index_refuses_zero_baselines():
    with pytest.raises(ValueError, match="must not be 0"):
        comparator_index(10, 0, 5, 5)


def test_burglary_figures_match_the_shared_data(shared_data):
    path = shared_data / "police-uk" / "derived" / "street_counts_by_force_month_type.csv"
    if not path.exists():
        pytest.skip(f"{path} is not present")
    found: dict[tuple[str, str], int] = {}
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["crime_type"] == "Burglary":
                found[(row["force"], row["month"])] = int(row["n"])
    for force, series in (
        ("leicestershire", LEICESTERSHIRE_BURGLARY),
        ("lancashire", LANCASHIRE_BURGLARY),
    ):
        assert {month: found[(force, month)] for month in series} == series


SYNTHETIC = {"2017": 1020, "2018": 980, "2019": 1000, "2020": 640, "2021": 870, "2022": 950}
COVID = Exclusion("2020", reason="COVID-19 lockdown")


def test_synthetic_option_2_excludes_2020():
    baseline = mean_baseline(SYNTHETIC, ["2017", "2018", "2019", "2020"], [COVID])
    assert baseline.value == 1000
    assert baseline.periods == ("2017", "2018", "2019")
    assert baseline.compare(950).text() == "down 50 (5.0%)"
    assert baseline.exclusion_sentence() == "Left out of the baseline: 2020 (COVID-19 lockdown)."
    assert baseline.sentence() == (
        "The baseline is 1,000: the mean of 2017, 2018 and 2019. "
        "Left out of the baseline: 2020 (COVID-19 lockdown)."
    )


def test_synthetic_naive_and_wrongly_included_comparisons():
    assert fixed_baseline(SYNTHETIC, "2021").compare(950).text() == "up 80 (9.2%)"
    wrong = mean_baseline(SYNTHETIC, ["2017", "2018", "2019", "2020"])
    assert wrong.value == 910
    assert wrong.exclusion_sentence() is None
    assert wrong.compare(950).text() == "up 40 (4.4%)"


def test_exclusions_cover_any_period_they_touch():
    assert FIRST_LOCKDOWN.covers("2020")
    assert FIRST_LOCKDOWN.covers("2019/20")
    assert FIRST_LOCKDOWN.covers("2020/21 Q1")
    assert not FIRST_LOCKDOWN.covers("2019-12 to 2020-02")
    assert not FIRST_LOCKDOWN.covers("2020-06")


def test_all_periods_excluded_is_refused():
    with pytest.raises(ValueError, match="every baseline period is excluded"):
        mean_baseline(SYNTHETIC, ["2020"], [COVID])


def test_option_3_skips_declared_exclusions_too():
    figures = {"2018/19": 900, "2019/20": 950, "2022/23": 990}
    baseline = last_pre_pandemic_baseline(figures, "2022/23", pandemic_start="2020-04")
    assert baseline.value == 950
    earlier = last_pre_pandemic_baseline(figures, "2022/23", exclusions=[FIRST_LOCKDOWN])
    assert earlier.value == 900
    assert [item.period for item in earlier.excluded] == ["2021/22", "2020/21", "2019/20"]


def test_missing_months_in_a_window_are_named():
    with pytest.raises(ValueError, match="no figures for 2019-03"):
        value_of(LEICESTERSHIRE_BURGLARY, "2019-01 to 2019-03")


# Targets


def test_numeric_target_lower_is_better():
    target = Target("numeric", "lower", value=8.0)
    met = evaluate_target(target, 7.9, TargetContext(unit="per 1,000"))
    assert met.status == "met"
    assert met.reason == "Met: 7.90 per 1,000 is at or below the target of 8.00 per 1,000."
    assert evaluate_target(target, 8.0).status == "met"
    missed = evaluate_target(target, 8.4, TargetContext(decimals=1))
    assert missed.status == "not_met"
    assert missed.reason == "Not met: 8.4 is above the target of 8.0."
    assert evaluate_target(target, None).status == "not_assessable"


def test_numeric_target_higher_is_better():
    target = Target("numeric", "higher_is_better", value=75)
    assert evaluate_target(target, 85.5).reason == "Met: 85.50 is at or above the target of 75.00."
    assert evaluate_target(target, 70).status == "not_met"


def test_trajectory_target():
    target = Target("trajectory", "lower", trajectory={"2022/23 Q1": 1700, "2022/23 Q2": 1650})
    result = evaluate_target(target, 1660, TargetContext(period="2022/23 Q2"))
    assert result.status == "not_met"
    assert result.aim == 1650
    assert "the trajectory value of 1,650 for July to September 2022" in result.reason
    missing = evaluate_target(target, 1660, TargetContext(period="2022/23 Q3"))
    assert missing.status == "not_assessable"
    assert missing.reason == "Not assessable: the trajectory has no value for 2022/23 Q3."


def test_reduce_by_percent_target():
    target = Target("reduce_by_percent", "lower", value=5, baseline=1737)
    result = evaluate_target(target, 1190)
    assert result.status == "met"
    assert result.aim == pytest.approx(1650.15)
    assert result.reason == (
        "Met: 1,190.00 is at or below 1,650.15, 5.0% below the baseline of 1,737.00."
    )
    as_counts = evaluate_target(target, 1190, TargetContext(decimals=0))
    assert as_counts.reason == "Met: 1,190 is at or below 1,650, 5.0% below the baseline of 1,737."
    assert evaluate_target(target, 1700).status == "not_met"


def test_achieve_msg_average_uses_the_declared_average_and_shows_rank():
    peers = [AreaCount("A", 6_000, 750_000), AreaCount("B", 12_000, 2_000_000)]
    peers.append(AreaCount("C", 5_500, 500_000))
    msg = compare_with_peers(AreaCount("F", 9_000, 1_000_000), peers, "lower")
    target = Target("achieve_msg_average", "lower")
    result = evaluate_target(target, msg.force_rate, TargetContext(msg=msg, unit="per 1,000"))
    assert result.status == "not_met"
    assert result.reason == (
        "Not met: 9.00 per 1,000 is above the MSG average of 8.50 per 1,000. "
        "Ranked 3 of 4 (1 is best); significantly higher than its peers."
    )


def test_achieve_msg_average_at_the_average_is_met():
    target = Target("achieve_msg_average", "lower")
    assert evaluate_target(target, 8.5, TargetContext(msg_average=8.5)).status == "met"
    assert evaluate_target(target, 8.5).status == "not_assessable"


def test_maintain_above_msg_average_needs_last_period_too():
    target = Target("maintain_above_msg_average", "lower")
    kept = TargetContext(msg_average=8.5, previous_value=8.0, previous_msg_average=8.4)
    assert evaluate_target(target, 8.2, kept).status == "met"
    lost = TargetContext(msg_average=8.5, previous_value=8.0, previous_msg_average=8.4)
    assert evaluate_target(target, 8.6, lost).status == "not_met"
    never = TargetContext(msg_average=8.5, previous_value=8.6, previous_msg_average=8.4)
    result = evaluate_target(target, 8.2, never)
    assert result.status == "not_met"
    assert "no position to maintain" in result.reason
    assert evaluate_target(target, 8.2, TargetContext(msg_average=8.5)).status == ("not_assessable")


def test_spc_sustained_signal_target():
    target = Target("spc_sustained_signal", "lower")
    shift = TargetContext(spc_signal="improvement", spc_rules=("shift",))
    assert evaluate_target(target, None, shift).reason == (
        "Met: the latest point is part of a sustained improvement (shift)."
    )
    single = TargetContext(spc_signal="improvement", spc_rules=("beyond_limits",))
    assert evaluate_target(target, None, single).status == "not_met"
    common = evaluate_target(target, None, TargetContext(spc_signal="none"))
    assert common.reason == "Not met: the latest point shows common cause variation."
    assert evaluate_target(target, None).status == "not_assessable"


@pytest.mark.parametrize(
    ("icon", "status"),
    [
        ("consistently_pass", "met"),
        ("hit_or_miss", "not_met"),
        ("consistently_fail", "not_met"),
        (None, "not_assessable"),
    ],
)
def test_spc_assurance_target(icon, status):
    target = Target("spc_assurance", "higher")
    assert evaluate_target(target, 30, TargetContext(assurance_icon=icon)).status == status


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"kind": "guess", "polarity": "lower"}, "kind"),
        ({"kind": "numeric", "polarity": "neither", "value": 1}, "polarity"),
        ({"kind": "numeric", "polarity": "lower"}, "value"),
        ({"kind": "trajectory", "polarity": "lower"}, "trajectory"),
        (
            {"kind": "reduce_by_percent", "polarity": "higher", "value": 5, "baseline": 9},
            "polarity",
        ),
        ({"kind": "reduce_by_percent", "polarity": "lower", "value": 5}, "value, baseline"),
    ],
)
def test_bad_targets_name_the_field(kwargs, field):
    with pytest.raises(ValueError, match=f"^{field}:"):
        Target(**kwargs)


@given(
    st.lists(st.integers(0, 10_000), min_size=1, max_size=10),
    st.sets(st.integers(0, 9), max_size=9),
)
def test_mean_baseline_lies_between_the_periods_it_uses(values, excluded_positions):
    years = [str(2010 + i) for i in range(len(values))]
    figures = dict(zip(years, values, strict=True))
    exclusions = [Exclusion(years[i], reason="test") for i in excluded_positions if i < len(years)]
    if len(exclusions) == len(years):
        return
    baseline = mean_baseline(figures, years, exclusions)
    used = [figures[year] for year in baseline.periods]
    assert min(used) <= baseline.value <= max(used)
    assert len(baseline.periods) + len(baseline.excluded) == len(years)
