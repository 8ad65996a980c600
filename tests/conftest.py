"""Fixtures every test may use: where the shared real data lives, and small real extracts."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def shared_data_dir() -> Path | None:
    """The real data folder (``../shared/data`` beside the checkout, or OVERSIGHT_SHARED_DATA)."""
    candidate = Path(os.environ.get("OVERSIGHT_SHARED_DATA", REPO.parent / "shared" / "data"))
    return candidate if candidate.is_dir() else None


@pytest.fixture(scope="session")
def shared_data() -> Path:
    path = shared_data_dir()
    if path is None:
        pytest.skip("the shared real data folder (../shared/data) is not beside this checkout")
    return path


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture(autouse=True)
def no_page_cache():
    """Tests change data directly, so public pages are drawn afresh unless a test turns the
    page cache on (tests/portal/test_page_cache.py). Not through the ``settings`` fixture, as
    some tests have a parameter of that name."""
    from django.test import override_settings

    with override_settings(OVERSIGHT_PAGE_CACHE_SECONDS=0):
        yield
