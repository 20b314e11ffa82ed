"""The job queue: jobs in the database, run in worker processes, recovered after a stop."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from job_test_kinds import COUNT, CRASH, go_file, pid_file
from upright.cli.main import app
from upright.errors import InputError
from upright.io.keypoints import write_keypoints_netcdf
from upright.services.jobs import (
    JobQueue,
    JobView,
    register_kind,
    run_job,
)
from upright.store import Record, get_or_create_runner, open_store
from upright.store.jobs import claim_job, recover_jobs
from upright.synthetic.runner import RunnerSpec, simulate_run

register_kind(COUNT)
register_kind(CRASH)


@pytest.fixture
def db(tmp_path: Path) -> str:
    """A database with the runner 'ana'."""
    url = f"sqlite:///{tmp_path / 'upright.db'}"
    store = open_store(url)
    with store.session() as session:
        get_or_create_runner(session, "ana")
    store.close()
    return url


@pytest.fixture(scope="module")
def run_keypoints(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Keypoints of a synthetic runner, 15 s (about 21 strides)."""
    path = tmp_path_factory.mktemp("kp") / "run.nc"
    write_keypoints_netcdf(simulate_run(RunnerSpec(duration_s=15.0)).ds, path)
    return path


def _queue(db: str, tmp_path: Path, **kwargs: object) -> JobQueue:
    return JobQueue(
        db,
        files_root=tmp_path / "jobs",
        progress_interval_s=0.0,
        **kwargs,  # type: ignore[arg-type]
    )


@pytest.fixture
def queue(db: str, tmp_path: Path) -> Iterator[JobQueue]:
    with _queue(db, tmp_path) as started:
        yield started


def _records(db: str) -> list[Record]:
    store = open_store(db)
    try:
        with store.session() as session:
            return list(session.scalars(sa.select(Record).order_by(Record.id)))
    finally:
        store.close()


def _watch(queue: JobQueue, job_id: int, timeout_s: float = 120.0) -> list[JobView]:
    """Every distinct state of the job seen while polling, until it is finished."""
    seen: list[JobView] = []
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        view = queue.get(job_id)
        if not seen or (view.status, view.progress, view.message) != (
            seen[-1].status,
            seen[-1].progress,
            seen[-1].message,
        ):
            seen.append(view)
        if view.finished:
            return seen
        time.sleep(0.01)
    raise TimeoutError(f"job {job_id}: {seen[-1]}")


def _say_go(files_root: Path, job_id: int) -> None:
    """Let a ``count`` job go on past its first item."""
    files_root.mkdir(parents=True, exist_ok=True)
    Path(go_file(files_root / str(job_id), job_id)).touch()


def _until(queue: JobQueue, job_id: int, ok: object, timeout_s: float = 60.0) -> JobView:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        view = queue.get(job_id)
        if callable(ok) and ok(view):
            return view
        time.sleep(0.02)
    raise TimeoutError(f"job {job_id} stayed {queue.get(job_id)}")


def test_analysis_of_keypoints_runs_to_done_with_progress(
    queue: JobQueue, db: str, run_keypoints: Path
) -> None:
    job = queue.submit(
        "analyze", {"keypoints": str(run_keypoints), "source_name": "monday.nc"}, runner="ana"
    )
    assert (job.status, job.progress, job.runner) == ("queued", 0.0, "ana")
    seen = _watch(queue, job.id)
    done = seen[-1]
    assert done.status == "done", done.message
    assert done.progress == 1.0 and done.attempts == 1
    progress = [v.progress for v in seen]
    assert progress == sorted(progress)
    assert any(v.status == "running" and v.message for v in seen)
    assert done.result is not None
    out = Path(done.result["out_dir"])
    assert out == queue.files_root / str(job.id)
    assert {"summary.json", "strides.csv", "keypoints.nc"} <= set(done.result["files"])
    assert sorted(p.name for p in out.iterdir()) == done.result["files"]  # no staging left
    records = _records(db)
    assert [(r.id, r.kind, r.source_name) for r in records] == [
        (done.result["record_id"], "analysis", "monday.nc")
    ]
    assert queue.get(job.id) == done  # read back from the database, as after a reload


def test_form_check_of_keypoints_runs_to_done(queue: JobQueue, db: str, tmp_path: Path) -> None:
    from form_cases import plank, save

    keypoints = save(plank(), tmp_path / "plank.nc")
    job = queue.submit(
        "form", {"keypoints": str(keypoints), "exercise": "front_plank", "source_name": "p.nc"}
    )
    seen = _watch(queue, job.id)
    done = seen[-1]
    assert done.status == "done", done.message
    assert [v.progress for v in seen] == sorted(v.progress for v in seen)
    assert done.result is not None
    assert "summary.json" in done.result["files"]
    assert 0 < done.result["good_form_s"] < done.result["held_s"]  # the plank sags
    assert _records(db) == []  # a form check is kept as files only


