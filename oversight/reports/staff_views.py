"""Panel reports in the staff area (``/staff/reports/``): build a report, read and download the
draft, publish it.

Analysts and administrators build and publish; Panel members may read drafts and published
reports (internal ones included); data providers and the public may not. Publishing goes
through ``services.publish_draft``, which publishes through ``services.publish`` (the one way
to freeze a report) and refuses if the data has changed since the draft was built.

A build runs in the request: for the demo plan it takes a few seconds (the PDF is most of it),
and the page says how long it took.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_http_methods

from oversight.accounts.models import Role
from oversight.accounts.roles import role_of, role_required
from oversight.formatting import number
from oversight.reports import annual, services
from oversight.reports.figures import ReportError, latest_quarter, parse_quarter, parse_year
from oversight.reports.models import PublishedReport, ReportDraft
from oversight.staff import work
from oversight.staff.govuk import plan_or_404, staff_page

ANALYSTS = (Role.ADMINISTRATOR, Role.ANALYST)
READERS = (Role.ADMINISTRATOR, Role.ANALYST, Role.PANEL_MEMBER)
NOTE_MAX = 500
KIND_WORDS = dict(PublishedReport.Kind.choices)
AUDIENCES = {"public": "Public: only measures shown on the public site",
             "internal": "Internal: every measure, not for publication"}
DASHBOARD = {"text": "Dashboard", "href": "/staff/"}
REPORTS = {"text": "Panel reports", "href": "/staff/reports/"}
_FILES_ONLY = ("html", "pdf", "docx", "context")


def _breadcrumbs(request: HttpRequest) -> list[dict[str, str]]:
    if role_of(request.user) == Role.PANEL_MEMBER:
        return [{"text": "Police and Crime Panel", "href": "/staff/panel/"}, REPORTS]
    return [DASHBOARD, REPORTS]


@role_required(*READERS)
def index(request: HttpRequest) -> HttpResponse:
    """Published reports (internal ones too) and the drafts built here, newest first."""
    published = list(PublishedReport.objects.defer(*_FILES_ONLY)
                     .order_by("-published_at", "-id")[:50])
    drafts = list(ReportDraft.objects.defer(*_FILES_ONLY).select_related("published")[:30])
    return staff_page(
        request, "reports/staff/index.html", "Panel reports",
        published=[(r, work.when(r.published_at)) for r in published],
        drafts=[(d, work.when(d.built_at)) for d in drafts],
        can_build=role_of(request.user) in ANALYSTS,
        breadcrumbs=_breadcrumbs(request)[:-1],
    )


def _defaults(plan: Any) -> dict[str, str]:
    """What an empty period means, in words, or why no report can be built."""
    try:
        quarter = latest_quarter(plan)
        year = annual.default_year(plan)
    except ReportError as exc:
        return {"problem": str(exc)}
    return {"quarter": quarter, "year": year}


def _check_choices(post: Any, themes: list[Any]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The form's choices, cleaned, and the errors as ``(field id, message)``."""
    kind = post.get("kind", "")
    audience = post.get("audience", "public")
    period = post.get("period", "").strip()
    theme_text = post.get("theme", "")
    errors: list[tuple[str, str]] = []
    if kind not in services.KINDS:
        errors.append(("kind", "Choose the kind of report to build"))
    theme = None
    if kind == "thematic":
        numbers = {str(t.number): t.number for t in themes}
        if theme_text not in numbers:
            errors.append(("theme", "Choose the theme the thematic update is about"))
        else:
            theme = numbers[theme_text]
    if audience not in AUDIENCES:
        errors.append(("audience", "Choose who the report is for"))
    label = None
    if period and kind in services.KINDS:
        try:
            label = parse_year(period) if kind == "annual" else parse_quarter(period)
        except ReportError as exc:
            errors.append(("period", f"{exc}. Or leave it empty for the latest."))
    return {"kind": kind, "theme": theme, "theme_text": theme_text, "period": period,
            "label": label, "audience": audience}, errors


