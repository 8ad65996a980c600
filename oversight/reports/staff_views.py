"""Panel reports in the staff area (``/staff/reports/``): build a report, read and download the
draft, publish it.

Analysts and administrators build and publish; Panel members may read drafts and published
reports (internal ones included); data providers and the public may not. Publishing goes
through ``services.publish_draft``, which publishes through ``services.publish`` (the one way
to freeze a report) and refuses if the data has changed since the draft was built.

A build runs in the background (``oversight.reports.jobs``): the build page queues it and
sends the user to the build's page, which refreshes itself (no JavaScript) with each step until
the draft is ready, then sends the user to the draft; or says what went wrong, with the form to
build it again.

Analysts and administrators answer the Panel's questions here too (``question_answer``); the
answer is audited, and reports show it under the question.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_http_methods

from oversight.accounts import audit
from oversight.accounts.models import Role
from oversight.accounts.roles import role_of, role_required
from oversight.formatting import number
from oversight.reports import annual, jobs, services
from oversight.reports.figures import (
    ReportError,
    check_quarter,
    latest_quarter,
    parse_quarter,
    parse_year,
)
from oversight.reports.models import PublishedReport, ReportDraft
from oversight.staff import background, work
from oversight.staff.govuk import plan_or_404, staff_page
from oversight.staff.models import PanelQuestion, ReportJob

ANALYSTS = (Role.ADMINISTRATOR, Role.ANALYST)
READERS = (Role.ADMINISTRATOR, Role.ANALYST, Role.PANEL_MEMBER)
NOTE_MAX = 500
ANSWER_MAX = 5000
REFRESH_SECONDS = 3
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
    can_build = role_of(request.user) in ANALYSTS
    building = list(ReportJob.objects.filter(
        status__in=[ReportJob.Status.QUEUED, ReportJob.Status.RUNNING])[:20]) if can_build \
        else []
    return staff_page(
        request, "reports/staff/index.html", "Panel reports",
        published=[(r, work.when(r.published_at)) for r in published],
        drafts=[(d, work.when(d.built_at)) for d in drafts],
        building=[(j, work.when(j.created_at)) for j in building], kinds=KIND_WORDS,
        can_build=can_build, breadcrumbs=_breadcrumbs(request)[:-1],
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
            errors = _check_data(plan, chosen)
        if not errors:
            job = jobs.queue_build(kind=chosen["kind"], plan=plan, period=chosen["label"],
                                   theme=chosen["theme"],
                                   public=chosen["audience"] == "public", user=request.user)
            return redirect("staff-reports:job", pk=job.pk)
    return staff_page(request, "reports/staff/build.html", "Build a report", errors=errors,
                      **_form(plan, themes, chosen), breadcrumbs=_breadcrumbs(request))


def _check_data(plan: Any, chosen: dict[str, Any]) -> list[tuple[str, str]]:
    """Whether the data for the period is loaded, so a report that cannot be built is refused
    at once rather than by the build (which checks again, as the data may change meanwhile)."""
    try:
        if chosen["kind"] == "annual":
            annual.complete_quarters_of(plan, chosen["label"] or annual.default_year(plan))
        elif chosen["label"]:
            check_quarter(plan, chosen["label"])
        else:
            latest_quarter(plan)
    except ReportError as exc:
        return [("period", str(exc))]
    return []


def _form(plan: Any, themes: list[Any], chosen: dict[str, Any]) -> dict[str, Any]:
    """What the build form needs (``reports/staff/_build_form.html``)."""
    return {"plan": plan, "themes": themes, "chosen": chosen, "defaults": _defaults(plan),
            "kinds": KIND_WORDS, "audiences": AUDIENCES}


JOB_TITLES = {
    ReportJob.Status.QUEUED: "Waiting to build the report",
    ReportJob.Status.RUNNING: "Building the report",
    ReportJob.Status.DONE: "Report built",
    ReportJob.Status.FAILED: "The report was not built",
}


def _job_steps(job: ReportJob) -> list[dict[str, str]]:
    """Every step of a build, in order, with how far it got: done, under way, not started,
    or where it stopped."""
    reached = {step["text"]: step for step in background.steps_of(job)}
    rows = []
    last = next((text for text in reversed(services.STEPS.values()) if text in reached), None)
    for text in services.STEPS.values():
        step = reached.get(text)
        if step is None:
            status = "Not started"
        elif text != last or job.status == ReportJob.Status.DONE:
            status = "Done"
        elif job.status == ReportJob.Status.FAILED:
            status = "Stopped"
        else:
            status = "Under way"
        count = (f"{number(step['done'])} of {number(step['total'])}"
                 if step is not None and step["total"] > 1 else "")
        rows.append({"text": text, "status": status, "count": count})
    return rows


@role_required(*ANALYSTS)
def job(request: HttpRequest, pk: int) -> HttpResponse:
    """How a report's build is going: it refreshes itself (no JavaScript) until it ends, then
    sends the user to the draft, or says what went wrong with the form to build it again."""
    item = ReportJob.objects.filter(pk=pk).first()
    if item is None:
        raise Http404("No such report build")
    if item.status == ReportJob.Status.DONE and item.draft_id is not None:
        draft = item.draft
        messages.success(request, f"{draft.title} was built in {draft.seconds:.1f} seconds. "
                                  "Check it, then publish it or build it again.")
        return redirect("staff-reports:draft", pk=draft.pk)
    plan = plan_or_404()
    themes = list(plan.themes.order_by("number"))
    chosen = {"kind": item.kind, "theme_text": str(item.theme_number or ""),
              "period": item.period, "audience": "public" if item.public else "internal"}
    errors: list[tuple[str, str]] = []
    if item.status == ReportJob.Status.FAILED:
        errors = [(item.error_field or "build-again", item.error or ReportJob.STOPPED_MESSAGE)]
    theme = plan.themes.filter(number=item.theme_number).first() if item.theme_number else None
    response = staff_page(
        request, "reports/staff/job.html", JOB_TITLES[item.status], errors=errors, job=item,
        kind_words=KIND_WORDS.get(item.kind, item.kind), theme=theme,
        audience=AUDIENCES["public" if item.public else "internal"],
        steps=_job_steps(item), started=work.when(item.created_at),
        refresh_seconds=REFRESH_SECONDS, auto_refresh=request.GET.get("refresh") != "off",
        **_form(plan, themes, chosen), breadcrumbs=_breadcrumbs(request))
    response["Cache-Control"] = "no-store"
    return response


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


# --- answers to the Panel's questions -----------------------------------------------------------


@role_required(*ANALYSTS)
@require_http_methods(["GET", "POST"])
def question_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """Answer a Panel member's question, or change the answer; audited with before and after.
    Reports show the answer under the question."""
    question = get_object_or_404(
        PanelQuestion.objects.select_related("measure", "asked_by", "answered_by"),
        pk=pk, measure__plan__is_current=True)
    text = request.POST.get("answer", "").strip() if request.method == "POST" \
        else question.answer
    errors: list[tuple[str, str]] = []
    if request.method == "POST":
        if not text:
            errors.append(("answer", "Enter the answer to the question"))
        elif len(text) > ANSWER_MAX:
            errors.append(("answer", f"The answer must be {number(ANSWER_MAX)} characters or "
                                     f"fewer; it is {number(len(text))}"))
        if not errors:
            fields = ["answer", "answered_by_name", "answered_at"]
            with transaction.atomic():
                question = PanelQuestion.objects.select_for_update().get(pk=question.pk)
                before = audit.snapshot(question, fields)
                changed = question.answered
                question.answer = text
                question.answered_by = request.user
                question.answered_by_name = request.user.get_username()
                question.answered_at = timezone.now()
                question.save(update_fields=[*fields, "answered_by"])
                audit.record(request.user, "panel-question.answer", question, before=before,
                             after=audit.snapshot(question, fields))
            messages.success(request, f"Your answer to the question about "
                                      f"{question.measure.name} was "
                                      f"{'changed' if changed else 'saved'}. Reports built from "
                                      "now on show it.")
            return redirect("staff:dashboard")
    return staff_page(
        request, "reports/staff/answer.html", "Answer a question from the Panel",
        errors=errors, question=question, text=text, answer_max=ANSWER_MAX,
        asked=work.when(question.asked_at),
        answered=work.when(question.answered_at) if question.answered else "",
        breadcrumbs=[DASHBOARD, {"text": "Questions from the Panel",
                                 "href": "/staff/#questions"}])
