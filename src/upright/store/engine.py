"""Open upright's database: find its URL, migrate it to the latest schema, hand out sessions.

The URL is ``UPRIGHT_DATABASE_URL`` when set (any SQLAlchemy URL, for example
``postgresql+psycopg://user@host/upright``), otherwise a SQLite file ``upright.db`` in the
user's data folder: ``$UPRIGHT_DATA_DIR``, else ``$XDG_DATA_HOME/upright``, else
``~/.local/share/upright``. :func:`using_database` overrides both for a block of code
(the demo keeps its own database inside its output folder).

Engines are shared: :func:`open_store` keeps one engine (with its connection pool) per
URL for the whole process, so a web request or a command that opens the store many times
connects and migrates once; a later :func:`open_store` only reads the schema version
again (one query on a pooled connection). At most
:data:`MAX_SHARED_ENGINES` are kept (the least recently used is closed first, so tests
that make a database each do not gather connections); :func:`dispose_engines` closes
them (the web app does at shutdown), and a SQLite file that was deleted or replaced
since is opened afresh. An in-memory SQLite database is never shared (each
:func:`open_store` gives a new one, as before). A process forked from this one starts
with none (a connection is never used by two processes).
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Final

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from upright.errors import StoreError
from upright.ledger import interrupts_deferred, note_landed
from upright.store.schema import (
    SQLITE_BUSY_STEP_S,
    busy_error,
    configure_sqlite,
    is_busy,
    migrate,
    schema_is_current,
)

__all__ = [
    "DATABASE_URL_ENV",
    "DATA_DIR_ENV",
    "MAX_SHARED_ENGINES",
    "Store",
    "data_dir",
    "database_url",
    "dispose_engines",
    "migrate",
    "open_store",
    "using_database",
]

DATABASE_URL_ENV = "UPRIGHT_DATABASE_URL"
DATA_DIR_ENV = "UPRIGHT_DATA_DIR"


def data_dir() -> Path:
    """The folder for upright's own data (not created here)."""
    if explicit := os.environ.get(DATA_DIR_ENV):
        return Path(explicit).expanduser()
    if xdg := os.environ.get("XDG_DATA_HOME"):
        return Path(xdg).expanduser() / "upright"
    return Path.home() / ".local" / "share" / "upright"


_URL_OVERRIDE: ContextVar[str | None] = ContextVar("upright_database_url", default=None)


@contextmanager
def using_database(url: str) -> Iterator[None]:
    """Within the block, :func:`database_url` is ``url`` (whatever the environment says)."""
    token = _URL_OVERRIDE.set(url)
    try:
        yield
    finally:
        _URL_OVERRIDE.reset(token)


def database_url() -> str:
    """The database URL: :func:`using_database`'s, ``UPRIGHT_DATABASE_URL``, or the default
    SQLite file."""
    if url := _URL_OVERRIDE.get():
        return url
    if url := os.environ.get(DATABASE_URL_ENV):
        return url
    return f"sqlite:///{data_dir() / 'upright.db'}"


def _redacted(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def _prepare_sqlite_folder(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return
    folder = Path(parsed.database).expanduser().parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(
            f"cannot create the database folder {folder}: {exc.strerror}",
            fix=f"Set {DATA_DIR_ENV} or {DATABASE_URL_ENV} to a writable place",
        ) from exc


def _create_engine(url: str) -> Engine:
    try:
        _prepare_sqlite_folder(url)
        sqlite = make_url(url).get_backend_name() == "sqlite"
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_STEP_S} if sqlite else {})
    except (ArgumentError, NoSuchModuleError, ImportError, ValueError) as exc:
        raise StoreError(
            f"cannot open the database URL {_redacted(url)!r}: {exc}",
            fix=(
                f"Check {DATABASE_URL_ENV}; use a SQLAlchemy URL such as sqlite:///path/upright.db "
                "or postgresql+psycopg://user@host/upright with its driver installed"
            ),
        ) from exc
    configure_sqlite(engine)
    return engine


#: Engines kept open at once (one per database URL).
MAX_SHARED_ENGINES: Final = 4

_ENGINES: OrderedDict[str, tuple[Engine, tuple[int, int] | None]] = OrderedDict()
_ENGINES_LOCK = threading.Lock()


def _in_memory(url: str) -> bool:
    try:
        parsed = make_url(url)
    except ArgumentError:
        return False
    return parsed.get_backend_name() == "sqlite" and parsed.database in (None, "", ":memory:")