@role_required(*ANALYSTS)
@require_http_methods(["GET", "POST"])
def build(request: HttpRequest) -> HttpResponse:
    """Choose a report (kind, period, theme, audience) and build its HTML, PDF and Word files."""
    plan = plan_or_404()
    themes = list(plan.themes.order_by("number"))
    chosen: dict[str, Any] = {"kind": "quarterly", "theme_text": "", "period": "",
                              "audience": "public"}
    errors: list[tuple[str, str]] = []
    if request.method == "POST":
        chosen, errors = _check_choices(request.POST, themes)
        if not errors:
            try:
                draft = services.build_draft(chosen["kind"], plan, chosen["label"],
                                             user=request.user, theme=chosen["theme"],
                                             public_only=chosen["audience"] == "public")
            except ReportError as exc:
                errors = [("period", str(exc))]
            else:
                messages.success(request, f"{draft.title} was built in "
                                          f"{draft.seconds:.1f} seconds. Check it, then "
                                          "publish it or build it again.")
                return redirect("staff-reports:draft", pk=draft.pk)
    return staff_page(request, "reports/staff/build.html", "Build a report", errors=errors,
                      plan=plan, themes=themes, chosen=chosen, defaults=_defaults(plan),
                      kinds=KIND_WORDS, audiences=AUDIENCES,
                      breadcrumbs=_breadcrumbs(request))


def _draft(pk: int) -> ReportDraft:
    return get_object_or_404(ReportDraft.objects.select_related("plan", "published"), pk=pk)


def _sizes(item: Any) -> dict[str, str]:
    return {"html": number(len(item.html.encode("utf-8")) / 1024),
            "pdf": number(len(item.pdf) / 1024), "docx": number(len(item.docx) / 1024)}


@role_required(*READERS)
def draft(request: HttpRequest, pk: int) -> HttpResponse:
    """A built report: what it is, its files, the HTML as built, and the way to publish it."""
    item = _draft(pk)
    series = services.latest_published(item.kind, item.plan, item.period,
                                       theme=item.theme_number, public_only=item.public)
    return staff_page(request, "reports/staff/draft.html", item.title, draft=item,
                      built=work.when(item.built_at), sizes=_sizes(item), latest=series,
                      latest_when=work.when(series.published_at) if series else "",
                      kind_words=KIND_WORDS[item.kind], audience=AUDIENCES[
                          "public" if item.public else "internal"],
                      can_publish=role_of(request.user) in ANALYSTS,
                      breadcrumbs=_breadcrumbs(request))


def _file(item: Any, fmt: str, stem: str) -> HttpResponse:
    if fmt not in services.CONTENT_TYPES:
        raise Http404("Reports come as html, pdf and docx")
    content = item.html.encode("utf-8") if fmt == "html" else bytes(getattr(item, fmt))
    response = HttpResponse(content, content_type=services.CONTENT_TYPES[fmt])
    if fmt != "html":
        response["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


@role_required(*READERS)
@xframe_options_sameorigin
def draft_file(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The draft's HTML (shown in the browser, and framed on the draft's page), PDF or Word."""
    item = _draft(pk)
    return _file(item, fmt, item.file_stem)


@role_required(*READERS)
def published_file(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """A published report's files as published, internal reports included."""
    report = get_object_or_404(PublishedReport, pk=pk)
    return _file(report, fmt, report.file_stem + ("" if report.public else "-internal"))


@role_required(*ANALYSTS)
@require_http_methods(["GET", "POST"])
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm, then publish the draft: a new frozen version, through ``services.publish``."""
    item = _draft(pk)
    note = request.POST.get("note", "").strip() if request.method == "POST" else ""
    errors: list[tuple[str, str]] = []
    current = item.published_id is None and services.draft_is_current(item)
    if request.method == "POST" and current:
        if request.POST.get("confirm") != "yes":
            errors.append(("confirm", "Confirm that the report has been checked and may be "
                                      "published"))
        if len(note) > NOTE_MAX:
            errors.append(("note", f"The note must be {NOTE_MAX} characters or fewer"))
        if not errors:
            try:
                report = services.publish_draft(item, user=request.user, note=note)
            except ReportError as exc:
                errors.append(("confirm", str(exc)))
            else:
                where = (f" It is on the public site at /reports/published/{report.id}/."
                         if report.public else " It is internal, so it is not on the public "
                         "site.")
                messages.success(request, f"{report.title} was published as version "
                                          f"{report.version}.{where}")
                return redirect("staff-reports:index")
    latest = services.latest_published(item.kind, item.plan, item.period,
                                       theme=item.theme_number, public_only=item.public)
    version = (latest.version if latest else 0) + 1
    return staff_page(request, "reports/staff/publish.html", f"Publish {item.title}",
                      errors=errors, draft=item, note=note, note_max=NOTE_MAX,
                      current=current, version=version, built=work.when(item.built_at),
                      audience=AUDIENCES["public" if item.public else "internal"],
                      breadcrumbs=[*_breadcrumbs(request),
                                   {"text": "Draft", "href": f"/staff/reports/drafts/{pk}/"}])
