"""Files and page checks shared by the staff area's tests."""

from __future__ import annotations

import gzip
from pathlib import Path

from oversight.cli.demo import DEMO_DATA
from tests.portal.test_pages import check_page

GOOD_FILE = DEMO_DATA / "street" / "2025-06" / "2025-06-leicestershire-street.csv.gz"
MONTHS_BEFORE_JUNE = ["2025-01", "2025-02", "2025-03", "2025-04", "2025-05"]


def broken_street_file(folder: Path, row: int = 5, value: str = "2025-13",
                       source: Path = GOOD_FILE) -> Path:
    """A copy of a real street file, same name, with the Month in ``row`` (header = row 1)
    replaced by ``value``."""
    with gzip.open(source, "rt", encoding="utf-8", newline="") as handle:
        lines = handle.read().splitlines(keepends=True)
    fields = lines[row - 1].split(",")
    assert fields[1] == source.name[:7], fields  # the Month column
    fields[1] = value
    lines[row - 1] = ",".join(fields)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / source.name
    with gzip.open(path, "wt", encoding="utf-8", newline="") as handle:
        handle.write("".join(lines))
    return path


def check_staff_page(html: str):
    """``check_page`` for pages that may show a form's errors: then the title starts "Error: "
    and the page has a GOV.UK error summary."""
    if "<title>Error: " in html:
        assert 'class="govuk-error-summary' in html
        html = html.replace("<title>Error: ", "<title>", 1)
    return check_page(html)
