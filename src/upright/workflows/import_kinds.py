"""The job queue's ``run`` and ``imu`` kinds, as run in a worker.

Each runs the same whole job as its command (:func:`upright.workflows.imports.run_import_job`,
:func:`upright.workflows.imports.run_imu_job`), so a file gives the same files, the same
errors and the same record either way; the job's folder also holds the figure as plotly
JSON for the result page. The parameters were checked at submission
(:mod:`upright.services.import_kinds`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from upright.errors import UprightError
from upright.services.import_kinds import (
    IMU_STEPS,
    RUN_STEPS,
    ImuParams,
    RunParams,
    as_uploaded,
)
from upright.services.job_runtime import JobContext, JobOutcome, RecordDraft

__all__ = ["run_imu", "run_run_import"]


def _files(out_dir: Path) -> list[str]:
    return sorted(p.name for p in out_dir.iterdir() if not p.name.startswith("."))


def run_run_import(params: Mapping[str, Any], ctx: JobContext) -> JobOutcome:
    """``upright import`` as a job; the run record is for the job's runner."""
    from upright.workflows.imports import ImportJob, run_import_job

    p = RunParams.model_validate(dict(params))
    ctx.plan(RUN_STEPS)
    assert p.file is not None  # checked at submission
    job = ImportJob(
        file=Path(p.file),
        out_dir=ctx.out_dir,
        pain_onset_km=p.pain_onset_km,
        pain_onset_min=p.pain_onset_min,
        figure_json=True,
        shown_as=p.source_name,
    )
    try:
        run = run_import_job(job, _Steps(ctx))
    except UprightError as err:
        raise as_uploaded(err, p) from err
    draft = RecordDraft(kind="run", summary=run.summary, source_name=p.source_name)
    return JobOutcome(
        result={"out_dir": str(ctx.out_dir), "files": _files(ctx.out_dir)}, record=draft
    )


def run_imu(params: Mapping[str, Any], ctx: JobContext) -> JobOutcome:
    """``upright imu`` as a job; the imu record is for the job's runner."""
    from upright.workflows.imports import ImuJob, run_imu_job

    p = ImuParams.model_validate(dict(params))
    ctx.plan(IMU_STEPS)
    assert p.file is not None  # checked at submission
    still = None if p.still_from is None or p.still_to is None else (p.still_from, p.still_to)
    job = ImuJob(
        file=Path(p.file),
        out_dir=ctx.out_dir,
        placement=p.placement,
        still_s=still,
        pain_onset_km=p.pain_onset_km,
        pain_onset_min=p.pain_onset_min,
        figure_json=True,
        shown_as=p.source_name,
    )
    try:
        imu = run_imu_job(job, _Steps(ctx))
    except UprightError as err:
        raise as_uploaded(err, p) from err
    draft = RecordDraft(kind="imu", summary=imu.summary, source_name=p.source_name)
    return JobOutcome(
        result={"out_dir": str(ctx.out_dir), "files": _files(ctx.out_dir)}, record=draft
    )


class _Steps:
    """The job's progress, with "Reading <stored name>" reported as "Reading" (the
    stored file's name is a hash, not the user's)."""

    def __init__(self, ctx: JobContext) -> None:
        self._progress = ctx.progress

    def start(self, description: str, total: int | None, unit: str = "frames") -> None:
        step = "Reading" if description.startswith("Reading ") else description
        self._progress.start(step, total, unit)

    def advance(self, n: int) -> None:
        self._progress.advance(n)
