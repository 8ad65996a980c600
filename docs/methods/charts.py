"""Draw the charts for the method pages into docs/methods/img/.

Run from the repository root:

    .venv/bin/python docs/methods/charts.py

Every chart uses numbers printed in DOMAIN.md (sections 4.1 to 4.4), so the script needs no
data files. The SPC and peer bar charts use the app's own chart code (`oversight.charts`); the
funnel plot, baseline and exception charts are Vega-Lite specs built here with the same look
(`oversight.charts.base.base_config`). Each SVG keeps its width and height, so that it shows at
full size in a Markdown viewer, and carries a <title> and <desc> for screen readers.
"""

from __future__ import annotations

import html
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # let the script run from anywhere without installing
    sys.path.insert(0, str(ROOT))

import vl_convert as vlc  # noqa: E402

from oversight.charts import peer_chart, spc_chart  # noqa: E402
from oversight.charts.base import (  # noqa: E402
    COMMON,
    CONCERN,
    LINE,
    base_config,
)
from oversight.methods.exceptions import QuarterFigure, find_exceptions  # noqa: E402
from oversight.methods.msg import (  # noqa: E402
    AreaCount,
    compare_with_peers,
    funnel_limits,
    weighted_rate,
)
from oversight.methods.spc import spc  # noqa: E402

IMG = Path(__file__).resolve().parent / "img"
INK = "#0b0c0c"
HIGHLIGHT = "#1d70b8"
OTHER = "#b1b4b6"
MONTH_NAMES = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()

# DOMAIN.md 4.3: Leicestershire burglary (data.police.uk rows), December 2019 to November 2022.
BURGLARY = [
    557, 646, 534, 486, 350, 354, 311, 369, 356, 397, 487, 443, 322, 281, 271, 294, 265, 297,
    259, 271, 308, 275, 384, 336, 382, 407, 401, 482, 398, 451, 461, 496, 441, 420, 516, 520,
]  # fmt: skip

# DOMAIN.md 4.2: the synthetic worked example (lower is better).
FORCE = AreaCount("F", 9_000, 1_000_000)
PEERS = [AreaCount("A", 6_000, 750_000), AreaCount("B", 12_000, 2_000_000),
         AreaCount("C", 5_500, 500_000)]  # fmt: skip

# DOMAIN.md 4.3: Leicestershire burglary, December to February windows.
WINDOWS = [
    ("Dec 2018 – Feb 2019", 2_029, "Pre-pandemic"),
    ("Dec 2019 – Feb 2020", 1_737, "Pre-pandemic"),
    ("Dec 2020 – Feb 2021", 874, "Lockdown"),
    ("Dec 2021 – Feb 2022", 1_190, "Current"),
]
BASELINE_LINES = [
    ("Naive (last year): 874", 874),
    ("Option 3 (last pre-pandemic year): 1,737", 1_737),
    ("Option 2 (two-year mean): 1,883", 1_883),
]

# DOMAIN.md 4.4: the worked example (lower is better).
QUARTERS = [
    QuarterFigure("2013/14 Q1", 8.2, upper=8.0),
    QuarterFigure("2013/14 Q2", 7.9, upper=8.0),
    QuarterFigure("2013/14 Q3", 8.3, upper=8.1),
    QuarterFigure("2013/14 Q4", 8.4, upper=8.1),
    QuarterFigure("2014/15 Q1", 8.2, upper=8.0),
    QuarterFigure("2014/15 Q2", 8.0, upper=8.0),
]


def months(first_year: int, first_month: int, count: int) -> list[str]:
    """Short month labels ("Dec 2019"), `count` of them from the given month."""
    labels = []
    for step in range(count):
        index = first_year * 12 + first_month - 1 + step
        labels.append(f"{MONTH_NAMES[index % 12]} {index // 12}")
    return labels


