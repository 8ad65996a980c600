"""Public pages for published reports: the list, one report with its files and revisions, and
the files exactly as published. Only reports published for the public are shown."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from oversight.reports.models import PublishedReport
from oversight.reports.services import CONTENT_TYPES, revisions

NAVIGATION = [
    {"href": "/", "text": "The plan"},
    {"href": "/reports/quarterly/", "text": "Performance report"},
    {"href": "/reports/published/", "text": "Published reports"},
    {"href": "/data/", "text": "Data sources"},
]


def _page(request: HttpRequest, template: str, title: str, **context: Any) -> HttpResponse:
    navigation = [dict(item, active=request.path.startswith(item["href"]) and item["href"] != "/")
                  for item in NAVIGATION]
    return render(request, template, {"page_title": title, "navigation": navigation, **context})


def _public(pk: int) -> PublishedReport:
    report = PublishedReport.objects.filter(pk=pk, public=True).select_related("plan").first()
    if report is None:
        raise Http404("No published report has that number")
    return report


def published_list(request: HttpRequest) -> HttpResponse:
    reports = list(PublishedReport.objects.filter(public=True)
                   .defer("html", "pdf", "docx", "context").order_by("-published_at", "-id"))
    for report in reports:
        report.published_on = timezone.localdate(report.published_at)
    return _page(request, "reports/published_list.html", "Published reports", reports=reports)


def published_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = _public(pk)
    report.published_on = timezone.localdate(report.published_at)
    versions = list(PublishedReport.objects.filter(series=report.series)
                    .defer("html", "pdf", "docx", "context").order_by("version"))
    for version in versions:
        version.published_on = timezone.localdate(version.published_at)
    breadcrumbs = [{"text": "The plan", "href": "/"},
                   {"text": "Published reports", "href": "/reports/published/"}]
    return _page(request, "reports/published_detail.html", report.title, report=report,
                 versions=versions, revised=revisions(report), breadcrumbs=breadcrumbs,
                 sizes={"pdf": len(report.pdf), "docx": len(report.docx),
                        "html": len(report.html.encode("utf-8"))})


def published_file(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The file exactly as published (HTML shown in the browser, PDF and Word downloaded)."""
    if fmt not in CONTENT_TYPES:
        raise Http404("Reports are published as html, pdf and docx")
    report = _public(pk)
    content = report.html.encode("utf-8") if fmt == "html" else bytes(getattr(report, fmt))
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    if fmt != "html":
        response["Content-Disposition"] = f'attachment; filename="{report.file_stem}.{fmt}"'
    return response
