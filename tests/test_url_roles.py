"""Every URL of the site, for every role: allowed (200), sent to sign in, forbidden (403), not
found (404, for an object the role may not see), or sent to the role's own page.

The table below is the rule book. ``test_every_url_has_a_row`` walks Django's resolver for
the named URLs of the portal, staff, returns and accounts apps and fails for any URL without
a row (and for any row whose URL no longer exists), so a new view cannot be added without
saying who may use it. ``test_each_role_gets_what_the_table_says`` then requests every row
as every role (GET; forms are GET-able) against the real demo database.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests import demo_state
from tests.staff.conftest import fast_passwords, make_user  # noqa: F401  (fixture)

APPS = ("portal", "staff", "returns", "accounts", "data", "reports", "staff-reports", "plans")
ROLES = ("public", "administrator", "analyst", "data-provider", "panel-member")
OK, LOGIN, FORBIDDEN, NOT_FOUND, POST_ONLY = 200, "login", 403, 404, 405


@dataclass(frozen=True)
class Redirect:
    """Sent (302) to another page, e.g. a Panel member from the dashboard to the Panel page."""

    to: str


Outcome = int | str | Redirect


def everyone(outcome: Outcome) -> dict[str, Outcome]:
    return dict.fromkeys(ROLES, outcome)


def signed_in(**outcomes: Outcome) -> dict[str, Outcome]:
    """Public → sign in; each role as given (underscores for hyphens), else 403."""
    table: dict[str, Outcome] = {"public": LOGIN}
    for role in ROLES[1:]:
        table[role] = outcomes.get(role.replace("-", "_"), FORBIDDEN)
    return table


PUBLIC = everyone(OK)
ANALYSTS = signed_in(administrator=OK, analyst=OK)
READERS = signed_in(administrator=OK, analyst=OK, panel_member=OK)
ADMINISTRATORS = signed_in(administrator=OK)
ALL_STAFF = signed_in(administrator=OK, analyst=OK, data_provider=OK, panel_member=OK)
PROVIDERS_AND_ANALYSTS = signed_in(administrator=OK, analyst=OK, data_provider=OK)
AUTHOR = signed_in(administrator=FORBIDDEN, analyst=OK)
AUTHOR_NOTE = "a draft change is edited only by its author (the analyst here)"


@dataclass(frozen=True)
class Case:
    """One request: the URL's arguments (from the test data), the expected outcome per role,
    and why, when it is not obvious."""

    kwargs: Callable[[dict[str, Any]], dict[str, Any]] | None
    expected: dict[str, Outcome]
    note: str = ""
    query: str = ""


def case(expected: dict[str, Outcome], kwargs: Callable | None = None, note: str = "",
         query: str = "") -> Case:
    return Case(kwargs, expected, note, query)


TABLE: dict[str, list[Case]] = {
    # --- public portal ---------------------------------------------------------------------
    "portal:home": [case(PUBLIC)],
    "portal:measure": [
        case(PUBLIC, lambda w: {"code": w["measure"].code}),
        case(everyone(NOT_FOUND), lambda w: {"code": w["hidden"].code},
             "a measure not approved for publication is not found, even for staff"),
    ],
    "portal:measure-csv": [
        case(PUBLIC, lambda w: {"code": w["measure"].code}),
        case(everyone(NOT_FOUND), lambda w: {"code": w["hidden"].code}),
    ],
    "portal:areas": [case(PUBLIC)],
    "portal:area": [
        case(PUBLIC, lambda w: {"kind": "force", "code": w["force"].slug}),
        case(PUBLIC, lambda w: {"kind": "csp", "code": w["csp"].code}),
        case(PUBLIC, lambda w: {"kind": "local-authority", "code": w["la"].code}),
        case(everyone(NOT_FOUND), lambda w: {"kind": "force", "code": "kent"},
             "only the plan's own force area has a page"),
        case(everyone(NOT_FOUND), lambda w: {"kind": "csp", "code": w["other_csp"].code},
             "a CSP of another force"),
    ],
    "portal:area-csv": [
        case(PUBLIC, lambda w: {"kind": "csp", "code": w["csp"].code}),
        case(everyone(NOT_FOUND), lambda w: {"kind": "ward", "code": "E05000001"}),
    ],
    "portal:quarterly-report": [case(PUBLIC)],
    "portal:data": [case(PUBLIC)],
    "portal:accessibility": [case(PUBLIC)],
    "portal:plan-versions": [case(PUBLIC, note="staff also see versions not approved")],
    "portal:plan-version": [
        case(PUBLIC, lambda w: {"pk": w["plan"].pk}),
        case({**everyone(NOT_FOUND), "administrator": OK, "analyst": OK},
             lambda w: {"pk": draft_version(w).pk},
             "a version not approved is shown to plan staff only"),
        case(everyone(NOT_FOUND), lambda w: {"pk": 10**9}, "a version that does not exist"),
    ],
    # --- signing in and out, users -------------------------------------------------------------
    "staff:login": [case(PUBLIC, note="anyone may see the sign-in page")],
    "staff:logout": [case(signed_in(administrator=OK, analyst=OK, data_provider=OK,
                                    panel_member=OK),
                          note="GET asks to confirm; POST signs out")],
    "staff:users": [case(ADMINISTRATORS)],
    "staff:user-add": [case(ADMINISTRATORS)],
    # --- staff area ----------------------------------------------------------------------------
    "staff:dashboard": [case(signed_in(
        administrator=OK, analyst=OK, panel_member=Redirect("/staff/panel/"),
        data_provider=Redirect("/staff/returns/")),
        note="each role is sent to its own page")],
    "staff:panel": [case(READERS)],
    "staff:measures": [case(ANALYSTS)],
    "staff:commentary": [
        case(ANALYSTS, lambda w: {"code": w["measure"].code}),
        case(ANALYSTS, lambda w: {"code": w["hidden"].code},
             "staff write commentary on unpublished measures too"),
        case(signed_in(administrator=NOT_FOUND, analyst=NOT_FOUND),
             lambda w: {"code": "NOT-IN-THE-PLAN"}),
    ],
    "staff:imports": [case(ANALYSTS)],
    "staff:import-job": [case(ANALYSTS, lambda w: {"pk": w["import_job"].pk}),
                         case(signed_in(administrator=NOT_FOUND, analyst=NOT_FOUND),
                              lambda w: {"pk": 10**9}, "an upload that does not exist")],
    "staff:draft-report": [case(READERS)],
    "staff:question-add": [case(signed_in(panel_member=OK),
                                note="only Panel members ask questions")],
    # --- published reports on the public site (oversight.reports) -----------------------------
    "reports:published": [case(PUBLIC)],
    "reports:published-detail": [
        case(PUBLIC, lambda w: {"pk": w["published"].pk}),
        case(everyone(NOT_FOUND), lambda w: {"pk": 10**9}, "a report that does not exist"),
    ],
    "reports:published-file": [
        case(PUBLIC, lambda w: {"pk": w["published"].pk, "fmt": "pdf"}),
        case(everyone(NOT_FOUND), lambda w: {"pk": w["published"].pk, "fmt": "odt"},
             "reports come as html, pdf and docx only"),
    ],
    # --- building and publishing reports in the staff area (oversight.reports) ----------------
    "staff-reports:index": [case(READERS)],
    "staff-reports:build": [case(ANALYSTS, note="Panel members read drafts but do not build")],
    "staff-reports:job": [
        case(ANALYSTS, lambda w: {"pk": w["report_job"].pk}, "a build under way; builders only"),
        case(signed_in(administrator=NOT_FOUND, analyst=NOT_FOUND), lambda w: {"pk": 10**9},
             "a build that does not exist"),
    ],
    "staff-reports:question-answer": [
        case(ANALYSTS, lambda w: {"pk": w["question"].pk}, "analysts answer; Panel members ask"),
        case(signed_in(administrator=NOT_FOUND, analyst=NOT_FOUND), lambda w: {"pk": 10**9},
             "a question that does not exist"),
    ],
    "staff-reports:draft": [
        case(READERS, lambda w: {"pk": w["draft"].pk}),
        case(signed_in(administrator=NOT_FOUND, analyst=NOT_FOUND, panel_member=NOT_FOUND),
             lambda w: {"pk": 10**9}, "a draft that does not exist"),
    ],
    "staff-reports:draft-file": [
        case(READERS, lambda w: {"pk": w["draft"].pk, "fmt": "docx"}),
        case(signed_in(administrator=NOT_FOUND, analyst=NOT_FOUND, panel_member=NOT_FOUND),
             lambda w: {"pk": w["draft"].pk, "fmt": "odt"}),
    ],
    "staff-reports:publish": [case(ANALYSTS, lambda w: {"pk": w["draft"].pk},
                                   "GET asks to confirm; only analysts publish")],
    "staff-reports:published-file": [
        case(READERS, lambda w: {"pk": w["published"].pk, "fmt": "pdf"},
             "staff download internal reports too"),
    ],
    # --- the plan and changes to it (oversight.plans): only a change's author edits it -------
    "plans:index": [case(ANALYSTS)],
    "plans:download": [case(ANALYSTS)],
    "plans:change-new": [case(ANALYSTS)],
    "plans:change": [case(ANALYSTS, lambda w: {"pk": w["change"].pk}),
                     case(signed_in(administrator=NOT_FOUND, analyst=NOT_FOUND),
                          lambda w: {"pk": 10**9}, "a change that does not exist")],
    "plans:measure-add": [case(AUTHOR, lambda w: {"pk": w["change"].pk}, AUTHOR_NOTE)],
    "plans:measure-edit": [
        case(AUTHOR, lambda w: {"pk": w["change"].pk, "code": w["measure"].code}, AUTHOR_NOTE),
        case(signed_in(administrator=FORBIDDEN, analyst=NOT_FOUND),
             lambda w: {"pk": w["change"].pk, "code": "NOT-IN-THE-PLAN"}),
    ],
    "plans:measure-remove": [
        case(AUTHOR, lambda w: {"pk": w["change"].pk, "code": w["measure"].code}, AUTHOR_NOTE)],
    "plans:theme-edit": [case(AUTHOR, lambda w: {"pk": w["change"].pk, "number": 4},
                              AUTHOR_NOTE)],
    "plans:priority-edit": [case(AUTHOR, lambda w: {"pk": w["change"].pk,
                                                    "key": "vehicle-crime"}, AUTHOR_NOTE)],
    "plans:outcome-edit": [case(AUTHOR, lambda w: {"pk": w["change"].pk,
                                                   "key": "reduce-crime"}, AUTHOR_NOTE)],
    # --- provenance (oversight.data): import batches, ONS and workforce tables ---------------
    "data:batches": [case(ANALYSTS)],
    "data:batches-csv": [case(ANALYSTS)],
    "data:batch": [case(ANALYSTS, lambda w: {"pk": w["batch"].pk}),
                   case(signed_in(administrator=NOT_FOUND, analyst=NOT_FOUND),
                        lambda w: {"pk": 10**9}, "a batch that does not exist")],
    "data:rollback": [case(signed_in(administrator=POST_ONLY),
                           lambda w: {"pk": w["batch"].pk},
                           "administrators only, and only by POST")],
    "data:ons": [case(ANALYSTS)],
    "data:workforce": [case(ANALYSTS)],
    # --- partner returns (oversight.returns): a provider sees only its own organisation's ----
    "returns:index": [case(PROVIDERS_AND_ANALYSTS)],
    "returns:late": [case(ANALYSTS)],
    "returns:values": [case(ANALYSTS)],
    "returns:setup": [case(ANALYSTS)],
    "returns:change": [
        case(ANALYSTS, lambda w: {"slug": w["own_return"].slug}),
        case(signed_in(administrator=NOT_FOUND, analyst=NOT_FOUND),
             lambda w: {"slug": "no-such-return"}),
    ],
    "returns:template": [
        case(PROVIDERS_AND_ANALYSTS, lambda w: {"slug": w["own_return"].slug}),
        case(signed_in(administrator=OK, analyst=OK, data_provider=NOT_FOUND),
             lambda w: {"slug": w["other_return"].slug},
             "another organisation's return is not found for a data provider"),
    ],
    "returns:download": [
        case(PROVIDERS_AND_ANALYSTS, lambda w: {"slug": w["own_return"].slug,
                                                "period_slug": "2025-06", "extension": "csv"}),
        case(signed_in(administrator=OK, analyst=OK, data_provider=NOT_FOUND),
             lambda w: {"slug": w["other_return"].slug, "period_slug": "2025-26-q1",
                        "extension": "xlsx"}),
    ],
    "returns:upload": [
        case(PROVIDERS_AND_ANALYSTS, lambda w: {"slug": w["own_return"].slug,
                                                "period_slug": "2025-06"}),
        case(signed_in(administrator=OK, analyst=OK, data_provider=NOT_FOUND),
             lambda w: {"slug": w["other_return"].slug, "period_slug": "2025-26-q1"}),
    ],
    "returns:submission": [
        case(PROVIDERS_AND_ANALYSTS, lambda w: {"pk": w["own_submission"].pk}),
        case(signed_in(administrator=OK, analyst=OK, data_provider=NOT_FOUND),
             lambda w: {"pk": w["other_submission"].pk}),
    ],
    "returns:confirm": [
        case(signed_in(administrator=POST_ONLY, analyst=POST_ONLY, data_provider=POST_ONLY),
             lambda w: {"pk": w["own_submission"].pk},
             "confirming is a POST; a GET changes nothing"),
    ],
}


def draft_version(w: dict[str, Any]) -> Any:
    """A later version of the plan loaded as a draft and not in use (made once)."""
    from oversight.plans.models import Plan

    if "draft_version" not in w:
        plan = w["plan"]
        w["draft_version"] = Plan.objects.create(
            slug=plan.slug, title=plan.title, force=plan.force, force_slug=plan.force_slug,
            force_name=plan.force_name, version="draft", status=Plan.Status.DRAFT,
            source="test", file_name="draft.yaml", sha256="d" * 64, spec=plan.spec,
            previous=plan, is_current=False, loaded_by="test")
    return w["draft_version"]


# --- walking the resolver ------------------------------------------------------------------------


def named_urls() -> dict[str, str]:
    """Every named URL of the checked apps: "namespace:name" → its route."""
    found: dict[str, str] = {}

    def walk(patterns: list, namespace: str, prefix: str) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                inner = namespace
                if entry.namespace:
                    inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
                walk(entry.url_patterns, inner, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern) and entry.name:
                top = namespace.split(":", 1)[0]
                if top in APPS:
                    found[f"{namespace}:{entry.name}"] = prefix + str(entry.pattern)

    walk(get_resolver().url_patterns, "", "/")
    return found


def test_every_url_has_a_row():
    urls = named_urls()
    missing = sorted(set(urls) - set(TABLE))
    assert not missing, (
        "These URLs have no row in tests/test_url_roles.py saying which roles may use them: "
        + ", ".join(f"{name} ({urls[name]})" for name in missing))
    stale = sorted(set(TABLE) - set(urls))
    assert not stale, f"These rows name URLs that no longer exist: {', '.join(stale)}"


def test_every_row_covers_every_role():
    for name, cases in TABLE.items():
        assert cases, name
        for item in cases:
            assert set(item.expected) == set(ROLES), name


# --- requesting every row as every role -----------------------------------------------------------


@pytest.fixture
def world(db):
    """The demo database (3 months is enough), one user per role and the objects rows need."""
    from oversight.data.models import Area

    plan = demo_state.build(["2025-04", "2025-05", "2025-06"])
    world: dict[str, Any] = {
        "plan": plan,
        "measure": plan.measures.filter(public=True).order_by("order").first(),
        "hidden": plan.measures.filter(public=False).order_by("order").first(),
        "force": plan.force,
        "csp": Area.objects.filter(force=plan.force, kind=Area.Kind.CSP).order_by("code")[0],
        "la": Area.objects.filter(force=plan.force, kind=Area.Kind.LOCAL_AUTHORITY)
        .order_by("code")[0],
        "other_csp": Area.objects.filter(kind=Area.Kind.CSP).exclude(force=plan.force)
        .order_by("code")[0],
        "users": {
            "administrator": make_user("ada", "administrator"),
            "analyst": make_user("anna", "analyst"),
            "data-provider": make_user("dee", "data-provider", "victim-services"),
            "panel-member": make_user("pat", "panel-member"),
        },
    }
    from oversight.data.models import ImportBatch

    world["batch"] = ImportBatch.objects.order_by("id").first()
    from oversight.plans import changes

    world["change"] = changes.start(plan, world["users"]["analyst"], "A change", "3")
    from oversight.staff.models import ImportJob

    world["import_job"] = ImportJob.objects.create(files=["2025-06-kent-street.csv"],
                                                   username="anna")
    world.update(returns_world(world))
    world.update(reports_world(world))
    return world


def reports_world(world: dict[str, Any]) -> dict[str, Any]:
    """The quarterly report built as a draft by the analyst, and a version published from a
    second draft (so one draft is still unpublished)."""
    from oversight.reports import services

    analyst = world["users"]["analyst"]
    published = services.publish_draft(
        services.build_draft("quarterly", world["plan"], None, user=analyst), user=analyst)
    draft = services.build_draft("quarterly", world["plan"], None, user=analyst)
    from oversight.staff.models import PanelQuestion, ReportJob

    job = ReportJob.objects.create(kind="quarterly", user=analyst, username="anna")
    question = PanelQuestion.objects.create(measure=world["measure"], period="2025/26 Q1",
                                            text="Why?", asked_by=world["users"]["panel-member"])
    return {"draft": draft, "published": published, "report_job": job, "question": question}


def returns_world(world: dict[str, Any]) -> dict[str, Any]:
    """Two partners' returns, each with a checked submission: the data provider's own
    organisation (victim-services) and another one."""
    from oversight.accounts.models import Organisation
    from oversight.returns.models import ReturnSubmission
    from oversight.returns.services import define_template, field_spec

    own_org = world["users"]["data-provider"].profile.organisation
    other_org = Organisation.objects.create(slug="youth-diversion", name="Youth Diversion",
                                            kind=Organisation.Kind.PARTNER)
    own = define_template(name="Victim services monthly return", provider=own_org,
                          frequency="monthly", first_period="2025-04",
                          fields=[field_spec("VS-REFERRALS", "Victims referred")])
    other = define_template(name="Youth diversion quarterly return", provider=other_org,
                            frequency="quarterly", first_period="2025/26 Q1",
                            fields=[field_spec("YD-STARTS", "Young people starting")])

    def submission(template: Any, period: str) -> Any:
        return ReturnSubmission.objects.create(
            template=template, provider=template.provider, period=period,
            template_version=template.version, file_name="return.csv", sha256="0" * 64,
            size_bytes=10, rows=[], uploaded_by_name="test")

    return {"own_return": own, "other_return": other,
            "own_submission": submission(own, "2025-06"),
            "other_submission": submission(other, "2025/26 Q1")}


def outcome_of(response: Any) -> Outcome:
    if response.status_code == 302:
        location = response["Location"]
        if location.startswith("/staff/login/?next="):
            return LOGIN
        return Redirect(location)
    return response.status_code


def test_each_role_gets_what_the_table_says(client, world):
    urls = named_urls()
    wrong = []
    for name, cases in TABLE.items():
        if name not in urls:
            continue  # reported by test_every_url_has_a_row
        for item in cases:
            kwargs = item.kwargs(world) if item.kwargs else {}
            path = reverse(name, kwargs=kwargs or None) + item.query
            for role in ROLES:
                client.logout()
                if role != "public":
                    client.force_login(world["users"][role])
                got = outcome_of(client.get(path))
                if got != item.expected[role]:
                    wrong.append(f"{name} {path} as {role}: expected {item.expected[role]}, "
                                 f"got {got}")
    assert not wrong, "\n".join(wrong)


def test_sign_out_really_needs_a_post(client, world):
    """GET never signs anyone out (a link or image cannot sign you out)."""
    client.force_login(world["users"]["analyst"])
    client.get(reverse("staff:logout"))
    assert "_auth_user_id" in client.session

