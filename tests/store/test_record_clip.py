"""A record knows the clip it was measured from; one clip is one record per runner."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from upright.errors import InputError
from upright.services.runner_record import store_clip_summary
from upright.store import (
    Record,
    Store,
    add_record,
    export_runner,
    get_or_create_runner,
    get_runner,
    import_backup,
    open_store,
    record_of_clip,
    using_database,
)

SHA = "ab" * 32
OTHER = "cd" * 32
SUMMARY = {"schema_version": "upright.analysis/1", "lean": 7.0}


def test_a_clip_is_stored_once_per_runner_and_kind(store: Store) -> None:
    with store.session() as session:
        ana = get_or_create_runner(session, "ana")
        ben = get_or_create_runner(session, "ben")
        first = add_record(session, ana, "analysis", SUMMARY, source_sha256=SHA)
        add_record(session, ben, "analysis", SUMMARY, source_sha256=SHA)  # another runner
        add_record(session, ana, "analysis", SUMMARY, source_sha256=OTHER)  # another clip
        add_record(session, ana, "analysis", SUMMARY)  # no hash: never compared
        add_record(session, ana, "analysis", SUMMARY)
        assert record_of_clip(session, ana, "analysis", SHA) is first
        assert record_of_clip(session, ana, "run", SHA) is None
    with pytest.raises(sa.exc.IntegrityError), store.session() as session:
        add_record(session, get_runner(session, "ana"), "analysis", SUMMARY, source_sha256=SHA)


def test_storing_a_clip_again_keeps_the_first_record(store_url: str) -> None:
    with using_database(store_url):
        store = open_store(store_url)
        with store.session() as session:
            get_or_create_runner(session, "ana")
        store.close()
        first = store_clip_summary("ana", "analysis", SUMMARY, "a.mp4", SHA)
        again = store_clip_summary("ana", "analysis", {**SUMMARY, "lean": 9.0}, "b.mp4", SHA)
        assert first[1] is True and again == (first[0], False)
        with pytest.raises(InputError, match=r"unknown runner 'zoe'"):
            store_clip_summary("zoe", "analysis", SUMMARY, "a.mp4", SHA)
        store = open_store(store_url)
        with store.session() as session:
            (row,) = session.scalars(sa.select(Record))
            assert (row.source_name, row.summary["lean"]) == ("a.mp4", 7.0)
        store.close()


def test_the_clip_hash_goes_through_a_backup_and_a_merge(store: Store, tmp_path: Path) -> None:
    when = datetime(2026, 3, 1, 8, 30, tzinfo=UTC)
    with store.session() as session:
        ana = get_or_create_runner(session, "ana")
        add_record(session, ana, "analysis", SUMMARY, source_sha256=SHA, when=when)
        doc = export_runner(session, "ana", now=when)
    assert doc["records"][0]["source_sha256"] == SHA
    fresh = open_store(f"sqlite:///{tmp_path / 'fresh.db'}")
    try:
        with fresh.session() as session:
            import_backup(session, doc)
            # the same clip stored again later (another time): a merge adds no second copy
            later = get_runner(session, "ana")
            later.records[0].created_at = datetime(2026, 3, 2, tzinfo=UTC)
        with fresh.session() as session:
            import_backup(session, doc, merge=True)
            (row,) = session.scalars(sa.select(Record))
            assert row.source_sha256 == SHA
    finally:
        fresh.close()
