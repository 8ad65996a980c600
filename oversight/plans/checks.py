"""Checks across a whole plan file, run after each block has passed its own checks.

``check_plan(spec)`` returns a list of ``Problem``: the path of the value at fault, such as
``("measures", 3, "priority")``, and a sentence saying what is wrong and what to do. The caller
turns the path into a line number. Nothing here raises; every problem is collected.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from oversight.methods.periods import period_months
from oversight.plans.planfile import (
    ALL_CRIME,
    MEASURE_FIELDS_TO_DECLARE,
    NOT_STATED,
    MeasureSpec,
    PlanFile,
    PoliceUkSource,
    TargetSpec,
)
from oversight.plans.yamlsource import YamlPath, format_path

ASB = "Anti-social behaviour"
MSG_TARGETS = {"msg_average_achieve", "msg_average_maintain"}
SPC_TARGETS = {"spc_sustained_signal", "spc_assurance"}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a plan file, at one place in it."""

    path: YamlPath
    message: str
    first: YamlPath | None = None
    """For a value used twice: where it was first used."""


Check = Callable[[PlanFile], Iterator[Problem]]


def check_plan(spec: PlanFile) -> list[Problem]:
    """Every problem found in ``spec``, in the order of the checks below."""
    checks: list[Check] = [
        _check_not_stated_lists,
        _check_unique_keys,
        _check_theme_strands,
        _check_peer_groups,
        _check_measure_fields_declared,
        _check_measure_links,
        _check_measure_sources,
        _check_baselines,
        _check_targets,
        _check_removed,
    ]
    return [problem for check in checks for problem in check(spec)]


def describe(problem: Problem, line_of: Callable[[YamlPath], int], name: str) -> tuple[int, str]:
    """The problem's line, and the message as "file, line N, path: what is wrong"."""
    line = line_of(problem.path)
    message = problem.message
    if problem.first is not None:
        first = format_path(problem.first)
        message += f" (first used at {first}, line {line_of(problem.first)})"
    return line, f"{name}, line {line}, {format_path(problem.path) or 'top level'}: {message}"


# --- not stated ---------------------------------------------------------------------------


def _blocks(value: Any, path: YamlPath = ()) -> Iterator[tuple[YamlPath, BaseModel]]:
    """Every block in the file with its path, the file itself first."""
    if isinstance(value, BaseModel):
        yield path, value
        for name in type(value).model_fields:
            yield from _blocks(getattr(value, name), (*path, name))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _blocks(item, (*path, index))


def _is_given(value: Any) -> bool:
    return value not in (None, NOT_STATED, [], {}, "")


def _check_not_stated_lists(spec: PlanFile) -> Iterator[Problem]:
    for path, block in _blocks(spec):
        names = getattr(block, "not_stated", None)
        if not names:
            continue
        fields = [f for f in type(block).model_fields if f != "not_stated"]
        for index, name in enumerate(names):
            where = (*path, "not_stated", index)
            if name not in fields:
                yield Problem(
                    where, f"'{name}' is not a field of this block; use one of {', '.join(fields)}"
                )
            elif _is_given(getattr(block, name)):
                yield Problem(
                    where,
                    f"{name} is listed as not stated but is also given; remove one of the two",
                )


def _check_measure_fields_declared(spec: PlanFile) -> Iterator[Problem]:
    for index, measure in enumerate(spec.measures):
        absent = [
            name
            for name in MEASURE_FIELDS_TO_DECLARE
            if getattr(measure, name) is None and name not in measure.not_stated
        ]
        if absent:
            names = ", ".join(absent)
            yield Problem(
                ("measures", index, "code"),
                f"measure {measure.code} does not give {names}; give each, or add the ones the "
                f"source does not state to the measure's list not_stated: [{names}]",
            )
    if spec.plan.published is None and "published" not in spec.plan.not_stated:
        yield Problem(
            ("plan",),
            "the plan does not give published; give the date (YYYY-MM-DD), or add published to "
            "the plan's not_stated list if it is not known",
        )


