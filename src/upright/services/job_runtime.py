"""The worker's side of a job: what a kind's function gets and returns, and
:func:`run_job`, which runs one attempt and stores how it ended.

:mod:`upright.services.jobs` (the queue) hands :func:`run_job` to its pool; everything
here also works in a process on another machine that reaches the same database.
"""

from __future__ import annotations

import importlib
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from pydantic import BaseModel

from upright.errors import StoreError, UprightError, failure_paragraph
from upright.store import RecordKind, Store, add_record
from upright.store import open_store as _open_store
from upright.store.jobs import mark_done, mark_failed, report_progress, running_attempt

__all__ = [
    "DEFAULT_PROGRESS_INTERVAL_S",
    "JobContext",
    "JobOutcome",
    "RecordDraft",
    "StepProgress",
    "resolve_target",
    "run_job",
]

logger = logging.getLogger(__name__)

#: Progress is written to the job's row at most this often (a step's start always is).
DEFAULT_PROGRESS_INTERVAL_S: Final = 0.5


def resolve_target(target: str) -> Callable[..., Any]:
    """The function named by ``"module:function"``."""
    module, _, name = target.partition(":")
    function: Callable[..., Any] = getattr(importlib.import_module(module), name)
    return function


# ---------------------------------------------------------------- what a kind returns


@dataclass(frozen=True)
class RecordDraft:
    """A record for the job's runner, stored in the transaction that marks the job done."""

    kind: RecordKind
    summary: BaseModel
    source_name: str | None = None
    still_jpeg: bytes | None = None


@dataclass(frozen=True)
class JobOutcome:
    """What a job made: ``result`` (JSON types) is kept on the row; ``record`` is stored
    when the job is for a runner."""

    result: dict[str, Any]
    record: RecordDraft | None = None


# ---------------------------------------------------------------- progress


class _SupersededError(Exception):
    """The job was finished, failed or started again elsewhere: stop this attempt."""


class StepProgress:
    """Progress in steps, as :class:`upright.cli.progress.Progress` reports it, turned
    into one fraction from 0 to 1 and a message.

    Each step named in :meth:`plan` carries its weight; a counted step advances within
    its weight, a step of unknown length counts when the next begins. Steps not planned
    change the message only. The fraction never goes back.

    Parameters
    ----------
    write
        Called with (fraction, message) at each step's start and, while advancing, at
        most every ``interval_s``.
    """

    def __init__(self, write: Callable[[float, str], None], interval_s: float) -> None:
        self._write = write
        self._interval_s = interval_s
        self._weights: dict[str, float] = {}
        self._done_weight = 0.0
        self._step: str | None = None
        self._total: int | None = None
        self._unit = ""
        self._count = 0
        self._fraction = 0.0
        self._last_write = 0.0

    def plan(self, weights: Mapping[str, float]) -> None:
        """The steps to come and their relative weights (for example frames of work)."""
        self._weights = {k: float(v) for k, v in weights.items() if v > 0}

    @property
    def fraction(self) -> float:
        """How much of the job is done, 0 to 1."""
        return self._fraction

    @property
    def message(self) -> str:
        """The current step, with its count."""
        if self._step is None:
            return ""
        if self._total:
            return f"{self._step} ({self._count}/{self._total} {self._unit})".replace(" )", ")")
        return self._step

    def _update(self, force: bool) -> None:
        total_weight = sum(self._weights.values())
        if total_weight > 0 and self._step is not None:
            weight = self._weights.get(self._step, 0.0)
            within = min(1.0, self._count / self._total) if self._total else 0.0
            now = (self._done_weight + weight * within) / total_weight
            self._fraction = max(self._fraction, min(1.0, now))
        clock = time.monotonic()
        if force or clock - self._last_write >= self._interval_s:
            self._last_write = clock
            self._write(self._fraction, self.message)

    def start(self, description: str, total: int | None, unit: str = "frames") -> None:
        """Begin a step of ``total`` items (None: unknown length)."""
        if self._step is not None:
            self._done_weight += self._weights.get(self._step, 0.0)
        self._step, self._total, self._unit, self._count = description, total, unit, 0
        self._update(force=True)

    def advance(self, n: int) -> None:
        """``n`` more items of the current step are done."""
        self._count += n
        self._update(force=False)