def test_progress_is_written_while_the_job_runs(queue: JobQueue, db: str) -> None:
    job = queue.submit("count", {}, runner="ana")
    half = _until(queue, job.id, lambda v: v.progress > 0)
    assert (half.status, half.progress, half.message) == ("running", 0.25, "Counting (1/4 items)")
    assert _records(db) == []  # nothing is stored before the job is done
    _say_go(queue.files_root, job.id)
    done = queue.wait(job.id, timeout_s=60)
    assert (done.status, done.progress, done.result) == (
        "done",
        1.0,
        {"counted": 4, "attempt": 1, "record_id": 1},
    )
    assert len(_records(db)) == 1


def test_a_failing_job_stores_the_message_the_cli_prints(
    queue: JobQueue, db: str, tmp_path: Path
) -> None:
    bad = tmp_path / "broken.nc"
    bad.write_text("not a keypoint file\n", encoding="utf-8")
    job = queue.submit("analyze", {"keypoints": str(bad)}, runner="ana")
    failed = queue.wait(job.id, timeout_s=120)
    cli = CliRunner().invoke(
        app, ["analyze", "--keypoints", str(bad), "--out", str(tmp_path / "o")]
    )
    assert cli.exit_code == 2
    assert failed.status == "failed"
    assert failed.message is not None and failed.message.startswith("upright could not finish.")
    assert " ".join(failed.message.split()) == " ".join(cli.stderr.split())
    assert str(bad) in failed.message
    assert _records(db) == []
    assert not (queue.files_root / str(job.id)).exists()


