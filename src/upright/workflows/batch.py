"""``upright batch``: many clips analysed at once, on this machine's cores or a Ray cluster.

Steps: the clips are read and checked (:mod:`upright.services.batch_manifest`) and their
runners looked up, all before any work; each clip becomes one task
(:func:`upright.workflows.batch_task.analyze_clip`, the ``upright analyze`` job) writing
into its own folder under the output folder; :func:`run_tasks` hands the tasks to an
executor and starts again those whose worker died; as each clip ends, its analysis is
stored for its runner (here, in this one process: once per runner and clip, by the clip's
SHA-256); at the end, one table of all clips is written (``results.csv`` and
``results.json``).

A clip that cannot be analysed is a failed row with the paragraph ``upright analyze``
prints for it; the other clips go on. Storing follows ``upright analyze --runner``: the
measurement is kept whatever the runner's red-flag screen says, and the batch gives no
advice (the plan, the log and the report apply the red-flag rule when they read it).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, BrokenExecutor, Executor, Future, wait
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Final, Literal

from upright import __version__
from upright.errors import InputError, UprightError, failure_paragraph
from upright.ledger import note_landed, note_not_done
from upright.services.batch_manifest import BatchClip
from upright.services.executors import WorkerLostError
from upright.workflows.batch_task import ClipOutcome, ClipTask, analyze_clip

__all__ = [
    "DEFAULT_MAX_ATTEMPTS",
    "DEFAULT_POSE_THREADS",
    "RESULT_COLUMNS",
    "BatchResult",
    "ClipRow",
    "TaskEnd",
    "check_runners",
    "clip_row",
    "clip_tasks",
    "default_workers",
    "run_batch",
    "run_tasks",
    "write_results",
]

#: Pose threads of each clip (``upright analyze --workers``), the same on every machine so
#: a clip gives the same keypoints wherever it runs.
DEFAULT_POSE_THREADS: Final = 2
#: Starts of a clip before it is given up when its worker keeps dying.
DEFAULT_MAX_ATTEMPTS: Final = 3
#: Names of the table's files in the output folder.
RESULTS_CSV: Final = "results.csv"
RESULTS_JSON: Final = "results.json"


def default_workers(pose_threads: int = DEFAULT_POSE_THREADS) -> int:
    """Clips at once on this machine: every core busy, each clip using ``pose_threads``."""
    return max(1, (os.cpu_count() or 1) // max(1, pose_threads))


def check_runners(clips: Sequence[BatchClip], source: Path) -> None:
    """Every runner named must be in the database (before any work).

    Raises
    ------
    InputError
        A runner is unknown: the message names the rows and the known runners.
    """
    aliases = sorted({c.runner for c in clips if c.runner is not None})
    if not aliases:
        return
    from upright.services.runner_record import check_runner

    problems = []
    for alias in aliases:
        try:
            check_runner(alias)
        except InputError as err:
            rows = ", ".join(c.where for c in clips if c.runner == alias)
            problems.append(f"{rows}: {err.problem} ({err.fix.rstrip('.')})")
    if problems:
        raise InputError(
            "; ".join(problems),
            path=source,
            fix="Add the runner first (upright profile ALIAS) or correct the alias (nothing "
            "was analysed)",
        )


def clip_tasks(
    clips: Sequence[BatchClip], out_dir: Path, *, annotate: bool, pose_threads: int
) -> list[ClipTask]:
    """One task per clip, each writing into ``out_dir/<clip's name>``."""
    tasks = []
    for i, c in enumerate(clips):
        s = c.settings
        tasks.append(
            ClipTask(
                index=i,
                out_dir=str(out_dir / c.name),
                video=str(c.path) if c.kind == "video" else None,
                keypoints=str(c.path) if c.kind == "keypoints" else None,
                fps=s.fps,
                annotate=annotate,
                pose_threads=pose_threads,
                tilt_deg=s.tilt_deg,
                setting=s.setting,
                direction=s.direction,
                height_cm=s.height_cm,
            )
        )
    return tasks


