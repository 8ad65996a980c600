"""The plan page and a measure page cost the same number of queries for a plan of 5 measures
as for one of 40 (no query per row), and at most 20.

Both plans are built from the real demo state: each measure gets a copy of a computed result
(real figures for Leicestershire), approved commentary and a theme with priorities.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from oversight.commentary.models import Commentary
from oversight.performance.models import MeasureResult
from oversight.plans.models import Measure, Plan, Priority, Theme
from tests import demo_state
from tests.staff.conftest import make_user

pytestmark = pytest.mark.django_db
MAX_QUERIES = 20


def build_plan(size: int, template: MeasureResult, author) -> Plan:
    """An approved, current plan of ``size`` public measures over 4 themes, each with a
    stored result copied from ``template`` and approved commentary for its quarter."""
    source = template.measure
    plan = Plan.objects.create(
        slug=f"plan-of-{size}", title=f"Plan of {size} measures", force=source.plan.force,
        force_slug=source.plan.force_slug, force_name=source.plan.force_name, version="1",
        status=Plan.Status.APPROVED, source="test", file_name=f"plan-of-{size}.yaml",
        sha256=f"{size:064d}", spec={}, is_current=True, loaded_by="test",
    )
    themes = [Theme.objects.create(plan=plan, number=n, title=f"Theme {n}") for n in range(1, 5)]
    Priority.objects.bulk_create(
        Priority(plan=plan, theme=theme, key=f"p-{theme.number}-{k}", rank=k,
                 title=f"Priority {k}", status=Priority.Status.KEPT, order=k)
        for theme in themes for k in range(1, 4))
    measures = Measure.objects.bulk_create(
        Measure(plan=plan, theme=themes[i % 4], code=f"M-{i:03d}", name=f"Measure {i}",
                definition=source.definition, unit=source.unit, polarity=source.polarity,
                source=source.source, target=source.target, baseline=source.baseline,
                public=True, order=i)
        for i in range(size))
    MeasureResult.objects.bulk_create(
        MeasureResult(measure=m, latest_month=template.latest_month,
                      latest_quarter=template.latest_quarter, status=template.status,
                      status_reason=template.status_reason, grade=template.grade,
                      grade_colour=template.grade_colour, grade_reason=template.grade_reason,
                      figures=template.figures, batch_ids=template.batch_ids)
        for m in measures)
    Commentary.objects.bulk_create(
        Commentary(measure=m, period=template.latest_quarter, text=f"Commentary on {m.code}.",
                   status=Commentary.Status.APPROVED, author=author,
                   approved_at=timezone.now())
        for m in measures)
    return plan


def count_queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(captured.captured_queries)


@pytest.fixture
def template_result(db):
    plan = demo_state.build(["2025-01", "2025-02", "2025-03", "2025-04", "2025-05", "2025-06"])
    return (MeasureResult.objects.filter(measure__plan=plan, figures__available=True)
            .exclude(figures__peers=None).select_related("measure__plan").first())


def test_pages_cost_the_same_for_5_and_40_measures(client, template_result,
                                                   django_assert_max_num_queries):
    author = make_user("writer", "analyst")
    counts = {}
    for size in (5, 40):
        plan = build_plan(size, template_result, author)
        measure = plan.measures.order_by("order").last()
        pages = {"plan": "/", "measure": f"/measures/{measure.code}/"}
        for name, path in pages.items():
            with django_assert_max_num_queries(MAX_QUERIES):
                response = client.get(path)
            html = response.content.decode()
            assert html.count('href="/measures/M-') >= (size if name == "plan" else 0)
            if name == "measure":
                assert f"Commentary on {measure.code}." in html
            counts[(name, size)] = count_queries(client, path)
    print("query counts", counts)
    assert counts[("plan", 5)] == counts[("plan", 40)], counts
    assert counts[("measure", 5)] == counts[("measure", 40)], counts


def test_staff_pages_cost_the_same_for_5_and_40_measures(client, template_result):
    analyst = make_user("anna", "analyst")
    client.force_login(analyst)
    counts = {}
    for size in (5, 40):
        plan = build_plan(size, template_result, analyst)
        measure = plan.measures.order_by("order").last()
        for path in ("/staff/", "/staff/measures/", f"/staff/measures/{measure.code}/commentary/"):
            counts[(path.replace(measure.code, "CODE"), size)] = count_queries(client, path)
    print("query counts", counts)
    for (path, size), n in counts.items():
        assert n <= MAX_QUERIES, (path, n)
        if size == 5:
            assert n == counts[(path, 40)], (path, counts)
