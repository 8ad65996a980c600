"""Public pages: the current plan, each public measure, area pages, the quarterly report and
data sources.

Views only gather stored results and render them; figures are computed elsewhere
(``oversight.performance``) and never here. Only an approved plan, its public measures and
approved commentary appear. Each page runs a fixed number of queries, however many measures
the plan has (``tests/portal/test_query_counts.py``).
"""

from __future__ import annotations

import csv
from collections import Counter
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from oversight.accounts.roles import STAFF_ROLES, role_of
from oversight.commentary.models import Commentary
from oversight.data.models import Area, ImportBatch
from oversight.formatting import month_words
from oversight.methods import periods
from oversight.methods.change import change
from oversight.performance.presentation import SIGNAL_WORDS, STATUS_TAGS, measure_view
from oversight.plans import history
from oversight.plans.models import Plan
from oversight.plans.services import current_plan
from oversight.portal import areas
from oversight.portal.page_cache import public_page
from oversight.reports import quarterly
from oversight.reports.context import target_words

NAVIGATION = [
    {"href": "/", "text": "The plan"},
    {"href": "/areas/", "text": "Areas"},
    {"href": "/reports/quarterly/", "text": "Performance report"},
    {"href": "/data/", "text": "Data sources"},
]


def _page(request: HttpRequest, template: str, title: str, **context: Any) -> HttpResponse:
    navigation = [dict(item, active=request.path == item["href"]
                       or (item["href"] != "/" and request.path.startswith(item["href"])))
                  for item in NAVIGATION]
    return render(request, template, {"page_title": title, "navigation": navigation, **context})


def _published_plan() -> Any:
    """The plan the public sees: the latest current version that is approved."""
    return (Plan.objects.filter(is_current=True, status=Plan.Status.APPROVED)
            .select_related("force").order_by("-loaded_at", "-id").first())


def _public_measures(plan: Any):
    return (plan.measures.filter(public=True)
            .select_related("theme", "result").order_by("order", "id"))


@public_page
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
                 status_counts=status_counts, latest_quarter_words=quarter,
                 changes=changes_since_last_quarter(views))


