"""First use of the database: atomic migration, safe under interrupts and concurrency.

The subprocess tests run ``_first_use_child.py`` beside this file: a real process killed
with SIGKILL half-way through the first migration, and four processes writing to one
fresh database at once.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.operations import Operations
from alembic.script import ScriptDirectory
from typer.testing import CliRunner

from upright.errors import StoreError
from upright.ledger import keeping_ledger
from upright.store import (
    DATABASE_URL_ENV,
    EnduranceTest,
    Runner,
    find_runner,
    get_or_create_runner,
    open_store,
)
from upright.store.schema import MIGRATIONS, SQLITE_BUSY_TIMEOUT_S

CHILD = Path(__file__).with_name("_first_use_child.py")
TABLES = {
    "alembic_version",
    "runner",
    "checkup",
    "endurance_test",
    "clearance",
    "record",
    "session_log",
    "run_log",
    "job",
}


def _head() -> str:
    """The latest revision of upright's migration scripts."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head is not None
    return head


#: The schema version a finished first use leaves.
HEAD = _head()
#: Writer processes and writes each in the concurrency test.
PROCESSES = 4
WRITES_EACH = 5


def _schema(url: str) -> tuple[set[str], list[str]]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            tables = set(sa.inspect(conn).get_table_names())
            versions = (
                list(conn.scalars(sa.text("SELECT version_num FROM alembic_version")))
                if "alembic_version" in tables
                else []
            )
    finally:
        engine.dispose()
    return tables, versions


def _wait_for(path: Path, process: subprocess.Popen[bytes], timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    while not path.exists():
        if process.poll() is not None:
            _out, err = process.communicate()
            pytest.fail(f"the child ended early ({process.returncode}): {err.decode()}")
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"the child never reached {path.name}")
        time.sleep(0.01)


