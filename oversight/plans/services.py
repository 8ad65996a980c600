"""Load plan files into the database, compare versions, and find the plan in use.

- ``load_plan_file(path, user=...)`` checks a plan file and stores it as a new ``Plan`` version
  in one transaction. Loading the same file again (same checksum) changes nothing. Loading a new
  version of a plan (same slug, different file) stores it beside the old one, points it at the
  old one through ``previous`` and makes it the current version. The new version takes over
  the commentary and Panel questions of every measure it keeps (same code) and its figures are
  computed, in the same transaction (``take_over``): the staff area's approval of a plan change
  (``oversight.plans.changes.approve``) and ``oversight plan load`` both come through here.
- ``load_plan_text(text, file_name, user=...)`` does the same for a plan file held as text.
- Given ``audited_by`` (a user, or a name for someone without an account), a load that stores
  a new version writes a ``plan.load`` audit entry in the same transaction: the version it
  replaces and the new one (version, file and checksum) and what was carried over. A repeat
  load stores nothing and writes nothing.
- ``diff_plans(old, new)`` says what changed between two versions, with the reasons the new
  file gives.
- ``current_plan()`` is the plan the pages and reports show.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from django.db import transaction

from oversight.data.models import Force
from oversight.plans.diff import PlanDiff, diff_specs
from oversight.plans.models import Measure, Outcome, PeerGroup, Plan, Priority, Theme
from oversight.plans.planfile import (
    NOT_STATED,
    MeasureSpec,
    OutcomeSpec,
    PlanFile,
    PrioritySpec,
    ThemeSpec,
    parse_plan_file,
    parse_plan_text,
    read_plan_bytes,
)


@dataclass(frozen=True)
class LoadOutcome:
    """What loading a file did: the plan version, and whether it was new."""

    plan: Plan
    created: bool
    replaced: Plan | None = None
    carried: CarriedOver | None = None


@dataclass(frozen=True)
class CarriedOver:
    """What a new version took over from the one it replaced."""

    commentary: int
    questions: int
    measures_kept: int
    measures_computed: int


def load_plan_file(path: str | Path, *, user: str = "cli") -> Plan:
    """Check the plan file at ``path`` and store it; return the stored ``Plan``.

    Raises ``PlanFileError`` (with line numbers) if the file has problems; nothing is stored.
    """
    return load_plan_file_outcome(path, user=user).plan


def load_plan_file_outcome(path: str | Path, *, user: str = "cli",
                           audited_by: Any = None) -> LoadOutcome:
    """As ``load_plan_file``, also saying whether the file was new and what it replaced.

    With ``audited_by`` (a user, or a name), a new version is audited as ``plan.load``."""
    path = Path(path)
    raw, text = read_plan_bytes(path)
    return _load(raw, text, path.name, user, audited_by)


def load_plan_text(text: str, file_name: str, *, user: str = "cli") -> LoadOutcome:
    """As ``load_plan_file_outcome``, for a plan file held as text called ``file_name``, such
    as one written from an approved change (``oversight.plans.changes``)."""
    return _load(text.encode("utf-8"), text, file_name, user)


def _load(raw: bytes, text: str, file_name: str, user: str,
          audited_by: Any = None) -> LoadOutcome:
    digest = hashlib.sha256(raw).hexdigest()
    existing = Plan.objects.filter(sha256=digest).first()
    if existing is not None:
        return LoadOutcome(existing, created=False)
    spec = parse_plan_text(text, file_name)
    with transaction.atomic():
        previous = _current_version(spec.plan.slug)
        if previous is not None:
            Plan.objects.filter(pk=previous.pk).update(is_current=False)
        plan = _create_plan(spec, file_name=file_name, sha256=digest, user=user,
                            previous=previous)
        _create_contents(plan, spec)
        carried = take_over(previous, plan) if previous is not None else None
        if audited_by is not None:
            from oversight.accounts import audit

            audit.record(audited_by, "plan.load", plan,
                         before=_version_values(previous) if previous is not None else None,
                         after={**_version_values(plan),
                                "carried_over": asdict(carried) if carried else None})
    return LoadOutcome(plan, created=True, replaced=previous, carried=carried)


def _version_values(plan: Plan) -> dict[str, Any]:
    """A version as the audit trail names it: which one, from which file, its checksum."""
    return {"plan": plan.pk, "version": plan.version, "file_name": plan.file_name,
            "sha256": plan.sha256}


def take_over(old: Plan, new: Plan) -> CarriedOver:
    """``new`` replaces ``old``: copy the commentary and Panel questions of each measure the
    new version keeps (same code), so approved commentary stays on the public pages and the
    Panel's questions stay with their measure, then compute every measure of ``new``.

    A measure the new version drops takes nothing with it. Run inside the load's transaction.
    """
    from oversight.commentary.models import Commentary
    from oversight.performance.services import compute_plan
    from oversight.staff.models import PanelQuestion

    kept = dict(new.measures.values_list("code", "pk"))
    copies = [
        Commentary(measure_id=kept[c.measure.code], period=c.period, text=c.text,
                   status=c.status, author_id=c.author_id, reviewer_id=c.reviewer_id,
                   review_note=c.review_note, approved_at=c.approved_at)
        for c in Commentary.objects.filter(measure__plan=old).select_related("measure")
        if c.measure.code in kept
    ]
    Commentary.objects.bulk_create(copies)
    questions = [q for q in PanelQuestion.objects.filter(measure__plan=old)
                 .select_related("measure") if q.measure.code in kept]
    made = PanelQuestion.objects.bulk_create([
        PanelQuestion(measure_id=kept[q.measure.code], period=q.period, text=q.text,
                      asked_by_id=q.asked_by_id) for q in questions])
    for copy, question in zip(made, questions, strict=True):  # keep when each was asked
        PanelQuestion.objects.filter(pk=copy.pk).update(asked_at=question.asked_at)
    old_codes = set(old.measures.values_list("code", flat=True))
    computed = compute_plan(new)
    return CarriedOver(commentary=len(copies), questions=len(questions),
                       measures_kept=len(old_codes & set(kept)),
                       measures_computed=len(computed))


def _current_version(slug: str) -> Plan | None:
    return Plan.objects.select_for_update().filter(slug=slug, is_current=True).first()


def _force_for(spec: PlanFile) -> Force:
    """The plan's force, added to the list of forces if no data for it is loaded yet."""
    force, _created = Force.objects.get_or_create(
        slug=spec.plan.force, defaults={"name": spec.plan.force_name}
    )
    return force


