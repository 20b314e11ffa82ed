"""Fixtures for the store tests: a fresh SQLite database per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from upright.store import Store, open_store


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """A SQLite URL to a file that does not exist yet, in a folder that does not either."""
    return f"sqlite:///{tmp_path / 'data' / 'upright.db'}"


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    """An opened (migrated) store on a fresh SQLite file."""
    opened = open_store(db_url)
    yield opened
    opened.close()