def render(spec: dict[str, Any], name: str, title: str, description: str) -> Path:
    """Render `spec` to img/<name>.svg, keeping its size and adding a title and description."""
    svg = vlc.vegalite_to_svg(spec)
    head = f'<svg role="img" aria-labelledby="{name}-title {name}-desc"'
    svg = svg.replace("<svg", head, 1)
    close = svg.index(">") + 1
    accessible = (
        f'<title id="{name}-title">{html.escape(title)}</title>'
        f'<desc id="{name}-desc">{html.escape(description)}</desc>'
    )
    path = IMG / f"{name}.svg"
    path.write_text(svg[:close] + accessible + svg[close:], encoding="utf-8")
    return path


def spc_svg() -> Path:
    labels = months(2019, 12, len(BURGLARY))
    result = spc(BURGLARY, periods=labels, polarity="lower")
    points = [
        {"period": p.period, "value": p.value, "mean": p.mean, "upper": p.upper,
         "lower": p.lower, "segment": p.segment, "signal": p.signal}
        for p in result.points
    ]  # fmt: skip
    title = "Leicestershire burglary each month, December 2019 to November 2022"
    summary = (
        "One set of limits (average 395.2, limits 264.0 to 526.5) spans the lockdown step: "
        "concern from December 2019 to February 2020, improvement from December 2020 to "
        "December 2021 and concern from January to November 2022."
    )
    chart = spc_chart("spc", title, points, summary=summary, value_label="Burglaries")
    return render(chart.spec, "spc", title, summary)


def msg_svg() -> Path:
    comparison = compare_with_peers(FORCE, PEERS, "lower")
    areas = sorted([FORCE, *PEERS], key=lambda area: area.rate)
    bars = [
        {"name": "F (this force)" if area is FORCE else area.name, "rate": area.rate,
         "count": area.count, "population": area.population, "highlight": area is FORCE}
        for area in areas
    ]  # fmt: skip
    title = "Rate per 1,000 people: force F and its peers (synthetic example)"
    summary = (
        f"F's rate is 9.00 per 1,000, ranked {comparison.rank} of {comparison.group_size} "
        "(1 is lowest, lower is better), 0.50 above the unweighted peer average of 8.50 "
        "(F included)."
    )
    chart = peer_chart("msg", title, bars, average=comparison.average, summary=summary)
    spec = dict(chart.spec)
    spec["layer"] = [
        *spec["layer"],
        {"mark": {"type": "text", "align": "left", "dx": 6, "fontSize": 12, "color": INK},
         "data": {"values": [{"average": comparison.average, "y": bars[0]["name"]}]},
         "encoding": {"x": {"field": "average", "type": "quantitative"},
                      "y": {"field": "y", "type": "nominal", "sort": None},
                      "text": {"value": "Average 8.50 (unweighted, F included)"}}},
    ]  # fmt: skip
    return render(spec, "msg", title, summary)


