"""Pages for partner returns, under /staff/returns/.

Data providers see and submit only their own organisation's returns (any other is "not
found", 404); analysts and administrators see every provider's, list late and missing returns,
set returns up and enter survey and other manual values. Uploading is two steps: the file is
checked cell by cell and shown as a preview with any errors per row; only a file with no
errors can be confirmed, and only confirming stores it. The checked figures wait server-side,
as a pending submission, between the two steps (they are never uploaded again).
"""

from __future__ import annotations

import csv
import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from oversight.accounts.models import Organisation, Role
from oversight.accounts.roles import role_of, role_required
from oversight.returns import schedule, services
from oversight.returns.models import ReturnSubmission, ReturnTemplate
from oversight.returns.template import COLUMNS, csv_bytes, file_name, what_to_enter, xlsx_bytes
from oversight.returns.validate import MAX_BYTES, ReturnFileError

EVERYONE = (Role.DATA_PROVIDER, Role.ANALYST, Role.ADMINISTRATOR)
STAFF = (Role.ANALYST, Role.ADMINISTRATOR)


def _navigation(request: HttpRequest) -> list[dict[str, Any]]:
    """The staff area's navigation for the user's role (the returns pages are part of it)."""
    try:
        from oversight.staff.govuk import navigation_for
    except ImportError:  # the staff area is not installed: the returns pages on their own
        items = [{"href": reverse("returns:index"), "text": "Returns"}]
        return [dict(item, active=request.path == item["href"]) for item in items]
    return navigation_for(request)


def _page(
    request: HttpRequest, page_template: str, title: str, status: int = 200, **context: Any
) -> HttpResponse:
    context.setdefault("breadcrumbs", [])
    return render(
        request,
        page_template,
        {
            "page_title": title,
            "navigation": _navigation(request),
            "is_staff_role": role_of(request.user) in STAFF,
            **context,
        },
        status=status,
    )


def _template_or_404(request: HttpRequest, slug: str) -> ReturnTemplate:
    template = services.templates_for(request.user).filter(slug=slug).first()
    if template is None:
        raise Http404("No such return")
    return template


def _period_or_404(template: ReturnTemplate, period_slug: str) -> str:
    period = schedule.from_slug(period_slug)
    if period is None:
        raise Http404("No such period")
    try:
        schedule.check_period(period, template.frequency)
    except ValueError:
        raise Http404("No such period") from None
    return period


def _submission_or_404(request: HttpRequest, pk: int) -> ReturnSubmission:
    allowed = services.templates_for(request.user)
    submission = (
        ReturnSubmission.objects.select_related("template", "template__provider", "batch")
        .filter(pk=pk, template__in=allowed)
        .first()
    )
    if submission is None:
        raise Http404("No such submission")
    return submission


@role_required(*EVERYONE)
def index(request: HttpRequest) -> HttpResponse:
    templates = list(services.templates_for(request.user).filter(active=True))
    accepted = services.accepted_by_period(templates)
    rows = [
        {"template": t, "periods": services.periods_for(t, accepted=accepted)[:4]}
        for t in templates
    ]
    organisation = getattr(getattr(request.user, "profile", None), "organisation", None)
    return _page(
        request, "returns/index.html", "Monitoring returns", rows=rows, organisation=organisation
    )


@role_required(*EVERYONE)
def template_detail(request: HttpRequest, slug: str) -> HttpResponse:
    template = _template_or_404(request, slug)
    periods = services.periods_for(template)
    submissions = template.submissions.exclude(status=ReturnSubmission.Status.PENDING)[:50]
    return _page(
        request,
        "returns/template.html",
        template.name,
        template=template,
        periods=periods,
        submissions=submissions,
        what_to_enter=what_to_enter,
        breadcrumbs=[{"text": "Returns", "href": reverse("returns:index")}],
    )


@role_required(*EVERYONE)
def download(request: HttpRequest, slug: str, period_slug: str, extension: str) -> HttpResponse:
    if extension not in ("xlsx", "csv"):
        raise Http404("Templates are .xlsx or .csv")
    template = _template_or_404(request, slug)
    period = _period_or_404(template, period_slug)
    if extension == "xlsx":
        body = xlsx_bytes(template, period)
        kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        body = csv_bytes(template, period)
        kind = "text/csv; charset=utf-8"
    response = HttpResponse(body, content_type=kind)
    response["Content-Disposition"] = (
        f'attachment; filename="{file_name(template, period, extension)}"'
    )
    return response


