"""The access matrix of clinic mode: every route x every role x the first therapist's
runner (Ann, "own") and the other therapist's (Bob, "other") -> the expected answer, on
SQLite and on PostgreSQL. The test lists the app's routes and fails on one the matrix
does not name, so a page added later must be placed in it.

Roles: anonymous, admin, therapist (treats Ann), other_therapist (treats Bob), runner
(Ann's own account). ``OK`` is the route's own answer when access lets the request
through (the requests send an empty form, so a form page answers with its own 400).
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any, Final

import pytest
from fastapi.routing import APIWebSocketRoute
from starlette.routing import WebSocketRoute

from upright.services.accounts import Clinic
from upright.services.jobs import JobQueue
from upright.store import open_store
from upright.web.access import app_routes
from upright.web.pages import _has_route

from ._clinic import ACCOUNTS, OTHER, OWN, SeededJobs, Visitor, clinic_app, seed_clinic

OK: Final = "ok"
LOGIN: Final = "login"  # 303 to the sign-in page for a page, 401 for a form

_ALL_OK = {r: (OK, OK) for r in ("anonymous", *ACCOUNTS)}
_SIGNED_IN = {**_ALL_OK, "anonymous": (LOGIN, LOGIN)}
#: Expected answer per rule: role -> (own runner, other runner).
EXPECT: Final[dict[str, dict[str, tuple[str | int, str | int]]]] = {
    "public": _ALL_OK,
    "signed_in": _SIGNED_IN,
    "record": {
        "anonymous": (LOGIN, LOGIN),
        "admin": (OK, OK),
        "therapist": (OK, 404),
        "other_therapist": (404, OK),
        "runner": (OK, 404),
    },
    "record_manage": {
        "anonymous": (LOGIN, LOGIN),
        "admin": (OK, OK),
        "therapist": (OK, 404),
        "other_therapist": (404, OK),
        "runner": (403, 404),
    },
    "new_runner": {
        "anonymous": (LOGIN, LOGIN),
        "admin": (OK, OK),
        "therapist": (OK, 403),
        "other_therapist": (403, OK),
        "runner": (403, 403),
    },
    "staff": {**_SIGNED_IN, "runner": (403, 403)},
    "job": {
        "anonymous": (LOGIN, LOGIN),
        "admin": (OK, OK),
        "therapist": (OK, 404),
        "other_therapist": (404, OK),
        "runner": (OK, 404),
    },
    "admin": {
        "anonymous": (LOGIN, LOGIN),
        "admin": (OK, OK),
        "therapist": (403, 403),
        "other_therapist": (403, 403),
        "runner": (403, 403),
    },
}

#: Every route of the clinic app: (method, name) -> (rule, status when let through).
#: ``{alias}`` is filled with the runner, ``{token}`` with an unknown token, ``{job_id}``
#: with a job of the runner (:data:`JOB_OF_ROUTE`). ``WS`` is a WebSocket: 101 when it
#: opens, 1008 when it is refused.
MATRIX: Final[dict[tuple[str, str], tuple[str, int]]] = {
    ("GET", "static"): ("public", 200),
    ("GET", "plotly_js"): ("public", 200),
    ("GET", "login_form"): ("public", 200),
    ("POST", "login"): ("public", 400),
    ("GET", "invite_form"): ("public", 404),
    ("POST", "invite_accept"): ("public", 400),
    ("GET", "home"): ("signed_in", 303),
    ("GET", "runner_list"): ("signed_in", 200),
    ("POST", "logout"): ("signed_in", 303),
    ("POST", "runner_create"): ("new_runner", 303),
    ("GET", "runner_home"): ("record", 200),
    ("GET", "checkup_start"): ("record", 200),
    ("POST", "checkup_red_flags"): ("record", 200),
    ("POST", "checkup_details"): ("record", 303),
    ("GET", "checkup_stop"): ("record", 303),
    ("GET", "triage_page"): ("record", 400),
    ("GET", "plan_page"): ("record", 200),
    ("GET", "plan_ics"): ("record", 303),
    ("GET", "log_session"): ("record", 200),
    ("POST", "log_session_post"): ("record", 400),
    ("GET", "log_run"): ("record", 200),
    ("POST", "log_run_post"): ("record", 400),
    ("GET", "delete_confirm"): ("record_manage", 200),
    ("POST", "delete_runner"): ("record_manage", 400),
    ("GET", "admin_page"): ("admin", 200),
    ("POST", "admin_invite"): ("admin", 400),
    ("POST", "admin_assign"): ("admin", 400),
    ("GET", "audit_page"): ("admin", 200),
    ("GET", "clinic_export"): ("admin", 200),
    ("GET", "report_page"): ("record", 200),
    ("GET", "report_frame"): ("record", 200),
    ("GET", "report_pdf"): ("record", 200),
    ("GET", "backup_page"): ("record", 200),
    ("GET", "backup_export"): ("record", 200),
    ("GET", "backup_import_form"): ("admin", 200),
    ("POST", "backup_import"): ("admin", 400),
    ("GET", "clearance_form"): ("record_manage", 200),
    ("POST", "clearance_post"): ("record_manage", 400),
    ("GET", "endurance_tests"): ("record", 200),
    ("POST", "endurance_post"): ("record", 400),
    ("GET", "live_form_any"): ("signed_in", 200),
    ("GET", "live_form"): ("record", 200),
    ("WS", "live_socket"): ("record", 101),
    ("GET", "video_upload"): ("record", 200),
    ("POST", "video_upload_post"): ("record", 400),
    ("GET", "form_upload"): ("record", 200),
    ("POST", "form_upload_post"): ("record", 400),
    ("POST", "compare_post"): ("record", 400),
    ("GET", "job_page"): ("job", 200),
    ("GET", "job_progress"): ("job", 204),
    ("GET", "job_file"): ("job", 200),
    ("GET", "analysis_page"): ("job", 303),
    ("GET", "form_result"): ("job", 303),
    ("GET", "watch_upload"): ("record", 200),
    ("POST", "watch_upload_post"): ("record", 400),
    ("GET", "sensor_upload"): ("record", 200),
    ("POST", "sensor_upload_post"): ("record", 400),
    ("GET", "run_result"): ("job", 303),
    ("GET", "imu_result"): ("job", 303),
}
#: The job of the runner each ``{job_id}`` route is asked about (by kind, see
#: :class:`tests.web._clinic.SeededJobs`); the failed ``analyze`` job for the others.
JOB_OF_ROUTE: Final = {
    "job_file": "done",
    "form_result": "form",
    "run_result": "run",
    "imu_result": "imu",
}
#: What the ``{name}`` of a job's file is.
JOB_FILE: Final = "annotated.mp4"


def _requests(app: object) -> list[tuple[str, str, str]]:
    """(method, name, path template) of every route of the app (``WS`` for a WebSocket)."""
    out = []
    for name, path, route in app_routes(app.routes):  # type: ignore[attr-defined]
        if isinstance(route, WebSocketRoute | APIWebSocketRoute):
            out.append(("WS", name, path))
            continue
        methods = sorted(getattr(route, "methods", None) or {"GET"})
        out += [(m, name, path) for m in methods if m != "HEAD"]
    return out


def _path(template: str, name: str, alias: str, jobs: SeededJobs) -> str:
    if name == "static":
        return "/static/app.css"
    job = jobs.by_runner[alias][JOB_OF_ROUTE.get(name, "analyze")]
    return (
        template.replace("{alias:path}", alias)
        .replace("{token}", "no-such-token")
        .replace("{job_id:int}", str(job))
        .replace("{name}", JOB_FILE)
    )


def _expected(rule: str, role: str, target: int, ok: int, method: str) -> int:
    want = EXPECT[rule][role][target]
    if want == OK:
        return ok
    if method == "WS":
        return 1008  # any refusal closes the socket before it opens
    if want == LOGIN:
        return 303 if method == "GET" else 401
    assert isinstance(want, int)
    return want


def _answer(visitor: Visitor, method: str, name: str, path: str, alias: str) -> Any:
    """The status of one request (for ``WS``: 101 opened, 1008 refused), and the response."""
    if method == "WS":
        # no exercise: an opened socket answers with the route's own error and closes
        return (101 if visitor.socket_opens(f"alias={alias}") else 1008), None
    if method == "GET":
        response = visitor.get(path)
    else:
        form = {"alias": alias} if name == "runner_create" else {}
        response = visitor.post(path, form)
    return response.status_code, response


def test_every_route_x_role_x_runner_gets_the_expected_answer(
    tmp_path: Path, database_url: str
) -> None:
    with clinic_app(tmp_path, database_url) as clinic:
        requests = _requests(clinic.app)
        missing = [(m, n, p) for m, n, p in requests if (m, n) not in MATRIX]
        assert not missing, f"routes missing from the access matrix: {missing}"
        assert {(m, n) for m, n, _ in requests} == set(MATRIX), "matrix names a gone route"
        wrong = []
        # pages before forms (a stored check-up would change the triage page), sign-out
        # last (it ends the session; the visitor signs in again after it)
        ordered = sorted(requests, key=lambda r: (r[1] == "logout", r[0] != "GET"))
        for method, name, template in ordered:
            rule, ok = MATRIX[(method, name)]
            for role, visitor in clinic.visitors.items():
                for target, alias in enumerate((OWN, OTHER)):
                    path = _path(template, name, alias, clinic.jobs)
                    status, response = _answer(visitor, method, name, path, alias)
                    expected = _expected(rule, role, target, ok, method)
                    if status != expected:
                        wrong.append((method, path, role, status, expected))
                    if method == "GET" and expected == 303 and ok != 303:
                        assert response.headers["location"].startswith("/login?next=")
                    if name == "logout" and role != "anonymous":
                        assert visitor.sign_in(ACCOUNTS[role][0]).status_code == 303
        assert not wrong, "\n".join(map(str, wrong))


def test_a_hidden_runner_looks_like_no_runner(tmp_path: Path, database_url: str) -> None:
    with clinic_app(tmp_path, database_url) as clinic:
        therapist = clinic.visitors["therapist"]
        hidden = therapist.get(f"/runner/{OTHER}")
        unknown = therapist.get("/runner/Nobody")
        assert hidden.status_code == unknown.status_code == 404
        assert hidden.text == unknown.text
        assert OTHER not in hidden.text  # the single-user message lists known runners


@pytest.mark.parametrize(
    ("role", "shown", "hidden"),
    [
        ("admin", {OWN, OTHER}, set()),
        ("therapist", {OWN}, {OTHER}),
        ("other_therapist", {OTHER}, {OWN}),
        ("runner", {OWN}, {OTHER}),
    ],
)
def test_the_runner_list_shows_only_visible_runners(
    tmp_path: Path, database_url: str, role: str, shown: set[str], hidden: set[str]
) -> None:
    with clinic_app(tmp_path, database_url) as clinic:
        page = clinic.visitors[role].get("/runners").text
        for alias in shown:
            assert f">{alias}</a>" in page
        for alias in hidden:
            assert f">{alias}</a>" not in page
        assert ('action="/runners"' in page) == (role != "runner")


def test_a_therapist_who_adds_a_runner_treats_them(tmp_path: Path, database_url: str) -> None:
    with clinic_app(tmp_path, database_url) as clinic:
        therapist, other = clinic.visitors["therapist"], clinic.visitors["other_therapist"]
        assert therapist.post("/runners", {"alias": "Cy"}).status_code == 303
        assert therapist.get("/runner/Cy").status_code == 200
        assert other.get("/runner/Cy").status_code == 404
        # the name is taken: the other therapist cannot take over (or change) Cy
        refused = other.post("/runners", {"alias": "Cy", "height_cm": "150"})
        assert refused.status_code == 403
        assert other.get("/runner/Cy").status_code == 404


def test_single_user_mode_has_no_sign_in(browser: object) -> None:
    page = browser.get("/runners")  # type: ignore[attr-defined]
    assert page.status_code == 200
    assert browser.get("/login").status_code == 404  # type: ignore[attr-defined]
    assert browser.get("/admin").status_code == 404  # type: ignore[attr-defined]


def test_a_job_for_no_runner_is_its_creators_and_the_admins(
    tmp_path: Path, database_url: str
) -> None:
    with clinic_app(tmp_path, database_url) as clinic:
        alone = clinic.jobs.no_runner
        answers = {role: v.get(f"/jobs/{alone}").status_code for role, v in clinic.visitors.items()}
        assert answers == {
            "anonymous": 303,
            "admin": 200,
            "therapist": 200,  # started it
            "other_therapist": 404,
            "runner": 404,
        }
        # a job the account may not see reads as no job at all
        other = clinic.visitors["other_therapist"]
        hidden, unknown = other.get(f"/jobs/{alone}"), other.get("/jobs/999999")
        assert hidden.status_code == unknown.status_code == 404
        assert hidden.text == unknown.text


def test_the_live_check_without_a_runner_needs_only_a_sign_in(
    tmp_path: Path, database_url: str
) -> None:
    with clinic_app(tmp_path, database_url) as clinic:
        opened = {role: v.socket_opens("exercise=") for role, v in clinic.visitors.items()}
    assert opened == {
        "anonymous": False,
        "admin": True,
        "therapist": True,
        "other_therapist": True,
        "runner": True,
    }


def test_a_runner_is_not_offered_what_only_a_clinician_may_do(
    tmp_path: Path, database_url: str
) -> None:
    url = database_url
    with clinic_app(tmp_path, url) as clinic:
        accounts = Clinic(open_store(url))
        try:
            for role, clinician in (("runner", False), ("therapist", True), ("admin", True)):
                viewer = accounts.viewer(ACCOUNTS[role][0])
                request = SimpleNamespace(app=clinic.app, state=SimpleNamespace(viewer=viewer))
                has = _has_route(request)  # type: ignore[arg-type]
                assert has("clearance_form") is clinician
                assert has("delete_confirm") is clinician
                assert has("report_page") is True
                assert has("backup_import_form") is (role == "admin")
        finally:
            accounts.store.close()


def test_a_submitted_job_names_its_runner_and_who_started_it(
    tmp_path: Path, database_url: str
) -> None:
    url = database_url
    seed_clinic(url)
    accounts = Clinic(open_store(url))
    queue = JobQueue(url, files_root=tmp_path / "jobs")  # not started: nothing runs
    try:
        therapist = accounts.viewer(ACCOUNTS["therapist"][0]).account_id
        clip = tmp_path / "clip.mp4"
        clip.write_bytes(b"\x00" * 16)
        for runner in (OWN, None):
            job = queue.submit("analyze", {"video": str(clip)}, runner=runner, created_by=therapist)
            ref = accounts.job_ref(job.id)
            assert ref is not None
            assert (ref.runner_alias, ref.created_by) == (runner, therapist)
        assert accounts.job_ref(job.id + 1) is None
    finally:
        queue.shutdown()
        accounts.store.close()
