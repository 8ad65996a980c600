"""Report data -> HTML, from one set of templates for every format.

``html(data, medium=...)`` renders the report for one medium:

- ``"html"``: a self-contained file (GOV.UK Frontend styles inlined, print styles included);
- ``"pdf"``: the same document with the print stylesheet only, for WeasyPrint;
- ``"site"``: a page of the site, in the site's layout.

The PDF and Word files are made from the ``"pdf"`` HTML, so all three say the same thing.
Charts are drawn once per ``Charts`` (SVG for HTML and PDF, a PNG of the same SVG for Word),
from the points and bars in the data, so a frozen report draws the charts it was published
with.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import vl_convert as vlc
from django.conf import settings
from django.template.loader import get_template

from oversight.charts import Chart, peer_chart, spc_chart

STATIC = Path(__file__).resolve().parent / "static" / "reports"


WORKERS = max(1, min(4, os.cpu_count() or 1))


# Drawn charts are kept (by everything that goes into them) for the life of the process, so
# drafts made again and again, or a draft then its publication, do not redraw them.
@lru_cache(maxsize=512)
def _spc(key: str) -> Chart:
    chart_id, title, points, summary, value_label, places = json.loads(key)
    return spc_chart(chart_id, title, points, summary=summary, value_label=value_label,
                     places=places)


@lru_cache(maxsize=512)
def _peers(key: str) -> Chart:
    chart_id, title, bars, average, summary = json.loads(key)
    return peer_chart(chart_id, title, bars, average=average, summary=summary)


@lru_cache(maxsize=512)
def _png(svg: str) -> bytes:
    return vlc.svg_to_png(svg, scale=2)


class Charts:
    """The charts of one report, each drawn once: SVG, and a PNG of that SVG for Word.

    ``prepare`` draws every chart of a report up front on a few threads (vl-convert runs
    outside Python's lock), so a long report does not wait for its charts one by one.
    """

    def __init__(self) -> None:
        self._charts: dict[str, Chart] = {}
        self._png: dict[str, bytes] = {}

    @staticmethod
    def _drawings(entry: dict[str, Any]) -> list[tuple[str, Callable[[], Chart]]]:
        """(chart id, how to draw it) for the measure's SPC and peer comparison charts."""
        drawings: list[tuple[str, Callable[[], Chart]]] = []
        spc = entry.get("spc") or {}
        if entry.get("available") and spc.get("available") and spc.get("points"):
            # Months for data.police.uk counts; the source's periods for other sources.
            each = spc.get("each", "month")
            label = spc.get("value_label", "Number")
            shown = (f"the latest {spc['shown']} of {spc['total']} {each}s"
                     if spc["shown"] < spc["total"] else f"all {spc['total']} {each}s")
            points = [{**point, "period": point["label"]} for point in spc["points"]]
            spc_key = json.dumps([f"chart-{entry['chart_key']}-spc",
                                  f"{entry['name']}: {label.lower()} each {each} ({shown})",
                                  points, spc["sentence"], label, spc.get("places", 0)],
                                 sort_keys=True)
            drawings.append((f"chart-{entry['chart_key']}-spc", lambda: _spc(spc_key)))
        peers = entry.get("peers")
        if entry.get("available") and peers:
            peer_key = json.dumps([f"chart-{entry['chart_key']}-peers",
                                   f"{entry['name']}: rate per 1,000 people, {peers['words']}",
                                   peers["bars"], peers["average"], peers["sentence"]],
                                  sort_keys=True)
            drawings.append((f"chart-{entry['chart_key']}-peers", lambda: _peers(peer_key)))
        return drawings

    def _todo(self, data: dict[str, Any]) -> list[tuple[str, Callable[[], Chart]]]:
        return [(chart_id, draw) for theme in data.get("themes", [])
                for entry in theme["measures"] for chart_id, draw in self._drawings(entry)
                if chart_id not in self._charts]

    def count(self, data: dict[str, Any]) -> int:
        """How many charts of the report data are not drawn yet."""
        return len(self._todo(data))

    def prepare(self, data: dict[str, Any], *,
                advance: Callable[[], None] | None = None) -> None:
        """Draw every chart of the report data that is not drawn yet, calling ``advance``
        after each."""
        todo = self._todo(data)
        drawn = []
        with ThreadPoolExecutor(WORKERS) as pool:
            for chart in pool.map(lambda item: item[1](), todo):
                drawn.append(chart)
                if advance is not None:
                    advance()
        for (chart_id, _), chart in zip(todo, drawn, strict=True):
            self._charts[chart_id] = chart

    def prepare_png(self) -> None:
        """Make the PNG of every chart drawn so far."""
        todo = [chart_id for chart_id in self._charts if chart_id not in self._png]
        with ThreadPoolExecutor(WORKERS) as pool:
            images = list(pool.map(lambda chart_id: _png(self._charts[chart_id].svg), todo))
        self._png.update(zip(todo, images, strict=True))

    def for_measure(self, entry: dict[str, Any]) -> list[Chart]:
        charts = []
        for chart_id, draw in self._drawings(entry):
            if chart_id not in self._charts:
                self._charts[chart_id] = draw()
            charts.append(self._charts[chart_id])
        return charts

    def spc(self, entry: dict[str, Any]) -> Chart | None:
        return next((c for c in self.for_measure(entry) if c.chart_id.endswith("-spc")), None)

    def peers(self, entry: dict[str, Any]) -> Chart | None:
        return next((c for c in self.for_measure(entry) if c.chart_id.endswith("-peers")), None)

    def get(self, chart_id: str) -> Chart | None:
        return self._charts.get(chart_id)

    def png(self, chart_id: str) -> bytes:
        """The chart as a PNG at twice its size: the SVG rasterised, so both show the same."""
        if chart_id not in self._png:
            self._png[chart_id] = _png(self._charts[chart_id].svg)
        return self._png[chart_id]


@cache
def _css(*names: str) -> str:
    parts = []
    for name in names:
        if name.startswith("govuk/") or name.startswith("oversight/"):
            path = Path(settings.BASE_DIR) / "static" / name
        else:
            path = STATIC / name
        parts.append(path.read_text(encoding="utf-8"))
    return "\n".join(parts)


def inline_css(medium: str) -> str:
    """The stylesheets a self-contained file carries for ``medium`` ("html" or "pdf")."""
    if medium == "pdf":
        return _css("print.css", "report.css")
    # A file on its own has no font files beside it: the @font-face rules would only point
    # at missing files, so they are left out and the page uses the fallback fonts.
    return re.sub(r"@font-face\{[^}]*\}", "",
                  _css("govuk/govuk-frontend.min.css", "oversight/oversight.css", "report.css"))


TEMPLATES = {
    "quarterly": "reports/quarterly.html",
    "thematic": "reports/thematic.html",
    "annual": "reports/annual.html",
}


def html(data: dict[str, Any], *, medium: str = "html", charts: Charts | None = None,
         request: Any = None) -> str:
    """Render the report data as HTML for ``medium`` ("html", "pdf" or "site")."""
    context = {
        "report": data,
        "charts": charts or Charts(),
        "medium": medium,
        "page_title": data["title"],
        "layout": "base.html" if medium == "site" else "reports/standalone.html",
    }
    if medium == "site":
        context["breadcrumbs"] = [{"text": "The plan", "href": "/"}]
    else:
        context["inline_css"] = inline_css(medium)
    return get_template(TEMPLATES[data["kind"]]).render(context, request)


def unavailable_page(plan: Any, message: str, *, request: Any = None) -> str:
    """The site's report page when there is no complete quarter to report on."""
    return get_template("reports/unavailable.html").render(
        {"page_title": "Quarterly performance report", "message": message, "plan": plan,
         "breadcrumbs": [{"text": "The plan", "href": "/"}]}, request)
