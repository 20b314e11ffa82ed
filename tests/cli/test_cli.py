"""Tests of the ``upright`` command line: what ``analyze`` and ``demo`` promise.

Most commands run in-process (Typer's CliRunner, fast); a few run the installed
``upright`` script in a subprocess, end to end, to see exactly what a user sees.
"""

from __future__ import annotations

import errno
import json
import re
import subprocess
import sys
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

import av
import jsonschema
import pandas as pd
import pytest
from typer.testing import CliRunner, Result

from upright.cli.jobs import DEMO_DATABASE, DEMO_LATER_CLIP
from upright.cli.main import app
from upright.io.keypoints import read_keypoints
from upright.io.video import probe_video
from upright.kinematics.strides import STRIDE_COLUMNS
from upright.report import outputs
from upright.report.outputs import OUTPUT_FILES
from upright.report.report_outputs import REPORT_FILES
from upright.report.still import STILL_NAME
from upright.services.demo import DEMO_SPEC

UPRIGHT = Path(sys.executable).with_name("upright")
DEMO_DURATION_S = 20.0
ALL_OUTPUTS = {*OUTPUT_FILES, "annotated.mp4", STILL_NAME}
REAL_N_FRAMES = 360
REAL_CADENCE_RANGE_SPM = (160.0, 178.0)  # true cadence about 169 steps/min
PRE_EXISTING = "my_notes.txt"


# ------------------------------------------------------------------ helpers


def invoke(*args: str | Path) -> Result:
    """Run ``upright ARGS`` in-process."""
    return CliRunner().invoke(app, [str(a) for a in args])


