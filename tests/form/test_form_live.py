"""The live form check, fed one frame at a time, against the whole-clip check."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from upright.form.check import check_form_pose
from upright.form.definitions import Tolerance, form_definition
from upright.form.live import LiveFormCheck, LiveJudge
from upright.form.timing import GOOD
from upright.services.form import FormOptions, check_form_keypoints
from upright.skeleton import KEYPOINTS
from upright.synthetic.exercise import ExerciseSpec, simulate_exercise

#: A plank held well, sagging from 9 s to 12 s, good again, lowered at 16 s.
SAG = ExerciseSpec(
    offset_knots=((0.0, 15.0), (8.5, 15.0), (9.0, -12.0), (12.0, -12.0), (12.5, 15.0))
)
#: A glute bridge whose hips sink out of line after 10 s, held to the end.
BRIDGE = ExerciseSpec(
    figure="glute_bridge",
    duration_s=16.0,
    hold_end_s=None,
    offset_knots=((0.0, 0.0), (10.0, 0.0), (11.0, -25.0)),
)
#: A side plank whose hip drops, on the left side, head toward image left.
SIDE = ExerciseSpec(
    figure="side_plank", side="left", facing=-1, offset_knots=((0.0, 5.0), (7.0, 5.0), (8.0, -20.0))
)

CASES = [("front_plank", None, SAG), ("glute_bridge", None, BRIDGE), ("side_plank", "left", SIDE)]


def _feed_measures(frames: pd.DataFrame, judge: LiveJudge) -> None:
    names = [m.name for m in judge.definition.measures]
    for row in frames[["time_s", *names]].itertuples(index=False):
        judge.push(float(row[0]), dict(zip(names, map(float, row[1:]), strict=True)))


@pytest.mark.parametrize(("key", "side", "spec"), CASES)
def test_streamed_measures_give_the_clips_verdicts(key, side, spec) -> None:
    """Fed the whole-clip check's own measures frame by frame, the live judge gives the
    same verdict and phase for every frame, and the same per-second table."""
    definition = form_definition(key, side)
    offline = check_form_pose(simulate_exercise(spec).ds, definition, side).judgement
    judge = LiveJudge(definition, offline.frame_s)
    _feed_measures(offline.frames, judge)
    live = judge.frames()
    assert (offline.frames["verdict"] != GOOD).any()  # the clip has a fault to find
    assert live["verdict"].tolist() == offline.frames["verdict"].tolist()
    assert live["phase"].tolist() == offline.frames["phase"].tolist()
    pd.testing.assert_frame_equal(judge.seconds(), offline.seconds)


def test_a_protocols_time_limit_ends_the_live_hold_as_in_the_clip() -> None:
    """An endurance hold's limit (here 5 s): the live hold ends where the clip's does,
    and staying in position does not start another."""
    limit = Tolerance(deg=5.0, source="a test limit")
    definition = form_definition("front_plank").model_copy(update={"max_hold_s": limit})
    offline = check_form_pose(simulate_exercise(SAG).ds, definition).judgement
    judge = LiveJudge(definition, offline.frame_s)
    _feed_measures(offline.frames, judge)
    assert [h.hit_limit for h in offline.holds] == [True]
    assert judge.tracker.finish() == offline.holds
    assert judge.frames()["verdict"].tolist() == offline.frames["verdict"].tolist()


def test_the_clock_runs_only_while_form_is_good() -> None:
    definition = form_definition("front_plank")
    offline = check_form_pose(simulate_exercise(SAG).ds, definition).judgement
    judge = LiveJudge(definition, offline.frame_s)
    names = [m.name for m in definition.measures]
    clock = []
    for row in offline.frames[["time_s", *names]].itertuples(index=False):
        step = judge.push(float(row[0]), dict(zip(names, map(float, row[1:]), strict=True)))
        clock.append((step.time_s, step.good_form_s, step.fault.name if step.fault else None))
    t, good, fault = (np.array(c, dtype=object) for c in zip(*clock, strict=True))
    during_sag = (t > 10.0) & (t < 12.0)
    assert set(fault[during_sag]) == {"sag"}
    assert np.ptp(good[during_sag].astype(float)) == pytest.approx(0.0)  # stopped
    assert good[-1] == pytest.approx(offline.good_form_s, abs=1e-6)
    assert good[t < 2.0].max() == 0.0  # set-up: lying on the floor is no hold


def _feed_keypoints(ds, check: LiveFormCheck) -> None:
    height = int(ds.attrs["image_height_px"])
    width = int(ds.attrs["image_width_px"])
    pos = ds["position"].isel(individual=0).transpose("time", "keypoint", "space").values
    conf = ds["confidence"].isel(individual=0).values
    for t, xy, c in zip(ds["time"].values, pos, conf, strict=True):
        image = np.column_stack([xy[:, 0], height - xy[:, 1]])  # the camera's rows, y down
        check.push(float(t), image, c, width, height)


@pytest.mark.parametrize(("key", "side", "spec"), CASES)
def test_streamed_keypoints_give_the_clips_seconds(key, side, spec) -> None:
    """From raw keypoints (causal cleaning), every second's verdict equals the
    whole-clip check's; the holds begin and end within 0.1 s of the clip's (the
    zero-lag filter of the whole clip sees the rise a frame or two early)."""
    ds = simulate_exercise(spec).ds
    offline = check_form_keypoints(ds, FormOptions(exercise=key, side=side))
    live = LiveFormCheck(form_definition(key, side), side, frame_s=1.0 / spec.fps)
    _feed_keypoints(ds, live)
    got = live.judge.seconds()
    want = offline.check.judgement.seconds
    assert got["verdict"].tolist() == want["verdict"].tolist()
    holds = live.judge.tracker.finish()
    assert len(holds) == len(offline.check.judgement.holds) == 1
    for h, o in zip(holds, offline.check.judgement.holds, strict=True):
        assert h.start_s == pytest.approx(o.start_s, abs=0.1)
        assert h.end_s == pytest.approx(o.end_s, abs=0.1)


def test_skeleton_is_normalised_and_hides_unseen_points() -> None:
    check = LiveFormCheck(form_definition("front_plank"))
    xy = np.tile([[320.0, 120.0]], (len(KEYPOINTS), 1))
    conf = np.ones(len(KEYPOINTS))
    conf[KEYPOINTS.index("nose")] = 0.1
    update = check.push(0.0, xy, conf, 640, 480)
    assert update.skeleton[KEYPOINTS.index("nose")] is None
    assert update.skeleton[KEYPOINTS.index("left_hip")] == (0.5, 0.25)
    assert not update.step.in_position  # every point in one place: no body line


def test_frames_must_move_forward_in_time() -> None:
    check = LiveFormCheck(form_definition("front_plank"))
    xy, conf = np.zeros((len(KEYPOINTS), 2)), np.ones(len(KEYPOINTS))
    check.push(1.0, xy, conf, 640, 480)
    with pytest.raises(ValueError, match="does not come after"):
        check.push(1.0, xy, conf, 640, 480)
    with pytest.raises(ValueError, match="do not match"):
        check.push(2.0, xy[:3], conf, 640, 480)
