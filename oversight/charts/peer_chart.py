"""A peer comparison bar chart: rate per 1,000 people for the force and its peers, the force
highlighted, with the peer average as a rule."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from oversight.charts.base import Chart, base_config, render_svg

HIGHLIGHT = "#1d70b8"
OTHER = "#b1b4b6"


def peer_chart(
    chart_id: str,
    title: str,
    bars: Sequence[dict[str, Any]],
    *,
    average: float | None,
    summary: str,
    value_label: str = "Rate per 1,000 people",
) -> Chart:
    """Bars with keys name, rate, count, population, highlight (bool), sorted as given."""
    data = [
        {"name": b["name"], "rate": b["rate"], "who": "This force" if b.get("highlight")
         else "Peer force"}
        for b in bars
    ]
    layers: list[dict[str, Any]] = [
        {"mark": {"type": "bar", "stroke": "#0b0c0c", "strokeWidth": 0.5},
         "encoding": {
             "y": {"field": "name", "type": "nominal", "sort": None, "title": None},
             "x": {"field": "rate", "type": "quantitative", "title": value_label},
             "color": {"field": "who", "type": "nominal", "title": None,
                       "scale": {"domain": ["This force", "Peer force"],
                                 "range": [HIGHLIGHT, OTHER]}},
         }},
    ]
    if average is not None:
        layers.append({"mark": {"type": "rule", "color": "#0b0c0c", "strokeDash": [6, 4]},
                       "data": {"values": [{"average": average}]},
                       "encoding": {"x": {"field": "average", "type": "quantitative"}}})
    spec = base_config(height=max(120, 28 * len(data))) | {"data": {"values": data},
                                                            "layer": layers}
    columns = ["Force", value_label, "Count", "Population"]
    rows = [
        [b["name"], f"{b['rate']:,.2f}", f"{b['count']:,}", f"{b['population']:,}"]
        for b in bars
    ]
    return Chart(chart_id=chart_id, title=title, summary=summary,
                 svg=render_svg(spec, chart_id, title, summary), columns=columns, rows=rows,
                 caption=f"Data for the chart: {title}", spec=spec)
