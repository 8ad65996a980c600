"""Writing a plan back out as a plan file: the text passes the checker and reads back the same."""

from __future__ import annotations

import pytest

from oversight.plans.planfile import parse_plan_file, parse_plan_text
from oversight.plans.writing import plan_file_yaml
from tests.plans.helpers import EXAMPLES


@pytest.mark.parametrize("name", ["leicestershire-2013.yaml", "delivery-2022.yaml"])
def test_an_example_written_out_reads_back_the_same(name):
    spec = parse_plan_file(EXAMPLES / name)
    text = plan_file_yaml(spec, "Written for a test.\nSecond line.")
    assert text.startswith("# Written for a test.\n# Second line.\n\nplan:\n")
    assert parse_plan_text(text, name) == spec


def test_empty_fields_are_left_out():
    spec = parse_plan_file(EXAMPLES / "leicestershire-2013.yaml")
    text = plan_file_yaml(spec)
    assert "null" not in text and ": []" not in text
    assert "public: false" not in text  # the default
    assert "  - code: MCNS-ALL-CRIME\n" in text
