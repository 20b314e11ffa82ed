"""Clinic mode's security: argon2 hashes, CSRF on every form, a new session id at
sign-in (no fixation) and sign-out, the sign-in rate limit shared by two app processes,
cookies, invitations, and the audit log (append-only, kept when a runner is deleted)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from upright.services.accounts import Clinic, ClinicPolicy, hash_password, verify_password
from upright.store import open_store
from upright.store.clinic_models import Account, AuditEntry, Invitation
from upright.web import create_app
from upright.web.security import SESSION_COOKIE

from ._clinic import ACCOUNTS, OTHER, OWN, PASSWORD, Visitor, clinic_app, clinic_settings

THERAPIST = ACCOUNTS["therapist"][0]


def _rows(url: str, model: type) -> list:
    store = open_store(url)
    try:
        with store.session() as session:
            return list(session.scalars(sa.select(model).order_by(model.id)))  # type: ignore[attr-defined]
    finally:
        store.close()


def test_passwords_are_stored_as_argon2id_hashes(tmp_path: Path, database_url: str) -> None:
    with clinic_app(tmp_path, database_url):
        accounts = _rows(database_url, Account)
    hashes = [a.password_hash for a in accounts]
    assert all(h.startswith("$argon2id$") and PASSWORD not in h for h in hashes)
    assert len(set(hashes)) == len(hashes)  # one salt each, the same password
    assert verify_password(hashes[0], PASSWORD)
    # RFC 9106's low-memory profile: argon2id, 64 MiB, 3 passes, 4 lanes
    assert all(h.split("$")[3] == "m=65536,t=3,p=4" for h in hashes)
    assert not verify_password(hashes[0], PASSWORD + "!")
    assert not verify_password("not a hash", PASSWORD)
    with pytest.raises(Exception, match="the password has 5 characters"):
        hash_password("short")


def test_every_clinic_form_needs_the_csrf_token(tmp_path: Path, database_url: str) -> None:
    with clinic_app(tmp_path, database_url) as clinic:
        admin = clinic.visitors["admin"]
        own_token = admin.token("/runners")
        other_token = clinic.visitors["therapist"].token("/runners")
        forms = {
            "/login": {"email": THERAPIST, "password": PASSWORD},
            "/logout": {},
            "/admin/invite": {"email": "x@clinic.test", "role": "therapist"},
            "/admin/assign": {"therapist": THERAPIST, "runner": OTHER},
            f"/delete/{OWN}": {"confirm": OWN},
            f"/log/run/{OWN}": {"pain_during": "1", "distance_km": "3"},
        }
        for path, fields in forms.items():
            for token in (None, other_token, "0" * 64):
                data = fields if token is None else {**fields, "csrf_token": token}
                response = admin.client.post(path, data=data, follow_redirects=False)
                assert response.status_code == 403, (path, token)
        assert admin.get(f"/runner/{OWN}").status_code == 200  # nothing was deleted
        assert (
            admin.post(
                "/admin/assign", {"therapist": THERAPIST, "runner": OTHER, "csrf_token": own_token}
            ).status_code
            == 200
        )


def test_signing_in_gives_a_new_session_id(tmp_path: Path, database_url: str) -> None:
    url = database_url
    with clinic_app(tmp_path, url) as clinic:
        victim = Visitor(TestClient(clinic.app))
        victim.get("/login")
        planted = victim.client.cookies[SESSION_COOKIE]  # what an attacker could plant
        old_token = victim.token()
        assert victim.sign_in(THERAPIST).status_code == 303
        signed_in = victim.client.cookies[SESSION_COOKIE]
        assert signed_in != planted
        # the planted (pre-sign-in) session id is not signed in
        attacker = TestClient(clinic.app, cookies={SESSION_COOKIE: planted})
        assert attacker.get(f"/runner/{OWN}", follow_redirects=False).status_code == 303
        # the form token of the old session is refused in the new one
        refused = victim.client.post(
            f"/log/run/{OWN}", data={"csrf_token": old_token, "pain_during": "1"}
        )
        assert refused.status_code == 403
        assert victim.get(f"/runner/{OWN}").status_code == 200
        # sign-out: the session ends on the server, a stolen copy of its cookie is dead
        assert victim.post("/logout").status_code == 303
        assert victim.client.cookies[SESSION_COOKIE] != signed_in
        thief = TestClient(clinic.app, cookies={SESSION_COOKIE: signed_in})
        assert thief.get(f"/runner/{OWN}", follow_redirects=False).status_code == 303
        assert victim.get(f"/runner/{OWN}").status_code == 303


def test_session_cookie_attributes(tmp_path: Path, database_url: str) -> None:
    url = database_url
    with clinic_app(tmp_path, url) as clinic:
        response = clinic.visitors["anonymous"].sign_in(THERAPIST)
        cookie = response.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    settings = clinic_settings(tmp_path, url, host="0.0.0.0")
    assert settings.secure_cookies
    with TestClient(create_app(settings), base_url="https://clinic.test") as client:
        assert "; Secure" in client.get("/login").headers["set-cookie"]
    assert not clinic_settings(tmp_path, url, host="0.0.0.0", cookie_secure=False).secure_cookies


def test_sign_in_is_rate_limited_per_account_across_two_app_processes(
    tmp_path: Path, database_url: str
) -> None:
    limit = {"login_max_failures_per_account": 3}
    with clinic_app(tmp_path, database_url, **limit) as first:
        second_app = create_app(clinic_settings(tmp_path / "2", database_url, **limit))
        with TestClient(second_app) as client:
            second = Visitor(client)
            visitors = [first.visitors["anonymous"], second]
            for n in range(3):  # the failures alternate between the two apps
                wrong = visitors[n % 2].sign_in(THERAPIST, "wrong password!")
                assert wrong.status_code == 400
                assert "wrong" in wrong.text
            for visitor in visitors:  # now even the right password is refused, on both
                refused = visitor.sign_in(THERAPIST)
                assert refused.status_code == 429
                assert "too many failed sign-ins" in refused.text
            # another account is not locked out by it
            assert second.sign_in(ACCOUNTS["admin"][0]).status_code == 303


def test_sign_in_is_rate_limited_per_address(tmp_path: Path, database_url: str) -> None:
    url = database_url
    with clinic_app(tmp_path, url, login_max_failures_per_address=4) as clinic:
        anonymous = clinic.visitors["anonymous"]
        for n in range(4):
            assert anonymous.sign_in(f"guess{n}@clinic.test", "nothing at all").status_code == 400
        assert anonymous.sign_in(THERAPIST).status_code == 429


def test_the_audit_log_says_who_viewed_and_changed_which_record(
    tmp_path: Path, database_url: str
) -> None:
    with clinic_app(tmp_path, database_url) as clinic:
        therapist = clinic.visitors["therapist"]
        start = len(_rows(database_url, AuditEntry))
        assert therapist.get(f"/runner/{OWN}").status_code == 200
        changed = therapist.post(f"/log/run/{OWN}", {"pain_during": "2", "distance_km": "5"})
        assert changed.status_code == 200
        assert therapist.get(f"/runner/{OTHER}").status_code == 404
        entries = _rows(database_url, AuditEntry)[start:]
    seen = [(e.actor, e.action, e.runner_alias, e.method, e.route) for e in entries]
    assert (THERAPIST, "view", OWN, "GET", "runner_home") in seen
    assert (THERAPIST, "change", OWN, "POST", "log_run_post") in seen
    assert (THERAPIST, "refused", OTHER, "GET", "runner_home") in seen
    assert all(e.at is not None and e.path for e in entries if e.runner_alias)


def test_the_audit_log_refuses_updates_and_deletes(tmp_path: Path, database_url: str) -> None:
    with clinic_app(tmp_path, database_url):
        pass
    engine = sa.create_engine(database_url)
    try:
        for statement in (
            "UPDATE audit_entry SET actor = 'someone else'",
            "DELETE FROM audit_entry",
        ):
            with (
                pytest.raises(sa.exc.DatabaseError, match="append-only"),
                engine.begin() as conn,
            ):
                conn.execute(sa.text(statement))
        with engine.connect() as conn:
            assert conn.scalar(sa.text("SELECT count(*) FROM audit_entry")) > 0
    finally:
        engine.dispose()


def test_invitation_links_work_once_and_keep_only_a_hash(tmp_path: Path, database_url: str) -> None:
    with clinic_app(tmp_path, database_url) as clinic:
        admin = clinic.visitors["admin"]
        page = admin.post("/admin/invite", {"email": "pt3@clinic.test", "role": "therapist"})
        assert page.status_code == 200
        link = page.text.split("<code>")[1].split("</code>")[0]
        token = link.rsplit("/", 1)[1]
        stored = _rows(database_url, Invitation)[-1]
        assert token not in stored.token_sha256 and len(stored.token_sha256) == 64
        newcomer = Visitor(TestClient(clinic.app))
        assert newcomer.get(f"/invite/{token}").status_code == 200
        differ = newcomer.post(f"/invite/{token}", {"password": PASSWORD, "password2": "other"})
        assert differ.status_code == 400 and "differ" in differ.text
        done = newcomer.post(f"/invite/{token}", {"password": PASSWORD, "password2": PASSWORD})
        assert done.status_code == 303
        assert newcomer.get("/runners").status_code == 200  # signed in
        again = Visitor(TestClient(clinic.app))
        assert again.get(f"/invite/{token}").status_code == 404
        reused = again.post(f"/invite/{token}", {"password": PASSWORD, "password2": PASSWORD})
        assert reused.status_code == 400
        assert again.sign_in("pt3@clinic.test").status_code == 303


def test_an_expired_invitation_is_refused(tmp_path: Path, database_url: str) -> None:
    url = database_url
    with clinic_app(tmp_path, url):
        pass
    clinic = Clinic(open_store(url), ClinicPolicy(invitation_days=-1))
    try:
        admin = clinic.viewer(ACCOUNTS["admin"][0])
        token = clinic.invite(admin, "late@clinic.test", "runner", OTHER)
        assert clinic.invitation(token) is None
        with pytest.raises(Exception, match="unknown, used or expired"):
            clinic.accept(token, PASSWORD)
    finally:
        clinic.store.close()


def test_two_processes_using_one_invitation_make_one_account(
    tmp_path: Path, database_url: str
) -> None:
    with clinic_app(tmp_path, database_url):
        pass
    clinics = [Clinic(open_store(database_url)) for _ in range(2)]
    try:
        admin = clinics[0].viewer(ACCOUNTS["admin"][0])
        token = clinics[0].invite(admin, "race@clinic.test", "therapist", None)
        outcomes: list[str] = []

        def accept(clinic: Clinic) -> None:
            try:
                clinic.accept(token, PASSWORD)
                outcomes.append("made")
            except Exception as err:
                outcomes.append(type(err).__name__)

        threads = [threading.Thread(target=accept, args=(c,)) for c in clinics]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert sorted(outcomes) == ["InputError", "made"], outcomes
    finally:
        for c in clinics:
            c.store.close()
    emails = [a.email for a in _rows(database_url, Account)]
    assert emails.count("race@clinic.test") == 1


def test_a_runner_account_follows_its_runner(tmp_path: Path, database_url: str) -> None:
    url = database_url
    with clinic_app(tmp_path, url) as clinic:
        runner = clinic.visitors["runner"]
        assert runner.get(f"/runner/{OWN}").status_code == 200
        therapist = clinic.visitors["therapist"]
        assert therapist.post(f"/delete/{OWN}", {"confirm": OWN}).status_code == 303
        # the runner's account is switched off and signed out with the record
        assert runner.get(f"/runner/{OWN}").status_code == 303
        assert runner.sign_in(ACCOUNTS["runner"][0]).status_code == 400


def test_views_of_job_report_and_live_pages_are_audited(tmp_path: Path, database_url: str) -> None:
    with clinic_app(tmp_path, database_url) as clinic:
        therapist, runner = clinic.visitors["therapist"], clinic.visitors["runner"]
        own_job = clinic.jobs.by_runner[OWN]["analyze"]
        other_job = clinic.jobs.by_runner[OTHER]["analyze"]
        start = len(_rows(database_url, AuditEntry))
        assert therapist.get(f"/jobs/{own_job}").status_code == 200
        assert therapist.get(f"/report/{OWN}").status_code == 200
        assert therapist.get(f"/jobs/{other_job}").status_code == 404
        assert runner.socket_opens(f"alias={OWN}")
        assert not runner.socket_opens(f"alias={OTHER}")
        entries = _rows(database_url, AuditEntry)[start:]
    seen = [(e.actor, e.action, e.runner_alias, e.route) for e in entries]
    ann = ACCOUNTS["runner"][0]
    assert (THERAPIST, "view", OWN, "job_page") in seen
    assert (THERAPIST, "view", OWN, "report_page") in seen
    assert (THERAPIST, "refused", OTHER, "job_page") in seen
    assert (ann, "view", OWN, "live_socket") in seen
    assert (ann, "refused", OTHER, "live_socket") in seen
    details = {e.detail for e in entries if e.route == "job_page"}
    assert details == {f"job {own_job}", f"job {other_job}"}
