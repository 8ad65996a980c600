"""Staff pages for the plan (``/staff/plans/``): the plan in use with its versions and a
download of its plan file, and changes to it, drafted, reviewed and approved
(``oversight.plans.changes``).

Analysts and administrators may use every page. Only a change's author edits it, and only
while it is a draft; only someone else approves it or sends it back. A form with a problem
shows the GOV.UK error summary, each message naming the field; nothing is saved.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods

from oversight.accounts.models import Role
from oversight.accounts.roles import role_required
from oversight.methods.periods import parse_month, period_months
from oversight.plans import changes, editing
from oversight.plans.diff import KIND_HEADINGS, KIND_ORDER
from oversight.plans.models import Measure, Plan, PlanChange
from oversight.plans.planfile import CRIME_TYPES, NOT_STATED
from oversight.plans.services import current_plan, plan_versions
from oversight.plans.writing import plan_file_yaml
from oversight.staff import work
from oversight.staff.govuk import plan_or_404, staff_page

ANALYSTS = (Role.ADMINISTRATOR, Role.ANALYST)
Status = PlanChange.Status

POLARITIES = [*Measure.Polarity.choices, (NOT_STATED, "Not stated")]
UNITS = [*Measure.Unit.choices, (NOT_STATED, "Not stated")]
TARGET_TYPES = [
    ("numeric", "Reach a figure"),
    ("reduce_by_percent", "Reduce by a percentage"),
    ("trajectory", "A figure for each period (a trajectory)"),
    ("msg_average_achieve", "Reach the peer group (MSG) average"),
    ("msg_average_maintain", "Stay better than the peer group (MSG) average"),
    ("spc_sustained_signal", "A sustained improvement on the SPC chart"),
    ("spc_assurance", "Consistently pass a figure (SPC assurance)"),
    (NOT_STATED, "Not stated"),
]
NEEDS_VALUE = {"numeric", "reduce_by_percent", "spc_assurance"}
BASELINE_RULES = [
    ("fixed_period", "A fixed period"),
    ("mean_of_periods", "The average of several periods"),
    ("same_period_last_pre_pandemic_year", "The same period before the pandemic"),
    ("comparator_index", "Another force or group"),
    (NOT_STATED, "Not stated"),
]
STATUS_TAGS = {
    Status.DRAFT: ("Draft", "yellow"),
    Status.REVIEW: ("Waiting for review", "blue"),
    Status.APPROVED: ("Approved", "green"),
    Status.WITHDRAWN: ("Withdrawn", "grey"),
}
PLANS = {"text": "Plan", "href": "/staff/plans/"}
DASHBOARD = {"text": "Dashboard", "href": "/staff/"}


def _change_or_404(pk: int) -> PlanChange:
    change = (PlanChange.objects.select_related("plan", "author", "reviewer", "new_plan")
              .filter(pk=pk).first())
    if change is None:
        raise Http404("No such change")
    return change


# --- the plan ------------------------------------------------------------------------------


@role_required(*ANALYSTS)
def index(request: HttpRequest) -> HttpResponse:
    """The plan in use, its versions with their reasons, and every change proposed."""
    plan = current_plan()
    versions = list(reversed(plan_versions(plan.slug))) if plan is not None else []
    made_by = {c.new_plan_id: c for c in PlanChange.objects.filter(new_plan__in=versions)}
    proposals = (PlanChange.objects.filter(plan__slug=plan.slug)
                 .select_related("author", "plan")[:50]) if plan is not None else []
    return staff_page(
        request, "plans/index.html", "The plan", plan=plan,
        versions=[(v, work.when(v.loaded_at), made_by.get(v.pk)) for v in versions],
        proposals=[(c, work.when(c.updated_at), STATUS_TAGS[c.status]) for c in proposals],
        breadcrumbs=[DASHBOARD],
    )


@role_required(*ANALYSTS)
def download(request: HttpRequest) -> HttpResponse:
    """The plan in use as a plan file, ready for ``oversight plan check`` or a text editor."""
    plan = plan_or_404()
    heading = (f"{plan.title}, version {plan.version}, as stored by Oversight.\n"
               f"Check it with: oversight plan check {plan.slug}.yaml")
    response = HttpResponse(plan_file_yaml(plan.plan_file(), heading),
                            content_type="application/yaml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{plan.slug}.yaml"'
    return response


# --- starting and deciding a change ---------------------------------------------------------


@role_required(*ANALYSTS)
@require_http_methods(["GET", "POST"])
def change_new(request: HttpRequest) -> HttpResponse:
    """Start a change to the plan in use: why, and the new version's name."""
    plan = plan_or_404()
    reason = request.POST.get("reason", "")
    version = request.POST.get("version", changes.suggest_version(plan))
    errors: list[tuple[str, str]] = []
    if request.method == "POST":
        try:
            change = changes.start(plan, request.user, reason, version)
        except changes.ChangeError as exc:
            errors = [(exc.field, str(exc))]
        else:
            messages.success(request, "Your change is saved as a draft. Change the plan below, "
                                      "then send it for review.")
            return redirect("plans:change", pk=change.pk)
    return staff_page(request, "plans/change_new.html", "Propose a change to the plan",
                      errors=errors, plan=plan, reason=reason, version=version,
                      breadcrumbs=[DASHBOARD, PLANS])


