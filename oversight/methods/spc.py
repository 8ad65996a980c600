"""Statistical process control (SPC): XmR charts with NHS "Making Data Count" rules.

``spc()`` is the one entry point. It takes plain numbers and returns an
``SPCResult``: every point with its lines, rule hits and signal, each segment's
limits, the variation and assurance icons, and warnings. Charts, tables and
narrative all read that result; none recomputes it. See ``docs/methods/spc.md``.

Example::

    result = spc([20, 24, 20, 26, 22, 16, 18, 16, 31, 28, 34, 26, 30, 19, 18], polarity="lower")
    result.segments[0].upper  # 37.64, to rounding
    result.variation_icon  # "common_cause"
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from fractions import Fraction
from numbers import Real
from typing import Any, Literal

from oversight.methods import assurance, spc_rules
from oversight.methods.assurance import ConflictPolicy, Polarity, Signal
from oversight.methods.spc_rules import Crossing, RuleHit, TwoInThreeVariant

LIMIT_FACTOR = 2.66
TWO_SIGMA_FACTOR = 2 * LIMIT_FACTOR / 3
SCREENING_FACTOR = 3.267

BaselineWithRecalculation = Literal["baseline_only", "recalculation_only", "each_segment"]
Position = int | str
Labels = Sequence[str | None]
_LINES = ("mean", "upper", "lower", "upper_2sigma", "lower_2sigma")

_CHOICES: dict[str, tuple[object, ...]] = {
    "run_length": (6, 7),
    "two_in_three": ("A", "B", "C"),
    "conflict": ("improvement", "precedence"),
    "crossing": ("all", "trend_only", "none"),
    "baseline_with_recalculation": ("baseline_only", "recalculation_only", "each_segment"),
}


class SPCInputError(ValueError):
    """The values, periods or settings given to ``spc()`` cannot be charted as they are."""


def _require(ok: bool, message: str) -> None:
    """Raise ``SPCInputError`` with ``message`` unless ``ok``."""
    if not ok:
        raise SPCInputError(message)


@dataclass(frozen=True)
class SPCSettings:
    """How a chart is calculated. The defaults follow the MDC Single Chart Tool v5.0.

    ``recalculate_at`` and ``ghost`` take 0-based indexes or period labels.
    ``baseline`` is a number of points from the start of the series.
    """

    run_length: int = 6
    two_in_three: TwoInThreeVariant = "A"
    screening: bool = False
    conflict: ConflictPolicy = "improvement"
    crossing: Crossing = "all"
    minimum_points: int = 13
    baseline: int | None = None
    recalculate_at: Sequence[Position] = ()
    ghost: Sequence[Position] = ()
    baseline_with_recalculation: BaselineWithRecalculation = "baseline_only"

    def __post_init__(self) -> None:
        for name in ("recalculate_at", "ghost"):
            given = getattr(self, name)
            object.__setattr__(
                self, name, (given,) if isinstance(given, int | str) else tuple(given)
            )
        for name, allowed in _CHOICES.items():
            value = getattr(self, name)
            _require(value in allowed, f"{name} must be one of {allowed}, not {value!r}")
        for name, value in (("minimum_points", self.minimum_points), ("baseline", self.baseline)):
            _require(
                (value is None and name == "baseline")
                or (isinstance(value, int) and not isinstance(value, bool) and value >= 2),
                f"{name} must be a whole number of points, at least 2, not {value!r}",
            )

    @classmethod
    def nhsr(cls, **changes: Any) -> SPCSettings:
        """The NHSRplotthedots choices: runs of 7, precedence, screening, nothing crossing."""
        preset: dict[str, Any] = {
            "run_length": 7,
            "conflict": "precedence",
            "screening": True,
            "crossing": "none",
            "baseline_with_recalculation": "each_segment",
        }
        return cls(**{**preset, **changes})


@dataclass(frozen=True)
class SPCSegment:
    """One stretch of points sharing a mean and limits. Indexes are 0-based and inclusive.

    ``limit_last`` is the last point the limits were set from (before ``last``
    when a baseline is extended). The numbers are None when the segment has too
    few points for limits.
    """

    index: int
    first: int
    last: int
    limit_last: int
    limit_points: int
    mean: float | None
    mr_bar: float | None
    upper: float | None
    lower: float | None
    upper_2sigma: float | None
    lower_2sigma: float | None
    screened_out: int = 0

    @property
    def has_limits(self) -> bool:
        """Whether the segment had enough points for a mean and limits."""
        return self.mean is not None


@dataclass(frozen=True)
class SPCPoint:
    """One point: its value, its segment's lines, the rules it hit and what that means."""

    index: int
    period: str | None
    value: float | None
    mean: float | None
    upper: float | None
    lower: float | None
    upper_2sigma: float | None
    lower_2sigma: float | None
    segment: int
    ghost: bool
    rules: tuple[RuleHit, ...]
    special_cause: bool
    signal: Signal
    direction: int