# ---------------------------------------------------------------- running the tasks


@dataclass(frozen=True)
class TaskEnd:
    """How a task ended for good: its outcome, or why there is none, and its starts."""

    task: ClipTask
    outcome: ClipOutcome | None
    attempts: int
    error: str | None = None


def _lost(attempts: int) -> str:
    return failure_paragraph(
        UprightError(
            f"the process analysing this clip stopped before it ended, {attempts} time"
            f"{'' if attempts == 1 else 's'} (the computer may have run out of memory)",
            fix="Close other programs and analyse the clip again, or use fewer --workers",
        )
    )


def run_tasks(
    tasks: Sequence[ClipTask],
    executor_factory: Callable[[], Executor],
    *,
    slots: int,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    task_fn: Callable[[ClipTask], ClipOutcome] = analyze_clip,
    on_end: Callable[[TaskEnd], None] | None = None,
) -> list[TaskEnd]:
    """Run every task, at most ``slots`` at once; none is lost.

    A task whose worker died (``BrokenExecutor`` of a local pool, whose every running task
    then fails with it) counts an attempt and is started again, alone, so a clip that
    kills its worker cannot take the others down with it again; after ``max_attempts``
    starts it is given up. The pool is replaced after it broke. An executor that starts
    such tasks again itself (Ray, with ``max_retries``) raises :class:`WorkerLostError`
    only once its own retries are spent: the task is given up then. ``on_end`` is called
    (in this thread) as each task ends.

    Returns
    -------
    list of TaskEnd
        In the order of ``tasks``.
    """
    if slots < 1 or max_attempts < 1:
        raise ValueError("slots and max_attempts must be at least 1")
    waiting = deque(tasks)
    suspects: deque[ClipTask] = deque()  # their worker died: each is started alone
    attempts = {t.index: 0 for t in tasks}
    running: dict[Future[ClipOutcome], ClipTask] = {}
    alone = False
    ended: dict[int, TaskEnd] = {}
    executor: Executor | None = None

    def start(task: ClipTask) -> bool:
        """Hand ``task`` to the pool; False when the pool turned out broken."""
        nonlocal executor
        if executor is None:
            executor = executor_factory()
        try:
            running[executor.submit(task_fn, task)] = task
        except BrokenExecutor:
            executor.shutdown(wait=False, cancel_futures=True)
            executor = None
            return False
        return True

    def end(task_end: TaskEnd) -> None:
        ended[task_end.task.index] = task_end
        if on_end is not None:
            on_end(task_end)

    try:
        while waiting or suspects or running:
            if suspects and not running:
                alone = start(suspects[0])
                if alone:
                    suspects.popleft()
            while waiting and not suspects and not alone and len(running) < slots:
                if not start(waiting[0]):
                    break
                waiting.popleft()
            if not running:
                continue  # the pool broke as work was handed to it: a new one is made
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            if any(isinstance(f.exception(), BrokenExecutor) for f in done):
                done, _ = wait(running)  # the pool is broken: every running task ends now
            broken = False
            for future in done:
                task = running.pop(future)
                error = future.exception()
                lost = error if isinstance(error, BrokenExecutor | WorkerLostError) else None
                attempts[task.index] += lost.attempts if isinstance(lost, WorkerLostError) else 1
                if error is None:
                    end(TaskEnd(task, future.result(), attempts[task.index]))
                elif lost is not None:
                    broken = broken or isinstance(lost, BrokenExecutor)
                    spent = isinstance(lost, WorkerLostError)  # the executor retried it already
                    if spent or attempts[task.index] >= max_attempts:
                        end(TaskEnd(task, None, attempts[task.index], _lost(attempts[task.index])))
                    else:
                        suspects.append(task)
                else:
                    end(TaskEnd(task, None, attempts[task.index], _unexpected(error)))
            if not running:
                alone = False
            if broken and executor is not None:
                executor.shutdown(wait=False, cancel_futures=True)
                executor = None
    finally:
        if executor is not None:
            executor.shutdown(wait=not running, cancel_futures=True)
    return [ended[t.index] for t in tasks if t.index in ended]


