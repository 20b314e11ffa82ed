"""Recording checks: each passes on a good synthetic run and fails on a constructed fault."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from upright.kinematics.body import estimate_leg_length_px
from upright.kinematics.quality import (
    MAX_JUMP_LEG,
    MAX_OBLIQUE_RATIO,
    MIN_FPS,
    MIN_STRIDES,
    MIN_WHOLE_BODY,
    check_frame_rate,
    check_one_runner,
    check_person_found,
    check_side_view,
    check_strides,
    check_whole_body,
    person_fraction,
    whole_body_fractions,
)
from upright.signal.filters import DEFAULT_CONFIDENCE_THRESHOLD
from upright.synthetic.runner import RunnerSpec, simulate_run

N_FRAMES = 300  # 10 s at 30 fps
FEET = ("left_heel", "right_heel", "left_toe", "right_toe", "left_ankle", "right_ankle")


@pytest.fixture(scope="module")
def good() -> xr.Dataset:
    return simulate_run(RunnerSpec(duration_s=10.0)).ds


def _edit(
    ds: xr.Dataset,
    keypoints: tuple[str, ...],
    frames: np.ndarray | slice,
    *,
    value: float = np.nan,
    shift: tuple[float, float] | None = None,
) -> xr.Dataset:
    """Copy of ``ds`` with ``keypoints`` in ``frames`` set to ``value``, or shifted."""
    out = ds.copy(deep=True)
    pos = out["position"].values
    for k in keypoints:
        j = list(ds["keypoint"].values).index(k)
        if shift is None:
            pos[frames, :, j] = value
        else:
            pos[frames, :, j] += np.asarray(shift)[:, np.newaxis]  # (space, individual)
    out["position"] = (ds["position"].dims, pos)
    return out


def _frac_frames(fraction: float, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(N_FRAMES, round(fraction * N_FRAMES), replace=False))


def test_the_good_run_passes_every_check(good: xr.Dataset) -> None:
    leg = estimate_leg_length_px(good)
    checks = [
        check_frame_rate(float(good.attrs["fps"])),
        check_person_found(good),
        check_whole_body(good),
        check_side_view(good),
        check_one_runner(good, leg),
        check_strides(12),
    ]
    assert [c.name for c in checks] == [
        "frame_rate",
        "person_found",
        "whole_body",
        "side_view",
        "one_runner",
        "enough_strides",
    ]
    assert all(c.passed for c in checks), [c.message for c in checks if not c.passed]
    assert whole_body_fractions(good) == {"head": 1.0, "shoulders": 1.0, "hips": 1.0, "feet": 1.0}
    assert person_fraction(good) == 1.0


@pytest.mark.parametrize(
    ("fps", "ok"), [(30.0, True), (MIN_FPS, True), (24.9, False), (15.0, False)]
)
def test_frame_rate(fps: float, ok: bool) -> None:
    check = check_frame_rate(fps)
    assert check.passed is ok
    assert check.value == round(fps, 2)
    assert ("film at 30 fps or more" in check.message) is not ok


def test_person_missing_in_most_frames_fails(good: xr.Dataset) -> None:
    gone = _edit(good, ("left_shoulder", "right_shoulder"), _frac_frames(0.6))
    check = check_person_found(gone)
    assert not check.passed
    assert check.value == pytest.approx(0.4, abs=1 / N_FRAMES)


def test_one_shoulder_is_enough_for_the_person(good: xr.Dataset) -> None:
    half = _edit(good, ("right_shoulder", "right_hip"), slice(None))
    assert check_person_found(half).passed


def test_feet_missing_in_40_percent_of_frames_fails_whole_body(good: xr.Dataset) -> None:
    no_feet = _edit(good, FEET, _frac_frames(0.4))
    check = check_whole_body(no_feet)
    assert not check.passed
    assert check.value == pytest.approx(0.6, abs=1 / N_FRAMES)
    assert "least seen: feet (60%)" in check.message
    assert MIN_WHOLE_BODY == 0.8


def test_feet_below_the_confidence_threshold_count_as_missing(good: xr.Dataset) -> None:
    # the analysis masks points below the confidence threshold, so must the checks
    low = good.copy(deep=True)
    conf = low["confidence"].values
    frames = _frac_frames(0.4)
    for k in FEET:
        conf[frames, list(good["keypoint"].values).index(k), 0] = DEFAULT_CONFIDENCE_THRESHOLD / 2
    low["confidence"] = (good["confidence"].dims, conf)
    assert whole_body_fractions(low)["feet"] == pytest.approx(0.6, abs=1 / N_FRAMES)
    assert not check_whole_body(low).passed


def test_feet_below_the_image_count_as_missing(good: xr.Dataset) -> None:
    # y is up, so y < 0 is below the bottom edge of the picture
    cut = _edit(good, FEET, _frac_frames(0.4), shift=(0.0, -2000.0))
    assert not check_whole_body(cut).passed
    assert whole_body_fractions(cut)["feet"] == pytest.approx(0.6, abs=1 / N_FRAMES)


def test_oblique_view_fails(good: xr.Dataset) -> None:
    trunk_px = np.median(
        np.linalg.norm(
            good["position"].sel(keypoint="left_shoulder").values
            - good["position"].sel(keypoint="left_hip").values,
            axis=1,
        )
    )
    # the camera sees the runner from an angle: the far shoulder and hip stand apart
    oblique = _edit(good, ("right_shoulder", "right_hip"), slice(None), shift=(trunk_px / 2, 0))
    check = check_side_view(oblique)
    assert not check.passed
    assert check.value == pytest.approx(0.5, abs=0.02)
    assert check.value is not None and check.value > MAX_OBLIQUE_RATIO
    assert "at an angle" in check.message
    straight = check_side_view(good)
    assert straight.passed and straight.value is not None and straight.value < 0.05


def test_side_view_without_shoulders_or_hips_is_not_passed(good: xr.Dataset) -> None:
    blind = _edit(good, ("left_shoulder", "right_shoulder", "left_hip", "right_hip"), slice(None))
    check = check_side_view(blind)
    assert not check.passed and check.value is None


def test_a_jump_of_the_pelvis_means_another_person(good: xr.Dataset) -> None:
    leg = estimate_leg_length_px(good)
    everyone = tuple(str(k) for k in good["keypoint"].values)
    # for frames 100-149 the tracker follows someone a leg length further on
    other = _edit(good, everyone, slice(100, 150), shift=(leg, 0.0))
    check = check_one_runner(other, leg)
    assert not check.passed
    assert check.value == 2.0  # jumping there and back
    assert "jumped 2 times" in check.message
    # a smaller shift, under the limit, is a runner moving, not a jump
    drift = _edit(good, everyone, slice(100, 150), shift=(0.8 * MAX_JUMP_LEG * leg, 0.0))
    assert check_one_runner(drift, leg).passed


def test_more_than_one_person_seen_fails(good: xr.Dataset) -> None:
    crowd = good.copy()
    crowd.attrs["max_people_seen"] = 2
    check = check_one_runner(crowd, estimate_leg_length_px(good))
    assert not check.passed
    assert "up to 2 people in view" in check.message


@pytest.mark.parametrize(("n", "ok"), [(MIN_STRIDES, True), (10, True), (2, False), (0, False)])
def test_enough_strides(n: int, ok: bool) -> None:
    check = check_strides(n)
    assert check.passed is ok
    assert check.value == float(n)
    assert ("film at least 10 s" in check.message) is not ok
