"""Public pages: the current plan, each public measure, the quarterly report and data sources.

Views only gather stored results and render them; figures are computed elsewhere
(``oversight.performance``) and never here.
"""

from __future__ import annotations

import csv
from collections import Counter
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from oversight.data.models import ImportBatch
from oversight.performance.presentation import STATUS_TAGS, measure_view
from oversight.plans.services import current_plan
from oversight.reports import quarterly

NAVIGATION = [
    {"href": "/", "text": "The plan"},
    {"href": "/reports/quarterly/", "text": "Performance report"},
    {"href": "/data/", "text": "Data sources"},
]


def _page(request: HttpRequest, template: str, title: str, **context: Any) -> HttpResponse:
    navigation = [dict(item, active=request.path == item["href"]) for item in NAVIGATION]
    return render(request, template, {"page_title": title, "navigation": navigation, **context})


def _published_plan() -> Any:
    plan = current_plan()
    if plan is None:
        return None
    return plan


def _public_measures(plan: Any):
    return (plan.measures.filter(public=True)
            .select_related("theme", "result").order_by("order", "id"))


def home(request: HttpRequest) -> HttpResponse:
    plan = _published_plan()
    if plan is None:
        return _page(request, "portal/home.html", "Police and Crime Plan", plan=None, themes=[])
    measures = list(_public_measures(plan))
    views = [measure_view(m, getattr(m, "result", None), with_charts=False) for m in measures]
    themes = []
    for theme in plan.themes.prefetch_related("priorities").order_by("number"):
        themes.append({
            "number": theme.number,
            "title": theme.title,
            "description": theme.description,
            "priorities": sorted(theme.priorities.all(), key=lambda p: p.rank or 0),
            "measures": [v for v in views if v["measure"].theme_id == theme.id],
        })
    counts = Counter(v["status"]["key"] for v in views)
    status_counts = [(STATUS_TAGS[k][0], STATUS_TAGS[k][1], counts[k])
                     for k in STATUS_TAGS if counts[k]]
    quarter = next((v["quarter"]["words"] for v in views if v.get("quarter")), None)
    return _page(request, "portal/home.html", plan.title, plan=plan, themes=themes,
                 status_counts=status_counts, latest_quarter_words=quarter)


def _measure_or_404(code: str) -> Any:
    plan = _published_plan()
    if plan is None:
        raise Http404("No plan is published")
    measure = _public_measures(plan).filter(code=code).first()
    if measure is None:
        raise Http404("No public measure has that code")
    return measure


def measure(request: HttpRequest, code: str) -> HttpResponse:
    item = _measure_or_404(code)
    view = measure_view(item, getattr(item, "result", None))
    about_rows = [
        {"key": {"text": key}, "value": {"text": value or "Not stated"}}
        for key, value in quarterly.about_measure(item)
    ]
    breadcrumbs = [{"text": "The plan", "href": "/"}, {"text": item.theme.title,
                                                       "href": f"/#theme-{item.theme.number}"}]
    return _page(request, "portal/measure.html", item.name, view=view, about_rows=about_rows,
                 breadcrumbs=breadcrumbs)


def measure_csv(request: HttpRequest, code: str) -> HttpResponse:
    item = _measure_or_404(code)
    result = getattr(item, "result", None)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{item.code}-monthly.csv"'
    writer = csv.writer(response, lineterminator="\n")
    writer.writerow(["measure", "month", "count"])
    for row in (result.figures.get("series", []) if result else []):
        writer.writerow([item.code, row["period"], "" if row["count"] is None else row["count"]])
    return response


def quarterly_report(request: HttpRequest) -> HttpResponse:
    plan = _published_plan()
    if plan is None:
        raise Http404("No plan is published")
    html = quarterly.render_html(plan, public_only=True, standalone=False, request=request)
    return HttpResponse(html)


def data_sources(request: HttpRequest) -> HttpResponse:
    batches = (ImportBatch.objects.filter(status=ImportBatch.Status.CURRENT)
               .select_related("force").order_by("kind", "month", "file_name"))
    return _page(request, "portal/data.html", "Data sources", batches=batches)


def accessibility(request: HttpRequest) -> HttpResponse:
    return _page(request, "portal/accessibility.html", "Accessibility statement")
