"""Write an imported run to its output folder (all or nothing, see
:func:`upright.report.outputs.staged_output`)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from upright.report.outputs import FileDone, write_summary_json
from upright.report.run_plots import write_run_html, write_run_png
from upright.services.run_import import RunImport, splits_file_name

__all__ = ["RUN_OUTPUT_FILES", "run_output_files", "write_run_files"]

#: What ``upright import`` writes for a run with distance.
RUN_OUTPUT_FILES = ("summary.json", "splits_km.csv", "thirds.csv", "run.png", "run.html")


def run_output_files(run: RunImport) -> tuple[str, ...]:
    """The files written for ``run`` (``splits_5min.csv`` without distance)."""
    return tuple(
        splits_file_name(run.fatigue) if n == "splits_km.csv" else n for n in RUN_OUTPUT_FILES
    )


def _write_table(table: pd.DataFrame, path: Path, axis: str) -> None:
    if axis == "time":
        table = table.drop(columns=["start_km", "end_km", "distance_m", "pace_s_per_km", "pace"])
    table.round(3).to_csv(path, index=False, na_rep="")


def write_run_files(run: RunImport, stage: Path, done: FileDone | None = None) -> None:
    """Write summary, splits, thirds and plots (:func:`run_output_files`) into ``stage``,
    calling ``done`` with each file's name once it is written."""
    tick = done or _ignore
    axis = run.fatigue.axis
    write_summary_json(run.summary, stage)
    tick("summary.json")
    _write_table(run.fatigue.splits, stage / splits_file_name(run.fatigue), axis)
    tick(splits_file_name(run.fatigue))
    _write_table(run.fatigue.thirds, stage / "thirds.csv", axis)
    tick("thirds.csv")
    write_run_png(run, stage / "run.png")
    tick("run.png")
    write_run_html(run, stage / "run.html")
    tick("run.html")


def _ignore(name: str) -> None:
    return None
