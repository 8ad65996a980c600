"""The staff area: the analysts' dashboard, commentary, imports, the draft report and the
Panel's questions. Every view states the roles it allows through ``role_required``; a measure
is found only in the plan in use, so a code from another plan is "not found"."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_http_methods

from oversight.accounts import audit
from oversight.accounts.models import Role
from oversight.accounts.roles import role_of, role_required
from oversight.commentary import services as commentary_services
from oversight.commentary.models import Commentary
from oversight.data.models import ImportBatch
from oversight.data.validate import STREET_FILE_NAME
from oversight.plans.services import current_plan
from oversight.staff import background, work
from oversight.staff.govuk import plan_or_404, staff_page
from oversight.staff.imports import queue_import
from oversight.staff.models import ImportJob, PanelQuestion

ANALYSTS = (Role.ADMINISTRATOR, Role.ANALYST)
READERS = (Role.ADMINISTRATOR, Role.ANALYST, Role.PANEL_MEMBER)
QUESTION_MAX = 2000
REFRESH_SECONDS = 3
DASHBOARD = {"text": "Dashboard", "href": "/staff/"}


# --- landing pages ---------------------------------------------------------------------------


def dashboard(request: HttpRequest) -> HttpResponse:
    """Analysts' and administrators' dashboard; other roles go to their own landing page."""
    if request.user.is_authenticated:
        role = role_of(request.user)
        if role == Role.PANEL_MEMBER:
            return redirect("staff:panel")
        if role == Role.DATA_PROVIDER:
            return redirect("/staff/returns/")
    return _dashboard(request)


@role_required(*ANALYSTS)
def _dashboard(request: HttpRequest) -> HttpResponse:
    plan = current_plan()
    rows, latest = work.measure_rows(plan) if plan is not None else ([], None)
    to_review = [r for r in rows if r.commentary is not None
                 and r.commentary.status == Commentary.Status.REVIEW
                 and r.commentary.author_id != request.user.pk]
    questions = (PanelQuestion.objects.filter(measure__plan=plan, answered_at__isnull=True)
                 .select_related("measure", "asked_by")[:20]) if plan is not None else []
    batches = ImportBatch.objects.select_related("force")[:8]
    returns = work.late_returns()
    return staff_page(
        request, "staff/dashboard.html", "Dashboard", plan=plan, latest=latest,
        latest_words=work.period_words(latest),
        needing_commentary=[r for r in rows if r.needs_commentary],
        attention=[r for r in rows if r.needs_attention],
        to_review=to_review, questions=[(q, work.when(q.asked_at)) for q in questions],
        batches=[(b, work.when(b.imported_at)) for b in batches], signal_words=work.signal_words,
        returns=returns, missing_returns=sum(len(r.missing) for r in returns),
        today=timezone.localdate(),
    )


@role_required(Role.PANEL_MEMBER, Role.ADMINISTRATOR, Role.ANALYST)
def panel(request: HttpRequest) -> HttpResponse:
    """The Panel's page: the draft report, and the questions members have asked."""
    plan = current_plan()
    questions = (PanelQuestion.objects.filter(measure__plan=plan)
                 .select_related("measure", "asked_by")) if plan is not None else []
    return staff_page(request, "staff/panel.html", "Police and Crime Panel", plan=plan,
                      questions=[(q, work.when(q.asked_at),
                                  work.when(q.answered_at) if q.answered else "")
                                 for q in questions])


@role_required(*ANALYSTS)
def measures(request: HttpRequest) -> HttpResponse:
    plan = current_plan()
    rows, latest = work.measure_rows(plan) if plan is not None else ([], None)
    return staff_page(request, "staff/measures.html", "Measures", plan=plan, rows=rows,
                      latest_words=work.period_words(latest), breadcrumbs=[DASHBOARD])


# --- commentary ------------------------------------------------------------------------------

_ERROR_FIELD = {"save": "text", "submit": "text", "approve": "text", "send-back": "review_note"}


