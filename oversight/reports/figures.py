"""The figures a report shows for its period, and the exceptions rule over quarterly counts.

A report is for one financial-year quarter (or year). Stored results (``MeasureResult``) are
used as they are when they cover exactly that quarter: their latest month is the quarter's last
month. Otherwise (an earlier quarter, later months already loaded, or a measure from the ONS
tables, workforce tables, a return or a survey whose latest figure is for another period) the
same computation ``oversight.performance`` stores is run on the data up to the quarter's end and
kept in memory only. Either way the figures have the JSON shape of
``oversight.performance.compute`` (or ``oversight.performance.external``, whose figures also
have a ``latest`` figure with its period and provenance).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from oversight.data.models import ImportBatch
from oversight.methods import periods
from oversight.methods.exceptions import QuarterFigure, find_exceptions
from oversight.methods.spc import SPCInputError, SPCSettings, spc
from oversight.performance import services as performance

EXCEPTION_MINIMUM_QUARTERS = 8
EXCEPTION_RULE = (
    "A measure is an exception when its quarterly count has been outside its expected range, "
    "on the side that is worse, for 2 quarters running (the Plan's two-quarters rule). The "
    "expected range is the process limits of an XmR (SPC) chart of the measure's complete "
    f"quarterly counts up to the quarter reported; at least {EXCEPTION_MINIMUM_QUARTERS} "
    "quarters are needed to set them. A quarter with no figure breaks a run. Where better is "
    "neither higher nor lower, either side counts."
)


class ReportError(ValueError):
    """A report that cannot be made as asked; the message says what to change."""


@dataclass(frozen=True)
class PeriodFigures:
    """One measure's figures for the report's period, its grade, and where they came from."""

    figures: dict[str, Any]
    grade: dict[str, str]
    source: str  # "stored" or "computed"
    batch_ids: tuple[int, ...]


_PERIOD = re.compile(r"^(\d{4})[/-](\d{2})[\s_-]*(Q[1-4])$", re.IGNORECASE)
_YEAR = re.compile(r"^(\d{4})[/-](\d{2})$")


def parse_quarter(text: str) -> str:
    """``2025/26-Q1``, ``2025/26 Q1`` or ``2025-26-Q1`` -> ``2025/26 Q1``."""
    match = _PERIOD.match(text.strip())
    label = f"{match.group(1)}/{match.group(2)} {match.group(3).upper()}" if match else text
    try:
        periods.parse_quarter(label)
    except ValueError:
        raise ReportError(f'"{text}" is not a quarter; use a financial-year quarter such as '
                          "2025/26-Q1 (Q1 is April to June)") from None
    return label


def parse_year(text: str) -> str:
    """``2025/26`` or ``2025-26`` -> ``2025/26`` (a financial year, April to March)."""
    match = _YEAR.match(text.strip())
    label = f"{match.group(1)}/{match.group(2)}" if match else ""
    try:
        periods.period_months(label)
    except ValueError:
        raise ReportError(f'"{text}" is not a financial year; use one such as 2025/26') from None
    return label


def slug(label: str) -> str:
    """A period label for file names and URLs: ``2025/26 Q1`` -> ``2025-26-Q1``."""
    return label.replace("/", "-").replace(" ", "-")


def loaded_months(plan: Any) -> set[str]:
    """The months with a current data.police.uk file for the plan's force."""
    if plan.force_id is None:
        return set()
    return set(
        ImportBatch.objects.filter(kind=ImportBatch.Kind.POLICE_UK, force_id=plan.force_id,
                                   status=ImportBatch.Status.CURRENT)
        .values_list("month", flat=True)
    )


def complete_quarters(months: Iterable[str]) -> list[str]:
    """The financial-year quarters all three of whose months are in ``months``, oldest first."""
    present = set(months)
    quarters = sorted({periods.quarter_of(m) for m in present}, key=periods.parse_quarter)
    return [q for q in quarters if set(periods.months_of_quarter(q)) <= present]


def latest_quarter(plan: Any) -> str:
    """The latest quarter with all three months loaded for the plan's force."""
    quarters = complete_quarters(loaded_months(plan))
    if not quarters:
        raise ReportError(f"No quarter has all three months loaded for {plan.force_name}; "
                          "import data.police.uk files with: oversight import police-uk PATH")
    return quarters[-1]


def check_quarter(plan: Any, label: str) -> None:
    """Raise ``ReportError`` unless all three months of the quarter are loaded."""
    missing = [m for m in periods.months_of_quarter(label) if m not in loaded_months(plan)]
    if missing:
        words = ", ".join(periods.month_words(m) for m in missing)
        raise ReportError(f"{label} ({periods.period_words(label)}) is not complete: {words} "
                          f"{'is' if len(missing) == 1 else 'are'} not loaded for "
                          f"{plan.force_name}. Choose an earlier quarter or import the months.")


def _grade_dict(label: str, colour: str, reason: str) -> dict[str, str]:
    return {"label": label, "colour": colour, "reason": reason}


