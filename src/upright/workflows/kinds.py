"""The job queue's ``analyze`` and ``form`` kinds, as run in a worker.

Each runs the same whole job as its command (:func:`upright.workflows.run_analyze_job`,
:func:`upright.workflows.run_form_job`), so a clip gives the same files and the same
errors either way; the parameters were checked at submission
(:mod:`upright.services.job_kinds`).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from upright.errors import UprightError
from upright.services.job_kinds import (
    ANALYZE_STEPS,
    FORM_STEPS,
    AnalyzeParams,
    ClipParams,
    FormParams,
    planned_steps,
)
from upright.services.job_runtime import JobContext, JobOutcome, RecordDraft

__all__ = ["run_analyze", "run_form"]


def _path(given: str | None) -> Path | None:
    return None if given is None else Path(given)


def _files(out_dir: Path) -> list[str]:
    return sorted(p.name for p in out_dir.iterdir() if not p.name.startswith("."))


def _named_as_uploaded(err: UprightError, p: ClipParams) -> UprightError:
    """``err`` naming the clip as the user sent it, not the upload's stored file."""
    if p.source_name is None or err.path is None:
        return err
    stored = [Path(f) for f in (p.video, p.keypoints) if f is not None]
    if err.path not in stored:
        return err
    named = copy.copy(err)
    named.path = Path(p.source_name)
    named.problem = err.problem.replace(str(err.path), p.source_name)
    named.args = (named.message,)
    return named


def run_analyze(params: Mapping[str, Any], ctx: JobContext) -> JobOutcome:
    """``upright analyze`` as a job; the analysis record is for the job's runner."""
    from upright.report.still import STILL_NAME
    from upright.services.analyze import AnalysisOptions
    from upright.workflows.analyze import AnalyzeJob, run_analyze_job

    p = AnalyzeParams.model_validate(dict(params))
    ctx.plan(planned_steps(ANALYZE_STEPS, p))
    job = AnalyzeJob(
        out_dir=ctx.out_dir,
        video=_path(p.video),
        keypoints=_path(p.keypoints),
        fps=p.fps,
        annotate=p.annotate,
        workers=p.workers,
        options=AnalysisOptions(
            tilt_deg=p.tilt_deg, setting=p.setting, direction=p.direction, height_cm=p.height_cm
        ),
    )
    try:
        analysis = run_analyze_job(job, ctx.progress)
    except UprightError as err:
        raise _named_as_uploaded(err, p) from err
    still = ctx.out_dir / STILL_NAME
    draft = RecordDraft(
        kind="analysis",
        summary=analysis.summary,
        source_name=p.source_name,
        still_jpeg=still.read_bytes() if still.is_file() else None,
    )
    result = {"out_dir": str(ctx.out_dir), "files": _files(ctx.out_dir)}
    return JobOutcome(result=result, record=draft)


def run_form(params: Mapping[str, Any], ctx: JobContext) -> JobOutcome:
    """``upright form`` as a job (a form check is kept as files, not as a record)."""
    from upright.workflows.form import FormJob, run_form_job

    p = FormParams.model_validate(dict(params))
    ctx.plan(planned_steps(FORM_STEPS, p))
    job = FormJob(
        exercise=p.exercise,
        out_dir=ctx.out_dir,
        video=_path(p.video),
        keypoints=_path(p.keypoints),
        side=p.side,
        fps=p.fps,
        tilt_deg=p.tilt_deg,
        annotate=p.annotate,
        workers=p.workers,
    )
    try:
        summary = run_form_job(job, ctx.progress)
    except UprightError as err:
        raise _named_as_uploaded(err, p) from err
    totals = summary.totals
    result = {
        "out_dir": str(ctx.out_dir),
        "files": _files(ctx.out_dir),
        "held_s": totals.held_s,
        "good_form_s": totals.good_form_s,
    }
    return JobOutcome(result=result)
