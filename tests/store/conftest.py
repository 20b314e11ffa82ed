"""Fixtures for the store tests: a fresh database per test.

Every test runs on a fresh SQLite file. Tests using ``store`` or ``store_url`` also run
on PostgreSQL, and ``postgres_url`` only there (tests/conftest.py, tests/postgres_db.py):
a schema of their own on the test server, skipped with the reason when none answers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from upright.store import Store, open_store


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """A SQLite URL to a file that does not exist yet, in a folder that does not either."""
    return f"sqlite:///{tmp_path / 'data' / 'upright.db'}"


@pytest.fixture
def store_url(new_database: Callable[..., str], tmp_path: Path) -> str:
    """A fresh database's URL: SQLite (a file in a folder that does not exist yet), then
    PostgreSQL (skipped when none answers)."""
    return new_database(tmp_path / "data" / "upright.db")


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    """An opened (migrated) store on a fresh database."""
    opened = open_store(store_url)
    yield opened
    opened.close()