@role_required(*ANALYSTS)
@require_http_methods(["GET", "POST"])
def commentary(request: HttpRequest, code: str) -> HttpResponse:
    """Write, send for review, approve or send back the commentary on one measure."""
    plan = plan_or_404()
    measure = get_object_or_404(plan.measures.select_related("theme", "result"), code=code)
    plan_latest = work.latest_quarter(list(plan.measures.select_related("result")))
    period = work.period_for(measure, plan_latest)
    item = (Commentary.objects.filter(measure=measure, period=period)
            .select_related("author", "reviewer").first()) if period else None
    text = item.text if item else ""
    note = ""
    errors: list[tuple[str, str]] = []
    if request.method == "POST":
        if period is None:
            raise Http404("There is no quarter to comment on yet")
        action = request.POST.get("action", "")
        text = request.POST.get("text", "")
        note = request.POST.get("review_note", "")
        try:
            done = _commentary_step(action, measure, period, item, text, note, request.user)
        except commentary_services.WorkflowError as exc:
            errors = [(_ERROR_FIELD.get(action, "text"), str(exc))]
        else:
            messages.success(request, done)
            return redirect("staff:commentary", code=measure.code)
    result = getattr(measure, "result", None)
    questions = PanelQuestion.objects.filter(measure=measure).select_related("asked_by")
    return staff_page(
        request, "staff/commentary.html", f"Commentary: {measure.name}", errors=errors,
        measure=measure, result=result, period=period, period_words=work.period_words(period),
        item=item, text=text, note=note,
        commentary_tag=work.COMMENTARY_TAGS[item.status if item else None],
        can_approve=item is not None and item.status == Commentary.Status.REVIEW
        and item.author_id != request.user.pk,
        history=work.history(item) if item else [],
        questions=[(q, work.when(q.asked_at)) for q in questions],
        breadcrumbs=[DASHBOARD, {"text": "Measures", "href": "/staff/measures/"}],
    )


def _commentary_step(action: str, measure: Any, period: str, item: Commentary | None,
                     text: str, note: str, user: Any) -> str:
    """Do one workflow step; return what to tell the user. Raises ``WorkflowError``."""
    services = commentary_services
    with transaction.atomic():
        if action == "save":
            services.save_draft(measure, period, text, user)
            return "Your draft has been saved."
        if action == "submit":
            if item is None or item.status != Commentary.Status.DRAFT \
                    or item.text != text.strip():
                item = services.save_draft(measure, period, text, user)
            services.submit_for_review(item, user)
            return "Sent for review. Someone other than the author must approve it."
        if item is None:
            raise services.WorkflowError("Write and save the commentary first.")
        if action == "approve":
            services.approve(item, user)
            where = " and now shows on the public page" if measure.public else ""
            return f"The commentary is approved{where}."
        if action == "send-back":
            services.send_back(item, user, note)
            return "Sent back to draft with your note."
    raise services.WorkflowError("Choose what to do with the commentary.")


# --- imports ---------------------------------------------------------------------------------


def _check_uploads(files: list[Any]) -> list[tuple[str, str]]:
    if not files:
        return [("files", "Select one or more data.police.uk street-level files")]
    errors = []
    seen = set()
    for upload in files:
        name = Path(upload.name).name
        if not STREET_FILE_NAME.fullmatch(name):
            errors.append(("files", f"{name} is not a data.police.uk street-level file name: "
                                    "name it like 2025-06-leicestershire-street.csv.gz"))
        elif name in seen:
            errors.append(("files", f"{name} was selected twice: select each file once"))
        seen.add(name)
    return errors


def _upload_page(request: HttpRequest, errors: list[tuple[str, str]]) -> HttpResponse:
    batches = Paginator(ImportBatch.objects.select_related("force"), 25).get_page(
        request.GET.get("page"))
    jobs = ImportJob.objects.all()[:5]
    return staff_page(request, "staff/imports.html", "Import data", errors=errors,
                      batches=batches, jobs=[(j, work.when(j.created_at)) for j in jobs],
                      batch_rows=[(b, work.when(b.imported_at)) for b in batches],
                      pagination=_pagination(batches, "/staff/imports/"),
                      breadcrumbs=[DASHBOARD])


@role_required(*ANALYSTS)
@require_http_methods(["GET", "POST"])
def imports(request: HttpRequest) -> HttpResponse:
    """Upload data.police.uk street-level files; they are imported in the background and the
    user is sent to a page that shows how the import is going."""
    errors: list[tuple[str, str]] = []
    if request.method == "POST":
        files = request.FILES.getlist("files")
        errors = _check_uploads(files)
        if not errors:
            job = queue_import(files, request.user)
            return redirect("staff:import-job", pk=job.pk)
    return _upload_page(request, errors)


JOB_TITLES = {
    ImportJob.Status.QUEUED: "Waiting to import",
    ImportJob.Status.RUNNING: "Importing your files",
    ImportJob.Status.DONE: "Files imported",
    ImportJob.Status.FAILED: "The files were not imported",
}


