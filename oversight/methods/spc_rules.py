"""The NHS "Making Data Count" SPC rules, one small function each.

Every rule takes plain per-point sequences and returns one direction per point:
+1 (above or rising), -1 (below or falling) or 0 (not hit). A value of ``None``
marks a point that is not tested (a ghosted point, or one in a segment with no
limits): it is never flagged, and it breaks every run and window that would
include it.

Each point is judged against its own lines, so the ``means`` and line sequences
run alongside ``values`` point by point. The engine in ``spc.py`` decides which
stretch of points a rule sees, and so whether runs cross a recalculation.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal, NamedTuple

Line = Sequence[float | None]
TwoInThreeVariant = Literal["A", "B", "C"]
Crossing = Literal["all", "trend_only", "none"]

BEYOND_LIMITS = "beyond_limits"
SHIFT = "shift"
TREND = "trend"
TWO_IN_THREE = "two_in_three"


@dataclass(frozen=True)
class RuleHit:
    """One rule hit on one point: the rule's name and its direction (+1 or -1)."""

    rule: str
    direction: int


class Lines(NamedTuple):
    """A chart's lines, point by point: each point's own segment's mean and limits."""

    mean: Line
    upper: Line
    lower: Line
    upper_2sigma: Line
    lower_2sigma: Line


def _side(value: float | None, mean: float | None) -> int:
    """Which side of the mean a value is on: +1, -1, or 0 if on it or untested."""
    if value is None or mean is None or value == mean:
        return 0
    return 1 if value > mean else -1


def _flag_runs(labels: Sequence[int], min_length: int) -> list[int]:
    """Flag every member of a run of equal non-zero labels at least ``min_length`` long."""
    flags = [0] * len(labels)
    start = 0
    while start < len(labels):
        end = start
        while end + 1 < len(labels) and labels[end + 1] == labels[start]:
            end += 1
        if labels[start] != 0 and end - start + 1 >= min_length:
            flags[start : end + 1] = [labels[start]] * (end - start + 1)
        start = end + 1
    return flags


def steps(values: Sequence[float | None]) -> list[int]:
    """The direction of each step between neighbours: +1 up, -1 down, 0 tie or untested.

    Step ``k`` goes from point ``k`` to point ``k + 1``, so there is one fewer step
    than points.
    """
    out: list[int] = []
    for before, after in zip(values, values[1:], strict=False):
        out.append(_side(after, before))
    return out


def beyond_limits(values: Sequence[float | None], upper: Line, lower: Line) -> list[int]:
    """Points strictly above the upper process limit (+1) or below the lower one (-1)."""
    hits: list[int] = []
    for value, high, low in zip(values, upper, lower, strict=True):
        if value is None or high is None or low is None:
            hits.append(0)
        elif value > high:
            hits.append(1)
        elif value < low:
            hits.append(-1)
        else:
            hits.append(0)
    return hits


def shift(values: Sequence[float | None], means: Line, run_length: int) -> list[int]:
    """Runs of ``run_length`` or more points strictly on one side of the mean.

    A point exactly on the mean breaks the run. Every point in the run is flagged.
    """
    sides = [_side(value, mean) for value, mean in zip(values, means, strict=True)]
    return _flag_runs(sides, run_length)


def _trend_in(values: Sequence[float | None], run_length: int, direction: int) -> list[int]:
    """Flag points in runs of ``run_length`` or more points moving one way every step."""
    step_flags = _flag_runs(
        [step if step == direction else 0 for step in steps(values)], run_length - 1
    )
    flags = [0] * len(values)
    for k, step in enumerate(step_flags):
        if step:
            flags[k] = flags[k + 1] = direction
    return flags


def rising_trend(values: Sequence[float | None], run_length: int) -> list[int]:
    """Runs of ``run_length`` or more points, each strictly above the one before (+1).

    Ties break the run. A trend can cross the mean. Every point in the run is flagged.
    """
    return _trend_in(values, run_length, 1)


def falling_trend(values: Sequence[float | None], run_length: int) -> list[int]:
    """Runs of ``run_length`` or more points, each strictly below the one before (-1)."""
    return _trend_in(values, run_length, -1)


def trend(values: Sequence[float | None], run_length: int) -> list[int]:
    """Rising (+1) and falling (-1) trends in one list.

    A point that ends one trend and starts the opposite one takes the direction
    of the step that follows it.
    """
    rising = rising_trend(values, run_length)
    falling = falling_trend(values, run_length)
    following = steps(values) + [0]
    return [
        following[k] if up and down else up or down
        for k, (up, down) in enumerate(zip(rising, falling, strict=True))
    ]


