"""What the staff area reads: the quarter each measure's commentary is for, what needs
attention, and the audit history of an item, each in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from oversight.accounts.models import AuditEvent
from oversight.commentary.models import Commentary
from oversight.formatting import MONTH_NAMES
from oversight.methods import periods
from oversight.performance.presentation import SIGNAL_WORDS, STATUS_TAGS
from oversight.plans.models import Measure

COMMENTARY_TAGS = {
    None: ("Not started", "grey"),
    Commentary.Status.DRAFT: ("Draft", "yellow"),
    Commentary.Status.REVIEW: ("Waiting for review", "blue"),
    Commentary.Status.APPROVED: ("Approved", "green"),
}
ACTION_WORDS = {
    "commentary.draft": "Saved as a draft",
    "commentary.submit": "Sent for review",
    "commentary.approve": "Approved",
    "commentary.send-back": "Sent back",
    "panel-question.ask": "Asked a question",
    "panel-question.answer": "Answered the question",
    "plan.load": "Loaded a new version from a plan file",
    "plan-change.start": "Started the change",
    "plan-change.edit": "Edited the draft",
    "plan-change.submit": "Sent for review",
    "plan-change.send-back": "Sent back",
    "plan-change.withdraw": "Withdrawn",
    "plan-change.approve": "Approved: the new version is in use",
}


def when(value: Any) -> str:
    """A date and time as GOV.UK writes it: ``1 April 2025 at 2:05pm``."""
    if value is None:
        return "–"
    local = timezone.localtime(value)
    hour = local.hour % 12 or 12
    half = "am" if local.hour < 12 else "pm"
    return (f"{local.day} {MONTH_NAMES[local.month - 1]} {local.year} at "
            f"{hour}:{local.minute:02d}{half}")


def latest_quarter(measures: list[Measure]) -> str | None:
    """The latest quarter any measure has figures for (labels sort in time order)."""
    labels = [m.result.latest_quarter for m in measures
              if _result(m) is not None and m.result.latest_quarter]
    return max(labels) if labels else None


def _result(measure: Measure) -> Any:
    return getattr(measure, "result", None)


def period_for(measure: Measure, plan_latest: str | None) -> str | None:
    """The quarter commentary on ``measure`` is written for: its own latest quarter, else the
    plan's latest (a measure whose data is not loaded is still reported on)."""
    result = _result(measure)
    return (result.latest_quarter if result is not None and result.latest_quarter
            else plan_latest)


def period_words(label: str | None) -> str:
    return periods.period_words(label) if label else "–"


@dataclass
class Row:
    """One measure as the staff area lists it."""

    measure: Measure
    period: str | None
    commentary: Commentary | None
    status: dict[str, str] = field(default_factory=dict)
    signal: str | None = None

    @property
    def period_words(self) -> str:
        return period_words(self.period)

    @property
    def commentary_tag(self) -> tuple[str, str]:
        return COMMENTARY_TAGS[self.commentary.status if self.commentary else None]

    @property
    def needs_commentary(self) -> bool:
        return self.period is not None and (
            self.commentary is None or self.commentary.status != Commentary.Status.APPROVED)

    @property
    def needs_attention(self) -> bool:
        return self.status.get("key") == "not-met" or self.signal == "concern"

    @property
    def attention_reason(self) -> str:
        reasons = []
        if self.status.get("key") == "not-met":
            reasons.append(self.status.get("reason") or "The target is not met.")
        if self.signal == "concern":
            reasons.append("The latest month is a concern signal on the SPC chart.")
        return " ".join(reasons)


def measure_rows(plan: Any) -> tuple[list[Row], str | None]:
    """Every measure of ``plan`` with its status, signal and this quarter's commentary.

    Two queries, however many measures: measures with results, then their commentary.
    """
    measures = list(plan.measures.select_related("theme", "result").order_by("order", "id"))
    plan_latest = latest_quarter(measures)
    wanted = {period_for(m, plan_latest) for m in measures} - {None}
    found = {
        (c.measure_id, c.period): c
        for c in Commentary.objects.filter(measure__plan=plan, period__in=wanted)
        .select_related("author")
    } if wanted else {}
    rows = []
    for measure in measures:
        period = period_for(measure, plan_latest)
        result = _result(measure)
        figures = result.figures if result is not None else {}
        key = figures.get("status", "not-assessable")
        label, colour = STATUS_TAGS.get(key, STATUS_TAGS["not-assessable"])
        signal = (figures.get("spc") or {}).get("latest_signal")
        rows.append(Row(measure, period, found.get((measure.pk, period)),
                        {"key": key, "label": label, "colour": colour,
                         "reason": figures.get("status_reason", "")},
                        signal))
    return rows, plan_latest


def signal_words(signal: str | None) -> str:
    return SIGNAL_WORDS.get(signal or "none", "–")


def history(obj: Any) -> list[dict[str, str]]:
    """The audit trail of one item, oldest first, in words."""
    events = AuditEvent.objects.filter(object_type=obj._meta.label, object_id=str(obj.pk))
    rows = []
    for event in events.order_by("at", "id"):
        what = ACTION_WORDS.get(event.action, event.action)
        after = event.after or {}
        if event.action.endswith(".send-back") and after.get("review_note"):
            what = f"{what}: {after['review_note']}"
        elif event.action == "plan-change.edit" and after.get("item"):
            what = f"{what}: {after['item']}"
        rows.append({"when": when(event.at), "who": event.username, "what": what})
    return rows


@dataclass
class ReturnsRow:
    """One partner return with periods overdue or submitted late, for the dashboard."""

    provider: Any
    template: Any
    missing: list[Any]
    late: list[Any]

    @property
    def oldest_missing(self) -> Any:
        return min(self.missing, key=lambda status: status.due) if self.missing else None


def late_returns(today: Any = None) -> list[ReturnsRow]:
    """Each provider's returns that are overdue or arrived late, from the returns app's
    late list (``late_and_missing``: two queries however many returns), providers in name
    order, returns with the most periods missing first."""
    from oversight.returns.services import late_and_missing

    rows = []
    for entry in late_and_missing(today):
        by_template: dict[int, ReturnsRow] = {}
        for kind, found in (("missing", entry.missing), ("late", entry.late)):
            for template, status in found:
                row = by_template.setdefault(
                    template.pk, ReturnsRow(entry.provider, template, [], []))
                getattr(row, kind).append(status)
        rows += sorted(by_template.values(), key=lambda r: (-len(r.missing), r.template.name))
    return rows
