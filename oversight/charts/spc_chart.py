"""An SPC (XmR) chart: the values, the average and process limits per segment, and each point
marked by its signal with a shape as well as a colour (improvement, concern, neither, common
cause, left out)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from oversight.charts.base import (
    COMMON,
    CONCERN,
    IMPROVEMENT,
    LINE,
    NEITHER,
    Chart,
    base_config,
    render_svg,
)

SIGNAL_WORDS = {
    "improvement": "Improvement",
    "concern": "Concern",
    "neither": "Special cause (no preferred direction)",
    "none": "Common cause",
    "ghost": "Left out of the limits",
}
SIGNAL_STYLE = {
    "improvement": (IMPROVEMENT, "triangle-up"),
    "concern": (CONCERN, "diamond"),
    "neither": (NEITHER, "square"),
    "none": (COMMON, "circle"),
    "ghost": ("#ffffff", "circle"),
}


def _fmt(value: float | None, places: int) -> str:
    return "–" if value is None else f"{value:,.{places}f}"


def spc_chart(
    chart_id: str,
    title: str,
    points: Sequence[dict[str, Any]],
    *,
    summary: str,
    value_label: str = "Count",
    places: int = 0,
) -> Chart:
    """Draw an SPC chart from points with keys period, label, value, mean, upper, lower, signal.

    ``signal`` is one of improvement, concern, neither, none or ghost. Limits may be ``None``
    (too few points): the chart then shows the values only.
    """
    data = []
    for p in points:
        signal = p.get("signal") or "none"
        data.append(
            {
                "period": p["period"],
                "label": p.get("label", p["period"]),
                "value": p["value"],
                "mean": p.get("mean"),
                "upper": p.get("upper"),
                "lower": p.get("lower"),
                "segment": p.get("segment", 0),
                "signal": SIGNAL_WORDS.get(signal, signal),
            }
        )
    used = [s for s in SIGNAL_WORDS if any(d["signal"] == SIGNAL_WORDS[s] for d in data)]
    x = {"field": "period", "type": "ordinal", "title": None, "sort": None,
         "axis": {"labelAngle": -45, "labelOverlap": True}}
    y_title = value_label
    layers: list[dict[str, Any]] = [
        {"mark": {"type": "line", "color": LINE, "strokeWidth": 1.5},
         "encoding": {"x": x, "y": {"field": "value", "type": "quantitative", "title": y_title,
                                    "scale": {"zero": False}}}},
    ]
    for key, dash, name in (("mean", [], "Average"), ("upper", [6, 4], "Upper process limit"),
                            ("lower", [6, 4], "Lower process limit")):
        if any(d[key] is not None for d in data):
            layers.append(
                {"mark": {"type": "line", "color": "#0b0c0c", "strokeWidth": 1,
                          "strokeDash": dash or [1, 0], "interpolate": "step-after"},
                 "encoding": {"x": x, "y": {"field": key, "type": "quantitative"},
                              "detail": {"field": "segment"}},
                 "transform": [{"filter": f"datum.{key} != null"}],
                 "name": name})
    layers.append(
        {"mark": {"type": "point", "filled": True, "size": 70, "stroke": "#0b0c0c",
                  "strokeWidth": 0.5, "opacity": 1},
         "encoding": {
             "x": x,
             "y": {"field": "value", "type": "quantitative"},
             "color": {"field": "signal", "type": "nominal", "title": None,
                       "scale": {"domain": [SIGNAL_WORDS[s] for s in used],
                                 "range": [SIGNAL_STYLE[s][0] for s in used]}},
             "shape": {"field": "signal", "type": "nominal", "title": None,
                       "scale": {"domain": [SIGNAL_WORDS[s] for s in used],
                                 "range": [SIGNAL_STYLE[s][1] for s in used]}},
         }})
    spec = base_config() | {"data": {"values": data}, "layer": layers}
    columns = ["Period", value_label, "Average", "Lower limit", "Upper limit", "Signal"]
    rows = [
        [d["label"], _fmt(d["value"], places), _fmt(d["mean"], places + 1),
         _fmt(d["lower"], places + 1), _fmt(d["upper"], places + 1), d["signal"]]
        for d in data
    ]
    return Chart(
        chart_id=chart_id,
        title=title,
        summary=summary,
        svg=render_svg(spec, chart_id, title, summary),
        columns=columns,
        rows=rows,
        caption=f"Data for the chart: {title}",
        spec=spec,
    )
