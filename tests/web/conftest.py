"""Fixtures of the web app's tests: an app on a database of its own, a client that has
its session cookie, and the CSRF token of its forms.

The app's database is a SQLite file in its data folder, then a PostgreSQL schema of its
own (``new_database`` in tests/conftest.py; skipped with the reason when no server
answers). The browser tests (test_browser_*.py) run a server of their own on SQLite.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from upright.store import using_database
from upright.web import WebSettings, create_app

_TOKEN = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


class Browser:
    """A test client that fills in the CSRF token of the page it last read."""

    def __init__(self, client: TestClient, url: str) -> None:
        self.client = client
        self.database_url = url

    def token(self) -> str:
        page = self.client.get("/runners")
        match = _TOKEN.search(page.text)
        assert match is not None, "the runners page has no CSRF token"
        return match.group(1)

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.client.get(path, **kwargs)

    def post(self, path: str, data: Mapping[str, str] | None = None, **kwargs: Any) -> Any:
        fields = {"csrf_token": self.token(), **(data or {})}
        return self.client.post(path, data=fields, **kwargs)

    def stored(self, action: Any) -> Any:
        """``action()`` run on the app's database (to read what a page stored)."""
        with using_database(self.database_url):
            return action()


def app_settings(new_database: Callable[..., str], tmp_path: Path, **extra: Any) -> WebSettings:
    """Settings on a data folder of their own (not the one UPRIGHT_DATA_DIR names) and a
    fresh database: SQLite in that folder, or PostgreSQL."""
    folder = tmp_path / "web-data"
    return WebSettings(data_dir=folder, database_url=new_database(folder / "web.db"), **extra)


@pytest.fixture
def web_settings(new_database: Callable[..., str], tmp_path: Path) -> WebSettings:
    """The app's settings (:func:`app_settings`)."""
    return app_settings(new_database, tmp_path)


@pytest.fixture
def browser(web_settings: WebSettings) -> Iterator[Browser]:
    with TestClient(create_app(web_settings)) as client:
        yield Browser(client, web_settings.database_url)


def red_flag_form(reply: str = "no", **overrides: str) -> dict[str, str]:
    """Every red-flag question answered ``reply``, some keys answered otherwise."""
    from upright.assessment.redflags import RED_FLAG_KEYS

    return {f"rf.{k}": overrides.get(k, reply) for k in RED_FLAG_KEYS}


def make_runner(browser: Browser, alias: str = "Ann", **fields: str) -> None:
    response = browser.post("/runners", {"alias": alias, **fields}, follow_redirects=False)
    assert response.status_code == 303, response.text


def clear_checkup(browser: Browser, alias: str = "Ann", **fields: str) -> Any:
    """A check-up with every red flag answered no, then the details page's fields."""
    page = browser.post(f"/checkup/{alias}", red_flag_form("no"))
    assert page.status_code == 200
    return browser.post(f"/checkup-details/{alias}", {**red_flag_form("no"), **fields})
