"""Whole-clip facts about the runner, on synthetic runs whose answer is known."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from upright.errors import InsufficientDataError
from upright.kinematics.body import (
    detect_direction,
    detect_setting,
    estimate_leg_length_px,
    estimate_step_period_s,
    pelvis,
)
from upright.synthetic.runner import ANKLE_H, HIP_H, RunnerSpec, simulate_run

DURATION_S = 8.0


def _run(**kwargs: float | int | bool) -> xr.Dataset:
    return simulate_run(RunnerSpec(duration_s=DURATION_S, **kwargs)).ds  # type: ignore[arg-type]


def _blank(
    ds: xr.Dataset, keypoints: list[str], frames: slice | np.ndarray = slice(None)
) -> xr.Dataset:
    out = ds.copy(deep=True)
    pos = out["position"].values
    idx = [list(ds["keypoint"].values).index(k) for k in keypoints]
    for k in idx:
        pos[frames, :, k] = np.nan
    out["position"] = (ds["position"].dims, pos)
    return out


@pytest.mark.parametrize("height_px", [400.0, 600.0])
def test_leg_length_is_thigh_plus_shank(height_px: float) -> None:
    # hip 0.530 H to ankle 0.039 H (Winter 2009); the synthetic keeps segment lengths
    # constant, so the medians are exact
    ds = _run(height_px=height_px, image_height_px=1280)
    expected = (HIP_H - ANKLE_H) * height_px
    assert estimate_leg_length_px(ds) == pytest.approx(expected, rel=1e-6)


def test_leg_length_ignores_a_wild_minority_of_frames() -> None:
    ds = _run()
    exact = estimate_leg_length_px(ds)
    pos = ds["position"].values.copy()
    knee = list(ds["keypoint"].values).index("left_knee")
    pos[::10, 1, knee] += 150.0  # a tenth of the frames put the knee far off
    ds["position"] = (ds["position"].dims, pos)
    assert estimate_leg_length_px(ds) == pytest.approx(exact, rel=0.02)


def test_leg_length_needs_knees() -> None:
    ds = _blank(_run(), ["left_knee", "right_knee"])
    with pytest.raises(
        InsufficientDataError, match=r"hip-knee segment is visible in fewer than 10"
    ):
        estimate_leg_length_px(ds)


@pytest.mark.parametrize("treadmill", [True, False])
@pytest.mark.parametrize("direction", [1, -1])
def test_direction_is_found(direction: int, treadmill: bool) -> None:
    assert detect_direction(_run(direction=direction, treadmill=treadmill)) == direction


@pytest.mark.parametrize("direction", [1, -1])
def test_direction_from_the_feet_alone(direction: int) -> None:
    ds = _blank(_run(direction=direction), ["nose", "left_ear", "right_ear"])
    assert detect_direction(ds) == direction


def test_direction_without_head_or_feet_or_travel_is_refused() -> None:
    feet_and_head = ["nose", "left_ear", "right_ear"] + [
        f"{s}_{k}" for s in ("left", "right") for k in ("heel", "toe")
    ]
    ds = _blank(_run(treadmill=True), feet_and_head)
    with pytest.raises(InsufficientDataError, match=r"running direction cannot be told"):
        detect_direction(ds)


@pytest.mark.parametrize("direction", [1, -1])
def test_setting_treadmill_vs_overground(direction: int) -> None:
    assert detect_setting(_run(direction=direction, treadmill=True)) == "treadmill"
    assert detect_setting(_run(direction=direction, treadmill=False)) == "overground"


def test_overground_runner_crossing_the_frame_once() -> None:
    # the realistic clip: the runner crosses the 720 px frame in well under a second
    run = simulate_run(RunnerSpec(duration_s=0.7, treadmill=False))
    travel = np.ptp(pelvis(run.ds)[:, 0])
    assert travel > 1.5 * estimate_leg_length_px(run.ds)  # the rule's premise
    assert detect_setting(run.ds) == "overground"


def test_setting_needs_the_hips() -> None:
    ds = _blank(_run(), ["left_hip", "right_hip"])
    with pytest.raises(InsufficientDataError, match=r"the hips are not visible"):
        detect_setting(ds)


@pytest.mark.parametrize("fps", [30.0, 60.0])
@pytest.mark.parametrize("cadence", [150.0, 170.0, 190.0])
def test_step_period_within_1_percent(cadence: float, fps: float) -> None:
    ds = _run(cadence_spm=cadence, fps=fps)
    assert estimate_step_period_s(ds) == pytest.approx(60.0 / cadence, rel=0.01)


def test_step_period_survives_missing_hip_frames() -> None:
    ds = _blank(_run(cadence_spm=170.0), ["left_hip", "right_hip"], np.arange(0, 240, 7))
    assert estimate_step_period_s(ds) == pytest.approx(60.0 / 170.0, rel=0.01)


def test_step_period_needs_two_strides_of_hips() -> None:
    ds = _blank(_run(), ["left_hip", "right_hip"], slice(30, None))  # 1 s of hips left
    with pytest.raises(InsufficientDataError, match=r"only 30 frames show the hips"):
        estimate_step_period_s(ds)


def test_step_period_needs_the_hips_to_move() -> None:
    ds = _run()
    frozen = ds.copy(deep=True)
    frozen["position"].values[:] = ds["position"].values[:1]  # every frame is frame 0
    with pytest.raises(InsufficientDataError, match=r"the hips never rise and fall"):
        estimate_step_period_s(frozen)
