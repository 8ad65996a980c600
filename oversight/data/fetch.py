"""Downloading data.police.uk street-level files, then handing them to the importer.

``fetch_police_uk(force, start, end, …)`` works out which files cover the months asked for,
downloads each into a local folder and, only when every download is complete and checked,
imports them all in one call to ``services.import_police_uk`` (itself all-or-nothing). So a
failure part-way (a dropped connection, an HTTP 500, too many retries) leaves the database as
it was; the files already downloaded stay in the folder and a re-run carries on from them.

Two layouts of server are understood:

- ``files``: one file per force and month, as in the shared data folder and most mirrors:
  ``<base>/<YYYY-MM>/<YYYY-MM>-<force>-street.csv[.gz]`` (``.csv.gz`` is tried first);
- ``archive``: data.police.uk's monthly archives, ``<base>/<YYYY-MM>.zip``, each holding the
  36 months up to its own, from which the force's street files for the months asked for are
  taken (the newest archive needed is downloaded, and older ones only if the range is longer).

Each download goes to ``<name>.part`` and is renamed into place only when complete (the length
the server announced, and a gzip or zip file that reads to its end), so a half-written file is
never taken for a whole one. An interrupted ``.part`` is resumed with an HTTP ``Range``
request. ``429 Too Many Requests`` and ``5xx`` responses and dropped connections are retried
with exponential back-off (``Retry-After`` is honoured, up to a limit); ``404`` means the
month is not published and is reported, not retried. Each file's SHA-256 is recorded in
``manifest.json`` in the download folder, with the server's ``ETag``/``Last-Modified``, so a
re-run sends a conditional request and a file the server says is unchanged is not downloaded
again.
"""

from __future__ import annotations

import email.utils
import gzip
import hashlib
import http.client
import json
import os
import shutil
import time
import urllib.error
import urllib.request
import zipfile
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from oversight.methods import periods

DEFAULT_ARCHIVE_URL = "https://data.police.uk/data/archive"
USER_AGENT = "Oversight (OPCC performance platform) data.police.uk fetcher"
CHUNK = 256 * 1024
MANIFEST = "manifest.json"


