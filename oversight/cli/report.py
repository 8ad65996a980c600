"""``oversight report quarterly``: write the quarterly performance report under ``out/``."""

from __future__ import annotations

from pathlib import Path

import typer

from oversight.cli.common import UserError, console, friendly_errors, setup_django

FORMATS = ("html",)


def register(app: typer.Typer) -> None:
    report_app = typer.Typer(help="Write Panel reports.", no_args_is_help=True)
    app.add_typer(report_app, name="report")

    @report_app.command("quarterly")
    def quarterly(
        out: Path = typer.Option(Path("out"), help="Folder to write the report into."),
        format: str = typer.Option("html", "--format", help="Formats, comma-separated: html."),
    ) -> None:
        """Write the quarterly performance report for the current plan.

        Example: oversight report quarterly --format html
        """
        with friendly_errors():
            wanted = [f.strip().lower() for f in format.split(",") if f.strip()]
            unknown = [f for f in wanted if f not in FORMATS]
            if unknown:
                raise UserError(f"Unknown format {', '.join(unknown)}; use one of: "
                                f"{', '.join(FORMATS)}.")
            setup_django()
            from oversight.plans.services import current_plan
            from oversight.reports.quarterly import write_html

            plan = current_plan()
            if plan is None:
                raise UserError("No plan is loaded. Load one with: oversight plan load FILE")
            path = write_html(plan, out)
            console.print(f"Wrote {path}")
