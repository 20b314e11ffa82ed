"""A clinic to test with: two therapists, each with a runner, a runner's own account,
an admin; and browsers signed in as each."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from upright.services.accounts import Clinic
from upright.services.runner_record import update_profile
from upright.store import open_store, using_database
from upright.web import WebSettings, create_app

PASSWORD = "correct horse battery"
#: The accounts: role name in the matrix -> (e-mail, role, runner of a runner account).
ACCOUNTS: dict[str, tuple[str, str, str | None]] = {
    "admin": ("admin@clinic.test", "admin", None),
    "therapist": ("pt1@clinic.test", "therapist", None),
    "other_therapist": ("pt2@clinic.test", "therapist", None),
    "runner": ("ann@clinic.test", "runner", "Ann"),
}
#: Ann is the first therapist's runner (and has her own account); Bob the other's.
OWN, OTHER = "Ann", "Bob"
_TOKEN = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


def seed_clinic(url: str) -> None:
    """Runners Ann and Bob, the accounts, and who treats whom."""
    with using_database(url):
        update_profile(OWN, sex="female", height_cm=None)
        update_profile(OTHER, sex="male", height_cm=None)
    clinic = Clinic(open_store(url))
    try:
        for email, role, runner in ACCOUNTS.values():
            clinic.create_account(email, PASSWORD, role, runner)
        clinic.assign(None, ACCOUNTS["therapist"][0], OWN)
        clinic.assign(None, ACCOUNTS["other_therapist"][0], OTHER)
    finally:
        clinic.store.close()


def clinic_settings(tmp_path: Path, url: str, **extra: Any) -> WebSettings:
    folder = tmp_path / "clinic-data"
    return WebSettings(data_dir=folder, database_url=url, clinic=True, **extra)


class Visitor:
    """A browser of the clinic app, signed in or not."""

    def __init__(self, client: TestClient) -> None:
        self.client = client

    def token(self, path: str = "/login") -> str:
        page = self.client.get(path)
        match = _TOKEN.search(page.text)
        assert match is not None, f"{path} has no CSRF token ({page.status_code})"
        return match.group(1)

    def post(self, path: str, data: Mapping[str, str] | None = None, **kwargs: Any) -> Any:
        fields = {"csrf_token": self.token(), **(data or {})}
        return self.client.post(path, data=fields, follow_redirects=False, **kwargs)

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.client.get(path, follow_redirects=False, **kwargs)

    def sign_in(self, email: str, password: str = PASSWORD) -> Any:
        return self.post("/login", {"email": email, "password": password})


@dataclass
class ClinicApp:
    app: FastAPI
    settings: WebSettings
    visitors: dict[str, Visitor]


@contextmanager
def clinic_app(tmp_path: Path, url: str, **extra: Any) -> Iterator[ClinicApp]:
    """The seeded clinic's app, with a visitor per role (plus ``anonymous``)."""
    seed_clinic(url)
    settings = clinic_settings(tmp_path, url, **extra)
    app = create_app(settings)
    with ExitStack() as stack:
        visitors = {}
        for role in ("anonymous", *ACCOUNTS):
            visitor = Visitor(stack.enter_context(TestClient(app)))
            if role != "anonymous":
                response = visitor.sign_in(ACCOUNTS[role][0])
                assert response.status_code == 303, response.text
            visitors[role] = visitor
        yield ClinicApp(app, settings, visitors)
