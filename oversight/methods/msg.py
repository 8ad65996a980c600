"""Most Similar Group (MSG) comparison: rates, Poisson intervals, peer averages and funnels.

This follows DOMAIN.md section 4.2. A force's rate per 1,000 people is compared with its
peers' rates: the unweighted and population-weighted averages (each with and without the
force), its rank (1 is best for the measure's polarity), the gap as a rate and as a count,
the peer range (unweighted average plus or minus 1 sample standard deviation), an exact
Poisson significance test against the weighted peer rate without the force, funnel limits
and Wheeler's Poisson Z. Nothing is rounded here; `sentence()` methods round for display.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from scipy.special import gammainccinv, gammaincinv
from scipy.stats import norm

from oversight.methods.change import Polarity, format_count, format_number, normalise_polarity

AverageKind = Literal[
    "unweighted_with_force",
    "unweighted_without_force",
    "weighted_with_force",
    "weighted_without_force",
]
SignificanceResult = Literal["higher", "lower", "not_significant"]

_AVERAGE_WORDS = {
    "unweighted_with_force": "unweighted, force included",
    "unweighted_without_force": "unweighted, force left out",
    "weighted_with_force": "weighted by population, force included",
    "weighted_without_force": "weighted by population, force left out",
}
_SIGNIFICANCE_WORDS = {
    "higher": "significantly higher than",
    "lower": "significantly lower than",
    "not_significant": "not significantly different from",
}
EXACT_FUNNEL_BELOW = 100.0
"""Funnel limits use exact Poisson limits when the expected count is below this."""


def rate_per_1000(count: float, population: float) -> float:
    """Return 1000 × count ÷ population."""
    if population <= 0:
        raise ValueError(f"population must be above 0, not {population}")
    return 1000 * count / population


def _two_sided(level: float) -> float:
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1, such as 0.95, not {level}")
    return (1 - level) / 2


def _exact_limits(count: float, level: float) -> tuple[float, float]:
    # ½χ²(p; 2k) is the p-quantile of a gamma distribution with shape k: the same limits,
    # computed directly (about eight times faster than chi2.ppf).
    tail = _two_sided(level)
    lower = 0.0 if count == 0 else float(gammaincinv(count, tail))
    return lower, float(gammainccinv(count + 1, tail))


@dataclass(frozen=True)
class CountInterval:
    """Exact Poisson interval for a count: [½χ²(α/2; 2O), ½χ²(1−α/2; 2O+2)]."""

    count: float
    lower: float
    upper: float
    level: float

    def sentence(self) -> str:
        """Return, for example, "9,000 (95% interval 8,815.01 to 9,187.89)"."""
        return (
            f"{format_count(self.count)} ({_percent(self.level)} interval "
            f"{format_number(self.lower, 2)} to {format_number(self.upper, 2)})"
        )


@dataclass(frozen=True)
class RateInterval:
    """Exact Poisson interval for a count, expressed per 1,000 people."""

    count: float
    population: float
    rate: float
    lower: float
    upper: float
    level: float

    def sentence(self) -> str:
        """Return, for example, "9.00 per 1,000 (95% interval 8.82 to 9.19)"."""
        return (
            f"{format_number(self.rate, 2)} per 1,000 ({_percent(self.level)} interval "
            f"{format_number(self.lower, 2)} to {format_number(self.upper, 2)})"
        )


def _percent(level: float) -> str:
    return f"{100 * level:g}%"


def poisson_interval(count: float, level: float = 0.95) -> CountInterval:
    """Return the exact Poisson interval for `count` (lower bound 0 when the count is 0)."""
    if count < 0:
        raise ValueError(f"count must not be negative, not {count}")
    lower, upper = _exact_limits(count, level)
    return CountInterval(count=count, lower=lower, upper=upper, level=level)


def rate_interval(count: float, population: float, level: float = 0.95) -> RateInterval:
    """Return the exact Poisson interval for `count`, multiplied by 1000 ÷ population."""
    interval = poisson_interval(count, level)
    return RateInterval(
        count=count,
        population=population,
        rate=rate_per_1000(count, population),
        lower=rate_per_1000(interval.lower, population),
        upper=rate_per_1000(interval.upper, population),
        level=level,
    )


@dataclass(frozen=True)
class Significance:
    """A count tested against an expected count with its exact Poisson interval."""

    expected: float
    interval: CountInterval
    result: SignificanceResult

    def words(self) -> str:
        """Return "significantly higher than", "significantly lower than" or
        "not significantly different from"."""
        return _SIGNIFICANCE_WORDS[self.result]

    def sentence(self) -> str:
        """Return a sentence saying whether the count is significantly different."""
        return (
            f"The count of {self.interval.sentence()} is {self.words()} the expected "
            f"{format_number(self.expected, 2)}."
        )


def poisson_significance(count: float, expected: float, level: float = 0.95) -> Significance:
    """Higher if the interval's lower bound is above `expected`, lower if its upper is below."""
    interval = poisson_interval(count, level)
    result: SignificanceResult = "not_significant"
    if interval.lower > expected:
        result = "higher"
    elif interval.upper < expected:
        result = "lower"
    return Significance(expected=expected, interval=interval, result=result)


