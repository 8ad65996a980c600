"""``oversight bench``: run the benchmark suite (``python -m benchmarks``) from a checkout."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from oversight.cli.common import UserError, friendly_errors

CHECKOUT = Path(__file__).resolve().parents[2]


def register(app: typer.Typer) -> None:
    @app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
    def bench(
        ctx: typer.Context,
        only: str = typer.Option("", help="Comma-separated benchmarks: import, scale, "
                                 "recompute, web, reports (default: all)."),
        quick: bool = typer.Option(False, help="A smoke run: a few files, one run each."),
        data: Path | None = typer.Option(None, help="Street-level files or a shared data "
                                         "folder (default: ../shared/data)."),
    ) -> None:
        """Measure import, scale, recompute, web pages and reports against references, and
        write benchmarks/results/DATE.json and docs/performance.md.

        Other options are passed on (see python -m benchmarks --help).

        Example: oversight bench --only import,web
        """
        with friendly_errors():
            if not (CHECKOUT / "benchmarks" / "__main__.py").is_file():
                raise UserError("The benchmarks run from a source checkout of Oversight: "
                                "run this command from one (benchmarks/ is not installed).")
            if str(CHECKOUT) not in sys.path:
                sys.path.insert(0, str(CHECKOUT))
            from benchmarks.__main__ import main
            from benchmarks.common import BenchmarkError

            argv = [*(["--only", only] if only else []), *(["--quick"] if quick else []),
                    *(["--data", str(data)] if data else []), *ctx.args]
            try:
                main(argv)
            except BenchmarkError as exc:
                raise UserError(str(exc)) from None
