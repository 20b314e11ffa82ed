"""Write an analysed accelerometer recording to its output folder (all or nothing, see
:func:`upright.report.outputs.staged_output`)."""

from __future__ import annotations

from pathlib import Path

from upright.report.imu_plots import write_imu_html, write_imu_png
from upright.report.outputs import FileDone, write_summary_json
from upright.services.imu_import import PER_MINUTE_FILE, ImuImport

__all__ = ["IMU_OUTPUT_FILES", "write_imu_files"]

#: What ``upright imu`` writes.
IMU_OUTPUT_FILES = ("summary.json", PER_MINUTE_FILE, "thirds.csv", "imu.png", "imu.html")


def write_imu_files(imu: ImuImport, stage: Path, done: FileDone | None = None) -> None:
    """Write summary, per-minute and thirds tables, and plots (:data:`IMU_OUTPUT_FILES`)
    into ``stage``, calling ``done`` with each file's name once it is written."""
    tick = done or _ignore
    write_summary_json(imu.summary, stage)
    tick("summary.json")
    minutes = imu.fatigue.minutes.drop(columns=["x"])
    thirds = imu.fatigue.thirds
    if imu.fatigue.axis == "time":
        minutes = minutes.drop(columns=["start_km", "end_km"])
        thirds = thirds.drop(columns=["start_km", "end_km"])
    minutes.round(4).to_csv(stage / PER_MINUTE_FILE, index=False, na_rep="")
    tick(PER_MINUTE_FILE)
    thirds.round(4).to_csv(stage / "thirds.csv", index=False, na_rep="")
    tick("thirds.csv")
    write_imu_png(imu, stage / "imu.png")
    tick("imu.png")
    write_imu_html(imu, stage / "imu.html")
    tick("imu.html")


def _ignore(name: str) -> None:
    return None