def msg_funnel_svg() -> Path:
    centre = weighted_rate([FORCE, *PEERS])
    lines = []
    for step in range(121):
        population = round(20_000 * (2_250_000 / 20_000) ** (step / 120))
        for level, name in ((0.95, "95% limits"), (0.998, "99.8% limits")):
            limits = funnel_limits(centre, population, level)
            for side, value in (("lower", limits.lower), ("upper", limits.upper)):
                lines.append({"population": population, "rate": value, "limit": name,
                              "side": f"{name} {side}"})  # fmt: skip
        lines.append({"population": population, "rate": centre,
                      "limit": "Weighted average 7.65", "side": "centre"})  # fmt: skip
    points = [
        {"population": area.population, "rate": area.rate,
         "who": "This force" if area is FORCE else "Peer force",
         "label": f"{area.name} {area.rate:.2f}"}
        for area in [FORCE, *PEERS]
    ]  # fmt: skip
    x = {"field": "population", "type": "quantitative", "title": "Population",
         "scale": {"domain": [0, 2_250_000]}, "axis": {"format": "~s"}}  # fmt: skip
    spec = base_config() | {
        "layer": [
            {"data": {"values": lines},
             "mark": {"type": "line", "color": LINE, "strokeWidth": 1.2},
             "encoding": {
                 "x": x,
                 "y": {"field": "rate", "type": "quantitative", "title": "Rate per 1,000 people",
                       "scale": {"domain": [5, 12]}},
                 "detail": {"field": "side"},
                 "strokeDash": {"field": "limit", "type": "nominal", "title": None,
                                "scale": {"domain": ["Weighted average 7.65", "95% limits",
                                                     "99.8% limits"],
                                          "range": [[1, 0], [6, 4], [2, 2]]}},
             }},
            {"data": {"values": points},
             "mark": {"type": "point", "filled": True, "size": 90, "stroke": INK,
                      "strokeWidth": 0.5, "opacity": 1},
             "encoding": {
                 "x": x,
                 "y": {"field": "rate", "type": "quantitative"},
                 "color": {"field": "who", "type": "nominal", "title": None,
                           "scale": {"domain": ["This force", "Peer force"],
                                     "range": [HIGHLIGHT, OTHER]}},
                 "shape": {"field": "who", "type": "nominal", "title": None,
                           "scale": {"domain": ["This force", "Peer force"],
                                     "range": ["diamond", "circle"]}},
             }},
            {"data": {"values": points},
             "mark": {"type": "text", "align": "left", "dx": 8, "dy": -10, "fontSize": 12,
                      "color": INK},
             "encoding": {"x": x, "y": {"field": "rate", "type": "quantitative"},
                          "text": {"field": "label"}}},
        ],
        "resolve": {"scale": {"color": "independent", "shape": "independent"}},
    }  # fmt: skip
    title = "Funnel plot: rate per 1,000 against population (synthetic example)"
    summary = (
        "The limits narrow as population grows (drawn from a population of 20,000), around "
        "the weighted average of 7.65 per 1,000. "
        "At a population of 1,000,000 the 95% limits are 7.48 to 7.82 and the 99.8% limits "
        "7.38 to 7.92; all four forces lie outside both."
    )
    return render(spec, "msg-funnel", title, summary)


def baselines_svg() -> Path:
    bars = [{"window": w, "count": n, "kind": kind, "label": f"{n:,}"} for w, n, kind in WINDOWS]
    rules = [{"name": name, "value": value} for name, value in BASELINE_LINES]
    split = "split(datum.label, ' – ')"
    x = {"field": "window", "type": "nominal", "sort": None, "title": None,
         "axis": {"labelAngle": 0, "labelExpr": f"[{split}[0] + ' –', {split}[1]]"}}  # fmt: skip
    kinds = {"domain": ["Pre-pandemic", "Lockdown", "Current"],
             "range": [OTHER, "#ffffff", HIGHLIGHT]}  # fmt: skip
    spec = base_config(width=460, height=300) | {
        "layer": [
            {"data": {"values": bars},
             "mark": {"type": "bar", "stroke": INK, "strokeWidth": 0.8, "width": {"band": 0.6}},
             "encoding": {
                 "x": x,
                 "y": {"field": "count", "type": "quantitative", "title": "Burglaries",
                       "scale": {"domain": [0, 2_300]}},
                 "fill": {"field": "kind", "type": "nominal", "title": None, "scale": kinds},
             }},
            {"data": {"values": bars},
             "mark": {"type": "text", "dy": -8, "fontSize": 12, "color": INK},
             "encoding": {"x": x, "y": {"field": "count", "type": "quantitative"},
                          "text": {"field": "label"}}},
            {"data": {"values": rules},
             "mark": {"type": "rule", "color": INK, "strokeDash": [6, 4]},
             "encoding": {"y": {"field": "value", "type": "quantitative"}}},
            {"data": {"values": rules},
             "mark": {"type": "text", "align": "left", "baseline": "middle", "fontSize": 11,
                      "color": INK, "x": {"expr": "width + 6"}},
             "encoding": {"y": {"field": "value", "type": "quantitative"},
                          "text": {"field": "name"}}},
        ],
    }  # fmt: skip
    title = "Leicestershire burglary, December to February, against three baselines"
    summary = (
        "The current window (1,190) is up 316 on the lockdown window (874) but down 547 (31.5%) "
        "on the last pre-pandemic window (1,737) and down 693 (36.8%) on the two-year mean "
        "(1,883)."
    )
    return render(spec, "baselines", title, summary)


