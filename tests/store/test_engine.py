"""Opening the database: URL resolution, migrations, sessions that roll back."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.config import Config
from alembic.script import ScriptDirectory

from upright.errors import StoreError
from upright.store import (
    Runner,
    Store,
    data_dir,
    database_url,
    find_runner,
    get_or_create_runner,
    open_store,
)
from upright.store.models import Base
from upright.store.schema import MIGRATIONS

#: Every table of the models, and alembic's own: what the migrations must build.
TABLES = {"alembic_version", *Base.metadata.tables}


def _head() -> str:
    """The newest revision, read from the migration scripts."""

    from upright.store.schema import MIGRATIONS

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head is not None
    return head


HEAD = _head()


def _tables(store: Store) -> set[str]:
    return set(sa.inspect(store.engine).get_table_names())


def test_migrations_create_schema_on_empty_file(db_url: str, tmp_path: Path) -> None:
    assert not (tmp_path / "data").exists()
    store = open_store(db_url)
    try:
        assert (tmp_path / "data" / "upright.db").is_file()
        assert _tables(store) == TABLES
        with store.engine.connect() as conn:
            assert conn.scalar(sa.text("SELECT version_num FROM alembic_version")) == HEAD
    finally:
        store.close()


def test_migrations_are_idempotent(db_url: str) -> None:
    first = open_store(db_url)
    with first.session() as session:
        get_or_create_runner(session, "ana")
    first.close()
    second = open_store(db_url)
    try:
        assert _tables(second) == TABLES
        with second.session() as session:
            assert session.scalar(sa.select(sa.func.count()).select_from(Runner)) == 1
        with second.engine.connect() as conn:
            assert conn.scalar(sa.text("SELECT count(*) FROM alembic_version")) == 1
    finally:
        second.close()


def test_database_from_a_newer_upright_is_refused(db_url: str) -> None:
    store = open_store(db_url)
    with store.engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '9999'"))
    store.close()
    with pytest.raises(StoreError, match=r"schema this upright does not know.*newer upright"):
        open_store(db_url)


def test_downgrade_then_upgrade(store: Store) -> None:
    from alembic import command

    from upright.store.engine import migrate

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with store.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "base")
    assert _tables(store) == {"alembic_version"}
    migrate(store.engine)
    assert _tables(store) == TABLES


def test_upgrade_from_0002_keeps_records_and_adds_the_still(db_url: str) -> None:
    """A database written before the annotated still existed upgrades in place."""
    from alembic import command

    from upright.store.engine import migrate

    engine = sa.create_engine(db_url.replace("/data/", "/"))
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0002")
        conn.execute(sa.text("INSERT INTO runner (alias, created_at) VALUES ('ana', '2026-01-01')"))
        conn.execute(
            sa.text(
                "INSERT INTO record (runner_id, kind, created_at, summary, schema_version) "
                "VALUES (1, 'run', '2026-01-02', '{}', 'upright.run/1')"
            )
        )
    migrate(engine)
    with engine.connect() as conn:
        assert conn.scalar(sa.text("SELECT version_num FROM alembic_version")) == HEAD
        rows = conn.execute(sa.text("SELECT kind, still_jpeg FROM record")).all()
    engine.dispose()
    assert [tuple(r) for r in rows] == [("run", None)]


def test_upgrade_from_0003_keeps_session_logs_unjudged(db_url: str) -> None:
    """Sessions logged before doses were checked keep completion NULL (never in full);
    a runner's norm population is NULL (read as general)."""
    from alembic import command

    from upright.store.schema import migrate

    engine = sa.create_engine(db_url.replace("/data/", "/"))
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0003")
        conn.execute(
            sa.text(
                "INSERT INTO runner (alias, sex, created_at) VALUES ('ana', 'male', '2026-01-01')"
            )
        )
        conn.execute(
            sa.text(
                "INSERT INTO session_log (runner_id, day, level, exercises, completed, form, "
                "pain_during, logged_at) VALUES (1, '2026-01-02', 1, '{\"side_plank\": 6}', 1, "
                "'good', 1, '2026-01-02')"
            )
        )
    migrate(engine)
    with engine.connect() as conn:
        assert conn.scalar(sa.text("SELECT version_num FROM alembic_version")) == HEAD
        log = conn.execute(sa.text("SELECT completed, completion FROM session_log")).one()
        runner = conn.execute(sa.text("SELECT sex, population FROM runner")).one()
    engine.dispose()
    assert tuple(log) == (1, None)
    assert tuple(runner) == ("male", None)


