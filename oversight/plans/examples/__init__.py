"""The example plan files shipped with Oversight, so ``oversight demo`` works from any folder.

The canonical copies live in ``examples/`` at the top of the repository; the copies here must
stay byte-for-byte the same (a test checks this). Use ``path("leicestershire-2013")`` to find
one.
"""

from __future__ import annotations

from pathlib import Path

FOLDER = Path(__file__).resolve().parent


def names() -> list[str]:
    """The example plans available, such as ``["delivery-2022", "leicestershire-2013"]``."""
    return sorted(p.stem for p in FOLDER.glob("*.yaml"))


def path(name: str) -> Path:
    """The path of example plan ``name`` (with or without ``.yaml``)."""
    stem = name.removesuffix(".yaml")
    candidate = FOLDER / f"{stem}.yaml"
    if not candidate.is_file():
        raise FileNotFoundError(
            f"There is no example plan called {name!r}; the examples are: {', '.join(names())}"
        )
    return candidate
