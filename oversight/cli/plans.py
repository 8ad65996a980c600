"""``oversight plan load|check|diff``: load a plan file, check one, or compare two versions.

``check`` and ``diff`` read files only and need no database; ``load`` stores the plan.
"""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from oversight.cli.common import UserError, console, friendly_errors, out, setup_django
from oversight.plans.planfile import PlanFile, PlanFileError, parse_plan_file

if TYPE_CHECKING:
    from oversight.plans.services import CarriedOver


@contextmanager
def plan_file_errors() -> Iterator[None]:
    """Print each problem in a plan file on its own line, then exit 1."""
    try:
        yield
    except PlanFileError as exc:
        count = len(exc.messages)
        noun = "problem" if count == 1 else "problems"
        console.print(f"[bold red]The plan file has {count} {noun}:[/]", highlight=False)
        for message in exc.messages:
            console.print(f"  {message}", highlight=False, soft_wrap=True, markup=False)
        raise typer.Exit(1) from None


def _say(text: str) -> None:
    """Print plain text to standard output, unwrapped and without markup."""
    out.print(text, highlight=False, markup=False, soft_wrap=True)


def _count(number: int, noun: str, plural: str) -> str:
    return f"{number} {noun if number == 1 else plural}"


def _summary(spec: PlanFile) -> str:
    counts = ", ".join([
        _count(len(spec.themes), "theme", "themes"),
        _count(len(spec.all_priorities()), "priority", "priorities"),
        _count(len(spec.measures), "measure", "measures"),
    ])
    return f"{spec.plan.title} (version {spec.plan.version}): {counts}"


def _carried_words(carried: CarriedOver) -> str:
    kept = _count(carried.measures_kept, "measure", "measures")
    return (f"Carried over from the {kept} it keeps: "
            f"{_count(carried.commentary, 'piece of commentary', 'pieces of commentary')} and "
            f"{_count(carried.questions, 'Panel question', 'Panel questions')}. "
            f"Figures computed for {_count(carried.measures_computed, 'measure', 'measures')}.")


def _default_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "cli"


def _account(username: str) -> Any:
    """The active user account called ``username``, for ``--as``; a ``UserError`` if none."""
    from django.contrib.auth import get_user_model

    account = get_user_model().objects.filter(username=username).first()
    if account is None:
        raise UserError(f"--as {username}: there is no user called {username!r}. Use the "
                        "user name someone signs in with (see: oversight user list), or leave "
                        "--as out to be recorded by your computer user name. Nothing was "
                        "loaded.")
    if not account.is_active:
        raise UserError(f"--as {username}: that user's account is switched off. Name an "
                        "active user. Nothing was loaded.")
    return account


def register(app: typer.Typer) -> None:
    plan_app = typer.Typer(help="Load, check and compare plan files.", no_args_is_help=True)
    app.add_typer(plan_app, name="plan")

    @plan_app.command("check")
    def check(file: Annotated[Path, typer.Argument(help="The plan file (YAML) to check.")]) -> None:
        """Check a plan file without loading it. Problems are listed with their line numbers.

        Example: oversight plan check examples/leicestershire-2013.yaml
        """
        with plan_file_errors():
            spec = parse_plan_file(file)
        _say(f"{file.name} is a valid plan file: {_summary(spec)}.")

    @plan_app.command("load")
    def load(
        file: Annotated[Path, typer.Argument(help="The plan file (YAML) to load.")],
        as_user: Annotated[
            str | None,
            typer.Option("--as", metavar="USERNAME",
                         help="The user account loading it, for the audit trail (default: "
                              "your computer user name, recorded as a name)."),
        ] = None,
    ) -> None:
        """Check a plan file and store it as a new version of its plan.

        Loading the same file twice changes nothing. A new version becomes the current one,
        takes over the commentary and Panel questions of the measures it keeps (same code),
        has its figures computed, and is written to the audit trail (plan.load).

        Example: oversight plan load examples/leicestershire-2013.yaml --as j.smith
        """
        with friendly_errors(), plan_file_errors():
            setup_django()
            from oversight.plans.services import diff_plans, load_plan_file_outcome

            who = _account(as_user) if as_user is not None else _default_user()
            name = who if isinstance(who, str) else who.get_username()
            result = load_plan_file_outcome(file, user=name, audited_by=who)
            plan = result.plan
            if not result.created:
                _say(f"{file.name} is already loaded as {plan}. Nothing was changed.")
                return
            _say(f"Loaded {_summary(plan.plan_file())}.")
            if result.replaced is not None:
                _say(f"It replaces version {result.replaced.version} as the current version.")
                if result.carried is not None:
                    _say(_carried_words(result.carried))
                _say(str(diff_plans(result.replaced, plan)))

    @plan_app.command("diff")
    def diff(
        old: Annotated[Path, typer.Argument(help="The earlier plan file.")],
        new: Annotated[Path, typer.Argument(help="The later plan file.")],
    ) -> None:
        """List what changed between two plan files, with the reasons the new file gives.

        Example: oversight plan diff plan-2013.yaml plan-2014.yaml
        """
        from oversight.plans.diff import diff_specs

        with plan_file_errors():
            before, after = parse_plan_file(old), parse_plan_file(new)
        _say(str(diff_specs(before, after)))
