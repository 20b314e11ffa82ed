"""Segment angles on stick figures drawn with exact geometry."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from upright.errors import InputError
from upright.kinematics.angles import (
    compute_head_trunk_deg,
    compute_knee_flexion_deg,
    compute_trunk_lean_deg,
    head_point,
    midpoint,
    segment_lean_deg,
)
from upright.skeleton import KEYPOINTS, make_pose_dataset

TRUNK_PX = 200.0
NECK_PX = 60.0
HIP = np.array([300.0, 500.0])


def _unit(lean_deg: float, direction: int) -> np.ndarray:
    """Unit vector leaning ``lean_deg`` from vertical toward ``direction`` (y up)."""
    a = np.radians(lean_deg)
    return np.array([direction * np.sin(a), np.cos(a)])


def _figure(
    points: dict[str, np.ndarray], n_frames: int = 3, keypoints: tuple[str, ...] = KEYPOINTS
) -> xr.Dataset:
    """A still figure: the given points in every frame, every other keypoint NaN."""
    pos = np.full((n_frames, 2, len(keypoints)), np.nan)
    for name, xy in points.items():
        pos[:, :, keypoints.index(name)] = xy
    return make_pose_dataset(
        pos,
        np.ones((n_frames, len(keypoints))),
        np.arange(n_frames) / 30.0,
        keypoints=keypoints,
        fps=30.0,
        source_software="test",
    )


def _leaning_figure(lean_deg: float, neck_lean_deg: float, direction: int) -> xr.Dataset:
    """Trunk leaning ``lean_deg`` and mid-shoulder -> ear line ``neck_lean_deg`` from
    vertical (+ forward); left and right points spread 4 px either side of the mid-line."""
    shoulder = HIP + TRUNK_PX * _unit(lean_deg, direction)
    ear = shoulder + NECK_PX * _unit(neck_lean_deg, direction)
    spread = np.array([4.0, -1.0])
    pts = {}
    for name, mid in (("hip", HIP), ("shoulder", shoulder), ("ear", ear)):
        pts[f"left_{name}"], pts[f"right_{name}"] = mid + spread, mid - spread
    return _figure(pts)


@pytest.mark.parametrize("direction", [1, -1])
def test_figure_leaning_8_deg_forward_reads_plus_8(direction: int) -> None:
    lean = compute_trunk_lean_deg(_leaning_figure(8.0, 8.0, direction), direction)
    np.testing.assert_allclose(lean, 8.0, rtol=0, atol=1e-9)


@pytest.mark.parametrize("direction", [1, -1])
def test_backward_lean_is_negative(direction: int) -> None:
    lean = compute_trunk_lean_deg(_leaning_figure(-5.0, 0.0, direction), direction)
    np.testing.assert_allclose(lean, -5.0, rtol=0, atol=1e-9)


def test_the_same_figure_read_for_the_other_direction_flips_sign() -> None:
    ds = _leaning_figure(8.0, 8.0, direction=1)
    np.testing.assert_allclose(compute_trunk_lean_deg(ds, -1), -8.0, atol=1e-9)


@pytest.mark.parametrize("direction", [1, -1])
def test_head_more_upright_than_a_forward_trunk_is_positive(direction: int) -> None:
    # trunk 10 deg forward, neck line 4 deg forward: the head is held back by 6 deg
    angle, name = compute_head_trunk_deg(_leaning_figure(10.0, 4.0, direction), direction)
    np.testing.assert_allclose(angle, 6.0, rtol=0, atol=1e-9)
    assert name == "mid_ear"


@pytest.mark.parametrize("direction", [1, -1])
def test_head_dropped_forward_of_the_trunk_is_negative(direction: int) -> None:
    angle, _ = compute_head_trunk_deg(_leaning_figure(5.0, 25.0, direction), direction)
    np.testing.assert_allclose(angle, -20.0, rtol=0, atol=1e-9)


def test_head_trunk_angle_wraps_into_minus_180_to_180() -> None:
    # trunk 170 deg forward (nearly upside down), neck line -170 deg: 340 deg apart,
    # which is -20 deg the short way round
    angle, _ = compute_head_trunk_deg(_leaning_figure(170.0, -170.0, 1), 1)
    np.testing.assert_allclose(angle, -20.0, atol=1e-9)


def test_segment_lean_refuses_a_bad_direction() -> None:
    with pytest.raises(ValueError, match=r"direction must be \+1 or -1"):
        segment_lean_deg(np.array([[0.0, 1.0]]), 0)


def test_midpoint_falls_back_to_the_visible_side() -> None:
    ds = _figure({"left_hip": np.array([10.0, 20.0]), "right_hip": np.array([14.0, 24.0])})
    pos = ds["position"].values.copy()
    pos[1, :, KEYPOINTS.index("left_hip")] = np.nan
    pos[2, :, KEYPOINTS.index("right_hip")] = np.nan
    ds["position"] = (ds["position"].dims, pos)
    mid = midpoint(ds, "left_hip", "right_hip")
    np.testing.assert_array_equal(mid, [[12.0, 22.0], [14.0, 24.0], [10.0, 20.0]])


# ------------------------------------------------------------------ knee


@pytest.mark.parametrize(
    ("ankle", "expected"),
    [
        ((0.0, 0.0), 0.0),  # straight leg
        ((50.0, 50.0), 90.0),  # shank at a right angle to the thigh
        ((-50.0, 50.0), 90.0),  # the sign of the bend does not matter
        ((50.0 * np.sin(np.radians(30)), 50.0 - 50.0 * np.cos(np.radians(30))), 30.0),
        ((0.0, 100.0), 180.0),  # folded back onto the thigh
    ],
)
def test_knee_flexion_is_exact(ankle: tuple[float, float], expected: float) -> None:
    hip, knee = np.array([[0.0, 100.0]]), np.array([[0.0, 50.0]])
    got = compute_knee_flexion_deg(hip, knee, np.array([ankle]))
    np.testing.assert_allclose(got, [expected], rtol=0, atol=1e-6)


# ------------------------------------------------------------------ head point


def test_head_point_prefers_the_mid_ear() -> None:
    ds = _figure(
        {
            "left_ear": np.array([0.0, 10.0]),
            "right_ear": np.array([2.0, 10.0]),
            "head_top": np.array([5.0, 30.0]),
            "nose": np.array([9.0, 5.0]),
        }
    )
    pts, name = head_point(ds)
    assert name == "mid_ear"
    np.testing.assert_array_equal(pts, [[1.0, 10.0]] * 3)


def test_head_point_uses_head_top_without_ears() -> None:
    no_ears = tuple(k for k in KEYPOINTS if not k.endswith("_ear"))  # RTMPose Halpe-26
    ds = _figure(
        {"head_top": np.array([5.0, 30.0]), "nose": np.array([9.0, 5.0])}, keypoints=no_ears
    )
    pts, name = head_point(ds)
    assert name == "head_top"
    np.testing.assert_array_equal(pts, [[5.0, 30.0]] * 3)


def test_head_point_uses_head_top_when_ears_are_mostly_missing() -> None:
    ds = _figure({"head_top": np.array([5.0, 30.0]), "nose": np.array([9.0, 5.0])}, n_frames=4)
    pos = ds["position"].values.copy()
    pos[:1, :, KEYPOINTS.index("left_ear")] = 1.0  # ears in 1 frame of 4: under half
    ds["position"] = (ds["position"].dims, pos)
    assert head_point(ds)[1] == "head_top"


def test_head_point_falls_back_to_the_nose() -> None:
    ds = _figure({"nose": np.array([9.0, 5.0])})
    pts, name = head_point(ds)
    assert name == "nose"
    np.testing.assert_array_equal(pts, [[9.0, 5.0]] * 3)


def test_head_trunk_reports_the_head_point_used() -> None:
    ds = _leaning_figure(10.0, 4.0, 1)
    pos = ds["position"].values.copy()
    ear = (pos[:, :, KEYPOINTS.index("left_ear")] + pos[:, :, KEYPOINTS.index("right_ear")]) / 2
    pos[:, :, KEYPOINTS.index("nose")] = ear
    for k in ("left_ear", "right_ear"):
        pos[:, :, KEYPOINTS.index(k)] = np.nan
    ds["position"] = (ds["position"].dims, pos)
    angle, name = compute_head_trunk_deg(ds, 1)
    assert name == "nose"
    np.testing.assert_allclose(angle, 6.0, atol=1e-9)


def test_no_head_point_is_an_input_error() -> None:
    ds = _leaning_figure(8.0, 8.0, 1)
    pos = ds["position"].values.copy()
    for k in ("left_ear", "right_ear"):
        pos[:, :, KEYPOINTS.index(k)] = np.nan
    ds["position"] = (ds["position"].dims, pos)
    with pytest.raises(InputError, match=r"no ear, head-top or nose keypoint is present"):
        head_point(ds)
    with pytest.raises(InputError, match=r"Film with the head in view"):
        compute_head_trunk_deg(ds, 1)
