"""Write an analysis to its output folder, all or nothing.

Files are written into a hidden staging folder inside the output folder and moved into
place only when every one of them succeeded (:func:`staged_output`, from
:mod:`upright.report.staging`); a failure removes the staging folder and leaves what was
already in the output folder untouched.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel

from upright.io.keypoints import write_keypoints_netcdf
from upright.report.plots import write_interactive_html, write_posture_png
from upright.report.staging import staged_output
from upright.services.analyze import Analysis

__all__ = [
    "OUTPUT_FILES",
    "FileDone",
    "staged_output",
    "write_analysis_files",
    "write_summary_json",
]

#: Called with a file's name once it is written (progress bars count files with it).
FileDone = Callable[[str], None]

OUTPUT_FILES = (
    "summary.json",
    "strides.csv",
    "keypoints.nc",
    "posture.png",
    "posture.html",
)


def write_summary_json(summary: BaseModel, stage: Path) -> None:
    """``summary.json``: the summary, indented, with a final newline."""
    (stage / "summary.json").write_text(summary.model_dump_json(indent=2) + "\n", encoding="utf-8")


def _ignore(name: str) -> None:
    return None


def write_analysis_files(analysis: Analysis, stage: Path, done: FileDone | None = None) -> None:
    """Write the :data:`OUTPUT_FILES` (summary, stride table, keypoints, plots) into
    ``stage``, calling ``done`` with each file's name once it is written."""
    done = done or _ignore
    summary = analysis.summary
    write_summary_json(summary, stage)
    done("summary.json")
    strides = analysis.strides.copy()
    if summary.synthetic:
        strides.insert(0, "synthetic", True)
    strides.round(4).to_csv(stage / "strides.csv", index=False, na_rep="")
    done("strides.csv")
    write_keypoints_netcdf(analysis.raw, stage / "keypoints.nc")
    done("keypoints.nc")
    write_posture_png(summary, analysis.frames, analysis.strides, stage / "posture.png")
    done("posture.png")
    write_interactive_html(summary, analysis.frames, analysis.strides, stage / "posture.html")
    done("posture.html")
