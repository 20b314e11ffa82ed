"""Reads and writes of the job table: add, claim, report progress, finish, recover.

Every function takes an open session (``Store.session()``), which commits or rolls back.
A job is claimed by the compare-and-set of :func:`claim_job`, which counts the attempt;
everything a worker writes afterwards names that attempt and lands only while the job is
still ``running`` with that count (:func:`running_attempt`). So a worker left over from
a server that stopped can never finish, fail or report on a job that was started again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from upright.store.models import JOB_STATUSES, Job, JobStatus, Runner, utc_now

__all__ = [
    "FINISHED",
    "add_job",
    "claim_job",
    "get_job",
    "jobs",
    "mark_done",
    "mark_failed",
    "queued_job_ids",
    "recover_jobs",
    "release_job",
    "report_progress",
    "running_attempt",
]

#: The statuses a job ends in.
FINISHED: Final[tuple[JobStatus, ...]] = ("done", "failed")


def add_job(
    session: Session,
    kind: str,
    params: Mapping[str, Any],
    runner: Runner | None = None,
    created_by: int | None = None,
) -> Job:
    """A new ``queued`` job (``params`` must be JSON-serialisable); ``created_by`` is the
    clinic account that submitted it."""
    job = Job(
        created_by=created_by,
        kind=kind,
        params=dict(params),
        runner=runner,
        status="queued",
        progress=0.0,
        attempts=0,
        created_at=utc_now(),
    )
    session.add(job)
    session.flush()
    return job


def get_job(session: Session, job_id: int) -> Job | None:
    """The job with this id, or None."""
    return session.get(Job, job_id)


def jobs(
    session: Session,
    *,
    runner: Runner | None = None,
    statuses: Sequence[JobStatus] = JOB_STATUSES,
    limit: int = 100,
) -> Sequence[Job]:
    """Jobs, newest first: a runner's, or all; of the given statuses."""
    query = select(Job).where(Job.status.in_(statuses))
    if runner is not None:
        query = query.where(Job.runner_id == runner.id)
    return session.scalars(query.order_by(Job.id.desc()).limit(limit)).all()


def queued_job_ids(session: Session, limit: int) -> list[int]:
    """Ids of the oldest ``queued`` jobs, first in first out."""
    query = select(Job.id).where(Job.status == "queued").order_by(Job.id).limit(limit)
    return list(session.scalars(query))


def claim_job(session: Session, job_id: int) -> int | None:
    """Start a ``queued`` job: ``running``, one attempt more; returns that attempt's number.

    None when the job is not ``queued`` (another process claimed it, or it is gone).
    """
    claimed = session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == "queued")
        .values(
            status="running",
            attempts=Job.attempts + 1,
            started_at=utc_now(),
            finished_at=None,
            progress=0.0,
            message=None,
        )
        .returning(Job.attempts)
    ).scalar_one_or_none()
    return claimed


def release_job(session: Session, job_id: int, attempt: int) -> bool:
    """Put a job the app itself stopped back in the queue (the attempt stays counted, so
    a worker that outlived the stop can never pass for the next attempt); False when it
    is no longer running as ``attempt``."""
    changed = session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == "running", Job.attempts == attempt)
        .values(status="queued", progress=0.0, message=None)
    )
    return bool(getattr(changed, "rowcount", 0))


def running_attempt(session: Session, job_id: int, attempt: int) -> Job | None:
    """The job, locked for this transaction, when it is ``running`` as ``attempt``; else
    None (it was finished, failed or started again meanwhile)."""
    job = session.scalars(
        select(Job)
        .where(Job.id == job_id, Job.status == "running", Job.attempts == attempt)
        .with_for_update()
    ).one_or_none()
    return job


def report_progress(
    session: Session, job_id: int, attempt: int, progress: float, message: str
) -> bool:
    """Write a running job's progress (0..1) and message; False when the attempt is no
    longer the job's current one."""
    changed = session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == "running", Job.attempts == attempt)
        .values(progress=min(1.0, max(0.0, progress)), message=message)
    )
    return bool(getattr(changed, "rowcount", 0))


def mark_done(job: Job, result: Mapping[str, Any]) -> None:
    """The job finished: progress 1, its result stored."""
    job.status = "done"
    job.progress = 1.0
    job.message = None
    job.result = dict(result)
    job.finished_at = utc_now()


def mark_failed(job: Job, message: str) -> None:
    """The job stopped on an error; ``message`` is what the user reads."""
    job.status = "failed"
    job.message = message
    job.result = None
    job.finished_at = utc_now()


def recover_jobs(
    session: Session, max_attempts: int, give_up: Callable[[Job], str]
) -> tuple[list[int], list[int]]:
    """After a restart: every ``running`` job goes back to ``queued``, or is marked
    failed (with ``give_up(job)`` as its message) once started ``max_attempts`` times.

    Returns
    -------
    requeued, failed
        The ids of the jobs put back in the queue and of those given up.
    """
    requeued: list[int] = []
    failed: list[int] = []
    running = session.scalars(
        select(Job).where(Job.status == "running").order_by(Job.id).with_for_update()
    ).all()
    for job in running:
        if job.attempts >= max_attempts:
            mark_failed(job, give_up(job))
            failed.append(job.id)
        else:
            job.status = "queued"
            job.progress = 0.0
            job.message = None
            requeued.append(job.id)
    session.flush()
    return requeued, failed
