"""Long work as jobs: kept in the database, run in a worker pool outside the request.

A job is a row of the ``job`` table (:class:`upright.store.Job`). :meth:`JobQueue.submit`
checks the parameters and adds it ``queued``; the queue's dispatcher thread claims queued
jobs while a worker is free and runs each in the pool (a process pool by default; any
:class:`concurrent.futures.Executor` fits, so a Ray executor can take its place). In the
worker, :func:`~upright.services.job_runtime.run_job` calls the kind's function, which
reports progress through its :class:`JobContext` (written to the row, at most every
``progress_interval_s``) and writes its files all-or-nothing into the job's own folder.
Then, in one transaction, the job is marked done and the record it made (if it is for a
runner) is stored; or it is marked failed with the paragraph the command line prints for
the same error.

Because the job lives in the database, a page reload finds it again; when the queue
starts, every job left ``running`` by an app that stopped goes back to the queue, or is
marked failed once it has been started ``max_attempts`` times. Each attempt is counted
when it is claimed and everything a worker writes names its attempt, so a worker left
over from a stopped app never finishes a job twice (see :mod:`upright.store.jobs`).

One queue serves one database: two apps serving the same database would each re-queue
the other's running jobs at start-up.

Kinds: ``analyze`` (``upright analyze``) and ``form`` (``upright form``), checked by
:mod:`upright.services.job_kinds` and run by :mod:`upright.workflows.kinds`;
:func:`register_kind` adds others. A kind names its
functions as ``"module:function"`` text, so a worker in another process (or on another
machine) imports them itself.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import BrokenExecutor, Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any, Final

from upright.errors import InputError, UprightError, failure_paragraph
from upright.services.job_runtime import (
    DEFAULT_PROGRESS_INTERVAL_S,
    JobContext,
    JobOutcome,
    RecordDraft,
    StepProgress,
    resolve_target,
    run_job,
)
from upright.store import data_dir, database_url, get_runner
from upright.store import open_store as _open_store
from upright.store.jobs import (
    add_job,
    claim_job,
    get_job,
    jobs,
    mark_failed,
    queued_job_ids,
    recover_jobs,
    release_job,
    running_attempt,
)
from upright.store.models import Job, JobStatus

__all__ = [
    "DEFAULT_MAX_ATTEMPTS",
    "JobContext",
    "JobKind",
    "JobOutcome",
    "JobQueue",
    "JobView",
    "RecordDraft",
    "StepProgress",
    "job_kind",
    "jobs_dir",
    "process_pool",
    "register_kind",
    "run_job",
]

logger = logging.getLogger(__name__)

#: A job is started at most this many times (the app stopping under it counts).
DEFAULT_MAX_ATTEMPTS: Final = 3
#: The dispatcher looks for queued jobs at least this often (also those added elsewhere).
_POLL_S: Final = 2.0
#: How long a stopped worker is waited for at shutdown.
_JOIN_S: Final = 5.0


def jobs_dir() -> Path:
    """Where jobs write their files by default: ``jobs/`` in upright's data folder."""
    return data_dir() / "jobs"


# ---------------------------------------------------------------- kinds


@dataclass(frozen=True)
class JobKind:
    """A kind of job.

    Attributes
    ----------
    name
        Its name in the ``job`` table.
    run
        ``"module:function"`` run in the worker as ``function(params, ctx) -> JobOutcome``.
    check
        ``"module:function"`` run at submission as ``function(params) -> params``: it
        returns the parameters to store (JSON types only) or raises
        :class:`~upright.errors.InputError`, so bad input is refused before any work.
    """

    name: str
    run: str
    check: str | None = None


_KINDS: dict[str, JobKind] = {
    "analyze": JobKind(
        "analyze",
        run="upright.workflows.kinds:run_analyze",
        check="upright.services.job_kinds:check_analyze",
    ),
    "form": JobKind(
        "form",
        run="upright.workflows.kinds:run_form",
        check="upright.services.job_kinds:check_form",
    ),
    "run": JobKind(
        "run",
        run="upright.workflows.import_kinds:run_run_import",
        check="upright.services.import_kinds:check_run",
    ),
    "imu": JobKind(
        "imu",
        run="upright.workflows.import_kinds:run_imu",
        check="upright.services.import_kinds:check_imu",
    ),
}


def register_kind(kind: JobKind) -> None:
    """Add (or replace) a kind of job."""
    _KINDS[kind.name] = kind


def job_kind(name: str) -> JobKind:
    """The kind called ``name``.

    Raises
    ------
    InputError
        No such kind.
    """
    if name not in _KINDS:
        raise InputError(
            f"upright has no job of the kind {name!r}",
            fix=f"Use one of: {', '.join(sorted(_KINDS))}",
        )
    return _KINDS[name]


# ---------------------------------------------------------------- views


