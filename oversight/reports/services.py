"""The one way to make, write and publish Panel reports.

- ``build(kind, plan, period)`` gathers the report data (plain JSON-able values);
- ``render_data(data, formats)`` turns report data into HTML, PDF and Word bytes, drawing each
  chart once for all three;
- ``render(kind, plan, period, fmt)`` does both for one format (for staff views);
- ``write(kind, plan, period, formats, out_dir)`` writes the files under ``out_dir``;
- ``publish(kind, plan, period, user=...)`` freezes a new version (audited);
- ``build_draft(kind, plan, period, user=...)`` builds all three files and keeps them as a
  ``ReportDraft`` for staff to read before publishing, reporting its steps (``STEPS``) to a
  ``progress`` (the staff area runs it in the background: ``oversight.reports.jobs``);
  ``publish_draft(draft, user=...)`` publishes it through ``publish``, refusing if the data
  has changed since it was built;
- ``revisions(report)`` lists what has changed in the data since a report was published.

``kind`` is ``quarterly``, ``thematic`` (needs ``theme``: a theme number) or ``annual``.
``period`` is a quarter (``2025/26 Q1``) for quarterly and thematic reports and a financial year
(``2025/26``) for annual ones; ``None`` means the latest with data.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from oversight.accounts import audit
from oversight.data.models import ImportBatch
from oversight.data.services import ProgressReporter
from oversight.formatting import date_words, month_words, number
from oversight.reports import annual, quarterly, thematic
from oversight.reports import render as render_module
from oversight.reports.docx import html_to_docx
from oversight.reports.figures import ReportError, parse_quarter, parse_year, slug
from oversight.reports.models import PublishedReport, ReportDraft
from oversight.reports.pdf import html_to_pdf

KINDS = ("quarterly", "thematic", "annual")
FORMATS = ("html", "pdf", "docx")
STEPS = {
    "figures": "Working out the figures",
    "charts": "Drawing the charts",
    "html": "Writing the HTML page",
    "pdf": "Making the PDF",
    "docx": "Making the Word document",
    "save": "Saving the draft",
}
"""The steps of building a report, in order, as ``build_draft`` reports them to its
``progress`` (the staff area's build page shows them)."""
CONTENT_TYPES = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}

__all__ = ["FORMATS", "KINDS", "ReportError", "build", "build_draft", "publish",
           "publish_draft", "render", "render_data", "revisions", "write"]


def build(kind: str, plan: Any, period: str | None = None, *, theme: int | None = None,
          public_only: bool = True, produced: dt.date | str | None = None) -> dict[str, Any]:
    """The report data for ``kind``, normalised to plain JSON values."""
    if kind == "quarterly":
        data = quarterly.build(plan, _quarter(period), public_only=public_only,
                               produced=produced)
    elif kind == "thematic":
        if theme is None:
            raise ReportError("Say which theme the update is about, by its number.")
        data = thematic.build(plan, theme, _quarter(period), public_only=public_only,
                              produced=produced)
    elif kind == "annual":
        data = annual.build(plan, parse_year(period) if period else None,
                            public_only=public_only, produced=produced)
    else:
        raise ReportError(f'"{kind}" is not a kind of report; use one of: {", ".join(KINDS)}.')
    return json.loads(json.dumps(data))


def _quarter(period: str | None) -> str | None:
    return parse_quarter(period) if period else None


def render_data(data: dict[str, Any], formats: tuple[str, ...] | list[str] = FORMATS, *,
                progress: ProgressReporter | None = None) -> dict[str, bytes]:
    """The report data as each format's bytes, charts drawn once for all of them. Each step
    (``STEPS``) is reported to ``progress`` as it starts."""
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise ReportError(f"Unknown format {', '.join(unknown)}; use one of: "
                          f"{', '.join(FORMATS)}.")
    step = _stepper(progress)
    charts = render_module.Charts()
    step("charts", charts.count(data))
    charts.prepare(data, advance=progress.advance if progress is not None else None)
    out: dict[str, bytes] = {}
    if "html" in formats:
        step("html")
        out["html"] = render_module.html(data, medium="html", charts=charts).encode("utf-8")
    if "pdf" in formats or "docx" in formats:
        paper = render_module.html(data, medium="pdf", charts=charts)
        if "pdf" in formats:
            step("pdf")
            out["pdf"] = html_to_pdf(paper)
        if "docx" in formats:
            step("docx")
            charts.prepare_png()
            out["docx"] = html_to_docx(paper, charts, data)
    return {f: out[f] for f in formats}


