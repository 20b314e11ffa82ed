"""Write a form check to its output folder (all or nothing, see
:func:`upright.report.outputs.staged_output`)."""

from __future__ import annotations

from pathlib import Path

from upright.io.keypoints import write_keypoints_netcdf
from upright.report.form_plots import write_form_html, write_form_png
from upright.report.outputs import write_summary_json
from upright.services.form import FormResult

__all__ = ["FORM_OUTPUT_FILES", "write_form_files"]

#: What ``upright form`` writes (plus annotated.mp4 and frame.jpg from a video).
FORM_OUTPUT_FILES = ("summary.json", "frames.csv", "keypoints.nc", "form.png", "form.html")


def write_form_files(result: FormResult, stage: Path) -> None:
    """Write summary, per-frame table, keypoints and plots into ``stage``."""
    write_summary_json(result.summary, stage)
    frames = result.frames.copy()
    if result.summary.synthetic:
        frames.insert(0, "synthetic", True)
    frames.round(4).to_csv(stage / "frames.csv", index=False, na_rep="")
    write_keypoints_netcdf(result.raw, stage / "keypoints.nc")
    write_form_png(result.summary, result.definition, result.frames, stage / "form.png")
    write_form_html(result.summary, result.definition, result.frames, stage / "form.html")
