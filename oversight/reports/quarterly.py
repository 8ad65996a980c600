"""The quarterly performance report to the Police and Crime Panel.

One context (``build_context``) feeds every format; ``render_html`` writes the HTML, either as a
page of the site or as a self-contained file for ``out/``.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.loader import get_template
from django.utils import timezone

from oversight.formatting import date_words
from oversight.performance.presentation import POLARITY_WORDS, STATUS_TAGS, UNIT_WORDS, measure_view

ATTRIBUTION = (
    "Contains public sector information licensed under the Open Government Licence v3.0. "
    "Source: data.police.uk, Home Office, Office for National Statistics. Street-level figures "
    "are the records forces publish on data.police.uk, not official recorded crime statistics."
)


def _describe(value: Any) -> str:
    """A plan field (text, or a dict from the plan file) in words."""
    if value in (None, "", {}, []):
        return ""
    if isinstance(value, dict):
        parts = []
        for key, item in value.items():
            if item in (None, "", [], {}):
                continue
            words = key.replace("_", " ")
            if isinstance(item, list):
                item = ", ".join(str(i) for i in item)
            parts.append(f"{words[:1].upper()}{words[1:]}: {str(item).replace('_', ' ')}")
        return "; ".join(parts)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def about_measure(measure: Any) -> list[tuple[str, str]]:
    """The technical description of a measure: definition, source, method, target, owner."""
    return [
        ("Definition", measure.definition),
        ("Unit", UNIT_WORDS.get(measure.unit, measure.unit)),
        ("Polarity", POLARITY_WORDS.get(measure.polarity, measure.polarity)),
        ("Data source", _describe(measure.source)),
        ("Frequency", str(getattr(measure, "frequency", "") or "").replace("_", " ")),
        ("Baseline", _describe(measure.baseline)),
        ("Target", _describe(measure.target)),
        ("Owner", measure.owner),
        ("Caveats", _describe(getattr(measure, "caveats", ""))),
    ]


def build_context(plan: Any, *, public_only: bool) -> dict[str, Any]:
    """Everything the report shows, from stored results only."""
    measures = plan.measures.select_related("theme", "result").order_by("order", "id")
    if public_only:
        measures = measures.filter(public=True)
    views = [measure_view(m, getattr(m, "result", None)) for m in measures]
    quarter = next((v["quarter"] for v in views if v.get("quarter")), None)
    themes = []
    for theme in plan.themes.order_by("number"):
        in_theme = [v for v in views if v["measure"].theme_id == theme.id]
        if in_theme:
            themes.append({"number": theme.number, "title": theme.title, "measures": in_theme})
    counts = Counter(v["status"]["key"] for v in views)
    return {
        "plan": plan,
        "page_title": f"Quarterly performance report: {quarter['words']}" if quarter
        else "Quarterly performance report",
        "quarter": quarter,
        "themes": themes,
        "views": views,
        "status_counts": [(STATUS_TAGS[k][0], STATUS_TAGS[k][1], counts[k])
                          for k in STATUS_TAGS if counts[k]],
        "annex": [(v, about_measure(v["measure"])) for v in views],
        "attribution": ATTRIBUTION,
        "generated": date_words(timezone.localdate()),
    }


def _inline_css() -> str:
    static = Path(settings.BASE_DIR) / "static"
    css = (static / "govuk" / "govuk-frontend.min.css").read_text(encoding="utf-8")
    return css + "\n" + (static / "oversight" / "oversight.css").read_text(encoding="utf-8")


def render_html(plan: Any, *, public_only: bool = True, standalone: bool = True,
                request: Any = None) -> str:
    """The report as HTML: a page of the site, or a self-contained file when ``standalone``."""
    context = build_context(plan, public_only=public_only)
    context["layout"] = "reports/standalone.html" if standalone else "base.html"
    if standalone:
        context["inline_css"] = _inline_css()
    else:
        context["breadcrumbs"] = [{"text": "The plan", "href": "/"}]
    return get_template("reports/quarterly.html").render(context, request)


def write_html(plan: Any, out_dir: Path, *, public_only: bool = True) -> Path:
    """Write the self-contained HTML report under ``out_dir`` and return its path."""
    html = render_html(plan, public_only=public_only, standalone=True)
    context_quarter = build_context(plan, public_only=public_only)["quarter"]
    name = context_quarter["label"].replace("/", "-").replace(" ", "-") if context_quarter \
        else "latest"
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"quarterly-report-{name}.html"
    path.write_text(html, encoding="utf-8")
    return path
