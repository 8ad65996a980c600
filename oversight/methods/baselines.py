"""Baselines that cope with the 2020–21 distortion, and targets judged against them.

This follows DOMAIN.md section 4.3. A baseline is one of: a fixed period (option 1), the
mean of several periods with declared exclusions (option 2), the same period in the last
year before the pandemic (option 3), or a comparator index (option 4). Each result carries
its value, the periods used, what was left out and why, and a sentence that states the
exclusion, because the page must say so.

Targets (numeric, trajectory, reduce by a percentage, the two MSG targets and the two SPC
targets) are judged by `evaluate_target`, which always gives a reason. The year-end
projection lives with the year-to-date sums, in `change.project_year_end`.

Figures are looked up by period label (see `periods.period_months`): either the label is a
key of the figures, or its months are, and they are added up.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal, get_args

from oversight.methods import periods
from oversight.methods.change import (
    Change,
    MeasureKind,
    Polarity,
    change,
    format_count,
    format_number,
    normalise_polarity,
    total_over,
)
from oversight.methods.msg import PeerComparison

PANDEMIC_START = "2020-03"
"""The first month touched by COVID-19 restrictions (they began on 23 March 2020)."""

BaselineMethod = Literal["fixed", "mean", "last_pre_pandemic"]
TargetKind = Literal[
    "numeric",
    "trajectory",
    "reduce_by_percent",
    "achieve_msg_average",
    "maintain_above_msg_average",
    "spc_sustained_signal",
    "spc_assurance",
]
TargetStatus = Literal["met", "not_met", "not_assessable"]
TARGET_KINDS: tuple[str, ...] = get_args(TargetKind)
SUSTAINED_RULES: tuple[str, ...] = ("shift", "trend")


@dataclass(frozen=True)
class Exclusion:
    """Months left out of baselines, from `start` to `end` (any period labels), with a reason."""

    start: str
    end: str | None = None
    reason: str = ""

    def months(self) -> set[str]:
        """Every month the exclusion covers."""
        first = periods.period_months(self.start)[0]
        last = periods.period_months(self.end or self.start)[-1]
        return set(periods.month_range(first, last))

    def covers(self, period: str) -> bool:
        """True if any month of `period` falls inside the exclusion."""
        return not self.months().isdisjoint(periods.period_months(period))


FIRST_LOCKDOWN = Exclusion(
    "2020-03",
    "2020-05",
    "the first national lockdown (restrictions began on 23 March 2020 and eased from 13 May 2020)",
)


@dataclass(frozen=True)
class ExcludedPeriod:
    """A period left out of a baseline and the reason."""

    period: str
    reason: str


def value_of(figures: Mapping[str, float], period: str) -> float:
    """Return the figure for `period`: its own entry, or the sum of its months' entries."""
    if figures.get(period) is not None:
        return float(figures[period])
    return total_over(figures, periods.period_months(period))


@dataclass(frozen=True)
class Baseline:
    """A baseline value with the periods used and the periods left out."""

    method: BaselineMethod
    value: float
    periods: tuple[str, ...]
    excluded: tuple[ExcludedPeriod, ...] = ()

    def exclusion_sentence(self) -> str | None:
        """Return the sentence stating what was left out, or None if nothing was."""
        if not self.excluded:
            return None
        parts = [f"{periods.period_words(item.period)} ({item.reason})" for item in self.excluded]
        return f"Left out of the baseline: {_join(parts)}."

    def sentence(self) -> str:
        """Return the baseline and how it was worked out, with any exclusion."""
        used = _join([periods.period_words(period) for period in self.periods])
        how = {
            "fixed": f"the figure for {used}",
            "mean": f"the mean of {used}",
            "last_pre_pandemic": f"the same period in the last year before the pandemic, {used}",
        }[self.method]
        text = f"The baseline is {format_count(self.value)}: {how}."
        exclusion = self.exclusion_sentence()
        return f"{text} {exclusion}" if exclusion else text

    def compare(self, current: float, *, kind: MeasureKind = "count") -> Change:
        """Return the change from this baseline to `current`."""
        return change(current, self.value, kind=kind)


