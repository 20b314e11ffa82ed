"""The parameters of the jobs behind ``upright analyze`` and ``upright form``, and their
checks at submission.

Each kind has a ``check_*`` function here, run when the job is submitted (it refuses bad
parameters before any work, with the message the command line gives), and a ``run_*``
function in :mod:`upright.workflows.kinds`, run in a worker: the same whole job as the
command (pose estimation, analysis, files written all-or-nothing into the job's folder),
its steps reported as progress. The queue names the ``run_*`` functions by text, so this
layer never imports the one that writes the files.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from upright.errors import InputError
from upright.limits import HEIGHT_CM

__all__ = [
    "ANALYZE_STEPS",
    "FORM_STEPS",
    "AnalyzeParams",
    "ClipParams",
    "FormParams",
    "check_analyze",
    "check_form",
    "check_settings",
    "planned_steps",
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


class ClipParams(BaseModel):
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


class AnalyzeParams(ClipParams):
    """Parameters of an ``analyze`` job (as the options of ``upright analyze``)."""

    setting: Literal["auto", "treadmill", "overground"] = "auto"
    direction: Literal["auto", "left", "right"] = "auto"
    height_cm: float | None = Field(default=None, ge=HEIGHT_CM[0], le=HEIGHT_CM[1])


class FormParams(ClipParams):
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


def _check_files(p: ClipParams, name: str) -> None:
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


def check_settings(kind: Literal["analyze", "form"], params: Mapping[str, Any]) -> None:
    """Check a job's settings before its clip is received (the files come later).

    Raises
    ------
    InputError
        A setting is not valid (for a form check: the exercise or side too).
    """
    if kind == "analyze":
        _validated(AnalyzeParams, params, "analysis")
        return
    from upright.form.definitions import form_definition

    p = _validated(FormParams, params, "form check")
    form_definition(p.exercise, p.side)


def check_form(params: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters of a ``form`` job, checked (JSON types); the exercise and side too."""
    from upright.form.definitions import form_definition

    p = _validated(FormParams, params, "form check")
    form_definition(p.exercise, p.side)
    _check_files(p, "check")
    return p.model_dump(mode="json")


def planned_steps(base: Mapping[str, float], p: ClipParams) -> dict[str, float]:
    """The weights of the steps a job will take (no pose estimation from keypoints, no
    keypoint reading from a clip, no annotated video when not asked for or from keypoints)."""
    skipped = {"Pose estimation"} if p.keypoints is not None else set()
    if p.keypoints is None:
        skipped.add("Reading keypoints")
    if not p.annotate or p.video is None:
        skipped.add("Annotated video")
    return {k: w for k, w in base.items() if k not in skipped}
