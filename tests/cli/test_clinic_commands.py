"""The clinic commands: ``upright user add`` (password on standard input, roles, bad
input refused with exit 2 and nothing stored), ``user assign``, ``retention``,
``export-clinic`` and ``delete-runner``."""

from __future__ import annotations

import json
import os
import time
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner, Result

from upright.services.accounts import Clinic, verify_password
from upright.store import DATA_DIR_ENV, DATABASE_URL_ENV, find_runner, open_store
from upright.store.clinic_models import Account, AuditEntry

cli = CliRunner()
PASSWORD = "a long enough password"


@pytest.fixture(autouse=True)
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A fresh SQLite database and data folder in the test's folder."""
    url = f"sqlite:///{tmp_path / 'data' / 'upright.db'}"
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path / "data"))
    monkeypatch.setenv(DATABASE_URL_ENV, url)
    monkeypatch.delenv("UPRIGHT_RETENTION_DAYS", raising=False)
    return url


def invoke(*args: str, stdin: str | None = None) -> Result:
    from upright.cli.main import app

    return cli.invoke(app, list(args), input=stdin, env={"COLUMNS": "200"})


def flat(text: str) -> str:
    return " ".join(text.split())


def accounts(url: str) -> dict[str, Account]:
    store = open_store(url)
    with store.session() as session:
        return {a.email: a for a in session.scalars(sa.select(Account))}


def audit(url: str) -> list[AuditEntry]:
    store = open_store(url)
    with store.session() as session:
        return list(session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id)))


def make_runner(alias: str) -> None:
    assert invoke("profile", "--runner", alias).exit_code == 0


def add(email: str, role: str, *extra: str, password: str = PASSWORD) -> Result:
    return invoke("user", "add", email, "--role", role, *extra, "--password-stdin", stdin=password)


# ------------------------------------------------------------------ user add