def _join(items: Sequence[str]) -> str:
    if len(items) < 2:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def fixed_baseline(figures: Mapping[str, float], period: str) -> Baseline:
    """Option 1: the figure for one fixed period, such as "2019/20" or "2019-03 to 2020-02"."""
    return Baseline("fixed", value_of(figures, period), (period,))


def mean_baseline(
    figures: Mapping[str, float],
    baseline_periods: Sequence[str],
    exclusions: Iterable[Exclusion] = (),
) -> Baseline:
    """Option 2: the mean over `baseline_periods`, leaving out any period an exclusion touches."""
    rules = list(exclusions)
    used: list[str] = []
    excluded: list[ExcludedPeriod] = []
    for period in baseline_periods:
        hit = next((rule for rule in rules if rule.covers(period)), None)
        if hit is None:
            used.append(period)
        else:
            excluded.append(ExcludedPeriod(period, hit.reason or "declared as excluded"))
    if not used:
        raise ValueError("every baseline period is excluded; choose other baseline periods")
    value = statistics.fmean(value_of(figures, period) for period in used)
    return Baseline("mean", value, tuple(used), tuple(excluded))


def last_pre_pandemic_baseline(
    figures: Mapping[str, float],
    current: str,
    *,
    pandemic_start: str = PANDEMIC_START,
    exclusions: Iterable[Exclusion] = (),
    years_back: int = 10,
) -> Baseline:
    """Option 3: the same period as `current` in the latest year that ends before the pandemic.

    Earlier years are tried one at a time; a year is skipped if it ends in or after
    `pandemic_start` or an exclusion touches it. Skipped years are listed as excluded.
    """
    periods.parse_month(pandemic_start)
    rules = list(exclusions)
    skipped: list[ExcludedPeriod] = []
    for step in range(1, years_back + 1):
        candidate = periods.shift_years(current, -step)
        hit = next((rule for rule in rules if rule.covers(candidate)), None)
        if periods.period_months(candidate)[-1] >= pandemic_start:
            reason = f"it is not before {periods.month_words(pandemic_start)}"
            skipped.append(ExcludedPeriod(candidate, reason))
        elif hit is not None:
            skipped.append(ExcludedPeriod(candidate, hit.reason or "declared as excluded"))
        else:
            value = value_of(figures, candidate)
            return Baseline("last_pre_pandemic", value, (candidate,), tuple(skipped))
    raise ValueError(f"no pre-pandemic period found within {years_back} years of {current}")


@dataclass(frozen=True)
class ComparatorIndex:
    """Option 4: (force now ÷ force baseline) ÷ (comparator now ÷ comparator baseline)."""

    force_now: float
    force_baseline: float
    comparator_now: float
    comparator_baseline: float
    force_name: str = "the force"
    comparator_name: str = "the comparator"

    def __post_init__(self) -> None:
        if 0 in (self.force_baseline, self.comparator_baseline, self.comparator_now):
            raise ValueError("baselines and the comparator's current figure must not be 0")

    @property
    def force_ratio(self) -> float:
        """The force's figure now ÷ its baseline."""
        return self.force_now / self.force_baseline

    @property
    def comparator_ratio(self) -> float:
        """The comparator's figure now ÷ its baseline."""
        return self.comparator_now / self.comparator_baseline

    @property
    def index(self) -> float:
        """The force's ratio ÷ the comparator's ratio; below 1 means the force did better."""
        return self.force_ratio / self.comparator_ratio

    def sentence(self) -> str:
        """Return the index and what it means, in words."""
        force_pct, comp_pct = 100 * (self.force_ratio - 1), 100 * (self.comparator_ratio - 1)
        gap = 100 * (self.index - 1)
        return (
            f"Index {format_number(self.index, 4)}: {self.force_name}'s ratio to its baseline "
            f"({format_number(self.force_ratio, 4)}) is {format_number(abs(gap), 1)}% "
            f"{'below' if gap < 0 else 'above'} {self.comparator_name}'s "
            f"({format_number(self.comparator_ratio, 4)}): {_move(force_pct)} against "
            f"{_move(comp_pct)}, a difference of "
            f"{format_number(abs(force_pct - comp_pct), 1)} percentage points."
        )


