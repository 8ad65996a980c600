"""Grade scales (DOMAIN.md 5): shipped scales, reasons, and plan-file validation."""

from __future__ import annotations

import copy
import itertools

import pytest

from oversight.methods.grades import (
    EXPECTATIONS,
    FACTS,
    MONITORING,
    RAG,
    SCALES,
    SCRUTINY,
    TAG_COLOURS,
    GradeInputs,
    GradeScaleError,
    count_by_grade,
    scale_from_dict,
)

EVERY_INPUT = [
    GradeInputs(target, signal, exception)
    for target, signal, exception in itertools.product(
        [None, "met", "not_met", "not_assessable"],
        [None, "improvement", "concern", "neither", "none"],
        [None, True, False],
    )
]


@pytest.mark.parametrize(
    ("inputs", "grade"),
    [
        (GradeInputs("not_met", "none", True), "red"),
        (GradeInputs("not_met", "concern", False), "red"),
        (GradeInputs("not_met", "improvement", False), "amber"),
        (GradeInputs("met", "none", True), "amber"),
        (GradeInputs("met", "concern", False), "amber"),
        (GradeInputs("met", "none", False), "green"),
        (GradeInputs("not_assessable", "none", False), "ungraded"),
        (GradeInputs(), "ungraded"),
    ],
)
def test_rag(inputs, grade):
    assert RAG.grade(inputs).grade == grade


@pytest.mark.parametrize(
    ("inputs", "grade"),
    [
        (GradeInputs("met", "improvement", True), "below"),
        (GradeInputs("met", "concern", False), "below"),
        (GradeInputs("met", "improvement", False), "exceeds"),
        (GradeInputs(None, "improvement", None), "exceeds"),
        (GradeInputs("not_met", "improvement", False), "meets"),
        (GradeInputs("not_met", "none", False), "meets"),
        (GradeInputs("not_met", None, None), "not_graded"),
    ],
)
def test_exceeds_meets_below(inputs, grade):
    assert EXPECTATIONS.grade(inputs).grade == grade


@pytest.mark.parametrize(
    ("inputs", "grade"),
    [
        (GradeInputs("met", "none", True), "requires_action"),
        (GradeInputs("not_met", "concern", False), "requires_action"),
        (GradeInputs("not_met", "none", False), "close_monitoring"),
        (GradeInputs("met", "concern", False), "close_monitoring"),
        (GradeInputs("met", None, None), "satisfactory"),
        (GradeInputs(None, "none", False), "satisfactory"),
        (GradeInputs(), "not_graded"),
    ],
)
def test_satisfactory_close_monitoring_requires_action(inputs, grade):
    assert MONITORING.grade(inputs).grade == grade


@pytest.mark.parametrize(
    ("inputs", "grade", "colour"),
    [
        (GradeInputs("met", "none", True), "red", "red"),
        (GradeInputs("not_met", "none", False), "scrutiny", "yellow"),
        (GradeInputs("met", "none", False), "content", "green"),
        (GradeInputs(), "not_graded", "grey"),
    ],
)
def test_content_requires_additional_scrutiny_red(inputs, grade, colour):
    result = SCRUTINY.grade(inputs)
    assert (result.grade, result.colour) == (grade, colour)


def test_reason_names_the_grade_rule_and_figures():
    figures = "8.4 per 1,000 against a target of 8.0"
    result = RAG.grade(GradeInputs("not_met", "common_cause", True, figures))
    assert (result.label, result.colour, result.rule_number) == ("Red", "red", 1)
    assert result.rule == "the target was not met and an exception is open"
    assert result.figures == figures
    assert result.reason == (
        "Red because the target was not met and an exception is open "
        "(rule 1 of the RAG scale). 8.4 per 1,000 against a target of 8.0."
    )


