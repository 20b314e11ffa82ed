"""Write an analysed accelerometer recording to its output folder (all or nothing, see
:func:`upright.report.outputs.staged_output`)."""

from __future__ import annotations

from pathlib import Path

from upright.report.imu_plots import write_imu_html, write_imu_png
from upright.report.outputs import write_summary_json
from upright.services.imu_import import PER_MINUTE_FILE, ImuImport

__all__ = ["IMU_OUTPUT_FILES", "write_imu_files"]

#: What ``upright imu`` writes.
IMU_OUTPUT_FILES = ("summary.json", PER_MINUTE_FILE, "thirds.csv", "imu.png", "imu.html")


def write_imu_files(imu: ImuImport, stage: Path) -> None:
    """Write summary, per-minute and thirds tables, and plots into ``stage``."""
    write_summary_json(imu.summary, stage)
    minutes = imu.fatigue.minutes.drop(columns=["x"])
    thirds = imu.fatigue.thirds
    if imu.fatigue.axis == "time":
        minutes = minutes.drop(columns=["start_km", "end_km"])
        thirds = thirds.drop(columns=["start_km", "end_km"])
    minutes.round(4).to_csv(stage / PER_MINUTE_FILE, index=False, na_rep="")
    thirds.round(4).to_csv(stage / "thirds.csv", index=False, na_rep="")
    write_imu_png(imu, stage / "imu.png")
    write_imu_html(imu, stage / "imu.html")
