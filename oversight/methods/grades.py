"""Grade scales: turning a measure's target status, SPC signal and exceptions into a grade.

This follows DOMAIN.md section 5: the OPCC chooses a scale, and every grade shows the rule
behind it. A scale is data: its grades (label and GOV.UK tag colour) and an ordered list of
rules. Each rule names a grade and the conditions under which it applies; the first rule
whose conditions all hold gives the grade, and the last rule must have no conditions, so
every measure gets one. Scales can be written in a plan file as a dict (see
`scale_from_dict`); mistakes raise `GradeScaleError` naming the field at fault.

Conditions use three facts about a measure:
- `target_status`: met, not_met, not_assessable, or unknown (no target);
- `spc_signal` of the latest point: improvement, concern, neither, none (common cause), or
  unknown (no chart);
- `exception_open`: yes, no, or unknown (not checked).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

TAG_COLOURS: tuple[str, ...] = (
    "grey",
    "green",
    "turquoise",
    "blue",
    "light-blue",
    "purple",
    "pink",
    "red",
    "orange",
    "yellow",
)
"""The GOV.UK Frontend tag colours (govuk-tag--<colour>)."""

FACTS: dict[str, dict[str, str]] = {
    "target_status": {
        "met": "the target was met",
        "not_met": "the target was not met",
        "not_assessable": "the target could not be assessed",
        "unknown": "there is no target",
    },
    "spc_signal": {
        "improvement": "the latest point shows special cause improvement",
        "concern": "the latest point shows special cause concern",
        "neither": "the latest point shows special cause variation",
        "none": "the latest point shows common cause variation",
        "unknown": "there is no SPC chart",
    },
    "exception_open": {
        "yes": "an exception is open",
        "no": "no exception is open",
        "unknown": "exceptions are not checked",
    },
}
_ALIASES = {True: "yes", False: "no", None: "unknown", "true": "yes", "false": "no"}
_SIGNAL_ALIASES = {"common_cause": "none"}


class GradeScaleError(ValueError):
    """A grade scale definition is wrong. `field` names the part at fault."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(f"{field}: {message}")


@dataclass(frozen=True)
class Grade:
    """One grade on a scale."""

    key: str
    label: str
    colour: str
    description: str = ""


@dataclass(frozen=True)
class GradeRule:
    """Give `grade` when every condition holds. `when` pairs a fact with its allowed values."""

    grade: str
    when: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def matches(self, facts: Mapping[str, str]) -> bool:
        """True if every condition holds for `facts`."""
        return all(facts[name] in allowed for name, allowed in self.when)

    def describe(self) -> str:
        """The conditions in words, such as "the target was not met and an exception is open"."""
        parts = [
            " or ".join(FACTS[name][value] for value in allowed) for name, allowed in self.when
        ]
        return _join(parts) if parts else "no other rule applied"


@dataclass(frozen=True)
class GradeInputs:
    """The facts about one measure, and its figures in words for the reason."""

    target_status: str | None = None
    spc_signal: str | None = None
    exception_open: bool | None = None
    figures: str = ""

    def facts(self) -> dict[str, str]:
        """Return the facts as condition values, with None as "unknown"."""
        values = {
            "target_status": _value("target_status", self.target_status),
            "spc_signal": _value("spc_signal", self.spc_signal),
            "exception_open": _value("exception_open", self.exception_open),
        }
        for name, value in values.items():
            if value not in FACTS[name]:
                raise ValueError(f'{name}: "{value}" is not one of {", ".join(FACTS[name])}')
        return values


@dataclass(frozen=True)
class GradeResult:
    """A measure's grade with the rule that gave it and a reason a report can print."""

    scale: str
    grade: str
    label: str
    colour: str
    rule_number: int
    rule: str
    figures: str
    reason: str


