"""The parameters of the jobs behind ``upright import`` (kind ``run``: a watch file) and
``upright imu`` (kind ``imu``: a worn-sensor recording), and their checks at submission.

A check refuses bad settings, and reads the file, before a job exists: a damaged or
wrong file is refused with the command line's message, naming the file as it was sent,
and nothing is queued. The measuring and the files are the job's
(:mod:`upright.workflows.import_kinds`).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from upright.errors import InputError, UprightError
from upright.services._onset import check_one_onset

__all__ = [
    "IMU_STEPS",
    "RUN_STEPS",
    "ImuParams",
    "RunParams",
    "as_uploaded",
    "check_imu",
    "check_imu_settings",
    "check_run",
    "check_run_settings",
]

#: Relative weights of the steps of each kind (drawing the plots dominates).
RUN_STEPS: dict[str, float] = {"Reading": 20.0, "Measuring the run": 30.0, "Writing results": 50.0}
IMU_STEPS: dict[str, float] = {
    "Reading": 20.0,
    "Measuring posture and steps": 30.0,
    "Writing results": 50.0,
}


class _FileParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    #: The upload's stored file (by hash), or a file on this computer.
    file: str | None = None
    #: The name the file was sent with (shown to the user, stored with the record).
    source_name: str | None = Field(default=None, max_length=255)
    pain_onset_km: float | None = Field(default=None, ge=0)
    pain_onset_min: float | None = Field(default=None, ge=0)


class RunParams(_FileParams):
    """Parameters of a ``run`` job (as the options of ``upright import``)."""


class ImuParams(_FileParams):
    """Parameters of an ``imu`` job (as the options of ``upright imu``)."""

    placement: Literal["chest", "back", "hip"] = "hip"
    still_from: float | None = Field(default=None, ge=0)
    still_to: float | None = Field(default=None, ge=0)


def as_uploaded(err: UprightError, p: _FileParams) -> UprightError:
    """``err`` naming the file as the user sent it, not the upload's stored file."""
    if p.source_name is None or p.file is None or err.path != Path(p.file):
        return err
    named = copy.copy(err)
    named.path = Path(p.source_name)
    named.problem = err.problem.replace(p.file, p.source_name)
    named.args = (named.message,)
    return named


def _validated(model: type[_FileParams], params: Mapping[str, Any], what: str) -> Any:
    try:
        p = model.model_validate(dict(params))
    except ValidationError as err:
        problems = "; ".join(
            f"{'.'.join(str(x) for x in e['loc']) or 'settings'}: {e['msg']}" for e in err.errors()
        )
        raise InputError(
            f"the settings of the {what} are not valid ({problems})",
            fix="Correct them and send the file again",
        ) from err
    check_one_onset(p.pain_onset_km, p.pain_onset_min)
    return p


def _check_file(p: _FileParams, what: str) -> Path:
    if p.file is None:
        raise InputError("no file given", fix=f"Upload {what}")
    path = Path(p.file)
    if not path.is_file():
        raise InputError(
            "the file is not on disk (any more)", path=p.source_name or path, fix="Upload it again"
        )
    return path


def check_run_settings(params: Mapping[str, Any]) -> RunParams:
    """A ``run`` job's settings, checked before its file is received."""
    p: RunParams = _validated(RunParams, params, "import")
    return p


def check_imu_settings(params: Mapping[str, Any]) -> ImuParams:
    """An ``imu`` job's settings, checked before its file is received.

    Raises
    ------
    InputError
        A setting is not valid, both pain onsets are given, or only one end of the still
        interval.
    """
    p: ImuParams = _validated(ImuParams, params, "sensor analysis")
    if (p.still_from is None) != (p.still_to is None):
        raise InputError(
            "a still interval needs both ends", fix="Give both --still-from and --still-to"
        )
    return p


def check_run(params: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters of a ``run`` job, checked, its watch file read once (JSON types).

    Raises
    ------
    InputError
        A setting is not valid, or the file cannot be read as a run (damaged, cut short,
        a walk or a ride), named as it was sent.
    """
    from upright.io.activity import read_run

    p = check_run_settings(params)
    path = _check_file(p, "the watch file (FIT, GPX or TCX)")
    try:
        read_run(path)
    except UprightError as err:
        raise as_uploaded(err, p) from err
    return p.model_dump(mode="json")


def check_imu(params: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters of an ``imu`` job, checked, its recording read once (JSON types).

    Raises
    ------
    InputError
        A setting is not valid, or the file cannot be read as an accelerometer recording,
        named as it was sent.
    """
    from upright.io.imu import read_imu

    p = check_imu_settings(params)
    path = _check_file(p, "the sensor recording (CSV, gzip CSV or a Sensor Logger zip)")
    try:
        read_imu(path)
    except UprightError as err:
        raise as_uploaded(err, p) from err
    return p.model_dump(mode="json")