STATE_STYLE = {
    "Inside the range": (COMMON, "circle"),
    "Outside, no exception": ("#ffffff", "square"),
    "Exception raised": (CONCERN, "triangle-up"),
    "Exception open": (CONCERN, "diamond"),
    "Exception closed": (COMMON, "cross"),
}


def _state(row: Any) -> tuple[str, str]:
    """The legend entry and the short label written above the point."""
    if row.state == "raised":
        return "Exception raised", f"raised (run {row.run})"
    if row.state == "open":
        return "Exception open", f"open (run {row.run})"
    if row.state == "closed":
        return "Exception closed", "closed"
    if row.out:
        return "Outside, no exception", f"out (run {row.run})"
    return "Inside the range", "inside"


def exceptions_svg() -> Path:
    result = find_exceptions(QUARTERS, "lower", unit="per 1,000")
    data = []
    for row in result.rows:
        state, label = _state(row)
        data.append({"quarter": row.quarter, "value": row.value, "upper": row.upper,
                     "state": state, "label": label})  # fmt: skip
    used = [name for name in STATE_STYLE if any(d["state"] == name for d in data)]
    x = {"field": "quarter", "type": "ordinal", "sort": None, "title": None,
         "axis": {"labelAngle": 0}}  # fmt: skip
    y = {"field": "value", "type": "quantitative", "title": "Rate per 1,000 people",
         "scale": {"domain": [7.6, 8.6]}}  # fmt: skip
    spec = base_config() | {
        "data": {"values": data},
        "layer": [
            {"mark": {"type": "line", "color": INK, "strokeWidth": 1, "strokeDash": [6, 4],
                      "interpolate": "step"},
             "encoding": {"x": x, "y": {**y, "field": "upper"}}},
            {"mark": {"type": "text", "baseline": "top", "dy": 6, "fontSize": 11,
                      "color": INK},
             "transform": [{"filter": "datum.quarter == '2013/14 Q4'"}],
             "encoding": {"x": x, "y": {"field": "upper", "type": "quantitative"},
                          "text": {"value": "upper bound (dashed)"}}},
            {"mark": {"type": "line", "color": LINE, "strokeWidth": 1.5},
             "encoding": {"x": x, "y": y}},
            {"mark": {"type": "point", "filled": True, "size": 110, "stroke": INK,
                      "strokeWidth": 0.8, "opacity": 1},
             "encoding": {
                 "x": x, "y": y,
                 "color": {"field": "state", "type": "nominal", "title": None,
                           "scale": {"domain": used,
                                     "range": [STATE_STYLE[s][0] for s in used]}},
                 "shape": {"field": "state", "type": "nominal", "title": None,
                           "scale": {"domain": used,
                                     "range": [STATE_STYLE[s][1] for s in used]}},
             }},
            {"mark": {"type": "text", "dy": -14, "fontSize": 12, "color": INK},
             "encoding": {"x": x, "y": y, "text": {"field": "label"}}},
        ],
    }  # fmt: skip
    title = "The two-consecutive-quarters rule: the worked example"
    summary = (
        "Out in 2013/14 Q1 alone (no exception); raised in 2013/14 Q4 after Q3 and Q4 were both "
        "above the upper bound; open in 2014/15 Q1; closed in 2014/15 Q2, when 8.0 equals the "
        "bound and so is inside."
    )
    return render(spec, "exceptions", title, summary)


def main() -> None:
    IMG.mkdir(parents=True, exist_ok=True)
    for draw in (spc_svg, msg_svg, msg_funnel_svg, baselines_svg, exceptions_svg):
        path = draw()
        print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
