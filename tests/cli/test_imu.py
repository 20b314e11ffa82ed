"""``upright imu FILE``: outputs all or nothing, exit codes, the published schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pandas as pd
import pytest
from typer.testing import CliRunner, Result

import upright
from activity_files import fit_bytes
from imu_traces import synthetic_run
from upright.cli.main import app
from upright.report.imu_outputs import IMU_OUTPUT_FILES
from upright.summaries.imu import SCHEMA_VERSION, schema_json

SCHEMA_FILE = Path(upright.__file__).resolve().parent / "schemas" / "upright.imu-1.schema.json"
#: FIT time counts from 1989-12-31 00:00 UTC, unix second 631,065,600.
FIT_EPOCH_UNIX_S = 631_065_600


def invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def trace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("imu") / "run.csv.gz"
    synthetic_run(duration_s=900, lean_start_deg=2, lean_end_deg=8).to_csv(path, index=False)
    return path


def test_the_schema_file_is_the_generated_schema() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema_json()


def test_help_lists_imu_and_its_options() -> None:
    result = invoke("imu", "--help")
    assert result.exit_code == 0, result.output
    for option in ("--placement", "--activity", "--out", "--pain-onset-km", "--json"):
        assert option in result.stdout


def test_imu_writes_every_output_and_a_valid_summary(trace: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = invoke("imu", trace, "--out", out, "--placement", "back", "--pain-onset-min", "7")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == sorted(IMU_OUTPUT_FILES)
    assert "flagged" in result.stdout
    document: dict[str, Any] = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.validate(document, schema, cls=jsonschema.Draft202012Validator)
    assert document["schema_version"] == SCHEMA_VERSION == "upright.imu/1"
    assert document["is_running"] is True
    assert document["pitch_measures"] == "trunk"
    assert document["pain_onset"]["third"] == 2
    pitch = document["fatigue_signs"][0]
    assert pitch["sign"] == "pitch_rising" and pitch["status"] == "flagged"
    assert (out / "imu.html").read_text(encoding="utf-8").count("plotly") > 10


def test_json_goes_to_stdout(trace: Path, tmp_path: Path) -> None:
    result = invoke("imu", trace, "--out", tmp_path / "j", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["schema_version"] == "upright.imu/1"


def test_bad_file_exit_2_and_nothing_written(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("unix_time_s,x_g,y_g,z_g\n0,0,0,1\n0,0,0,1\n", encoding="utf-8")
    out = tmp_path / "never"
    result = invoke("imu", bad, "--out", out)
    assert result.exit_code == 2
    assert "bad.csv" in result.output and "time does not increase" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


def test_constant_signal_exit_2_and_nothing_written(tmp_path: Path) -> None:
    frame = synthetic_run(duration_s=60.0)
    frame[["x_g", "y_g", "z_g"]] = [0.0, -1.0, 0.0]
    flat = tmp_path / "flat.csv"
    frame.to_csv(flat, index=False)
    out = tmp_path / "never"
    result = invoke("imu", flat, "--out", out)
    assert result.exit_code == 2, result.output
    assert f"{flat}: the acceleration is the same in every sample" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


def test_missing_file_and_half_a_still_interval(trace: Path, tmp_path: Path) -> None:
    result = invoke("imu", tmp_path / "nope.csv")
    assert result.exit_code == 2 and "file not found" in result.output
    result = invoke("imu", trace, "--still-from", "1")
    assert result.exit_code == 2 and "needs both ends" in result.output


def test_pain_onset_in_km_needs_a_watch_file(trace: Path, tmp_path: Path) -> None:
    result = invoke("imu", trace, "--out", tmp_path / "x", "--pain-onset-km", "2")
    assert result.exit_code == 2 and "--activity" in result.output


def test_watch_file_from_another_day_is_refused(
    shared_data: Path, trace: Path, tmp_path: Path
) -> None:
    fit = shared_data / "fit" / "activity-small-fenix2-run.fit"
    result = invoke("imu", trace, "--out", tmp_path / "y", "--activity", fit)
    assert result.exit_code == 2
    assert "do not overlap in time" in " ".join(result.output.split())


def test_watch_file_of_the_same_run_gives_km(trace: Path, tmp_path: Path) -> None:
    """The trace starts at unix 1.7e9; a FIT file from that second at 3 m/s for 900 s."""
    fit = tmp_path / "same-run.fit"
    records = [{"time_s": t, "distance": 3.0 * t} for t in range(0, 901, 10)]
    fit.write_bytes(fit_bytes(records, start_s=int(1.7e9) - FIT_EPOCH_UNIX_S))
    out = tmp_path / "km"
    result = invoke("imu", trace, "--out", out, "--activity", fit, "--pain-onset-km", "1.35")
    assert result.exit_code == 0, result.output
    assert "2.70 km" in result.stdout
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    jsonschema.validate(
        summary,
        json.loads(SCHEMA_FILE.read_text(encoding="utf-8")),
        cls=jsonschema.Draft202012Validator,
    )
    assert summary["axis"] == "distance"
    assert summary["distance_km"] == pytest.approx(2.7, abs=0.005)
    assert summary["source"]["overlap_s"] == pytest.approx(900, abs=0.1)
    assert summary["pain_onset"]["minute"] == pytest.approx(7.5, abs=0.02)
    assert {s["span_unit"] for s in summary["fatigue_signs"]} == {"km"}
    minutes = pd.read_csv(out / "per_minute.csv")
    assert list(minutes["start_km"]) == pytest.approx(list(0.003 * minutes["start_s"]), abs=0.003)
    assert list(minutes["end_km"]) == pytest.approx(list(0.003 * minutes["end_s"]), abs=0.003)
    thirds = pd.read_csv(out / "thirds.csv")
    assert list(thirds["start_km"]) == pytest.approx([0.0, 0.9, 1.8], abs=0.01)
    assert list(thirds["end_km"]) == pytest.approx([0.9, 1.8, 2.7], abs=0.01)


def test_real_walk_says_walking(shared_data: Path, tmp_path: Path) -> None:
    walk = shared_data / "imu" / "gaitpy_lumbar_walk.csv"
    result = invoke("imu", walk, "--out", tmp_path / "walk", "--placement", "back", "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["activity"] == "walking" and summary["is_running"] is False
    assert "not running" in summary["activity_reason"]
