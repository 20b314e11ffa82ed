"""Write an analysis to its output folder, all or nothing.

Files are written into a hidden staging folder inside the output folder and moved into
place only when every one of them succeeded (:func:`staged_output`, from
:mod:`upright.report.staging`); a failure removes the staging folder and leaves what was
already in the output folder untouched.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from upright.io.keypoints import write_keypoints_netcdf
from upright.report.plots import write_interactive_html, write_posture_png
from upright.report.staging import staged_output
from upright.services.analyze import Analysis

__all__ = ["OUTPUT_FILES", "staged_output", "write_analysis_files", "write_summary_json"]

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


def write_analysis_files(analysis: Analysis, stage: Path) -> None:
    """Write summary, stride table, keypoints and plots into ``stage``."""
    summary = analysis.summary
    write_summary_json(summary, stage)
    strides = analysis.strides.copy()
    if summary.synthetic:
        strides.insert(0, "synthetic", True)
    strides.round(4).to_csv(stage / "strides.csv", index=False, na_rep="")
    write_keypoints_netcdf(analysis.raw, stage / "keypoints.nc")
    write_posture_png(summary, analysis.frames, analysis.strides, stage / "posture.png")
    write_interactive_html(summary, analysis.frames, analysis.strides, stage / "posture.html")
