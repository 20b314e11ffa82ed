"""``upright test --video/--keypoints CLIP --test KEY``: a hold timed from a clip,
stored with its source, judged as typed results are, and marked in the report; clips
that cannot be timed store nothing."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa
import yaml
from typer.testing import CliRunner, Result

from form_cases import PLANK_SPEC, save
from upright.assessment.redflags import RED_FLAG_KEYS
from upright.cli.main import app
from upright.store import open_store
from upright.synthetic.exercise import ExerciseSpec, simulate_exercise

cli = CliRunner()
#: Side plank, right side down, hip offset +5 deg at 4 s to -25 deg at 10 s: it crosses
#: the -10 deg hip-drop limit at exactly 7 s; in position from 2.6 s.
SIDE_SPEC = ExerciseSpec(
    figure="side_plank", side="right", hold_end_s=18.0, offset_knots=((4.0, 5.0), (10.0, -25.0))
)
SIDE_TRUTH_S = 7.0 - SIDE_SPEC.reached_s


def invoke(*args: str) -> Result:
    return cli.invoke(app, list(args), env={"COLUMNS": "200"})


def flat(text: str) -> str:
    return " ".join(text.split())


def endurance_rows() -> list[dict[str, object]]:
    store = open_store()
    try:
        with store.engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT * FROM endurance_test ORDER BY id")).mappings()
            return [dict(r) for r in rows]
    finally:
        store.close()


def clear_runner(tmp_path: Path, alias: str = "ana") -> None:
    assert invoke("profile", "--runner", alias, "--sex", "female").exit_code == 0
    answers = tmp_path / "answers.yaml"
    answers.write_text(yaml.safe_dump({"red_flags": dict.fromkeys(RED_FLAG_KEYS, False)}))
    result = invoke("checkup", "--runner", alias, "--answers", str(answers))
    assert result.exit_code == 0, result.output


@pytest.fixture
def side_clip(tmp_path: Path) -> Path:
    return save(simulate_exercise(SIDE_SPEC).ds, tmp_path / "side_right.nc")


def test_a_hold_timed_from_a_clip_is_stored_with_its_source(
    tmp_path: Path, side_clip: Path
) -> None:
    clear_runner(tmp_path)
    result = invoke(
        "test", "--keypoints", str(side_clip), "--test", "side_bridge_right", "--runner", "ana"
    )
    assert result.exit_code == 0, result.output
    [row] = endurance_rows()
    assert (row["test_key"], row["side"], row["source"]) == ("side_bridge", "right", "video")
    assert abs(float(row["seconds"]) - SIDE_TRUTH_S) <= 0.5  # type: ignore[arg-type]
    assert abs(float(row["ended_at_s"]) - 7.0) <= 0.1  # type: ignore[arg-type]
    assert row["ended_reason"] == "hip drops"
    assert row["source_name"] == "side_right.nc"
    assert row["source_sha256"] == hashlib.sha256(side_clip.read_bytes()).hexdigest()
    out = flat(result.stdout)
    assert "Endurance against" in out  # judged against the profile's norms
    assert f"timed from video: side_right.nc, ended at {row['ended_at_s']:.1f} s: hip drops" in out

    report = invoke("report", "--runner", "ana", "--out", str(tmp_path / "report"))
    assert report.exit_code == 0, report.output
    html = (tmp_path / "report" / "report.html").read_text("utf-8")
    assert "timed from video: side_right.nc, ended at 7.0 s: hip drops" in html
    assert "timed from video: side_right.nc" in flat(report.stdout)
    data = json.loads((tmp_path / "report" / "report.json").read_text("utf-8"))
    [point] = data["endurance_history"]
    assert (point["source"], point["ended_reason"]) == ("video", "hip drops")


def test_typed_results_stay_typed_and_unmarked(tmp_path: Path, side_clip: Path) -> None:
    clear_runner(tmp_path)
    assert invoke("test", "side_bridge_left=60", "--runner", "ana").exit_code == 0
    [row] = endurance_rows()
    assert (row["source"], row["source_name"], row["ended_reason"]) == ("typed", None, None)
    report = invoke("report", "--runner", "ana", "--out", str(tmp_path / "report"))
    assert "timed from video" not in (tmp_path / "report" / "report.html").read_text("utf-8")
    assert "timed from video" not in report.stdout


def test_the_same_clip_is_stored_once_and_is_not_its_own_previous_test(
    tmp_path: Path, side_clip: Path
) -> None:
    clear_runner(tmp_path)
    args = ("test", "--keypoints", str(side_clip), "--test", "side_bridge_right", "--runner", "ana")
    assert invoke(*args).exit_code == 0
    again = invoke(*args, "--json")
    assert again.exit_code == 0, again.output
    assert len(endurance_rows()) == 1
    assert json.loads(again.stdout)["result"]["assessment"]["changes"] == []


def test_without_a_runner_nothing_is_stored_and_json_has_the_timing(side_clip: Path) -> None:
    result = invoke(
        "test", "--keypoints", str(side_clip), "--test", "side_bridge", "--side", "right",
        "--sex", "female", "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["schema_version"] == "upright.endurance-video-test/1"
    assert data["timing"]["ended_by"] == "stop rule"
    assert abs(data["timing"]["held_s"] - SIDE_TRUTH_S) <= 0.5
    [comparison] = data["result"]["assessment"]["comparisons"]
    assert comparison["value_s"] == data["timing"]["held_s"]
    assert endurance_rows() == []


def _bad_clips(folder: Path) -> dict[str, tuple[Path, str, str]]:
    """name -> (keypoint file, test key, what the message must say)."""
    nobody = simulate_exercise(SIDE_SPEC).ds.copy(deep=True)
    nobody["position"].values[:] = np.nan
    nobody["confidence"].values[:] = 0.0
    lying = ExerciseSpec(setup_s=25.0, duration_s=20.0, hold_end_s=None)
    return {
        "nobody": (save(nobody, folder / "empty.nc"), "side_bridge_right", "nobody was found"),
        "never": (
            save(simulate_exercise(lying).ds, folder / "lying.nc"),
            "front_plank",
            "position was never reached",
        ),
        "wrong": (
            save(simulate_exercise(PLANK_SPEC).ds, folder / "plank.nc"),
            "side_bridge_left",
            "judged from the front",
        ),
        "still": (
            save(simulate_exercise(ExerciseSpec(hold_end_s=None)).ds, folder / "held.nc"),
            "front_plank",
            "still holding at the end of the clip",
        ),
        "unknown": (folder / "plank.nc", "pushups", "not an endurance test a clip can time"),
        "reps": (folder / "plank.nc", "single_leg_bridge_left", "counts repetitions"),
    }


BAD = ["nobody", "never", "wrong", "still", "unknown", "reps"]


@pytest.mark.parametrize("case", BAD)
def test_clips_that_cannot_be_timed_store_nothing(tmp_path: Path, case: str) -> None:
    clear_runner(tmp_path)
    path, key, says = _bad_clips(tmp_path)[case]
    result = invoke("test", "--keypoints", str(path), "--test", key, "--runner", "ana")
    assert result.exit_code == 2, result.output
    message = flat(result.stderr)
    assert says in message
    assert message.startswith("upright could not finish.")
    assert "\n\n" not in result.stderr.strip()  # one paragraph
    assert "Traceback" not in result.output
    assert endurance_rows() == []


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("--test", "front_plank"), "no clip was given"),
        (("--side", "right"), "no clip was given"),
        (("--keypoints", "KP"), "which test does"),
        (("--keypoints", "KP", "--test", "front_plank", "flexor=60"), "typed results cannot go"),
        (("--keypoints", "KP", "--test", "front_plank", "--seed", "3"), "--seed cannot go"),
        (("--keypoints", "KP", "--test", "side_bridge_right", "--side", "left"), "contradicts"),
    ],
)
def test_options_that_do_not_fit_together_are_named(
    tmp_path: Path, side_clip: Path, args: tuple[str, ...], says: str
) -> None:
    args = tuple(str(side_clip) if a == "KP" else a for a in args)
    result = invoke("test", *args)
    assert result.exit_code == 2, result.output
    assert says in flat(result.stderr)


def test_the_help_describes_timing_from_a_clip() -> None:
    result = invoke("test", "--help")
    text = flat(result.stdout)
    for words in ("--video", "--test", "position reached", "position lost", "stop rule"):
        assert words in text


@pytest.mark.slow
def test_a_running_clip_is_not_a_side_bridge(tmp_path: Path, shared_data: Path) -> None:
    """Pose estimation on the real running clip: refused with the reason, nothing stored."""
    clear_runner(tmp_path)
    clip = shared_data / "video" / "male_side.mp4"
    result = invoke("test", "--video", str(clip), "--test", "side_bridge_right", "--runner", "ana")
    assert result.exit_code == 2, result.output
    message = flat(result.stderr)
    assert "male_side.mp4" in message
    assert "--test" in message or "front" in message
    assert endurance_rows() == []


def test_a_rendered_clip_with_its_keypoints_is_stored_as_the_clip(tmp_path: Path) -> None:
    """The one rendered video: a synthetic plank that sags below the line from 5 s (10 deg
    at 4 s to -10 deg at 6 s), timed from its keypoints; the source is the clip."""
    from form_cases import plank_clip

    clear_runner(tmp_path)
    clip, keypoints = plank_clip(tmp_path)
    result = invoke(
        "test", "--video", str(clip), "--keypoints", str(keypoints), "--test", "front_plank",
        "--runner", "ana", "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    [row] = endurance_rows()
    assert row["source_name"] == "plank.mp4"
    assert row["source_sha256"] == hashlib.sha256(clip.read_bytes()).hexdigest()
    timing = json.loads(result.stdout)["timing"]
    assert timing["source_kind"] == "video"
    assert timing["ended_reason"] == "hips sag"
    assert abs(timing["ended_at_s"] - 5.0) <= 0.5
    assert abs(timing["held_s"] - (5.0 - 2.6)) <= 0.5