_DONE = {
    "save": "Your changes are saved.",
    "submit": "Sent for review. Someone other than you must approve it.",
    "send-back": "Sent back to its author with your note.",
    "withdraw": "The change is withdrawn. The plan is unchanged.",
}


@role_required(*ANALYSTS)
@require_http_methods(["GET", "POST"])
def change(request: HttpRequest, pk: int) -> HttpResponse:
    """One change: what it changes, and the next step for the signed-in user."""
    item = _change_or_404(pk)
    reason, version = item.reason, item.version
    note = ""
    errors: list[tuple[str, str]] = []
    if request.method == "POST":
        action = request.POST.get("action", "")
        reason = request.POST.get("reason", reason)
        version = request.POST.get("version", version)
        note = request.POST.get("review_note", "")
        try:
            done = _step(action, item, request.user, reason, version, note)
        except changes.ChangeError as exc:
            errors = [(exc.field, str(exc))]
        else:
            messages.success(request, done)
            return redirect("plans:change", pk=item.pk)
    return _change_page(request, item, errors, reason=reason, version=version, note=note)


def _step(action: str, item: PlanChange, user: Any, reason: str, version: str,
          note: str) -> str:
    if action == "save":
        changes.save_details(item, user, reason, version)
    elif action == "submit":
        changes.save_details(item, user, reason, version)
        changes.submit(item, user)
    elif action == "withdraw":
        changes.withdraw(item, user)
    elif action == "approve":
        plan = changes.approve(item, user)
        where = " The public pages show it now." if plan.status == Plan.Status.APPROVED else ""
        return f"Approved. Version {plan.version} of the plan is now in use.{where}"
    elif action == "send-back":
        changes.send_back(item, user, note)
    else:
        raise changes.ChangeError("Choose what to do with the change")
    return _DONE[action]


def _change_page(request: HttpRequest, item: PlanChange, errors: list[tuple[str, str]],
                 **context: Any) -> HttpResponse:
    is_author = item.author_id == request.user.pk
    editable = is_author and item.status == Status.DRAFT
    diff = changes.change_diff(item)
    groups = [(KIND_HEADINGS[kind], [c for c in diff.changes if c.kind == kind])
              for kind in KIND_ORDER]
    spec = item.spec
    return staff_page(
        request, "plans/change.html", f"Change {item.pk} to the plan", errors=errors,
        change=item, status_tag=STATUS_TAGS[item.status], is_author=is_author, editable=editable,
        can_review=item.status == Status.REVIEW and not is_author,
        stale=item.status in (Status.DRAFT, Status.REVIEW) and changes.is_stale(item),
        groups=[(heading, items) for heading, items in groups if items],
        measures=spec.get("measures") or [], themes=spec["themes"],
        priorities=[p for _path, p in editing.priorities(spec)],
        outcomes=[o for _path, o in editing.outcomes(spec)],
        history=work.history(item), breadcrumbs=[DASHBOARD, PLANS], **context,
    )