def _unexpected(error: BaseException) -> str:
    return failure_paragraph(
        UprightError(
            f"the clip's task stopped on an unexpected error ({type(error).__name__}: {error})",
            fix="Analyse this clip on its own with upright analyze; if it fails again, report "
            "it with this message",
        )
    )


# ---------------------------------------------------------------- the table

#: The table's columns, in order.
RESULT_COLUMNS: Final = (
    "clip",
    "folder",
    "sha256",
    "kind",
    "runner",
    "distance_km",
    "minute",
    "status",
    "stored",
    "record_id",
    "attempts",
    "seconds",
    "cpu_seconds",
    "trunk_lean_median_deg",
    "trunk_lean_iqr_deg",
    "head_trunk_median_deg",
    "cadence_spm",
    "strides",
    "quality_failed",
    "drift_flagged",
    "withheld",
    "error",
)

ClipStatus = Literal["done", "failed", "not run"]


@dataclass
class ClipRow:
    """One clip's row of the results table."""

    clip: str
    folder: str
    sha256: str
    kind: str
    runner: str | None
    distance_km: float | None
    minute: float | None
    status: ClipStatus = "not run"
    stored: str = ""
    record_id: int | None = None
    attempts: int = 0
    seconds: float | None = None
    cpu_seconds: float | None = None
    trunk_lean_median_deg: float | None = None
    trunk_lean_iqr_deg: float | None = None
    head_trunk_median_deg: float | None = None
    cadence_spm: float | None = None
    strides: int | None = None
    quality_failed: str = ""
    drift_flagged: str = ""
    withheld: str = ""
    error: str | None = None

    @property
    def ok(self) -> bool:
        """Analysed, and stored when a runner was named."""
        return self.status == "done" and not self.stored.startswith("not stored")


def clip_row(clip: BatchClip) -> ClipRow:
    """The row of a clip not (yet) run."""
    return ClipRow(
        clip=str(clip.path),
        folder=clip.name,
        sha256=clip.sha256,
        kind=clip.kind,
        runner=clip.runner,
        distance_km=clip.distance_km,
        minute=clip.minute,
    )


def _fill_metrics(row: ClipRow, summary: dict[str, Any]) -> None:
    metrics = summary.get("metrics", {})
    lean = metrics.get("trunk_lean_stance_deg")
    head = metrics.get("head_trunk_deg")
    row.trunk_lean_median_deg = None if lean is None else lean["value"]
    row.strides = None if lean is None else lean["n_strides"]
    row.head_trunk_median_deg = None if head is None else head["value"]
    row.cadence_spm = summary.get("cadence_spm")
    leans = [
        s["trunk_lean_stance_deg"]
        for s in summary.get("strides", [])
        if s.get("trunk_lean_stance_deg") is not None
    ]
    if lean is not None and len(leans) >= 2:
        import numpy as np

        q1, q3 = np.percentile(leans, [25, 75])
        row.trunk_lean_iqr_deg = round(float(q3 - q1), 3)
    row.quality_failed = "; ".join(q["name"] for q in summary.get("quality", []) if not q["passed"])
    row.drift_flagged = "; ".join(d["metric"] for d in summary.get("drift", []) if d["flagged"])
    row.withheld = "; ".join(w["metric"] for w in summary.get("withheld", []))


def _store(row: ClipRow, clip: BatchClip, out_dir: Path, summary: dict[str, Any]) -> None:
    """Store the clip's analysis for its runner (once per runner and clip)."""
    from upright.report.still import STILL_NAME
    from upright.services.runner_record import store_clip_summary

    assert clip.runner is not None
    still = out_dir / clip.name / STILL_NAME
    try:
        record_id, new = store_clip_summary(
            clip.runner,
            "analysis",
            summary,
            clip.path.name,
            clip.sha256,
            still_jpeg=still.read_bytes() if still.is_file() else None,
        )
    except UprightError as err:
        row.stored = "not stored"
        row.error = failure_paragraph(err)
        return
    row.record_id = record_id
    row.stored = "stored" if new else "already stored"


