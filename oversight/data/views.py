"""Staff pages for provenance: every import batch (file, checksum, edition, who, when), a
CSV export of them, one batch's details with its rollback, and the ONS figures with their
history of revisions. Mounted at /staff/data/ (``oversight.data.urls``).

Analysts and administrators can look; only administrators can roll a batch back.
"""

from __future__ import annotations

import csv
from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from oversight.accounts.models import Role
from oversight.accounts.roles import role_of, role_required
from oversight.data import journal, services
from oversight.data.forces import BY_SLUG
from oversight.data.importers.ons import BY_OFFENCE, OFFENCES
from oversight.data.models import ImportBatch, OnsFigure, WorkforceFigure

STAFF = (Role.ANALYST, Role.ADMINISTRATOR)


def _page(
    request: HttpRequest, page_template: str, title: str, status: int = 200, **context: Any
) -> HttpResponse:
    try:
        from oversight.staff.govuk import navigation_for

        navigation = navigation_for(request)
    except ImportError:  # the staff area is not installed
        navigation = []
    sections = [
        {"href": reverse("data:batches"), "text": "Import batches"},
        {"href": reverse("data:ons"), "text": "ONS figures"},
        {"href": reverse("data:workforce"), "text": "Workforce"},
    ]
    context.setdefault("sections", [dict(s, active=request.path == s["href"]) for s in sections])
    return render(
        request,
        page_template,
        {
            "page_title": title,
            "navigation": navigation,
            "can_roll_back": role_of(request.user) == Role.ADMINISTRATOR,
            **context,
        },
        status=status,
    )


def _filtered(request: HttpRequest) -> Any:
    batches = ImportBatch.objects.select_related("force").order_by("-imported_at", "-id")
    kind = request.GET.get("kind", "")
    if kind in ImportBatch.Kind.values:
        batches = batches.filter(kind=kind)
    status = request.GET.get("status", "")
    if status in ImportBatch.Status.values:
        batches = batches.filter(status=status)
    return batches


@role_required(*STAFF)
def batches(request: HttpRequest) -> HttpResponse:
    page = Paginator(_filtered(request), 100).get_page(request.GET.get("page"))
    return _page(
        request,
        "data/batches.html",
        "Import batches",
        page=page,
        kinds=ImportBatch.Kind.choices,
        statuses=ImportBatch.Status.choices,
        kind=request.GET.get("kind", ""),
        chosen_status=request.GET.get("status", ""),
        query=request.GET.urlencode(),
    )


@role_required(*STAFF)
def batches_csv(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="import-batches.csv"'
    writer = csv.writer(response, lineterminator="\n")
    writer.writerow(services.BATCH_EXPORT_COLUMNS)
    writer.writerows(services.batch_rows(_filtered(request).iterator()))
    return response


def _batch_or_404(pk: int) -> ImportBatch:
    batch = ImportBatch.objects.select_related("force", "replaces").filter(pk=pk).first()
    if batch is None:
        raise Http404("No such batch")
    return batch


def _batch_context(batch: ImportBatch) -> dict[str, Any]:
    counts = {}
    for model in journal.batch_models():
        n = model._base_manager.filter(batch=batch).count()
        if n:
            counts[model._meta.verbose_name_plural] = n
    return {
        "batch": batch,
        "counts": counts,
        "blockers": journal.dependants(batch) if batch.status == "current" else [],
        "details": {k: v for k, v in batch.details.items() if k not in ("revisions",)},
        "revisions": batch.details.get("revisions", []),
    }


@role_required(*STAFF)
def batch(request: HttpRequest, pk: int) -> HttpResponse:
    item = _batch_or_404(pk)
    return _page(
        request,
        "data/batch.html",
        f"Import batch {item.pk}",
        done=request.GET.get("rolled_back") == "1",
        **_batch_context(item),
    )


@role_required(Role.ADMINISTRATOR)
@require_POST
def rollback(request: HttpRequest, pk: int) -> HttpResponse:
    item = _batch_or_404(pk)
    try:
        services.rollback_batch(
            item.pk, rolled_back_by=request.user.get_username(), user=request.user
        )
    except journal.RollbackError as exc:
        return _page(
            request,
            "data/batch.html",
            f"Import batch {item.pk}",
            status=409,
            error=str(exc),
            form_has_errors=True,
            **_batch_context(item),
        )
    return HttpResponseRedirect(reverse("data:batch", args=[item.pk]) + "?rolled_back=1")


@role_required(*STAFF)
def ons(request: HttpRequest) -> HttpResponse:
    """ONS figures for one force and measure: every period, its current edition, its
    population vintage (for rates) and the history of revisions."""
    force = request.GET.get("force", "leicestershire")
    if force not in BY_SLUG:
        raise Http404("No such force")
    measure = request.GET.get("measure", "count")
    if measure not in OnsFigure.Measure.values:
        measure = "count"
    offence = request.GET.get("offence", "total-recorded-crime")
    if offence not in BY_OFFENCE:
        offence = "total-recorded-crime"
    figures = list(
        OnsFigure.objects.filter(
            force__slug=force, measure=measure, offence=offence, is_current=True
        )
        .select_related("revised_from", "batch")
        .order_by("period_end")
    )
    rows = [{"figure": f, "history": f.history()[1:]} for f in figures]
    return _page(
        request,
        "data/ons.html",
        "ONS police force area figures",
        rows=rows,
        force=force,
        force_name=BY_SLUG[force].name,
        offence=BY_OFFENCE[offence],
        offences=OFFENCES,
        measure=measure,
        measures=OnsFigure.Measure.choices,
        forces=sorted(
            ((k.slug, k.name) for k in BY_SLUG.values() if k.ons_code), key=lambda x: x[1]
        ),
    )


@role_required(*STAFF)
def workforce(request: HttpRequest) -> HttpResponse:
    force = request.GET.get("force", "leicestershire")
    if force not in BY_SLUG:
        raise Http404("No such force")
    figures = list(
        WorkforceFigure.objects.filter(area_key=force, is_current=True)
        .select_related("revised_from")
        .order_by("measure", "as_at")
    )
    rows = [{"figure": f, "history": f.history()[1:]} for f in figures]
    return _page(
        request,
        "data/workforce.html",
        "Police officers",
        rows=rows,
        force=force,
        force_name=BY_SLUG[force].name,
        forces=sorted(
            ((k.slug, k.name) for k in BY_SLUG.values() if k.ons_code), key=lambda x: x[1]
        ),
    )
