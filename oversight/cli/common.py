"""What every command shares: Django start-up, the console, and turning errors into messages."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console

console = Console(stderr=True)
out = Console()


class UserError(Exception):
    """An error the user can fix; its message says what to do. Printed without a traceback."""


def setup_django(migrate: bool = True) -> None:
    """Start Django on the configured database, creating or upgrading its tables if needed."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oversight.settings")
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)


def _user_errors() -> tuple[type[BaseException], ...]:
    """Errors whose message tells the user what to do: printed without a traceback."""
    from oversight.data.validate import ImportFileError
    from oversight.plans.planfile import PlanFileError

    return (UserError, ImportFileError, PlanFileError)


@contextmanager
def friendly_errors() -> Iterator[None]:
    """Print a ``UserError`` (or a validation error) as one plain sentence and exit 1."""
    try:
        yield
    except _user_errors() as exc:
        console.print(f"[bold red]Error:[/] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        console.print("Stopped. Nothing was changed by the step that was running.")
        sys.exit(130)
