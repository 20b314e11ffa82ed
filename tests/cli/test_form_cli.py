"""``upright form``: outputs all or nothing, and every refusal exits 2 with one paragraph."""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path
from typing import Any

import cv2
import jsonschema
import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner, Result

from form_cases import plank, plank_clip, save, side_plank, without
from upright.cli.main import app
from upright.io.video import probe_video
from upright.report.form_outputs import FORM_OUTPUT_FILES


def invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args])


def flat(text: str) -> str:
    return " ".join(text.split())


def schema() -> dict[str, Any]:
    text = (files("upright") / "schemas" / "upright.form-1.schema.json").read_text()
    loaded: dict[str, Any] = json.loads(text)
    return loaded


@pytest.fixture(scope="module")
def plank_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return save(plank(), tmp_path_factory.mktemp("form") / "plank.nc")


def test_writes_every_output_and_a_valid_summary(plank_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = invoke("form", "--keypoints", plank_file, "--exercise", "front_plank", "--out", out)
    assert result.exit_code == 0, result.output
    assert {p.name for p in out.iterdir()} == set(FORM_OUTPUT_FILES)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema()).validate(summary)
    frames = pd.read_csv(out / "frames.csv")
    assert {"time_s", "hip_offset_deg", "phase", "verdict", "synthetic"} <= set(frames.columns)
    assert len(frames) == summary["source"]["n_frames"]
    text = flat(result.output)
    assert "Form first lost at" in text and "hips sag" in text and "not a medical device" in text
    assert (out / "form.html").read_text(encoding="utf-8").count("<script") >= 1


def test_json_prints_the_summary(plank_file: Path, tmp_path: Path) -> None:
    result = invoke(
        "form",
        "--keypoints",
        plank_file,
        "--exercise",
        "front_plank",
        "--out",
        tmp_path / "o",
        "--json",
    )
    assert result.exit_code == 0
    assert json.loads(result.output)["exercise"]["key"] == "front_plank"


def refused(result: Result, out: Path, *parts: str) -> None:
    assert result.exit_code == 2, result.output
    text = flat(result.output)
    assert "upright could not finish" in text and "Traceback" not in text
    for part in parts:
        assert part in text, text
    assert not out.exists()


def test_a_front_view_is_refused_and_nothing_written(tmp_path: Path) -> None:
    clip = save(side_plank(), tmp_path / "front.nc")
    out = tmp_path / "out"
    result = invoke("form", "--keypoints", clip, "--exercise", "front_plank", "--out", out)
    refused(result, out, "front.nc:", "from the front or back", "judged from the side")


def test_a_running_clip_is_refused(shared_data: Path, tmp_path: Path) -> None:
    clip = shared_data / "video" / "male_side.rtmpose.json"
    out = tmp_path / "out"
    result = invoke("form", "--keypoints", clip, "--exercise", "front_plank", "--out", out)
    refused(result, out, "male_side.rtmpose.json:", "running", "does not show a front plank")


def test_too_short_nobody_and_cut_off_are_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    short = save(plank().isel(time=slice(0, 45)), tmp_path / "short.nc")
    refused(
        invoke("form", "--keypoints", short, "--exercise", "front_plank", "--out", out),
        out,
        "short.nc:",
        "1.5 s long",
        "at least 3 s",
    )
    names = tuple(plank().coords["keypoint"].values.tolist())
    empty = save(without(plank(), names, 1.0), tmp_path / "empty.nc")
    refused(
        invoke("form", "--keypoints", empty, "--exercise", "front_plank", "--out", out),
        out,
        "empty.nc:",
        "nobody was found in 100% of the frames",
    )
    cut = save(without(plank(), ("left_elbow", "right_elbow"), 0.9), tmp_path / "cut.nc")
    refused(
        invoke("form", "--keypoints", cut, "--exercise", "front_plank", "--out", out),
        out,
        "cut.nc:",
        "the elbows are out of the picture",
    )


def test_bad_options_are_refused(plank_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    refused(
        invoke("form", "--keypoints", plank_file, "--exercise", "plank", "--out", out),
        out,
        "'plank' is not an exercise",
        "front_plank",
    )
    refused(
        invoke("form", "--keypoints", plank_file, "--exercise", "side_plank", "--out", out),
        out,
        "one side at a time",
        "--side left",
    )
    refused(invoke("form", "--exercise", "front_plank", "--out", out), out, "no clip given")


def test_an_existing_folder_keeps_its_files_when_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "my_notes.txt").write_text("keep me", encoding="utf-8")
    clip = save(side_plank(), tmp_path / "front.nc")
    result = invoke("form", "--keypoints", clip, "--exercise", "front_plank", "--out", out)
    assert result.exit_code == 2
    assert [p.name for p in out.iterdir()] == ["my_notes.txt"]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return plank_clip(tmp_path_factory.mktemp("rendered"))


def test_a_clip_gets_an_annotated_video_and_a_still(
    rendered: tuple[Path, Path], tmp_path: Path
) -> None:
    clip, keypoints = rendered
    out = tmp_path / "out"
    result = invoke(
        "form", clip, "--keypoints", keypoints, "--exercise", "front_plank", "--out", out
    )
    assert result.exit_code == 0, result.output
    assert {p.name for p in out.iterdir()} == {*FORM_OUTPUT_FILES, "annotated.mp4", "frame.jpg"}
    info = probe_video(out / "annotated.mp4")
    assert info.n_frames == probe_video(clip).n_frames
    still = cv2.imread(str(out / "frame.jpg"))
    assert still is not None and still.shape[:2] == (360, 640)
    # the still shows the first fault: the body line is drawn red (RGB 235, 40, 40)
    b, g, r = (still[..., k].astype(int) for k in range(3))
    assert int(np.sum((r > 180) & (g < 90) & (b < 90))) > 200


def test_no_annotate_skips_the_video_only(rendered: tuple[Path, Path], tmp_path: Path) -> None:
    clip, keypoints = rendered
    out = tmp_path / "out"
    result = invoke(
        "form",
        clip,
        "--keypoints",
        keypoints,
        "--exercise",
        "front_plank",
        "--out",
        out,
        "--no-annotate",
    )
    assert result.exit_code == 0, result.output
    assert {p.name for p in out.iterdir()} == {*FORM_OUTPUT_FILES, "frame.jpg"}


def test_keypoints_of_another_clip_are_refused(
    rendered: tuple[Path, Path], plank_file: Path, tmp_path: Path
) -> None:
    clip, _ = rendered
    out = tmp_path / "out"
    result = invoke(
        "form", clip, "--keypoints", plank_file, "--exercise", "front_plank", "--out", out
    )
    refused(result, out, "plank.nc:", "do not match the clip")


@pytest.mark.slow
def test_the_real_running_clip_is_not_a_plank(real_clip: Path, tmp_path: Path) -> None:
    """Pose estimation on the real treadmill clip, then the form check refuses it."""
    out = tmp_path / "out"
    result = invoke("form", real_clip, "--exercise", "front_plank", "--out", out)
    refused(result, out, "male_side.mp4:", "upright in", "does not show a front plank")
