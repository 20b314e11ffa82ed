"""Synthetic core-exercise figures: the form check recovers their exact truth.

Bird dog, dead bug, curl-up, Biering-Sorensen extensor and McGill flexor holds: the judged
angle within 2 deg, the end of the hold within 0.5 s, the first fault named and timed,
through the whole keypoint pipeline (cleaning, levelling, geometry, judgement).
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
    spec: ExerciseSpec, side: Side | None = None, tilt_deg: float | None = None
) -> tuple[SyntheticExercise, FormCheck]:
    ex = simulate_exercise(spec)
    definition = form_definition(spec.figure, side)
    return ex, check_form_pose(ex.ds, definition, side, tilt_deg=tilt_deg)


def crossing_s(spec: ExerciseSpec, limit_deg: float, below: bool, trunk: bool = False) -> float:
    """First time in the hold the true angle crosses a limit (fine grid); inf if never."""
    t = np.arange(spec.reached_s, spec.duration_s, 1e-3)
    values = spec.trunk_at(t) if trunk else spec.offset_at(t)
    hit = values < limit_deg if below else values > limit_deg
    return float(t[np.argmax(hit)]) if hit.any() else float("inf")


def steady(check: FormCheck, spec: ExerciseSpec, end_s: float) -> np.ndarray:
    t = check.judgement.frames["time_s"].to_numpy()
    return (t > spec.reached_s + 0.3) & (t < end_s - 0.3)


#: figure, side, judged-angle knots, trunk knots, fault expected first (None = good form)
HOLDS = [
    ("bird_dog", "left", ((4.0, 0.0), (10.0, 20.0)), (), "leg_too_high"),
    ("bird_dog", "right", ((4.0, -5.0), (10.0, 8.0)), (), None),
    ("bird_dog", "left", ((0.0, 2.0),), ((4.0, 5.0), (10.0, 35.0)), "trunk_tilted"),
    ("dead_bug", None, ((4.0, 90.0), (10.0, 130.0)), (), "legs_away"),
    ("dead_bug", None, ((4.0, 85.0), (10.0, 100.0)), ((0.0, -3.0),), None),
    ("curl_up", None, ((4.0, 10.0), (10.0, 35.0)), (), "too_high"),
    ("curl_up", None, ((4.0, 8.0), (10.0, 15.0)), (), None),
]


@pytest.mark.parametrize(("figure", "side", "knots", "trunk", "fault"), HOLDS)
@pytest.mark.parametrize(("facing", "tilt"), [(1, 0.0), (-1, 6.0), (1, -8.0)])
def test_core_holds_angles_end_and_first_fault(
    figure: str,
    side: Side | None,
    knots: tuple[tuple[float, float], ...],
    trunk: tuple[tuple[float, float], ...],
    fault: str | None,
    facing: int,
    tilt: float,
) -> None:
    spec = ExerciseSpec(
        figure=figure,  # type: ignore[arg-type]
        offset_knots=knots,
        trunk_knots=trunk,
        side=side or "left",
        facing=facing,
        camera_tilt_deg=tilt,
        hold_end_s=15.0,
    )
    definition = form_definition(figure, side)
    # exercises with no body point on the floor are levelled by the tilt the user gives
    given = None if definition.floor_points else -tilt
    ex, check = run(spec, side, tilt_deg=given)
    if given is None:
        assert check.tilt_source == "floor line"
        assert check.tilt_deg == pytest.approx(ex.floor_angle_deg, abs=0.5)
    frames = check.judgement.frames
    ok = steady(check, spec, 15.0)
    err = np.abs(frames[definition.judged].to_numpy() - ex.angle_deg)[ok]
    assert err.max() < ANGLE_TOL_DEG
    if figure in ("bird_dog", "dead_bug"):
        trunk_err = np.abs(frames["trunk_incline_deg"].to_numpy() - ex.trunk_deg)[ok]
        assert trunk_err.max() < ANGLE_TOL_DEG
    (hold,) = check.judgement.holds
    assert hold.start_s == pytest.approx(ex.reached_s, abs=TIME_TOL_S)
    assert hold.end_s == pytest.approx(ex.lost_s, abs=TIME_TOL_S)
    assert hold.ended_by_fault is None
    first = check.judgement.first_fault
    if fault is None:
        assert first is None
        assert check.judgement.good_form_s == pytest.approx(hold.duration_s, abs=TIME_TOL_S)
        return
    assert first is not None and first.fault == fault
    rule = next(f for f in definition.faults if f.name == fault)
    truth = crossing_s(
        spec,
        rule.limit.deg,
        below=rule.below is not None,
        trunk=rule.measure != definition.judged,
    )
    assert first.time_s == pytest.approx(truth, abs=TIME_TOL_S)


def test_a_moving_bird_dog_trunk_is_named() -> None:
    """The trunk lurches 10 deg up for 0.9 s at 8 s and again at 11 s, then settles:
    'trunk not still' from the first lurch, good form again after the last."""
    lurches = tuple(
        k
        for start in (8.0, 11.0)
        for k in ((start, 5.0), (start + 0.1, 15.0), (start + 0.8, 15.0), (start + 0.9, 5.0))
    )
    spec = ExerciseSpec(
        figure="bird_dog",
        offset_knots=((0.0, 0.0),),
        trunk_knots=((0.0, 5.0), *lurches),
        hold_end_s=15.0,
    )
    _, check = run(spec, "left")
    first = check.judgement.first_fault
    assert first is not None and first.fault == "trunk_moving"
    assert first.time_s == pytest.approx(8.05, abs=TIME_TOL_S)
    verdict = check.judgement.frames.set_index("time_s")["verdict"]
    assert set(verdict.loc[4.0:7.0]) == {"good"}
    assert set(verdict.loc[13.0:14.5]) == {"good"}
    assert check.judgement.holds[0].end_s == pytest.approx(15.0, abs=TIME_TOL_S)


#: figure, trunk knots, the fault that stops the clock, its limit (deg)
STOPS = [
    ("extensor", ((4.0, 0.0), (14.0, -15.0)), "trunk_dropped", -10.0),
    ("flexor", ((4.0, 60.0), (14.0, 45.0)), "leant_back", 50.0),
    ("flexor", ((4.0, 60.0), (14.0, 75.0)), "came_forward", 70.0),
]


@pytest.mark.parametrize(("figure", "knots", "fault", "limit"), STOPS)
@pytest.mark.parametrize(("facing", "tilt"), [(1, 0.0), (-1, 6.0), (1, -8.0)])
def test_endurance_holds_stop_the_clock_where_the_trunk_leaves_its_position(
    figure: str,
    knots: tuple[tuple[float, float], ...],
    fault: str,
    limit: float,
    facing: int,
    tilt: float,
) -> None:
    spec = ExerciseSpec(
        figure=figure,  # type: ignore[arg-type]
        offset_knots=knots,
        facing=facing,
        camera_tilt_deg=tilt,
        hold_end_s=17.0,
    )
    ex, check = run(spec)
    assert check.tilt_source == "floor line"
    assert check.tilt_deg == pytest.approx(ex.floor_angle_deg, abs=0.5)
    stop = crossing_s(spec, limit, below=fault != "came_forward")
    frames = check.judgement.frames
    err = np.abs(frames["trunk_incline_deg"].to_numpy() - ex.angle_deg)[steady(check, spec, 17.0)]
    assert err.max() < ANGLE_TOL_DEG
    (hold,) = check.judgement.holds
    assert hold.start_s == pytest.approx(ex.reached_s, abs=TIME_TOL_S)
    assert hold.end_s == pytest.approx(stop, abs=TIME_TOL_S)
    assert hold.ended_by_fault == fault
    assert check.judgement.held_s == pytest.approx(stop - ex.reached_s, abs=2 * TIME_TOL_S)


def test_an_extensor_hold_held_past_the_limit_stops_at_240_s() -> None:
    spec = ExerciseSpec(
        figure="extensor", duration_s=250.0, fps=10.0, offset_knots=((0.0, -2.0),), hold_end_s=None
    )
    ex, check = run(spec)
    (hold,) = check.judgement.holds
    assert hold.hit_limit
    assert hold.duration_s == pytest.approx(240.0, abs=0.2)
    assert hold.start_s == pytest.approx(ex.reached_s, abs=TIME_TOL_S)


@pytest.mark.parametrize(
    ("figure", "side"),
    [
        ("bird_dog", "left"),
        ("dead_bug", None),
        ("curl_up", None),
        ("extensor", None),
        ("flexor", None),
    ],
)
def test_resting_is_not_taken_for_the_position(figure: str, side: Side | None) -> None:
    """The rest pose each figure starts from (hands and knees with the leg down, feet on
    the floor, lying flat, trunk hanging from the bench, sitting up) is out of position."""
    spec = ExerciseSpec(
        figure=figure,  # type: ignore[arg-type]
        offset_knots=((0.0, {"dead_bug": 90.0, "flexor": 60.0, "curl_up": 10.0}.get(figure, 0.0)),),
        setup_s=6.0,
        duration_s=12.0,
        hold_end_s=None,
    )
    _, check = run(spec, side)
    frames = check.judgement.frames
    resting = frames["time_s"] < 5.5
    assert not frames.loc[resting, "in_position"].any()
    (hold,) = check.judgement.holds
    assert hold.start_s == pytest.approx(spec.reached_s, abs=TIME_TOL_S)


def test_a_core_figure_spec_out_of_range_is_refused() -> None:
    with pytest.raises(ValueError, match="flexor angle outside"):
        ExerciseSpec(figure="flexor", offset_knots=((0.0, 5.0),))
    with pytest.raises(ValueError, match="trunk_knots are for"):
        ExerciseSpec(figure="curl_up", offset_knots=((0.0, 10.0),), trunk_knots=((0.0, 5.0),))
