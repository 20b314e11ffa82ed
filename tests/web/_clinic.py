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
from starlette.websockets import WebSocketDisconnect

from upright.services.accounts import Clinic
from upright.services.runner_record import update_profile
from upright.store import get_runner, open_store, using_database
from upright.store.jobs import add_job, mark_done, mark_failed
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


@dataclass(frozen=True)
class SeededJobs:
    """Job ids of the seeded clinic, per runner (``OWN``, ``OTHER``) and kind: a failed
    ``analyze``, ``form``, ``run`` (watch file) and ``imu`` (worn sensor) job and a
    ``done`` analysis with its annotated video; and a (failed) job for no runner that the
    first therapist started. None is queued, so the app's queue runs nothing."""

    by_runner: dict[str, dict[str, int]]
    no_runner: int


def seed_jobs(url: str, folder: Path) -> SeededJobs:
    """The jobs of :class:`SeededJobs`, written straight to the job table (nothing runs)."""
    store = open_store(url)
    clinic = Clinic(store)
    try:
        therapist = clinic.viewer(ACCOUNTS["therapist"][0]).account_id
        by_runner: dict[str, dict[str, int]] = {}
        with store.session() as session:
            for alias in (OWN, OTHER):
                runner = get_runner(session, alias)
                ids = {}
                for kind in ("analyze", "form", "run", "imu"):
                    failed = add_job(session, kind, {"video": "clip.mp4"}, runner)
                    mark_failed(failed, "The clip could not be read.")
                    ids[kind] = failed.id
                done = add_job(session, "analyze", {"video": "clip.mp4"}, runner)
                out = folder / f"job-{alias}"
                out.mkdir(parents=True)
                (out / "annotated.mp4").write_bytes(b"\x00" * 64)
                mark_done(done, {"out_dir": str(out)})
                by_runner[alias] = {**ids, "done": done.id}
            alone = add_job(session, "analyze", {"video": "clip.mp4"}, None, therapist)
            mark_failed(alone, "The clip could not be read.")
            return SeededJobs(by_runner, alone.id)
    finally:
        store.close()


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

    def socket_opens(self, query: str) -> bool:
        """Whether the live form check's WebSocket opens with this query (the session's
        CSRF token and this server's Origin added): True when the socket is accepted
        (the route's own answer follows), False when it is closed before (refused)."""
        path = f"/form/live-ws?token={self.token()}&{query}"
        try:
            with self.client.websocket_connect(path, headers={"origin": "http://testserver"}) as ws:
                ws.receive_json()
        except WebSocketDisconnect as closed:
            assert closed.code == 1008
            return False
        return True

    def sign_in(self, email: str, password: str = PASSWORD) -> Any:
        return self.post("/login", {"email": email, "password": password})


@dataclass
class ClinicApp:
    app: FastAPI
    settings: WebSettings
    visitors: dict[str, Visitor]
    jobs: SeededJobs


@contextmanager
def clinic_app(tmp_path: Path, url: str, **extra: Any) -> Iterator[ClinicApp]:
    """The seeded clinic's app, with a visitor per role (plus ``anonymous``)."""
    seed_clinic(url)
    jobs = seed_jobs(url, tmp_path / "job-files")
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
        yield ClinicApp(app, settings, visitors, jobs)
