"""What SPC rule hits mean for a measure: point signals, icons and the summary sentence.

The rules in ``spc_rules.py`` only say "above" or "below". This module turns
those directions into improvement or concern using the measure's polarity,
settles points hit in both directions, chooses the Making Data Count variation
and assurance icons, and says what the latest point means in plain English.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

from oversight.methods.spc_rules import BEYOND_LIMITS, SHIFT, TREND, TWO_IN_THREE, RuleHit

if TYPE_CHECKING:
    from oversight.methods.spc import SPCPoint, SPCResult

Polarity = Literal["higher", "lower", "neither"]
ConflictPolicy = Literal["improvement", "precedence"]
Signal = Literal["none", "improvement", "concern", "neither"]

POLARITIES: tuple[str, ...] = ("higher", "lower", "neither")

# NHSRplotthedots ranks rules in this order when a point is hit in both directions.
RULE_PRECEDENCE: tuple[str, ...] = (BEYOND_LIMITS, TREND, TWO_IN_THREE, SHIFT)

# Making Data Count colours. Colour must never carry the meaning on its own.
SIGNAL_COLOURS: dict[str, str] = {
    "improvement": "#00B0F0",
    "concern": "#E46C0A",
    "neither": "#490092",
    "none": "#A6A6A6",
}

VARIATION_ICONS: tuple[str, ...] = (
    "common_cause",
    "improvement_high",
    "improvement_low",
    "concern_high",
    "concern_low",
    "neither_high",
    "neither_low",
)
ASSURANCE_ICONS: tuple[str, ...] = ("consistently_pass", "hit_or_miss", "consistently_fail")


def improvement_direction(polarity: Polarity) -> int:
    """The direction that is good news: +1 if higher is better, -1 if lower, 0 if neither."""
    return {"higher": 1, "lower": -1, "neither": 0}[polarity]


def precedence_direction(hits: Sequence[RuleHit], following_step: int) -> int:
    """The direction of the highest-ranked rule hit (outside limits > trend > two in three > shift).

    Only a trend can hit one point in both directions: the point that ends one
    trend and starts the opposite one. It takes the direction of the step that
    follows it.
    """
    for rule in RULE_PRECEDENCE:
        directions = {hit.direction for hit in hits if hit.rule == rule}
        if len(directions) == 1:
            return directions.pop()
        if directions:
            return following_step
    return 0


def point_direction(
    hits: Sequence[RuleHit],
    polarity: Polarity,
    conflict: ConflictPolicy,
    following_step: int = 0,
) -> int:
    """The one direction a point is shown in, or 0 if no rule hit it.

    With the ``"improvement"`` policy (the Making Data Count Excel tool), a point
    with any hit in the good direction shows as improvement. With
    ``"precedence"`` (NHSRplotthedots), or when the polarity is neither, the
    highest-ranked rule decides.
    """
    if not hits:
        return 0
    good = improvement_direction(polarity)
    if conflict == "improvement" and good:
        return good if any(hit.direction == good for hit in hits) else -good
    return precedence_direction(hits, following_step)


def signal_for(direction: int, polarity: Polarity) -> Signal:
    """Name a point's direction for the measure: improvement, concern, neither or none."""
    if direction == 0:
        return "none"
    good = improvement_direction(polarity)
    if good == 0:
        return "neither"
    return "improvement" if direction == good else "concern"


def variation_icon(signal: Signal, direction: int) -> str:
    """The variation icon for the latest point: common cause, or the signal and its side.

    Improvement "high" means higher is better; concern "high" means lower is
    better; neither "high" or "low" follows the hit's direction.
    """
    if signal == "none":
        return "common_cause"
    return f"{signal}_{'high' if direction > 0 else 'low'}"


