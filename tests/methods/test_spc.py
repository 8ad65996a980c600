"""SPC engine tests: every worked example in DOMAIN.md 4.1 and 4.3, hand-worked cases,
the rules on their own, and property tests."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oversight.methods import spc_rules
from oversight.methods.assurance import SIGNAL_COLOURS
from oversight.methods.spc import SPCInputError, SPCResult, SPCSettings, spc
from oversight.methods.spc_rules import RuleHit

REPO = Path(__file__).resolve().parents[2]
EXACT = 1e-6  # the 6-decimal figures
PRINTED = 0.005  # the 2-decimal figures

V1 = [20, 24, 20, 26, 22, 16, 18, 16, 31, 28, 34, 26, 30, 19, 18]
V2 = [8, 27, 32, 26, 20, 21, 23, 21, 23, 22, 26, 23, 20, 20, 29, 28, 22, 23, 25, 26, 28, 29, 26]
V2 += [24, 36, 29, 35, 22, 30, 18]
V3A = [42, 40, 39, 26, 39, 24, 22, 29, 32, 22, 20, 23, 25, 26, 22, 24, 27, 7, 19, 24, 7, 7, 32]
V3B = V3A[:21] + [2] + V3A[22:]
V4 = [16, 24, 22, 19, 19, 18, 24, 25, 18, 17, 16, 25, 15, 23, 19, 35, 32, 35, 31, 27, 33, 28]
V4 += [38, 35, 30, 28, 29, 27, 24, 23]
CONFLICT = [43, 41, 37, 36, 31, 23, 15, 13, 15, 18, 23, 27, 31, 36, 27, 19, 17, 27, 15, 22]
BURGLARY = [557, 646, 534, 486, 350, 354, 311, 369, 356, 397, 487, 443, 322, 281, 271, 294, 265]
BURGLARY += [297, 259, 271, 308, 275, 384, 336, 382, 407, 401, 482, 398, 451, 461, 496, 441]
BURGLARY += [420, 516, 520]
MONTHS = [f"{2019 + (11 + k) // 12}-{(11 + k) % 12 + 1:02d}" for k in range(36)]


def points(first: int, last: int | None = None) -> list[int]:
    """Point numbers as DOMAIN.md counts them (from 1): "p5-p10" is points(5, 10)."""
    return list(range(first, (last or first) + 1))


def flagged(result: SPCResult, signal: str) -> list[int]:
    """The point numbers (from 1) with this signal."""
    return [p.index + 1 for p in result.points if p.signal == signal]


def months_with(result: SPCResult, signal: str) -> list[str | None]:
    return [p.period for p in result.points if p.signal == signal]


# V1: limits only


def test_v1_limits_and_no_signals() -> None:
    result = spc(V1, polarity="higher")
    seg = result.segments[0]
    assert seg.mean == pytest.approx(348 / 15, abs=EXACT)
    assert seg.mean == pytest.approx(23.20, abs=PRINTED)
    assert seg.mr_bar == pytest.approx(76 / 14, abs=EXACT)
    assert seg.mr_bar == pytest.approx(5.428571, abs=EXACT)
    assert seg.upper == pytest.approx(37.64, abs=PRINTED)
    assert seg.lower == pytest.approx(8.76, abs=PRINTED)
    assert seg.upper_2sigma == pytest.approx(32.826667, abs=EXACT)
    assert seg.lower_2sigma == pytest.approx(13.573333, abs=EXACT)
    assert not any(p.special_cause for p in result.points)
    assert result.variation_icon == "common_cause"


def test_v1_first_ten_points_give_no_limits_and_no_icons() -> None:
    result = spc(V1[:10], polarity="higher", target=30)
    assert not result.segments[0].has_limits
    assert all(p.mean is None and p.upper is None and p.signal == "none" for p in result.points)
    assert result.variation_icon is None and result.assurance_icon is None
    assert "at least 13" in result.warnings[0]
    assert "cannot be judged" in result.summary_sentence()
    assert spc(V1[:12], polarity="higher").variation_icon is None
    assert spc(V1[:13], polarity="higher").variation_icon == "common_cause"


# V2: four rules, runs of 6 against 7


def test_v2_limits() -> None:
    seg = spc(V2, polarity="higher").segments[0]
    assert seg.mean == pytest.approx(24.733333, abs=EXACT)
    assert seg.mr_bar == pytest.approx(4.827586, abs=EXACT)
    assert (seg.upper, seg.lower) == pytest.approx((37.574713, 11.891954), abs=EXACT)
    assert (seg.upper_2sigma, seg.lower_2sigma) == pytest.approx((33.294253, 16.172414), abs=EXACT)


V2_SIGNALS = {
    6: ([1, *points(5, 10)], [*points(17, 22), 25, 27]),
    7: ([1], [25, 27]),
}


@pytest.mark.parametrize("run_length", [6, 7])
def test_v2_signals_for_runs_of_6_and_7(run_length: int) -> None:
    concern, improvement = V2_SIGNALS[run_length]
    result = spc(V2, polarity="higher", settings=SPCSettings(run_length=run_length))
    assert flagged(result, "concern") == concern
    assert flagged(result, "improvement") == improvement
    assert RuleHit("beyond_limits", -1) in result.points[0].rules
    assert {h.rule for h in result.points[24].rules} == {"two_in_three"}
    assert result.points[25].rules == ()  # p26 = 29 is in the window but not beyond 2 sigma


def test_v2_colours_follow_polarity() -> None:
    concern, improvement = V2_SIGNALS[6]
    colours = {
        polarity: [SIGNAL_COLOURS[p.signal] for p in spc(V2, polarity=polarity).points]
        for polarity in ("higher", "lower", "neither")
    }
    for number in concern:
        assert colours["higher"][number - 1] == "#E46C0A"
        assert colours["lower"][number - 1] == "#00B0F0"
    for number in improvement:
        assert colours["higher"][number - 1] == "#00B0F0"
        assert colours["lower"][number - 1] == "#E46C0A"
    signals = set(concern + improvement)
    assert [k + 1 for k, c in enumerate(colours["neither"]) if c == "#490092"] == sorted(signals)
    assert colours["neither"].count("#A6A6A6") == 30 - len(signals)


@pytest.mark.parametrize(
    ("polarity", "target", "icon"),
    [
        ("higher", 40, "consistently_fail"),
        ("higher", 30, "hit_or_miss"),
        ("higher", 10, "consistently_pass"),
        ("lower", 40, "consistently_pass"),
        ("lower", 10, "consistently_fail"),
        ("neither", 40, None),
        ("higher", None, None),
    ],
)
def test_v2_icons_and_assurance(polarity: Any, target: float | None, icon: str | None) -> None:
    result = spc(V2, polarity=polarity, target=target)
    assert result.variation_icon == "common_cause"  # the last point is 18
    assert result.assurance_icon == icon


def test_v2_with_screening() -> None:
    result = spc(V2, polarity="higher", settings=SPCSettings(screening=True))
    seg = result.segments[0]
    assert seg.mr_bar == pytest.approx(121 / 28, abs=EXACT)
    assert (seg.upper, seg.lower) == pytest.approx((36.228333, 13.238333), abs=EXACT)
    assert seg.screened_out == 1
    assert (flagged(result, "concern"), flagged(result, "improvement")) == V2_SIGNALS[6]


# V3: two in three, and the 3-sigma variant


def test_v3a() -> None:
    result = spc(V3A, polarity="higher")
    seg = result.segments[0]
    assert (seg.mean, seg.mr_bar) == pytest.approx((25.130435, 162 / 22), abs=EXACT)
    assert (seg.upper, seg.lower) == pytest.approx((44.717708, 5.543162), abs=EXACT)
    assert (seg.upper_2sigma, seg.lower_2sigma) == pytest.approx((38.188617, 12.072253), abs=EXACT)
    assert flagged(result, "improvement") == [1, 2, 3, 5]
    assert flagged(result, "concern") == [21, 22]
    assert result.points[17].rules == ()  # p18 = 7 is not flagged


@pytest.mark.parametrize(
    ("variant", "improvement", "concern"),
    [("A", [1, 2, 3, 5], [22]), ("B", [1, 2, 3, 5], [21, 22]), ("C", points(1, 5), points(20, 22))],
)
def test_v3b_two_in_three_variants(
    variant: Any, improvement: list[int], concern: list[int]
) -> None:
    result = spc(V3B, polarity="higher", settings=SPCSettings(two_in_three=variant))
    seg = result.segments[0]
    assert (seg.mean, seg.mr_bar) == pytest.approx((24.913043, 172 / 22), abs=EXACT)
    assert (seg.upper, seg.lower) == pytest.approx((45.709407, 4.116680), abs=EXACT)
    assert (seg.upper_2sigma, seg.lower_2sigma) == pytest.approx((38.777286, 11.048801), abs=EXACT)
    assert flagged(result, "improvement") == improvement
    assert flagged(result, "concern") == concern
    assert result.points[21].rules[0] == RuleHit("beyond_limits", -1)  # p22 = 2 is below LPL


# V4: recalculation, baseline, assurance


def assurances(settings: SPCSettings) -> list[str | None]:
    periods = [f"p{k}" for k in range(1, 31)]
    return [
        spc(V4, periods=periods, polarity="higher", settings=settings, target=t).assurance_icon
        for t in (40, 30, 10)
    ]


def test_v4_one_segment() -> None:
    result = spc(V4, polarity="higher")
    seg = result.segments[0]
    assert (seg.mean, seg.upper, seg.lower) == pytest.approx(
        (25.166667, 36.999080, 13.334253), abs=EXACT
    )
    assert flagged(result, "concern") == points(1, 15)
    assert flagged(result, "improvement") == points(16, 28)
    assert {h.rule for h in result.points[22].rules} == {"shift", "beyond_limits"}  # p23
    assert result.variation_icon == "common_cause"
    assert assurances(SPCSettings()) == ["consistently_fail", "hit_or_miss", "consistently_pass"]


@pytest.mark.parametrize("start", [15, "p16"])
def test_v4_recalculated_from_p16(start: int | str) -> None:
    periods = [f"p{k}" for k in range(1, 31)]
    settings_ = SPCSettings(recalculate_at=(start,))
    result = spc(V4, periods=periods, polarity="higher", settings=settings_)
    first, second = result.segments
    assert (first.mean, first.upper, first.lower) == pytest.approx((20, 31.59, 8.41), abs=PRINTED)
    assert (second.mean, second.upper, second.lower) == pytest.approx(
        (30.333333, 40.213333, 20.453333), abs=EXACT
    )
    assert (first.first, first.last, second.first, second.last) == (0, 14, 15, 29)
    assert flagged(result, "concern") == points(25, 30)
    assert flagged(result, "improvement") == []
    assert result.variation_icon == "concern_low"
    assert assurances(settings_) == ["hit_or_miss", "hit_or_miss", "consistently_pass"]


def test_v4_recalculated_with_the_nhsr_preset_signals_nothing() -> None:
    result = spc(V4, polarity="higher", settings=SPCSettings.nhsr(recalculate_at=[15]))
    assert not any(p.special_cause for p in result.points)
    assert result.variation_icon == "common_cause"


@pytest.mark.parametrize("preset", [SPCSettings(baseline=15), SPCSettings.nhsr(baseline=15)])
def test_v4_baseline_of_first_15_points(preset: SPCSettings) -> None:
    result = spc(V4, polarity="higher", settings=preset)
    (seg,) = result.segments
    assert (seg.mean, seg.upper, seg.lower) == pytest.approx((20, 31.59, 8.41), abs=PRINTED)
    assert (seg.limit_last, seg.last, seg.limit_points) == (14, 29, 15)
    assert flagged(result, "improvement") == points(16, 30)
    assert flagged(result, "concern") == []
    assert result.variation_icon == "improvement_high"
    assert assurances(preset) == ["consistently_fail", "hit_or_miss", "hit_or_miss"]


def test_conflict_case_mdc_default_shows_improvement() -> None:
    result = spc(CONFLICT, polarity="higher")
    assert flagged(result, "improvement") == [*points(1, 4), *points(8, 14)]
    assert flagged(result, "concern") == points(5, 7)
    assert {RuleHit("trend", -1), RuleHit("trend", 1)} <= set(result.points[7].rules)  # p8


def test_conflict_case_nhsr_precedence() -> None:
    result = spc(CONFLICT, polarity="higher", settings=SPCSettings.nhsr())
    assert flagged(result, "improvement") == [1, 2, *points(8, 14)]
    assert flagged(result, "concern") == points(3, 7)


def test_conflict_case_polarity_neither_uses_precedence_for_direction() -> None:
    result = spc(CONFLICT, polarity="neither")
    assert flagged(result, "neither") == points(1, 14)
    assert [p.direction for p in result.points[:9]] == [1, 1, -1, -1, -1, -1, -1, 1, 1]


# 4.3: Leicestershire burglary, one set of limits spanning the lockdown step


@pytest.mark.parametrize("run_length", [6, 7])
def test_leicestershire_burglary(run_length: int) -> None:
    settings_ = SPCSettings(run_length=run_length)
    result = spc(BURGLARY, periods=MONTHS, polarity="lower", settings=settings_)
    seg = result.segments[0]
    assert seg.mean == pytest.approx(14228 / 36, abs=EXACT)
    assert seg.mean == pytest.approx(395.222222, abs=EXACT)
    assert (seg.mr_bar, seg.upper, seg.lower) == pytest.approx(
        (49.342857, 526.474222, 263.970222), abs=EXACT
    )
    assert months_with(result, "concern") == MONTHS[0:3] + MONTHS[25:36]
    assert months_with(result, "improvement") == MONTHS[12:25]
    assert [MONTHS[k] for k in (0, 2, 12, 24, 25, 35)] == [
        "2019-12",
        "2020-02",
        "2020-12",
        "2021-12",
        "2022-01",
        "2022-11",
    ]
    june_2021 = result.points[MONTHS.index("2021-06")]
    assert june_2021.value == 259 and RuleHit("beyond_limits", -1) in june_2021.rules
    assert result.variation_icon == "concern_high"
    assert result.summary_sentence() == (
        "The latest value (520) is higher than usual: a concern for a measure where lower is "
        "better. 11 points in a row have been above the average."
    )


def test_leicestershire_burglary_matches_the_shared_data(shared_data: Path) -> None:
    path = shared_data / "police-uk" / "derived" / "street_counts_by_force_month_type.csv"
    with path.open(newline="") as handle:
        counts = {
            row["month"]: int(row["n"])
            for row in csv.DictReader(handle)
            if row["force"] == "leicestershire" and row["crime_type"] == "Burglary"
        }
    assert [counts[month] for month in MONTHS] == BURGLARY


# Hand-worked cases


def test_ghosted_point_is_left_out_of_the_mean_and_moving_ranges() -> None:
    values = [10, 12, 11, 100, 13, 9, 10, 12, 11, 13, 10, 12, 11, 10, 12]
    result = spc(values, polarity="lower", settings=SPCSettings(ghost=(3,)))
    seg = result.segments[0]
    # 14 points sum to 156. The 12 moving ranges not touching index 3 sum to 22:
    # 2, 1 | 4, 1, 2, 1, 2, 3, 2, 1, 1, 2 (|13 - 11| is not bridged).
    assert seg.limit_points == 14
    assert seg.mean == pytest.approx(156 / 14, abs=EXACT)
    assert seg.mr_bar == pytest.approx(22 / 12, abs=EXACT)
    ghost = result.points[3]
    assert ghost.ghost and ghost.value == 100 and ghost.rules == () and ghost.signal == "none"


def test_ghosted_point_breaks_a_run() -> None:
    values: list[float | None] = [2, 0] * 7 + [1.5, 1.5, 1.5, 1.5, 1.5, 1.5, 1.5]
    whole = spc(values, polarity="higher")
    assert flagged(whole, "improvement") == points(15, 21)  # 7 above the mean
    values[17] = None
    ghosted = spc(values, polarity="higher", settings=SPCSettings(ghost=(17,)))
    assert ghosted.segments[0].mean == pytest.approx(23 / 20, abs=EXACT)
    assert not any(p.special_cause for p in ghosted.points)


def test_missing_values_are_refused_by_name_unless_ghosted() -> None:
    values = [float(v) for v in V1]
    values[4] = float("nan")
    periods = [f"2020-{m:02d}" for m in range(1, 13)] + ["2021-01", "2021-02", "2021-03"]
    with pytest.raises(SPCInputError, match="missing for 2020-05"):
        spc(values, periods=periods, polarity="higher")
    with pytest.raises(SPCInputError, match="missing for index 4"):
        spc(values, polarity="higher")
    result = spc(
        values, periods=periods, polarity="higher", settings=SPCSettings(ghost=["2020-05"])
    )
    assert result.points[4].ghost and result.points[4].value is None


# Shift crossing a recalculation: 13, 13, 13 end segment 1 above its mean (149/13) and
# 23, 23, 23 start segment 2 above its mean (279/13), making 6 in a row only if runs cross.
CROSSING = [12, 10] * 5 + [13, 13, 13] + [23, 23, 23] + [20, 22] * 5
# A rise of 8 points, 10 to 22, that spans a recalculation at index 13.
RISING = [12, 10] * 5 + [11, 12, 13] + [14, 15, 16] + [22, 20] * 5


@pytest.mark.parametrize(
    ("crossing", "shift", "trend"),
    [("all", points(10, 15), points(9, 16)), ("trend_only", [], points(9, 16)), ("none", [], [])],
)
def test_crossing_a_recalculation(crossing: Any, shift: list[int], trend: list[int]) -> None:
    chosen = SPCSettings(recalculate_at=[13], crossing=crossing)
    shifted = spc(CROSSING, polarity="higher", settings=chosen)
    assert shifted.segments[0].mean == pytest.approx(149 / 13, abs=EXACT)
    assert shifted.segments[1].mean == pytest.approx(279 / 13, abs=EXACT)
    assert [p.index for p in shifted.points if RuleHit("shift", 1) in p.rules] == shift
    rising = spc(RISING, polarity="higher", settings=chosen)
    assert [p.index for p in rising.points if RuleHit("trend", 1) in p.rules] == trend


@pytest.mark.parametrize(
    ("mode", "means"),
    [
        ("baseline_only", [20]),
        ("recalculation_only", [20, 455 / 15]),
        ("each_segment", [258 / 13, 408 / 13]),  # first 13 points of each segment
    ],
)
def test_baseline_with_recalculation(mode: Any, means: list[float]) -> None:
    chosen = SPCSettings(
        baseline=15 if mode == "baseline_only" else 13,
        recalculate_at=[15],
        baseline_with_recalculation=mode,
    )
    result = spc(V4, polarity="higher", settings=chosen)
    assert [s.mean for s in result.segments] == pytest.approx(means, abs=EXACT)
    assert bool(result.warnings) == (mode != "each_segment")


def test_constant_series_has_lines_on_the_mean() -> None:
    result = spc([7] * 15, polarity="higher", target=7)
    seg = result.segments[0]
    assert seg.mr_bar == 0 and seg.upper == seg.lower == seg.upper_2sigma == seg.mean == 7
    assert not any(p.special_cause for p in result.points)
    assert result.assurance_icon == "hit_or_miss"


@pytest.mark.parametrize("values", [[], [5.0], [5.0, 6.0], [None]])
def test_very_short_series_warns_instead_of_crashing(values: list[float | None]) -> None:
    chosen = SPCSettings(ghost=(0,)) if values == [None] else SPCSettings()
    result = spc(values, polarity="lower", settings=chosen)
    assert result.warnings and result.variation_icon is None
    assert result.summary_sentence()
    json.dumps(result.to_summary())


def test_summary_sentences() -> None:
    assert spc(V2, polarity="higher").summary_sentence() == (
        "The latest value (18) is within the usual range: there is no sign of change."
    )
    baseline = SPCSettings(baseline=15)
    assert spc(V4, polarity="neither", settings=baseline).summary_sentence() == (
        "The latest value (23) is higher than usual; for this measure neither higher nor lower "
        "is better. 15 points in a row have been above the average."
    )
    assert spc([*V1, 50.5], polarity="higher", settings=baseline).summary_sentence() == (
        "The latest value (50.5) is higher than usual: an improvement for a measure where higher "
        "is better. It is above the upper process limit (37.64)."
    )
    falling = spc([*V2[:20], 40, 38, 36, 34, 32, 30], polarity="lower")
    assert falling.summary_sentence().endswith(
        "6 points in a row have each been lower than the one before."
    )


@pytest.mark.parametrize(
    ("polarity", "baseline_icon", "recalculated_icon"),
    [
        ("higher", "improvement_high", "concern_low"),
        ("lower", "concern_high", "improvement_low"),
        ("neither", "neither_high", "neither_low"),
    ],
)
def test_variation_icons(polarity: Any, baseline_icon: str, recalculated_icon: str) -> None:
    assert (
        spc(V4, polarity=polarity, settings=SPCSettings(baseline=15)).variation_icon
        == baseline_icon
    )
    recalculated = spc(V4, polarity=polarity, settings=SPCSettings(recalculate_at=[15]))
    assert recalculated.variation_icon == recalculated_icon


def test_assurance_on_a_limit_is_hit_or_miss() -> None:
    seg = spc(V4, polarity="higher", settings=SPCSettings(baseline=15)).segments[0]
    for target in (seg.upper, seg.lower):
        assert (
            spc(
                V4, polarity="higher", target=target, settings=SPCSettings(baseline=15)
            ).assurance_icon
            == "hit_or_miss"
        )


def test_ghosted_latest_point_has_no_variation_icon() -> None:
    result = spc([*V1, 99], polarity="higher", settings=SPCSettings(ghost=(15,)))
    assert result.variation_icon is None
    assert any("ghosted" in warning for warning in result.warnings)


def test_rows_and_summary_are_plain_data() -> None:
    result = spc(BURGLARY, periods=MONTHS, polarity="lower", target=300)
    rows = result.to_rows()
    assert rows[0] == {
        "period": "2019-12",
        "value": 557,
        "mean": pytest.approx(395.222222, abs=EXACT),
        "lower": pytest.approx(263.970222, abs=EXACT),
        "upper": pytest.approx(526.474222, abs=EXACT),
        "special_cause": True,
        "signal": "concern",
    }
    summary = json.loads(json.dumps(result.to_summary()))
    assert summary["limits"]["upper"] == pytest.approx(526.474222, abs=EXACT)
    assert summary["mean"] == pytest.approx(395.222222, abs=EXACT)
    assert (summary["variation_icon"], summary["assurance_icon"]) == ("concern_high", "hit_or_miss")
    assert summary["warnings"] == [] and summary["settings"]["run_length"] == 6


WRONG: dict[str, Any] = {"polarity": "up", "values": ["12"], "two_in_three": "D", "crossing": "x"}


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: spc(V1, polarity=WRONG["polarity"]), "polarity"),
        (lambda: spc(V1, polarity="lower", periods=["a"]), "one label per value"),
        (lambda: spc(V1[:2], polarity="lower", periods=["a", "a"]), "repeats a"),
        (lambda: spc(V1, polarity="lower", settings=SPCSettings(ghost=["2020-01"])), "not one of"),
        (lambda: spc(V1, polarity="lower", settings=SPCSettings(ghost=[15])), "index from 0 to 14"),
        (lambda: spc(V1, polarity="lower", settings=SPCSettings(recalculate_at=[0])), "first"),
        (lambda: spc(WRONG["values"], polarity="lower"), "values\\[0\\]"),
        (lambda: spc(V1, polarity="lower", target=float("inf")), "target"),
        (lambda: SPCSettings(run_length=5), "run_length"),
        (lambda: SPCSettings(two_in_three=WRONG["two_in_three"]), "two_in_three"),
        (lambda: SPCSettings(minimum_points=1), "minimum_points"),
        (lambda: SPCSettings(crossing=WRONG["crossing"]), "crossing"),
    ],
)
def test_input_errors_name_the_problem(call: Any, message: str) -> None:
    with pytest.raises(SPCInputError, match=message):
        call()


# The rules on their own


def test_rules_directly() -> None:
    means = [0.0] * 8
    assert spc_rules.shift([1, 1, 1, 0, 1, 1, 1, 1], means, 6) == [0] * 8  # on the mean breaks
    assert spc_rules.shift([-1] * 6 + [None, -1], means, 6) == [-1] * 6 + [0, 0]
    assert spc_rules.trend([1, 2, 3, 3, 4, 5, 6], 6) == [0] * 7  # a tie breaks the run
    assert spc_rules.trend([5, 4, 3, 2, 1, 0, 1, 2, 3, 4, 5], 6) == [-1] * 5 + [1] * 6
    assert spc_rules.trend([1, 2, 3, 4, 5, 6], 7) == [0] * 6
    assert spc_rules.beyond_limits([3, 3.01, -3, -3.01], [3] * 4, [-3] * 4) == [0, 1, 0, -1]
    lines = ([3.0] * 3, [-3.0] * 3, [2.0] * 3, [-2.0] * 3)
    assert spc_rules.two_in_three([2.5, 0, 2.5], [0.0] * 3, lines) == [0, 0, 0]  # on the mean
    assert spc_rules.two_in_three([2.5, 1, 2.5], [0.0] * 3, lines) == [1, 0, 1]
    assert spc_rules.two_in_three([3.5, 1, 2.5], [0.0] * 3, lines, "A") == [0, 0, 0]
    assert spc_rules.two_in_three([3.5, 1, 2.5], [0.0] * 3, lines, "B") == [1, 0, 1]
    assert spc_rules.two_in_three([3.5, 1, 2.5], [0.0] * 3, lines, "C") == [1, 1, 1]


# Properties

series = st.lists(
    st.floats(min_value=-1e4, max_value=1e4, allow_nan=False), min_size=13, max_size=40
)


@given(series)
def test_limits_are_symmetric_about_the_mean(values: list[float]) -> None:
    seg = spc(values, polarity="higher").segments[0]
    mean, upper, lower = seg.mean, seg.upper, seg.lower
    upper_2sigma, lower_2sigma = seg.upper_2sigma, seg.lower_2sigma
    assert mean is not None and upper is not None and lower is not None
    assert upper_2sigma is not None and lower_2sigma is not None
    assert upper - mean == pytest.approx(mean - lower, rel=1e-9, abs=1e-6)
    assert upper_2sigma - mean == pytest.approx(mean - lower_2sigma, rel=1e-9, abs=1e-6)
    assert lower <= mean <= upper


@given(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False), st.integers(1, 40))
def test_a_constant_series_signals_nothing(value: float, count: int) -> None:
    result = spc([value] * count, polarity="higher")
    assert not any(p.special_cause for p in result.points)


@given(series)
def test_reversing_polarity_swaps_improvement_and_concern(values: list[float]) -> None:
    swap = {"improvement": "concern", "concern": "improvement", "none": "none"}
    for chosen in (SPCSettings(conflict="precedence"), SPCSettings()):
        higher = spc(values, polarity="higher", settings=chosen).points
        lower = spc(values, polarity="lower", settings=chosen).points
        for up, down in zip(higher, lower, strict=True):
            one_way = len({h.direction for h in up.rules}) <= 1
            if chosen.conflict == "precedence" or one_way:
                assert down.signal == swap[up.signal]
            else:  # hit both ways: the MDC default shows improvement whatever the polarity
                assert up.signal == down.signal == "improvement"


@settings(max_examples=50)
@given(series, st.floats(min_value=0.01, max_value=100))
def test_scaling_the_data_scales_the_limits(values: list[float], factor: float) -> None:
    base = spc(values, polarity="higher").segments[0]
    scaled = spc([v * factor for v in values], polarity="higher").segments[0]
    for name in ("mean", "mr_bar", "upper", "lower", "upper_2sigma", "lower_2sigma"):
        expected = getattr(base, name) * factor
        assert getattr(scaled, name) == pytest.approx(expected, rel=1e-9, abs=1e-6)


@settings(max_examples=50)
@given(series, st.floats(min_value=-1e4, max_value=1e4))
def test_adding_a_constant_shifts_the_limits(values: list[float], offset: float) -> None:
    base = spc(values, polarity="higher").segments[0]
    moved = spc([v + offset for v in values], polarity="higher").segments[0]
    assert moved.mr_bar == pytest.approx(base.mr_bar, rel=1e-9, abs=1e-6)
    for name in ("mean", "upper", "lower", "upper_2sigma", "lower_2sigma"):
        expected = getattr(base, name) + offset
        assert getattr(moved, name) == pytest.approx(expected, rel=1e-9, abs=1e-6)


# Boundaries


def test_methods_import_no_django() -> None:
    code = (
        "import oversight.methods.spc, sys; "
        "assert not any(m.startswith('django') for m in sys.modules)"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)


def test_every_setting_is_documented() -> None:
    text = (REPO / "docs" / "methods" / "spc.md").read_text()
    for name in SPCSettings.__dataclass_fields__:
        assert f"`{name}`" in text, f"docs/methods/spc.md does not explain {name}"
