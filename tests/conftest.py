"""Fixtures shared by all tests."""

from __future__ import annotations

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