# --- editing a draft ---------------------------------------------------------------------------


def _draft_for(request: HttpRequest, pk: int) -> PlanChange:
    """A draft the signed-in user may edit: their own, still a draft."""
    item = _change_or_404(pk)
    if item.author_id != request.user.pk:
        raise PermissionDenied("Only the person who proposed a change can edit it")
    return item


def _not_editable(request: HttpRequest, item: PlanChange) -> HttpResponse | None:
    if item.status == Status.DRAFT:
        return None
    messages.info(request, f"This change is {item.get_status_display().lower()}, so it can no "
                           "longer be edited.")
    return redirect("plans:change", pk=item.pk)


def _errors_for(problems: list[changes.SpecProblem], prefix: tuple[Any, ...],
                fields: dict[tuple[str, ...], tuple[str, str]],
                fallback: str) -> list[tuple[str, str]]:
    """The plan file checker's problems as form errors: each linked to the field at its path
    (the longest match in ``fields``) and starting with that field's label."""
    errors = []
    for problem in problems:
        path = problem.path
        rest = tuple(path[len(prefix):]) if path[:len(prefix)] == prefix else None
        match = None
        if rest is not None:
            known = [key for key in fields if rest[:len(key)] == key]
            match = fields[max(known, key=len)] if known else None
        if match is not None:
            field_id, label = match
            errors.append((field_id, f"{label}: {problem.message}"))
        else:
            errors.append((fallback, problem.sentence()))
    return errors


def _save(request: HttpRequest, item: PlanChange, data: dict[str, Any], what: str,
          before: Any, after: Any, prefix: tuple[Any, ...],
          fields: dict[tuple[str, ...], tuple[str, str]],
          fallback: str) -> tuple[HttpResponse | None, list[tuple[str, str]]]:
    """Save an edit, or return the plan file checker's problems as form errors."""
    try:
        changes.save_edit(item, request.user, data, what, before, after)
    except changes.SpecProblems as exc:
        return None, _errors_for(exc.problems, prefix, fields, fallback)
    except changes.ChangeError as exc:
        return None, [(fallback, str(exc))]
    messages.success(request, f"Your change to {what} is saved in the draft.")
    return redirect("plans:change", pk=item.pk), []


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _number(post: Any, name: str, label: str, errors: list[tuple[str, str]]) -> float | None:
    text = post.get(name, "").strip().replace(",", "")
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        errors.append((name, f"Enter the {label} as a number, like 12 or 12.5"))
        return None


def _choice(post: Any, name: str, choices: list[tuple[str, str]], message: str,
            errors: list[tuple[str, str]]) -> str:
    value = post.get(name, "")
    if value not in dict(choices):
        errors.append((name, message))
        return NOT_STATED
    return value


MEASURE_FIELDS: dict[tuple[str, ...], tuple[str, str]] = {
    ("name",): ("name", "Name"),
    ("definition",): ("definition", "Definition"),
    ("owner",): ("owner", "Owner"),
    ("polarity",): ("polarity", "Which direction is better"),
    ("public",): ("public", "Public pages"),
    ("caveats",): ("caveats", "Caveats"),
    ("target",): ("target-type", "Target"),
    ("target", "type"): ("target-type", "Target type"),
    ("target", "value"): ("target-value", "Target value"),
    ("target", "methodology"): ("target-methodology", "How the target was set"),
    ("target", "consultees"): ("target-consultees", "Who was consulted"),
    ("baseline",): ("baseline-rule", "Baseline"),
    ("baseline", "rule"): ("baseline-rule", "Baseline"),
    ("baseline", "period"): ("baseline-period", "Baseline period"),
    ("baseline", "value"): ("baseline-value", "Baseline value"),
    ("baseline", "excluded"): ("baseline-excluded", "Months left out of the baseline"),
}

EXCLUDED_LABEL = "Months left out of the baseline"
_MONTH = re.compile(r"^\d{4}-\d{2}$")