def changes_since_last_quarter(views: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each measure's latest quarter against the quarter before it, from its stored series.

    A measure whose previous quarter is not fully loaded says so rather than guessing.
    """
    rows = []
    for view in views:
        quarter = view.get("quarter")
        if not quarter:
            continue
        if view.get("external"):
            rows.append(_external_change(view))
            continue
        series = {row["period"]: row["count"] for row in view.get("series", [])}
        before = periods.previous_quarter(quarter["label"])
        months = periods.months_of_quarter(before)
        counts = [series.get(m) for m in months]
        row = {"view": view, "quarter": quarter, "previous_words": periods.period_words(before),
               "previous": None, "text": "The quarter before is not fully loaded"}
        if all(c is not None for c in counts):
            row["previous"] = sum(counts)
            row["text"] = change(quarter["count"], row["previous"]).text()
        signal = (view.get("spc") or {}).get("latest_signal")
        row["signal"] = SIGNAL_WORDS.get(signal) if signal in ("improvement", "concern",
                                                               "neither") else None
        rows.append(row)
    return rows


def _external_change(view: dict[str, Any]) -> dict[str, Any]:
    """The latest figure of an ONS, Home Office, return or survey measure against the figure
    before it, whatever the source's period."""
    latest, before = view["external"]["latest"], view["external"]["previous_period"]
    row = {"view": view, "quarter": {"count": latest["value"], "words": latest["words"]},
           "latest_words": latest["value_words"], "previous": None,
           "previous_words": "", "text": "There is no earlier figure", "signal": None}
    if before:
        row.update(previous=before["value"], previous_value_words=before["value_words"],
                   previous_words=before["words"], text=before["change"]["text"])
    return row


def _measure_or_404(code: str) -> Any:
    plan = _published_plan()
    if plan is None:
        raise Http404("No plan is published")
    measure = _public_measures(plan).filter(code=code).first()
    if measure is None:
        raise Http404("No public measure has that code")
    return measure


def _approved_commentary(measure: Any, result: Any) -> Commentary | None:
    """The approved commentary for the measure's latest quarter, if there is one."""
    if result is None or not result.latest_quarter:
        return None
    return Commentary.objects.filter(measure=measure, period=result.latest_quarter,
                                     status=Commentary.Status.APPROVED).first()


@public_page
def measure(request: HttpRequest, code: str) -> HttpResponse:
    item = _measure_or_404(code)
    result = getattr(item, "result", None)
    view = measure_view(item, result)
    about_rows = [
        {"key": {"text": key}, "value": {"text": value or "Not stated"}}
        for key, value in quarterly.about_measure(item)
    ]
    breadcrumbs = [{"text": "The plan", "href": "/"}, {"text": item.theme.title,
                                                       "href": f"/#theme-{item.theme.number}"}]
    commentary = _approved_commentary(item, result)
    return _page(request, "portal/measure.html", item.name, view=view, about_rows=about_rows,
                 breadcrumbs=breadcrumbs, commentary=commentary,
                 commentary_period=result.latest_quarter if result else "")


@public_page
def measure_csv(request: HttpRequest, code: str) -> HttpResponse:
    item = _measure_or_404(code)
    result = getattr(item, "result", None)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{item.code}-monthly.csv"'
    writer = csv.writer(response, lineterminator="\n")
    if result is not None and result.figures.get("latest"):
        response["Content-Disposition"] = f'attachment; filename="{item.code}-figures.csv"'
        writer.writerow(["measure", "period", "period_words", "value", "count", "rate",
                         "population_vintage", "source"])
        for point in result.figures.get("points", []):
            writer.writerow([item.code, point["period"], point["words"],
                             "" if point["value"] is None else point["value"],
                             point.get("count", ""), point.get("rate", ""),
                             point.get("population_vintage", ""), point["provenance_words"]])
        return response
    writer.writerow(["measure", "month", "count"])
    for row in (result.figures.get("series", []) if result else []):
        writer.writerow([item.code, row["period"], "" if row["count"] is None else row["count"]])
    return response


@public_page
def quarterly_report(request: HttpRequest) -> HttpResponse:
    plan = _published_plan()
    if plan is None:
        raise Http404("No plan is published")
    html = quarterly.render_html(plan, public_only=True, standalone=False, request=request)
    return HttpResponse(html)


# --- areas ------------------------------------------------------------------------------------


def _plan_force() -> Any:
    plan = _published_plan()
    if plan is None or plan.force is None:
        raise Http404("No plan is published")
    return plan.force


@public_page
def area_index(request: HttpRequest) -> HttpResponse:
    force = _plan_force()
    places = list(Area.objects.filter(force=force).order_by("name"))
    return _page(request, "portal/areas.html", "Crime by area", force=force,
                 csps=[a for a in places if a.kind == Area.Kind.CSP],
                 local_authorities=[a for a in places if a.kind == Area.Kind.LOCAL_AUTHORITY],
                 breadcrumbs=[{"text": "The plan", "href": "/"}])


def _area(kind: str, code: str) -> tuple[Any, Any, list[str] | None]:
    """(force, area or None, local authority names or None for the whole force)."""
    force = _plan_force()
    if kind == "force":
        if code != force.slug:
            raise Http404("Only the plan's force area has a page")
        return force, None, None
    if kind not in areas.KIND_SLUGS:
        raise Http404("No such kind of area")
    area = (Area.objects.filter(force=force, kind=areas.KIND_SLUGS[kind], code=code)
            .first())
    if area is None:
        raise Http404("No area with that code in the plan's force area")
    members = [area]
    if area.kind == Area.Kind.CSP:
        members = list(Area.objects.filter(parent=area, kind=Area.Kind.LOCAL_AUTHORITY))
    return force, area, areas.local_authority_names(force, members)


@public_page
def area(request: HttpRequest, kind: str, code: str) -> HttpResponse:
    force, place, names = _area(kind, code)
    name = place.name if place is not None else f"the {force.name} area"
    table = areas.crime_table(force, names)
    shown = table.months[-areas.SHOWN_MONTHS:]
    chart = areas.crime_chart(f"chart-area-{kind}-{code.lower()}", name, table)
    members = list(place.children.order_by("name")) if place is not None \
        and place.kind == Area.Kind.CSP else []
    return _page(
        request, "portal/area.html", f"Crime in {name}", place=place, force=force, kind=kind,
        code=code, kind_words=areas.KIND_WORDS[kind], table=table, shown=shown,
        shown_words=[month_words(m) for m in shown], rows=table.rows(shown), chart=chart,
        members=members, local_authorities=names,
        breadcrumbs=[{"text": "The plan", "href": "/"}, {"text": "Areas", "href": "/areas/"}],
    )


@public_page
def area_csv(request: HttpRequest, kind: str, code: str) -> HttpResponse:
    force, place, names = _area(kind, code)
    table = areas.crime_table(force, names)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="crime-{kind}-{code}.csv"'
    writer = csv.writer(response, lineterminator="\n")
    writer.writerow(["area", "month", "crime_type", "count"])
    label = place.name if place is not None else force.name
    for month in table.months:
        for crime_type in areas.CRIME_TYPES:
            writer.writerow([label, month, crime_type, table.count(crime_type, month)])
    return response


@public_page
def data_sources(request: HttpRequest) -> HttpResponse:
    batches = (ImportBatch.objects.filter(status=ImportBatch.Status.CURRENT)
               .select_related("force").order_by("kind", "month", "file_name"))
    return _page(request, "portal/data.html", "Data sources", batches=batches)


@public_page
def accessibility(request: HttpRequest) -> HttpResponse:
    return _page(request, "portal/accessibility.html", "Accessibility statement")


# --- versions of the plan ---------------------------------------------------------------------


def _sees_drafts(request: HttpRequest) -> bool:
    """Analysts and administrators also see versions not approved and changes in progress."""
    return role_of(getattr(request, "user", None)) in STAFF_ROLES


@public_page
def plan_versions(request: HttpRequest) -> HttpResponse:
    staff = _sees_drafts(request)
    plan = current_plan() if staff else _published_plan()
    if plan is None:
        raise Http404("No plan is published")
    return _page(request, "portal/plan_versions.html", "Plan versions", plan=plan, staff=staff,
                 versions=history.version_list(plan.slug, staff=staff),
                 breadcrumbs=[{"text": "The plan", "href": "/"}])


@public_page
def plan_version(request: HttpRequest, pk: int) -> HttpResponse:
    staff = _sees_drafts(request)
    published = _published_plan()
    version = history.version_for(pk, published.slug if published else None, staff=staff)
    if version is None:
        raise Http404("No published version of the plan has that number")
    detail = history.version_detail(version, staff=staff)
    return _page(request, "portal/plan_version.html", f"Version {version.plan.version}",
                 version=version, detail=detail, plan=version.plan, staff=staff,
                 target_words=target_words, baseline_words=history.baseline_words,
                 breadcrumbs=[{"text": "The plan", "href": "/"},
                              {"text": "Plan versions", "href": "/plan/versions/"}])
