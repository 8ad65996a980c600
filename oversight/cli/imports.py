"""``oversight import police-uk|lookups|population|ons|workforce|returns``: bring data files
into the database; ``oversight batches list|rollback``: see and undo what was imported.

Each command checks every file before it writes anything and then writes in one
transaction, so a bad file (or a stopped command) leaves the database as it was. Progress
goes to standard error; the summary to standard output.
"""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from oversight.cli.common import (
    RichProgress,
    UserError,
    console,
    friendly_errors,
    out,
    progress_bars,
    setup_django,
)

PathsArgument = Annotated[list[Path], typer.Argument(help="Files or folders to import.")]
ByOption = Annotated[
    str | None,
    typer.Option("--by", help="Who is importing, for the record (default: your user name)."),
]


def _default_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "cli"


def _say(text: str) -> None:
    out.print(text, highlight=False, markup=False, soft_wrap=True)


def _plural(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def _say_unchanged(names: list[str]) -> None:
    if names:
        _say(
            f"{_plural(len(names), 'file')} already imported, left as they were: "
            + ", ".join(names[:5])
            + (" …" if len(names) > 5 else "")
            + "."
        )


@contextmanager
def nothing_imported() -> Iterator[None]:
    """Say, after a file's problem, that the database was left as it was."""
    from oversight.data.validate import ImportFileError

    try:
        yield
    except ImportFileError as exc:
        raise UserError(f"{exc}. Nothing was imported.") from None


def register(app: typer.Typer) -> None:
    import_app = typer.Typer(
        help="Import data files: data.police.uk street-level crime, area lookups, population "
        "estimates, ONS police force area tables, police workforce, partner returns.",
        no_args_is_help=True,
    )
    app.add_typer(import_app, name="import")

    @import_app.command("police-uk")
    def police_uk(paths: PathsArgument, by: ByOption = None) -> None:
        """Import data.police.uk street-level files (*-street.csv or .csv.gz) or folders.

        Folders may use the archive layout YYYY-MM/YYYY-MM-<force>-street.csv.
        Every file is checked first; one bad file stops the import and nothing is stored.
        A file already imported is skipped; a new version of a force's month replaces it.

        Example: oversight import police-uk ../shared/data/police-uk/street
        """
        with friendly_errors(), nothing_imported():
            setup_django()
            from oversight.data.services import import_police_uk

            with progress_bars() as bars:
                result = import_police_uk(
                    paths, imported_by=by or _default_user(), progress=RichProgress(bars)
                )
            totals = result.totals
            if result.imported:
                _say(
                    f"Imported {_plural(totals['files'], 'file')}: "
                    f"{_plural(totals['rows_read'], 'row')} stored as "
                    f"{_plural(totals['counts_stored'], 'count')} by month, force, crime type "
                    f"and LSOA, in {result.seconds:.1f} seconds."
                )
            for replaced in result.replaced:
                change = replaced.difference.get("rows", {}).get("change", 0)
                _say(
                    f"{replaced.file_name} replaces an earlier version of {replaced.force} "
                    f"{replaced.month} ({change:+,} rows)."
                )
            _say_unchanged(result.unchanged)

    @import_app.command("lookups")
    def lookups(paths: PathsArgument, by: ByOption = None) -> None:
        """Import ONS local authority → CSP → police force area lookups and the force list.

        Accepts LADyy_CSPyy_PFAyy lookup CSVs and the data.police.uk force list (id, Label).

        Example: oversight import lookups ../shared/data/lookups
        """
        with friendly_errors(), nothing_imported():
            setup_django()
            from oversight.data.services import import_lookups

            result = import_lookups(paths, imported_by=by or _default_user())
            if result.imported:
                _say(
                    f"Imported {_plural(result.totals['files'], 'file')}: "
                    f"{result.totals['rows_stored']:,} forces and areas stored or updated."
                )
            _say_unchanged(result.unchanged)

    @import_app.command("population")
    def population(paths: PathsArgument, by: ByOption = None) -> None:
        """Import mid-year populations by police force area, keeping each figure's source.

        Accepts the ONS PFA tables long CSV (table P3) and population_policeforces.csv.
        ONS figures are kept where both give a year.

        Example: oversight import population ../shared/data/population
        """
        with friendly_errors(), nothing_imported():
            setup_django()
            from oversight.data.services import import_population

            result = import_population(paths, imported_by=by or _default_user())
            if result.imported:
                _say(
                    f"Imported {_plural(result.totals['files'], 'file')}: "
                    f"{_plural(result.totals['rows_stored'], 'population figure')} stored."
                )
            if result.skipped:
                _say(
                    "Skipped (not population by police force area or local authority): "
                    + ", ".join(result.skipped)
                )
            _say_unchanged(result.unchanged)

    _register_more(import_app)
    _register_batches(app)


def _say_revisions(result: object) -> None:
    for imported in result.imported:  # type: ignore[attr-defined]
        revised = imported.difference.get("figures_revised", 0)
        if revised:
            _say(
                f"{imported.file_name} revised {_plural(revised, 'figure')} of earlier "
                "editions (the earlier values are kept)."
            )


def _register_more(import_app: typer.Typer) -> None:
    @import_app.command("ons")
    def ons(paths: PathsArgument, by: ByOption = None) -> None:
        """Import ONS police force area data tables: the .xlsx editions or the long CSV.

        Tables P1 (offences) and P3 (rates, with the population each rate uses) are read, by
        offence group and subgroup, with the edition each figure came from. A later edition
        of a period that gives a different figure revises it; the earlier value is kept.

        Example: oversight import ons ../shared/data/ons
        """
        with friendly_errors(), nothing_imported():
            setup_django()
            from oversight.data.services import import_ons

            result = import_ons(paths, imported_by=by or _default_user())
            if result.imported:
                _say(
                    f"Imported {_plural(result.totals['files'], 'file')}: "
                    f"{_plural(result.totals['rows_stored'], 'figure')} stored, "
                    f"{result.totals['revised']:,} of them revisions, in "
                    f"{result.seconds:.1f} seconds."
                )
            _say_revisions(result)
            if result.skipped:
                _say("Skipped (not ONS tables): " + ", ".join(result.skipped))
            _say_unchanged(result.unchanged)

    @import_app.command("workforce")
    def workforce(paths: PathsArgument, by: ByOption = None) -> None:
        """Import Home Office police workforce tables: police officers by force.

        Accepts the published .ods tables (table 1, officers FTE) and the officer-fte-<year>
        and officer-headcount-<year> CSVs. A later edition revising a date is kept as a
        revision.

        Example: oversight import workforce ../shared/data/home-office
        """
        with friendly_errors(), nothing_imported():
            setup_django()
            from oversight.data.services import import_workforce

            result = import_workforce(paths, imported_by=by or _default_user())
            if result.imported:
                _say(
                    f"Imported {_plural(result.totals['files'], 'file')}: "
                    f"{_plural(result.totals['rows_stored'], 'figure')} stored, "
                    f"{result.totals['revised']:,} of them revisions."
                )
            _say_revisions(result)
            if result.skipped:
                _say("Skipped (not workforce tables): " + ", ".join(result.skipped))
            _say_unchanged(result.unchanged)

    @import_app.command("returns")
    def returns(
        paths: Annotated[list[Path], typer.Argument(help="Filled-in return files (.xlsx, .csv).")],
        by: ByOption = None,
    ) -> None:
        """Submit filled-in partner returns (made from a downloaded template).

        Every cell of every file is checked first; if any file has a problem, each problem is
        listed by file and row and nothing is stored. Otherwise each file is stored as an
        accepted return, recorded as submitted by --by (default: your user name) now.

        Example: oversight import returns victim-services-2025-06.xlsx --by j.smith
        """
        with friendly_errors():
            setup_django()
            from oversight.returns.services import submit_files

            files: list[Path] = []
            for path in paths:
                if path.is_dir():
                    files += sorted(
                        p for p in path.iterdir() if p.suffix.lower() in (".xlsx", ".csv")
                    )
                elif path.is_file():
                    files.append(path)
                else:
                    raise UserError(f"{path}: does not exist; check the path")
            outcomes = submit_files(files, by=by or _default_user())
            problems = 0
            for outcome in outcomes:
                if outcome.error:
                    problems += 1
                    console.print(
                        f"[bold red]Error:[/] {outcome.error}", highlight=False, soft_wrap=True
                    )
                elif outcome.checked is not None and not outcome.checked.ok:
                    for message in outcome.checked.messages():
                        problems += 1
                        console.print(
                            f"[bold red]Error:[/] {outcome.path.name}: {message}",
                            highlight=False,
                            soft_wrap=True,
                        )
            if problems:
                raise UserError(f"{_plural(problems, 'problem')} found. Nothing was submitted.")
            for outcome in outcomes:
                item = outcome.submission
                assert item is not None
                _say(
                    f"Submitted {outcome.path.name}: {item.template.name}, {item.period}, "
                    f"{_plural(len(item.rows), 'figure')} (batch {item.batch_id})."
                )


def _register_batches(app: typer.Typer) -> None:
    batches_app = typer.Typer(
        help="See every import batch (file, checksum, who, when) and roll one back.",
        no_args_is_help=True,
    )
    app.add_typer(batches_app, name="batches")

    @batches_app.command("list")
    def list_batches(
        kind: Annotated[str | None, typer.Option(help="Only this source, e.g. ons.")] = None,
        output: Annotated[str, typer.Option("--format", help="table or csv")] = "table",
    ) -> None:
        """List import batches, newest first (as a table, or CSV for a spreadsheet).

        Example: oversight batches list --kind ons --format csv > batches.csv
        """
        import csv
        import sys

        with friendly_errors():
            setup_django()
            from oversight.data.models import ImportBatch
            from oversight.data.services import BATCH_EXPORT_COLUMNS, batch_rows

            batches = ImportBatch.objects.select_related("force").order_by("-imported_at", "-id")
            if kind:
                if kind not in ImportBatch.Kind.values:
                    raise UserError(
                        f'"{kind}" is not a source; use one of: '
                        + ", ".join(ImportBatch.Kind.values)
                    )
                batches = batches.filter(kind=kind)
            rows = batch_rows(batches.iterator())
            if output == "csv":
                writer = csv.writer(sys.stdout, lineterminator="\n")
                writer.writerow(BATCH_EXPORT_COLUMNS)
                writer.writerows(rows)
                return
            from rich.table import Table

            table = Table("Batch", "Source", "File", "Edition/month", "Rows", "Status", "Imported")
            for row in rows:
                table.add_row(
                    str(row[0]),
                    row[1],
                    row[2],
                    str(row[5]),
                    f"{row[8]:,}",
                    row[9],
                    f"{row[12]} by {row[11]}",
                )
            out.print(table)

    @batches_app.command("rollback")
    def rollback(
        batch: Annotated[
            int, typer.Argument(help="The batch number (see: oversight batches list).")
        ],
        by: ByOption = None,
        recompute: Annotated[
            bool, typer.Option(help="Recompute the current plan's measures afterwards.")
        ] = True,
    ) -> None:
        """Roll an import batch back as a whole: every table returns to its state before it.

        Refused, changing nothing, if a later batch builds on it (roll that back first).

        Example: oversight batches rollback 42
        """
        with friendly_errors():
            setup_django()
            from oversight.data.journal import RollbackError
            from oversight.data.services import rollback_batch

            try:
                result = rollback_batch(
                    batch, rolled_back_by=by or _default_user(), recompute=recompute
                )
            except RollbackError as exc:
                raise UserError(f"{exc}. Nothing was changed.") from None
            from django.apps import apps

            def listed(counts: dict[str, int]) -> str:
                return (
                    ", ".join(
                        f"{n:,} {apps.get_model(label)._meta.verbose_name_plural}"
                        for label, n in counts.items()
                    )
                    or "nothing"
                )

            _say(
                f"Rolled back batch {batch} ({result.file_name}). Removed: "
                f"{listed(result.removed)}. Restored: {listed(result.restored)}."
            )
            if result.recomputed is not None:
                _say(f"Recomputed {_plural(result.recomputed, 'measure')}.")
