"""The plan file: a Police and Crime Plan written as YAML and checked before it is loaded.

``parse_plan_file(path)`` returns a validated ``PlanFile`` or raises ``PlanFileError``, whose
``messages`` each name the file, the line and the field, for example::

    plan.yaml, line 42, measures[3].polarity: 'down' is not one of higher, lower, neither; ...

Checking happens in two passes. The pydantic models below check each value on its own
(types, allowed words, required fields, unknown fields). ``oversight.plans.checks`` then
checks the file as a whole (codes used twice, a measure naming a priority that does not
exist, a target without the figure its type needs, fields neither given nor declared
``not_stated``).

Whatever the source papers do not state is recorded as not stated, never guessed: some fields
accept the value ``not_stated``; any field can be left out and named in the ``not_stated`` list
of its block. ``docs/plan-file.md`` describes every field.

This module does not use Django, so a file can be checked without a database.
"""

from __future__ import annotations

import difflib
import re
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    ValidationError,
)
from pydantic_core import ErrorDetails, PydanticCustomError

from oversight.methods.periods import period_months
from oversight.plans.yamlsource import SourceMap, YamlReadError, format_path, read_yaml

NOT_STATED = "not_stated"

CRIME_TYPES: tuple[str, ...] = (
    "Anti-social behaviour",
    "Bicycle theft",
    "Burglary",
    "Criminal damage and arson",
    "Drugs",
    "Other crime",
    "Other theft",
    "Possession of weapons",
    "Public order",
    "Robbery",
    "Shoplifting",
    "Theft from the person",
    "Vehicle crime",
    "Violence and sexual offences",
)
"""The 14 data.police.uk street-level crime types, spelt exactly as in the files."""

ALL_CRIME = "all crime"
ALL_CRIME_TYPES: tuple[str, ...] = tuple(t for t in CRIME_TYPES if t != "Anti-social behaviour")
"""What ``all crime`` means: the 13 crime types, anti-social behaviour left out."""

GRADE_SCALES: tuple[str, ...] = ("rag", "expectations", "monitoring", "scrutiny")
OTHER_SOURCE_TYPES: tuple[str, ...] = (
    "ons",
    "home-office",
    "force",
    "survey",
    "partner",
    "opcc",
    "oversight",
    "other",
)
SOURCE_TYPES: tuple[str, ...] = ("police-uk", *OTHER_SOURCE_TYPES, NOT_STATED)


class PlanFileError(Exception):
    """A plan file that cannot be used. Each message names the file, line and field."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("\n".join(messages))
        self.messages = messages


# --- small helpers for values -------------------------------------------------------------


def _fail(text: str) -> PydanticCustomError:
    return PydanticCustomError("plan_file", "{text}", {"text": text})


def _normalise_not_stated(value: Any) -> Any:
    """Accept "not stated", "not-stated" and "Not stated" as ``not_stated``."""
    if isinstance(value, str) and re.fullmatch(r"(?i)\s*not[\s_-]+stated\s*", value):
        return NOT_STATED
    return value


def _as_text(value: Any) -> Any:
    """A number written where text is expected (``version: 2``) is read as text."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value


def _whole_number_or_not_stated(value: Any) -> int | str:
    value = _normalise_not_stated(value)
    if value == NOT_STATED or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    raise _fail(f"{value!r} is not a whole number; give a whole number, or not_stated")


_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,39}")


def _check_slug(value: str) -> str:
    if not _SLUG.fullmatch(value):
        raise _fail(
            f"{value!r} is not a valid identifier; use lower-case letters, digits and single "
            "dashes, such as vehicle-crime or avon-and-somerset"
        )
    return value


def _check_code(value: str) -> str:
    if not _CODE.fullmatch(value):
        raise _fail(
            f"{value!r} is not a valid measure code; use up to 40 letters, digits, dots, dashes "
            "or underscores, starting with a letter or digit, such as VEH-1"
        )
    return value


def _check_crime_type(value: str) -> str:
    if value in CRIME_TYPES or value == ALL_CRIME:
        return value
    close = difflib.get_close_matches(value, [*CRIME_TYPES, ALL_CRIME], n=1, cutoff=0.6)
    hint = f" Did you mean '{close[0]}'?" if close else ""
    names = ", ".join(CRIME_TYPES)
    raise _fail(
        f"{value!r} is not a data.police.uk crime type.{hint} Use the exact names: {names}; "
        f"or write '{ALL_CRIME}' for the 13 crime types without anti-social behaviour"
    )