def _stepper(progress: ProgressReporter | None) -> Any:
    """``step(key, total=1)``: tell ``progress`` that the step ``STEPS[key]`` starts."""
    def step(key: str, total: int = 1) -> None:
        if progress is not None:
            progress.start(STEPS[key], total)
    return step


def render(kind: str, plan: Any, period: str | None, fmt: str, public_only: bool = True, *,
           theme: int | None = None, produced: dt.date | str | None = None) -> bytes:
    """One format of a report as bytes: for staff views that offer a draft to download."""
    data = build(kind, plan, period, theme=theme, public_only=public_only, produced=produced)
    return render_data(data, (fmt,))[fmt]


def file_stem(data: dict[str, Any]) -> str:
    """``quarterly-report-2025-26-Q1``, ``thematic-report-theme-4-2025-26-Q1``, …"""
    theme = f"-theme-{data['theme']['number']}" if data["kind"] == "thematic" else ""
    return f"{data['kind']}-report{theme}-{slug(data['period']['label'])}"


def write(kind: str, plan: Any, period: str | None, formats: tuple[str, ...] | list[str],
          out_dir: Path, *, theme: int | None = None, public_only: bool = True,
          produced: dt.date | str | None = None) -> list[Path]:
    """Write the report in each format under ``out_dir``; return the paths in format order."""
    data = build(kind, plan, period, theme=theme, public_only=public_only, produced=produced)
    files = render_data(data, formats)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = file_stem(data) + ("" if public_only else "-internal")
    paths = []
    for fmt, content in files.items():
        path = out_dir / f"{stem}.{fmt}"
        path.write_bytes(content)
        paths.append(path)
    return paths


def _sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _series(kind: str, plan: Any, period: str, theme: int | None, public_only: bool) -> str:
    return (f"{kind}:{plan.slug}:{period}:{theme if theme is not None else '-'}:"
            f"{'public' if public_only else 'internal'}")


def latest_published(kind: str, plan: Any, period: str, *, theme: int | None = None,
                     public_only: bool = True) -> PublishedReport | None:
    """The latest published version of a report (kind, plan, period label, theme, audience)."""
    return (PublishedReport.objects.filter(series=_series(kind, plan, period, theme,
                                                          public_only))
            .defer("html", "pdf", "docx", "context").order_by("-version").first())


def publish(kind: str, plan: Any, period: str | None = None, *, user: Any,
            theme: int | None = None, public_only: bool = True, note: str = "",
            published_at: dt.datetime | None = None) -> PublishedReport:
    """Freeze a new published version of a report: its data, HTML, PDF and Word files.

    The cover says "Published" with the publication date and version; the audit trail records
    who published what. Earlier versions are kept unchanged.
    """
    when = published_at or timezone.now()
    data = build(kind, plan, period, theme=theme, public_only=public_only,
                 produced=timezone.localdate(when))
    label = data["period"]["label"]
    series = _series(kind, plan, label, theme, public_only)
    latest = (PublishedReport.objects.filter(series=series).order_by("-version")
              .values_list("version", flat=True).first())
    version = (latest or 0) + 1
    by = user.get_username() if getattr(user, "is_authenticated", False) else str(user or
                                                                                    "system")
    data["publication"] = {"version": version, "date": data["produced"], "by": by,
                           "note": note.strip()}
    files = render_data(data, FORMATS)
    theme_row = plan.themes.filter(number=theme).first() if theme is not None else None
    try:
        with transaction.atomic():
            report = PublishedReport.objects.create(
                kind=kind, plan=plan, period=label, theme=theme_row, public=public_only,
                series=series, version=version, title=data["title"], note=note.strip(),
                published_at=when,
                published_by=user if getattr(user, "is_authenticated", False) else None,
                published_by_name=by, context=data, batch_ids=data.get("batch_ids", []),
                html=files["html"].decode("utf-8"), html_sha256=_sha256(files["html"]),
                pdf=files["pdf"], pdf_sha256=_sha256(files["pdf"]),
                docx=files["docx"], docx_sha256=_sha256(files["docx"]),
            )
            audit.record(user, "report.publish", report, after={
                "kind": kind, "period": label, "theme": theme, "public": public_only,
                "version": version, "html_sha256": report.html_sha256,
                "pdf_sha256": report.pdf_sha256, "docx_sha256": report.docx_sha256,
            })
    except IntegrityError:
        raise ReportError(f"Version {version} of this report was published by someone else "
                          "while this one was being made; publish again.") from None
    return report


