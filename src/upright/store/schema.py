"""Bring upright's database to the latest schema: once, whole, even with several processes.

A database already at the latest schema is only read. Otherwise the whole migration runs
in one transaction, behind a lock that every upright process takes before it changes the
schema (and under which it looks again):

* SQLite: the transaction starts with ``BEGIN IMMEDIATE`` (the engine is set up so by
  :func:`configure_sqlite`), which takes the file's write lock from the operating system
  at once; another process waits (up to the busy timeout) and then finds the schema
  built. SQLite's own journal makes the DDL all-or-nothing: a process killed half-way
  leaves a journal that the next opener rolls back, so the file is as it was before.
* PostgreSQL: DDL is transactional already; a transaction-scoped advisory lock
  (``pg_advisory_xact_lock``) keeps two processes from building the same tables.

Before migrating, a database left half-built by an older upright (some of its tables, no
schema version) is repaired when those tables are empty, and refused with an explanation
when they hold data.
"""

from __future__ import annotations

import time
from functools import cache
from pathlib import Path
from typing import Any, Final

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Engine, event
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from upright.errors import StoreError
from upright.store import clinic_models as _clinic_models  # noqa: F401 (its tables)
from upright.store.models import Base

__all__ = [
    "MIGRATIONS",
    "POSTGRES_LOCK_TIMEOUT_S",
    "SQLITE_BUSY_STEP_S",
    "SQLITE_BUSY_TIMEOUT_S",
    "busy_error",
    "configure_sqlite",
    "is_busy",
    "migrate",
    "schema_is_current",
]

MIGRATIONS: Final = Path(__file__).resolve().parent / "migrations"

#: How long a SQLite writer waits for another process's transaction before giving up.
SQLITE_BUSY_TIMEOUT_S: Final = 60.0
#: How long one SQLite statement waits for a lock (the driver's timeout); a writer waiting
#: for its transaction tries again until SQLITE_BUSY_TIMEOUT_S, and hears Ctrl-C between.
SQLITE_BUSY_STEP_S: Final = 1.0
#: How long a PostgreSQL migration waits for another process's migration.
POSTGRES_LOCK_TIMEOUT_S: Final = 60
#: Key of the advisory lock around migrations (the bytes of "upright1" as an integer).
_POSTGRES_LOCK_KEY: Final = int.from_bytes(b"upright1", "big")

_DATABASE_URL_ENV: Final = "UPRIGHT_DATABASE_URL"
#: Execution option of a connection that only reads (SQLite: a plain BEGIN).
_READ_ONLY: Final = "upright_read_only"


def _sqlite_no_implicit_transactions(dbapi_connection: Any, _record: Any) -> None:
    # Python's sqlite3 runs DDL outside any transaction unless told otherwise; with
    # isolation_level None it leaves BEGIN to us (see _sqlite_begin_immediate).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_begin_immediate(connection: Connection) -> None:
    # Take the write lock at the start: a transaction that read first and then wants to
    # write could otherwise fail at once ("database is locked") instead of waiting.
    # Only the schema-version check, which never writes, reads without it.
    if connection.get_execution_options().get(_READ_ONLY):
        connection.exec_driver_sql("BEGIN")
        return
    # SQLite waits for the lock inside one C call, deaf to Ctrl-C; so wait in steps of
    # SQLITE_BUSY_STEP_S (the driver's timeout) up to SQLITE_BUSY_TIMEOUT_S in all.
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_S
    while True:
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
            return
        except OperationalError as exc:
            if not is_busy(exc) or time.monotonic() >= deadline:
                raise


def configure_sqlite(engine: Engine) -> None:
    """Make every transaction on a SQLite engine a real one, holding the write lock.

    DDL becomes transactional (an interrupted migration rolls back whole) and a second
    process waits for the first instead of failing. Does nothing to other databases, and
    nothing the second time.
    """
    if engine.dialect.name != "sqlite":
        return
    if not event.contains(engine, "connect", _sqlite_no_implicit_transactions):
        event.listen(engine, "connect", _sqlite_no_implicit_transactions)
    if not event.contains(engine, "begin", _sqlite_begin_immediate):
        event.listen(engine, "begin", _sqlite_begin_immediate)


def is_busy(exc: SQLAlchemyError) -> bool:
    """True when ``exc`` means another process held a lock for longer than we waited."""
    if not isinstance(exc, OperationalError):
        return False
    text = str(exc.orig).lower()
    return "database is locked" in text or "lock timeout" in text