def run_upright(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run the installed ``upright`` script in a subprocess."""
    if not UPRIGHT.exists():
        pytest.skip(f"the upright script is not installed next to {sys.executable}")
    return subprocess.run(
        [str(UPRIGHT), *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def published_schema() -> dict[str, Any]:
    text = (files("upright") / "schemas" / "upright.analysis-1.schema.json").read_text()
    schema: dict[str, Any] = json.loads(text)
    return schema


def load_summary(out: Path) -> dict[str, Any]:
    summary: dict[str, Any] = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    return summary


def assert_valid_summary(summary: dict[str, Any]) -> None:
    jsonschema.Draft202012Validator(published_schema()).validate(summary)
    assert summary["schema_version"] == "upright.analysis/1"


def assert_browser_video(path: Path, n_frames: int) -> None:
    """H.264, yuv420p, the index before the data (plays while loading), every frame."""
    info = probe_video(path)
    assert info.codec == "h264"
    assert info.n_frames == n_frames
    with av.open(str(path)) as container:
        assert container.streams.video[0].codec_context.pix_fmt == "yuv420p"
    head = path.read_bytes()[: 1 << 20]
    moov, mdat = head.find(b"moov"), head.find(b"mdat")
    assert moov >= 0 and (mdat < 0 or moov < mdat), "the index ('moov') is not at the start"


def assert_offline_html(path: Path) -> None:
    html = path.read_text(encoding="utf-8")
    assert "plotly" in html.lower()
    remote = re.findall(
        r"<(?:script|link)\b[^>]*(?:src|href)\s*=\s*[\"']?(?:https?:)?//", html, flags=re.IGNORECASE
    )
    assert remote == [], "posture.html loads scripts or styles from the network"


def folder_state(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every entry of a folder (hidden ones too) with its content and mtime."""
    return {
        p.name: (p.read_bytes() if p.is_file() else b"<dir>", p.stat().st_mtime_ns)
        for p in folder.iterdir()
    }


@pytest.fixture()
def out_with_file(tmp_path: Path) -> Path:
    """An output folder that already holds a file of the user's."""
    out = tmp_path / "results"
    out.mkdir()
    (out / PRE_EXISTING).write_text("do not touch\n", encoding="utf-8")
    return out


# ------------------------------------------------------------------ help


def test_help_lists_the_commands() -> None:
    result = invoke("--help")
    assert result.exit_code == 0, result.output
    assert "analyze" in result.stdout
    assert "demo" in result.stdout


def test_analyze_help_lists_its_options() -> None:
    result = invoke("analyze", "--help")
    assert result.exit_code == 0, result.output
    for option in ("--out", "--keypoints", "--fps", "--no-annotate", "--height-cm"):
        assert option in result.stdout


@pytest.mark.parametrize("args", [["--help"], ["analyze", "--help"], ["demo", "--help"]])
def test_help_end_to_end(args: list[str], tmp_path: Path) -> None:
    proc = run_upright(*args, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "Usage" in proc.stdout
    assert "Traceback" not in proc.stderr


def test_analyze_without_a_clip_says_how_to_start(tmp_path: Path) -> None:
    result = invoke("analyze", "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert re.search(r"no clip given.*upright analyze CLIP\.mp4", result.stderr)
    assert not (tmp_path / "out").exists()


# ------------------------------------------------------------------ demo


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Result, Path]:
    out = tmp_path_factory.mktemp("demo") / "demo-out"
    result = invoke("demo", "--out", out, "--duration-s", str(DEMO_DURATION_S))
    return result, out


@pytest.fixture(scope="module")
def demo_out(demo_run: tuple[Result, Path]) -> Path:
    result, out = demo_run
    assert result.exit_code == 0, result.output
    return out


def test_demo_writes_every_output_and_the_truth(demo_out: Path) -> None:
    journey = {DEMO_DATABASE, DEMO_LATER_CLIP, *REPORT_FILES}
    assert {p.name for p in demo_out.iterdir()} == {*ALL_OUTPUTS, "TRUTH.txt", *journey}


def test_demo_is_labelled_synthetic(demo_run: tuple[Result, Path], demo_out: Path) -> None:
    result, _ = demo_run
    assert "SYNTHETIC" in result.stdout
    truth = (demo_out / "TRUTH.txt").read_text(encoding="utf-8")
    assert truth.startswith("SYNTHETIC DEMO RUNNER - not a real recording.")
    assert f"{DEMO_SPEC.trunk_lean_start_deg} deg at the start" in truth
    assert f"{DEMO_SPEC.trunk_lean_end_deg} deg at the end" in truth


def test_demo_summary_follows_the_published_schema(demo_out: Path) -> None:
    summary = load_summary(demo_out)
    assert_valid_summary(summary)
    assert summary["synthetic"] is True
    assert summary["source"]["kind"] == "synthetic"


def test_demo_strides_table(demo_out: Path) -> None:
    """One row per stride of each foot: left and right strides overlap in time, so each
    foot has about duration x cadence / 120 rows (a stride is two steps)."""
    strides = pd.read_csv(demo_out / "strides.csv")
    assert list(strides.columns) == ["synthetic", *STRIDE_COLUMNS]
    assert strides["synthetic"].all()
    per_foot = DEMO_DURATION_S * DEMO_SPEC.cadence_spm / 120
    counts = strides["foot"].value_counts()
    assert set(counts.index) == {"left", "right"}
    for foot, n in counts.items():
        assert abs(n - per_foot) <= 2, f"{n} {foot} strides, expected about {per_foot:.0f}"


def test_demo_keypoints_read_back(demo_out: Path) -> None:
    ds = read_keypoints(demo_out / "keypoints.nc")
    assert ds.sizes["time"] == round(DEMO_DURATION_S * DEMO_SPEC.fps)
    assert float(ds.attrs["fps"]) == DEMO_SPEC.fps
    assert ds["position"].dims == ("time", "space", "keypoint", "individual")


def test_demo_annotated_video_plays_in_a_browser(demo_out: Path) -> None:
    assert_browser_video(demo_out / "annotated.mp4", round(DEMO_DURATION_S * DEMO_SPEC.fps))


def test_demo_plots(demo_out: Path) -> None:
    assert (demo_out / "posture.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert_offline_html(demo_out / "posture.html")


def test_demo_lean_drift_is_flagged_and_close_to_the_truth(demo_out: Path) -> None:
    """The model's lean grows linearly from 6 to 11 deg over the run; over the strides'
    span the true change is that slope times the span."""
    drift = {d["metric"]: d for d in load_summary(demo_out)["drift"]}
    lean = drift["trunk_lean_stance_deg"]
    slope = (DEMO_SPEC.trunk_lean_end_deg - DEMO_SPEC.trunk_lean_start_deg) / DEMO_DURATION_S
    assert lean["flagged"] is True
    assert lean["change"] == pytest.approx(slope * lean["span_s"], abs=1.0)


# ------------------------------------------------------------------ the real clip


@dataclass(frozen=True)
class Run:
    proc: subprocess.CompletedProcess[str]
    out: Path


@pytest.fixture(scope="module")
def real_run(real_clip: Path, tmp_path_factory: pytest.TempPathFactory) -> Run:
    """``upright analyze male_side.mp4 --height-cm 178``, end to end, run once."""
    work = tmp_path_factory.mktemp("real")
    out = work / "male_side-out"
    proc = run_upright("analyze", real_clip, "--out", out, "--height-cm", "178", cwd=work)
    return Run(proc, out)


@pytest.fixture(scope="module")
def real_out(real_run: Run) -> Path:
    assert real_run.proc.returncode == 0, real_run.proc.stderr
    return real_run.out


@pytest.mark.slow
def test_real_clip_runs_cleanly(real_run: Run, real_out: Path) -> None:
    assert "Traceback" not in real_run.proc.stderr
    assert {p.name for p in real_out.iterdir()} == ALL_OUTPUTS
    assert "Results in" in real_run.proc.stdout


@pytest.mark.slow
def test_real_clip_summary(real_out: Path) -> None:
    summary = load_summary(real_out)
    assert_valid_summary(summary)
    assert summary["synthetic"] is False
    assert summary["source"]["kind"] == "video"
    assert summary["source"]["n_frames"] == REAL_N_FRAMES
    low, high = REAL_CADENCE_RANGE_SPM
    assert low <= summary["cadence_spm"] <= high
    failed = [q for q in summary["quality"] if not q["passed"]]
    assert failed == []
    assert "vertical_oscillation_cm" in summary["metrics"]  # --height-cm was given


@pytest.mark.slow
def test_real_clip_withholds_contact_time_at_30_fps(real_out: Path) -> None:
    withheld = {w["metric"]: w["reason"] for w in load_summary(real_out)["withheld"]}
    assert "ground_contact_ms" not in load_summary(real_out)["metrics"]
    assert re.search(r"30 fps.*at least 50 fps", withheld["ground_contact_ms"])


@pytest.mark.slow
def test_real_clip_strides(real_out: Path) -> None:
    strides = pd.read_csv(real_out / "strides.csv")
    assert list(strides.columns) == STRIDE_COLUMNS
    assert len(strides) >= 20


@pytest.mark.slow
def test_real_clip_other_outputs(real_out: Path) -> None:
    assert_browser_video(real_out / "annotated.mp4", REAL_N_FRAMES)
    assert read_keypoints(real_out / "keypoints.nc").sizes["time"] == REAL_N_FRAMES
    assert (real_out / "posture.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert_offline_html(real_out / "posture.html")


@pytest.fixture()
def no_pose_estimation(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make pose estimation fail loudly if anything calls it."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("pose estimation ran although keypoints were given")

    monkeypatch.setattr("upright.pose.runner.estimate_pose_video", refuse)


@pytest.mark.slow
@pytest.mark.usefixtures("no_pose_estimation")
def test_own_keypoints_reproduce_the_run(real_out: Path, tmp_path: Path) -> None:
    out = tmp_path / "again"
    result = invoke(
        "analyze", "--keypoints", real_out / "keypoints.nc", "--no-annotate", "--out", out
    )
    assert result.exit_code == 0, result.output
    summary, first = load_summary(out), load_summary(real_out)
    assert summary["source"]["kind"] == "keypoints"
    assert summary["cadence_spm"] == pytest.approx(first["cadence_spm"], abs=0.01)
    assert {p.name for p in out.iterdir()} == set(OUTPUT_FILES)


@pytest.mark.usefixtures("no_pose_estimation")
def test_gaitlab_keypoints(shared_data: Path, tmp_path: Path) -> None:
    """GaitLab's RTMPose export of the same clip: no ears, so the head point is head_top."""
    out = tmp_path / "gaitlab"
    result = invoke(
        "analyze", "--keypoints", shared_data / "video" / "male_side.rtmpose.json", "--out", out
    )
    assert result.exit_code == 0, result.output
    summary = load_summary(out)
    assert_valid_summary(summary)
    assert summary["setup"]["head_point"] == "head_top"
    assert any("head_top" in note for note in summary["notes"])
    low, high = REAL_CADENCE_RANGE_SPM
    assert low <= summary["cadence_spm"] <= high
    assert {p.name for p in out.iterdir()} == set(OUTPUT_FILES)  # no clip, no annotation


# ------------------------------------------------------------------ OpenPose folder
# 88 frames of a runner crossing the picture overground; the runner leaves the frame
# at frame 63 (about 2 s of running in view). It states no frame rate.


@pytest.fixture(scope="module")
def openpose_run(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Run:
    """``upright analyze --keypoints openpose_side_run --fps 30``, end to end."""
    work = tmp_path_factory.mktemp("openpose")
    folder = shared_data / "keypoints" / "openpose_side_run"
    proc = run_upright("analyze", "--keypoints", folder, "--fps", "30", "--out", "out", cwd=work)
    return Run(proc, work / "out")


@pytest.fixture(scope="module")
def openpose_out(openpose_run: Run) -> Path:
    assert openpose_run.proc.returncode == 0, openpose_run.proc.stderr
    return openpose_run.out


def test_openpose_folder_emits_no_warning(openpose_run: Run, openpose_out: Path) -> None:
    """Frames where a foot has neither heel nor toe (the runner has left) must not make
    numpy warn on the user's terminal ('Mean of empty slice')."""
    assert "Warning" not in openpose_run.proc.stderr
    assert "Traceback" not in openpose_run.proc.stderr


def test_openpose_folder_with_fps_is_analysed(openpose_out: Path) -> None:
    """It works (exit 0, every output); the runner in view for only 63 of 88 frames
    fails the whole-body check, and every metric is either reported or withheld with
    its reason."""
    assert {p.name for p in openpose_out.iterdir()} == set(OUTPUT_FILES)
    summary = load_summary(openpose_out)
    assert_valid_summary(summary)
    assert summary["source"]["fps"] == 30.0
    assert summary["source"]["n_frames"] == 88
    assert not any("no frame rate" in note for note in summary["notes"])  # --fps given
    checks = {q["name"]: q for q in summary["quality"]}
    assert checks["whole_body"]["passed"] is False
    n_strides = len(pd.read_csv(openpose_out / "strides.csv"))
    assert checks["enough_strides"]["value"] == n_strides
    withheld = {w["metric"] for w in summary["withheld"]}
    assert set(summary["metrics"]) | withheld >= {"trunk_lean_stance_deg", "stride_time_s"}


def test_openpose_folder_finds_the_strides_in_view(openpose_out: Path) -> None:
    assert len(pd.read_csv(openpose_out / "strides.csv")) >= 2


def test_openpose_folder_without_fps_notes_the_assumption(
    shared_data: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    result = invoke(
        "analyze", "--keypoints", shared_data / "keypoints" / "openpose_side_run", "--out", out
    )
    assert result.exit_code == 0, result.output
    assert any("no frame rate; 30 fps was assumed" in n for n in load_summary(out)["notes"])


# ------------------------------------------------------------------ bad input


@dataclass(frozen=True)
class Bad:
    fixture: str
    problem: str  # regex: what is wrong
    fix: str  # regex: what to do about it
    as_keypoints: bool = False


BAD_INPUTS = [
    pytest.param(Bad("missing_clip", r"does not exist", r"Check the path"), id="missing"),
    pytest.param(Bad("text_clip", r"not a video file", r"Give an MP4 or MOV"), id="text"),
    pytest.param(Bad("empty_clip", r"empty \(0 bytes\)", r"copy the video again"), id="empty"),
    pytest.param(
        Bad("truncated_clip", r"no readable index.*cut short", r"Copy the original video"),
        id="truncated",
    ),
    pytest.param(
        Bad("still_image", r"still image, not a video", r"Film at least 10 s"), id="still-image"
    ),
    pytest.param(Bad("no_person_clip", r"no runner was found", r"Film one runner"), id="no-person"),
    pytest.param(
        Bad("feet_out_clip", r"feet are out of frame", r"Step the camera back"), id="feet-out"
    ),
    pytest.param(
        Bad("head_out_clip", r"head is out of frame", r"Step the camera back"),
        id="head-out",
    ),
    pytest.param(
        Bad(
            "broken_keypoints", r"not valid JSON", r"Export the keypoints again", as_keypoints=True
        ),
        id="broken-keypoints",
    ),
    pytest.param(
        Bad("two_fps_clip", r"frame rate is 2 fps; .*at least 10 frames per", r"Film at 30 fps"),
        id="2-fps",
    ),
    pytest.param(
        Bad(
            "paired_timestamps_clip",
            r"frames share timestamps: 15 of its 30 frames",
            r"Export the clip again .* constant frame rate",
        ),
        id="paired-timestamps",
    ),
    pytest.param(
        Bad(
            "frozen_keypoints",
            r"all 360 frames hold exactly the same keypoints",
            r"Extract the keypoints again",
            as_keypoints=True,
        ),
        id="frozen-keypoints",
    ),
    pytest.param(
        Bad(
            "billion_fps_keypoints",
            r"frame rate is 1e\+09 fps; no camera films a runner",
            r"Give the frame rate of the clip",
            as_keypoints=True,
        ),
        id="1e9-fps",
    ),
    pytest.param(
        Bad(
            "negative_fps_netcdf",
            r"frame rate is -30 fps; a frame rate must be a positive number",
            r"Give the frame rate of the clip",
            as_keypoints=True,
        ),
        id="negative-fps",
    ),
    pytest.param(
        Bad(
            "short_keypoints",
            r"only 20 frames show the hips",
            r"Film at least 10 s",
            as_keypoints=True,
        ),
        id="short-keypoints",
    ),
]


@pytest.mark.parametrize("bad", BAD_INPUTS)
def test_bad_input_is_refused_cleanly(
    bad: Bad, request: pytest.FixtureRequest, out_with_file: Path
) -> None:
    path: Path = request.getfixturevalue(bad.fixture)
    before = folder_state(out_with_file)
    where = ["--keypoints", path] if bad.as_keypoints else [path]
    result = invoke("analyze", *where, "--out", out_with_file)
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    message = result.stderr.strip()
    assert "Traceback" not in result.output
    assert "\n" not in message, "the message is not one paragraph"
    assert path.name in message
    assert re.search(bad.problem, message), message
    assert re.search(bad.fix, message), message
    assert folder_state(out_with_file) == before


def test_bad_input_end_to_end(truncated_clip: Path, out_with_file: Path) -> None:
    """What a user sees: exit code 2, one message, no traceback, folder untouched."""
    before = folder_state(out_with_file)
    proc = run_upright("analyze", truncated_clip, "--out", out_with_file, cwd=out_with_file.parent)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert f"{truncated_clip}: this MP4/MOV file has no readable index" in proc.stderr
    assert folder_state(out_with_file) == before


def test_bad_input_leaves_no_output_folder(text_clip: Path, tmp_path: Path) -> None:
    result = invoke("analyze", text_clip, "--out", tmp_path / "new")
    assert result.exit_code == 2
    assert not (tmp_path / "new").exists()


@pytest.mark.parametrize("name", ["run [final].mp4", "run [/x].mp4"])
def test_message_names_a_file_with_brackets(name: str, tmp_path: Path) -> None:
    result = invoke("analyze", tmp_path / name, "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert name in result.stderr


@pytest.fixture()
def in_tmp_cwd(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Run in an empty temporary working folder."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_default_output_folder_is_not_created_on_failure(in_tmp_cwd: Path, text_clip: Path) -> None:
    result = invoke("analyze", text_clip)
    assert result.exit_code == 2
    assert list(in_tmp_cwd.iterdir()) == []


def test_disk_filling_while_writing_says_so_and_keeps_nothing_half(
    shared_data: Path, out_with_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The plot writer meets a full disk after summary, strides and keypoints are staged."""

    def disk_full(*args: Any, **kwargs: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(outputs, "write_posture_png", disk_full)
    before = folder_state(out_with_file)
    keypoints = shared_data / "video" / "male_side.rtmpose.json"
    result = invoke("analyze", "--keypoints", keypoints, "--out", out_with_file)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert (
        f"{out_with_file}: disk full while writing the results; nothing was written. "
        "Free space and run again." in result.stderr
    )
    assert folder_state(out_with_file) == before  # no staging folder, no half file


# ------------------------------------------------------------------ demo journey


def test_demo_journey_reaches_the_report(demo_out: Path) -> None:
    """The demo's three weeks: levels follow the progression rule, the second clip's lean
    (true 4 -> 6.5 deg) is lower beyond noise, and every report file is there."""
    data = json.loads((demo_out / "report.json").read_text(encoding="utf-8"))
    assert data["synthetic"] is True
    assert [s["level"] for s in data["sessions"]] == [1, 1, 1, 2, 2, 1, 1, 2, 2, 2]
    assert len(data["runs"]) == 6
    assert data["red_flags"]["status"] == "clear"
    assert data["plan"]["stage"] == 2
    assert data["lean_change"]["beyond_noise"] is True
    later = load_summary(demo_out / DEMO_LATER_CLIP)
    assert 4.5 < later["metrics"]["trunk_lean_stance_deg"]["value"] < 6.0
    assert "SYNTHETIC DEMO RUNNER" in (demo_out / "report.html").read_text(encoding="utf-8")
    assert (demo_out / "report.pdf").read_bytes().startswith(b"%PDF")
    assert (demo_out / "plan.ics").read_text(encoding="utf-8").count("BEGIN:VEVENT") == 21


def test_demo_never_touches_the_users_database(tmp_path: Path) -> None:
    from upright.cli.jobs import run_demo_job
    from upright.store import data_dir

    out = tmp_path / "demo"
    for _ in range(2):  # a second run into the same folder replaces the first
        run_demo_job(out, duration_s=15.0, annotate=False)
    assert not (data_dir() / "upright.db").exists()
    assert (out / DEMO_DATABASE).is_file()
    assert (out / DEMO_LATER_CLIP / "summary.json").is_file()