def _year(value: int | str) -> int | None:
    return None if value == NOT_STATED else int(value)


def _if_not_stated(name: str, value: object) -> list[str]:
    return [name] if value == NOT_STATED else []


def _create_plan(
    spec: PlanFile, *, file_name: str, sha256: str, user: str, previous: Plan | None
) -> Plan:
    header = spec.plan
    return Plan.objects.create(
        slug=header.slug,
        title=header.title,
        force=_force_for(spec),
        force_slug=header.force,
        force_name=header.force_name,
        start_year=_year(header.period.start),
        end_year=_year(header.period.end),
        version=header.version,
        published_date=header.published,
        status=header.status,
        source=header.source,
        description=header.description or "",
        strands=[strand.model_dump(mode="json") for strand in spec.strands],
        grade_scale=spec.grade_scale or "",
        change_reason=header.change_reason or "",
        not_stated=list(header.not_stated),
        file_name=file_name,
        sha256=sha256,
        spec=spec.model_dump(mode="json"),
        previous=previous,
        is_current=True,
        loaded_by=user,
    )


def _create_contents(plan: Plan, spec: PlanFile) -> None:
    themes = {t.number: _create_theme(plan, t) for t in spec.themes}
    priorities: dict[str, Priority] = {}
    outcomes: dict[str, Outcome] = {}
    for order, (theme_spec, priority_spec) in enumerate(spec.all_priorities()):
        theme = themes[theme_spec.number] if theme_spec else None
        priorities[priority_spec.key] = _create_priority(plan, theme, priority_spec, order)
    for order, (parent_spec, owner_spec, outcome_spec) in enumerate(spec.all_outcomes()):
        parent = themes[parent_spec.number] if parent_spec else None
        owner = priorities[owner_spec.key] if owner_spec else None
        outcomes[outcome_spec.key] = _create_outcome(plan, parent, owner, outcome_spec, order)
    for order, measure_spec in enumerate(spec.measures):
        _create_measure(plan, measure_spec, order, themes, priorities, outcomes)
    for group in spec.peer_groups:
        PeerGroup.objects.create(
            plan=plan,
            name=group.name,
            version=group.version or "",
            valid_from=group.valid_from,
            members=list(group.members),
            provisional=group.provisional,
            source=group.source or "",
            note=group.note or "",
        )


