"""``upright report``: the files it writes, and bad input that writes nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from typer.testing import CliRunner, Result

from upright.assessment.redflags import RED_FLAG_KEYS
from upright.cli.main import app

runner = CliRunner()


def invoke(*args: str | Path) -> Result:
    return runner.invoke(app, [str(a) for a in args], env={"COLUMNS": "200"})


def checkup(tmp_path: Path, alias: str, **flags: bool) -> None:
    data: dict[str, Any] = {"red_flags": dict.fromkeys(RED_FLAG_KEYS, False) | flags}
    path = tmp_path / f"{alias}-answers.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    assert invoke("profile", "--runner", alias, "--sex", "female").exit_code == 0
    invoke("checkup", "--runner", alias, "--answers", path)


def test_report_of_a_stored_runner(tmp_path: Path) -> None:
    checkup(tmp_path, "ana")
    assert invoke("test", "--runner", "ana", "--times", "side_right=50").exit_code == 0
    out = tmp_path / "rep"
    result = invoke("report", "--runner", "ana", "--out", out)
    assert result.exit_code == 0, result.output
    assert {p.name for p in out.iterdir()} == {
        "report.html",
        "report.pdf",
        "report.json",
        "plan.ics",
    }
    assert (out / "report.pdf").read_bytes().startswith(b"%PDF")
    data = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert data["schema_version"] == "upright.report/1"
    assert data["red_flags"]["status"] == "clear"
    assert data["plan"]["stage"] == 1
    assert data["endurance"]["comparisons"][0]["test"] == "side_bridge_right"
    assert (out / "plan.ics").read_text(encoding="utf-8").count("BEGIN:VEVENT") == 21
    assert "Report written to" in result.output


def test_open_red_flag_report_has_no_calendar(tmp_path: Path) -> None:
    checkup(tmp_path, "bo", fever_chills_unwell=True)
    out = tmp_path / "rep"
    result = invoke("report", "--runner", "bo", "--out", out)
    assert result.exit_code == 0, result.output
    assert "plan.ics" not in {p.name for p in out.iterdir()}
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "The plan is blocked" in html
    assert "blocked" in result.output
    assert "see a doctor today" in " ".join(result.output.split()).lower()


def test_unknown_runner_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "rep"
    result = invoke("report", "--runner", "nobody", "--out", out)
    assert result.exit_code == 2
    assert "nobody" in result.stderr
    assert not out.exists()


def test_missing_analysis_folder_writes_nothing(tmp_path: Path) -> None:
    checkup(tmp_path, "cy")
    out = tmp_path / "rep"
    result = invoke("report", "--runner", "cy", "--out", out, "--analysis", tmp_path / "none")
    assert result.exit_code == 2
    assert "no such analysis folder" in result.stderr
    assert not out.exists()


def test_analysis_folder_without_a_frame_is_named(tmp_path: Path) -> None:
    checkup(tmp_path, "di")
    folder = tmp_path / "analysis"
    folder.mkdir()
    result = invoke("report", "--runner", "di", "--out", tmp_path / "rep", "--analysis", folder)
    assert result.exit_code == 2
    assert "frame.jpg" in result.stderr


def _jpeg(grey: int) -> bytes:
    import cv2
    import numpy as np

    ok, data = cv2.imencode(".jpg", np.full((64, 36, 3), grey, np.uint8))
    assert ok
    return bytes(data.tobytes())


def test_the_still_stored_with_the_latest_analysis_is_shown(tmp_path: Path) -> None:
    """Without --analysis the report shows the still kept with the latest analysis."""
    import base64

    from upright.services.demo import analyze_demo_runner
    from upright.store import add_record, get_runner, open_store

    checkup(tmp_path, "ed")
    _, analysis = analyze_demo_runner(15.0)
    stills = tuple(_jpeg(grey) for grey in (60, 200))
    store = open_store()
    try:
        with store.session() as session:
            runner = get_runner(session, "ed")
            for still in stills:
                add_record(session, runner, "analysis", analysis.summary, still_jpeg=still)
    finally:
        store.close()
    out = tmp_path / "rep"
    result = invoke("report", "--runner", "ed", "--out", out)
    assert result.exit_code == 0, result.output
    html = (out / "report.html").read_text(encoding="utf-8")
    assert base64.b64encode(stills[1]).decode("ascii") in html
    assert base64.b64encode(stills[0]).decode("ascii") not in html
