"""Fixtures for the store tests: a fresh database per test.

Every test runs on a fresh SQLite file. Tests using ``store`` (and ``postgres_url``) also
run on PostgreSQL when one answers: ``UPRIGHT_TEST_POSTGRES_URL`` (for example
``postgresql+psycopg://user:pw@localhost/upright_test``), else the local server's
``postgresql+psycopg://postgres@127.0.0.1:5432/test``. Each test gets a schema of its own
in that database, dropped afterwards, so nothing else in it is touched. Without a server
or without the psycopg driver those runs are skipped with the reason.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from urllib.parse import quote

import pytest
import sqlalchemy as sa

from upright.store import Store, dispose_engines, open_store

POSTGRES_URL = os.environ.get(
    "UPRIGHT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@cache
def postgres_unavailable() -> str | None:
    """Why the PostgreSQL tests cannot run, or None when the server answers."""
    try:
        engine = sa.create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
    except ImportError as exc:
        return f"no PostgreSQL driver ({exc}); pip install 'psycopg[binary]'"
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError as exc:
        return f"PostgreSQL at {POSTGRES_URL} does not answer ({str(exc).splitlines()[0]})"
    finally:
        engine.dispose()
    return None


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """A SQLite URL to a file that does not exist yet, in a folder that does not either."""
    return f"sqlite:///{tmp_path / 'data' / 'upright.db'}"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A URL to an empty schema of its own on the test PostgreSQL server (else skip)."""
    if reason := postgres_unavailable():
        pytest.skip(reason)
    schema = f"upright_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in POSTGRES_URL else "?"
    url = f"{POSTGRES_URL}{separator}options={quote(f'-csearch_path={schema}')}"
    try:
        yield url
    finally:
        dispose_engines(url)  # the pooled connections of the schema go first
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, db_url: str) -> str:
    """A fresh database's URL: SQLite, then PostgreSQL (skipped when none answers)."""
    if request.param == "postgresql":
        url: str = request.getfixturevalue("postgres_url")
        return url
    return db_url


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    """An opened (migrated) store on a fresh database."""
    opened = open_store(store_url)
    yield opened
    opened.close()