# --- identifiers used once ----------------------------------------------------------------


def _duplicates(
    items: list[tuple[YamlPath, Any]], what: str, field: str | None
) -> Iterator[Problem]:
    first: dict[Any, YamlPath] = {}
    for path, key in items:
        if key in first:
            where = (*path, field) if field else path
            need = f"each {what} needs its own {field}" if field else f"list each {what} once"
            yield Problem(
                where,
                f"{what} {key!r} is used twice; {need}",
                first=first[key],
            )
        else:
            first[key] = path


def _priority_paths(spec: PlanFile) -> list[tuple[YamlPath, str]]:
    paths = [
        (("themes", t, "priorities", p), priority.key)
        for t, theme in enumerate(spec.themes)
        for p, priority in enumerate(theme.priorities)
    ]
    return paths + [
        (("priorities_without_theme", p), priority.key)
        for p, priority in enumerate(spec.priorities_without_theme)
    ]


def _outcome_paths(spec: PlanFile) -> list[tuple[YamlPath, str]]:
    paths: list[tuple[YamlPath, str]] = [
        (("themes", t, "outcomes", o), outcome.key)
        for t, theme in enumerate(spec.themes)
        for o, outcome in enumerate(theme.outcomes)
    ]
    for priority_path, _key in _priority_paths(spec):
        priority = _get(spec, priority_path)
        paths += [
            ((*priority_path, "outcomes", o), outcome.key)
            for o, outcome in enumerate(priority.outcomes)
        ]
    return paths


def _get(value: Any, path: YamlPath) -> Any:
    for part in path:
        value = value[part] if isinstance(part, int) else getattr(value, part)
    return value


def _check_unique_keys(spec: PlanFile) -> Iterator[Problem]:
    yield from _duplicates(
        [(("strands", i), s.number) for i, s in enumerate(spec.strands)], "strand", "number"
    )
    yield from _duplicates(
        [(("themes", i), t.number) for i, t in enumerate(spec.themes)], "theme", "number"
    )
    yield from _duplicates(_priority_paths(spec), "priority", "key")
    yield from _duplicates(_outcome_paths(spec), "outcome", "key")
    yield from _duplicates(
        [(("measures", i), m.code) for i, m in enumerate(spec.measures)], "measure", "code"
    )
    yield from _duplicates(
        [(("peer_groups", i), g.name) for i, g in enumerate(spec.peer_groups)],
        "peer group",
        "name",
    )


# --- references between blocks ------------------------------------------------------------


def _check_theme_strands(spec: PlanFile) -> Iterator[Problem]:
    numbers = {strand.number for strand in spec.strands}
    for index, theme in enumerate(spec.themes):
        if theme.strand is not None and theme.strand not in numbers:
            yield Problem(
                ("themes", index, "strand"),
                f"strand {theme.strand} is not one of the plan's strands "
                f"({_listing(sorted(numbers))})",
            )


def _check_peer_groups(spec: PlanFile) -> Iterator[Problem]:
    for index, group in enumerate(spec.peer_groups):
        if spec.plan.force in group.members:
            yield Problem(
                ("peer_groups", index, "members"),
                f"the plan's own force ({spec.plan.force}) is listed as its own peer; list only "
                "the other forces (a target's average setting says whether the force is included)",
            )
        yield from _duplicates(
            [(("peer_groups", index, "members", i), m) for i, m in enumerate(group.members)],
            "force",
            None,
        )


def _listing(values: list[Any]) -> str:
    return ", ".join(str(v) for v in values) if values else "there are none"


