"""The ``oversight`` command and its sub-commands.

Each module in ``COMMAND_MODULES`` defines ``register(app)`` and adds its commands; commands
parse their arguments, call one service and print the result. ``DATABASE_URL`` selects the
database for every command.
"""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(
    name="oversight",
    help="Plan, measure and report on a Police and Crime Plan.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

COMMAND_MODULES = [
    "oversight.cli.setup",
    "oversight.cli.imports",
    "oversight.cli.fetch",
    "oversight.cli.refresh",
    "oversight.cli.query",
    "oversight.cli.plans",
    "oversight.cli.spc",
    "oversight.cli.compute",
    "oversight.cli.report",
    "oversight.cli.serve",
    "oversight.cli.demo",
    "oversight.cli.users",
    "oversight.cli.bench",
]

for _name in COMMAND_MODULES:
    try:
        _module = importlib.import_module(_name)
    except ModuleNotFoundError as exc:  # a command module not written yet
        if exc.name != _name:
            raise
        continue
    _module.register(app)
