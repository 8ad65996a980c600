"""Scheduled refresh: re-run the configured imports and fetches, then recompute.

The configuration is a small YAML file (by default ``var/refresh.yaml``)::

    recompute: true            # recompute the current plan when anything changed
    sources:
      - import: lookups        # lookups, population, ons, workforce or police-uk
        paths: [../shared/data/lookups]
      - import: ons
        paths: [../shared/data/ons]
      - fetch: police-uk
        force: leicestershire
        from: latest-11        # a month (2024-01), "latest" or "latest-N"
        to: latest             # "latest" is last month
        base_url: https://data.police.uk/data/archive
        layout: archive
        attempts: 5            # per file, with back-off doubling from...
        delay: 1               # ...this many seconds

Relative paths are taken from the configuration file's folder. Every import is idempotent (a
file already imported is left alone), so running the refresh again changes nothing unless a
source changed. Each source runs on its own: one that fails is reported (and left as it was,
every import being all-or-nothing) and the others still run; the run then ends with an error.

Two runs never overlap: a run holds an exclusive lock on a lock file (``var/refresh.lock``)
and a second run finds it held, says so and does nothing.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from oversight.methods import periods

IMPORTS = ("lookups", "population", "ons", "workforce", "police-uk")
Say = Callable[[str], None]


class RefreshConfigError(Exception):
    """The refresh configuration is wrong; the message says where and how to fix it."""


class RefreshLocked(Exception):
    """Another refresh holds the lock."""


@dataclass
class SourceOutcome:
    name: str
    changed: bool = False
    message: str = ""
    error: str = ""


@dataclass
class RefreshResult:
    outcomes: list[SourceOutcome] = field(default_factory=list)
    recomputed: int | None = None

    @property
    def failed(self) -> bool:
        return any(o.error for o in self.outcomes)

    @property
    def changed(self) -> bool:
        return any(o.changed for o in self.outcomes)


# --- configuration ----------------------------------------------------------------------


def load_config(path: Path) -> dict[str, Any]:
    """Read and check the configuration file."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RefreshConfigError(
            f"{path}: cannot be read ({exc.strerror}); write one as described in "
            "docs/data-sources.md, or pass --config FILE"
        ) from None
    try:
        config = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise RefreshConfigError(f"{path}: is not valid YAML ({exc})") from None
    if not isinstance(config, dict) or not isinstance(config.get("sources"), list):
        raise RefreshConfigError(f"{path}: needs a list of sources under 'sources:'")
    base = path.parent
    checked = []
    for number, source in enumerate(config["sources"], start=1):
        where = f"{path}, source {number}"
        if not isinstance(source, dict):
            raise RefreshConfigError(f"{where}: each source is a mapping such as 'import: ons'")
        if "import" in source:
            if source["import"] not in IMPORTS:
                raise RefreshConfigError(
                    f"{where}: import '{source['import']}' is not one of: {', '.join(IMPORTS)}"
                )
            paths = source.get("paths")
            if not isinstance(paths, list) or not paths:
                raise RefreshConfigError(f"{where}: give the files or folders under 'paths:'")
            checked.append(
                {"import": source["import"], "paths": [(base / str(p)).resolve() for p in paths]}
            )
        elif source.get("fetch") == "police-uk":
            for key in ("force", "from", "to"):
                if not source.get(key):
                    raise RefreshConfigError(f"{where}: fetch police-uk needs '{key}:'")
            checked.append(
                source | {"into": (base / source["into"]).resolve() if source.get("into") else None}
            )
        else:
            raise RefreshConfigError(
                f"{where}: say 'import: <{'|'.join(IMPORTS)}>' or 'fetch: police-uk'"
            )
    return {"recompute": bool(config.get("recompute", True)), "sources": checked}


def resolve_month(text: str, today: dt.date | None = None) -> str:
    """A month from the configuration: ``2025-06``, ``latest`` (last month) or ``latest-N``."""
    today = today or dt.date.today()
    latest = periods.add_months(f"{today.year:04d}-{today.month:02d}", -1)
    text = str(text).strip()
    match = re.fullmatch(r"latest(?:-([0-9]+))?", text)
    if match:
        return periods.add_months(latest, -int(match[1] or 0))
    periods.parse_month(text)
    return text


# --- the lock ---------------------------------------------------------------------------


@contextmanager
def refresh_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive lock for the run, or raise ``RefreshLocked`` naming its holder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(descriptor, 4096, 0).decode("utf-8", "replace").strip()
            raise RefreshLocked(holder or "another process") from None
        os.ftruncate(descriptor, 0)
        os.pwrite(
            descriptor,
            json.dumps(
                {"pid": os.getpid(), "started": dt.datetime.now().isoformat(timespec="seconds")}
            ).encode(),
            0,
        )
        try:
            yield
        finally:
            os.ftruncate(descriptor, 0)
            fcntl.flock(descriptor, fcntl.LOCK_UN)
    finally:
        os.close(descriptor)


# --- running ---------------------------------------------------------------------------


def _import(kind: str, paths: list[Path], imported_by: str) -> Any:
    from oversight.data import services

    function = {
        "lookups": services.import_lookups,
        "population": services.import_population,
        "ons": services.import_ons,
        "workforce": services.import_workforce,
        "police-uk": services.import_police_uk,
    }[kind]
    return function(paths, imported_by=imported_by)


def run_refresh(
    config: dict[str, Any],
    *,
    imported_by: str,
    default_download_folder: Path,
    say: Say | None = None,
    force_recompute: bool = False,
) -> RefreshResult:
    """Run every configured source, then recompute if anything changed (or if asked)."""
    from oversight.data import fetch
    from oversight.data.journal import RollbackError
    from oversight.data.services import recompute_current_plan
    from oversight.data.validate import ImportFileError

    result = RefreshResult()
    for source in config["sources"]:
        if "import" in source:
            name = f"import {source['import']}"
        else:
            name = f"fetch police-uk {source['force']}"
        outcome = SourceOutcome(name)
        result.outcomes.append(outcome)
        try:
            if "import" in source:
                missing = [str(p) for p in source["paths"] if not p.exists()]
                if missing:
                    raise ImportFileError(
                        ", ".join(missing),
                        None,
                        None,
                        None,
                        "check the paths in the refresh configuration",
                        problem="does not exist",
                    )
                imported = _import(source["import"], source["paths"], imported_by)
                outcome.changed = bool(imported.imported)
                outcome.message = (
                    f"{len(imported.imported)} new file(s), {len(imported.unchanged)} unchanged"
                )
            else:
                got = fetch.fetch_police_uk(
                    source["force"],
                    resolve_month(source["from"]),
                    resolve_month(source["to"]),
                    base_url=source.get("base_url", fetch.DEFAULT_ARCHIVE_URL),
                    layout=source.get("layout", "archive"),
                    into=source.get("into") or default_download_folder,
                    imported_by=imported_by,
                    policy=fetch.RetryPolicy(
                        attempts=int(source.get("attempts", 5)),
                        base_delay=float(source.get("delay", 1.0)),
                    ),
                    say=say,
                )
                imported = got.imported
                outcome.changed = bool(imported and imported.imported)
                outcome.message = " ".join(fetch.describe(got))
        except (ImportFileError, fetch.FetchError, RollbackError, OSError) as exc:
            outcome.error = str(exc)
        if say:
            say(f"{outcome.name}: {outcome.error or outcome.message}")
    if (config.get("recompute", True) and result.changed) or force_recompute:
        result.recomputed = recompute_current_plan()
    return result