@dataclass(frozen=True)
class FunnelLimits:
    """Funnel-plot control limits, per 1,000, for one population size."""

    reference_rate: float
    population: float
    expected: float
    level: float
    lower: float
    upper: float
    method: Literal["normal", "exact"]

    def sentence(self) -> str:
        """Return, for example, "95% limits 7.48 to 7.82 per 1,000 (normal approximation)"."""
        how = "normal approximation" if self.method == "normal" else "exact Poisson"
        return (
            f"{_percent(self.level)} limits {format_number(self.lower, 2)} to "
            f"{format_number(self.upper, 2)} per 1,000 ({how})"
        )


def funnel_limits(
    reference_rate: float,
    population: float,
    level: float = 0.95,
    *,
    exact_below: float = EXACT_FUNNEL_BELOW,
) -> FunnelLimits:
    """Return funnel limits around `reference_rate` for an area of size `population`.

    E = rate × population ÷ 1000. When E is at least `exact_below` the limits are
    1000 × (E ± z√E) ÷ population, with z = 1.96 for 95% and 3.09 for 99.8%. Below it they
    are the exact Poisson limits ½χ²(α/2; 2E) and ½χ²(1−α/2; 2E+2), per 1,000.
    """
    expected = reference_rate * population / 1000
    method: Literal["normal", "exact"] = "normal" if expected >= exact_below else "exact"
    if method == "normal":
        z = float(norm.ppf(1 - _two_sided(level)))
        spread = z * math.sqrt(expected)
        low, high = expected - spread, expected + spread
    else:
        low, high = _exact_limits(expected, level)
    return FunnelLimits(
        reference_rate=reference_rate,
        population=population,
        expected=expected,
        level=level,
        lower=rate_per_1000(low, population),
        upper=rate_per_1000(high, population),
        method=method,
    )


def wheeler_poisson_z(earlier: float, later: float) -> float:
    """Return Wheeler's Poisson Z for a change in count: 2(√later − √earlier)."""
    if earlier < 0 or later < 0:
        raise ValueError("counts must not be negative")
    return 2 * (math.sqrt(later) - math.sqrt(earlier))


def _same(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)


def rank_of(value: float, group: Sequence[float], polarity: Polarity | str) -> int:
    """Return the rank of `value` within `group` (which includes it), 1 being best.

    Tied values share the better rank. For polarity "neither", 1 is the highest value.
    """
    direction = normalise_polarity(polarity)
    better = [
        other
        for other in group
        if not _same(other, value) and (other < value if direction == "lower" else other > value)
    ]
    return len(better) + 1


@dataclass(frozen=True)
class AreaCount:
    """A force's (or area's) count and population."""

    name: str
    count: float
    population: float

    @property
    def rate(self) -> float:
        """The rate per 1,000 people."""
        return rate_per_1000(self.count, self.population)


def weighted_rate(areas: Sequence[AreaCount]) -> float:
    """Return 1000 × Σcount ÷ Σpopulation."""
    return rate_per_1000(sum(a.count for a in areas), sum(a.population for a in areas))


def _sample_sd(values: Sequence[float]) -> float | None:
    return statistics.stdev(values) if len(values) > 1 else None


