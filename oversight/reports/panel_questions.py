"""The "Panel questions" section of a report: the questions Police and Crime Panel members have
asked about the report's measures (``oversight.staff.models.PanelQuestion``), up to the end of
the report's period.

Each question is shown with the answer an analyst or administrator gave in the staff area, and
the date of the answer, or "Not yet answered". A public report lists questions on public
measures only; neither the asker's nor the answerer's name is ever shown. With no question,
the section is left out.
"""

from __future__ import annotations

from typing import Any

from oversight.methods import periods

NOT_ANSWERED = "Not yet answered"


def _last_quarter(period: str) -> str:
    """The report period's last quarter: the quarter itself, or Q4 of a financial year."""
    return period if " Q" in period else f"{period} Q4"


def report_section(plan: Any, period: str, *, theme: int | None = None,
                   public_only: bool = True) -> dict[str, Any] | None:
    from django.utils import timezone

    from oversight.formatting import date_words
    from oversight.staff.models import PanelQuestion

    questions = (PanelQuestion.objects.filter(measure__plan=plan)
                 .select_related("measure", "measure__theme").order_by("asked_at", "id"))
    if public_only:
        questions = questions.filter(measure__public=True)
    if theme is not None:
        questions = questions.filter(measure__theme__number=theme)
    last = periods.parse_quarter(_last_quarter(period))
    rows = []
    for question in questions:
        try:
            asked_for = periods.parse_quarter(question.period)
        except ValueError:
            continue
        if asked_for > last:
            continue
        answer = (f"{question.answer} (answered "
                  f"{date_words(timezone.localdate(question.answered_at))})"
                  if question.answered_at is not None else NOT_ANSWERED)
        rows.append([question.measure.name, question.period,
                     date_words(timezone.localdate(question.asked_at)), question.text, answer])
    if not rows:
        return None
    words = periods.period_words(period)
    count = len(rows)
    waiting = sum(1 for row in rows if row[4] == NOT_ANSWERED)
    return {
        "id": "panel-questions",
        "title": "Panel questions",
        "paragraphs": [
            f"Police and Crime Panel members have asked {count} "
            f"{'question' if count == 1 else 'questions'} about the measures in this report, "
            f"up to {words}: {count - waiting} answered and {waiting} not yet answered. "
            "Each question is listed with its answer.",
        ],
        "tables": [{"caption": f"Questions from Panel members ({count}), oldest first",
                    "columns": ["Measure", "Quarter", "Asked", "Question", "Answer"],
                    "rows": rows, "numeric": []}],
    }