@dataclass(frozen=True)
class SPCResult:
    """Everything ``spc()`` found, as plain data."""

    points: tuple[SPCPoint, ...]
    segments: tuple[SPCSegment, ...]
    polarity: Polarity
    target: float | None
    variation_icon: str | None
    assurance_icon: str | None
    warnings: tuple[str, ...]
    settings: SPCSettings

    @property
    def latest_segment(self) -> SPCSegment | None:
        """The last segment, whose limits the assurance icon uses."""
        return self.segments[-1] if self.segments else None

    def summary_sentence(self) -> str:
        """The finding in plain English, for the text before a chart."""
        return assurance.summary_sentence(self)

    def to_rows(self) -> list[dict[str, Any]]:
        """One dict per point, for a CSV or a data table."""
        keys = ("period", "value", "mean", "lower", "upper", "special_cause", "signal")
        return [{key: getattr(point, key) for key in keys} for point in self.points]

    def to_summary(self) -> dict[str, Any]:
        """The latest segment's mean and limits, the icons and warnings, as a JSON-able dict."""
        latest = self.latest_segment
        return {
            "mean": latest.mean if latest else None,
            "limits": {
                "lower": latest.lower if latest else None,
                "upper": latest.upper if latest else None,
            },
            "variation_icon": self.variation_icon,
            "assurance_icon": self.assurance_icon,
            "summary": self.summary_sentence(),
            "warnings": list(self.warnings),
            "segments": [asdict(segment) for segment in self.segments],
            "settings": asdict(self.settings),
        }