def test_upgrade_from_0004_keeps_typed_records_typed(db_url: str) -> None:
    """Sessions logged before form was measured keep their typed form and no measured rows;
    endurance results stored before clips could time them read as typed, with no clip
    details."""
    from alembic import command

    from upright.store.schema import migrate

    engine = sa.create_engine(db_url.replace("/data/", "/"))
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0004")
        conn.execute(sa.text("INSERT INTO runner (alias, created_at) VALUES ('ana', '2026-01-01')"))
        conn.execute(
            sa.text(
                "INSERT INTO session_log (runner_id, day, level, exercises, completed, "
                "completion, form, pain_during, logged_at) VALUES (1, '2026-01-02', 1, "
                "'{\"side_plank\": 120}', 1, 'full', 'poor', 1, '2026-01-02')"
            )
        )
        conn.execute(
            sa.text(
                "INSERT INTO endurance_test (runner_id, taken_at, test_key, seconds) "
                "VALUES (1, '2026-01-02', 'extensor', 95.5)"
            )
        )
    migrate(engine)
    with engine.connect() as conn:
        assert conn.scalar(sa.text("SELECT version_num FROM alembic_version")) == HEAD
        form = conn.scalar(sa.text("SELECT form FROM session_log"))
        measured = conn.scalar(sa.text("SELECT count(*) FROM measured_form"))
        row = conn.execute(
            sa.text(
                "SELECT seconds, source, source_name, source_sha256, ended_at_s, ended_reason "
                "FROM endurance_test"
            )
        ).one()
    engine.dispose()
    assert (form, measured) == ("poor", 0)
    assert tuple(row) == (95.5, "typed", None, None, None, None)


def test_schema_matches_models(store: Store) -> None:
    """The migration and the ORM models describe the same columns."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from upright.store.models import Base

    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_session_commits_on_success(store: Store) -> None:
    with store.session() as session:
        get_or_create_runner(session, "ana")
    with store.session() as session:
        assert find_runner(session, "ana") is not None


def test_session_rolls_back_on_exception(store: Store) -> None:
    with pytest.raises(RuntimeError, match="interrupted"), store.session() as session:
        get_or_create_runner(session, "ana")
        raise RuntimeError("interrupted")
    with store.session() as session:
        assert find_runner(session, "ana") is None


def test_session_rolls_back_on_keyboard_interrupt(store: Store) -> None:
    with pytest.raises(KeyboardInterrupt), store.session() as session:
        get_or_create_runner(session, "ana")
        raise KeyboardInterrupt
    with store.session() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Runner)) == 0


def test_database_url_env_is_honoured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "elsewhere" / "mine.db"
    monkeypatch.setenv("UPRIGHT_DATABASE_URL", f"sqlite:///{target}")
    monkeypatch.setenv("UPRIGHT_DATA_DIR", str(tmp_path / "unused"))
    assert database_url() == f"sqlite:///{target}"
    store = open_store()
    try:
        with store.session() as session:
            get_or_create_runner(session, "ana")
    finally:
        store.close()
    assert target.is_file()
    assert not (tmp_path / "unused").exists()


def test_default_is_sqlite_in_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("UPRIGHT_DATABASE_URL", raising=False)
    monkeypatch.setenv("UPRIGHT_DATA_DIR", str(tmp_path / "updata"))
    assert data_dir() == tmp_path / "updata"
    store = open_store()
    store.close()
    assert (tmp_path / "updata" / "upright.db").is_file()


def test_default_data_dir_without_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("UPRIGHT_DATA_DIR", raising=False)
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert data_dir() == tmp_path / ".local" / "share" / "upright"


def test_malformed_url_is_a_store_error() -> None:
    with pytest.raises(StoreError, match="cannot open the database URL 'not a url'"):
        open_store("not a url")


def test_missing_driver_is_a_store_error() -> None:
    with pytest.raises(StoreError, match=r"cannot open the database URL.*nosuchdialect"):
        open_store("nosuchdialect://user@host/db")


def test_unopenable_sqlite_file_is_a_store_error(tmp_path: Path) -> None:
    folder = tmp_path / "a_folder.db"
    folder.mkdir()
    with pytest.raises(StoreError, match="cannot open or migrate the database"):
        open_store(f"sqlite:///{folder}")


def test_uncreatable_data_folder_is_a_store_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError, match="cannot create the database folder"):
        open_store(f"sqlite:///{blocker / 'sub' / 'upright.db'}")


def test_not_a_database_file_is_a_store_error(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.db"
    bogus.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="cannot open or migrate"):
        open_store(f"sqlite:///{bogus}")
