"""Report sections that other apps add when they have data: delivery-plan progress,
commissioned services, Panel recommendations outstanding, and the questions Panel members have
asked (``oversight.reports.panel_questions``, from the staff area's ``PanelQuestion``).

Each provider is a module with ``report_section(plan, period, *, theme=None, public_only=True)``
returning ``None`` (nothing to report: the section is left out, with no placeholder) or a
dict of plain values::

    {"id": "commissioned-services", "title": "Commissioned services",
     "paragraphs": ["..."],
     "tables": [{"caption": "...", "columns": ["Service", "Amount"], "rows": [["...", "..."]],
                 "numeric": [1]}]}

``period`` is the report's period label (``2025/26 Q1`` or ``2025/26``); ``theme`` is the
theme's number for a thematic update; ``public_only`` is true for a report of public measures
only, so a provider leaves out what belongs to measures that are not public. A provider
whose app is not installed yet is skipped.
"""

from __future__ import annotations

import importlib
from typing import Any

PROVIDERS = (
    "oversight.delivery.reporting",
    "oversight.commissioning.reporting",
    "oversight.scrutiny.reporting",
    "oversight.reports.panel_questions",
)


def optional_sections(plan: Any, period: str, *, theme: int | None = None,
                      public_only: bool = True) -> list[dict[str, Any]]:
    """The sections the installed providers (``PROVIDERS``) have data for, in that order."""
    sections = []
    for name in PROVIDERS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name is not None and name.startswith(exc.name):
                continue
            raise
        section = module.report_section(plan, period, theme=theme, public_only=public_only)
        if section:
            sections.append({"paragraphs": [], "tables": [], **section})
    return sections