@role_required(*EVERYONE)
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest, slug: str, period_slug: str) -> HttpResponse:
    template = _template_or_404(request, slug)
    period = _period_or_404(template, period_slug)
    context: dict[str, Any] = {
        "template": template,
        "period": period,
        "period_words": schedule.words(period),
        "period_slug": period_slug,
        "max_mb": MAX_BYTES // 1024 // 1024,
        "breadcrumbs": [
            {"text": "Returns", "href": reverse("returns:index")},
            {"text": template.name, "href": reverse("returns:template", args=[template.slug])},
        ],
    }
    title = f"Upload the return for {schedule.words(period)}"
    if request.method == "GET":
        return _page(request, "returns/upload.html", title, **context)
    upload_file = request.FILES.get("return_file")
    if upload_file is None:
        error = "Select the filled-in return to upload"
    elif upload_file.size > MAX_BYTES:
        error = (
            f"{upload_file.name} is {upload_file.size / 1024 / 1024:.1f} MB; a return must be "
            f"smaller than {context['max_mb']} MB. Upload the template with only your figures "
            "in it."
        )
    else:
        try:
            checked, pending = services.check_upload(
                template, period, upload_file.name, upload_file.read(), user=request.user
            )
        except ReturnFileError as exc:
            error = str(exc)
        else:
            if pending is not None:
                return HttpResponseRedirect(reverse("returns:submission", args=[pending.pk]))
            return _page(
                request,
                "returns/preview.html",
                f"There are problems with your return for {schedule.words(period)}",
                status=400,
                form_has_errors=True,
                checked=checked,
                rows=[row.as_dict() for row in checked.rows],
                columns=COLUMNS,
                **context,
            )
    return _page(
        request,
        "returns/upload.html",
        title,
        status=400,
        error=error,
        form_has_errors=True,
        **context,
    )


@role_required(*EVERYONE)
def submission(request: HttpRequest, pk: int) -> HttpResponse:
    item = _submission_or_404(request, pk)
    template = item.template
    breadcrumbs = [
        {"text": "Returns", "href": reverse("returns:index")},
        {"text": template.name, "href": reverse("returns:template", args=[template.slug])},
    ]
    if item.status == ReturnSubmission.Status.PENDING:
        title = f"Check your return for {schedule.words(item.period)}"
    else:
        title = f"Return for {schedule.words(item.period)}"
    return _page(
        request,
        "returns/submission.html",
        title,
        item=item,
        template=template,
        rows=item.rows,
        columns=COLUMNS,
        period_words=schedule.words(item.period),
        due=schedule.due_date(item.period, template.due_days),
        just_submitted=request.GET.get("submitted") == "1",
        breadcrumbs=breadcrumbs,
    )


@role_required(*EVERYONE)
@require_POST
def confirm(request: HttpRequest, pk: int) -> HttpResponse:
    item = _submission_or_404(request, pk)
    try:
        services.confirm(item, user=request.user)
    except ReturnFileError as exc:
        return _page(
            request,
            "returns/upload.html",
            "Your return could not be submitted",
            status=409,
            error=str(exc),
            form_has_errors=True,
            template=item.template,
            period=item.period,
            period_words=schedule.words(item.period),
            period_slug=schedule.slug(item.period),
            max_mb=MAX_BYTES // 1024 // 1024,
        )
    return HttpResponseRedirect(reverse("returns:submission", args=[item.pk]) + "?submitted=1")


@role_required(*STAFF)
def late(request: HttpRequest) -> HttpResponse:
    providers = services.late_and_missing()
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="late-and-missing-returns.csv"'
        writer = csv.writer(response, lineterminator="\n")
        writer.writerow(["provider", "return", "period", "due", "status", "submitted_at"])
        for entry in providers:
            for template, status in entry.missing + entry.late:
                submitted = status.submission.submitted_at if status.submission else None
                writer.writerow(
                    [
                        entry.provider.name,
                        template.name,
                        status.period,
                        status.due.isoformat(),
                        status.key,
                        submitted.isoformat(timespec="minutes") if submitted else "",
                    ]
                )
        return response
    return _page(
        request,
        "returns/late.html",
        "Late and missing returns",
        providers=providers,
        today=dt.date.today(),
    )


VALUE_FIELDS = (
    "measure_code",
    "kind",
    "period",
    "value",
    "unit",
    "sample_size",
    "ci_lower",
    "ci_upper",
    "confidence_level",
    "source",
    "published_on",
    "note",
    "force",
)


def _manual_entry(data: Any) -> tuple[Any, dict[str, str]]:
    from oversight.data.services import ManualValue

    problems: dict[str, str] = {}

    def number(name: str, whole: bool = False, required: bool = False) -> Any:
        text = (data.get(name) or "").strip().replace(",", "")
        if not text:
            if required:
                problems[name] = "Enter a number"
            return None
        try:
            return int(text) if whole else float(text)
        except ValueError:
            problems[name] = "Enter a whole number" if whole else "Enter a number, like 85.5"
            return None

    published = None
    text = (data.get("published_on") or "").strip()
    if text:
        try:
            published = dt.date.fromisoformat(text)
        except ValueError:
            problems["published_on"] = "Enter the publication date as YYYY-MM-DD"
    kind = data.get("kind") or "survey"
    if kind not in ("survey", "manual"):
        problems["kind"] = "Choose survey result or other published figure"
    entry = ManualValue(
        measure_code=(data.get("measure_code") or "").strip(),
        period=(data.get("period") or "").strip(),
        value=number("value", required=True) or 0.0,
        source=(data.get("source") or "").strip(),
        kind=kind,
        force=(data.get("force") or "").strip() or None,
        unit=(data.get("unit") or "").strip(),
        sample_size=number("sample_size", whole=True),
        ci_lower=number("ci_lower"),
        ci_upper=number("ci_upper"),
        confidence_level=number("confidence_level") or 95.0,
        published_on=published,
        note=(data.get("note") or "").strip(),
    )
    return entry, problems


