"""What every command shares: Django start-up, the console, and turning errors into messages."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

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


def progress_bars() -> Progress:
    """Progress bars for a long command, on standard error."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    )
