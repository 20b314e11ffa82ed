"""Fixtures shared by all tests.

Tests taking ``database_url`` (or ``new_database``) run twice: on a SQLite file, then on
the test PostgreSQL server (tests/postgres_db.py), where each gets a schema of its own.
The PostgreSQL runs skip with the reason when no server answers.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from tests.postgres_db import fresh_postgres_schema, postgres_unavailable

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The shared recordings folder, ``../shared/data`` next to the repository.

    Skips the test when the folder is absent (it is not part of the repository).
    """
    path = REPO_ROOT.parent / "shared" / "data"
    if not path.is_dir():
        pytest.skip(f"shared recordings not found at {path} (not part of the repository)")
    return path


@pytest.fixture(autouse=True)
def _private_user_folders(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Keep every test away from the user's own cache and database.

    Tests that check these variables set their own values on top.
    """
    home = tmp_path_factory.mktemp("user-folders")
    monkeypatch.setenv("UPRIGHT_CACHE_DIR", str(home / "cache"))
    monkeypatch.setenv("UPRIGHT_DATA_DIR", str(home / "data"))
    monkeypatch.delenv("UPRIGHT_DATABASE_URL", raising=False)


@pytest.fixture(autouse=True)
def _close_shared_engines() -> Iterator[None]:
    """Each test's databases are closed after it (the store shares one engine per URL)."""
    yield
    from upright.store import dispose_engines

    dispose_engines()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A URL to an empty schema of its own on the test PostgreSQL server (else skip)."""
    with fresh_postgres_schema() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def new_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[..., str]]:
    """Fresh databases of this run's kind: ``new_database()`` is the URL of an empty one,
    a SQLite file (at ``new_database(path)`` when given) or a PostgreSQL schema of its
    own (dropped after the test). The PostgreSQL run skips when no server answers."""
    if request.param == "postgresql" and (reason := postgres_unavailable()):
        pytest.skip(reason)
    numbers = itertools.count(1)
    with ExitStack() as schemas:

        def make(sqlite_path: Path | None = None) -> str:
            if request.param == "postgresql":
                return schemas.enter_context(fresh_postgres_schema())
            path = sqlite_path or tmp_path / "databases" / f"db{next(numbers)}.db"
            return f"sqlite:///{path}"

        yield make


@pytest.fixture
def database_url(new_database: Callable[..., str]) -> str:
    """An empty database's URL: a SQLite file, then a PostgreSQL schema (see
    ``new_database``)."""
    return new_database()