def _check_measure_links(spec: PlanFile) -> Iterator[Problem]:
    themes = {theme.number for theme in spec.themes}
    priorities = {priority.key: theme for theme, priority in spec.all_priorities()}
    outcomes = {outcome.key: (theme, prio) for theme, prio, outcome in spec.all_outcomes()}
    groups = {group.name for group in spec.peer_groups}
    for index, measure in enumerate(spec.measures):
        path: YamlPath = ("measures", index)
        if measure.theme not in themes:
            yield Problem(
                (*path, "theme"),
                f"theme {measure.theme} is not one of the plan's themes "
                f"({_listing(sorted(themes))})",
            )
        yield from _check_priority_link(measure, path, priorities)
        yield from _check_outcome_link(measure, path, outcomes)
        for where, name in _peer_group_names(measure, path):
            if name not in groups:
                yield Problem(
                    where,
                    f"peer group {name!r} is not defined; add it under peer_groups "
                    f"(defined: {_listing(sorted(groups))})",
                )


def _check_priority_link(
    measure: MeasureSpec, path: YamlPath, priorities: dict[str, Any]
) -> Iterator[Problem]:
    if measure.priority is None:
        return
    if measure.priority not in priorities:
        yield Problem(
            (*path, "priority"),
            f"priority {measure.priority!r} is not defined in this plan "
            f"(defined: {_listing(sorted(priorities))})",
        )
        return
    theme = priorities[measure.priority]
    if theme is not None and theme.number != measure.theme:
        yield Problem(
            (*path, "theme"),
            f"the measure is under theme {measure.theme} but its priority {measure.priority!r} "
            f"is under theme {theme.number}",
        )


def _check_outcome_link(
    measure: MeasureSpec, path: YamlPath, outcomes: dict[str, Any]
) -> Iterator[Problem]:
    if measure.outcome is None:
        return
    if measure.outcome not in outcomes:
        yield Problem(
            (*path, "outcome"),
            f"outcome {measure.outcome!r} is not defined in this plan "
            f"(defined: {_listing(sorted(outcomes))})",
        )
        return
    theme, priority = outcomes[measure.outcome]
    if theme is not None and theme.number != measure.theme:
        yield Problem(
            (*path, "outcome"),
            f"outcome {measure.outcome!r} is under theme {theme.number}, "
            f"not the measure's theme {measure.theme}",
        )
    elif priority is not None and measure.priority not in (None, priority.key):
        yield Problem(
            (*path, "outcome"),
            f"outcome {measure.outcome!r} is under priority {priority.key!r}, "
            f"not the measure's priority {measure.priority!r}",
        )


def _peer_group_names(measure: MeasureSpec, path: YamlPath) -> Iterator[tuple[YamlPath, str]]:
    if measure.peer_group:
        yield (*path, "peer_group"), measure.peer_group
    if measure.target is not None and measure.target.peer_group:
        yield (*path, "target", "peer_group"), measure.target.peer_group


# --- sources, baselines and targets -------------------------------------------------------


def _check_measure_sources(spec: PlanFile) -> Iterator[Problem]:
    for index, measure in enumerate(spec.measures):
        source = measure.source
        if not isinstance(source, PoliceUkSource):
            continue
        path: YamlPath = ("measures", index, "source")
        if ALL_CRIME in source.crime_types and len(source.crime_types) > 1:
            yield Problem(
                (*path, "crime_types"),
                f"'{ALL_CRIME}' already means the 13 crime types; give it alone, "
                "or list the crime types one by one",
            )
        if ASB in source.crime_types and source.counting == "crime_ids":
            yield Problem(
                (*path, "counting"),
                "anti-social behaviour rows have no Crime ID, so counting crime_ids would "
                "miss them all; use counting: rows",
            )


def _check_baselines(spec: PlanFile) -> Iterator[Problem]:
    for index, measure in enumerate(spec.measures):
        baseline = measure.baseline
        if baseline is None:
            continue
        path: YamlPath = ("measures", index, "baseline")
        needs_period = {"fixed_period", "same_period_last_pre_pandemic_year"}
        if baseline.rule in needs_period and baseline.period is None:
            yield Problem(
                (*path, "rule"),
                f"a {baseline.rule} baseline needs a period, such as period: 2019/20 "
                "(or period: not_stated)",
            )
        if baseline.rule == "mean_of_periods" and len(baseline.periods) < 2:
            yield Problem(
                (*path, "rule"),
                "a mean_of_periods baseline needs at least two periods, such as "
                "periods: [2017/18 Q1, 2018/19 Q1, 2019/20 Q1]",
            )
        if baseline.rule == "comparator_index" and not baseline.comparator:
            yield Problem(
                (*path, "rule"),
                "a comparator_index baseline needs a comparator: the force or group compared with",
            )
        yield from _check_exclusions(baseline.period, baseline.periods, baseline.excluded, path)


