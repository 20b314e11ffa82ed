"""Synthetic exercise figures: the form check recovers their exact truth.

Angles within 2 deg, the end of a hold within 0.5 s, reps counted exactly, through the
whole keypoint pipeline (cleaning, levelling by the floor line, geometry, judgement).
"""

from __future__ import annotations

import numpy as np
import pytest

from upright.form.check import FormCheck, check_form_pose
from upright.form.definitions import Side, form_definition
from upright.synthetic.exercise import ExerciseSpec, SyntheticExercise, simulate_exercise

ANGLE_TOL_DEG = 2.0
TIME_TOL_S = 0.5


def run(
    spec: ExerciseSpec, key: str, side: Side | None = None
) -> tuple[SyntheticExercise, FormCheck]:
    ex = simulate_exercise(spec)
    return ex, check_form_pose(ex.ds, form_definition(key, side), side)


def crossing_s(spec: ExerciseSpec, limit_deg: float, below: bool) -> float:
    """First time in the hold the true offset crosses a limit (fine grid)."""
    t = np.arange(spec.reached_s, spec.duration_s, 1e-3)
    hit = spec.offset_at(t) < limit_deg if below else spec.offset_at(t) > limit_deg
    return float(t[np.argmax(hit)])


CASES = [
    ("front_plank", "front_plank", None, ((4.0, 15.0), (10.0, -12.0))),
    ("front_plank", "front_plank", None, ((4.0, 15.0), (10.0, 55.0))),
    ("side_plank", "side_plank", "left", ((4.0, 5.0), (12.0, -25.0))),
    ("side_plank", "side_plank", "right", ((4.0, 5.0), (12.0, -25.0))),
    ("glute_bridge", "glute_bridge", None, ((4.0, 0.0), (10.0, 18.0))),
    ("glute_bridge", "glute_bridge", None, ((4.0, 0.0), (10.0, -20.0))),
]


@pytest.mark.parametrize(("figure", "key", "side", "knots"), CASES)
@pytest.mark.parametrize(("facing", "tilt"), [(1, 0.0), (-1, 6.0), (1, -8.0)])
def test_hip_offset_hold_and_first_fault_are_recovered(
    figure: str,
    key: str,
    side: Side | None,
    knots: tuple[tuple[float, float], ...],
    facing: int,
    tilt: float,
) -> None:
    spec = ExerciseSpec(
        figure=figure,  # type: ignore[arg-type]
        offset_knots=knots,
        side=side or "left",
        facing=facing,
        camera_tilt_deg=tilt,
        hold_end_s=15.0,
    )
    ex, check = run(spec, key, side)
    assert check.tilt_source == "floor line"
    assert check.tilt_deg == pytest.approx(ex.floor_angle_deg, abs=0.5)
    frames = check.judgement.frames
    t = frames["time_s"].to_numpy()
    steady = (t > spec.reached_s + 0.3) & (t < spec.hold_end_s - 0.3)  # type: ignore[operator]
    err = np.abs(frames["hip_offset_deg"].to_numpy() - ex.hip_offset_deg)[steady]
    assert err.max() < ANGLE_TOL_DEG
    (hold,) = check.judgement.holds
    assert hold.start_s == pytest.approx(ex.reached_s, abs=TIME_TOL_S)
    assert hold.end_s == pytest.approx(ex.lost_s, abs=TIME_TOL_S)
    definition = form_definition(key, side)
    first = check.judgement.first_fault
    assert first is not None
    fault = next(f for f in definition.faults if f.name == first.fault)
    limit = fault.below or fault.above
    assert limit is not None
    truth = crossing_s(spec, limit.deg, below=fault.below is not None)
    assert first.time_s == pytest.approx(truth, abs=TIME_TOL_S)
    held = hold.end_s - hold.start_s
    assert check.judgement.held_s == pytest.approx(held)
    good = truth - hold.start_s
    assert check.judgement.good_form_s == pytest.approx(good, abs=TIME_TOL_S)


def test_a_plank_held_well_to_the_end_of_the_clip() -> None:
    spec = ExerciseSpec(duration_s=12.0, hold_end_s=None, offset_knots=((0.0, 15.0),))
    ex, check = run(spec, "front_plank")
    (hold,) = check.judgement.holds
    assert hold.still_going
    assert check.judgement.first_fault is None
    assert check.judgement.good_form_s == pytest.approx(12.0 - ex.reached_s, abs=TIME_TOL_S)
    seconds = check.judgement.seconds
    assert set(seconds.loc[seconds["second"] >= 4, "verdict"]) == {"good"}
    assert seconds.loc[0, "phase"] == "set_up"


@pytest.mark.parametrize("reps", [3, 5, 8])
@pytest.mark.parametrize("side", ["left", "right"])
def test_single_leg_bridge_reps_are_counted_exactly(reps: int, side: Side) -> None:
    spec = ExerciseSpec(
        figure="single_leg_bridge",
        reps=reps,
        rep_period_s=2.5,
        offset_knots=((0.0, 0.0),),
        side=side,
        duration_s=spec_duration(reps),
        hold_end_s=None,
    )
    _, check = run(spec, "single_leg_bridge", side)
    got = check.judgement.reps
    assert len(got) == reps
    assert check.judgement.partial_reps == 0
    tops = [r.top_s for r in got]
    expected = [spec.reached_s + (k + 0.5) * spec.rep_period_s for k in range(reps)]
    assert tops == pytest.approx(expected, abs=0.2)
    assert {r.quality for r in got} == {"good"}
    assert [r.peak_deg for r in got] == pytest.approx([0.0] * reps, abs=ANGLE_TOL_DEG)


def spec_duration(reps: int) -> float:
    return 2.0 + 0.6 + reps * 2.5 + 2.0


def test_arched_reps_are_marked() -> None:
    spec = ExerciseSpec(
        figure="single_leg_bridge",
        reps=4,
        offset_knots=((0.0, 0.0), (7.5, 0.0), (7.6, 20.0)),  # the last two reps arch
        duration_s=spec_duration(4),
        hold_end_s=None,
    )
    _, check = run(spec, "single_leg_bridge", "left")
    assert [r.quality for r in check.judgement.reps] == ["good", "good", "arched", "arched"]


def test_an_impossible_spec_is_refused() -> None:
    with pytest.raises(ValueError, match="facing must be"):
        ExerciseSpec(facing=0)
    with pytest.raises(ValueError, match="reps are for the single-leg bridge"):
        ExerciseSpec(reps=3)
    with pytest.raises(ValueError, match="hold_end_s must come after the rise"):
        ExerciseSpec(hold_end_s=1.0)
