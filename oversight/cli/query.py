"""``oversight query counts``: monthly street-level counts, as CSV or a table, on stdout.

Counts are rows of data.police.uk street-level files, repeated Crime IDs included (the
convention of DOMAIN.md 4.0), by month and force and one of: crime type (all 14, ASB
included, named exactly as the files write them), LSOA, local authority or CSP.
"""

from __future__ import annotations

import csv
import json
import sys
from enum import StrEnum
from typing import Annotated

import typer
from rich.table import Table

from oversight.cli.common import UserError, friendly_errors, out, setup_django

KEY_COLUMNS = {
    "crime-type": "crime_type",
    "lsoa": "lsoa_code",
    "local-authority": "local_authority",
    "csp": "csp",
}


class By(StrEnum):
    CRIME_TYPE = "crime-type"
    LSOA = "lsoa"
    LOCAL_AUTHORITY = "local-authority"
    CSP = "csp"


class Format(StrEnum):
    CSV = "csv"
    TABLE = "table"


class Count(StrEnum):
    ROWS = "rows"
    CRIME_IDS = "crime-ids"


def _write_csv(header: list[str], rows: list[list[object]]) -> None:
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)


def _write_table(header: list[str], rows: list[list[object]], title: str) -> None:
    table = Table(*header, title=title, title_justify="left")
    for column in table.columns[-1:]:
        column.justify = "right"
    for row in rows:
        table.add_row(*(f"{value:,}" if isinstance(value, int) else str(value) for value in row))
    out.print(table)


def _check_month_option(flag: str, month: str) -> None:
    from oversight.data.queries import QueryError, check_month

    try:
        check_month(month)
    except QueryError as exc:
        raise UserError(f"{flag}: {exc}") from None


def register(app: typer.Typer) -> None:
    query_app = typer.Typer(help="Read figures from the database.", no_args_is_help=True)
    app.add_typer(query_app, name="query")

    @query_app.command("spc")
    def spc_summary(
        measure: Annotated[str, typer.Option(help="Measure code in the current plan.")],
    ) -> None:
        """Print the stored SPC summary of a measure as JSON: mean, limits and icons.

        The same summary as `oversight spc FILE --summary`, for the figures stored by the last
        `oversight compute`.

        Example: oversight query spc --measure MCNS-VEHICLE-CRIME
        """
        with friendly_errors():
            setup_django()
            from oversight.performance.models import MeasureResult
            from oversight.plans.services import current_plan

            plan = current_plan()
            if plan is None:
                raise UserError("No plan is loaded. Load one with: oversight plan load FILE")
            result = MeasureResult.objects.filter(measure__plan=plan,
                                                  measure__code=measure).first()
            if result is None:
                codes = ", ".join(plan.measures.values_list("code", flat=True))
                raise UserError(f"No computed measure {measure!r} in {plan.title}; use one of: "
                                f"{codes} (and run oversight compute first).")
            spc = (result.figures or {}).get("spc") or {}
            if not spc.get("available"):
                raise UserError(f"{measure} has no SPC chart: "
                                f"{spc.get('reason') or result.figures.get('reason', '')}")
            summary = dict(spc["summary"], measure=measure,
                           first_period=spc["points"][0]["period"],
                           last_period=spc["points"][-1]["period"],
                           ghosted=spc.get("missing_months", []))
            print(json.dumps(summary, indent=2, sort_keys=True))

    @query_app.command("counts")
    def counts(
        force: Annotated[
            str | None,
            typer.Option(
                help="data.police.uk force slug, e.g. leicestershire (default: every force)."
            ),
        ] = None,
        start: Annotated[
            str | None, typer.Option("--from", help="First month, YYYY-MM (default: the earliest).")
        ] = None,
        end: Annotated[
            str | None, typer.Option("--to", help="Last month, YYYY-MM (default: the latest).")
        ] = None,
        by: Annotated[By, typer.Option(help="What to break each month down by.")] = By.CRIME_TYPE,
        count: Annotated[
            Count,
            typer.Option(
                help="rows (repeated Crime IDs included) or crime-ids (distinct per LSOA and type)."
            ),
        ] = Count.ROWS,
        output: Annotated[
            Format, typer.Option("--format", help="csv for other programs, table for reading.")
        ] = Format.TABLE,
    ) -> None:
        """Print monthly street-level counts by crime type, LSOA, local authority or CSP.

        Counts are rows, repeated Crime IDs included.
        Local authorities the area lookups lack are counted under CSP "unmapped".
        An empty LSOA, local authority or CSP means rows with no location.

        Example: oversight query counts --force leicestershire --by csp --format csv
        """
        with friendly_errors():
            setup_django()
            from oversight.data.queries import Counting, Grouping, QueryError, monthly_counts

            for flag, month in (("--from", start), ("--to", end)):
                if month is not None:
                    _check_month_option(flag, month)
            try:
                results = monthly_counts(
                    force, start, end, Grouping(by.value), Counting(count.value)
                )
            except QueryError as exc:
                raise UserError(str(exc)) from None
            header = ["month", "force", KEY_COLUMNS[by.value], "count"]
            rows: list[list[object]] = [[r.month, r.force, r.key, r.count] for r in results]
            if output == Format.CSV:
                _write_csv(header, rows)
            else:
                _write_table(header, rows, f"Street-level counts ({count.value}) by {by.value}")