@role_required(*ANALYSTS)
def import_job(request: HttpRequest, pk: int) -> HttpResponse:
    """How an upload's import is going: it refreshes itself (no JavaScript) until it ends,
    then shows what was imported, or the problem (file, row, column and what to do)."""
    job = ImportJob.objects.filter(pk=pk).first()
    if job is None:
        raise Http404("No such import")
    problem = job.problem if job.status == ImportJob.Status.FAILED else None
    errors = []
    if problem:
        errors = [("files", problem["message"])]
    elif job.error:
        errors = [("files", job.error)]
    response = staff_page(
        request, "staff/import_job.html", JOB_TITLES[job.status], errors=errors, job=job,
        problem=problem, steps=background.steps_in_words(background.steps_of(job)),
        started=work.when(job.created_at), refresh_seconds=REFRESH_SECONDS,
        auto_refresh=request.GET.get("refresh") != "off",
        breadcrumbs=[DASHBOARD, {"text": "Import data", "href": "/staff/imports/"}])
    response["Cache-Control"] = "no-store"
    return response


def _pagination(page: Any, base: str) -> dict[str, Any] | None:
    """Parameters for ``govukPagination``, or None when everything fits on one page."""
    if page.paginator.num_pages < 2:
        return None
    params: dict[str, Any] = {"items": [
        {"number": n, "href": f"{base}?page={n}", "current": n == page.number}
        for n in page.paginator.page_range
    ]}
    if page.has_previous():
        params["previous"] = {"href": f"{base}?page={page.previous_page_number()}"}
    if page.has_next():
        params["next"] = {"href": f"{base}?page={page.next_page_number()}"}
    return params


# --- the draft report and the Panel's questions ------------------------------------------------


@role_required(*READERS)
def draft_report(request: HttpRequest) -> HttpResponse:
    """The quarterly report with every measure, public or not, marked as a draft."""
    from oversight.reports.quarterly import render_html

    plan = plan_or_404()
    if role_of(request.user) == Role.PANEL_MEMBER:
        action = format_html(
            '<p class="govuk-body"><a class="govuk-notification-banner__link" href="{}">'
            "Ask a question about a measure</a> or see the "
            '<a class="govuk-notification-banner__link" href="{}">questions asked so far</a>.'
            "</p>", "/staff/reports/draft/questions/new/", "/staff/panel/")
    else:
        action = format_html(
            '<p class="govuk-body">Questions from Panel members are on your '
            '<a class="govuk-notification-banner__link" href="{}">dashboard</a>.</p>',
            "/staff/")
    request.page_notice = {  # type: ignore[attr-defined]
        "title": "Draft",
        "html": format_html(
            '<p class="govuk-notification-banner__heading">Draft: not approved for '
            "publication</p><p class=\"govuk-body\">This report includes measures that are not "
            "published and commentary that may change. Do not share it outside the Police and "
            "Crime Panel and the Office of the Police and Crime Commissioner.</p>{}", action),
    }
    html = render_html(plan, public_only=False, standalone=False, request=request)
    response = HttpResponse(html)
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


@role_required(Role.PANEL_MEMBER)
@require_http_methods(["GET", "POST"])
def question_add(request: HttpRequest) -> HttpResponse:
    """A Panel member asks a question about one measure in the draft report."""
    plan = plan_or_404()
    measures = list(plan.measures.select_related("result").order_by("order", "id"))
    plan_latest = work.latest_quarter(measures)
    chosen = request.POST.get("measure") if request.method == "POST" \
        else request.GET.get("measure", "")
    text = request.POST.get("text", "").strip()
    errors: list[tuple[str, str]] = []
    if request.method == "POST":
        measure = next((m for m in measures if m.code == chosen), None)
        if measure is None:
            errors.append(("measure", "Choose the measure your question is about"))
        if not text:
            errors.append(("text", "Enter your question"))
        elif len(text) > QUESTION_MAX:
            errors.append(("text", f"Your question must be {QUESTION_MAX:,} characters or "
                                   "fewer"))
        period = work.period_for(measure, plan_latest) if measure else None
        if measure is not None and period is None:
            errors.append(("measure", "There are no figures for this plan yet, so there is "
                                      "no quarter to ask about"))
        if not errors:
            with transaction.atomic():
                question = PanelQuestion.objects.create(measure=measure, period=period,
                                                        text=text, asked_by=request.user)
                audit.record(request.user, "panel-question.ask", question,
                             after=audit.snapshot(question, ["measure", "period", "text"]))
            messages.success(request, f"Your question about {measure.name} has been sent to "
                                      "the analysts.")
            return redirect("staff:panel")
    return staff_page(request, "staff/question_add.html", "Ask a question about a measure",
                      errors=errors, measures=measures, chosen=chosen, text=text,
                      max_length=QUESTION_MAX,
                      breadcrumbs=[{"text": "Police and Crime Panel", "href": "/staff/panel/"},
                                   {"text": "Draft report", "href": "/staff/reports/draft/"}])