def excluded_text(excluded: list[dict[str, Any]]) -> str:
    """The months a baseline leaves out as the form shows them: one line each, the month
    (YYYY-MM) or run of months (YYYY-MM to YYYY-MM), a colon and why. A period the plan file
    gives another way, such as a quarter, is shown as its months."""
    lines = []
    for item in excluded:
        period = str(item["period"])
        if not all(_MONTH.match(part) for part in period.split(" to ")):
            months = period_months(period)
            period = months[0] if len(months) == 1 else f"{months[0]} to {months[-1]}"
        reason = " ".join(str(item.get("reason") or "").split())
        lines.append(f"{period}: {reason}")
    return "\n".join(lines)


def _month_problem(text: str) -> str | None:
    if not _MONTH.match(text):
        return (f"“{text}” is not a month; write each month as YYYY-MM, such as 2020-04, or a "
                "run of months as 2020-04 to 2020-06")
    try:
        parse_month(text)
    except ValueError:
        return f"“{text}” is not a month; the month after the year runs from 01 to 12"
    return None


def _excluded_from_post(text: str, errors: list[tuple[str, str]]) -> list[dict[str, str]]:
    """The left-out months from the form, one line each as ``excluded_text`` writes them.
    The format is checked here; that each month is inside the baseline's period and is left
    out once is checked by the plan file's own rules (``checks._check_exclusions``)."""
    found: list[dict[str, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        where = f"{EXCLUDED_LABEL}, line {number}"
        head, _colon, reason = line.partition(":")
        parts = head.split()
        if len(parts) == 3 and parts[1].lower() == "to":
            start, end = parts[0], parts[2]
        elif len(parts) == 1:
            start, end = parts[0], None
        else:
            errors.append(("baseline-excluded", f"{where}: write the month as YYYY-MM (or a run "
                           "of months as 2020-04 to 2020-06), then a colon and why it is left "
                           "out, such as 2020-04: first national lockdown"))
            continue
        problem = _month_problem(start) or (_month_problem(end) if end else None)
        if problem:
            errors.append(("baseline-excluded", f"{where}: {problem}"))
            continue
        if end and end < start:
            errors.append(("baseline-excluded", f"{where}: {start} to {end} ends before it "
                                                "starts; put the earlier month first"))
            continue
        period = f"{start} to {end}" if end else start
        reason = reason.strip()
        if not reason:
            errors.append(("baseline-excluded", f"{where}: say why {period} is left out, "
                                                f"after a colon, such as {period}: first "
                                                "national lockdown"))
            continue
        found.append({"period": period, "reason": reason})
    return found


def _measure_edit_from_post(post: Any) -> tuple[editing.MeasureEdit, list[tuple[str, str]]]:
    errors: list[tuple[str, str]] = []
    name = post.get("name", "").strip()
    if not name:
        errors.append(("name", "Enter the measure's name"))
    polarity = _choice(post, "polarity", POLARITIES, "Select which direction is better, or "
                       "not stated", errors)
    target_type = _choice(post, "target-type", TARGET_TYPES, "Select the kind of target",
                          errors)
    target_value = _number(post, "target-value", "target value", errors)
    baseline_rule = _choice(post, "baseline-rule", BASELINE_RULES, "Select the baseline",
                            errors)
    baseline_value = _number(post, "baseline-value", "baseline value", errors)
    baseline_excluded = _excluded_from_post(post.get("baseline-excluded", ""), errors)
    if target_type in NEEDS_VALUE and target_value is None and "target-value" not in dict(errors):
        words = dict(TARGET_TYPES)[target_type].lower()
        errors.append(("target-value", f"Enter the target value: a target to {words} needs one"
                       if target_type != "spc_assurance" else
                       "Enter the target value: the figure the measure must consistently pass"))
    edit = editing.MeasureEdit(
        name=name, definition=post.get("definition", "").strip(),
        owner=post.get("owner", "").strip(), polarity=polarity,
        public=post.get("public") == "yes", caveats=_lines(post.get("caveats", "")),
        target_type=target_type, target_value=target_value,
        target_methodology=post.get("target-methodology", "").strip(),
        target_consultees=_lines(post.get("target-consultees", "")),
        baseline_rule=baseline_rule, baseline_period=post.get("baseline-period", "").strip(),
        baseline_value=baseline_value, baseline_excluded=baseline_excluded,
    )
    return edit, errors


@role_required(*ANALYSTS)
@require_http_methods(["GET", "POST"])
def measure_edit(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    """Change a measure's name, definition, owner, polarity, target, baseline (with the months
    it leaves out), caveats and whether it is public."""
    item = _draft_for(request, pk)
    stop = _not_editable(request, item)
    if stop:
        return stop
    try:
        index = editing.measure_index(item.spec, code)
    except editing.EditError:
        raise Http404("No such measure in this change") from None
    current = item.spec["measures"][index]
    edit = editing.measure_edit_from(current)
    excluded = excluded_text(edit.baseline_excluded)
    errors: list[tuple[str, str]] = []
    if request.method == "POST":
        edit, errors = _measure_edit_from_post(request.POST)
        excluded = request.POST.get("baseline-excluded", "")
        if not errors:
            data = editing.edit_measure(item.spec, code, edit)
            done, errors = _save(request, item, data, f"measure {code}", current,
                                 data["measures"][index], ("measures", index),
                                 MEASURE_FIELDS, "name")
            if done:
                return done
    return staff_page(
        request, "plans/measure_edit.html", f"Change measure {code}", errors=errors,
        change=item, code=code, edit=edit, polarities=POLARITIES, target_types=TARGET_TYPES,
        baseline_rules=BASELINE_RULES, measure=current, excluded=excluded,
        breadcrumbs=[DASHBOARD, PLANS, {"text": f"Change {item.pk}",
                                        "href": f"/staff/plans/changes/{item.pk}/"}],
    )


@role_required(*ANALYSTS)
@require_http_methods(["GET", "POST"])
def measure_remove(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    """Take a measure out of the plan (the next version lists it as removed, with the
    change's reason)."""
    item = _draft_for(request, pk)
    stop = _not_editable(request, item)
    if stop:
        return stop
    try:
        current = editing.measure(item.spec, code)
    except editing.EditError:
        raise Http404("No such measure in this change") from None
    errors: list[tuple[str, str]] = []
    if request.method == "POST":
        if request.POST.get("confirm") != "yes":
            errors = [("confirm", f"Select yes to remove measure {code}")]
        else:
            data = editing.remove_measure(item.spec, code)
            done, errors = _save(request, item, data, f"measure {code}", current, None,
                                 ("measures",), {}, "confirm")
            if done:
                return done
    return staff_page(
        request, "plans/measure_remove.html", f"Remove measure {code}", errors=errors,
        change=item, code=code, measure=current,
        breadcrumbs=[DASHBOARD, PLANS, {"text": f"Change {item.pk}",
                                        "href": f"/staff/plans/changes/{item.pk}/"}],
    )


NEW_MEASURE_FIELDS: dict[tuple[str, ...], tuple[str, str]] = {
    ("code",): ("code", "Code"),
    ("name",): ("name", "Name"),
    ("theme",): ("theme", "Theme"),
    ("definition",): ("definition", "Definition"),
    ("unit",): ("unit", "Unit"),
    ("polarity",): ("polarity", "Which direction is better"),
    ("source",): ("crime-types", "Crime types"),
}


@role_required(*ANALYSTS)
@require_http_methods(["GET", "POST"])
def measure_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a measure to the plan: counted from data.police.uk crime types, or with its
    source not stated yet."""
    item = _draft_for(request, pk)
    stop = _not_editable(request, item)
    if stop:
        return stop
    themes = [(str(t["number"]), f"{t['number']}. {t['title']}") for t in item.spec["themes"]]
    post = request.POST
    errors: list[tuple[str, str]] = []
    new = editing.NewMeasure(code="", name="", theme=0)
    if request.method == "POST":
        code, name = post.get("code", "").strip(), post.get("name", "").strip()
        theme = post.get("theme", "")
        if not code:
            errors.append(("code", "Enter a code for the measure, such as VEH-2"))
        if not name:
            errors.append(("name", "Enter the measure's name"))
        if theme not in dict(themes):
            errors.append(("theme", "Select the theme the measure sits under"))
        unit = _choice(post, "unit", UNITS, "Select the unit, or not stated", errors)
        polarity = _choice(post, "polarity", POLARITIES,
                           "Select which direction is better, or not stated", errors)
        new = editing.NewMeasure(
            code=code, name=name, theme=int(theme) if theme.isdigit() else 0,
            definition=post.get("definition", "").strip(),
            unit="" if unit == NOT_STATED else unit, polarity=polarity,
            crime_types=[t for t in post.getlist("crime-types") if t in CRIME_TYPES],
            public=post.get("public") == "yes")
        if not errors:
            data = editing.add_measure(item.spec, new)
            index = len(data["measures"]) - 1
            done, errors = _save(request, item, data, f"measure {new.code}", None,
                                 data["measures"][index], ("measures", index),
                                 NEW_MEASURE_FIELDS, "code")
            if done:
                return done
    return staff_page(
        request, "plans/measure_add.html", "Add a measure", errors=errors, change=item,
        new=new, themes=themes, units=UNITS, polarities=POLARITIES, crime_types=CRIME_TYPES,
        breadcrumbs=[DASHBOARD, PLANS, {"text": f"Change {item.pk}",
                                        "href": f"/staff/plans/changes/{item.pk}/"}],
    )


WORDING_FIELDS: dict[tuple[str, ...], tuple[str, str]] = {
    ("title",): ("title", "Title"),
    ("description",): ("description", "Description"),
    ("rank",): ("rank", "Rank"),
}


def _wording(request: HttpRequest, pk: int, kind: str, key: str) -> HttpResponse:
    """Reword a theme, priority or outcome (and rank a priority)."""
    item = _draft_for(request, pk)
    stop = _not_editable(request, item)
    if stop:
        return stop
    spec = item.spec
    try:
        if kind == "theme":
            path = ("themes", [t["number"] for t in spec["themes"]].index(int(key)))
        elif kind == "priority":
            path = editing.priority_path(spec, key)
        else:
            path = editing.outcome_path(spec, key)
    except (ValueError, editing.EditError):
        raise Http404(f"No such {kind} in this change") from None
    current = editing.at(spec, path)
    title = current["title"]
    description = current.get("description") or ""
    rank = "" if current.get("rank") in (None, NOT_STATED) else str(current.get("rank"))
    errors: list[tuple[str, str]] = []
    if request.method == "POST":
        title = request.POST.get("title", "").strip()
        description = request.POST.get("description", "").strip()
        rank = request.POST.get("rank", "").strip()
        if not title:
            errors.append(("title", f"Enter the {kind}'s title"))
        if kind == "priority" and rank and not (rank.isdigit() and int(rank) >= 1):
            errors.append(("rank", "Enter the rank as a whole number, like 2, or leave it "
                                   "empty if the plan does not rank this priority"))
        if not errors:
            if kind == "priority":
                data = editing.edit_priority(spec, key, title, description,
                                             int(rank) if rank else None)
            else:
                data = editing.edit_wording(spec, path, title, description)
            label = f"theme {key}" if kind == "theme" else f"{kind} {key}"
            after = {k: v for k, v in editing.at(data, path).items()
                     if k not in ("priorities", "outcomes")}
            before = {k: v for k, v in current.items() if k not in ("priorities", "outcomes")}
            done, errors = _save(request, item, data, label, before, after, path,
                                 WORDING_FIELDS, "title")
            if done:
                return done
    return staff_page(
        request, "plans/wording_edit.html", f"Change {kind} {key}", errors=errors,
        change=item, kind=kind, key=key, item_title=title, description=description, rank=rank,
        breadcrumbs=[DASHBOARD, PLANS, {"text": f"Change {item.pk}",
                                        "href": f"/staff/plans/changes/{item.pk}/"}],
    )


@role_required(*ANALYSTS)
@require_http_methods(["GET", "POST"])
def theme_edit(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    return _wording(request, pk, "theme", str(number))


@role_required(*ANALYSTS)
@require_http_methods(["GET", "POST"])
def priority_edit(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    return _wording(request, pk, "priority", key)


@role_required(*ANALYSTS)
@require_http_methods(["GET", "POST"])
def outcome_edit(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    return _wording(request, pk, "outcome", key)