def _file_identity(engine: Engine) -> tuple[int, int] | None:
    """The SQLite file's device and inode (None for other databases or no file yet)."""
    path = _sqlite_file(engine)
    if path is None:
        return None
    try:
        found = path.stat()
    except OSError:
        return None
    return (found.st_dev, found.st_ino)


def _shared_engine(url: str) -> Engine:
    """The process's engine for ``url``, created and migrated on first use; afterwards
    its schema version is read again (one query), so a database changed under it (a
    newer upright's schema, a table dropped by hand) is noticed as on first use."""
    engine = _cached_engine(url)
    if not schema_is_current(engine):
        migrate(engine)
    return engine


def _cached_engine(url: str) -> Engine:
    with _ENGINES_LOCK:
        cached = _ENGINES.get(url)
        if cached is not None:
            engine, identity = cached
            if _sqlite_file(engine) is None or _file_identity(engine) == identity:
                _ENGINES.move_to_end(url)
                return engine
            del _ENGINES[url]  # the SQLite file was deleted or replaced: start afresh
            engine.dispose()
        engine = _create_engine(url)
        try:
            migrate(engine)
        except BaseException:
            engine.dispose()
            raise
        _ENGINES[url] = (engine, _file_identity(engine))
        while len(_ENGINES) > MAX_SHARED_ENGINES:
            _url, (oldest, _identity) = _ENGINES.popitem(last=False)
            # still usable by a Store that holds it: it reconnects, unshared
            oldest.dispose()
        return engine


def dispose_engines(url: str | None = None) -> None:
    """Close the shared engine of ``url`` (all of them when None); the next
    :func:`open_store` opens it again."""
    with _ENGINES_LOCK:
        urls = list(_ENGINES) if url is None else [url] if url in _ENGINES else []
        closing = [_ENGINES.pop(u)[0] for u in urls]
    for engine in closing:
        engine.dispose()


def _forget_engines_in_child() -> None:
    """After a fork: the parent's pooled connections are the parent's; drop them unused."""
    global _ENGINES_LOCK
    _ENGINES_LOCK = threading.Lock()
    for engine, _identity in _ENGINES.values():
        engine.dispose(close=False)
    _ENGINES.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_engines_in_child)


class Store:
    """An open, migrated database.

    Use :meth:`session` for every unit of work; it commits when the block ends normally
    and rolls back on any exception, so an interrupted command leaves nothing half-written.
    """

    def __init__(self, engine: Engine, *, shared: bool = False) -> None:
        self.engine = engine
        self.shared = shared
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @property
    def url(self) -> str:
        """The database URL, password hidden."""
        return self.engine.url.render_as_string(hide_password=True)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session committed on success, rolled back on any exception (also Ctrl-C).

        On SQLite it holds the database's write lock from its start, so a second process
        waits (up to the busy timeout) rather than fails. A commit that wrote anything is
        noted in the command's ledger (:mod:`upright.ledger`).

        Raises
        ------
        StoreError
            Another process kept the database locked for longer than the busy timeout.
        """
        with self._sessions() as session:
            wrote = False

            def flushed(*_args: object) -> None:
                nonlocal wrote
                wrote = True

            event.listen(session, "after_flush", flushed)
            try:
                yield session
                with interrupts_deferred():
                    session.commit()
                    if wrote:
                        note_landed("database", self.url, _sqlite_file(self.engine))
            except SQLAlchemyError as exc:
                session.rollback()
                if is_busy(exc):
                    raise busy_error(self.engine) from exc
                raise
            except BaseException:
                session.rollback()
                raise

    def close(self) -> None:
        """Release the engine's connections; a shared engine (:func:`open_store`) stays
        open for the next user (:func:`dispose_engines` closes it)."""
        if not self.shared:
            self.engine.dispose()


def _sqlite_file(engine: Engine) -> Path | None:
    """The file of a SQLite database, None for others and in-memory ones."""
    if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
        return None
    return Path(engine.url.database).expanduser().resolve()


def open_store(url: str | None = None) -> Store:
    """Open (creating and migrating as needed) upright's database, on the process's
    shared engine for its URL (see the module's notes).

    Parameters
    ----------
    url
        A SQLAlchemy URL; by default :func:`database_url` (``UPRIGHT_DATABASE_URL`` or the
        SQLite file in the data folder).

    Raises
    ------
    StoreError
        The URL is malformed, its driver is missing, or the database cannot be reached,
        created or migrated.
    """
    target = url if url is not None else database_url()
    if not _in_memory(target):
        return Store(_shared_engine(target), shared=True)
    engine = _create_engine(target)
    try:
        migrate(engine)
    except BaseException:
        engine.dispose()
        raise
    return Store(engine)