@dataclass
class BatchResult:
    """The rows of a batch, and where its table was written."""

    rows: list[ClipRow]
    out_dir: Path
    executor: str
    started_utc: str
    seconds: float = 0.0
    files: list[str] = field(default_factory=list)

    @property
    def failed(self) -> list[ClipRow]:
        """Rows not analysed, or analysed but not stored."""
        return [r for r in self.rows if not r.ok]


def run_batch(
    clips: Sequence[BatchClip],
    out_dir: Path,
    executor_factory: Callable[[], Executor],
    *,
    slots: int,
    executor_name: str,
    annotate: bool = True,
    pose_threads: int = DEFAULT_POSE_THREADS,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    task_fn: Callable[[ClipTask], ClipOutcome] = analyze_clip,
    on_row: Callable[[ClipRow], None] | None = None,
) -> BatchResult:
    """Analyse every clip, store each for its runner, and write the table.

    The table is written even when the batch is stopped (Ctrl-C): clips not finished are
    ``not run``. ``on_row`` is called as each clip ends.
    """
    import time

    out_dir.mkdir(parents=True, exist_ok=True)
    rows = [clip_row(c) for c in clips]
    tasks = clip_tasks(clips, out_dir, annotate=annotate, pose_threads=pose_threads)
    started = time.perf_counter()
    result = BatchResult(rows, out_dir, executor_name, _utc_now())

    def ended(task_end: TaskEnd) -> None:
        row, clip = rows[task_end.task.index], clips[task_end.task.index]
        row.attempts = task_end.attempts
        outcome = task_end.outcome
        if outcome is None or not outcome.ok or outcome.summary is None:
            row.status = "failed"
            row.error = task_end.error if outcome is None else outcome.error
            row.seconds = None if outcome is None else outcome.seconds
        else:
            row.status, row.seconds = "done", outcome.seconds
            row.cpu_seconds = outcome.cpu_seconds
            folder = out_dir / clip.name
            note_landed("folder", str(folder), folder)  # written by the worker, all or nothing
            _fill_metrics(row, outcome.summary)
            if clip.runner is not None:
                _store(row, clip, out_dir, outcome.summary)
        if on_row is not None:
            on_row(row)

    try:
        run_tasks(
            tasks,
            executor_factory,
            slots=slots,
            max_attempts=max_attempts,
            task_fn=task_fn,
            on_end=ended,
        )
    except KeyboardInterrupt:
        left = sum(r.status == "not run" for r in rows)
        if left:
            note_not_done(
                f"{left} clip{'s were' if left > 1 else ' was'} not analysed (marked 'not run' "
                "in results.csv); run the batch again to analyse them (clips already stored "
                "are not stored twice)"
            )
        raise
    finally:
        result.seconds = round(time.perf_counter() - started, 2)
        result.files = write_results(result)
    return result


def _utc_now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def write_results(result: BatchResult) -> list[str]:
    """``results.csv`` and ``results.json`` in the output folder (each replaced whole)."""
    rows = [asdict(r) for r in result.rows]
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=RESULT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for r in rows:
        writer.writerow({k: "" if r[k] is None else r[k] for k in RESULT_COLUMNS})
    doc = {
        "upright_version": __version__,
        "started_utc": result.started_utc,
        "executor": result.executor,
        "seconds": result.seconds,
        "clips": len(rows),
        "done": sum(r.status == "done" for r in result.rows),
        "failed": len(result.failed),
        "rows": rows,
    }
    for name, content in (
        (RESULTS_CSV, text.getvalue()),
        (RESULTS_JSON, json.dumps(doc, indent=2)),
    ):
        path = result.out_dir / name
        _replace(path, content if content.endswith("\n") else content + "\n")
        note_landed("file", str(path), path)
    return [RESULTS_CSV, RESULTS_JSON]


def _replace(path: Path, text: str) -> None:
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)