def test_the_fallback_rule_says_what_was_known():
    result = RAG.grade(GradeInputs("not_assessable", "none", False))
    assert result.reason == (
        "Ungraded because no other rule applied: the target could not be assessed, the latest "
        "point shows common cause variation and no exception is open (rule 7 of the RAG scale)."
    )


@pytest.mark.parametrize("scale", SCALES.values(), ids=list(SCALES))
def test_every_shipped_scale_grades_every_input(scale):
    for inputs in EVERY_INPUT:
        result = scale.grade(inputs)
        assert result.colour in TAG_COLOURS
        assert result.reason.startswith(result.label + " because ")


@pytest.mark.parametrize("scale", SCALES.values(), ids=list(SCALES))
def test_scales_survive_the_round_trip_through_a_dict(scale):
    assert scale_from_dict(scale.to_dict()) == scale


def test_the_first_matching_rule_wins():
    data = RAG.to_dict()
    data["rules"].insert(0, {"grade": "green", "when": {"target_status": "not_met"}})
    reordered = scale_from_dict(data)
    assert reordered.grade(GradeInputs("not_met", "concern", True)).grade == "green"


def test_a_plan_file_scale_with_lists_and_yaml_booleans():
    scale = scale_from_dict(
        {
            "key": "simple",
            "name": "Simple",
            "grades": [
                {"key": "ok", "label": "On track", "colour": "green"},
                {"key": "check", "label": "Check", "colour": "orange"},
            ],
            "rules": [
                {"grade": "check", "when": {"exception_open": True}},
                {"grade": "check", "when": {"spc_signal": ["concern", "common_cause"]}},
                {"grade": "ok"},
            ],
        }
    )
    assert scale.rules[1].when == (("spc_signal", ("concern", "none")),)
    assert scale.grade(GradeInputs(spc_signal="none")).grade == "check"
    assert scale.grade(GradeInputs(exception_open=False)).grade == "ok"


def _broken(change):
    data = copy.deepcopy(RAG.to_dict())
    change(data)
    return data


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d["grades"][1].update(colour="amber"), "grades[1].colour"),
        (lambda d: d["grades"][2].update(key="red"), "grades[2].key"),
        (lambda d: d["grades"][0].pop("label"), "grades[0].label"),
        (lambda d: d["grades"][0].update(shade="dark"), "grades[0].shade"),
        (lambda d: d["rules"][2].update(grade="amberish"), "rules[2].grade"),
        (
            lambda d: d["rules"][2]["when"].update(target_status="late"),
            "rules[2].when.target_status",
        ),
        (lambda d: d["rules"][0]["when"].update(colour="red"), "rules[0].when.colour"),
        (lambda d: d["rules"][3]["when"].update(exception_open=[]), "rules[3].when.exception_open"),
        (lambda d: d["rules"].pop(), "rules"),
        (lambda d: d.update(grades=[]), "grades"),
        (lambda d: d.update(name=""), "name"),
        (lambda d: d.update(extra=1), "extra"),
    ],
)
def test_validation_errors_name_the_bad_field(change, field):
    with pytest.raises(GradeScaleError) as caught:
        scale_from_dict(_broken(change))
    assert caught.value.field == field
    assert str(caught.value).startswith(f"{field}: ")


def test_bad_inputs_name_the_fact():
    with pytest.raises(ValueError, match='target_status: "late" is not one of'):
        RAG.grade(GradeInputs(target_status="late"))


def test_count_by_grade_for_the_headline_page():
    results = [RAG.grade(inputs) for inputs in EVERY_INPUT]
    counts = dict((grade.key, count) for grade, count in count_by_grade(results, RAG))
    assert list(counts) == ["red", "amber", "green", "ungraded"]
    assert sum(counts.values()) == len(EVERY_INPUT)
    # Green: target met, any of 4 signals other than concern, exception not open (2 ways).
    assert counts["green"] == 4 * 2
    assert set(FACTS) == {"target_status", "spc_signal", "exception_open"}