def _move(percent: float) -> str:
    return f"a {format_number(abs(percent), 1)}% {'fall' if percent < 0 else 'rise'}"


def comparator_index(
    force_now: float,
    force_baseline: float,
    comparator_now: float,
    comparator_baseline: float,
    *,
    force_name: str = "the force",
    comparator_name: str = "the comparator",
) -> ComparatorIndex:
    """Return the comparator index; shocks common to the force and comparator cancel out."""
    return ComparatorIndex(
        force_now, force_baseline, comparator_now, comparator_baseline, force_name, comparator_name
    )


@dataclass(frozen=True)
class Target:
    """What a measure aims for.

    `value` is the target figure ("numeric") or the percentage ("reduce_by_percent", taken
    off `baseline`); `trajectory` maps a period label to the value due in that period.
    """

    kind: TargetKind
    polarity: Polarity
    value: float | None = None
    baseline: float | None = None
    trajectory: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in TARGET_KINDS:
            raise ValueError(f'kind: "{self.kind}" is not known; use {", ".join(TARGET_KINDS)}')
        object.__setattr__(self, "polarity", normalise_polarity(self.polarity))
        if self.polarity == "neither":
            raise ValueError("polarity: a target needs a measure where higher or lower is better")
        if self.kind == "numeric" and self.value is None:
            raise ValueError("value: a numeric target needs a value")
        if self.kind == "trajectory" and not self.trajectory:
            raise ValueError("trajectory: give a value for each period")
        if self.kind == "reduce_by_percent" and self.polarity != "lower":
            raise ValueError("polarity: a reduction target needs a lower-is-better measure")
        if self.kind == "reduce_by_percent" and (self.value is None or self.baseline is None):
            raise ValueError("value, baseline: a reduction target needs both")


@dataclass(frozen=True)
class TargetContext:
    """What a target may need besides the current value.

    `msg` (or `msg_average`) gives the declared MSG average; `previous_value` and
    `previous_msg_average` are last period's figures, for "maintain". `spc_signal` ("none",
    "improvement", "concern" or "neither") and `spc_rules` describe the latest SPC point;
    `assurance_icon` is the SPC assurance icon. `unit` and `decimals` shape the reason.
    """

    period: str | None = None
    msg: PeerComparison | None = None
    msg_average: float | None = None
    previous_value: float | None = None
    previous_msg_average: float | None = None
    spc_signal: str | None = None
    spc_rules: tuple[str, ...] = ()
    assurance_icon: str | None = None
    unit: str = ""
    decimals: int | None = None


@dataclass(frozen=True)
class TargetResult:
    """Whether a target is met, the value it asked for (if any) and the reason in words."""

    status: TargetStatus
    reason: str
    current: float | None
    aim: float | None = None


def _show(value: float, ctx: TargetContext) -> str:
    decimals = ctx.decimals if ctx.decimals is not None else (0 if value == int(value) else 2)
    return format_number(value, decimals) + (f" {ctx.unit}" if ctx.unit else "")


def _at_or_better(current: float, aim: float, polarity: Polarity) -> bool:
    return current <= aim if polarity == "lower" else current >= aim


def _result(
    status: TargetStatus, reason: str, current: float | None, aim: float | None = None
) -> TargetResult:
    words = {"met": "Met", "not_met": "Not met", "not_assessable": "Not assessable"}[status]
    return TargetResult(status, f"{words}: {reason}.", current, aim)


def _aim(target: Target, ctx: TargetContext) -> tuple[float | None, str]:
    """Return the value the target asks for and how to describe it, or None and why not."""
    if target.kind == "numeric":
        assert target.value is not None
        return target.value, f"the target of {_show(target.value, ctx)}"
    if target.kind == "trajectory":
        if ctx.period is None or ctx.period not in target.trajectory:
            return None, f"the trajectory has no value for {ctx.period or 'this period'}"
        aim = target.trajectory[ctx.period]
        return (
            aim,
            f"the trajectory value of {_show(aim, ctx)} for {periods.period_words(ctx.period)}",
        )
    if target.kind == "reduce_by_percent":
        assert target.value is not None and target.baseline is not None
        aim = target.baseline * (1 - target.value / 100)
        return aim, (
            f"{_show(aim, ctx)}, {format_number(target.value, 1)}% below the baseline of "
            f"{_show(target.baseline, ctx)}"
        )
    average = ctx.msg.average if ctx.msg is not None else ctx.msg_average
    if average is None:
        return None, "there is no MSG average"
    return average, f"the MSG average of {_show(average, ctx)}"


