"""Progress of the long commands: each step named, files counted against a real total."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from rich.console import Console
from typer.testing import CliRunner

from activity_files import fit_bytes
from imu_traces import synthetic_run
from upright.assessment.redflags import RED_FLAG_KEYS
from upright.cli.imu import ImuJob, run_imu_job
from upright.cli.jobs import AnalyzeJob, run_analyze_job, run_report_job
from upright.cli.main import app
from upright.cli.progress import RichProgress
from upright.cli.run_import import ImportJob, run_import_job
from upright.io.keypoints import write_keypoints_netcdf
from upright.io.video import VideoWriter
from upright.synthetic.runner import RunnerSpec, simulate_run


class Recorder:
    """Keeps every step started, with its total and unit, and the items advanced."""

    def __init__(self) -> None:
        self.steps: list[dict[str, Any]] = []

    def start(self, description: str, total: int | None, unit: str = "frames") -> None:
        self.steps.append({"name": description, "total": total, "unit": unit, "done": 0})

    def advance(self, n: int) -> None:
        self.steps[-1]["done"] += n

    def step(self, name: str) -> dict[str, Any]:
        (found,) = [s for s in self.steps if s["name"] == name]
        return found


def files_in(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


def test_writing_results_counts_every_file_of_an_analysis(tmp_path: Path) -> None:
    run = simulate_run(RunnerSpec(duration_s=10.0, cadence_spm=170.0))
    keypoints = tmp_path / "run.nc"
    write_keypoints_netcdf(run.ds, keypoints)
    clip = tmp_path / "clip.mp4"  # a clip behind the keypoints: the still is written too
    with VideoWriter(clip, width_px=64, height_px=48, fps=30, preset="ultrafast") as writer:
        for _ in range(run.ds.sizes["time"]):
            writer.write(np.full((48, 64, 3), 128, dtype=np.uint8))
    progress, out = Recorder(), tmp_path / "out"
    job = AnalyzeJob(out_dir=out, video=clip, keypoints=keypoints, annotate=False)
    run_analyze_job(job, progress)
    writing = progress.step("Writing results")
    assert writing["unit"] == "files"
    assert writing["total"] == writing["done"] == len(files_in(out)) == 6


def test_import_names_its_steps_and_counts_its_files(tmp_path: Path) -> None:
    records = [{"time_s": float(t), "heart_rate": 150, "cadence": 86} for t in range(0, 1800, 2)]
    fit = tmp_path / "treadmill.fit"
    fit.write_bytes(fit_bytes(records))
    progress, out = Recorder(), tmp_path / "out"
    run_import_job(ImportJob(file=fit, out_dir=out), progress)
    names = [s["name"] for s in progress.steps]
    assert names == ["Reading treadmill.fit", "Measuring the run", "Writing results"]
    writing = progress.step("Writing results")
    assert writing["total"] == writing["done"] == len(files_in(out)) == 5


def test_imu_names_its_steps_and_counts_its_files(tmp_path: Path) -> None:
    trace = tmp_path / "run.csv.gz"
    synthetic_run(duration_s=600, lean_start_deg=2, lean_end_deg=6).to_csv(trace, index=False)
    progress, out = Recorder(), tmp_path / "out"
    run_imu_job(ImuJob(file=trace, out_dir=out), progress)
    names = [s["name"] for s in progress.steps]
    assert names == ["Reading run.csv.gz", "Measuring posture and steps", "Writing results"]
    writing = progress.step("Writing results")
    assert writing["total"] == writing["done"] == len(files_in(out)) == 5


@pytest.mark.parametrize(("flag", "n_files"), [(False, 4), (True, 3)])
def test_report_counts_its_files_with_and_without_a_calendar(
    tmp_path: Path, flag: bool, n_files: int
) -> None:
    runner = CliRunner()
    answers = tmp_path / "answers.yaml"
    flags = dict.fromkeys(RED_FLAG_KEYS, False) | {RED_FLAG_KEYS[0]: flag}
    answers.write_text(yaml.safe_dump({"red_flags": flags}), encoding="utf-8")
    assert runner.invoke(app, ["profile", "--runner", "ana"]).exit_code == 0
    runner.invoke(app, ["checkup", "--runner", "ana", "--answers", str(answers)])
    progress, out = Recorder(), tmp_path / "report"
    run_report_job("ana", out, progress=progress)
    assert [s["name"] for s in progress.steps] == [
        "Reading the runner's record",
        "Writing the report",
    ]
    writing = progress.step("Writing the report")
    assert writing["total"] == writing["done"] == len(files_in(out)) == n_files


def test_bar_shows_counts_with_their_unit_and_no_unknown_total() -> None:
    console = Console(record=True, width=120, force_terminal=True)
    with RichProgress(console) as progress:
        progress.start("Measuring", None)
        progress._progress.refresh()
        unknown = console.export_text()
        progress.start("Writing results", 5, "files")
        progress.advance(3)
        progress._progress.refresh()
        counted = console.export_text()
    assert "Measuring" in unknown and "?" not in unknown and "left" not in unknown
    assert "3/5 files" in counted and "left" in counted
