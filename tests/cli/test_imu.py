"""``upright imu FILE``: outputs all or nothing, exit codes, the published schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from typer.testing import CliRunner, Result

import upright
from imu_traces import synthetic_run
from upright.cli.main import app
from upright.imu_summary import SCHEMA_VERSION, schema_json
from upright.report.imu_outputs import IMU_OUTPUT_FILES

SCHEMA_FILE = Path(upright.__file__).resolve().parent / "schemas" / "upright.imu-1.schema.json"


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


def test_real_walk_says_walking(shared_data: Path, tmp_path: Path) -> None:
    walk = shared_data / "imu" / "gaitpy_lumbar_walk.csv"
    result = invoke("imu", walk, "--out", tmp_path / "walk", "--placement", "back", "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["activity"] == "walking" and summary["is_running"] is False
    assert "not running" in summary["activity_reason"]