def evaluate_target(
    target: Target, current: float | None, context: TargetContext | None = None
) -> TargetResult:
    """Judge `target` against `current`: met, not met or not assessable, with a reason.

    Reaching the aim exactly counts as met ("at or better than").
    """
    ctx = context or TargetContext()
    if target.kind == "spc_assurance":
        return _assurance(ctx, current)
    if target.kind == "spc_sustained_signal":
        return _sustained(ctx, current)
    if current is None:
        return _result("not_assessable", "there is no current figure", current)
    aim, what = _aim(target, ctx)
    if aim is None:
        return _result("not_assessable", what, current)
    if ctx.decimals is None:
        shown = [current, aim, target.baseline or 0, ctx.previous_value or 0]
        ctx = replace(ctx, decimals=0 if all(float(v).is_integer() for v in shown) else 2)
        aim, what = _aim(target, ctx)
        assert aim is not None
    if _at_or_better(current, aim, target.polarity):
        side = "at or below" if target.polarity == "lower" else "at or above"
        result = _result("met", f"{_show(current, ctx)} is {side} {what}", current, aim)
    else:
        side = "above" if target.polarity == "lower" else "below"
        result = _result("not_met", f"{_show(current, ctx)} is {side} {what}", current, aim)
    if target.kind == "maintain_above_msg_average":
        result = _maintained(target, ctx, result)
    if ctx.msg is not None and target.kind.endswith("msg_average"):
        msg = ctx.msg
        note = f" Ranked {msg.rank} of {msg.group_size} (1 is best); {msg.significance.words()}"
        note += " its peers."
        result = TargetResult(result.status, result.reason + note, current, aim)
    return result


def _maintained(target: Target, ctx: TargetContext, now: TargetResult) -> TargetResult:
    """ "Maintain" is met only if last period was also at or better than the average."""
    before, average = ctx.previous_value, ctx.previous_msg_average
    if before is None or average is None:
        return _result(
            "not_assessable", "last period's figure or MSG average is missing", now.current
        )
    if _at_or_better(before, average, target.polarity):
        return now
    reason = (
        f"last period's {_show(before, ctx)} was worse than that period's MSG average of "
        f"{_show(average, ctx)}, so there was no position to maintain"
    )
    return _result("not_met", reason, now.current, now.aim)


def _assurance(ctx: TargetContext, current: float | None) -> TargetResult:
    """Met when SPC assurance is "consistently pass"; hit or miss is not met."""
    reasons: dict[str, tuple[TargetStatus, str]] = {
        "consistently_pass": ("met", "the process will consistently pass the target"),
        "hit_or_miss": ("not_met", "SPC assurance is hit or miss: the target is inside the limits"),
        "consistently_fail": ("not_met", "the process will consistently fail the target"),
    }
    if ctx.assurance_icon not in reasons:
        return _result("not_assessable", "there is no SPC assurance icon", current)
    status, reason = reasons[ctx.assurance_icon]
    return _result(status, reason, current)


def _sustained(ctx: TargetContext, current: float | None) -> TargetResult:
    """Met when the latest point is an improvement found by a shift or trend rule."""
    if ctx.spc_signal is None:
        return _result("not_assessable", "there is no SPC result for the latest point", current)
    rules = [rule for rule in ctx.spc_rules if rule in SUSTAINED_RULES]
    if ctx.spc_signal == "improvement" and rules:
        reason = f"the latest point is part of a sustained improvement ({' and '.join(rules)})"
        return _result("met", reason, current)
    words = {
        "improvement": "an improvement, but not a sustained shift or trend",
        "concern": "special cause concern",
        "none": "common cause variation",
    }.get(ctx.spc_signal, f"{ctx.spc_signal} variation")
    return _result("not_met", f"the latest point shows {words}", current)
