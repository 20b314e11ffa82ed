"""Endurance holds timed from synthetic clips whose answer is exact: the position is
reached at the end of the rise, and lost when the hip crosses the test's stop limit (or
the figure comes down)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from form_cases import PLANK_SAG_S, PLANK_SPEC
from upright.errors import InputError, QualityError
from upright.services.form import FormOptions, check_form_keypoints
from upright.services.video_test import VIDEO_TESTS, VideoTiming, resolve_video_test, time_test
from upright.synthetic.exercise import ExerciseSpec, simulate_exercise

SHA = "0" * 64
#: Side plank, right side down: the hip offset falls from +5 deg at 4 s to -25 deg at
#: 10 s, so it crosses the -10 deg hip-drop limit at exactly 7 s; lowered at 18 s.
SIDE_SPEC = ExerciseSpec(
    figure="side_plank", side="right", hold_end_s=18.0, offset_knots=((4.0, 5.0), (10.0, -25.0))
)
SIDE_DROP_S = 7.0
#: Glute bridge: from 0 deg at 4 s to -20 deg at 10 s: below -10 deg ("hips not fully
#: up") from exactly 7 s.
BRIDGE_SPEC = ExerciseSpec(
    figure="glute_bridge", hold_end_s=18.0, offset_knots=((4.0, 0.0), (10.0, -20.0))
)
BRIDGE_LOW_S = 7.0


def timed(key: str, spec: ExerciseSpec, side: str | None = None) -> VideoTiming:
    ds = simulate_exercise(spec).ds
    return time_by(key, ds, side)


def time_by(key: str, ds: xr.Dataset, side: str | None = None) -> VideoTiming:
    test = resolve_video_test(key, side)  # type: ignore[arg-type]
    return time_test(ds, test, source=Path("clip.nc"), source_kind="keypoints", sha256=SHA)


@pytest.mark.parametrize(
    ("key", "spec", "lost_s", "reason"),
    [
        ("side_bridge_right", SIDE_SPEC, SIDE_DROP_S, "hip drops"),
        ("front_plank", PLANK_SPEC, PLANK_SAG_S, "hips sag"),
        ("supine_bridge", BRIDGE_SPEC, BRIDGE_LOW_S, "hips not fully up"),
    ],
)
def test_the_hold_ends_by_the_tests_stop_rule(
    key: str, spec: ExerciseSpec, lost_s: float, reason: str
) -> None:
    t = timed(key, spec)
    truth_s = lost_s - spec.reached_s
    assert abs(t.held_s - truth_s) <= 0.5
    assert abs(t.ended_at_s - lost_s) <= 0.1
    assert (t.ended_by, t.ended_reason) == ("stop rule", reason)
    assert t.test == key and t.sha256 == SHA and t.source_file == "clip.nc"
    assert t.synthetic


def test_the_stop_rule_is_the_tests_not_the_form_checks() -> None:
    """The form check keeps timing a sagging plank (good-form seconds end, the hold goes
    on); the test's clock stops at the sag."""
    ds = simulate_exercise(PLANK_SPEC).ds
    form = check_form_keypoints(ds, FormOptions(exercise="front_plank"))
    assert form.summary.holds[0].end_s > PLANK_SPEC.hold_end_s - 0.5  # type: ignore[operator]
    assert time_by("front_plank", ds).ended_at_s < PLANK_SAG_S + 0.5


def test_a_hold_in_good_form_ends_when_the_figure_comes_down() -> None:
    spec = ExerciseSpec(figure="side_plank", side="left", hold_end_s=16.0)
    t = timed("side_bridge_left", spec)
    assert spec.hold_end_s is not None
    # the position is met partway through the 0.6 s rise and the 0.6 s lowering
    inner = spec.hold_end_s - spec.reached_s
    outer = spec.hold_end_s + spec.lower_s - spec.setup_s
    assert inner - 0.1 <= t.held_s <= outer + 0.1
    assert t.ended_by == "position lost"
    assert t.ended_reason.startswith("position lost")


def test_a_clip_that_ends_during_the_hold_gives_no_result() -> None:
    spec = ExerciseSpec(hold_end_s=None)
    with pytest.raises(
        InputError, match=r"still holding at the end of the clip: 1\d\.\d s is a lower bound"
    ):
        timed("front_plank", spec)


def test_a_clip_that_never_reaches_the_position_is_refused() -> None:
    lying = ExerciseSpec(setup_s=25.0, duration_s=20.0, hold_end_s=None)
    with pytest.raises(QualityError, match=r"never reached.*give the test it shows with --test"):
        timed("front_plank", lying)


def test_a_clip_of_another_exercise_is_refused() -> None:
    with pytest.raises(QualityError, match="judged from the front"):
        timed("side_bridge_right", PLANK_SPEC)


def test_nobody_in_frame_is_refused() -> None:
    ds = simulate_exercise(SIDE_SPEC).ds.copy(deep=True)
    ds["position"].values[:] = np.nan
    ds["confidence"].values[:] = 0.0
    with pytest.raises(QualityError, match="nobody was found"):
        time_by("side_bridge_right", ds)


@pytest.mark.parametrize(
    ("key", "side", "expected"),
    [
        ("side_bridge", "left", ("side_bridge_left", "side_plank", "left")),
        ("side_right", None, ("side_bridge_right", "side_plank", "right")),
        ("plank", None, ("front_plank", "front_plank", None)),
        ("supine_bridge", None, ("supine_bridge", "glute_bridge", None)),
        ("extensor", None, ("extensor", "extensor", None)),
        ("flexor", None, ("flexor", "flexor", None)),
    ],
)
def test_test_keys_map_to_their_exercise_and_side(
    key: str, side: str | None, expected: tuple[str, str, str | None]
) -> None:
    t = resolve_video_test(key, side)  # type: ignore[arg-type]
    assert (t.key, t.exercise, t.side) == expected


@pytest.mark.parametrize(
    ("key", "side", "match"),
    [
        ("pushups", None, "not an endurance test a clip can time.*Use one of: flexor"),
        ("single_leg_bridge_left", None, "counts repetitions"),
        ("side_bridge", None, "which side is down"),
        ("side_bridge_right", "left", "--side left contradicts"),
        ("extensor", "left", "has no side"),
    ],
)
def test_bad_test_keys_are_named(key: str, side: str | None, match: str) -> None:
    with pytest.raises(InputError, match=match):
        resolve_video_test(key, side)  # type: ignore[arg-type]


def test_every_stop_fault_is_one_of_its_exercises_faults() -> None:
    from upright.form.definitions import form_definition

    for test in VIDEO_TESTS.values():
        faults = {f.name for f in form_definition(test.exercise, test.side).faults}
        assert set(test.stop_faults) <= faults, test.key
