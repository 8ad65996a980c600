"""``oversight report``: write Panel reports (HTML, PDF, Word) under ``out/``, and publish them.

- ``oversight report quarterly [--period 2025/26-Q1] --format pdf,docx,html``
- ``oversight report thematic --theme 4 [--period 2025/26-Q1]``
- ``oversight report annual [--year 2025/26]``
- ``oversight report publish quarterly [--period …] --by NAME``

Quarters follow the financial year (Q1 is April to June). Without ``--period`` the report is
for the latest quarter with all three months loaded.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer

from oversight.cli.common import UserError, console, friendly_errors, setup_django

FORMATS = ("html", "pdf", "docx")
FORMAT_HELP = "Formats, comma-separated, in any order: html, pdf, docx."


def parse_formats(text: str) -> list[str]:
    """``"pdf, DOCX,html"`` -> ``["pdf", "docx", "html"]``; each once, in the order given."""
    wanted: list[str] = []
    for item in text.split(","):
        name = item.strip().lower()
        if name and name not in wanted:
            wanted.append(name)
    unknown = [f for f in wanted if f not in FORMATS]
    if unknown or not wanted:
        raise UserError(f"Unknown format {', '.join(unknown) or '(none given)'}; use one or more "
                        f"of: {', '.join(FORMATS)}, separated by commas.")
    return wanted


def _produced(text: str | None) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UserError(f'"{text}" is not a date; use YYYY-MM-DD, e.g. 2025-07-31') from None


def _write(kind: str, period: str | None, format: str, out: Path, *, theme: int | None = None,
           include_private: bool = False, produced: str | None = None) -> None:
    formats = parse_formats(format)
    when = _produced(produced)
    setup_django()
    from oversight.plans.services import current_plan
    from oversight.reports.figures import ReportError
    from oversight.reports.services import write

    plan = current_plan()
    if plan is None:
        raise UserError("No plan is loaded. Load one with: oversight plan load FILE")
    try:
        paths = write(kind, plan, period, formats, out, theme=theme,
                      public_only=not include_private, produced=when)
    except ReportError as exc:
        raise UserError(str(exc)) from None
    for path in paths:
        console.print(f"Wrote {path}")


PERIOD_HELP = "Financial-year quarter, e.g. 2025/26-Q1 (default: the latest with all 3 months)."
PRIVATE_HELP = "Include measures not shown on the public site (an internal report)."
PRODUCED_HELP = "The date printed as produced, YYYY-MM-DD (default: today)."


def register(app: typer.Typer) -> None:
    report_app = typer.Typer(help="Write and publish Panel reports.", no_args_is_help=True)
    app.add_typer(report_app, name="report")

    @report_app.command("quarterly")
    def quarterly(
        period: str = typer.Option(None, help=PERIOD_HELP),
        format: str = typer.Option("html,pdf,docx", "--format", help=FORMAT_HELP),
        out: Path = typer.Option(Path("out"), help="Folder to write the report into."),
        include_private: bool = typer.Option(False, "--include-private", help=PRIVATE_HELP),
        produced: str = typer.Option(None, help=PRODUCED_HELP),
    ) -> None:
        """Write the quarterly performance report for the current plan.

        Example: oversight report quarterly --period 2025/26-Q1 --format pdf,docx,html
        """
        with friendly_errors():
            _write("quarterly", period, format, out, include_private=include_private,
                   produced=produced)

    @report_app.command("thematic")
    def thematic(
        theme: int = typer.Option(..., help="The theme's number in the plan."),
        period: str = typer.Option(None, help=PERIOD_HELP),
        format: str = typer.Option("html,pdf,docx", "--format", help=FORMAT_HELP),
        out: Path = typer.Option(Path("out"), help="Folder to write the report into."),
        include_private: bool = typer.Option(False, "--include-private", help=PRIVATE_HELP),
        produced: str = typer.Option(None, help=PRODUCED_HELP),
    ) -> None:
        """Write a thematic update on one theme of the current plan.

        Example: oversight report thematic --theme 4 --format docx
        """
        with friendly_errors():
            _write("thematic", period, format, out, theme=theme,
                   include_private=include_private, produced=produced)

    @report_app.command("annual")
    def annual(
        year: str = typer.Option(None, help="Financial year, e.g. 2025/26 (default: the latest "
                                 "with all four quarters loaded)."),
        format: str = typer.Option("html,pdf,docx", "--format", help=FORMAT_HELP),
        out: Path = typer.Option(Path("out"), help="Folder to write the report into."),
        include_private: bool = typer.Option(False, "--include-private", help=PRIVATE_HELP),
        produced: str = typer.Option(None, help=PRODUCED_HELP),
    ) -> None:
        """Write the annual performance report across one financial year.

        Example: oversight report annual --year 2025/26 --format pdf
        """
        with friendly_errors():
            _write("annual", year, format, out, include_private=include_private,
                   produced=produced)

    @report_app.command("publish")
    def publish(
        kind: str = typer.Argument(..., help="quarterly, thematic or annual."),
        period: str = typer.Option(None, help="Quarter (2025/26-Q1) or, for annual, year "
                                   "(2025/26). Default: the latest with data."),
        theme: int = typer.Option(None, help="The theme's number, for a thematic update."),
        by: str = typer.Option(..., "--by", help="Who is publishing, for the audit trail."),
        note: str = typer.Option("", help="Why this version is published, e.g. a correction."),
        include_private: bool = typer.Option(False, "--include-private", help=PRIVATE_HELP),
    ) -> None:
        """Publish (freeze) a new version of a report; it is kept exactly as published.

        Example: oversight report publish quarterly --period 2025/26-Q1 --by "A. Analyst"
        """
        with friendly_errors():
            setup_django()
            from oversight.plans.services import current_plan
            from oversight.reports.figures import ReportError
            from oversight.reports.services import publish as publish_report

            plan = current_plan()
            if plan is None:
                raise UserError("No plan is loaded. Load one with: oversight plan load FILE")
            try:
                report = publish_report(kind, plan, period, user=by, theme=theme,
                                        public_only=not include_private, note=note)
            except ReportError as exc:
                raise UserError(str(exc)) from None
            console.print(f"Published {report} as report {report.id}; see "
                          f"/reports/published/{report.id}/")
