"""The ``Chart`` every page and report embeds, and turning a Vega-Lite spec into SVG and PNG."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

import vl_convert as vlc

# Making Data Count colours; meaning is never carried by colour alone (shapes and words too).
IMPROVEMENT = "#00B0F0"
CONCERN = "#E46C0A"
NEITHER = "#490092"
COMMON = "#A6A6A6"
LINE = "#505a5f"
FONT = "Arial, Helvetica, sans-serif"

TableRow = dict[str, Any]
_NUMBER = re.compile(r"[−+-]?[\d,]*\.?\d+%?")


@dataclass(frozen=True)
class Chart:
    """A rendered chart with everything needed to read it without seeing it."""

    chart_id: str
    title: str
    summary: str
    svg: str
    columns: list[str]
    rows: list[list[str]]
    caption: str
    spec: dict[str, Any] = field(repr=False)

    @property
    def numeric_columns(self) -> list[int]:
        """The columns after the first whose every filled cell is a number, so tables can
        right-align them."""
        found = []
        for index in range(1, len(self.columns)):
            cells = [str(row[index]).strip() for row in self.rows if index < len(row)]
            filled = [cell for cell in cells if cell not in ("", "–", "-")]
            if filled and all(_NUMBER.fullmatch(cell) for cell in filled):
                found.append(index)
        return found

    def png(self, scale: float = 2.0) -> bytes:
        """The chart as a PNG, for Word documents."""
        return vlc.vegalite_to_png(self.spec, scale=scale)


def render_svg(spec: dict[str, Any], chart_id: str, title: str, summary: str) -> str:
    """Render a Vega-Lite spec to SVG with a title, a description and an image role."""
    svg = vlc.vegalite_to_svg(spec)
    svg = re.sub(r'\s(width|height)="[0-9.]+"', "", svg, count=2)
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    head = f'<svg role="img" aria-labelledby="{title_id} {desc_id}" focusable="false"'
    svg = svg.replace("<svg", head, 1).replace('class="marks"', 'class="marks app-chart"', 1)
    first_close = svg.index(">") + 1
    accessible = (
        f'<title id="{title_id}">{html.escape(title)}</title>'
        f'<desc id="{desc_id}">{html.escape(summary)}</desc>'
    )
    return svg[:first_close] + accessible + svg[first_close:]


def base_config(width: int = 620, height: int = 260) -> dict[str, Any]:
    """The look shared by all charts: GOV.UK-like fonts, no chart border."""
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "width": width,
        "height": height,
        "background": "white",
        "config": {
            "font": FONT,
            "view": {"stroke": None},
            "axis": {"labelFontSize": 12, "titleFontSize": 13, "labelColor": "#0b0c0c",
                     "titleColor": "#0b0c0c", "gridColor": "#e5e6e7"},
            "legend": {"labelFontSize": 12, "titleFontSize": 13, "orient": "bottom"},
        },
    }
