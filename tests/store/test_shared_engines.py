"""One engine per database URL for the whole process: opened and migrated once, kept
across :func:`open_store` calls and ``Store.close()``, bounded in number, opened afresh
for a SQLite file that was replaced, and safe to share between threads."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import sqlalchemy as sa

from upright.store import (
    dispose_engines,
    find_runner,
    get_or_create_runner,
    open_store,
)
from upright.store import engine as engine_module
from upright.store.engine import MAX_SHARED_ENGINES


def _count_creations(monkeypatch: object) -> list[str]:
    made: list[str] = []
    create = engine_module._create_engine

    def counting(url: str) -> sa.Engine:
        made.append(url)
        return create(url)

    monkeypatch.setattr(engine_module, "_create_engine", counting)  # type: ignore[attr-defined]
    return made


def test_one_engine_per_url_survives_close(store_url: str, monkeypatch: object) -> None:
    made = _count_creations(monkeypatch)
    first = open_store(store_url)
    with first.session() as session:
        get_or_create_runner(session, "Ann")
    first.close()
    second = open_store(store_url)
    assert second.engine is first.engine
    with second.session() as session:  # the closed store's engine still serves
        assert find_runner(session, "Ann") is not None
    assert made == [store_url]
    dispose_engines(store_url)
    third = open_store(store_url)
    assert third.engine is not first.engine
    assert len(made) == 2


def test_only_a_few_engines_are_kept(tmp_path: Path, monkeypatch: object) -> None:
    made = _count_creations(monkeypatch)
    urls = [f"sqlite:///{tmp_path / f'db{n}.db'}" for n in range(MAX_SHARED_ENGINES + 1)]
    engines = [open_store(url).engine for url in urls]
    assert len(made) == len(urls)
    # the newest are kept; the least recently used one was closed and is opened again
    assert open_store(urls[-1]).engine is engines[-1]
    assert open_store(urls[0]).engine is not engines[0]
    assert len(made) == len(urls) + 1
    with engines[0].connect() as conn:  # a closed engine a caller still holds reconnects
        assert conn.scalar(sa.text("SELECT count(*) FROM runner")) == 0


def test_a_replaced_sqlite_file_is_opened_afresh(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'live.db'}"
    other = tmp_path / "other.db"
    with open_store(f"sqlite:///{other}").session() as session:
        get_or_create_runner(session, "Bob")
    with open_store(url).session() as session:
        get_or_create_runner(session, "Ann")
    dispose_engines(f"sqlite:///{other}")
    shutil.copyfile(other, tmp_path / "copy.db")
    (tmp_path / "copy.db").replace(tmp_path / "live.db")  # as a restore would
    with open_store(url).session() as session:
        assert find_runner(session, "Bob") is not None
        assert find_runner(session, "Ann") is None
    (tmp_path / "live.db").unlink()
    with open_store(url).session() as session:  # deleted: a new, empty database
        assert find_runner(session, "Bob") is None


def test_an_in_memory_database_is_never_shared() -> None:
    first, second = open_store("sqlite://"), open_store("sqlite://")
    try:
        assert first.engine is not second.engine
    finally:
        first.close()
        second.close()


def test_threads_opening_one_new_database_share_one_engine(
    tmp_path: Path, monkeypatch: object
) -> None:
    made = _count_creations(monkeypatch)
    url = f"sqlite:///{tmp_path / 'busy.db'}"
    engines: list[sa.Engine] = []
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def opener() -> None:
        try:
            start.wait()
            store = open_store(url)
            with store.session() as session:
                session.execute(sa.text("SELECT 1"))
            engines.append(store.engine)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=opener) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors
    assert len(engines) == 8 and len({id(e) for e in engines}) == 1
    assert made == [url]