@dataclass
class JobContext:
    """What a job's function gets besides its parameters.

    Attributes
    ----------
    job_id, attempt
        Which job, and which start of it.
    out_dir
        The job's own folder for its files (not yet created); write into it with
        :func:`upright.report.staging.staged_output` so it is whole or absent.
    runner
        The alias of the runner the job is for, if any.
    progress
        Report steps here (``start``, ``advance``); :meth:`plan` weighs them.
    """

    job_id: int
    attempt: int
    out_dir: Path
    runner: str | None
    progress: StepProgress

    def plan(self, weights: Mapping[str, float]) -> None:
        """Weigh the steps the job will report (see :class:`StepProgress`)."""
        self.progress.plan(weights)


# ---------------------------------------------------------------- the worker side

_WORKER_STORES: dict[str, Store] = {}


def _worker_store(url: str) -> Store:
    """One open store per database in a worker process."""
    if url not in _WORKER_STORES:
        _WORKER_STORES[url] = _open_store(url)
    return _WORKER_STORES[url]


def _unexpected(err: Exception) -> str:
    return failure_paragraph(
        UprightError(
            f"an unexpected error stopped the job ({type(err).__name__}: {err})",
            fix="Start it again; if it happens again, report it with this message",
        )
    )


def run_job(
    job_id: int,
    attempt: int,
    target: str,
    url: str,
    files_root: str,
    progress_interval_s: float = DEFAULT_PROGRESS_INTERVAL_S,
) -> None:
    """Run attempt ``attempt`` of a job (in a worker) and store how it ended.

    Does nothing when the job is no longer running as that attempt. An error of upright
    (bad input, a clip that cannot be measured) fails the job with the command line's
    paragraph; any other error with a paragraph naming it. Only a failure to reach the
    database escapes (the queue then counts the attempt as interrupted).
    """
    from upright.store import using_database

    store = _worker_store(url)
    with store.session() as session:
        job = running_attempt(session, job_id, attempt)
        if job is None:
            return
        params = dict(job.params)
        runner = job.runner.alias if job.runner is not None else None

    def write(fraction: float, message: str) -> None:
        with store.session() as session:
            if not report_progress(session, job_id, attempt, fraction, message):
                raise _SupersededError

    progress = StepProgress(write, progress_interval_s)
    ctx = JobContext(job_id, attempt, Path(files_root) / str(job_id), runner, progress)
    try:
        with using_database(url):
            outcome: JobOutcome = resolve_target(target)(params, ctx)
    except _SupersededError:
        return
    except UprightError as err:
        _finish(store, job_id, attempt, failed=failure_paragraph(err))
        return
    except Exception as err:
        logger.exception("job %d (%s) stopped on an unexpected error", job_id, target)
        _finish(store, job_id, attempt, failed=_unexpected(err))
        return
    try:
        _finish(store, job_id, attempt, outcome=outcome)
    except StoreError:
        raise
    except UprightError as err:  # the record was refused: nothing of it is stored
        _finish(store, job_id, attempt, failed=failure_paragraph(err))


def _finish(
    store: Store,
    job_id: int,
    attempt: int,
    *,
    outcome: JobOutcome | None = None,
    failed: str | None = None,
) -> None:
    """Mark the job done (storing its record in the same transaction) or failed."""
    with store.session() as session:
        job = running_attempt(session, job_id, attempt)
        if job is None:
            return
        if outcome is None:
            mark_failed(job, failed or _unexpected(RuntimeError("no outcome")))
            return
        result = dict(outcome.result)
        draft = outcome.record
        if draft is not None and job.runner is not None:
            record = add_record(
                session,
                job.runner,
                draft.kind,
                draft.summary,
                source_name=draft.source_name,
                still_jpeg=draft.still_jpeg,
            )
            result["record_id"] = record.id
        mark_done(job, result)
