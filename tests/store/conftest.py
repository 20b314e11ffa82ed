"""Fixtures for the store tests: a fresh database per test.

Every test runs on a fresh SQLite file. When ``UPRIGHT_TEST_POSTGRES_URL`` names a
PostgreSQL database (for example ``postgresql+psycopg://user:pw@localhost/upright_test``,
with the psycopg driver installed), tests using ``store`` run on it too, on a schema
emptied before each test. CI has no PostgreSQL server, so there they run on SQLite only.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from upright.store import Store, open_store

POSTGRES_URL = os.environ.get("UPRIGHT_TEST_POSTGRES_URL", "")
BACKENDS = ["sqlite", *(["postgresql"] if POSTGRES_URL else [])]


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """A SQLite URL to a file that does not exist yet, in a folder that does not either."""
    return f"sqlite:///{tmp_path / 'data' / 'upright.db'}"


def _empty_postgres(url: str) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, db_url: str) -> Iterator[Store]:
    """An opened (migrated) store on a fresh database."""
    url = db_url
    if request.param == "postgresql":
        _empty_postgres(POSTGRES_URL)
        url = POSTGRES_URL
    opened = open_store(url)
    yield opened
    opened.close()