@role_required(*STAFF)
@require_http_methods(["GET", "POST"])
def values(request: HttpRequest) -> HttpResponse:
    from oversight.data.models import SurveyValue
    from oversight.data.services import check_manual_value, record_manual_value
    from oversight.plans.services import current_plan

    plan = current_plan()
    measures = list(plan.measures.order_by("order", "id")) if plan else []
    problems: dict[str, str] = {}
    form: dict[str, str] = {"kind": "survey", "confidence_level": "95"}
    if plan is not None and plan.force is not None:
        form["force"] = plan.force.slug
    if request.method == "POST":
        form = {name: request.POST.get(name, "") for name in VALUE_FIELDS}
        entry, problems = _manual_entry(request.POST)
        if not problems:
            problems = check_manual_value(entry)
        if not problems:
            record_manual_value(entry, entered_by=request.user.get_username(), user=request.user)
            return HttpResponseRedirect(reverse("returns:values") + "?saved=1")
    stored = SurveyValue.objects.select_related("batch", "force").order_by(
        "measure_code", "-period", "-id"
    )[:200]
    return _page(
        request,
        "returns/values.html",
        "Survey and manual values",
        status=400 if problems else 200,
        form=form,
        problems=problems,
        form_has_errors=bool(problems),
        measures=measures,
        stored=stored,
        saved=request.GET.get("saved") == "1",
    )


@role_required(*STAFF)
@require_http_methods(["GET", "POST"])
def setup(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    """Set up a return (or change one): provider, frequency, due days and its measures."""
    from oversight.plans.services import current_plan

    template = ReturnTemplate.objects.filter(slug=slug).first() if slug else None
    if slug and template is None:
        raise Http404("No such return")
    plan = current_plan()
    measures = list(plan.measures.order_by("order", "id")) if plan else []
    providers = list(Organisation.objects.filter(kind=Organisation.Kind.PARTNER))
    chosen = {f["code"]: f for f in (template.fields if template else [])}
    form = {
        "name": template.name if template else "",
        "provider": template.provider.slug if template else "",
        "frequency": template.frequency if template else "monthly",
        "first_period": template.first_period if template else "",
        "due_days": str(template.due_days) if template else "20",
        "notes": template.notes if template else "",
    }
    error = ""
    if request.method == "POST":
        form = {k: request.POST.get(k, "").strip() for k in form}
        codes = request.POST.getlist("measures")
        fields = []
        by_code = {m.code: m for m in measures}
        try:
            for code in codes:
                measure = by_code.get(code)
                if measure is None:
                    raise services.ReturnSetupError(f'"{code}" is not a measure of the plan')
                kind = request.POST.get(f"kind-{code}", "count")
                fields.append(
                    services.field_spec(
                        code,
                        measure.name,
                        kind=kind,
                        definition=measure.definition,
                        unit=measure.unit,
                        required=True,
                        numerator_label=request.POST.get(f"numerator-{code}", ""),
                        denominator_label=request.POST.get(f"denominator-{code}", ""),
                    )
                )
            provider = next((p for p in providers if p.slug == form["provider"]), None)
            if provider is None:
                raise services.ReturnSetupError("Choose the partner that makes the return")
            if not form["name"]:
                raise services.ReturnSetupError("Enter a name for the return")
            try:
                due_days = int(form["due_days"])
            except ValueError:
                raise services.ReturnSetupError(
                    "Enter the days allowed as a whole number"
                ) from None
            saved = services.define_template(
                name=form["name"],
                provider=provider,
                frequency=form["frequency"],
                first_period=form["first_period"],
                fields=fields,
                due_days=due_days,
                notes=form["notes"],
                slug=template.slug if template else None,
                user=request.user,
            )
        except services.ReturnSetupError as exc:
            error = str(exc)
            chosen = {c: {"code": c, "kind": request.POST.get(f"kind-{c}", "count")} for c in codes}
        else:
            return HttpResponseRedirect(reverse("returns:template", args=[saved.slug]))
    return _page(
        request,
        "returns/setup.html",
        f"Change {template.name}" if template else "Set up a return",
        status=400 if error else 200,
        form=form,
        error=error,
        form_has_errors=bool(error),
        measures=measures,
        providers=providers,
        chosen=chosen,
        template=template,
        breadcrumbs=[{"text": "Returns", "href": reverse("returns:index")}],
    )