def _create_theme(plan: Plan, spec: ThemeSpec) -> Theme:
    return Theme.objects.create(
        plan=plan,
        number=spec.number,
        title=spec.title,
        description=spec.description or "",
        strand=spec.strand,
        ambitions=list(spec.ambitions),
        resources=spec.resources or "",
        source=spec.source or "",
        illustrative=spec.illustrative,
        not_stated=list(spec.not_stated),
    )


def _create_priority(plan: Plan, theme: Theme | None, spec: PrioritySpec, order: int) -> Priority:
    return Priority.objects.create(
        plan=plan,
        theme=theme,
        key=spec.key,
        rank=_year(spec.rank),
        title=spec.title,
        description=spec.description or "",
        status=spec.status,
        reason=spec.reason or "",
        source=spec.source or "",
        illustrative=spec.illustrative,
        order=order,
        not_stated=list(dict.fromkeys([*spec.not_stated, *_if_not_stated("rank", spec.rank)])),
    )


def _create_outcome(
    plan: Plan, theme: Theme | None, priority: Priority | None, spec: OutcomeSpec, order: int
) -> Outcome:
    return Outcome.objects.create(
        plan=plan,
        theme=theme if theme is not None else (priority.theme if priority else None),
        priority=priority,
        key=spec.key,
        title=spec.title,
        description=spec.description or "",
        source=spec.source or "",
        illustrative=spec.illustrative,
        order=order,
        not_stated=list(spec.not_stated),
    )


def _dump(value: object) -> dict:
    return value.model_dump(mode="json") if value is not None else {}  # type: ignore[attr-defined]


def _create_measure(
    plan: Plan,
    spec: MeasureSpec,
    order: int,
    themes: dict[int, Theme],
    priorities: dict[str, Priority],
    outcomes: dict[str, Outcome],
) -> Measure:
    return Measure.objects.create(
        plan=plan,
        theme=themes[spec.theme],
        priority=priorities.get(spec.priority) if spec.priority else None,
        outcome=outcomes.get(spec.outcome) if spec.outcome else None,
        code=spec.code,
        name=spec.name,
        definition=spec.definition or "",
        unit=spec.unit or "",
        polarity=spec.polarity or "",
        kind=spec.kind or "",
        source=_dump(spec.source),
        frequency=spec.frequency or "",
        geography=spec.geography or "",
        baseline=_dump(spec.baseline),
        target=_dump(spec.target),
        owner=spec.owner or "",
        public=spec.public,
        peer_group=spec.peer_group or "",
        spc=dict(spec.spc or {}),
        exception_rule=dict(spec.exception_rule or {}),
        reported_values=[value.model_dump(mode="json") for value in spec.reported_values],
        caveats=list(spec.caveats),
        citation=spec.citation or "",
        illustrative=spec.illustrative,
        not_stated=list(spec.not_stated),
        order=order,
    )


def _as_spec(plan: Plan | PlanFile | str | Path) -> PlanFile:
    if isinstance(plan, PlanFile):
        return plan
    if isinstance(plan, Plan):
        return plan.plan_file()
    return parse_plan_file(plan)


def diff_plans(old: Plan | PlanFile | str | Path, new: Plan | PlanFile | str | Path) -> PlanDiff:
    """What changed from ``old`` to ``new``: stored versions, validated files or file paths."""
    return diff_specs(_as_spec(old), _as_spec(new))


def current_plan(slug: str | None = None) -> Plan | None:
    """The plan in use: the current version of plan ``slug``, or, without a slug, the current
    version loaded most recently. ``None`` if no plan is loaded."""
    plans = Plan.objects.filter(is_current=True)
    if slug is not None:
        plans = plans.filter(slug=slug)
    return plans.select_related("force").order_by("-loaded_at", "-id").first()


def plan_versions(slug: str) -> list[Plan]:
    """Every stored version of plan ``slug``, oldest first."""
    return list(Plan.objects.filter(slug=slug).order_by("loaded_at", "id"))
