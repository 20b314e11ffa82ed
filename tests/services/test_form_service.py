"""The form-check service: summaries of synthetic exercises, and every refusal."""

from __future__ import annotations

from pathlib import Path

import pytest

from form_cases import PLANK_SAG_S, PLANK_SPEC, plank, side_plank, without
from upright.errors import InputError, InsufficientDataError, QualityError
from upright.io.keypoints import read_keypoints
from upright.services.form import FormOptions, check_form_keypoints
from upright.synthetic.exercise import ExerciseSpec, simulate_exercise


def test_a_sagging_plank_is_summarised() -> None:
    result = check_form_keypoints(plank(), FormOptions("front_plank"), source_kind="synthetic")
    s = result.summary
    assert s.schema_version == "upright.form/1" and s.synthetic
    assert s.exercise.key == "front_plank" and s.exercise.judged_measure == "hip_offset_deg"
    assert [t.fault for t in s.exercise.tolerances] == ["sag", "pike"]
    t = s.totals
    assert t.holds == 1
    assert t.position_reached_s == pytest.approx(PLANK_SPEC.reached_s, abs=0.5)
    assert t.position_lost_s == pytest.approx(PLANK_SPEC.hold_end_s, abs=0.5)
    assert t.first_fault is not None and t.first_fault.fault == "sag"
    assert t.first_fault.time_s == pytest.approx(PLANK_SAG_S, abs=0.5)
    assert t.good_form_s == pytest.approx(PLANK_SAG_S - PLANK_SPEC.reached_s, abs=0.5)
    assert t.good_form_s + t.faults[0].seconds == pytest.approx(t.held_s, abs=0.05)
    assert all(q.passed for q in s.quality)
    assert {q.name for q in s.quality} == {
        "frame_rate",
        "person_found",
        "whole_body",
        "camera_view",
        "one_person",
        "position_reached",
    }
    verdicts = {x.second: x.verdict for x in s.seconds}
    assert verdicts[5] == "good" and verdicts[12] == "sag" and verdicts[0] == ""
    assert len(result.frames) == plank().sizes["time"]


def test_tilt_given_or_found() -> None:
    ds = simulate_exercise(ExerciseSpec(camera_tilt_deg=6.0)).ds
    found = check_form_keypoints(ds, FormOptions("front_plank")).summary.setup
    assert found.tilt_source == "floor line" and found.tilt_deg == pytest.approx(-6.0, abs=0.3)
    given = check_form_keypoints(ds, FormOptions("front_plank", tilt_deg=-6.0)).summary.setup
    assert given.tilt_source == "given" and given.tilt_deg == -6.0


def test_nobody_in_the_picture() -> None:
    names = tuple(k for k in plank().coords["keypoint"].values.tolist())
    with pytest.raises(QualityError, match="nobody was found in 80% of the frames"):
        check_form_keypoints(without(plank(), names, 0.8), FormOptions("front_plank"))


def test_a_clip_too_short_for_a_hold() -> None:
    short = plank().isel(time=slice(0, 60))
    with pytest.raises(InsufficientDataError, match=r"is 2\.0 s long; .* at least 3 s"):
        check_form_keypoints(short, FormOptions("front_plank"), source_file="short.mp4")


def test_the_body_cut_off() -> None:
    cut = without(plank(), ("left_ankle", "right_ankle"), 0.7)
    with pytest.raises(QualityError, match="the ankles are out of the picture or hidden in 70%"):
        check_form_keypoints(cut, FormOptions("front_plank"))


def test_a_front_view_where_a_side_view_is_needed_and_the_reverse() -> None:
    with pytest.raises(QualityError, match=r"sees the body from the front or back.*from the side"):
        check_form_keypoints(side_plank(), FormOptions("front_plank"), source_file="side.mp4")
    with pytest.raises(QualityError, match=r"sees the body from the side.*from the front"):
        check_form_keypoints(plank(), FormOptions("side_plank", side="left"))


def test_a_position_never_reached() -> None:
    lying = simulate_exercise(ExerciseSpec(setup_s=30.0, duration_s=10.0, hold_end_s=None)).ds
    with pytest.raises(QualityError, match="front plank position was never reached"):
        check_form_keypoints(lying, FormOptions("front_plank"))


def test_a_running_clip_given_as_a_plank(shared_data: Path) -> None:
    ds = read_keypoints(shared_data / "video" / "male_side.rtmpose.json")
    with pytest.raises(QualityError, match=r"upright in \d+% .*running.*not show a front plank"):
        check_form_keypoints(ds, FormOptions("front_plank"))


def test_unknown_exercise_missing_side_and_missing_keypoints() -> None:
    with pytest.raises(InputError, match="'plank' is not an exercise"):
        check_form_keypoints(plank(), FormOptions("plank"))
    with pytest.raises(InputError, match="one side at a time"):
        check_form_keypoints(side_plank(), FormOptions("side_plank"))
    no_ankles = plank().drop_sel(keypoint=["left_ankle", "right_ankle"])
    with pytest.raises(InputError, match="lacks keypoint 'left_ankle', keypoint 'right_ankle'"):
        check_form_keypoints(no_ankles, FormOptions("front_plank"))


def test_single_leg_bridge_reps_in_the_summary() -> None:
    spec = ExerciseSpec(
        figure="single_leg_bridge",
        reps=6,
        offset_knots=((0.0, 0.0),),
        duration_s=20.0,
        hold_end_s=None,
    )
    s = check_form_keypoints(
        simulate_exercise(spec).ds, FormOptions("single_leg_bridge", side="left")
    ).summary
    assert s.totals.reps == 6 and s.totals.good_reps == 6 and s.totals.partial_reps == 0
    assert [r.number for r in s.reps] == [1, 2, 3, 4, 5, 6]


def test_only_summaries_of_running_are_evidence() -> None:
    from upright.services.evidence import is_evidence

    assert is_evidence("analysis", "upright.analysis/1")
    assert is_evidence("imu", "upright.imu/1")
    assert not is_evidence("form", "upright.form/1")
    assert not is_evidence("analysis", "upright.form/1")  # a mislabelled row is not read
    assert not is_evidence("form", "upright.analysis/1")