def build_draft(kind: str, plan: Any, period: str | None = None, *, user: Any,
                theme: int | None = None, public_only: bool = True,
                produced: dt.date | str | None = None,
                progress: ProgressReporter | None = None) -> ReportDraft:
    """Build a report in all three formats and keep it as a draft (audited as
    ``report.build``), reporting each of ``STEPS`` to ``progress`` as it starts. Raises
    ``ReportError`` for a report that cannot be made as asked."""
    started = time.perf_counter()
    step = _stepper(progress)
    step("figures")
    data = build(kind, plan, period, theme=theme, public_only=public_only,
                 produced=produced or timezone.localdate())
    files = render_data(data, FORMATS, progress=progress)
    seconds = time.perf_counter() - started
    step("save")
    signed_in = getattr(user, "is_authenticated", False)
    with transaction.atomic():
        draft = ReportDraft.objects.create(
            kind=kind, plan=plan, period=data["period"]["label"],
            theme_number=(data.get("theme") or {}).get("number"), public=public_only,
            title=data["title"], built_at=timezone.now(),
            built_by=user if signed_in else None,
            built_by_name=user.get_username() if signed_in else str(user or "system"),
            seconds=round(seconds, 2), context=data, html=files["html"].decode("utf-8"),
            pdf=files["pdf"], docx=files["docx"])
        audit.record(user, "report.build", draft, after={
            "kind": kind, "period": draft.period, "theme": draft.theme_number,
            "public": public_only, "seconds": draft.seconds,
            "html_sha256": _sha256(files["html"]), "pdf_sha256": _sha256(files["pdf"]),
            "docx_sha256": _sha256(files["docx"]),
        })
    return draft


def draft_is_current(draft: ReportDraft) -> bool:
    """Whether the data would still give exactly the report the draft shows."""
    try:
        now = build(draft.kind, draft.plan, draft.period, theme=draft.theme_number,
                    public_only=draft.public, produced=draft.context["produced"])
    except ReportError:
        return False
    return now == draft.context


def publish_draft(draft: ReportDraft, *, user: Any, note: str = "") -> PublishedReport:
    """Publish the report a draft shows, through ``publish``, and link the draft to it.

    Refused (``ReportError``) if the draft was published already or if the data has changed
    since it was built, so what is published is what was checked.
    """
    if draft.published_id is not None:
        raise ReportError(f"This draft was published already, as version "
                          f"{draft.published.version}. Build the report again to publish a "
                          "new version.")
    if not draft_is_current(draft):
        raise ReportError("The data has changed since this draft was built, so the published "
                          "report would not be the one checked. Build the report again, "
                          "check it, then publish it.")
    with transaction.atomic():
        report = publish(draft.kind, draft.plan, draft.period, user=user,
                         theme=draft.theme_number, public_only=draft.public, note=note)
        draft.published = report
        draft.save(update_fields=["published"])
        audit.record(user, "report.draft.publish", draft, before={"published": None},
                     after={"published": report.id, "version": report.version})
    return report


