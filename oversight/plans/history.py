"""Every version of a plan, for the public "Plan versions" pages and for staff.

- ``version_list(slug, staff=...)`` lists the versions, newest first: label, when approved (or
  loaded), what changed in one sentence (``PlanDiff.summary``) and why.
- ``version_detail(plan, staff=...)`` gives one version as it was (themes, priorities,
  outcomes and measures, read from its stored rows) with the readable difference from the
  version before (``oversight.plans.diff``, the comparison ``oversight plan diff`` prints).

The public see only approved versions and the measures approved for the public pages; the
version before an approved version is the approved one before it, so a draft's contents never
show through a comparison. Staff (``staff=True``) see every version, each with its status,
every measure, and the changes still in draft or waiting for review.

Each function runs a fixed number of queries, however many measures or versions there are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils import timezone

from oversight.formatting import date_words
from oversight.plans.diff import KIND_HEADINGS, KIND_ORDER, ItemChange, PlanDiff, diff_specs
from oversight.plans.models import Plan, PlanChange
from oversight.plans.planfile import PlanFile

APPROVED = Plan.Status.APPROVED
BASELINE_WORDS = {
    "fixed_period": "A fixed period",
    "mean_of_periods": "The average of several periods",
    "same_period_last_pre_pandemic_year": "The same period before the pandemic",
    "comparator_index": "Another force or group",
}


def baseline_words(baseline: dict[str, Any] | None) -> str:
    """A measure's baseline in words, such as "A fixed period: 2019-12 to 2022-11, leaving
    out 2020-04 to 2020-06 (first national lockdown)"; "Not stated" if the plan does not
    say."""
    baseline = baseline or {}
    rule = baseline.get("rule")
    if rule in (None, "not_stated"):
        return "Not stated"
    words = BASELINE_WORDS.get(rule, str(rule).replace("_", " ").capitalize())
    periods = [p for p in [baseline.get("period"), *(baseline.get("periods") or [])]
               if p and p != "not_stated"]
    if periods:
        words += ": " + ", ".join(periods)
    if baseline.get("comparator"):
        words += f" ({baseline['comparator']})"
    if baseline.get("value") is not None:
        words += f", value {baseline['value']:g}"
    left_out = [f"{e['period']} ({e['reason']})" for e in baseline.get("excluded") or []]
    if left_out:
        words += ", leaving out " + "; ".join(left_out)
    return words


@dataclass
class Version:
    """One version of a plan as the versions pages list it."""

    plan: Plan
    number: int  # its place among the versions shown, the first being 1
    when: datetime  # when the change making it was approved, else when it was loaded
    approved_by_change: PlanChange | None
    previous: Plan | None  # the version it is compared with
    summary: str
    diff: PlanDiff | None = None

    @property
    def when_words(self) -> str:
        """Such as ``4 June 2025``."""
        return date_words(timezone.localtime(self.when))

    @property
    def is_public(self) -> bool:
        return self.plan.status == APPROVED

    @property
    def reason(self) -> str:
        return self.plan.change_reason


@dataclass
class VersionDetail:
    """A version as it was, with its comparison with the version before."""

    version: Version
    themes: list[dict[str, Any]]
    unplaced_priorities: list[Any]
    unplaced_outcomes: list[Any]
    measure_count: int
    diff_groups: list[tuple[str, list[ItemChange]]] = field(default_factory=list)
    open_changes: list[PlanChange] = field(default_factory=list)


def _versions_of(slug: str, staff: bool) -> list[Plan]:
    plans = Plan.objects.filter(slug=slug)
    if not staff:
        plans = plans.filter(status=APPROVED)
    return list(plans.select_related("force").order_by("loaded_at", "id"))


def _public_codes(spec: PlanFile) -> set[str]:
    return {m.code for m in spec.measures if m.public}


def _compare(old: Plan, new: Plan, staff: bool, specs: dict[int, PlanFile]) -> PlanDiff:
    for plan in (old, new):
        if plan.pk not in specs:
            specs[plan.pk] = plan.plan_file()
    before, after = specs[old.pk], specs[new.pk]
    diff = diff_specs(before, after)
    if staff:
        return diff
    shown = _public_codes(before) | _public_codes(after)
    return diff.only(lambda c: c.kind != "measure" or c.key in shown)


def _listed(plans: list[Plan], staff: bool, compare: set[int] | None = None) -> list[Version]:
    """``plans`` (oldest first) as versions, each compared with the one before it (only those
    in ``compare``, if given)."""
    made_by = {c.new_plan_id: c for c in PlanChange.objects.filter(new_plan__in=plans)}
    specs: dict[int, PlanFile] = {}
    versions = []
    for number, plan in enumerate(plans, start=1):
        previous = plans[number - 2] if number > 1 else None
        change = made_by.get(plan.pk)
        diff = None
        if previous is not None and (compare is None or plan.pk in compare):
            diff = _compare(previous, plan, staff, specs)
        summary = ("The first version loaded." if previous is None
                   else diff.summary() if diff is not None else "")
        when = change.decided_at if change is not None and change.decided_at else plan.loaded_at
        versions.append(Version(plan, number, when, change, previous, summary, diff))
    return versions


def version_list(slug: str, *, staff: bool = False) -> list[Version]:
    """The versions of plan ``slug``, newest first (approved ones only, unless ``staff``)."""
    return list(reversed(_listed(_versions_of(slug, staff), staff)))


def version_for(pk: int, slug: str | None, *, staff: bool = False) -> Version | None:
    """Version ``pk`` as listed among its plan's versions, or None if there is no such version
    (or, for the public, it is not approved or not a version of plan ``slug``)."""
    plan = Plan.objects.filter(pk=pk).only("slug").first()
    if plan is None or (not staff and plan.slug != slug):
        return None
    listed = _listed(_versions_of(plan.slug, staff), staff, compare={pk})
    return next((v for v in listed if v.plan.pk == pk), None)


def version_detail(version: Version, *, staff: bool = False) -> VersionDetail:
    """The themes, priorities, outcomes and measures of ``version`` as stored, grouped by
    theme, and what changed from the version before."""
    plan = version.plan
    themes = list(plan.themes.order_by("number"))
    priorities = list(plan.priorities.order_by("order", "id"))
    outcomes = list(plan.outcomes.order_by("order", "id"))
    measures = plan.measures.order_by("order", "id")
    if not staff:
        measures = measures.filter(public=True)
    measures = list(measures)
    grouped = []
    for theme in themes:
        grouped.append({
            "theme": theme,
            "priorities": sorted((p for p in priorities if p.theme_id == theme.pk),
                                 key=lambda p: (p.rank is None, p.rank or 0, p.order)),
            "outcomes": [o for o in outcomes if o.theme_id == theme.pk],
            "measures": [m for m in measures if m.theme_id == theme.pk],
        })
    groups = []
    if version.diff is not None:
        groups = [(KIND_HEADINGS[kind], [c for c in version.diff.changes if c.kind == kind])
                  for kind in KIND_ORDER]
        groups = [(heading, items) for heading, items in groups if items]
    open_changes = []
    if staff and plan.is_current:
        open_changes = list(PlanChange.objects.filter(
            plan=plan, status__in=[PlanChange.Status.DRAFT, PlanChange.Status.REVIEW])
            .select_related("author").order_by("-updated_at", "-id"))
    return VersionDetail(
        version=version, themes=grouped,
        unplaced_priorities=[p for p in priorities if p.theme_id is None],
        unplaced_outcomes=[o for o in outcomes if o.theme_id is None],
        measure_count=len(measures), diff_groups=groups, open_changes=open_changes,
    )
