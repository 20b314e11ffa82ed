"""The job table's writes: claims counted once, stale attempts shut out, recovery."""

from __future__ import annotations

from sqlalchemy.orm import Session

from upright.store import Store, get_or_create_runner
from upright.store.jobs import (
    add_job,
    claim_job,
    get_job,
    jobs,
    mark_done,
    queued_job_ids,
    recover_jobs,
    release_job,
    report_progress,
    running_attempt,
)


def test_a_job_is_claimed_once_and_counts_its_attempts(store: Store) -> None:
    with store.session() as session:
        runner = get_or_create_runner(session, "ana")
        first = add_job(session, "analyze", {"video": "a.mp4"}, runner).id
        second = add_job(session, "form", {"exercise": "front_plank"}).id
    with store.session() as session:
        assert queued_job_ids(session, 5) == [first, second]
        assert claim_job(session, first) == 1
        assert claim_job(session, first) is None  # already running
        assert queued_job_ids(session, 5) == [second]
    with store.session() as session:
        assert report_progress(session, first, 1, 0.4, "Pose estimation (4/10 frames)")
        assert not report_progress(session, first, 2, 0.9, "an attempt that never was")
        job = get_job(session, first)
        assert job is not None
        assert (job.status, job.progress, job.message, job.attempts) == (
            "running",
            0.4,
            "Pose estimation (4/10 frames)",
            1,
        )
        assert job.started_at is not None and job.finished_at is None


def test_recovery_requeues_or_gives_up(store: Store) -> None:
    with store.session() as session:
        once = add_job(session, "analyze", {}).id
        often = add_job(session, "analyze", {}).id
        done = add_job(session, "analyze", {}).id
        for job_id in (once, often, done):
            claim_job(session, job_id)
        for _ in range(2):  # 'often' was started three times in all
            release_job(session, often, _attempts(session, often))
            claim_job(session, often)
        finished = running_attempt(session, done, 1)
        assert finished is not None
        mark_done(finished, {"files": []})
    with store.session() as session:
        requeued, failed = recover_jobs(session, 3, lambda job: f"gave up after {job.attempts}")
        assert (requeued, failed) == ([once], [often])
        assert [(j.id, j.status, j.message) for j in jobs(session)] == [
            (done, "done", None),
            (often, "failed", "gave up after 3"),
            (once, "queued", None),
        ]
        assert running_attempt(session, once, 1) is None  # its worker may no longer write
        assert claim_job(session, once) == 2


def _attempts(session: Session, job_id: int) -> int:
    job = get_job(session, job_id)
    assert job is not None
    return job.attempts