def latest_variation_icon(last: SPCPoint, has_limits: bool, warnings: list[str]) -> str | None:
    """The chart's variation icon, from its last point; None if that is ghosted or unlimited."""
    if last.ghost:
        warnings.append("The latest point is ghosted, so there is no variation icon.")
        return None
    return variation_icon(last.signal, last.direction) if has_limits else None


def assurance_icon(
    target: float | None,
    polarity: Polarity,
    upper: float | None,
    lower: float | None,
) -> str | None:
    """Whether the process will meet the target, from the latest segment's limits.

    Returns None with no target, polarity neither, or no limits. Comparisons are
    strict: a target exactly on a limit is "hit or miss".
    """
    if target is None or polarity == "neither" or upper is None or lower is None:
        return None
    if lower <= target <= upper:
        return "hit_or_miss"
    target_above_limits = target > upper
    if polarity == "higher":
        return "consistently_fail" if target_above_limits else "consistently_pass"
    return "consistently_pass" if target_above_limits else "consistently_fail"


def format_number(value: float) -> str:
    """A value for a sentence: whole numbers as they are, others to 2 decimal places."""
    if value == int(value):
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def summary_sentence(result: SPCResult) -> str:
    """Say what the latest point means, and why, in plain English.

    For example: "The latest value (520) is higher than usual: a concern for a
    measure where lower is better. 11 points in a row have been above the average."
    """
    if not result.points:
        return "There are no values to chart."
    last = result.points[-1]
    if last.ghost or last.value is None:
        return "The latest value is left out of the chart (ghosted), so it was not tested."
    value = format_number(last.value)
    if last.mean is None:
        needed = result.settings.minimum_points
        return f"The latest value ({value}) cannot be judged: limits need at least {needed} points."
    if last.signal == "none":
        return f"The latest value ({value}) is within the usual range: there is no sign of change."
    word = "higher" if last.direction > 0 else "lower"
    if last.signal == "neither":
        meaning = "; for this measure neither higher nor lower is better."
    else:
        kind = "an improvement" if last.signal == "improvement" else "a concern"
        meaning = f": {kind} for a measure where {result.polarity} is better."
    reason = _reason(result, last)
    return f"The latest value ({value}) is {word} than usual{meaning}" + (
        f" {reason}" if reason else ""
    )


def _reason(result: SPCResult, last: SPCPoint) -> str:
    """Why the latest point is a signal, from the plainest rule it hit in its direction."""
    rules = {hit.rule for hit in last.rules if hit.direction == last.direction}
    side = "above" if last.direction > 0 else "below"
    limit_name = "upper" if last.direction > 0 else "lower"
    if BEYOND_LIMITS in rules:
        limit = last.upper if last.direction > 0 else last.lower
        return f"It is {side} the {limit_name} process limit ({format_number(limit or 0.0)})."
    if SHIFT in rules:
        count = _run_length_back(result, SHIFT, last.direction)
        return f"{count} points in a row have been {side} the average."
    if TREND in rules:
        count = _run_length_back(result, TREND, last.direction)
        word = "higher" if last.direction > 0 else "lower"
        return f"{count} points in a row have each been {word} than the one before."
    if TWO_IN_THREE in rules:
        return f"It is one of 2 points in 3 close to the {limit_name} process limit."
    return ""


def _run_length_back(result: SPCResult, rule: str, direction: int) -> int:
    """How many points in a row, ending with the latest, share a run rule's hit.

    A trend run ends where a step goes the other way or is level. Runs stop at a
    recalculation unless the settings let that rule cross one.
    """
    points = result.points
    crossing = result.settings.crossing
    crosses = crossing == "all" or (rule == TREND and crossing == "trend_only")
    count = 1
    while count < len(points):
        before, after = points[-count - 1], points[-count]
        same_run = RuleHit(rule, direction) in before.rules
        if rule == TREND:
            step = (after.value or 0.0) - (before.value or 0.0)
            same_run = same_run and step * direction > 0
        if not same_run or (before.segment != after.segment and not crosses):
            break
        count += 1
    return count