@dataclass(frozen=True)
class GradeScale:
    """An ordered set of rules over a set of grades."""

    key: str
    name: str
    grades: tuple[Grade, ...]
    rules: tuple[GradeRule, ...]

    def grade_named(self, key: str) -> Grade:
        """Return the grade with this key."""
        return next(grade for grade in self.grades if grade.key == key)

    def grade(self, inputs: GradeInputs) -> GradeResult:
        """Return the grade from the first rule that applies, with the reason."""
        facts = inputs.facts()
        number, rule = next((i, r) for i, r in enumerate(self.rules, 1) if r.matches(facts))
        grade = self.grade_named(rule.grade)
        because = rule.describe()
        if not rule.when:
            because += ": " + _join([FACTS[name][value] for name, value in facts.items()])
        reason = f"{grade.label} because {because} (rule {number} of the {self.name} scale)."
        if inputs.figures:
            reason += f" {inputs.figures.rstrip('.')}."
        return GradeResult(
            scale=self.key,
            grade=grade.key,
            label=grade.label,
            colour=grade.colour,
            rule_number=number,
            rule=rule.describe(),
            figures=inputs.figures,
            reason=reason,
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the scale in the dict form that `scale_from_dict` reads."""
        return {
            "key": self.key,
            "name": self.name,
            "grades": [
                {"key": g.key, "label": g.label, "colour": g.colour, "description": g.description}
                for g in self.grades
            ],
            "rules": [
                {"grade": r.grade, "when": {name: list(values) for name, values in r.when}}
                for r in self.rules
            ],
        }


def _join(parts: Sequence[str]) -> str:
    if len(parts) < 2:
        return "".join(parts)
    return f"{', '.join(parts[:-1])} and {parts[-1]}"


def _value(name: str, value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return _ALIASES[value]
    text = str(value).strip().lower()
    if name == "spc_signal":
        text = _SIGNAL_ALIASES.get(text, text)
    return _ALIASES.get(text, text) if name == "exception_open" else text


def _text(data: Mapping[str, Any], name: str, where: str, required: bool = True) -> str:
    value = data.get(name, "")
    if not isinstance(value, str) or (required and not value.strip()):
        raise GradeScaleError(f"{where}{name}", "enter some text")
    return value.strip()


def _check_keys(data: Any, allowed: Iterable[str], where: str) -> None:
    if not isinstance(data, Mapping):
        raise GradeScaleError(where.rstrip("."), "must be a mapping of names to values")
    for name in data:
        if name not in allowed:
            raise GradeScaleError(f"{where}{name}", f"is not a setting; use {', '.join(allowed)}")


def _grade_from_dict(data: Any, index: int) -> Grade:
    where = f"grades[{index}]."
    _check_keys(data, ("key", "label", "colour", "description"), where)
    colour = _text(data, "colour", where)
    if colour not in TAG_COLOURS:
        raise GradeScaleError(
            f"{where}colour", f'"{colour}" is not a GOV.UK tag colour; use {", ".join(TAG_COLOURS)}'
        )
    return Grade(
        _text(data, "key", where),
        _text(data, "label", where),
        colour,
        _text(data, "description", where, required=False),
    )


def _rule_from_dict(data: Any, index: int, grade_keys: Sequence[str]) -> GradeRule:
    where = f"rules[{index}]."
    _check_keys(data, ("grade", "when"), where)
    grade = _text(data, "grade", where)
    if grade not in grade_keys:
        raise GradeScaleError(
            f"{where}grade", f'"{grade}" is not one of the grades ({", ".join(grade_keys)})'
        )
    when = data.get("when") or {}
    _check_keys(when, FACTS, f"{where}when.")
    conditions = []
    for name, raw in when.items():
        values = raw if isinstance(raw, list | tuple) else [raw]
        allowed = tuple(_value(name, value) for value in values)
        for value, original in zip(allowed, values, strict=True):
            if value not in FACTS[name]:
                raise GradeScaleError(
                    f"{where}when.{name}",
                    f'"{original}" is not allowed; use {", ".join(FACTS[name])}',
                )
        if not allowed:
            raise GradeScaleError(f"{where}when.{name}", "give at least one value")
        conditions.append((name, allowed))
    return GradeRule(grade, tuple(conditions))


def scale_from_dict(data: Mapping[str, Any]) -> GradeScale:
    """Build and check a grade scale from its dict (plan file) form.

    Raises GradeScaleError naming the field, such as "rules[2].when.target_status".
    """
    _check_keys(data, ("key", "name", "grades", "rules"), "")
    grades_data, rules_data = data.get("grades"), data.get("rules")
    if not isinstance(grades_data, list) or not grades_data:
        raise GradeScaleError("grades", "give at least one grade as a list")
    if not isinstance(rules_data, list) or not rules_data:
        raise GradeScaleError("rules", "give at least one rule as a list")
    grades = tuple(_grade_from_dict(item, i) for i, item in enumerate(grades_data))
    keys = [grade.key for grade in grades]
    for i, key in enumerate(keys):
        if key in keys[:i]:
            raise GradeScaleError(f"grades[{i}].key", f'"{key}" is used twice')
    rules = tuple(_rule_from_dict(item, i, keys) for i, item in enumerate(rules_data))
    if rules[-1].when:
        raise GradeScaleError(
            "rules", "the last rule must have no conditions, so every measure gets a grade"
        )
    return GradeScale(_text(data, "key", ""), _text(data, "name", ""), grades, rules)


def count_by_grade(results: Iterable[GradeResult], scale: GradeScale) -> list[tuple[Grade, int]]:
    """Return each grade of `scale` with how many results have it, in the scale's order."""
    counts = Counter(result.grade for result in results if result.scale == scale.key)
    return [(grade, counts[grade.key]) for grade in scale.grades]


def _rules(*rules: tuple[str, dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"grade": grade, "when": when} for grade, when in rules]


_NOT_MET, _CONCERN, _OPEN = (
    {"target_status": "not_met"},
    {"spc_signal": "concern"},
    {"exception_open": True},
)
RAG = scale_from_dict(
    {
        "key": "rag",
        "name": "RAG",
        "grades": [
            {"key": "red", "label": "Red", "colour": "red"},
            {"key": "amber", "label": "Amber", "colour": "yellow"},
            {"key": "green", "label": "Green", "colour": "green"},
            {"key": "ungraded", "label": "Ungraded", "colour": "grey"},
        ],
        "rules": _rules(
            ("red", {**_NOT_MET, **_OPEN}),
            ("red", {**_NOT_MET, **_CONCERN}),
            ("amber", _NOT_MET),
            ("amber", _OPEN),
            ("amber", _CONCERN),
            ("green", {"target_status": "met"}),
            ("ungraded", {}),
        ),
    }
)
EXPECTATIONS = scale_from_dict(
    {
        "key": "expectations",
        "name": "Exceeds, meets or below expectations",
        "grades": [
            {"key": "exceeds", "label": "Exceeds expectations", "colour": "blue"},
            {"key": "meets", "label": "Meets expectations", "colour": "green"},
            {"key": "below", "label": "Below expectations", "colour": "red"},
            {"key": "not_graded", "label": "Not graded", "colour": "grey"},
        ],
        "rules": _rules(
            ("below", _OPEN),
            ("below", _CONCERN),
            (
                "exceeds",
                {
                    "spc_signal": "improvement",
                    "target_status": ["met", "not_assessable", "unknown"],
                },
            ),
            ("meets", {"exception_open": False}),
            ("meets", {"spc_signal": ["none", "improvement", "neither"]}),
            ("not_graded", {}),
        ),
    }
)
MONITORING = scale_from_dict(
    {
        "key": "monitoring",
        "name": "Satisfactory, close monitoring or requires action",
        "grades": [
            {"key": "satisfactory", "label": "Satisfactory", "colour": "green"},
            {"key": "close_monitoring", "label": "Close monitoring", "colour": "yellow"},
            {"key": "requires_action", "label": "Requires action", "colour": "red"},
            {"key": "not_graded", "label": "Not graded", "colour": "grey"},
        ],
        "rules": _rules(
            ("requires_action", _OPEN),
            ("requires_action", {**_NOT_MET, **_CONCERN}),
            ("close_monitoring", _NOT_MET),
            ("close_monitoring", _CONCERN),
            ("satisfactory", {"target_status": "met"}),
            ("satisfactory", {"spc_signal": ["none", "improvement"]}),
            ("not_graded", {}),
        ),
    }
)
SCRUTINY = scale_from_dict(
    {
        "key": "scrutiny",
        "name": "Content, requires additional scrutiny or red",
        "grades": [
            {"key": "content", "label": "Green (content)", "colour": "green"},
            {
                "key": "scrutiny",
                "label": "Amber (requires additional scrutiny)",
                "colour": "yellow",
            },
            {"key": "red", "label": "Red", "colour": "red"},
            {"key": "not_graded", "label": "Not graded", "colour": "grey"},
        ],
        "rules": _rules(
            ("red", _OPEN),
            ("red", {**_NOT_MET, **_CONCERN}),
            ("scrutiny", _NOT_MET),
            ("scrutiny", _CONCERN),
            ("content", {"target_status": "met"}),
            ("content", {"spc_signal": ["none", "improvement"]}),
            ("not_graded", {}),
        ),
    }
)
SCALES: dict[str, GradeScale] = {
    scale.key: scale for scale in (RAG, EXPECTATIONS, MONITORING, SCRUTINY)
}
"""The scales shipped with Oversight, by key."""
