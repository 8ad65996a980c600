"""``oversight migrate`` and ``oversight createuser``: set up the database and accounts."""

from __future__ import annotations

import typer

from oversight.cli.common import console, setup_django


def register(app: typer.Typer) -> None:
    @app.command()
    def migrate() -> None:
        """Create or upgrade the database tables on DATABASE_URL.

        Example: DATABASE_URL=postgresql://localhost/oversight oversight migrate
        """
        setup_django(migrate=True)
        console.print("The database is up to date.")
