"""The test PostgreSQL server, for store and web tests: whether it answers, and a fresh
schema of its own per test (dropped afterwards).

``UPRIGHT_TEST_POSTGRES_URL`` names it, else the local server's
``postgresql+psycopg://postgres@127.0.0.1:5432/test``; without a server or driver the
PostgreSQL runs skip with the reason.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from urllib.parse import quote

import pytest
import sqlalchemy as sa

from upright.store import dispose_engines

POSTGRES_URL = os.environ.get(
    "UPRIGHT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
#: The URL as messages show it (a password as ***).
SHOWN_URL = sa.engine.make_url(POSTGRES_URL).render_as_string(hide_password=True)


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
        return f"PostgreSQL at {SHOWN_URL} does not answer ({str(exc).splitlines()[0]})"
    finally:
        engine.dispose()
    return None


@contextmanager
def fresh_postgres_schema() -> Iterator[str]:
    """A URL to an empty schema of its own on the test server (else the test skips)."""
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