def _halt_in_first_migration(url: str, flag: Path) -> subprocess.Popen[bytes]:
    child = subprocess.Popen(
        [sys.executable, str(CHILD), "halt", url, str(flag)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    _wait_for(flag, child)
    return child


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_kill_during_first_migration_then_the_next_command_works(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The issue's case: killed 1 s into the very first command, on an empty folder."""
    db = tmp_path / "data" / "upright.db"
    url = f"sqlite:///{db}"
    flag = tmp_path / "halfway"
    child = _halt_in_first_migration(url, flag)
    assert flag.read_text("utf-8") == "runner,checkup"  # two tables made, three to go
    child.send_signal(signal.SIGKILL)
    child.communicate(timeout=30)
    assert child.returncode == -signal.SIGKILL
    # the half-done transaction is in the journal, not in the file: rolled back on open
    assert Path(f"{db}-journal").is_file()
    monkeypatch.setenv(DATABASE_URL_ENV, url)
    from upright.cli.main import app

    result = CliRunner().invoke(app, ["profile", "--runner", "r1"])
    assert result.exit_code == 0, result.output
    assert "Runner r1" in result.output
    assert _schema(url) == (TABLES, [HEAD])


def test_postgres_migration_killed_half_way_leaves_nothing(postgres_url: str) -> None:
    flag = Path(os.environ.get("TMPDIR", "/tmp")) / f"upright-halfway-{os.getpid()}"
    flag.unlink(missing_ok=True)
    child = _halt_in_first_migration(postgres_url, flag)
    try:
        assert _schema(postgres_url) == (set(), [])  # not even visible while in progress
        child.send_signal(signal.SIGKILL)
        child.communicate(timeout=30)
    finally:
        flag.unlink(missing_ok=True)
    store = open_store(postgres_url)
    store.close()
    assert _schema(postgres_url) == (TABLES, [HEAD])


def _interrupt_after_two_tables(monkeypatch: pytest.MonkeyPatch) -> None:
    create_table = Operations.create_table
    created: list[str] = []

    def create_then_interrupt(self: Operations, name: str, *args: Any, **kwargs: Any) -> Any:
        table = create_table(self, name, *args, **kwargs)
        created.append(name)
        if len(created) == 2:
            raise KeyboardInterrupt
        return table

    monkeypatch.setattr(Operations, "create_table", create_then_interrupt)


def test_ctrl_c_during_first_migration_leaves_an_empty_database(
    store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as patch:
        _interrupt_after_two_tables(patch)
        with pytest.raises(KeyboardInterrupt):
            open_store(store_url)
    assert _schema(store_url) == (set(), [])
    store = open_store(store_url)
    try:
        with store.session() as session:
            get_or_create_runner(session, "r1")
    finally:
        store.close()
    assert _schema(store_url) == (TABLES, [HEAD])


def _half_built_by_an_older_upright(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """What an older upright left after Ctrl-C in its first migration on SQLite.

    It migrated on a plain engine: Python's sqlite3 ran each CREATE TABLE outside any
    transaction, so the tables made before the interrupt stayed, with no version.
    """
    engine = sa.create_engine(url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    try:
        with monkeypatch.context() as patch:
            _interrupt_after_two_tables(patch)
            with pytest.raises(KeyboardInterrupt), engine.begin() as conn:
                config.attributes["connection"] = conn
                command.upgrade(config, "head")
    finally:
        engine.dispose()


def test_half_built_file_of_an_older_upright_is_repaired(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    Path(db_url.removeprefix("sqlite:///")).parent.mkdir(parents=True)
    _half_built_by_an_older_upright(db_url, monkeypatch)
    assert _schema(db_url) == ({"alembic_version", "runner", "checkup"}, [])
    store = open_store(db_url)
    try:
        with store.session() as session:
            get_or_create_runner(session, "r1")
        with store.session() as session:
            assert find_runner(session, "r1") is not None
    finally:
        store.close()
    assert _schema(db_url) == (TABLES, [HEAD])


def test_half_built_file_holding_data_is_explained_not_touched(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    Path(db_url.removeprefix("sqlite:///")).parent.mkdir(parents=True)
    _half_built_by_an_older_upright(db_url, monkeypatch)
    engine = sa.create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(
            sa.text("INSERT INTO runner (alias, created_at) VALUES ('kept', '2026-01-01')")
        )
    engine.dispose()
    with pytest.raises(
        StoreError,
        match=r"holds upright's tables \(runner, checkup\) but no record of their schema "
        r"version, and runner hold data.*Move the file aside",
    ):
        open_store(db_url)
    engine = sa.create_engine(db_url)
    with engine.connect() as conn:
        assert conn.scalar(sa.text("SELECT alias FROM runner")) == "kept"
    engine.dispose()


def _start_writers(url: str, go: Path) -> list[subprocess.Popen[bytes]]:
    return [
        subprocess.Popen(
            [sys.executable, str(CHILD), "write", url, f"p{n}", str(WRITES_EACH), str(go)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for n in range(PROCESSES)
    ]


def test_four_processes_on_a_fresh_database_lose_no_write(store_url: str, tmp_path: Path) -> None:
    """Four processes start together on a database that does not exist yet: each opens
    it (racing to migrate it) and stores five runners; every one of the twenty is there."""
    go = tmp_path / "go"
    writers = _start_writers(store_url, go)
    time.sleep(1.0)  # let them all import and wait at the start line
    go.touch()
    failures = []
    for writer in writers:
        _out, err = writer.communicate(timeout=300)
        if writer.returncode != 0:
            failures.append(err.decode()[-2000:])
    assert failures == []
    store = open_store(store_url)
    try:
        with store.session() as session:
            aliases = set(session.scalars(sa.select(Runner.alias)))
            results = session.scalar(sa.select(sa.func.count()).select_from(EnduranceTest))
    finally:
        store.close()
    expected = {f"p{n}-{i}" for n in range(PROCESSES) for i in range(WRITES_EACH)}
    assert aliases == expected
    assert results == PROCESSES * WRITES_EACH
    assert _schema(store_url)[1] == [HEAD]


def test_a_writer_waits_for_another_then_succeeds(db_url: str) -> None:
    """A session held open elsewhere for a moment delays the next writer; it does not fail."""
    first = open_store(db_url)
    second = open_store(db_url)
    try:
        with first.session() as session:
            get_or_create_runner(session, "first")
            writer = subprocess.Popen(
                [sys.executable, str(CHILD), "write", db_url, "waited", "1", str(CHILD)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            time.sleep(1.5)  # the child is blocked on our write lock meanwhile
            assert writer.poll() is None
        _out, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err.decode()
        with second.session() as session:
            assert find_runner(session, "waited-0") is not None
            assert find_runner(session, "first") is not None
    finally:
        first.close()
        second.close()


def _short_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("upright.store.engine.SQLITE_BUSY_STEP_S", 0.1)
    monkeypatch.setattr("upright.store.schema.SQLITE_BUSY_TIMEOUT_S", 0.3)


def test_a_migration_kept_waiting_past_the_timeout_is_a_store_error(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process holds the write lock of a database still to be built."""
    path = Path(db_url.removeprefix("sqlite:///"))
    path.parent.mkdir(parents=True)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    _short_waits(monkeypatch)
    try:
        with pytest.raises(StoreError, match=r"stayed busy for 0\.3 s.*nothing was changed"):
            open_store(db_url)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert _schema(db_url) == (set(), [])


def test_a_migrated_database_opens_while_another_process_writes(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Opening only reads the schema version: it needs no write lock, so no wait."""
    holder = open_store(db_url)
    _short_waits(monkeypatch)
    try:
        with holder.session() as session:
            get_or_create_runner(session, "holder")
            open_store(db_url).close()
    finally:
        holder.close()


def test_a_session_busy_past_the_timeout_is_a_store_error(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _short_waits(monkeypatch)
    holder = open_store(db_url)
    waiter = open_store(db_url)
    try:
        with holder.session() as session:
            get_or_create_runner(session, "holder")
            with (
                pytest.raises(StoreError, match=r"stayed busy for 0\.3 s"),
                waiter.session() as other,
            ):
                get_or_create_runner(other, "never")
        with waiter.session() as other:
            assert find_runner(other, "never") is None
            assert find_runner(other, "holder") is not None
    finally:
        holder.close()
        waiter.close()


def test_only_sessions_that_wrote_are_in_the_ledger(store_url: str) -> None:
    store = open_store(store_url)
    try:
        with keeping_ledger() as ledger:
            with store.session() as session:
                find_runner(session, "nobody")
            assert ledger.landed == []
            with store.session() as session:
                get_or_create_runner(session, "ana")
            assert [(x.kind, x.where) for x in ledger.landed] == [("database", store.url)]
            with pytest.raises(RuntimeError), store.session() as session:
                get_or_create_runner(session, "bob")
                session.flush()
                raise RuntimeError("rolled back")
            assert len(ledger.landed) == 1
    finally:
        store.close()


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to oneself is POSIX")
def test_ctrl_c_is_heard_while_waiting_for_a_busy_database(db_url: str) -> None:
    """The wait for another process's lock is made of short steps, so Ctrl-C gets through
    long before the busy timeout (60 s)."""
    holder = open_store(db_url)
    waiter = open_store(db_url)
    timer = threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT))
    try:
        with holder.session() as session:
            get_or_create_runner(session, "holder")
            start = time.monotonic()
            timer.start()
            with pytest.raises(KeyboardInterrupt), waiter.session() as other:
                get_or_create_runner(other, "never")
            waited_s = time.monotonic() - start
        assert waited_s < SQLITE_BUSY_TIMEOUT_S / 4
        with waiter.session() as other:
            assert find_runner(other, "never") is None
    finally:
        timer.cancel()
        holder.close()
        waiter.close()
