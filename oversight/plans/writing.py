"""Write a validated plan back out as a plan file (YAML) that ``oversight plan check`` accepts.

``plan_file_yaml(spec, heading=...)`` gives the text of a plan file for a ``PlanFile``: the
fields it gives, in the order ``docs/plan-file.md`` lists them, without the empty ones.
Reading the text back with ``parse_plan_text`` gives the same ``PlanFile``. Comments in the
file the plan was first loaded from are not kept: the stored version keeps only its values.

This module does not use Django.
"""

from __future__ import annotations

from typing import Any

import yaml

from oversight.plans.planfile import PlanFile


class _Dumper(yaml.SafeDumper):
    """Block style throughout; lists indented under their key, as the examples are written."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> Any:
        return super().increase_indent(flow, False)


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def plan_file_data(spec: PlanFile) -> dict[str, Any]:
    """The plan as plain data, leaving out every field that holds its default (empty) value."""
    return spec.model_dump(mode="json", exclude_defaults=True)


def plan_file_yaml(spec: PlanFile, heading: str = "") -> str:
    """The text of a plan file for ``spec``, with ``heading`` as comment lines at the top."""
    body = yaml.dump(plan_file_data(spec), Dumper=_Dumper, sort_keys=False,
                     allow_unicode=True, width=96, default_flow_style=False)
    comment = "".join(f"# {line}".rstrip() + "\n" for line in heading.splitlines())
    return comment + ("\n" if comment else "") + body
