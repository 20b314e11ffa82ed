"""Data rights and the clinic's housekeeping: deleting a runner (rows, uploads, job
files, cached poses; audit entries kept), the whole clinic's export, retention of raw
uploads, the storage quota, and two processes writing to one database at once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa

from upright.errors import InputError
from upright.services.data_rights import apply_retention, clinic_export_zip, delete_runner
from upright.services.runner_record import update_profile
from upright.services.training_log import log_run
from upright.services.uploads import store_upload, used_bytes
from upright.store import open_store, using_database
from upright.store.clinic import add_audit
from upright.store.jobs import add_job
from upright.store.models import Job, RunLog, Runner

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def url(database_url: str) -> str:
    """A fresh database: SQLite, then PostgreSQL (tests/conftest.py)."""
    return database_url


def _count(url: str, sql: str) -> int:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.scalar(sa.text(sql)) or 0)
    finally:
        engine.dispose()


def _setup(url: str, tmp_path: Path) -> dict[str, Path]:
    """Ann and Bob, a run each, a job each with a clip; one clip shared by both."""
    uploads, jobs, cache = tmp_path / "uploads", tmp_path / "jobs", tmp_path / "cache"
    own = uploads / "video" / f"{'a' * 64}.mp4"
    shared = uploads / "video" / f"{'b' * 64}.mp4"
    for clip in (own, shared):
        clip.parent.mkdir(parents=True, exist_ok=True)
        clip.write_bytes(b"clip")
        (cache / "analyses" / clip.stem).mkdir(parents=True)
    with using_database(url):
        for alias in ("Ann", "Bob"):
            update_profile(alias, sex=None, height_cm=None)
            log_run(alias, pain_during=2, distance_km=5)
    store = open_store(url)
    with store.session() as session:
        ann = session.scalar(sa.select(Runner).where(Runner.alias == "Ann"))
        bob = session.scalar(sa.select(Runner).where(Runner.alias == "Bob"))
        ids = [
            add_job(session, "analyze", {"video": str(own)}, ann).id,
            add_job(session, "analyze", {"video": str(shared)}, ann).id,
            add_job(session, "analyze", {"video": str(shared)}, bob).id,
        ]
        add_audit(session, actor="pt", action="view", runner_id=ann.id, runner_alias="Ann")
    store.close()
    for job_id in ids:
        (jobs / str(job_id)).mkdir(parents=True)
        (jobs / str(job_id) / "keypoints.nc").write_bytes(b"kp")
    return {
        "uploads": uploads,
        "jobs": jobs,
        "cache": cache,
        "own": own,
        "shared": shared,
        "ann_jobs": jobs / str(ids[0]),
        "bob_job": jobs / str(ids[2]),
    }


def test_deleting_a_runner_removes_their_data_and_keeps_the_audit(url: str, tmp_path: Path) -> None:
    paths = _setup(url, tmp_path)
    with using_database(url):
        done = delete_runner(
            "Ann",
            uploads_root=paths["uploads"],
            jobs_root=paths["jobs"],
            cache_root=paths["cache"],
            audit={"actor": "pt@clinic.test"},
        )
    assert done.rows["run_log"] == 1 and done.rows["job"] == 2
    assert _count(url, "SELECT count(*) FROM runner") == 1
    assert _count(url, "SELECT count(*) FROM run_log") == 1  # Bob's
    assert _count(url, "SELECT count(*) FROM job") == 1
    assert not paths["own"].exists() and not paths["ann_jobs"].exists()
    assert not (paths["cache"] / "analyses" / paths["own"].stem).exists()
    assert paths["shared"].exists() and paths["bob_job"].exists()  # Bob's job needs them
    assert _count(url, "SELECT count(*) FROM audit_entry WHERE runner_alias = 'Ann'") == 2
    assert _count(url, "SELECT count(*) FROM audit_entry WHERE action = 'delete'") == 1
    with using_database(url), pytest.raises(InputError, match="unknown runner 'Ann'"):
        delete_runner("Ann", uploads_root=paths["uploads"], jobs_root=paths["jobs"])


def test_the_clinic_export_holds_every_runner(url: str, tmp_path: Path) -> None:
    _setup(url, tmp_path)
    out = tmp_path / "clinic.zip"
    with using_database(url):
        data = clinic_export_zip(out)
    assert out.read_bytes() == data
    with zipfile.ZipFile(out) as archive:
        names = sorted(archive.namelist())
        docs = [json.loads(archive.read(n)) for n in names]
    assert names == ["runners/Ann.json", "runners/Bob.json"]
    assert [d["runner"]["alias"] for d in docs] == ["Ann", "Bob"]
    assert all(d["schema_version"] == "upright.backup/1" and d["run_logs"] for d in docs)


def test_retention_deletes_old_raw_uploads_only_when_applied(url: str, tmp_path: Path) -> None:
    paths = _setup(url, tmp_path)
    now = time.time()
    old = now - 40 * 86400
    os.utime(paths["own"], (old, old))
    os.utime(paths["shared"], (old, old))  # a queued job still needs it
    (paths["uploads"] / "video" / f"{'c' * 64}.mp4").write_bytes(b"new")
    with using_database(url):
        listed = apply_retention(30, apply=False, uploads_root=paths["uploads"], store_url=url)
        assert [i.path for i in listed] == []  # every old clip is still needed by a job
        store = open_store(url)
        with store.session() as session:
            session.execute(sa.update(Job).values(status="done"))
        store.close()
        listed = apply_retention(30, apply=False, uploads_root=paths["uploads"], store_url=url)
        assert sorted(i.path.name for i in listed) == sorted(
            [paths["own"].name, paths["shared"].name]
        )
        assert paths["own"].exists()
        apply_retention(30, apply=True, uploads_root=paths["uploads"], store_url=url)
    assert not paths["own"].exists() and not paths["shared"].exists()
    assert (paths["uploads"] / "video" / f"{'c' * 64}.mp4").exists()
    assert paths["ann_jobs"].exists()  # results kept
    assert _count(url, "SELECT count(*) FROM run_log") == 2
    with pytest.raises(InputError, match="retention of 0 days"):
        apply_retention(0, apply=True, uploads_root=paths["uploads"], store_url=url)


def test_the_storage_quota_refuses_an_upload_that_would_pass_it(tmp_path: Path) -> None:
    root = tmp_path / "uploads"
    csv = b"time,x\n" + b"0.0,1.0\n" * 200
    store_upload([csv], "sensor", "first.csv", root=root, quota_bytes=4000)
    used = used_bytes(root)
    assert used == len(csv)
    with pytest.raises(InputError, match="storage quota of 4 kB is full"):
        store_upload(
            [csv + b"0.5,2.0\n" * 200], "sensor", "second.csv", root=root, quota_bytes=4000
        )
    assert used_bytes(root) == used  # nothing half-written left


def test_two_processes_writing_at_once_lose_nothing(url: str, tmp_path: Path) -> None:
    with using_database(url):
        update_profile("Ann", sex=None, height_cm=None)
    n = 15
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    children = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.services._concurrent_writer", url, "Ann", str(n), tag],
            cwd=ROOT,
            env=env,
        )
        for tag in ("first", "second")
    ]
    for child in children:
        assert child.wait(timeout=300) == 0
    assert _count(url, "SELECT count(*) FROM run_log") == 2 * n
    assert _count(url, "SELECT count(*) FROM audit_entry WHERE detail LIKE 'first %'") == n
    assert _count(url, "SELECT count(*) FROM audit_entry WHERE detail LIKE 'second %'") == n
    store = open_store(url)
    with store.session() as session:
        days = session.scalars(sa.select(RunLog.distance_km)).all()
    store.close()
    assert sorted(days) == sorted([1.0 + i / 100 for i in range(n)] * 2)