def spc(
    values: Sequence[float | None],
    *,
    periods: Sequence[str] | None = None,
    polarity: Polarity,
    settings: SPCSettings | None = None,
    target: float | None = None,
) -> SPCResult:
    """Chart ``values`` as an XmR chart and apply the Making Data Count rules.

    ``values`` is an ordered series with no gaps; None or NaN is allowed only
    where that point is ghosted. ``periods`` are optional labels, one per value.
    ``polarity`` is "higher", "lower" (is better) or "neither". Raises
    ``SPCInputError`` naming the problem and the fix.
    """
    settings = settings or SPCSettings()
    _require(polarity in assurance.POLARITIES, "polarity must be 'higher', 'lower' or 'neither'")
    _require(
        target is None
        or (isinstance(target, Real) and not isinstance(target, bool) and math.isfinite(target)),
        f"target must be a number or None, not {target!r}",
    )
    numbers = _clean_values(values)
    labels = _clean_periods(periods, len(numbers))
    ghosts = _positions(settings.ghost, labels, "ghost")
    _refuse_gaps(numbers, ghosts, labels)
    recalculations = _positions(settings.recalculate_at, labels, "recalculate_at")
    _require(0 not in recalculations, "recalculate_at cannot include the first point (index 0)")
    if not numbers:
        return SPCResult((), (), polarity, target, None, None, ("There are no values.",), settings)
    warnings: list[str] = []
    known = {i: v for i, v in enumerate(numbers) if v is not None and i not in ghosts}
    plans = _plan_segments(len(numbers), recalculations, settings, warnings)
    segments = tuple(
        _segment_limits(k, plan, known, settings, labels, warnings) for k, plan in enumerate(plans)
    )
    segment_of = [seg.index for seg in segments for _ in range(seg.first, seg.last + 1)]
    tested = [known.get(i) if segments[s].has_limits else None for i, s in enumerate(segment_of)]
    hits = spc_rules.apply_rules(
        tested,
        spc_rules.Lines(*([getattr(segments[s], name) for s in segment_of] for name in _LINES)),
        [slice(seg.first, seg.last + 1) for seg in segments],
        run_length=settings.run_length,
        variant=settings.two_in_three,
        crossing=settings.crossing,
    )
    following = [*spc_rules.steps(tested), 0]
    points: list[SPCPoint] = []
    for i, value in enumerate(numbers):
        seg, hit = segments[segment_of[i]], tuple(hits[i])
        direction = assurance.point_direction(hit, polarity, settings.conflict, following[i])
        lines = (seg.mean, seg.upper, seg.lower, seg.upper_2sigma, seg.lower_2sigma)
        signal = assurance.signal_for(direction, polarity)
        fields = (i, labels[i], value, *lines, seg.index, i in ghosts, hit, bool(hit), signal)
        points.append(SPCPoint(*fields, direction))
    latest = segments[-1]
    return SPCResult(
        points=tuple(points),
        segments=segments,
        polarity=polarity,
        target=target,
        variation_icon=assurance.latest_variation_icon(
            points[-1], segments[points[-1].segment].has_limits, warnings
        ),
        assurance_icon=assurance.assurance_icon(target, polarity, latest.upper, latest.lower),
        warnings=tuple(warnings),
        settings=settings,
    )


def _clean_values(values: Sequence[float | None]) -> list[float | None]:
    """The values as floats, with None for each missing value (None or NaN)."""
    cleaned: list[float | None] = []
    for i, value in enumerate(values):
        try:
            number = math.nan if value is None else float(value)
        except (TypeError, ValueError):
            number = math.inf
        _require(
            not isinstance(value, bool | str) and not math.isinf(number),
            f"values[{i}] is {value!r}; give a finite number, or None if it is missing",
        )
        cleaned.append(None if math.isnan(number) else number)
    return cleaned


def _clean_periods(periods: Sequence[str] | None, count: int) -> tuple[str | None, ...]:
    """The period labels, or None for each point when there are none."""
    if periods is None:
        return (None,) * count
    labels = tuple(str(period) for period in periods)
    _require(
        len(labels) == count,
        f"periods has {len(labels)} labels but values has {count}; give one label per value",
    )
    repeated = sorted(label for label, times in Counter(labels).items() if times > 1)
    _require(not repeated, f"periods repeats {', '.join(repeated)}; each label must be unique")
    return labels


def _positions(items: Sequence[Position], labels: Labels, name: str) -> set[int]:
    """Turn indexes and period labels from a setting into 0-based indexes."""
    lookup = {label: i for i, label in enumerate(labels) if label is not None}
    found: set[int] = set()
    for item in items:
        if isinstance(item, str):
            _require(
                item in lookup,
                f"{name} names {item!r}, which is not one of the periods given to spc()",
            )
            found.add(lookup[item])
        else:
            _require(
                isinstance(item, int) and not isinstance(item, bool) and 0 <= item < len(labels),
                f"{name} has {item!r}; give a period label or an index from 0 to {len(labels) - 1}",
            )
            found.add(item)
    return found


def _describe(i: int, labels: Labels) -> str:
    """A point's period label, or its index when there are no labels."""
    label = labels[i]
    return label if label is not None else f"index {i}"