def figures_as_at(plan: Any, measures: Sequence[Any], last_month: str
                  ) -> dict[int, PeriodFigures]:
    """Each measure's figures with data up to ``last_month``, keyed by measure id.

    Stored results are used when their latest month is ``last_month``; the rest are computed
    here, in memory, by ``oversight.performance.services.compute_figures`` (the computation
    ``compute_plan`` stores), with the data up to ``last_month``. That holds for measures from
    data.police.uk and from other sources alike: an ONS figure for the 12 months to December
    2019 is used as stored, and a report for an earlier quarter gets the figure published up
    to that quarter's end.
    """
    found: dict[int, PeriodFigures] = {}
    to_compute = []
    for measure in measures:
        result = getattr(measure, "result", None)
        if result is not None and result.latest_month == last_month:
            found[measure.id] = PeriodFigures(
                result.figures, _grade_dict(result.grade, result.grade_colour,
                                            result.grade_reason),
                "stored", tuple(result.batch_ids))
        else:
            to_compute.append(measure)
    if to_compute:
        found.update(_compute(plan, to_compute, last_month))
    return found


def _compute(plan: Any, measures: list[Any], last_month: str) -> dict[int, PeriodFigures]:
    computed = performance.compute_figures(plan, measures, last_month=last_month)
    return {
        measure_id: PeriodFigures(figures, _grade_dict(grade.label, grade.colour, grade.reason),
                                  "computed", tuple(batch_ids))
        for measure_id, (figures, grade, batch_ids) in computed.items()
    }


def quarterly_counts(figures: dict[str, Any], up_to: str) -> list[tuple[str, int]]:
    """The complete quarters' counts from the monthly series, up to quarter ``up_to``."""
    monthly = {row["period"]: row["count"] for row in figures.get("series", [])
               if row.get("count") is not None}
    last = periods.parse_quarter(up_to)
    return [(q, sum(monthly[m] for m in periods.months_of_quarter(q)))
            for q in complete_quarters(monthly) if periods.parse_quarter(q) <= last]


def exception_for(measure: Any, figures: dict[str, Any], quarter: str) -> dict[str, Any]:
    """Apply the two-quarters rule (``EXCEPTION_RULE``) to a measure as at ``quarter``.

    Returns ``{"assessed": False, "reason": ...}`` when it cannot be applied, else
    ``{"assessed": True, "is_exception": bool, "sentence", "quarters": [rows]}`` where rows are
    the latest quarters with count, limits and whether each was out.
    """
    if not figures.get("available"):
        return {"assessed": False, "reason": "No figures are loaded for this measure."}
    if figures.get("latest"):
        return {"assessed": False, "reason": "The rule needs quarterly counts from "
                f"data.police.uk; this measure's figures come from another source "
                f"({figures.get('source_words', 'not data.police.uk')})."}
    if measure.polarity not in ("higher", "lower", "neither"):
        return {"assessed": False, "reason": "The plan does not say whether higher or lower is "
                "better."}
    counts = quarterly_counts(figures, quarter)
    if len(counts) < EXCEPTION_MINIMUM_QUARTERS:
        return {"assessed": False, "reason": f"{len(counts)} complete quarters are loaded; the "
                f"expected range needs at least {EXCEPTION_MINIMUM_QUARTERS}."}
    if counts[-1][0] != quarter:
        return {"assessed": False, "reason": f"There is no figure for {quarter}."}
    labels = _quarter_range(counts[0][0], quarter)
    by_label = dict(counts)
    values = [by_label.get(q) for q in labels]
    try:
        result = spc(values, periods=labels, polarity=measure.polarity,
                     settings=SPCSettings(minimum_points=EXCEPTION_MINIMUM_QUARTERS,
                                          ghost=[q for q in labels if q not in by_label]))
    except SPCInputError as exc:
        return {"assessed": False, "reason": str(exc)}
    quarter_figures = [QuarterFigure(p.period, p.value, p.lower, p.upper)
                       for p in result.points if p.value is not None]
    found = find_exceptions(quarter_figures, measure.polarity, decimals=0)
    latest_rows = [r for r in found.rows if r.value is not None][-4:]
    open_exception = found.open_exception
    is_exception = open_exception is not None and found.rows[-1].quarter == quarter
    return {
        "assessed": True,
        "is_exception": is_exception,
        "sentence": (f"The quarterly count has been {open_exception.sentence()}."
                     if is_exception and open_exception else ""),
        "quarters": [
            {"label": r.quarter, "words": periods.period_words(r.quarter), "count": r.value,
             "lower": r.lower, "upper": r.upper, "out": bool(r.out), "side": r.side or ""}
            for r in latest_rows
        ],
    }


def _quarter_range(first: str, last: str) -> list[str]:
    labels = [first]
    while labels[-1] != last:
        labels.append(periods.next_quarter(labels[-1]))
    return labels

