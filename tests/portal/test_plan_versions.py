"""The public "Plan versions" pages: every approved version of the plan, what changed in a
sentence, and each version as it was with the readable difference from the version before.

The public never see a draft version, a measure not approved for publication, or a draft's
contents through a comparison; analysts and administrators see all of it, marked, with the
changes still in progress. The pages cost the same number of queries for 5 measures as for 40.
"""

from __future__ import annotations

import copy

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from oversight.plans import changes
from oversight.plans.planfile import parse_plan_text
from oversight.plans.services import current_plan, load_plan_text
from oversight.plans.writing import plan_file_yaml
from tests import demo_state
from tests.plans.helpers import SMALL_PLAN
from tests.staff.conftest import make_user

pytestmark = pytest.mark.django_db

VEHICLE = "MCNS-VEHICLE-CRIME"
MAX_QUERIES = 20


def load_version(spec: dict, version: str, status: str, reason: str, **names: str):
    """Load ``spec`` as a new version, with measures renamed as ``names`` (code → name)."""
    data = copy.deepcopy(spec)
    data["plan"].update(version=version, status=status, change_reason=reason)
    for item in data["measures"]:
        if item["code"] in names:
            item.update(name=names[item["code"]], change_reason=reason)
    text = plan_file_yaml(changes.validate_spec(data))
    return load_plan_text(text, f"plan-{version}.yaml", user="loader").plan


@pytest.fixture
def history(db):
    """Version 2 (the example, approved), 3 (a draft loaded from a file), 4 (approved), and
    an open change against version 4."""
    v2 = demo_state.build(["2025-04", "2025-05", "2025-06"])
    hidden = v2.measures.filter(public=False).order_by("order").first()
    v3 = load_version(v2.spec, "3", "draft", "A draft for the Panel to read",
                      **{VEHICLE: "Vehicle crime DRAFT NAME"})
    v4 = load_version(v3.spec, "4", "approved", "The Panel agreed the name on 4 June 2025",
                      **{VEHICLE: "Vehicle crime (approved name)",
                         hidden.code: "HIDDEN MEASURE RENAMED"})
    anna = make_user("anna", "analyst")
    open_change = changes.start(v4, anna, "Proposed new target", "5")
    return {"v2": v2, "v3": v3, "v4": v4, "hidden": hidden, "anna": anna,
            "open_change": open_change}


def test_the_plan_page_links_to_the_versions(client, history):
    html = client.get("/").content.decode()
    assert "This is version 4 of the plan." in html
    assert 'href="/plan/versions/"' in html


def test_the_public_list_shows_approved_versions_newest_first(client, history):
    html = client.get("/plan/versions/").content.decode()
    table = html[html.index('id="versions"'):html.index("</table>")]
    assert "2 versions, newest first" in table
    v2, v3, v4 = history["v2"], history["v3"], history["v4"]
    assert table.index(f'href="/plan/versions/{v4.pk}/"') < table.index(
        f'href="/plan/versions/{v2.pk}/"')
    assert f"/plan/versions/{v3.pk}/" not in table and "DRAFT" not in html
    assert "Changed the plan&#39;s details and 1 measure." in table  # hidden rename not counted
    assert "The first version loaded." in table
    assert "Why: The Panel agreed the name on 4 June 2025" in table
    assert "In use" in table and "not public" not in table