def _redacted(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def _lock(connection: Connection) -> None:
    """Hold the migration lock until the transaction ends (SQLite: already held)."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SET LOCAL lock_timeout = '{POSTGRES_LOCK_TIMEOUT_S}s'")
        connection.execute(
            sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _POSTGRES_LOCK_KEY}
        )


def _half_built_tables(connection: Connection) -> list[str]:
    """upright's tables present although no schema version was ever recorded.

    An upright older than this module ran each CREATE TABLE of the first migration in a
    transaction of its own on SQLite, so an interrupt could leave some of them behind,
    with an empty version table.
    """
    present = set(sa.inspect(connection).get_table_names())
    ours = [t.name for t in Base.metadata.sorted_tables if t.name in present]
    if not ours:
        return []
    if "alembic_version" in present:
        versions = connection.scalar(sa.text("SELECT count(*) FROM alembic_version"))
        if versions:
            return []
    return ours


def _repair_half_built(connection: Connection, engine: Engine) -> None:
    """Drop the empty tables of a half-built database; explain when they hold data."""
    tables = _half_built_tables(connection)
    if not tables:
        return
    holding = [
        name
        for name in tables
        if connection.scalar(sa.select(sa.func.count()).select_from(sa.table(name)))
    ]
    if holding:
        where = (
            "Move the file aside (upright then starts a new database there) and restore "
            "each runner from a backup with upright import-backup"
            if engine.dialect.name == "sqlite"
            else f"Point {_DATABASE_URL_ENV} at an empty database and restore each runner "
            "from a backup with upright import-backup"
        )
        raise StoreError(
            f"the database {_redacted(engine)!r} holds upright's tables "
            f"({', '.join(tables)}) but no record of their schema version, and "
            f"{', '.join(holding)} hold data; upright will not guess what they are",
            fix=f"It was not built by upright, or was changed by hand. {where}",
        )
    for name in reversed(tables):
        connection.execute(sa.text(f'DROP TABLE "{name}"'))


def _alembic_config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


@cache
def _head_revision() -> str | None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config).get_current_head()


def _at_head(engine: Engine) -> bool:
    """True when the schema is already the latest (read without taking any lock)."""
    with engine.connect() as connection:
        connection.execution_options(**{_READ_ONLY: True})
        current = MigrationContext.configure(connection).get_current_revision()
        connection.rollback()
    return current is not None and current == _head_revision()


def schema_is_current(engine: Engine) -> bool:
    """True when the database's recorded schema version is the latest: one read of the
    version table on a pooled connection (cheaper than :func:`migrate`'s check, for an
    engine that was migrated before). False on any doubt, such as no version table."""
    try:
        with engine.connect() as connection:
            connection.execution_options(**{_READ_ONLY: True})
            versions = connection.execute(sa.text("SELECT version_num FROM alembic_version"))
            found = list(versions.scalars())
            connection.rollback()
    except SQLAlchemyError:
        return False
    return found == [_head_revision()]


def migrate(engine: Engine) -> None:
    """Bring the database to the latest schema (a no-op when it is already there).

    A database already at the latest schema is only read. Otherwise all of the work
    happens in one transaction behind the migration lock (see the module's notes), so
    an interrupt leaves the database as it was and a concurrent process waits and then
    finds the work done.

    Raises
    ------
    StoreError
        The database has a newer schema, was left half-built with data in it, is held by
        another process for too long, or cannot be reached or written.
    """
    configure_sqlite(engine)
    try:
        if _at_head(engine):
            return
        with engine.begin() as connection:
            _lock(connection)
            _repair_half_built(connection, engine)
            command.upgrade(_alembic_config(connection), "head")
    except CommandError as exc:
        raise StoreError(
            f"the database {_redacted(engine)!r} has a schema this upright does not know ({exc})",
            fix="It was probably written by a newer upright; upgrade upright, or use another "
            f"database with {_DATABASE_URL_ENV}",
        ) from exc
    except SQLAlchemyError as exc:
        if is_busy(exc):
            raise busy_error(engine) from exc
        raise StoreError(
            f"cannot open or migrate the database {_redacted(engine)!r}: "
            f"{str(exc).splitlines()[0]}",
            fix="Check that the file or server is reachable and writable, or set "
            f"{_DATABASE_URL_ENV}",
        ) from exc


def busy_error(engine: Engine) -> StoreError:
    """The error for a database another process kept locked past our wait."""
    waited = SQLITE_BUSY_TIMEOUT_S if engine.dialect.name == "sqlite" else POSTGRES_LOCK_TIMEOUT_S
    return StoreError(
        f"the database {_redacted(engine)!r} stayed busy for {waited:g} s: another upright "
        "command (or another program) is holding it; nothing was changed",
        fix="Let the other command finish, or stop it, then run this one again",
    )
