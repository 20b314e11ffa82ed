"""What a finished job left in its folder, read back: an analysis (``upright analyze``'s
files) or a form check (``upright form``'s files), and clips of one run compared by
distance from their analyses' keypoints.

A job's folder is written all or nothing by the job itself; these readers check that
the files are there and of their schema, and say which one is missing or damaged
otherwise. Nothing here writes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final, Literal, TypeVar

import pandas as pd
from pydantic import BaseModel, ValidationError

from upright.errors import InputError, UprightError
from upright.summaries import AnalysisSummary, FormSummary

if TYPE_CHECKING:
    from upright.services.compare import Comparison

_M = TypeVar("_M", bound=BaseModel)

__all__ = [
    "BROWSER_FILES",
    "AnalysisOutputs",
    "FormOutputs",
    "compare_analyses",
    "job_file",
    "read_analysis_outputs",
    "read_form_outputs",
    "read_summary",
]

#: Files of a job's folder a page may show, with their media type.
BROWSER_FILES: Final[dict[str, str]] = {
    "annotated.mp4": "video/mp4",
    "frame.jpg": "image/jpeg",
    "posture.png": "image/png",
    "form.png": "image/png",
    "summary.json": "application/json",
    "strides.csv": "text/csv; charset=utf-8",
    "frames.csv": "text/csv; charset=utf-8",
    # a watch file's and a sensor recording's (upright import, upright imu)
    "run.png": "image/png",
    "imu.png": "image/png",
    "thirds.csv": "text/csv; charset=utf-8",
    "splits_km.csv": "text/csv; charset=utf-8",
    "splits_5min.csv": "text/csv; charset=utf-8",
    "per_minute.csv": "text/csv; charset=utf-8",
}


@dataclass(frozen=True)
class AnalysisOutputs:
    """An analysis folder: its summary, stride table, and whether it has the video."""

    folder: Path
    summary: AnalysisSummary
    strides: pd.DataFrame
    has_video: bool


@dataclass(frozen=True)
class FormOutputs:
    """A form check's folder: its summary, per-frame table, and whether it has the video."""

    folder: Path
    summary: FormSummary
    frames: pd.DataFrame
    has_video: bool


def _gone(folder: Path, name: str) -> InputError:
    return InputError(
        f"the job's results have no {name} (the folder was moved or cleaned up)",
        path=folder,
        fix="Start the job again from its clip",
    )


def read_summary(folder: Path, model: type[_M]) -> _M:
    """The job's ``summary.json`` as ``model``.

    Raises
    ------
    InputError
        The file is missing, damaged or of another schema.
    """
    path = folder / "summary.json"
    if not path.is_file():
        raise _gone(folder, "summary.json")
    try:
        return model.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, ValidationError) as err:
        raise InputError(
            "the job's summary.json is damaged or of another version",
            path=path,
            fix="Start the job again from its clip",
        ) from err


def _table(folder: Path, name: str) -> pd.DataFrame:
    path = folder / name
    if not path.is_file():
        raise _gone(folder, name)
    try:
        return pd.read_csv(path, keep_default_na=True)
    except (OSError, ValueError) as err:
        raise InputError(
            f"the job's {name} is damaged", path=path, fix="Start the job again from its clip"
        ) from err


def read_analysis_outputs(folder: Path) -> AnalysisOutputs:
    """The analysis ``upright analyze`` (or an analyze job) wrote into ``folder``.

    Raises
    ------
    InputError
        A file is missing or damaged.
    """
    return AnalysisOutputs(
        folder=folder,
        summary=read_summary(folder, AnalysisSummary),
        strides=_table(folder, "strides.csv"),
        has_video=(folder / "annotated.mp4").is_file(),
    )


def read_form_outputs(folder: Path) -> FormOutputs:
    """The form check ``upright form`` (or a form job) wrote into ``folder``.

    Raises
    ------
    InputError
        A file is missing or damaged.
    """
    frames = _table(folder, "frames.csv")
    if "verdict" in frames:
        frames["verdict"] = frames["verdict"].fillna("").astype(str)
    return FormOutputs(
        folder=folder,
        summary=read_summary(folder, FormSummary),
        frames=frames,
        has_video=(folder / "annotated.mp4").is_file(),
    )


def job_file(folder: Path, name: str) -> tuple[Path, str]:
    """A file of a job's folder that pages may show, and its media type.

    Raises
    ------
    InputError
        ``name`` is not one of :data:`BROWSER_FILES`, or the job did not write it.
    """
    if name not in BROWSER_FILES:
        raise InputError(f"{name!r} is not a file a page shows", fix="Open the job's page")
    path = folder / name
    if not path.is_file():
        raise _gone(folder, name)
    return path, BROWSER_FILES[name]


def compare_analyses(
    folders: Sequence[tuple[Path, float, str]],
    unit: Literal["km", "min"] = "km",
) -> Comparison:
    """``upright compare`` on analyses already made: each folder's ``keypoints.nc`` at
    its point of the run (``(folder, point, clip name)``), so no pose estimation runs
    again. Returns the :class:`~upright.services.compare.Comparison`.

    Raises
    ------
    InputError
        Fewer than two clips, points not increasing, a folder without keypoints, or a
        clip that cannot be measured (the command's messages, naming the clip).
    """
    from upright.services.compare import ClipInput, CompareOptions, compare_clips

    clips = []
    for folder, point, _name in folders:
        keypoints = folder / "keypoints.nc"
        if not keypoints.is_file():
            raise _gone(folder, "keypoints.nc")
        clips.append(ClipInput(path=keypoints, point=point))
    try:
        return compare_clips(clips, CompareOptions(unit=unit, use_cache=False))
    except UprightError as err:
        for folder, _point, name in folders:  # name the clips, not the job folders
            err.problem = err.problem.replace(str(folder / "keypoints.nc"), name)
            if err.path == folder / "keypoints.nc":
                err.path = Path(name)
        err.problem = err.problem.replace("keypoints.nc", "the clip")
        err.args = (err.message,)
        raise
