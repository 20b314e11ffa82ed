"""One clip of a batch, as a task a worker process (local or on a Ray cluster) runs.

:func:`analyze_clip` is the whole ``upright analyze`` job of one clip: the same
:func:`run_analyze_job` the command calls, with the same settings, writing the same files
all-or-nothing into the clip's own folder. It never raises for a clip that cannot be
analysed: the outcome carries the paragraph the command line would print, so one bad
clip does not stop a batch. Only the death of the worker process itself is left to the
scheduler, which starts the clip again.

Everything a task takes and returns is plain data (paths as text, the summary as JSON
types), so it pickles to a process on this machine or another.
"""

from __future__ import annotations

import os
import socket
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from upright.errors import UprightError, failure_paragraph

__all__ = ["ClipOutcome", "ClipTask", "analyze_clip"]


@dataclass(frozen=True)
class ClipTask:
    """What a worker needs to analyse one clip of a batch.

    ``pose_threads`` is ``upright analyze --workers``: pose estimation threads of this
    clip (results depend on it a little, so a batch gives every clip the same number).
    """

    index: int
    out_dir: str
    video: str | None = None
    keypoints: str | None = None
    fps: float | None = None
    annotate: bool = True
    pose_threads: int | None = None
    tilt_deg: float | None = None
    setting: Literal["auto", "treadmill", "overground"] = "auto"
    direction: Literal["auto", "left", "right"] = "auto"
    height_cm: float | None = None


@dataclass(frozen=True)
class ClipOutcome:
    """How one clip's analysis ended: its summary (JSON types), or the error paragraph;
    the wall time it took in its worker, and the CPU time of that worker process (all
    its threads) meanwhile."""

    index: int
    summary: dict[str, Any] | None
    error: str | None
    seconds: float
    worker: str
    cpu_seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """True when the clip was analysed and its files written."""
        return self.error is None


def analyze_clip(task: ClipTask) -> ClipOutcome:
    """Analyse one clip (``upright analyze`` exactly) into ``task.out_dir``."""
    from upright.services.analyze import AnalysisOptions
    from upright.workflows.analyze import AnalyzeJob, run_analyze_job  # the command's job

    started = time.perf_counter(), time.process_time()
    worker = f"{socket.gethostname()}:{os.getpid()}"
    job = AnalyzeJob(
        out_dir=Path(task.out_dir),
        video=None if task.video is None else Path(task.video),
        keypoints=None if task.keypoints is None else Path(task.keypoints),
        fps=task.fps,
        annotate=task.annotate,
        workers=task.pose_threads,
        options=AnalysisOptions(
            tilt_deg=task.tilt_deg,
            setting=task.setting,
            direction=task.direction,
            height_cm=task.height_cm,
        ),
    )
    try:
        analysis = run_analyze_job(job)
    except UprightError as err:
        return ClipOutcome(task.index, None, failure_paragraph(err), *_since(started, worker))
    except Exception as err:  # one clip's bug must not end the batch; it is reported
        problem = UprightError(
            f"an unexpected error stopped the analysis ({type(err).__name__}: {err})",
            path=task.video or task.keypoints,
            fix="Analyse this clip on its own with upright analyze; if it fails again, report "
            "it with this message",
        )
        return ClipOutcome(task.index, None, failure_paragraph(problem), *_since(started, worker))
    summary = analysis.summary.model_dump(mode="json")
    return ClipOutcome(task.index, summary, None, *_since(started, worker))


def _since(started: tuple[float, float], worker: str) -> tuple[float, str, float]:
    """Wall seconds since ``started``, the worker, and CPU seconds since ``started``."""
    wall = round(time.perf_counter() - started[0], 3)
    return wall, worker, round(time.process_time() - started[1], 3)
