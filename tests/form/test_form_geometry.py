"""Body-line geometry on exact points: signs, ranges, and what transformations do."""

from __future__ import annotations

import numpy as np
import pytest

from upright.errors import InputError
from upright.form.definitions import form_definition
from upright.form.geometry import (
    body_point,
    compute_measures,
    detect_head_direction,
    floor_tilt_deg,
    incline_deg,
    joint_angle_deg,
    line_offset_deg,
    required_keypoints,
    sway_deg,
)
from upright.skeleton import KEYPOINTS, FloatArray, make_pose_dataset


def rot(p: FloatArray, deg: float) -> FloatArray:
    a = np.radians(deg)
    m = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    return np.asarray(p @ m.T, dtype=np.float64)


def bent_line(offset_deg: float) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Shoulder (0, 0), ankle (2, 0) and a hip above (offset > 0) or below the line,
    placed symmetrically so the bend at the hip is exactly ``offset_deg``."""
    h = np.tan(np.radians(offset_deg) / 2)
    return np.array([[0.0, 0.0]]), np.array([[1.0, h]]), np.array([[2.0, 0.0]])


@pytest.mark.parametrize("offset", [-35.0, -10.0, -0.5, 0.0, 0.5, 12.0, 60.0])
def test_line_offset_is_the_bend_with_its_sign(offset: float) -> None:
    s, h, a = bent_line(offset)
    assert line_offset_deg(s, h, a)[0] == pytest.approx(offset, abs=1e-9)
    # the order of the two end points does not matter
    assert line_offset_deg(a, h, s)[0] == pytest.approx(offset, abs=1e-9)


@pytest.mark.parametrize("turn", [-40.0, -15.0, 10.0, 35.0])
def test_line_offset_does_not_change_when_the_picture_turns_or_mirrors(turn: float) -> None:
    s, h, a = bent_line(-14.0)
    turned = [rot(p, turn) for p in (s, h, a)]
    assert line_offset_deg(*turned)[0] == pytest.approx(-14.0, abs=1e-9)
    mirror = np.array([-1.0, 1.0])
    assert line_offset_deg(s * mirror, h * mirror, a * mirror)[0] == pytest.approx(-14.0)
    scaled = [p * 3.7 + 100.0 for p in (s, h, a)]
    assert line_offset_deg(*scaled)[0] == pytest.approx(-14.0)


@pytest.mark.parametrize("stretch", [0.5625, 0.75, 1.333, 1.778])
def test_an_axis_stretch_changes_the_size_never_the_sign(stretch: float) -> None:
    for offset in (-20.0, -2.0, 3.0, 25.0):
        s, h, a = (p * np.array([1.0, stretch]) for p in bent_line(offset))
        got = line_offset_deg(s, h, a)[0]
        assert np.sign(got) == np.sign(offset)
        expected = 2 * np.degrees(np.arctan(stretch * np.tan(np.radians(offset) / 2)))
        assert got == pytest.approx(expected)


def test_line_offset_is_nan_where_a_point_is_missing() -> None:
    s, h, a = bent_line(5.0)
    assert np.isnan(line_offset_deg(s, h * np.nan, a)[0])


def test_incline_is_measured_from_the_horizontal_toward_the_head() -> None:
    hip = np.array([[0.0, 0.0]])
    for angle in (-30.0, 0.0, 20.0, 60.0, 90.0):
        shoulder_right = np.array([[np.cos(np.radians(angle)), np.sin(np.radians(angle))]])
        assert incline_deg(hip, shoulder_right, 1)[0] == pytest.approx(angle)
        shoulder_left = shoulder_right * np.array([-1.0, 1.0])
        assert incline_deg(hip, shoulder_left, -1)[0] == pytest.approx(angle)
    with pytest.raises(ValueError, match="toward"):
        incline_deg(hip, hip, 0)


def test_joint_angle() -> None:
    a, v = np.array([[1.0, 0.0]]), np.array([[0.0, 0.0]])
    assert joint_angle_deg(a, v, np.array([[0.0, 2.0]]))[0] == pytest.approx(90.0)
    assert joint_angle_deg(a, v, np.array([[-3.0, 0.0]]))[0] == pytest.approx(180.0)


def test_sway_is_zero_for_a_still_angle_and_the_wobble_otherwise() -> None:
    t = np.arange(0, 10, 1 / 30)
    assert np.nanmax(sway_deg(np.full(t.size, 7.0), t, 2.0)) == 0.0
    wobble = 7.0 + np.where((t > 5) & (t < 5.3), 9.0, 0.0)
    s = sway_deg(wobble, t, 2.0)
    assert s[(t > 5.05) & (t < 5.25)].min() == pytest.approx(9.0)
    assert s[t < 4].max() == 0.0


#: The shoulder-ankle line of the test plank falls this much toward the feet.
BODY_LINE_DEG = 8.5


def plank_dataset(hip_offset_deg: float, *, tilt_deg: float = 0.0, head: int = 1) -> FloatArray:
    """Keypoints (time=3, 2, keypoint) of a plank: shoulder over the elbow, ankle on the
    floor; optionally turned by ``tilt_deg`` (counter-clockwise) and facing left."""
    pos = np.full((3, 2, len(KEYPOINTS)), np.nan)
    line = [rot(p * 500, -BODY_LINE_DEG) + np.array([0, 150]) for p in bent_line(hip_offset_deg)]
    s, h, a = (p[0] for p in line)
    pts = {
        "shoulder": s,
        "hip": h,
        "ankle": a,
        "elbow": s - [0, 150],
        "wrist": s - [150, 150],
        "toe": np.array([a[0] + 40, 0.0]),
        "heel": a + np.array([-20, 20]),
        "knee": (h + a) / 2,
    }
    for name, xy in pts.items():
        xy = rot(np.array([xy]) * [head, 1], tilt_deg)[0] + [700, 300]
        for side, dz in (("left", -3.0), ("right", 3.0)):
            key = f"{side}_{name}"
            pos[:, :, KEYPOINTS.index(key)] = xy + dz
    # the head lies beyond the shoulder, away from the feet
    return pos


def as_dataset(pos: FloatArray):  # type: ignore[no-untyped-def]
    return make_pose_dataset(
        pos,
        np.ones((pos.shape[0], pos.shape[2])),
        np.arange(pos.shape[0]) / 30,
        fps=30,
        source_software="test",
    )


@pytest.mark.parametrize("head", [1, -1])
def test_plank_measures_on_a_pose_dataset(head: int) -> None:
    # shoulder at x=0, ankle at x=+1000 for head=1: the head side is toward -x
    ds = as_dataset(plank_dataset(-12.0, head=head))
    direction = detect_head_direction(ds)
    assert direction == -head
    frame = compute_measures(ds, form_definition("front_plank"), None, direction)
    assert frame["hip_offset_deg"].to_numpy() == pytest.approx(-12.0)
    assert frame["upper_arm_incline_deg"].to_numpy() == pytest.approx(90.0)
    assert frame["body_line_incline_deg"].to_numpy() == pytest.approx(BODY_LINE_DEG)


def test_floor_tilt_from_the_wrist_toe_line() -> None:
    ds = as_dataset(plank_dataset(0.0, tilt_deg=7.0))
    tilt, n = floor_tilt_deg(ds, ["wrist", "toe"], None)
    assert tilt == pytest.approx(7.0) and n == 3
    ds_left = as_dataset(plank_dataset(0.0, tilt_deg=-4.0, head=-1))
    assert floor_tilt_deg(ds_left, ["wrist", "toe"], None)[0] == pytest.approx(-4.0)


def test_side_points_need_a_side() -> None:
    ds = as_dataset(plank_dataset(0.0))
    assert body_point(ds, "side_knee", "left")[0] == pytest.approx(body_point(ds, "knee")[0] - 3)
    assert body_point(ds, "other_knee", "left")[0] == pytest.approx(body_point(ds, "knee")[0] + 3)
    with pytest.raises(InputError, match="needs a side"):
        body_point(ds, "side_knee", None)
    assert "left_knee" in required_keypoints(form_definition("single_leg_bridge", "left"), "left")
    assert "right_knee" not in required_keypoints(
        form_definition("single_leg_bridge", "left"), "left"
    )


def test_no_trunk_at_all_is_refused() -> None:
    ds = as_dataset(plank_dataset(0.0) * np.nan)
    with pytest.raises(InputError, match="shoulders and hips are never seen together"):
        detect_head_direction(ds)


@pytest.mark.parametrize(
    "key",
    [
        "front_plank",
        "side_plank",
        "glute_bridge",
        "single_leg_bridge",
        "bird_dog",
        "dead_bug",
        "curl_up",
        "extensor",
        "flexor",
    ],
)
def test_every_definition_can_be_measured(key: str) -> None:
    """Each definition's points exist and give one finite value per frame and measure."""
    from upright.form.definitions import load_form_table

    definition = next(d for d in load_form_table().exercises if d.key == key)
    side = "left" if definition.side else None
    ds = as_dataset(plank_dataset(10.0))
    frame = compute_measures(ds, definition, side, detect_head_direction(ds))
    for m in definition.measures:
        assert np.isfinite(frame[m.name]).all(), m.name
