"""The jobs behind ``upright analyze`` and ``upright form``, for the job queue.

Each kind has a ``check_*`` function, run when the job is submitted (it refuses bad
parameters before any work, with the message the command line gives), and a ``run_*``
function, run in a worker: the same whole job as the command (pose estimation, analysis,
files written all-or-nothing into the job's folder), its steps reported as progress.

The whole jobs themselves (:func:`upright.cli.jobs.run_analyze_job`,
:func:`upright.cli.form.run_form_job`) are shared with the command line, so a clip gives
the same files and the same errors either way.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from upright.errors import InputError
from upright.limits import HEIGHT_CM
from upright.services.job_runtime import JobContext, JobOutcome, RecordDraft

__all__ = [
    "ANALYZE_STEPS",
    "FORM_STEPS",
    "AnalyzeParams",
    "FormParams",
    "check_analyze",
    "check_form",
    "run_analyze",
    "run_form",
]

_P = TypeVar("_P", bound=BaseModel)

#: Relative weights of the steps of a clip's job (pose estimation dominates).
ANALYZE_STEPS: dict[str, float] = {
    "Pose estimation": 70.0,
    "Reading keypoints": 10.0,
    "Measuring": 5.0,
    "Writing results": 5.0,
    "Annotated video": 20.0,
}
FORM_STEPS: dict[str, float] = {
    "Pose estimation": 70.0,
    "Reading keypoints": 10.0,
    "Judging form": 5.0,
    "Writing results": 5.0,
    "Annotated video": 20.0,
}


class _ClipParams(BaseModel):
    """What both kinds take: a clip (an upload's file) or a keypoint file, or both."""

    model_config = ConfigDict(extra="forbid")

    video: str | None = None
    keypoints: str | None = None
    #: The name the clip was uploaded with (stored with the record, shown to the user).
    source_name: str | None = Field(default=None, max_length=255)
    fps: float | None = Field(default=None, gt=0, le=1000)
    annotate: bool = True
    tilt_deg: float | None = Field(default=None, ge=-30.0, le=30.0)
    workers: int | None = Field(default=None, ge=1, le=64)


class AnalyzeParams(_ClipParams):
    """Parameters of an ``analyze`` job (as the options of ``upright analyze``)."""

    setting: Literal["auto", "treadmill", "overground"] = "auto"
    direction: Literal["auto", "left", "right"] = "auto"
    height_cm: float | None = Field(default=None, ge=HEIGHT_CM[0], le=HEIGHT_CM[1])


class FormParams(_ClipParams):
    """Parameters of a ``form`` job (as the options of ``upright form``)."""

    exercise: str = Field(max_length=60)
    side: Literal["left", "right"] | None = None


def _validated(model: type[_P], params: Mapping[str, Any], what: str) -> _P:
    try:
        return model.model_validate(dict(params))
    except ValidationError as err:
        problems = "; ".join(
            f"{'.'.join(str(x) for x in e['loc']) or 'settings'}: {e['msg']}" for e in err.errors()
        )
        raise InputError(
            f"the settings of the {what} are not valid ({problems})",
            fix="Correct them and start it again",
        ) from err


def _check_files(p: _ClipParams, name: str) -> None:
    if p.video is None and p.keypoints is None:
        raise InputError("no clip given", fix=f"Upload a clip (or a keypoint file) to {name}")
    for given in (p.video, p.keypoints):
        if given is not None and not Path(given).is_file():
            raise InputError(
                "the file is not on disk (any more)",
                path=p.source_name or given,
                fix="Upload it again",
            )


def check_analyze(params: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters of an ``analyze`` job, checked (JSON types)."""
    p = _validated(AnalyzeParams, params, "analysis")
    _check_files(p, "analyse")
    return p.model_dump(mode="json")


def check_form(params: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters of a ``form`` job, checked (JSON types); the exercise and side too."""
    from upright.form.definitions import form_definition

    p = _validated(FormParams, params, "form check")
    form_definition(p.exercise, p.side)
    _check_files(p, "check")
    return p.model_dump(mode="json")


def _steps(base: Mapping[str, float], p: _ClipParams) -> dict[str, float]:
    """The weights of the steps this job will take (no pose estimation from keypoints)."""
    skipped = {"Pose estimation"} if p.keypoints is not None else set()
    if p.keypoints is None:
        skipped.add("Reading keypoints")
    if not p.annotate or p.video is None:
        skipped.add("Annotated video")
    return {k: w for k, w in base.items() if k not in skipped}


def _path(given: str | None) -> Path | None:
    return None if given is None else Path(given)


def _files(out_dir: Path) -> list[str]:
    return sorted(p.name for p in out_dir.iterdir() if not p.name.startswith("."))


def run_analyze(params: Mapping[str, Any], ctx: JobContext) -> JobOutcome:
    """``upright analyze`` as a job; the analysis record is for the job's runner."""
    from upright.cli.jobs import AnalyzeJob, run_analyze_job
    from upright.report.still import STILL_NAME
    from upright.services.analyze import AnalysisOptions

    p = AnalyzeParams.model_validate(dict(params))
    ctx.plan(_steps(ANALYZE_STEPS, p))
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
    analysis = run_analyze_job(job, ctx.progress)
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
    from upright.cli.form import FormJob, run_form_job

    p = FormParams.model_validate(dict(params))
    ctx.plan(_steps(FORM_STEPS, p))
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
    summary = run_form_job(job, ctx.progress)
    totals = summary.totals
    result = {
        "out_dir": str(ctx.out_dir),
        "files": _files(ctx.out_dir),
        "held_s": totals.held_s,
        "good_form_s": totals.good_form_s,
    }
    return JobOutcome(result=result)