def _as_list(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


def _source_shorthand(value: Any) -> Any:
    """``source: not_stated`` is short for ``source: {type: not_stated}``."""
    value = _normalise_not_stated(value)
    return {"type": NOT_STATED} if value == NOT_STATED else value


def _rule_shorthand(key: str) -> Any:
    def convert(value: Any) -> Any:
        value = _normalise_not_stated(value)
        return {key: NOT_STATED} if value == NOT_STATED else value

    return convert


def _period_shorthand(value: Any) -> Any:
    value = _normalise_not_stated(value)
    return {"start": NOT_STATED, "end": NOT_STATED} if value == NOT_STATED else value


# --- periods ------------------------------------------------------------------------------

PERIOD_HELP = (
    "write a month as 2020-04, a range of months as 2020-04 to 2020-06, a financial year as "
    "2019/20, a quarter as 2019/20 Q1, or a calendar year as 2019"
)


def _normalise_period(value: Any) -> Any:
    """A year written as a number is read as text; ``2020-04..2020-06`` as a range."""
    value = _as_text(value)
    if isinstance(value, str) and ".." in value:
        value = " to ".join(part.strip() for part in value.split("..", 1))
    return value


def _check_period(value: Any) -> str:
    value = _normalise_period(value)
    if not isinstance(value, str):
        raise _fail(f"{value!r} is not a period; {PERIOD_HELP}")
    try:
        period_months(value)
    except ValueError as exc:
        raise _fail(str(exc)) from None
    return value


def _check_period_or_not_stated(value: Any) -> str:
    value = _normalise_not_stated(value)
    return value if value == NOT_STATED else _check_period(value)


# --- annotated types ----------------------------------------------------------------------

_NS = BeforeValidator(_normalise_not_stated)

Slug = Annotated[str, AfterValidator(_check_slug)]
Key = Annotated[str, AfterValidator(_check_slug)]
Code = Annotated[str, BeforeValidator(_as_text), AfterValidator(_check_code)]
Text = Annotated[str, BeforeValidator(_as_text), Field(min_length=1)]
Period = Annotated[str, PlainValidator(_check_period)]
PeriodOrNotStated = Annotated[str, PlainValidator(_check_period_or_not_stated)]
WholeNumberOrNotStated = Annotated[int | str, PlainValidator(_whole_number_or_not_stated)]
CrimeTypeName = Annotated[str, AfterValidator(_check_crime_type)]

PlanStatus = Annotated[Literal["draft", "review", "approved"], _NS]
PriorityStatus = Annotated[Literal["kept", "removed", "not_stated"], _NS]
Unit = Annotated[Literal["count", "rate_per_1000", "percentage", "money", "days"], _NS]
Polarity = Annotated[Literal["higher", "lower", "neither"], _NS]
MeasureKind = Annotated[Literal["input", "outcome", "activity", "not_stated"], _NS]
Frequency = Annotated[Literal["monthly", "quarterly", "annual"], _NS]
Geography = Annotated[Literal["force", "csp", "local_authority"], _NS]
Counting = Annotated[Literal["rows", "crime_ids"], _NS]
GradeScale = Annotated[Literal["rag", "expectations", "monitoring", "scrutiny"], _NS]
BaselineRule = Annotated[
    Literal[
        "fixed_period",
        "mean_of_periods",
        "same_period_last_pre_pandemic_year",
        "comparator_index",
        "not_stated",
    ],
    _NS,
]
TargetType = Annotated[
    Literal[
        "numeric",
        "trajectory",
        "reduce_by_percent",
        "msg_average_achieve",
        "msg_average_maintain",
        "spc_sustained_signal",
        "spc_assurance",
        "not_stated",
    ],
    _NS,
]
PeerAverage = Annotated[
    Literal[
        "unweighted_including_force",
        "unweighted_excluding_force",
        "weighted_including_force",
        "weighted_excluding_force",
        "not_stated",
    ],
    _NS,
]
RemovedKind = Literal["strand", "theme", "priority", "outcome", "measure", "peer_group"]


# --- the file's blocks --------------------------------------------------------------------


class Spec(BaseModel):
    """A block of the plan file. Unknown fields are errors, so a misspelling is caught."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class PlanPeriod(Spec):
    """The years the plan covers, such as 2013 to 2017."""

    start: WholeNumberOrNotStated
    end: WholeNumberOrNotStated


class PlanHeader(Spec):
    """What the plan is: its name, force, period, version, status and source."""

    slug: Slug
    title: Text
    force: Slug
    force_name: Text
    period: Annotated[PlanPeriod, BeforeValidator(_period_shorthand)]
    version: Text
    published: date | None = None
    status: PlanStatus
    source: Text
    description: Text | None = None
    change_reason: Text | None = None
    not_stated: list[str] = Field(default_factory=list)


class StrandSpec(Spec):
    """A strand: a broad line of the plan that themes sit under."""

    number: Annotated[int, Field(ge=1)]
    title: Text
    source: Text | None = None
    change_reason: Text | None = None
    not_stated: list[str] = Field(default_factory=list)


class OutcomeSpec(Spec):
    """An outcome the plan wants, under a theme or a priority."""

    key: Key
    title: Text
    description: Text | None = None
    source: Text | None = None
    illustrative: bool = False
    change_reason: Text | None = None
    not_stated: list[str] = Field(default_factory=list)


class PrioritySpec(Spec):
    """A strategic priority, with its rank and whether a refresh kept or removed it."""

    key: Key
    rank: WholeNumberOrNotStated
    title: Text
    description: Text | None = None
    status: PriorityStatus
    reason: Text | None = None
    source: Text | None = None
    illustrative: bool = False
    change_reason: Text | None = None
    outcomes: list[OutcomeSpec] = Field(default_factory=list)
    not_stated: list[str] = Field(default_factory=list)


class ThemeSpec(Spec):
    """A theme of the plan, with its priorities and outcomes."""

    number: Annotated[int, Field(ge=1)]
    title: Text
    description: Text | None = None
    strand: int | None = None
    ambitions: list[Text] = Field(default_factory=list)
    resources: Text | None = None
    source: Text | None = None
    illustrative: bool = False
    change_reason: Text | None = None
    priorities: list[PrioritySpec] = Field(default_factory=list)
    outcomes: list[OutcomeSpec] = Field(default_factory=list)
    not_stated: list[str] = Field(default_factory=list)


class PoliceUkSource(Spec):
    """Counts from data.police.uk street-level crime files."""

    type: Literal["police-uk"]
    crime_types: Annotated[list[CrimeTypeName], BeforeValidator(_as_list), Field(min_length=1)]
    counting: Counting
    note: Text | None = None

    def resolved_crime_types(self) -> list[str]:
        """The crime types counted, with ``all crime`` written out as its 13 types."""
        if self.crime_types == [ALL_CRIME]:
            return list(ALL_CRIME_TYPES)
        return list(self.crime_types)


class OtherSource(Spec):
    """Any other source, named and described in words."""

    type: Literal[
        "ons", "home-office", "force", "survey", "partner", "opcc", "oversight", "other"
    ]
    name: Text
    description: Text | None = None


class NotStatedSource(Spec):
    """The source papers do not say where the figures come from."""

    type: Literal["not_stated"]
    note: Text | None = None


SourceSpec = Annotated[
    PoliceUkSource | OtherSource | NotStatedSource,
    Field(discriminator="type"),
]


class ExcludedPeriod(Spec):
    """A period left out of a baseline, such as lockdown months, and why."""

    period: Period
    reason: Text


class BaselineSpec(Spec):
    """What a measure is compared against, and how that was worked out."""

    rule: BaselineRule
    period: PeriodOrNotStated | None = None
    periods: list[Period] = Field(default_factory=list)
    value: float | None = None
    comparator: Text | None = None
    excluded: list[ExcludedPeriod] = Field(default_factory=list)
    method: Text | None = None
    source: Text | None = None
    not_stated: list[str] = Field(default_factory=list)


class TargetSpec(Spec):
    """What counts as success for a measure, how it was set and who was consulted."""

    type: TargetType
    value: float | None = None
    values: dict[Period, float] = Field(default_factory=dict)
    comparator: Text | None = None
    peer_group: Text | None = None
    average: PeerAverage | None = None
    methodology: Text | None = None
    consultees: list[Text] = Field(default_factory=list)
    actions: list[Text] = Field(default_factory=list)
    source: Text | None = None
    not_stated: list[str] = Field(default_factory=list)


class ReportedValue(Spec):
    """A figure the source papers report for the measure, kept as printed."""

    period: PeriodOrNotStated
    value: float
    sample_size: int | None = None
    source: Text


class MeasureSpec(Spec):
    """A measure (KPI): what is counted, from where, how often, and against what target."""

    code: Code
    name: Text
    theme: int
    priority: Key | None = None
    outcome: Key | None = None
    definition: Text | None = None
    unit: Unit | None = None
    polarity: Polarity | None = None
    kind: MeasureKind | None = None
    source: Annotated[SourceSpec, BeforeValidator(_source_shorthand)] | None = None
    frequency: Frequency | None = None
    geography: Geography | None = None
    baseline: Annotated[BaselineSpec, BeforeValidator(_rule_shorthand("rule"))] | None = None
    target: Annotated[TargetSpec, BeforeValidator(_rule_shorthand("type"))] | None = None
    owner: Text | None = None
    public: bool = False
    peer_group: Text | None = None
    spc: dict[str, Any] | None = None
    exception_rule: dict[str, Any] | None = None
    reported_values: list[ReportedValue] = Field(default_factory=list)
    caveats: list[Text] = Field(default_factory=list)
    citation: Text | None = None
    illustrative: bool = False
    change_reason: Text | None = None
    not_stated: list[str] = Field(default_factory=list)


MEASURE_FIELDS_TO_DECLARE: tuple[str, ...] = (
    "definition",
    "unit",
    "polarity",
    "kind",
    "source",
    "frequency",
    "geography",
    "baseline",
    "target",
    "owner",
)
"""Measure fields that must be given, or named in the measure's ``not_stated`` list."""


class PeerGroupSpec(Spec):
    """A named group of peer forces, such as a Most Similar Group, with its membership date."""

    name: Text
    version: Text | None = None
    valid_from: date | None = None
    members: Annotated[list[Slug], Field(min_length=1)]
    provisional: bool = False
    source: Text | None = None
    note: Text | None = None
    not_stated: list[str] = Field(default_factory=list)


class RemovedItem(Spec):
    """Something the previous version had that this one drops, and why."""

    kind: RemovedKind
    key: Annotated[str, BeforeValidator(_as_text)]
    reason: Text


class PlanFile(Spec):
    """A whole plan file."""

    plan: PlanHeader
    strands: list[StrandSpec] = Field(default_factory=list)
    themes: Annotated[list[ThemeSpec], Field(min_length=1)]
    priorities_without_theme: list[PrioritySpec] = Field(default_factory=list)
    measures: list[MeasureSpec] = Field(default_factory=list)
    peer_groups: list[PeerGroupSpec] = Field(default_factory=list)
    grade_scale: GradeScale | None = None
    removed: list[RemovedItem] = Field(default_factory=list)
    not_stated: list[str] = Field(default_factory=list)

    def all_priorities(self) -> list[tuple[ThemeSpec | None, PrioritySpec]]:
        """Every priority with its theme (``None`` where the source does not state one)."""
        pairs: list[tuple[ThemeSpec | None, PrioritySpec]] = [
            (theme, priority) for theme in self.themes for priority in theme.priorities
        ]
        return pairs + [(None, priority) for priority in self.priorities_without_theme]

    def all_outcomes(self) -> list[tuple[ThemeSpec | None, PrioritySpec | None, OutcomeSpec]]:
        """Every outcome with the theme and priority it sits under."""
        found: list[tuple[ThemeSpec | None, PrioritySpec | None, OutcomeSpec]] = []
        for theme in self.themes:
            found += [(theme, None, outcome) for outcome in theme.outcomes]
        for parent, priority in self.all_priorities():
            found += [(parent, priority, outcome) for outcome in priority.outcomes]
        return found


# --- reading and messages -----------------------------------------------------------------

_HINTS = {
    "polarity": "use higher if a rise is good news, lower if a fall is good news, or neither "
    "where a rise can be good or bad news (such as crime the police find themselves)",
    "unit": "use count, rate_per_1000 (per 1,000 residents), percentage, money (pounds) or days",
    "counting": "use rows to count every row, repeated Crime IDs included, or crime_ids to "
    "count distinct Crime IDs",
    "code": "every measure needs a short code that no other measure in the plan uses, "
    "such as VEH-1",
    "published": "write dates as YYYY-MM-DD, such as 2013-10-25",
    "valid_from": "write dates as YYYY-MM-DD, such as 2013-10-25",
    "grade_scale": "use the name of a grade scale Oversight provides",
}
_NOT_STATED_HINT = (
    "if the source does not say, leave {field} out and list it under not_stated in the same block"
)


def _known_fields() -> set[str]:
    specs: list[type[BaseModel]] = [
        PlanFile, PlanHeader, PlanPeriod, StrandSpec, ThemeSpec, PrioritySpec, OutcomeSpec,
        MeasureSpec, PoliceUkSource, OtherSource, NotStatedSource, BaselineSpec,
        ExcludedPeriod, TargetSpec, ReportedValue, PeerGroupSpec, RemovedItem,
    ]
    return {name for spec in specs for name in spec.model_fields}


_KNOWN_FIELDS = _known_fields()


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _field_name(path: tuple[str | int, ...]) -> str:
    return next((str(p) for p in reversed(path) if isinstance(p, str)), "value")


def _explain(error: ErrorDetails, path: tuple[str | int, ...]) -> str:
    """One plain sentence for one pydantic error."""
    kind, ctx, field = error["type"], error.get("ctx") or {}, _field_name(path)
    if kind == "literal_error":
        choices = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        text = f"{_short(error['input'])} is not one of {', '.join(choices)}"
        hint = _HINTS.get(field)
        if NOT_STATED not in choices and field not in {"type", "kind"}:
            extra = _NOT_STATED_HINT.format(field=field)
            hint = f"{hint}; {extra}" if hint else extra
        return f"{text}; {hint}" if hint else text
    if kind == "missing":
        hint = _HINTS.get(field)
        return f"{field} is missing" + (f"; {hint}" if hint else "")
    if kind == "extra_forbidden":
        close = difflib.get_close_matches(field, _KNOWN_FIELDS, n=1, cutoff=0.75)
        guess = f"; did you mean {close[0]}?" if close else ""
        return f"'{field}' is not a field of this block{guess} (check spelling and indentation)"
    if kind == "union_tag_invalid":
        return f"type {_short(ctx.get('tag'))} is not one of {', '.join(SOURCE_TYPES)}"
    if kind == "union_tag_not_found":
        return f"type is missing; give one of {', '.join(SOURCE_TYPES)}"
    if kind == "plan_file":
        return str(error["msg"])
    message = str(error["msg"]).removeprefix("Value error, ")
    message = message[:1].lower() + message[1:]
    hint = _HINTS.get(field)
    return f"{message} (found {_short(error['input'])})" + (f"; {hint}" if hint else "")


def error_messages(exc: ValidationError, source_map: SourceMap) -> list[str]:
    """Every validation error as "file, line N, path: what is wrong; what to do"."""
    located = []
    for error in exc.errors(include_url=False):
        path, line = source_map.locate(error["loc"], missing=error["type"] == "missing")
        where = format_path(path) or "top level"
        located.append((line, f"{source_map.name}, line {line}, {where}: {_explain(error, path)}"))
    return [message for _line, message in sorted(located, key=_first)]


def parse_plan_text(text: str, name: str = "plan.yaml") -> PlanFile:
    """Validate the YAML ``text`` of a plan file called ``name``; raise ``PlanFileError``."""
    from oversight.plans.checks import check_plan, describe

    try:
        data, source_map = read_yaml(text, name)
    except YamlReadError as exc:
        raise PlanFileError(exc.messages) from None
    if not isinstance(data, dict):
        raise PlanFileError([f"{name}, line 1: a plan file is a set of fields starting with plan:"])
    try:
        spec = PlanFile.model_validate(data)
    except ValidationError as exc:
        raise PlanFileError(error_messages(exc, source_map)) from None
    problems = [describe(problem, source_map.line, name) for problem in check_plan(spec)]
    if problems:
        raise PlanFileError([message for _line, message in sorted(problems, key=_first)])
    return spec


def _first(pair: tuple[int, str]) -> int:
    return pair[0]


def read_plan_bytes(path: str | Path) -> tuple[bytes, str]:
    """The file's bytes and its text; raise ``PlanFileError`` if it cannot be read."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise PlanFileError([f"{path}: the file cannot be read ({exc.strerror})"]) from None
    try:
        return raw, raw.decode("utf-8")
    except UnicodeDecodeError:
        raise PlanFileError(
            [f"{path.name}: the file is not UTF-8 text; save it as UTF-8 and try again"]
        ) from None


def parse_plan_file(path: str | Path) -> PlanFile:
    """Read and validate the plan file at ``path``; raise ``PlanFileError`` listing problems."""
    _raw, text = read_plan_bytes(path)
    return parse_plan_text(text, Path(path).name)