@dataclass(frozen=True)
class JobView:
    """A job as read from the database, detached from any session."""

    id: int
    kind: str
    status: JobStatus
    progress: float
    message: str | None
    result: dict[str, Any] | None
    params: dict[str, Any]
    runner: str | None
    attempts: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @property
    def finished(self) -> bool:
        """True once done or failed."""
        return self.status in ("done", "failed")


def _view(job: Job) -> JobView:
    status: JobStatus = job.status  # type: ignore[assignment]
    return JobView(
        id=job.id,
        kind=job.kind,
        status=status,
        progress=job.progress,
        message=job.message,
        result=None if job.result is None else dict(job.result),
        params=dict(job.params),
        runner=job.runner.alias if job.runner is not None else None,
        attempts=job.attempts,
        created_at=job.created_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
    )


# ---------------------------------------------------------------- the queue


def process_pool(max_workers: int) -> Executor:
    """The default pool: ``max_workers`` fresh processes (spawned, not forked, so no
    thread or model state of the app is copied into them)."""
    return ProcessPoolExecutor(max_workers, mp_context=multiprocessing.get_context("spawn"))


def _gave_up(job: Job) -> str:
    return failure_paragraph(
        UprightError(
            f"the job was started {job.attempts} time{'' if job.attempts == 1 else 's'} and "
            "stopped before it ended each time (upright was closed, or the computer ran out "
            "of memory)",
            fix="Close other programs and start it again, or try a shorter clip",
        )
    )


@dataclass
class _Running:
    attempt: int
    future: Future[None]
    ended: bool = field(default=False)


