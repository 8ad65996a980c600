"""The plan file format: what is accepted, and errors that name the file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from oversight.plans.planfile import (
    ALL_CRIME_TYPES,
    CRIME_TYPES,
    PlanFileError,
    PoliceUkSource,
    parse_plan_file,
    parse_plan_text,
)
from tests.plans.helpers import EXAMPLES, SMALL_PLAN, line_of, write


def errors_for(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(PlanFileError) as caught:
        parse_plan_file(write(tmp_path, text))
    return caught.value.messages


def test_small_plan_is_valid() -> None:
    spec = parse_plan_text(SMALL_PLAN, "plan.yaml")
    assert [m.code for m in spec.measures] == ["VEH-1", "ALL-1"]
    assert spec.measures[0].target is not None and spec.measures[0].target.value == 100


@pytest.mark.parametrize("name", ["leicestershire-2013.yaml", "delivery-2022.yaml"])
def test_example_files_validate(name: str) -> None:
    spec = parse_plan_file(EXAMPLES / name)
    assert spec.measures


def test_wrong_polarity_names_line_and_field(tmp_path: Path) -> None:
    text = SMALL_PLAN.replace("polarity: lower", "polarity: down", 1)
    line = line_of(text, "polarity: down")
    assert errors_for(tmp_path, text) == [
        f"plan.yaml, line {line}, measures[0].polarity: 'down' is not one of higher, lower, "
        "neither; use higher if a rise is good news, lower if a fall is good news, or neither "
        "where a rise can be good or bad news (such as crime the police find themselves); if "
        "the source does not say, leave polarity out and list it under not_stated in the same "
        "block"
    ]


def test_unknown_crime_type_names_line_field_and_suggestion(tmp_path: Path) -> None:
    text = SMALL_PLAN.replace("[Vehicle crime]", "[Vehicle crimes]")
    (message,) = errors_for(tmp_path, text)
    line = line_of(text, "Vehicle crimes")
    assert message.startswith(
        f"plan.yaml, line {line}, measures[0].source.crime_types[0]: 'Vehicle crimes' is not "
        "a data.police.uk crime type. Did you mean 'Vehicle crime'?"
    )


def test_crime_type_is_matched_exactly(tmp_path: Path) -> None:
    text = SMALL_PLAN.replace("[Vehicle crime]", "[vehicle crime]")
    (message,) = errors_for(tmp_path, text)
    assert "measures[0].source.crime_types[0]: 'vehicle crime' is not" in message


def test_missing_code_names_the_measure_block(tmp_path: Path) -> None:
    text = SMALL_PLAN.replace("  - code: ALL-1\n    name: All crime\n", "  - name: All crime\n")
    line = line_of(text, "- name: All crime")
    assert errors_for(tmp_path, text) == [
        f"plan.yaml, line {line}, measures[1].code: code is missing; every measure needs a "
        "short code that no other measure in the plan uses, such as VEH-1"
    ]


def test_duplicate_measure_codes(tmp_path: Path) -> None:
    text = SMALL_PLAN.replace("code: ALL-1", "code: VEH-1")
    first, second = line_of(text, "code: VEH-1"), line_of(text, "code: VEH-1", 2)
    assert errors_for(tmp_path, text) == [
        f"plan.yaml, line {second}, measures[1].code: measure 'VEH-1' is used twice; each "
        f"measure needs its own code (first used at measures[0], line {first})"
    ]


def test_bad_yaml_syntax_gives_the_line(tmp_path: Path) -> None:
    text = SMALL_PLAN.replace("title: Test plan", "title: Test plan: a draft")
    line = line_of(text, "Test plan: a draft")
    (message,) = errors_for(tmp_path, text)
    assert message.startswith(f"plan.yaml, line {line}: the file is not valid YAML: ")


def test_bad_indentation_gives_the_line(tmp_path: Path) -> None:
    text = SMALL_PLAN.replace("    name: All crime", "     name: All crime")
    (message,) = errors_for(tmp_path, text)
    assert message.startswith(f"plan.yaml, line {line_of(text, 'name: All crime')}: ")


def test_measure_referencing_unknown_priority(tmp_path: Path) -> None:
    text = SMALL_PLAN.replace("priority: vehicle-crime", "priority: commercial-burglary")
    line = line_of(text, "priority: commercial-burglary")
    assert errors_for(tmp_path, text) == [
        f"plan.yaml, line {line}, measures[0].priority: priority 'commercial-burglary' is not "
        "defined in this plan (defined: vehicle-crime)"
    ]


def test_repeated_key_in_one_block(tmp_path: Path) -> None:
    text = SMALL_PLAN.replace("    public: true\n", "    public: true\n    public: false\n")
    line = line_of(text, "public: false")
    (message,) = errors_for(tmp_path, text)
    assert message.startswith(f"plan.yaml, line {line}, measures[0].public: 'public' is given")


def test_misspelt_field_is_caught_with_a_suggestion(tmp_path: Path) -> None:
    text = SMALL_PLAN.replace("    frequency: monthly\n", "    frequncy: monthly\n", 1)
    (message,) = errors_for(tmp_path, text)
    line = line_of(text, "frequncy")
    assert message.startswith(f"plan.yaml, line {line}, measures[0].frequncy: 'frequncy' is not")
    assert "did you mean frequency?" in message


def test_every_problem_is_reported_in_line_order(tmp_path: Path) -> None:
    text = SMALL_PLAN.replace("polarity: lower", "polarity: down").replace(
        "counting: rows", "counting: lines"
    )
    messages = errors_for(tmp_path, text)
    lines = [int(m.split(", line ")[1].split(",")[0]) for m in messages]
    assert len(messages) == 4 and lines == sorted(lines)


def test_field_neither_given_nor_declared(tmp_path: Path) -> None:
    text = SMALL_PLAN.replace("    not_stated: [definition, owner]\n", "", 1)
    (message,) = errors_for(tmp_path, text)
    assert f"line {line_of(text, 'code: VEH-1')}, measures[0].code: measure VEH-1 does not give " \
        "definition, owner" in message


def test_field_both_given_and_declared_not_stated(tmp_path: Path) -> None:
    text = SMALL_PLAN.replace("[definition, owner]", "[definition, owner, unit]", 1)
    line = line_of(text, "[definition, owner, unit]")
    assert errors_for(tmp_path, text) == [
        f"plan.yaml, line {line}, measures[0].not_stated[2]: unit is listed as not stated but "
        "is also given; remove one of the two"
    ]


def test_not_stated_may_be_written_with_a_space() -> None:
    spec = parse_plan_text(SMALL_PLAN.replace("rank: not_stated", "rank: not stated"))
    assert spec.themes[0].priorities[0].rank == "not_stated"


def test_all_crime_means_the_thirteen_non_asb_types() -> None:
    spec = parse_plan_text(SMALL_PLAN)
    source = spec.measures[1].source
    assert isinstance(source, PoliceUkSource)
    assert source.resolved_crime_types() == list(ALL_CRIME_TYPES)
    assert len(ALL_CRIME_TYPES) == 13 and len(CRIME_TYPES) == 14
    assert "Anti-social behaviour" not in ALL_CRIME_TYPES


def test_asb_cannot_be_counted_by_crime_id(tmp_path: Path) -> None:
    text = SMALL_PLAN.replace("[Vehicle crime]", "[Anti-social behaviour]").replace(
        "counting: rows", "counting: crime_ids", 1
    )
    (message,) = errors_for(tmp_path, text)
    assert f"line {line_of(text, 'crime_ids')}, measures[0].source.counting: " in message


def test_msg_target_needs_a_defined_peer_group(tmp_path: Path) -> None:
    text = SMALL_PLAN.replace("type: numeric\n      value: 100", "type: msg_average_achieve\n"
                              "      peer_group: Most similar")
    (message,) = errors_for(tmp_path, text)
    line = line_of(text, "peer_group: Most similar")
    assert message.startswith(f"plan.yaml, line {line}, measures[0].target.peer_group: peer "
                              "group 'Most similar' is not defined")


def test_numeric_target_needs_a_value(tmp_path: Path) -> None:
    text = SMALL_PLAN.replace("      value: 100\n", "")
    (message,) = errors_for(tmp_path, text)
    assert f"line {line_of(text, 'type: numeric')}, measures[0].target.type: a numeric target " \
        "needs a value" in message


def test_baseline_periods_and_exclusions(tmp_path: Path) -> None:
    baseline = (
        "baseline:\n      rule: fixed_period\n      period: 2019-12..2022-11\n"
        "      excluded:\n        - period: 2020-04 to 2020-06\n          reason: lockdown"
    )
    spec = parse_plan_text(SMALL_PLAN.replace("baseline: not_stated", baseline, 1))
    assert spec.measures[0].baseline is not None
    assert spec.measures[0].baseline.period == "2019-12 to 2022-11"
    outside = baseline.replace("2020-04 to 2020-06", "2023-01")
    (message,) = errors_for(tmp_path, SMALL_PLAN.replace("baseline: not_stated", outside, 1))
    assert "measures[0].baseline.excluded[0].period: 2023-01 is not inside" in message


def test_bad_period_is_explained(tmp_path: Path) -> None:
    text = SMALL_PLAN.replace("baseline: not_stated", "baseline: {rule: fixed_period, "
                              "period: 2019-13}", 1)
    (message,) = errors_for(tmp_path, text)
    assert "measures[0].baseline.period: \"2019-13\" is not a month" in message


def test_empty_file(tmp_path: Path) -> None:
    assert errors_for(tmp_path, "") == [
        "plan.yaml, line 1: the file is empty; a plan file starts plan:"
    ]


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(PlanFileError) as caught:
        parse_plan_file(tmp_path / "nope.yaml")
    assert "nope.yaml: the file cannot be read" in caught.value.messages[0]


def test_choices_match_the_database_models() -> None:
    from typing import get_args

    from oversight.plans import planfile
    from oversight.plans.models import Measure, Plan, Priority

    def allowed(annotated: object) -> set[str]:
        return set(get_args(get_args(annotated)[0]))

    assert allowed(planfile.Unit) == set(Measure.Unit.values)
    assert allowed(planfile.Polarity) == set(Measure.Polarity.values)
    assert allowed(planfile.MeasureKind) == set(Measure.Kind.values)
    assert allowed(planfile.Frequency) == set(Measure.Frequency.values)
    assert allowed(planfile.Geography) == set(Measure.Geography.values)
    assert allowed(planfile.PlanStatus) == set(Plan.Status.values)
    assert allowed(planfile.PriorityStatus) == set(Priority.Status.values)