def test_bad_requests_are_refused_before_any_work(queue: JobQueue, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no job of the kind 'transcode'"):
        queue.submit("transcode", {})
    with pytest.raises(InputError, match=r"^gone\.mp4: the file is not on disk"):
        queue.submit("analyze", {"video": str(tmp_path / "x.mp4"), "source_name": "gone.mp4"})
    with pytest.raises(InputError, match=r"no clip given"):
        queue.submit("analyze", {})
    with pytest.raises(InputError, match=r"tilt_deg: Input should be less than or equal to 30"):
        queue.submit("analyze", {"keypoints": __file__, "tilt_deg": 45})
    with pytest.raises(InputError, match=r"not valid \(colour: Extra inputs"):
        queue.submit("analyze", {"keypoints": __file__, "colour": "red"})
    with pytest.raises(InputError, match="'plank' is not an exercise"):
        queue.submit("form", {"keypoints": __file__, "exercise": "plank"})
    with pytest.raises(InputError, match="nobody"):
        queue.submit("analyze", {"keypoints": __file__}, runner="nobody")
    assert queue.list_jobs() == []


def _left_running(db: str, tmp_path: Path, kind: str, params: dict[str, object]) -> int:
    """A job an app claimed and then died under (its row left 'running')."""
    queue = _queue(db, tmp_path)  # never started: nothing runs
    job = queue.submit(kind, params, runner="ana")
    queue.shutdown()
    store = open_store(db)
    with store.session() as session:
        assert claim_job(session, job.id) == 1
    store.close()
    return job.id


def test_a_job_killed_midway_is_requeued_at_restart_and_stored_once(
    db: str, tmp_path: Path, run_keypoints: Path
) -> None:
    job_id = _left_running(db, tmp_path, "analyze", {"keypoints": str(run_keypoints)})
    # What the dead worker left: a staging folder with half the files, unlocked.
    stage = tmp_path / "jobs" / str(job_id) / ".upright-staging-dead"
    stage.mkdir(parents=True)
    (stage / "summary.json").write_text("{", encoding="utf-8")
    (stage / ".owner.lock").touch()
    old = time.time() - 3600
    os.utime(stage / ".owner.lock", (old, old))
    queue = _queue(db, tmp_path)
    try:
        assert queue.start() == ([job_id], [])
        done = queue.wait(job_id, timeout_s=120)
    finally:
        queue.shutdown()
    assert (done.status, done.attempts) == ("done", 2)
    assert len(_records(db)) == 1
    out = tmp_path / "jobs" / str(job_id)
    assert not stage.exists()
    assert sorted(p.name for p in out.iterdir()) == done.result["files"]  # type: ignore[index]


def test_queued_jobs_are_picked_up_at_start(db: str, tmp_path: Path) -> None:
    first = _queue(db, tmp_path)
    job = first.submit("count", {}, runner="ana")
    first.shutdown()  # never started: the job is only in the database
    with _queue(db, tmp_path) as queue:
        running = _until(queue, job.id, lambda v: v.status == "running")
        assert running.attempts == 1
        _say_go(queue.files_root, job.id)
        assert queue.wait(job.id).status == "done"


def test_a_late_worker_of_a_dead_app_changes_nothing(db: str, tmp_path: Path) -> None:
    """Attempt 1 is still alive when the restarted app runs attempt 2: only one of them
    finishes the job, and one record is stored."""
    job_id = _left_running(db, tmp_path, "count", {})
    files_root = tmp_path / "jobs"
    late = threading.Thread(
        target=run_job, args=(job_id, 1, COUNT.run, db, str(files_root), 0.0), daemon=True
    )
    late.start()
    store = open_store(db)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with store.session() as session:
                if _progress(session, job_id) > 0:
                    break
            time.sleep(0.02)
        with store.session() as session:  # the app restarts: attempt 2
            assert recover_jobs(session, 3, lambda j: "gave up") == ([job_id], [])
            assert claim_job(session, job_id) == 2
    finally:
        store.close()
    _say_go(files_root, job_id)
    late.join(30)
    assert not late.is_alive()
    run_job(job_id, 2, COUNT.run, db, str(files_root), 0.0)
    run_job(job_id, 1, COUNT.run, db, str(files_root), 0.0)  # too late: nothing happens
    with _queue(db, tmp_path) as queue:
        done = queue.get(job_id)
    assert (done.status, done.attempts, done.result) == (
        "done",
        2,
        {"counted": 4, "attempt": 2, "record_id": 1},
    )
    assert len(_records(db)) == 1


def _progress(session: sa.orm.Session, job_id: int) -> float:
    from upright.store.models import Job

    job = session.get(Job, job_id)
    assert job is not None
    return job.progress


def test_a_job_started_too_often_is_given_up(db: str, tmp_path: Path) -> None:
    job_id = _left_running(db, tmp_path, "count", {})
    with _queue(db, tmp_path, max_attempts=1) as queue:
        failed = queue.get(job_id)
    assert failed.status == "failed"
    assert failed.message is not None
    assert failed.message.startswith("upright could not finish. the job was started 1 time and")
    assert _records(db) == []


def test_a_dead_worker_process_requeues_then_gives_up(db: str, tmp_path: Path) -> None:
    with _queue(db, tmp_path, max_attempts=2) as queue:
        job = queue.submit("crash", {})
        failed = queue.wait(job.id, timeout_s=120)
        assert (failed.status, failed.attempts) == ("failed", 2)
        assert "started 2 times" in (failed.message or "")
        after = queue.submit("count", {}, runner="ana")  # the pool was replaced
        _say_go(queue.files_root, after.id)
        assert queue.wait(after.id, timeout_s=120).status == "done"


def test_two_jobs_at_once_both_finish(db: str, tmp_path: Path, run_keypoints: Path) -> None:
    with _queue(db, tmp_path, max_workers=2) as queue:
        first = queue.submit("count", {}, runner="ana")
        second = queue.submit("analyze", {"keypoints": str(run_keypoints)}, runner="ana")
        # Both run at the same time: the count waits until the analysis is done.
        _until(queue, first.id, lambda v: v.status == "running")
        analysed = queue.wait(second.id, timeout_s=120)
        assert queue.get(first.id).status == "running"
        _say_go(queue.files_root, first.id)
        counted = queue.wait(first.id, timeout_s=60)
    assert (analysed.status, counted.status) == ("done", "done")
    assert sorted(r.kind for r in _records(db)) == ["analysis", "run"]


def test_shutdown_without_waiting_puts_the_job_back(db: str, tmp_path: Path) -> None:
    queue = _queue(db, tmp_path)
    queue.start()
    job = queue.submit("count", {"wait_s": 60})
    _until(queue, job.id, lambda v: v.progress > 0)
    queue.shutdown(wait=False)
    pid = int(Path(pid_file(queue.files_root, job.id, 1)).read_text())
    assert not _alive(pid), "the worker was left running"
    with _queue(db, tmp_path) as again:
        back = again.get(job.id)
        assert back.status in ("queued", "running")
        running = _until(again, job.id, lambda v: v.progress > 0)
        assert running.attempts == 2
        _say_go(again.files_root, job.id)
        assert again.wait(job.id).status == "done"


def _alive(pid: int, wait_s: float = 5.0) -> bool:
    """True while process ``pid`` runs (a zombie counts as ended)."""
    if not Path("/proc").is_dir():
        pytest.skip("needs /proc to see whether a process runs")
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
        except FileNotFoundError:
            return False
        if state in ("Z", "X"):
            return False
        time.sleep(0.05)
    return True


@pytest.mark.slow
def test_real_clip_through_upload_and_analysis_job(
    shared_data: Path, db: str, tmp_path: Path
) -> None:
    from upright.services.uploads import store_upload

    clip = shared_data / "video" / "male_side.mp4"
    with clip.open("rb") as fh:
        upload = store_upload(fh, "video", clip.name, root=tmp_path / "uploads")
    with _queue(db, tmp_path) as queue:
        job = queue.submit(
            "analyze",
            {"video": str(upload.path), "source_name": upload.original_name, "height_cm": 178},
            runner="ana",
        )
        seen = _watch(queue, job.id, timeout_s=900)
    done = seen[-1]
    assert done.status == "done", done.message
    assert any(v.message and v.message.startswith("Pose estimation (") for v in seen)
    assert any(0 < v.progress < 0.7 for v in seen)
    assert done.result is not None
    assert {"annotated.mp4", "frame.jpg", "summary.json"} <= set(done.result["files"])
    (record,) = _records(db)
    assert (record.kind, record.source_name) == ("analysis", "male_side.mp4")
    assert record.summary["source"]["n_frames"] > 300
