"""``oversight fetch police-uk``: download data.police.uk files and import them.

Downloads are retried with back-off, resumed part-way, checked and renamed into place only
when whole; nothing is imported unless every download completed. See ``oversight.data.fetch``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from oversight.cli.common import UserError, console, friendly_errors, setup_django

LAYOUTS = ("archive", "files")


def default_folder() -> Path:
    from django.conf import settings

    return Path(settings.VAR_DIR) / "downloads" / "police-uk"


def register(app: typer.Typer) -> None:
    fetch_app = typer.Typer(help="Download published data and import it.", no_args_is_help=True)
    app.add_typer(fetch_app, name="fetch")

    @fetch_app.command("police-uk")
    def police_uk(
        force: Annotated[str, typer.Option("--force", help="data.police.uk force identifier.")],
        start: Annotated[str, typer.Option("--from", help="First month, YYYY-MM.")],
        end: Annotated[str, typer.Option("--to", help="Last month, YYYY-MM.")],
        base_url: Annotated[
            str,
            typer.Option(
                "--base-url",
                help="Where the files are (default: data.police.uk's monthly archives).",
            ),
        ] = "https://data.police.uk/data/archive",
        layout: Annotated[
            str,
            typer.Option(
                "--layout",
                help="archive: <base>/<YYYY-MM>.zip; files: "
                "<base>/<YYYY-MM>/<YYYY-MM>-<force>-street.csv[.gz].",
            ),
        ] = "archive",
        into: Annotated[
            Path | None,
            typer.Option("--into", help="Download folder (default: var/downloads/police-uk)."),
        ] = None,
        attempts: Annotated[int, typer.Option(help="Attempts per file before giving up.")] = 5,
        delay: Annotated[float, typer.Option(help="First back-off delay, in seconds.")] = 1.0,
        timeout: Annotated[float, typer.Option(help="Seconds to wait for the server.")] = 60.0,
        no_import: Annotated[
            bool, typer.Option("--no-import", help="Download only; do not import.")
        ] = False,
        by: Annotated[str | None, typer.Option("--by", help="Who is importing.")] = None,
    ) -> None:
        """Download a force's street-level files for a range of months and import them.

        A dropped connection, a 429 or a 5xx is retried with back-off; an interrupted file is
        resumed. If a file still cannot be downloaded, nothing is imported and a re-run
        carries on where this one stopped.

        Example: oversight fetch police-uk --force leicestershire --from 2024-01 --to 2025-06
        """
        from oversight.cli.common import RichProgress, progress_bars
        from oversight.cli.imports import _default_user, _say

        with friendly_errors():
            if layout not in LAYOUTS:
                raise UserError(f"--layout must be one of: {', '.join(LAYOUTS)}")
            setup_django()
            from oversight.data import fetch
            from oversight.data.validate import ImportFileError

            policy = fetch.RetryPolicy(attempts=max(1, attempts), base_delay=delay, timeout=timeout)
            try:
                with progress_bars() as bars:
                    result = fetch.fetch_police_uk(
                        force,
                        start,
                        end,
                        base_url=base_url,
                        layout=layout,
                        into=into or default_folder(),
                        imported_by=by or _default_user(),
                        policy=policy,
                        import_files=not no_import,
                        say=lambda text: console.print(text, highlight=False, markup=False),
                        progress=RichProgress(bars),
                    )
            except fetch.FetchError as error:
                raise UserError(str(error)) from None
            except ImportFileError as error:
                raise UserError(f"{error}. Nothing was imported.") from None
            for sentence in fetch.describe(result):
                _say(sentence)
            imported = result.imported
            if imported is not None:
                if imported.imported:
                    _say(
                        f"Imported {len(imported.imported)} file(s): "
                        f"{imported.totals.get('rows_read', 0):,} rows."
                    )
                if imported.unchanged:
                    _say(f"{len(imported.unchanged)} file(s) already imported, left as they were.")
