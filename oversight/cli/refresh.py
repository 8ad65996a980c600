"""``oversight refresh``: re-run the configured imports and fetches, then recompute.

Made for cron: idempotent (unchanged files are left alone), quiet with ``--quiet``, and locked
so that two runs never overlap (a second run says so and exits 0 without doing anything).
It exits 1 if any source failed. See ``oversight.data.refresh`` for the configuration.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from oversight.cli.common import UserError, console, friendly_errors, setup_django


def register(app: typer.Typer) -> None:
    @app.command()
    def refresh(
        config: Annotated[
            Path | None,
            typer.Option(
                "--config",
                help="Refresh configuration (default: "
                "$OVERSIGHT_REFRESH_CONFIG or var/refresh.yaml).",
            ),
        ] = None,
        lock: Annotated[
            Path | None, typer.Option("--lock", help="Lock file (default: var/refresh.lock).")
        ] = None,
        recompute: Annotated[
            bool, typer.Option("--recompute", help="Recompute even if nothing changed.")
        ] = False,
        quiet: Annotated[bool, typer.Option("--quiet", help="Print only problems.")] = False,
        by: Annotated[str, typer.Option("--by", help="Recorded as the importer.")] = "refresh",
    ) -> None:
        """Re-run every configured import and fetch, then recompute the plan's measures.

        Example crontab line (every day at 06:15):
        15 6 * * * cd /srv/oversight && .venv/bin/oversight refresh --quiet
        """
        from oversight.cli.imports import _say

        with friendly_errors():
            setup_django()
            from django.conf import settings

            from oversight.data import refresh as refreshing

            var = Path(settings.VAR_DIR)
            config_path = config or Path(
                os.environ.get("OVERSIGHT_REFRESH_CONFIG", var / "refresh.yaml")
            )
            try:
                loaded = refreshing.load_config(config_path)
            except refreshing.RefreshConfigError as exc:
                raise UserError(str(exc)) from None
            say = None if quiet else (lambda text: _say(text))
            try:
                with refreshing.refresh_lock(lock or var / "refresh.lock"):
                    result = refreshing.run_refresh(
                        loaded,
                        imported_by=by,
                        default_download_folder=var / "downloads" / "police-uk",
                        say=say,
                        force_recompute=recompute,
                    )
            except refreshing.RefreshLocked as exc:
                console.print(
                    f"Another refresh is running ({exc}); this run did nothing.",
                    highlight=False,
                )
                return
            for outcome in result.outcomes:
                if outcome.error:
                    console.print(
                        f"[bold red]Error:[/] {outcome.name}: {outcome.error}",
                        highlight=False,
                        soft_wrap=True,
                    )
            if result.recomputed is not None and not quiet:
                _say(f"Recomputed {result.recomputed} measure(s).")
            elif not quiet:
                _say(
                    "Nothing changed; nothing recomputed."
                    if not result.changed
                    else "No plan is loaded; nothing recomputed."
                )
            if result.failed:
                raise typer.Exit(1)