class FetchError(Exception):
    """A download that could not be completed; the message says what to try."""


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try: attempts per file, back-off doubling from ``base_delay`` seconds up to
    ``max_delay``, and how long to wait for the server at most (``timeout``)."""

    attempts: int = 5
    base_delay: float = 1.0
    max_delay: float = 60.0
    timeout: float = 60.0


@dataclass
class FetchResult:
    """What a fetch did."""

    downloaded: list[str] = field(default_factory=list)
    not_modified: list[str] = field(default_factory=list)
    missing_months: list[str] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    retries: int = 0
    resumed: int = 0
    bytes: int = 0
    imported: Any = None  # services.ImportResult


Sleep = Callable[[float], None]
Say = Callable[[str], None]


# --- one download -------------------------------------------------------------------------


class _Retry(Exception):
    def __init__(self, reason: str, wait: float | None = None) -> None:
        super().__init__(reason)
        self.reason, self.wait = reason, wait


class NotPublished(Exception):
    """The server has no such file (HTTP 404 or 410)."""


def _retry_after(value: str | None, limit: float) -> float | None:
    if not value:
        return None
    try:
        return min(max(float(value), 0.0), limit)
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value) if value else None
        if parsed is None:
            return None
        return min(max(parsed.timestamp() - time.time(), 0.0), limit)


def download(
    url: str,
    target: Path,
    *,
    policy: RetryPolicy = RetryPolicy(),  # noqa: B008 - frozen
    known: dict[str, Any] | None = None,
    sleep: Sleep = time.sleep,
    say: Say | None = None,
    counters: FetchResult | None = None,
) -> dict[str, Any] | None:
    """Download ``url`` to ``target`` (via ``target.part``), retrying and resuming.

    Returns the file's record (sha256, bytes, etag, last_modified, url), or None when the
    server answers 304 Not Modified to the conditional request built from ``known``. Raises
    ``NotPublished`` for a 404 and ``FetchError`` when every attempt failed.
    """
    part = target.with_name(target.name + ".part")
    target.parent.mkdir(parents=True, exist_ok=True)
    last = "no attempt was made"
    for attempt in range(1, policy.attempts + 1):
        try:
            return _attempt(url, target, part, policy, known if target.exists() else None, counters)
        except _Retry as retry:
            last = retry.reason
            if attempt == policy.attempts:
                break
            wait = retry.wait
            if wait is None:
                wait = min(policy.base_delay * 2 ** (attempt - 1), policy.max_delay)
            if counters is not None:
                counters.retries += 1
            if say:
                say(
                    f"{url}: {retry.reason}; trying again in {wait:g} s "
                    f"(attempt {attempt + 1} of {policy.attempts})"
                )
            sleep(wait)
    raise FetchError(
        f"{url} could not be downloaded after {policy.attempts} attempts ({last}). "
        f"Nothing was imported; run the same command again to carry on from "
        f"{part.name if part.exists() else 'the start'}."
    )


def _attempt(
    url: str,
    target: Path,
    part: Path,
    policy: RetryPolicy,
    known: dict[str, Any] | None,
    counters: FetchResult | None,
) -> dict[str, Any] | None:
    offset = part.stat().st_size if part.exists() else 0
    headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "identity"}
    if offset:
        headers["Range"] = f"bytes={offset}-"
        if known and known.get("etag"):
            headers["If-Range"] = known["etag"]
    elif known:
        if known.get("etag"):
            headers["If-None-Match"] = known["etag"]
        if known.get("last_modified"):
            headers["If-Modified-Since"] = known["last_modified"]
    request = urllib.request.Request(url, headers=headers)
    try:
        response = urllib.request.urlopen(request, timeout=policy.timeout)  # noqa: S310
    except urllib.error.HTTPError as error:
        return _http_error(error, url, part, policy)
    except (
        urllib.error.URLError,
        TimeoutError,
        ConnectionError,
        http.client.HTTPException,
    ) as error:
        reason = getattr(error, "reason", error)
        raise _Retry(f"could not connect ({reason})") from None
    with response:
        status = response.status
        if status == 206 and offset:
            mode, start = "ab", offset
            if counters is not None:
                counters.resumed += 1
        else:  # 200: the whole file, whether or not a range was asked for
            mode, start = "wb", 0
        length = response.headers.get("Content-Length")
        expected = start + int(length) if length is not None else None
        received = 0
        try:
            with part.open(mode) as out:
                while True:
                    chunk = response.read(CHUNK)
                    if not chunk:
                        break
                    out.write(chunk)
                    received += len(chunk)
        except (
            http.client.IncompleteRead,
            ConnectionError,
            TimeoutError,
            http.client.HTTPException,
        ) as error:
            if counters is not None:
                counters.bytes += received
            raise _Retry(
                f"the connection dropped after {start + received:,} bytes ({type(error).__name__})"
            ) from None
        if counters is not None:
            counters.bytes += received
        size = part.stat().st_size
        if expected is not None and size < expected:
            raise _Retry(f"the connection dropped after {size:,} of {expected:,} bytes")
        etag = response.headers.get("ETag")
        modified = response.headers.get("Last-Modified")
    _check_complete(part, target.name)
    digest = _sha256(part)
    os.replace(part, target)
    return {"url": url, "sha256": digest, "bytes": size, "etag": etag, "last_modified": modified}


def _http_error(
    error: urllib.error.HTTPError, url: str, part: Path, policy: RetryPolicy
) -> dict[str, Any] | None:
    code = error.code
    wait = _retry_after(
        error.headers.get("Retry-After") if error.headers else None, policy.max_delay
    )
    error.close()
    if code == 304:
        return None
    if code in (404, 410):
        raise NotPublished(url)
    if code == 416:  # the partial file is already whole (or stale): start again
        part.unlink(missing_ok=True)
        raise _Retry("the server refused to resume (416); starting the file again", 0)
    if code == 429:
        raise _Retry("the server asked us to slow down (429 Too Many Requests)", wait)
    if code >= 500 or code == 408:
        raise _Retry(f"the server had a problem ({code} {error.reason})", wait)
    raise FetchError(f"{url}: the server refused the request ({code} {error.reason})")


def _check_complete(path: Path, name: str) -> None:
    """Raise ``_Retry`` (and discard the file) if a compressed download does not read to its
    end: a server can close the connection early without announcing a length."""
    try:
        if name.endswith(".gz"):
            with gzip.open(path, "rb") as stream:
                while stream.read(CHUNK):
                    pass
        elif name.endswith(".zip"):
            with zipfile.ZipFile(path) as archive:
                bad = archive.testzip()
                if bad is not None:
                    raise zipfile.BadZipFile(f"member {bad} is damaged")
    except (EOFError, OSError, zlib.error, zipfile.BadZipFile) as error:
        path.unlink(missing_ok=True)
        raise _Retry(f"the file arrived incomplete or damaged ({error})") from None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


# --- the manifest -------------------------------------------------------------------------


def _load_manifest(folder: Path) -> dict[str, Any]:
    path = folder / MANIFEST
    if not path.exists():
        return {}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return {}


def _save_manifest(folder: Path, manifest: dict[str, Any]) -> None:
    path = folder / MANIFEST
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(manifest, indent=2, sort_keys=True), encoding="utf-8")
    os.replace(temporary, path)


def _still_whole(path: Path, record: dict[str, Any] | None) -> bool:
    return (
        bool(record)
        and path.exists()
        and path.stat().st_size == record.get("bytes")
        and (_sha256(path) == record.get("sha256"))
    )


# --- police.uk ----------------------------------------------------------------------------


def months_between(start: str, end: str) -> list[str]:
    try:
        months = periods.month_range(start, end)
    except ValueError as error:
        raise FetchError(str(error)) from None
    if not months:
        raise FetchError(f"--from {start} is after --to {end}")
    return months


def fetch_police_uk(
    force: str,
    start: str,
    end: str,
    *,
    base_url: str = DEFAULT_ARCHIVE_URL,
    layout: str = "archive",
    into: Path,
    imported_by: str,
    policy: RetryPolicy = RetryPolicy(),  # noqa: B008 - frozen
    import_files: bool = True,
    sleep: Sleep = time.sleep,
    say: Say | None = None,
    progress: Any = None,
) -> FetchResult:
    """Download the force's street-level files for the months start..end, then import them.

    Nothing is imported unless every file that exists downloaded completely; months the server
    does not have (404) are listed in ``missing_months`` and do not stop the others.
    """
    from oversight.data.forces import BY_SLUG

    if force not in BY_SLUG:
        raise FetchError(
            f'"{force}" is not a data.police.uk force; use its identifier, e.g. leicestershire'
        )
    months = months_between(start, end)
    into = Path(into)
    into.mkdir(parents=True, exist_ok=True)
    result = FetchResult()
    manifest = _load_manifest(into)
    base = base_url.rstrip("/")
    try:
        if layout == "files":
            _fetch_files(force, months, base, into, manifest, policy, sleep, say, result)
        elif layout == "archive":
            _fetch_archives(force, months, base, into, manifest, policy, sleep, say, result)
        else:
            raise FetchError(f'unknown layout "{layout}"; use "files" or "archive"')
    finally:  # what did arrive is remembered, so a re-run need not fetch it again
        _save_manifest(into, manifest)
    if import_files and result.files:
        from oversight.data.services import import_police_uk

        result.imported = import_police_uk(result.files, imported_by=imported_by, progress=progress)
    return result


def _fetch_files(
    force: str,
    months: list[str],
    base: str,
    into: Path,
    manifest: dict[str, Any],
    policy: RetryPolicy,
    sleep: Sleep,
    say: Say | None,
    result: FetchResult,
) -> None:
    for month in months:
        got = None
        for suffix in (".csv.gz", ".csv"):
            name = f"{month}-{force}-street{suffix}"
            target = into / month / name
            key = f"{month}/{name}"
            try:
                got = _get(
                    f"{base}/{month}/{name}", target, key, manifest, policy, sleep, say, result
                )
            except NotPublished:
                continue
            break
        if got is None:
            result.missing_months.append(month)
        else:
            result.files.append(got)


def _get(
    url: str,
    target: Path,
    key: str,
    manifest: dict[str, Any],
    policy: RetryPolicy,
    sleep: Sleep,
    say: Say | None,
    result: FetchResult,
) -> Path:
    known = manifest.get(key)
    if not _still_whole(target, known):
        known = None
    record = download(
        url, target, policy=policy, known=known, sleep=sleep, say=say, counters=result
    )
    if record is None:
        result.not_modified.append(target.name)
    else:
        manifest[key] = record
        result.downloaded.append(target.name)
    return target


def archives_for(months: list[str]) -> list[str]:
    """The archive months to download: each archive holds its own month and the 35 before."""
    wanted, needed = set(months), []
    latest = max(months)
    while wanted:
        needed.append(latest)
        covered = set(periods.month_range(periods.add_months(latest, -35), latest))
        wanted -= covered
        if wanted:
            latest = max(wanted)
    return needed


def _fetch_archives(
    force: str,
    months: list[str],
    base: str,
    into: Path,
    manifest: dict[str, Any],
    policy: RetryPolicy,
    sleep: Sleep,
    say: Say | None,
    result: FetchResult,
) -> None:
    found: dict[str, Path] = {}
    for archive_month in archives_for(months):
        name = f"{archive_month}.zip"
        target = into / "archives" / name
        try:
            _get(f"{base}/{name}", target, f"archives/{name}", manifest, policy, sleep, say, result)
        except NotPublished:
            raise FetchError(
                f"{base}/{name} is not published; use a --to month whose archive exists "
                "(data.police.uk publishes each month's archive about six weeks after it ends)"
            ) from None
        with zipfile.ZipFile(target) as archive:
            for member in archive.namelist():
                base_name = member.rsplit("/", 1)[-1]
                month = base_name[:7]
                if (
                    month in months
                    and month not in found
                    and base_name == f"{month}-{force}-street.csv"
                ):
                    found[month] = _extract(archive, member, into / month / base_name)
    for month in months:
        if month in found:
            result.files.append(found[month])
        else:
            result.missing_months.append(month)


def _extract(archive: zipfile.ZipFile, member: str, target: Path) -> Path:
    """Extract one member atomically (via a temporary name)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(target.name + ".part")
    with archive.open(member) as source, temporary.open("wb") as out:
        shutil.copyfileobj(source, out, CHUNK)
    os.replace(temporary, target)
    return target


def describe(result: FetchResult) -> Iterable[str]:
    """Sentences for the command line."""
    yield (
        f"Downloaded {len(result.downloaded)} file(s) ({result.bytes:,} bytes); "
        f"{len(result.not_modified)} unchanged since the last fetch."
    )
    if result.retries or result.resumed:
        yield f"{result.retries} retry(ies); {result.resumed} download(s) resumed part-way."
    if result.missing_months:
        yield "Not published for this force: " + ", ".join(result.missing_months) + "."