def test_a_public_version_page_compares_with_the_approved_version_before(client, history):
    v2, v3, v4 = history["v2"], history["v3"], history["v4"]
    html = client.get(f"/plan/versions/{v4.pk}/").content.decode()
    assert "<h1 class=\"govuk-heading-xl\">Version 4</h1>" in html
    changed = html[html.index('id="changes"'):html.index('id="contents"')]
    assert f'href="/plan/versions/{v2.pk}/">version 2 (October 2013 refresh)</a>' in changed
    assert "Changed: MCNS-VEHICLE-CRIME Vehicle crime (approved name)" in changed
    assert "&#39;Vehicle crime&#39;" in changed  # the approved name before, not the draft's
    assert "DRAFT NAME" not in html and "HIDDEN MEASURE RENAMED" not in html
    assert history["hidden"].name not in html
    assert "Reason: The Panel agreed the name on 4 June 2025" in changed
    contents = html[html.index('id="contents"'):]
    public = v4.measures.filter(public=True).count()
    assert contents.count('<th scope="row" class="govuk-table__header">') == public
    assert "4. Making Communities and Neighbourhoods Safer" in contents
    assert "Removed" in contents  # the commercial burglary priority, removed in 2013
    assert "Changes in progress" not in html
    # The draft is not found, and nor is a version that does not exist.
    assert client.get(f"/plan/versions/{v3.pk}/").status_code == 404
    assert client.get("/plan/versions/999999/").status_code == 404
    # An old version is shown as it was.
    html = client.get(f"/plan/versions/{v2.pk}/").content.decode()
    assert "This version has been replaced." in html
    assert "This is the first version published" in html
    assert ">Vehicle crime<br>" in html


def test_staff_see_drafts_hidden_measures_and_changes_in_progress(client, history):
    client.force_login(history["anna"])
    v3, v4 = history["v3"], history["v4"]
    html = client.get("/plan/versions/").content.decode()
    assert "3 versions, newest first" in html
    assert f'href="/plan/versions/{v3.pk}/"' in html and "Draft: not public" in html
    html = client.get(f"/plan/versions/{v4.pk}/").content.decode()
    changed = html[html.index('id="changes"'):html.index('id="contents"')]
    assert 'version 3</a>' in changed  # staff compare with the version just before
    assert "&#39;Vehicle crime DRAFT NAME&#39;" in changed
    assert "HIDDEN MEASURE RENAMED" in changed
    assert "Not public" in html
    progress = html[html.index('id="in-progress"'):html.index('id="changes"')]
    assert f'href="/staff/plans/changes/{history["open_change"].pk}/"' in progress
    assert "Proposed new target" in progress and "Draft" in progress
    assert client.get(f"/plan/versions/{v3.pk}/").status_code == 200
    # A Panel member is not plan staff: the public view.
    client.force_login(make_user("pat", "panel-member"))
    assert client.get(f"/plan/versions/{v3.pk}/").status_code == 404


# --- query counts ------------------------------------------------------------------------------


def plan_text(size: int, slug: str, version: str, target: int) -> str:
    """A plan of ``size`` public measures (copies of the small test plan's measure)."""
    data = parse_plan_text(SMALL_PLAN, "plan.yaml").model_dump(mode="json")
    data["plan"].update(slug=slug, version=version)
    first = data["measures"][0]
    data["measures"] = []
    for n in range(size):
        item = copy.deepcopy(first)
        item.update(code=f"M-{n:03d}", name=f"Measure {n}")
        item["target"]["value"] = target
        data["measures"].append(item)
    return plan_file_yaml(changes.validate_spec(data))


def count(client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(captured.captured_queries)


@pytest.mark.parametrize("staff", [False, True], ids=["public", "staff"])
def test_version_pages_cost_the_same_for_5_and_40_measures(client, staff,
                                                           django_assert_max_num_queries):
    if staff:
        client.force_login(make_user("anna", "analyst"))
    counts = {}
    for size in (5, 40):
        slug = f"plan-of-{size}"
        load_plan_text(plan_text(size, slug, "1", 100), f"{slug}-1.yaml")
        load_plan_text(plan_text(size, slug, "2", 90), f"{slug}-2.yaml")
        latest = current_plan(slug)
        assert latest.version == "2"
        for name, path in {"list": "/plan/versions/",
                           "version": f"/plan/versions/{latest.pk}/"}.items():
            with django_assert_max_num_queries(MAX_QUERIES):
                html = client.get(path).content.decode()
            if name == "version":
                assert html.count("Changed: M-") == size  # every measure's target changed
            else:
                assert f"Changed the plan&#39;s details and {size} measures." in html
            counts[(name, size)] = count(client, path)
    print("query counts", counts)
    assert counts[("list", 5)] == counts[("list", 40)], counts
    assert counts[("version", 5)] == counts[("version", 40)], counts
