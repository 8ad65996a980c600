"""``oversight compute``: recompute every measure of the current plan."""

from __future__ import annotations

import typer

from oversight.cli.common import UserError, console, friendly_errors, setup_django


def register(app: typer.Typer) -> None:
    @app.command()
    def compute() -> None:
        """Recompute every measure of the current plan from the data loaded.

        Example: oversight compute
        """
        with friendly_errors():
            setup_django()
            from oversight.performance.services import compute_plan
            from oversight.plans.services import current_plan

            plan = current_plan()
            if plan is None:
                raise UserError("No plan is loaded. Load one with: oversight plan load FILE")
            results = compute_plan(plan)
            console.print(f"Computed {len(results)} measures for {plan.title}.")