@dataclass(frozen=True)
class PeerComparison:
    """A force's rate against its Most Similar Group. Averages and gaps are per 1,000."""

    force: AreaCount
    peers: tuple[AreaCount, ...]
    polarity: Polarity
    average_kind: AverageKind
    unweighted_with_force: float
    unweighted_without_force: float
    weighted_with_force: float
    weighted_without_force: float
    sd_with_force: float
    sd_without_force: float | None
    rank: int
    group_size: int
    average: float
    gap_rate: float
    gap_count: float
    range_low: float
    range_high: float
    significance: Significance
    noun: str = "crimes"

    @property
    def force_rate(self) -> float:
        """The force's rate per 1,000."""
        return self.force.rate

    def better_than_average(self) -> bool | None:
        """True if the force is at or better than the declared average; None for neither."""
        if self.polarity == "neither":
            return None
        return self.gap_rate <= 0 if self.polarity == "lower" else self.gap_rate >= 0

    def sentence(self) -> str:
        """Return a plain-English summary with rank, gap and significance."""
        name = self.force.name
        best = "highest" if self.polarity == "neither" else "best"
        side = "higher" if self.gap_rate > 0 else "lower"
        verdict = {True: " (better)", False: " (worse)", None: ""}[self.better_than_average()]
        gap = (
            f"{name} is the same as the average"
            if self.gap_rate == 0
            else f"{name} is {format_number(abs(self.gap_rate), 2)} per 1,000 {side}{verdict}, "
            f"about {format_count(round(abs(self.gap_count)))} "
            f"{'more' if side == 'higher' else 'fewer'} {self.noun}"
        )
        return (
            f"{name}: {format_number(self.force_rate, 2)} per 1,000, ranked {self.rank} of "
            f"{self.group_size} (1 is {best}). The peer average is "
            f"{format_number(self.average, 2)} per 1,000 ({_AVERAGE_WORDS[self.average_kind]}), "
            f"so {gap}. {name} is {self.significance.words()} its peers (weighted peer rate "
            f"{format_number(self.weighted_without_force, 2)} per 1,000 without {name})."
        )


def compare_with_peers(
    force: AreaCount,
    peers: Sequence[AreaCount],
    polarity: Polarity | str,
    *,
    average: AverageKind = "unweighted_with_force",
    level: float = 0.95,
    noun: str = "crimes",
) -> PeerComparison:
    """Compare `force` with `peers` (its MSG, not including the force itself).

    `average` declares which average the gap is measured against. The significance test
    uses E = weighted peer rate without the force × force population ÷ 1000. `noun` names
    what is counted, for the sentence.
    """
    if not peers:
        raise ValueError("peers must name at least one other force")
    names = [force.name, *(peer.name for peer in peers)]
    if len(set(names)) != len(names):
        raise ValueError(f"each force must appear once; names given: {', '.join(names)}")
    if average not in _AVERAGE_WORDS:
        raise ValueError(
            f'average "{average}" is not known; use one of {", ".join(_AVERAGE_WORDS)}'
        )
    direction = normalise_polarity(polarity)
    group = [force, *peers]
    group_rates = [area.rate for area in group]
    peer_rates = group_rates[1:]
    averages = {
        "unweighted_with_force": statistics.fmean(group_rates),
        "unweighted_without_force": statistics.fmean(peer_rates),
        "weighted_with_force": weighted_rate(group),
        "weighted_without_force": weighted_rate(peers),
    }
    chosen = averages[average]
    sd_with = statistics.stdev(group_rates)
    expected = averages["weighted_without_force"] * force.population / 1000
    return PeerComparison(
        force=force,
        peers=tuple(peers),
        polarity=direction,
        average_kind=average,
        unweighted_with_force=averages["unweighted_with_force"],
        unweighted_without_force=averages["unweighted_without_force"],
        weighted_with_force=averages["weighted_with_force"],
        weighted_without_force=averages["weighted_without_force"],
        sd_with_force=sd_with,
        sd_without_force=_sample_sd(peer_rates),
        rank=rank_of(force.rate, group_rates, direction),
        group_size=len(group),
        average=chosen,
        gap_rate=force.rate - chosen,
        gap_count=(force.rate - chosen) * force.population / 1000,
        range_low=averages["unweighted_with_force"] - sd_with,
        range_high=averages["unweighted_with_force"] + sd_with,
        significance=poisson_significance(force.count, expected, level),
        noun=noun,
    )