def test_user_add_reads_the_password_from_stdin_and_stores_its_hash(database: str) -> None:
    result = add("Admin@Clinic.Test", "admin", password=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert "Added admin@clinic.test as admin." in flat(result.output)
    stored = accounts(database)["admin@clinic.test"]
    assert stored.role == "admin" and stored.active and stored.runner_id is None
    assert stored.password_hash.startswith("$argon2id$")
    assert PASSWORD not in stored.password_hash
    assert verify_password(stored.password_hash, PASSWORD)  # the newline is not part of it
    assert [e.action for e in audit(database)] == ["account"]


def test_user_add_a_runner_account_names_its_runner(database: str) -> None:
    make_runner("ana")
    result = add("ana@clinic.test", "runner", "--runner", "ana")
    assert result.exit_code == 0, result.output
    assert "as runner for runner ana" in flat(result.output)
    clinic = Clinic(open_store(database))
    viewer = clinic.viewer("ana@clinic.test")
    assert viewer.runner_alias == "ana" and viewer.visible == frozenset({viewer.runner_id})


@pytest.mark.parametrize(
    ("args", "password", "message"),
    [
        (("pt@clinic.test", "therapist"), "too short", "the password has 9 characters"),
        (
            ("pt@clinic.test", "boss"),
            PASSWORD,
            "role 'boss' is not one of admin, therapist, runner",
        ),
        (("not-an-address", "therapist"), PASSWORD, "'not-an-address' is not an e-mail address"),
        (("ann@clinic.test", "runner", "--runner", "nobody"), PASSWORD, "nobody"),
        (("pt@clinic.test", "therapist"), "", "the password has 0 characters"),
    ],
)
def test_user_add_refuses_bad_input_with_exit_2_and_stores_nothing(
    database: str, args: tuple[str, ...], password: str, message: str
) -> None:
    result = add(*args, password=password)
    assert result.exit_code == 2, result.output
    assert "upright could not finish" in flat(result.output)
    assert message in flat(result.output)
    assert "Traceback" not in result.output
    assert accounts(database) == {}


def test_user_add_refuses_a_taken_address(database: str) -> None:
    assert add("pt@clinic.test", "therapist").exit_code == 0
    again = add("PT@clinic.test", "admin")
    assert again.exit_code == 2, again.output
    assert "pt@clinic.test" in flat(again.output)
    assert {e: a.role for e, a in accounts(database).items()} == {"pt@clinic.test": "therapist"}


def test_user_add_needs_a_role(database: str) -> None:
    result = invoke("user", "add", "pt@clinic.test", "--password-stdin", stdin=PASSWORD)
    assert result.exit_code == 2
    assert "--role" in result.output
    assert accounts(database) == {}


# ------------------------------------------------------------------ user assign


def test_user_assign_and_remove(database: str) -> None:
    make_runner("ana")
    assert add("pt@clinic.test", "therapist").exit_code == 0
    clinic = Clinic(open_store(database))
    assert clinic.viewer("pt@clinic.test").visible == frozenset()

    first = invoke("user", "assign", "pt@clinic.test", "--runner", "ana")
    assert first.exit_code == 0, first.output
    assert "pt@clinic.test treats ana." in flat(first.output)
    ana = clinic.runner_ref("ana")
    assert ana is not None
    assert clinic.viewer("pt@clinic.test").visible == frozenset({ana[0]})

    again = invoke("user", "assign", "pt@clinic.test", "--runner", "ana")
    assert "(already so)" in flat(again.output)

    removed = invoke("user", "assign", "pt@clinic.test", "--runner", "ana", "--remove")
    assert removed.exit_code == 0, removed.output
    assert "no longer treats ana" in flat(removed.output)
    assert clinic.viewer("pt@clinic.test").visible == frozenset()
    actions = [(e.action, e.runner_alias, e.actor) for e in audit(database)]
    assert actions[-3:] == [
        ("assign", "ana", "command line"),
        ("assign", "ana", "command line"),
        ("unassign", "ana", "command line"),
    ]


@pytest.mark.parametrize(
    ("therapist", "runner", "message"),
    [
        ("admin@clinic.test", "ana", "admin@clinic.test is not a therapist's account"),
        ("nobody@clinic.test", "ana", "nobody@clinic.test is not a therapist's account"),
        ("pt@clinic.test", "nobody", "nobody"),
    ],
)
def test_user_assign_refuses_bad_input(
    database: str, therapist: str, runner: str, message: str
) -> None:
    make_runner("ana")
    assert add("pt@clinic.test", "therapist").exit_code == 0
    assert add("admin@clinic.test", "admin").exit_code == 0
    before = len(audit(database))
    result = invoke("user", "assign", therapist, "--runner", runner)
    assert result.exit_code == 2, result.output
    assert message in flat(result.output)
    assert len(audit(database)) == before  # nothing written


# ------------------------------------------------------------------ retention


def _upload(root: Path, name: str, age_days: float) -> Path:
    path = root / "uploads" / "video" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\x00" * 2048)
    then = time.time() - age_days * 86400
    os.utime(path, (then, then))
    return path


def test_retention_lists_then_deletes_old_uploads(tmp_path: Path) -> None:
    data = tmp_path / "data"
    old = _upload(data, "old.mp4", 40)
    new = _upload(data, "new.mp4", 2)
    listed = invoke("retention", "--days", "30")
    assert listed.exit_code == 0, listed.output
    assert "Would delete (run with --apply): 1 upload(s)" in flat(listed.output)
    assert "old.mp4" in listed.output and "new.mp4" not in listed.output
    assert old.exists() and new.exists()

    applied = invoke("retention", "--days", "30", "--apply")
    assert applied.exit_code == 0, applied.output
    assert "Deleted: 1 upload(s)" in flat(applied.output)
    assert not old.exists() and new.exists()


def test_retention_reads_the_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    old = _upload(tmp_path / "data", "old.mp4", 10)
    monkeypatch.setenv("UPRIGHT_RETENTION_DAYS", "5")
    result = invoke("retention", "--apply")
    assert result.exit_code == 0, result.output
    assert "older than 5 days" in flat(result.output)
    assert not old.exists()


def test_retention_without_a_number_of_days_is_refused(tmp_path: Path) -> None:
    old = _upload(tmp_path / "data", "old.mp4", 400)
    result = invoke("retention", "--apply")
    assert result.exit_code == 2
    assert "no retention is set" in flat(result.output)
    assert "--days" in result.output
    bad = invoke("retention", "--days", "0", "--apply")
    assert bad.exit_code == 2
    assert old.exists()


# ------------------------------------------------------------------ export-clinic


def test_export_clinic_writes_every_runners_backup(tmp_path: Path) -> None:
    make_runner("ana")
    make_runner("Bo/b")  # a name that is no safe file name
    logged = invoke("log", "run", "--runner", "ana", "--pain-during", "2", "--distance-km", "5")
    # stored, with no advice until the red-flag screen is answered (hence exit 2)
    assert "stored: 5 km" in flat(logged.output), logged.output
    out = tmp_path / "clinic.zip"
    result = invoke("export-clinic", str(out))
    assert result.exit_code == 0, result.output
    assert f"Wrote {out}" in flat(result.output)
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
        docs = [json.loads(archive.read(n)) for n in names]
    assert len(names) == 2 and all(n.startswith("runners/") and n.count("/") == 1 for n in names)
    by_alias = {d["runner"]["alias"]: d for d in docs}
    assert sorted(by_alias) == ["Bo/b", "ana"]
    assert all(d["schema_version"] == "upright.backup/1" for d in docs)
    assert [r["distance_km"] for r in by_alias["ana"]["run_logs"]] == [5.0]
    assert by_alias["Bo/b"]["run_logs"] == []
    assert not list(tmp_path.glob("*.part"))


def test_export_clinic_into_a_missing_folder_is_refused(tmp_path: Path) -> None:
    make_runner("ana")
    out = tmp_path / "no" / "such" / "clinic.zip"
    result = invoke("export-clinic", str(out))
    assert result.exit_code == 2, result.output
    assert "cannot write the export" in flat(result.output)
    assert not out.parent.exists()


# ------------------------------------------------------------------ delete-runner


def test_delete_runner_removes_the_record_and_keeps_the_audit(database: str) -> None:
    make_runner("ana")
    make_runner("bob")
    assert add("ana@clinic.test", "runner", "--runner", "ana").exit_code == 0
    result = invoke("delete-runner", "--runner", "ana", "--yes")
    assert result.exit_code == 0, result.output
    assert flat(result.output).startswith("Deleted ana:")
    store = open_store(database)
    with store.session() as session:
        assert find_runner(session, "ana") is None
        assert find_runner(session, "bob") is not None
    entries = audit(database)
    assert any(e.runner_alias == "ana" and e.action == "account" for e in entries)
    assert entries[-1].runner_alias == "ana"
    assert not accounts(database)["ana@clinic.test"].active


def test_delete_runner_asks_first(database: str) -> None:
    make_runner("ana")
    result = invoke("delete-runner", "--runner", "ana", stdin="n\n")
    assert result.exit_code != 0
    store = open_store(database)
    with store.session() as session:
        assert find_runner(session, "ana") is not None


def test_delete_an_unknown_runner_is_refused(database: str) -> None:
    make_runner("ana")
    result = invoke("delete-runner", "--runner", "nobody", "--yes")
    assert result.exit_code == 2, result.output
    assert "nobody" in flat(result.output)
    store = open_store(database)
    with store.session() as session:
        assert find_runner(session, "ana") is not None