def _check_exclusions(
    period: str | None, periods: list[str], excluded: list[Any], path: YamlPath
) -> Iterator[Problem]:
    """Each period left out of a baseline must lie inside the baseline's period(s), and no
    month may be left out twice."""
    stated = [p for p in [period, *periods] if p and p != NOT_STATED]
    covered = {m for p in stated for m in period_months(p)}
    seen: dict[str, str] = {}
    for index, item in enumerate(excluded):
        where: YamlPath = (*path, "excluded", index, "period")
        months = period_months(item.period)
        outside = [m for m in months if m not in covered]
        if covered and len(outside) == len(months):
            yield Problem(
                where,
                f"{item.period} is not inside the baseline's period ({', '.join(stated)}), so "
                "leaving it out changes nothing; check the dates",
            )
        elif covered and outside:
            yield Problem(
                where,
                f"{item.period} is partly outside the baseline's period ({', '.join(stated)}): "
                f"{', '.join(outside)} {'is' if len(outside) == 1 else 'are'} not in it; leave "
                "out only months inside the baseline",
            )
        twice = [m for m in months if m in seen]
        if twice:
            yield Problem(
                where,
                f"{', '.join(twice)} {'is' if len(twice) == 1 else 'are'} already left out "
                f"(under {seen[twice[0]]}); list each month once",
            )
        seen.update(dict.fromkeys((m for m in months if m not in seen), item.period))


def _check_targets(spec: PlanFile) -> Iterator[Problem]:
    for index, measure in enumerate(spec.measures):
        if measure.target is not None:
            yield from _check_target(measure, measure.target, ("measures", index, "target"))


def _check_target(measure: MeasureSpec, target: TargetSpec, path: YamlPath) -> Iterator[Problem]:
    where: YamlPath = (*path, "type")
    if target.type in {"numeric", "reduce_by_percent", "spc_assurance"} and target.value is None:
        if "value" not in target.not_stated:
            yield Problem(
                where,
                f"a {target.type} target needs a value (or value listed under not_stated)",
            )
    if target.type == "trajectory" and not target.values and "values" not in target.not_stated:
        yield Problem(
            where,
            "a trajectory target needs values: one figure per period, such as 2014/15: 1200",
        )
    if target.type in MSG_TARGETS and not (target.peer_group or measure.peer_group):
        if "peer_group" not in target.not_stated:
            yield Problem(
                where,
                f"a {target.type} target needs a peer_group to take the average of "
                "(on the target or the measure), or peer_group listed under not_stated",
            )
    if target.type in MSG_TARGETS | SPC_TARGETS | {"reduce_by_percent"}:
        if measure.polarity == "neither":
            yield Problem(
                where,
                f"a {target.type} target needs to know which direction is better, but the "
                "measure's polarity is neither; set polarity to higher or lower",
            )


def _check_removed(spec: PlanFile) -> Iterator[Problem]:
    present = {
        "strand": {str(s.number) for s in spec.strands},
        "theme": {str(t.number) for t in spec.themes},
        "priority": {p.key for _t, p in spec.all_priorities()},
        "outcome": {o.key for _t, _p, o in spec.all_outcomes()},
        "measure": {m.code for m in spec.measures},
        "peer_group": {g.name for g in spec.peer_groups},
    }
    for index, item in enumerate(spec.removed):
        if item.key in present[item.kind]:
            yield Problem(
                ("removed", index, "key"),
                f"{item.kind} {item.key!r} is listed as removed but is still in the file; "
                "remove one of the two (a removed priority can also stay with status: removed)",
            )