def _measures(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The measure entries of a report's data, by code."""
    return {m["code"]: m for t in data["themes"] for m in t["measures"]}


def _compare(name: str, before: dict[str, Any], now: dict[str, Any], period_words: str
             ) -> list[str]:
    changes = []
    old_q, new_q = before.get("quarter") or {}, now.get("quarter") or {}
    if before.get("available") != now.get("available"):
        changes.append(f"{name}: figures for {period_words} are "
                       f"{'now available' if now.get('available') else 'no longer available'}.")
    old_x, new_x = before.get("external") or {}, now.get("external") or {}
    compared: tuple[tuple[str, str], ...] = (
        ("count", "count"), ("rate", "rate per 1,000 people"), ("previous", "count a year earlier"))
    if old_x and new_x and old_x["period_words"] != new_x["period_words"]:
        # A source other than data.police.uk published a later figure (or withdrew one).
        changes.append(f"{name}: the report showed the figure for {old_x['period_words']} "
                       f"({old_x['figure_words']}); the latest figure now is for "
                       f"{new_x['period_words']} ({new_x['figure_words']}).")
        compared = ()
    elif old_x and new_x and old_x["value_words"] != new_x["value_words"] \
            and old_q.get("count") is None:
        changes.append(f"{name}: the figure for {old_x['period_words']} was "
                       f"{old_x['value_words']} in the report and is now "
                       f"{new_x['value_words']}.")
    for key, words in compared:
        if old_q.get(key) != new_q.get(key) and old_q and new_q:
            show = (lambda v: number(v, 2)) if key == "rate" else number
            changes.append(f"{name}: the {words} for {old_q.get('words', period_words)} was "
                           f"{show(old_q.get(key))} in the report and is now "
                           f"{show(new_q.get(key))}.")
    for key, words in (("grade", "grade"), ("status", "status against the target")):
        old_label, new_label = before[key]["label"], now[key]["label"]
        if old_label != new_label:
            changes.append(f"{name}: the {words} was {old_label} in the report and would now be "
                           f"{new_label}.")
    old_rank = (before.get("peers") or {}).get("rank")
    new_rank = (now.get("peers") or {}).get("rank")
    if old_rank != new_rank and old_rank and new_rank:
        changes.append(f"{name}: the rank among peer forces was {old_rank} and is now "
                       f"{new_rank}.")
    return changes


def revisions(report: PublishedReport) -> dict[str, Any]:
    """What has changed since ``report`` was published: replaced data files and figures.

    Returns ``{"files": [sentences], "figures": [sentences], "note": str}``. The published
    report itself never changes; this is shown beside it.
    """
    files = []
    replaced = (ImportBatch.objects.filter(id__in=report.batch_ids)
                .exclude(status=ImportBatch.Status.CURRENT).select_related("force")
                .order_by("month", "file_name", "id"))
    for batch in replaced:
        newer = batch.replaced_by.order_by("imported_at", "id").first()
        where = f"{batch.force.name if batch.force else 'the data'}, " \
                f"{month_words(batch.month) if batch.month else batch.file_name}"
        if newer is None:
            files.append(f"{batch.file_name} ({where}) is no longer in use "
                         f"({batch.get_status_display().lower()}).")
            continue
        rows = (newer.difference or {}).get("rows") or {}
        change = (f": {number(rows.get('old'))} rows became {number(rows.get('new'))}"
                  if rows else "")
        files.append(f"{batch.file_name} ({where}) was replaced by a new version on "
                     f"{date_words(timezone.localtime(newer.imported_at))}{change}.")
    data = report.context
    figures: list[str] = []
    note = ""
    try:
        current = build(report.kind, report.plan, report.period,
                        theme=(data.get("theme") or {}).get("number"),
                        public_only=report.public, produced=data["produced"])
    except ReportError as exc:
        note = f"The report cannot be made again from the current data: {exc}"
    else:
        before, now = _measures(data), _measures(current)
        period_words = data["period"]["words"]
        for code, old in before.items():
            if code not in now:
                figures.append(f"{old['name']} is no longer in the plan's report.")
                continue
            figures.extend(_compare(old["name"], old, now[code], period_words))
    return {"files": files, "figures": figures, "note": note}