class JobQueue:
    """Jobs of one database, run by a pool of workers.

    Use as a context manager, or call :meth:`start` and :meth:`shutdown`.

    Parameters
    ----------
    url
        The database; :func:`upright.store.database_url` when None.
    files_root
        Where each job's folder goes (``<files_root>/<job id>/``); :func:`jobs_dir` when
        None. Give each database its own.
    max_workers
        Jobs run at once.
    max_attempts
        Starts of a job before it is given up.
    executor_factory
        Makes the pool for ``max_workers``; :func:`process_pool` by default.
    progress_interval_s
        A running job writes its progress at most this often.
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        files_root: Path | None = None,
        max_workers: int = 1,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
        executor_factory: Callable[[int], Executor] = process_pool,
        progress_interval_s: float = DEFAULT_PROGRESS_INTERVAL_S,
    ) -> None:
        if max_workers < 1 or max_attempts < 1:
            raise ValueError("max_workers and max_attempts must be at least 1")
        self.url = url if url is not None else database_url()
        self.files_root = files_root if files_root is not None else jobs_dir()
        self.max_workers = max_workers
        self.max_attempts = max_attempts
        self._factory = executor_factory
        self.progress_interval_s = progress_interval_s
        self._store = _open_store(self.url)
        self._executor: Executor | None = None
        self._running: dict[int, _Running] = {}
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._closing = False
        self._thread: threading.Thread | None = None

    # -------------------------------------------------------------- life cycle

    def __enter__(self) -> JobQueue:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()

    def start(self) -> tuple[list[int], list[int]]:
        """Recover the jobs a stopped app left running, then start dispatching.

        Returns
        -------
        requeued, failed
            Ids of the jobs put back in the queue, and of those given up.
        """
        with self._store.session() as session:
            recovered = recover_jobs(session, self.max_attempts, _gave_up)
        if recovered[0] or recovered[1]:
            logger.info("jobs re-queued %s, given up %s", *recovered)
        self._thread = threading.Thread(target=self._dispatch, name="upright-jobs", daemon=True)
        self._thread.start()
        return recovered

    def shutdown(self, wait: bool = True) -> None:
        """Stop dispatching. With ``wait`` the running jobs finish first; without, their
        workers are stopped and the jobs go back to the queue (for the next start)."""
        self._closing = True
        self._wake.set()
        if self._thread is not None:
            self._thread.join()
        executor, self._executor = self._executor, None
        if executor is not None:
            if not wait:
                _terminate_workers(executor)
            executor.shutdown(wait=wait, cancel_futures=True)
        with self._lock:
            left = dict(self._running)
            self._running.clear()
        with self._store.session() as session:
            for job_id, running in left.items():
                release_job(session, job_id, running.attempt)
        self._store.close()

    # -------------------------------------------------------------- jobs

    def submit(
        self,
        kind: str,
        params: Mapping[str, Any],
        *,
        runner: str | None = None,
        created_by: int | None = None,
    ) -> JobView:
        """Check and queue a job; it starts as soon as a worker is free. ``created_by`` is
        the clinic account that submitted it (clinic mode shows a job for no runner only to
        its creator and admins).

        Raises
        ------
        InputError
            Unknown kind, parameters the kind refuses, or no runner of that alias.
        """
        spec = job_kind(kind)
        checked = dict(params) if spec.check is None else dict(resolve_target(spec.check)(params))
        with self._store.session() as session:
            owner = get_runner(session, runner) if runner is not None else None
            job = add_job(session, kind, checked, owner, created_by)
            view = _view(job)
        self._wake.set()
        return view

    def get(self, job_id: int) -> JobView:
        """A job as it is now.

        Raises
        ------
        InputError
            No such job.
        """
        with self._store.session() as session:
            job = get_job(session, job_id)
            if job is None:
                raise InputError(f"there is no job {job_id}", fix="Start the job again")
            return _view(job)

    def list_jobs(self, runner: str | None = None, limit: int = 100) -> list[JobView]:
        """Jobs, newest first (a runner's, or all)."""
        with self._store.session() as session:
            owner = get_runner(session, runner) if runner is not None else None
            return [_view(j) for j in jobs(session, runner=owner, limit=limit)]

    def wait(self, job_id: int, timeout_s: float = 600.0, poll_s: float = 0.1) -> JobView:
        """The job once done or failed.

        Raises
        ------
        TimeoutError
            It was still queued or running after ``timeout_s``.
        """
        deadline = time.monotonic() + timeout_s
        while True:
            view = self.get(job_id)
            if view.finished:
                return view
            if time.monotonic() > deadline:
                raise TimeoutError(f"job {job_id} still {view.status} after {timeout_s:g} s")
            time.sleep(poll_s)

    # -------------------------------------------------------------- dispatching

    def _dispatch(self) -> None:
        while not self._closing:
            try:
                self._reap()
                self._pump()
            except Exception:  # keep dispatching; the next round tries again
                logger.exception("the job dispatcher hit an error")
            self._wake.wait(_POLL_S)
            self._wake.clear()

    def _pool(self) -> Executor:
        if self._executor is None:
            self._executor = self._factory(self.max_workers)
        return self._executor

    def _pump(self) -> None:
        """Claim queued jobs while a worker is free, and hand them to the pool."""
        with self._lock:
            free = self.max_workers - len(self._running)
        if free <= 0 or self._closing:
            return
        with self._store.session() as session:
            claimed: list[tuple[int, int, str]] = []
            for job_id in queued_job_ids(session, free):
                attempt = claim_job(session, job_id)
                if attempt is None:
                    continue
                job = get_job(session, job_id)
                assert job is not None
                try:
                    claimed.append((job_id, attempt, job_kind(job.kind).run))
                except InputError as err:
                    mark_failed(job, failure_paragraph(err))
        for job_id, attempt, target in claimed:
            try:
                future = self._pool().submit(
                    run_job,
                    job_id,
                    attempt,
                    target,
                    self.url,
                    str(self.files_root),
                    self.progress_interval_s,
                )
            except (BrokenExecutor, RuntimeError):  # a pool that broke or shut down
                logger.exception("job %d could not be handed to the pool", job_id)
                self._executor = None
                with self._store.session() as session:
                    release_job(session, job_id, attempt)
                continue
            with self._lock:
                self._running[job_id] = _Running(attempt, future)
            future.add_done_callback(partial(self._ended, job_id))

    def _ended(self, job_id: int, _future: Future[None]) -> None:
        # Runs in the pool's thread: only note it and wake the dispatcher.
        with self._lock:
            if job_id in self._running:
                self._running[job_id].ended = True
        self._wake.set()

    def _reap(self) -> None:
        """Forget the jobs whose worker returned; a worker that died or could not reach
        the database leaves its job to be started again (or given up)."""
        with self._lock:
            ended = {k: r for k, r in self._running.items() if r.ended}
            for job_id in ended:
                del self._running[job_id]
        broken = False
        for job_id, running in ended.items():
            if running.future.cancelled():
                error: BaseException | None = None
            else:
                error = running.future.exception()
            if error is None and not running.future.cancelled():
                continue
            broken = broken or isinstance(error, BrokenExecutor)
            logger.warning("job %d: its worker stopped (%r)", job_id, error)
            with self._store.session() as session:
                job = running_attempt(session, job_id, running.attempt)
                if job is None:
                    continue
                if job.attempts >= self.max_attempts:
                    mark_failed(job, _gave_up(job))
                else:
                    job.status, job.progress, job.message = "queued", 0.0, None
        if broken and self._executor is not None:
            with contextlib.suppress(Exception):
                self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None


def _terminate_workers(executor: Executor) -> None:
    """Stop a process pool's workers now (their jobs are re-queued by the caller)."""
    processes: Mapping[int, Any] | None = getattr(executor, "_processes", None)
    stopping = list((processes or {}).values())
    for process in stopping:
        with contextlib.suppress(Exception):
            process.terminate()
    for process in stopping:  # reaped, so no stopped worker lingers as a zombie
        with contextlib.suppress(Exception):
            process.join(_JOIN_S)
