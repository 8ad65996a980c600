"""``oversight import police-uk|lookups|population``: bring data files into the database.

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
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from oversight.cli.common import UserError, console, friendly_errors, out, setup_django

PathsArgument = Annotated[list[Path], typer.Argument(help="Files or folders to import.")]
ByOption = Annotated[
    str | None,
    typer.Option("--by", help="Who is importing, for the record (default: your user name)."),
]


class RichProgress:
    """An import's progress as Rich progress bars on standard error, one per step."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.task: TaskID | None = None
        self.total = 0

    def start(self, description: str, total: int) -> None:
        if self.task is not None:  # the previous step has finished
            self.progress.update(self.task, completed=self.total)
        self.task, self.total = self.progress.add_task(description, total=total), total

    def advance(self, amount: int = 1) -> None:
        if self.task is not None:
            self.progress.advance(self.task, amount)


def _progress_bars() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    )


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
        help="Import data files: data.police.uk street-level crime, "
        "area lookups, population estimates.",
        no_args_is_help=True,
    )
    app.add_typer(import_app, name="import")

    @import_app.command("police-uk")
    def police_uk(paths: PathsArgument, by: ByOption = None) -> None:
        """Import data.police.uk street-level files (*-street.csv or .csv.gz) or folders of them.

        Folders may use the data.police.uk archive layout (YYYY-MM/YYYY-MM-<force>-street.csv).
        Every file is checked first; one bad file stops the import and nothing is stored.
        A file already imported is skipped; a new version of a force's month replaces it.

        Example: oversight import police-uk ../shared/data/police-uk/street
        """
        with friendly_errors(), nothing_imported():
            setup_django()
            from oversight.data.services import import_police_uk

            with _progress_bars() as bars:
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

        Accepts the ONS PFA tables long CSV (pfa_tables_p1_p3_long.csv, table P3) and
        population_policeforces.csv. ONS figures are kept where both give a year.

        Example: oversight import population ../shared/data/population
        ../shared/data/ons/pfa-data-tables/derived
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
                _say("Skipped (not population by police force area): " + ", ".join(result.skipped))
            _say_unchanged(result.unchanged)