def _counts_towards_two_in_three(
    value: float,
    side: int,
    lines: tuple[float, float, float, float],
    variant: TwoInThreeVariant,
) -> bool:
    """Whether a point is strictly beyond its side's 2-sigma line, as the variant counts it."""
    upper, lower, upper_2sigma, lower_2sigma = lines
    beyond_2sigma = value > upper_2sigma if side > 0 else value < lower_2sigma
    beyond_limit = value > upper if side > 0 else value < lower
    return beyond_2sigma and (variant != "A" or not beyond_limit)


def two_in_three(
    values: Sequence[float | None],
    means: Line,
    lines: tuple[Line, Line, Line, Line],
    variant: TwoInThreeVariant = "A",
) -> list[int]:
    """Two (or three) of three consecutive points beyond a 2-sigma line on one side.

    ``lines`` holds the upper limit, lower limit, upper 2-sigma and lower 2-sigma
    lines, point by point. All three points in the window must be strictly on one
    side of the mean. Variant A does not count points beyond a process limit;
    variants B and C do. Variants A and B flag only the points that count;
    variant C flags all three points in the window.
    """
    flags = [0] * len(values)
    for start in range(len(values) - 2):
        window = range(start, start + 3)
        sides = {_side(values[k], means[k]) for k in window}
        if len(sides) != 1 or 0 in sides:
            continue
        side = sides.pop()
        counted = [
            k
            for k in window
            if _counts_towards_two_in_three(_number(values[k]), side, _lines_at(lines, k), variant)
        ]
        if len(counted) >= 2:
            for k in window if variant == "C" else counted:
                flags[k] = side
    return flags


def _number(value: float | None) -> float:
    """A value already known to be tested (not ``None``)."""
    if value is None:
        raise ValueError("an untested point reached a two-in-three window")
    return value


def _lines_at(lines: tuple[Line, Line, Line, Line], k: int) -> tuple[float, float, float, float]:
    """The four lines at point ``k``, which exist wherever a point has a mean."""
    upper, lower, upper_2sigma, lower_2sigma = (_number(line[k]) for line in lines)
    return upper, lower, upper_2sigma, lower_2sigma


def apply_rules(
    values: Sequence[float | None],
    lines: Lines,
    segments: Sequence[slice],
    *,
    run_length: int,
    variant: TwoInThreeVariant,
    crossing: Crossing,
) -> list[list[RuleHit]]:
    """Run every rule over a whole chart and list each point's hits.

    ``crossing`` says which rules may run across a recalculation: "all" (the
    MDC Excel tool), "trend_only" (MDC SQL and Power BI) or "none"
    (NHSRplotthedots). A rule that may not cross runs on each segment alone.
    A point at the turn of two opposite trends gets a trend hit each way.
    """
    whole = [slice(0, len(values))]
    runs = whole if crossing == "all" else segments
    trends = segments if crossing == "none" else whole
    sigma_lines = (lines.upper, lines.lower, lines.upper_2sigma, lines.lower_2sigma)
    checks: list[tuple[str, Sequence[slice], Callable[[slice], list[int]]]] = [
        (BEYOND_LIMITS, whole, lambda s: beyond_limits(values[s], lines.upper[s], lines.lower[s])),
        (SHIFT, runs, lambda s: shift(values[s], lines.mean[s], run_length)),
        (TREND, trends, lambda s: falling_trend(values[s], run_length)),
        (TREND, trends, lambda s: rising_trend(values[s], run_length)),
        (
            TWO_IN_THREE,
            runs,
            lambda s: two_in_three(values[s], lines.mean[s], _slice_lines(sigma_lines, s), variant),
        ),
    ]
    hits: list[list[RuleHit]] = [[] for _ in values]
    for rule, spans, check in checks:
        for span in spans:
            for offset, direction in enumerate(check(span)):
                if direction:
                    hits[span.start + offset].append(RuleHit(rule, direction))
    return hits


def _slice_lines(
    lines: tuple[Line, Line, Line, Line], span: slice
) -> tuple[Line, Line, Line, Line]:
    """The four limit lines cut to one span of points."""
    upper, lower, upper_2sigma, lower_2sigma = (line[span] for line in lines)
    return upper, lower, upper_2sigma, lower_2sigma
