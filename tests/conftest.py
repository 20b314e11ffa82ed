"""Fixtures shared by all tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

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