def _refuse_gaps(numbers: Sequence[float | None], ghosts: set[int], labels: Labels) -> None:
    """Refuse missing values that are not ghosted, naming each one."""
    missing = [_describe(i, labels) for i, v in enumerate(numbers) if v is None and i not in ghosts]
    _require(
        not missing,
        f"values are missing for {', '.join(missing)}. Fill them in, or ghost those periods "
        "with SPCSettings(ghost=...) so they are left out of the limits and the rules.",
    )


def _plan_segments(
    count: int, recalculations: set[int], settings: SPCSettings, warnings: list[str]
) -> list[tuple[int, int, int]]:
    """Each segment's first point, last point and last limit-setting point."""
    baseline = settings.baseline
    starts = [0, *sorted(recalculations)]
    if baseline is not None and recalculations:
        mode = settings.baseline_with_recalculation
        if mode == "baseline_only":
            warnings.append(
                "A baseline and recalculations are both set: only the baseline is used."
            )
            starts = [0]
        elif mode == "recalculation_only":
            warnings.append("A baseline and recalculations are both set: the baseline is ignored.")
            baseline = None
    ends = [*starts[1:], count]
    if baseline is not None and baseline > ends[0]:
        warnings.append(f"The baseline ({baseline} points) is longer than the data it applies to.")
    return [
        (first, end - 1, end - 1 if baseline is None else min(end, first + baseline) - 1)
        for first, end in zip(starts, ends, strict=True)
    ]


def _segment_limits(
    k: int,
    plan: tuple[int, int, int],
    known: dict[int, float],
    settings: SPCSettings,
    labels: Labels,
    warnings: list[str],
) -> SPCSegment:
    """One segment's mean, average moving range and lines, or none if it is too short.

    Ghosted points are left out, and moving ranges touching them are dropped.
    """
    first, last, limit_last = plan
    used = [i for i in range(first, limit_last + 1) if i in known]
    ranges = [abs(known[i] - known[i - 1]) for i in used if i > first and i - 1 in known]
    if len(used) < settings.minimum_points or not ranges:
        warnings.append(
            f"Segment {k + 1} ({_describe(first, labels)} to {_describe(last, labels)}) has "
            f"{len(used)} points to set limits from, and at least {settings.minimum_points} are "
            "needed, so it has no limits, no signals and no icons."
        )
        return SPCSegment(k, first, last, limit_last, len(used), *(None,) * 6)
    mean = _mean([known[i] for i in used])
    mr_bar, screened_out = _average_moving_range(ranges, settings.screening)
    return SPCSegment(
        index=k,
        first=first,
        last=last,
        limit_last=limit_last,
        limit_points=len(used),
        mean=mean,
        mr_bar=mr_bar,
        upper=mean + LIMIT_FACTOR * mr_bar,
        lower=mean - LIMIT_FACTOR * mr_bar,
        upper_2sigma=mean + TWO_SIGMA_FACTOR * mr_bar,
        lower_2sigma=mean - TWO_SIGMA_FACTOR * mr_bar,
        screened_out=screened_out,
    )


def _average_moving_range(ranges: Sequence[float], screening: bool) -> tuple[float, int]:
    """mR-bar, and how many moving ranges screening dropped (those >= 3.267 x mR-bar)."""
    mr_bar = _mean(ranges)
    if not screening or mr_bar == 0:
        return mr_bar, 0
    kept = [r for r in ranges if r < SCREENING_FACTOR * mr_bar]
    return _mean(kept), len(ranges) - len(kept)


def _mean(numbers: Sequence[float]) -> float:
    """The exact mean, rounded once, so that a constant series has its value as its mean.

    Whole numbers (counts, the usual case) are summed as integers, which is exact and fast;
    other values go through ``Fraction``.
    """
    if all(float(x).is_integer() for x in numbers):
        return sum(int(x) for x in numbers) / len(numbers)
    return float(sum(map(Fraction, numbers), Fraction(0)) / len(numbers))
