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


def _pdf_text(path: Path) -> str:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(path)
    try:
        return " ".join(" ".join(p.get_textpage().get_text_range().split()) for p in pdf)
    finally:
        pdf.close()


def test_one_endurance_test_is_the_first_test_everywhere(tmp_path: Path) -> None:
    checkup(tmp_path, "ana")
    times = ("test", "--runner", "ana", "--times", "flexor=100", "extensor=120")
    assert invoke(*times, "side_bridge_right=50").exit_code == 0
    out = tmp_path / "rep"
    result = invoke("report", "--runner", "ana", "--out", out)
    assert result.exit_code == 0, result.output
    assert "Endurance: first test stored; the next test shows the change." in result.output
    assert "+0 s" not in result.output
    data = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert data["endurance"]["changes"] == []
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "<b>First test</b>" in html and "within MDC" not in html
    pdf = _pdf_text(out / "report.pdf")
    assert "first test" in pdf and "within MDC" not in pdf
    # a second test of the extensor is judged against its MDC; the others stay first tests
    assert invoke("test", "--runner", "ana", "--times", "extensor=130").exit_code == 0
    again = invoke("report", "--runner", "ana", "--out", tmp_path / "rep2")
    assert "Endurance, extensor (Sorensen): +10 s (within MDC)." in " ".join(again.output.split())
    changes = json.loads((tmp_path / "rep2" / "report.json").read_text("utf-8"))["endurance"]
    assert [c["test"] for c in changes["changes"]] == ["extensor"]


def test_the_pdf_names_the_command_for_each_missing_part(tmp_path: Path) -> None:
    assert invoke("profile", "--runner", "bo").exit_code == 0
    out = tmp_path / "rep"
    assert invoke("report", "--runner", "bo", "--out", out).exit_code == 0
    pdf = _pdf_text(out / "report.pdf")
    html = (out / "report.html").read_text(encoding="utf-8")
    for command in (
        "upright checkup --runner bo",
        "upright analyze VIDEO --runner bo",
        "upright test --runner bo",
        "upright log session --runner bo",
        "upright log run --runner bo",
    ):
        assert command in pdf, command
        assert command in html, command
