"""Synthetic exercise figures whose body line is known exactly over time.

A front plank and a glute bridge seen from the side, a side plank seen from the front,
and single-leg bridge repetitions. The figure lies on the floor (set-up), rises into the
position, holds it while the hip's offset from its body line follows a given profile, and
comes down at a known moment. The keypoints are placed so that the hip offset is the
profile *exactly* (to float precision): the offset of the hip from the shoulder-ankle line
(planks) or the shoulder-knee line (bridges), 180 deg minus the angle at the hip, + above
the line, - below it (sag, hip drop, hips not up).

Frames: the body is built in a frame ``(u, v)``: ``u`` toward the head, ``v`` up, ``v = 0``
on the floor, pixels. It is mapped to the image (y up) by ``x = x0 + facing * u``,
``y = floor_y + v``, then turned by the camera tilt (+ = the scene turned clockwise on
screen, as in :mod:`upright.synthetic.runner`, so the floor line's angle is ``-tilt``).

Segment lengths are fractions of body height from Winter (2009), *Biomechanics and
Motor Control of Human Movement*, 4th ed., fig. 4.1; the keypoints are joint centres, a
few centimetres off the floor where a body part rests on it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

import numpy as np
import xarray as xr

from upright.skeleton import KEYPOINTS, FloatArray
from upright.synthetic._figure import (
    BACKGROUND,
    BODY,
    GROUND,
    Frame,
    PixelMap,
    figure_dataset,
    frame_times,
    smoothstep,
    tilt_scene,
)
from upright.synthetic.runner import (
    ANKLE_H,
    FOREARM_H,
    HIP_H,
    KNEE_H,
    SHOULDER_H,
    UPPER_ARM_H,
)

__all__ = [
    "BANNER",
    "ExerciseSpec",
    "SyntheticExercise",
    "render_exercise_frames",
    "simulate_exercise",
]

Figure = Literal["front_plank", "side_plank", "glute_bridge", "single_leg_bridge"]
Side = Literal["left", "right"]

SOURCE_SOFTWARE = "upright synthetic exercise figure"
TRUNK_H = SHOULDER_H - HIP_H
THIGH_H = HIP_H - KNEE_H
SHANK_H = KNEE_H - ANKLE_H
LEG_H = THIGH_H + SHANK_H
#: Joint centres resting on the floor sit this high (fraction of H).
ON_FLOOR_H = 0.03
#: Widths for the front view (Winter 2009): shoulders 0.259 H, hips 0.191 H; knees and
#: ankles held together.
HALF_WIDTH_H = {
    "shoulder": 0.13,
    "elbow": 0.13,
    "wrist": 0.13,
    "hip": 0.095,
    "knee": 0.05,
    "ankle": 0.04,
    "heel": 0.04,
    "toe": 0.04,
}
#: In a side view the two sides nearly overlap: this far apart (fraction of H).
SIDE_VIEW_HALF_GAP_H = 0.0025


@dataclass(frozen=True)
class ExerciseSpec:
    """What the synthetic figure does, known exactly.

    Parameters
    ----------
    figure
        Which exercise: ``front_plank`` (side view), ``side_plank`` (front view),
        ``glute_bridge`` or ``single_leg_bridge`` (side view).
    duration_s, fps
        Length and frame rate of the recording.
    setup_s
        Time lying on the floor before rising.
    rise_s, lower_s
        Time to rise into the position and to come down from it.
    hold_end_s
        When the figure starts to come down (the position is lost); None = held to the
        end of the recording.
    offset_knots
        The hip offset over the hold, ``(time_s, deg)`` points joined by straight lines
        (held flat before the first and after the last point).
    reps, rep_period_s, rep_bottom_deg
        Single-leg bridge: repetitions from ``rep_bottom_deg`` up to the offset profile
        and back, each ``rep_period_s`` long, starting at the end of the rise.
    side
        Side plank: the side on the floor; single-leg bridge: the working leg.
    facing
        +1 when the head is toward image right, -1 toward image left.
    height_px, image_width_px, image_height_px
        Body height and picture size (pixels).
    camera_tilt_deg
        + turns the whole scene clockwise on screen.
    """

    figure: Figure = "front_plank"
    duration_s: float = 20.0
    fps: float = 30.0
    setup_s: float = 2.0
    rise_s: float = 0.6
    lower_s: float = 0.6
    hold_end_s: float | None = 16.0
    offset_knots: tuple[tuple[float, float], ...] = ((0.0, 15.0),)
    reps: int = 0
    rep_period_s: float = 2.5
    rep_bottom_deg: float = -45.0
    side: Side = "left"
    facing: int = 1
    height_px: float = 560.0
    image_width_px: int = 1280
    image_height_px: int = 720
    camera_tilt_deg: float = 0.0

    def __post_init__(self) -> None:
        problems = []
        if self.duration_s <= 0 or self.fps <= 0:
            problems.append("duration_s and fps must be > 0")
        if self.facing not in (1, -1):
            problems.append(f"facing must be +1 or -1, got {self.facing}")
        if not self.offset_knots:
            problems.append("offset_knots needs at least one point")
        if any(abs(deg) > 80 for _, deg in self.offset_knots):
            problems.append("a hip offset beyond 80 deg is not an exercise position")
        if self.reps and self.figure != "single_leg_bridge":
            problems.append("reps are for the single-leg bridge")
        if self.hold_end_s is not None and self.hold_end_s <= self.setup_s + self.rise_s:
            problems.append("hold_end_s must come after the rise")
        if problems:
            raise ValueError("invalid ExerciseSpec: " + "; ".join(problems))

    @property
    def reached_s(self) -> float:
        """When the figure is in position (end of the rise)."""
        return self.setup_s + self.rise_s

    def offset_at(self, time_s: FloatArray) -> FloatArray:
        """The hip offset of the held position at each time (degrees): the knots'
        profile, with the reps' lifts for the single-leg bridge."""
        t = np.asarray(time_s, dtype=np.float64)
        knots_t = np.array([k[0] for k in self.offset_knots])
        knots_v = np.array([k[1] for k in self.offset_knots])
        top = np.interp(t, knots_t, knots_v)
        if not self.reps:
            return np.asarray(top, dtype=np.float64)
        phase = (t - self.reached_s) / self.rep_period_s
        lift = np.where(
            (phase >= 0) & (phase < self.reps), (1 - np.cos(2 * np.pi * phase)) / 2, 0.0
        )
        return np.asarray(self.rep_bottom_deg + lift * (top - self.rep_bottom_deg))


@dataclass(frozen=True)
class SyntheticExercise:
    """A simulated exercise and its truth.

    Attributes
    ----------
    ds
        Pose Dataset (pixels, y up, confidence 1, ``attrs["synthetic"] = 1``).
    hip_offset_deg
        True hip offset per frame while in position (NaN during set-up, rise, lowering
        and after).
    reached_s, lost_s
        When the position is reached (end of the rise) and when it starts to be lost
        (None when held to the end).
    floor_angle_deg
        Angle of the floor line in the picture (``-camera_tilt_deg``).
    """

    spec: ExerciseSpec
    ds: xr.Dataset
    hip_offset_deg: FloatArray
    reached_s: float
    lost_s: float | None
    floor_angle_deg: float


Pose = dict[str, FloatArray]  # body point -> (n, 2) in (u, v)


def _v(u: float, v: float) -> FloatArray:
    """A (u, v) step to add to (n, 2) points."""
    return np.array([u, v], dtype=np.float64)


_LEG = ("knee", "ankle", "heel", "toe")


def _vertex(a: FloatArray, b: FloatArray, length_a: float, offset_deg: FloatArray) -> FloatArray:
    """The point ``length_a`` from ``a`` whose offset from the a-b line is ``offset_deg``
    (+ above: the side of the line's upward normal)."""
    d = b - a
    dist = np.linalg.norm(d, axis=-1)
    beta = np.radians(offset_deg)
    # |ab|^2 = la^2 + x^2 + 2 la x cos(beta)  ->  x = |vertex b|
    x = -length_a * np.cos(beta) + np.sqrt(
        np.maximum(length_a**2 * np.cos(beta) ** 2 - length_a**2 + dist**2, 0.0)
    )
    cos_phi = np.clip((length_a**2 + dist**2 - x**2) / (2 * length_a * dist), -1.0, 1.0)
    phi = np.arccos(cos_phi)
    unit = d / dist[:, None]
    normal = np.stack([-unit[:, 1], unit[:, 0]], -1)
    normal = np.where(normal[:, 1:2] < 0, -normal, normal)
    turn = np.sign(beta)[:, None] * np.sin(phi)[:, None]
    return np.asarray(a + length_a * (np.cos(phi)[:, None] * unit + turn * normal))


def _plank(h: float, offset: FloatArray, frontal: bool) -> Pose:
    n = offset.size
    floor = ON_FLOOR_H * h
    # front view: the mid-points sit half a shoulder width above the supporting side
    lift = HALF_WIDTH_H["shoulder"] * h if frontal else 0.0
    elbow = np.tile([0.0, floor + lift], (n, 1))
    shoulder = elbow + _v(0.0, UPPER_ARM_H * h)
    ankle_v = floor + (HALF_WIDTH_H["ankle"] * h if frontal else 0.02 * h)
    beta = np.radians(offset)
    sa = np.sqrt(TRUNK_H**2 + LEG_H**2 + 2 * TRUNK_H * LEG_H * np.cos(beta)) * h
    ankle = np.stack([-np.sqrt(sa**2 - (shoulder[:, 1] - ankle_v) ** 2), np.full(n, ankle_v)], -1)
    hip = _vertex(shoulder, ankle, TRUNK_H * h, offset)
    knee = hip + (ankle - hip) * (THIGH_H / LEG_H)
    return {
        "shoulder": shoulder,
        "elbow": elbow,
        "wrist": elbow + _v(FOREARM_H * h, 0.0),
        "hip": hip,
        "knee": knee,
        "ankle": ankle,
        "toe": np.stack([ankle[:, 0] + 0.03 * h, np.full(n, floor)], -1),
        "heel": ankle + _v(-0.035 * h, 0.04 * h),
        "ear": shoulder + _v(0.09 * h, 0.03 * h),
    }


def _plank_lying(h: float, n: int, frontal: bool) -> Pose:
    floor = ON_FLOOR_H * h
    up = HALF_WIDTH_H["shoulder"] * h if frontal else 0.06 * h
    shoulder = np.tile([0.0, up], (n, 1))
    hip = shoulder + _v(-TRUNK_H * h, 0.0)
    ankle = hip + _v(-LEG_H * h, 0.0)
    arm_v = 0.0 if frontal else floor - up  # arms reach forward along the floor
    return {
        "shoulder": shoulder,
        "elbow": shoulder + _v(UPPER_ARM_H * h, arm_v),
        "wrist": shoulder + _v((UPPER_ARM_H + FOREARM_H) * h, arm_v),
        "hip": hip,
        "knee": hip + _v(-THIGH_H * h, 0.0),
        "ankle": ankle,
        "toe": np.stack([ankle[:, 0] + 0.03 * h, np.full(n, floor)], -1),
        "heel": ankle + _v(-0.035 * h, 0.04 * h),
        "ear": shoulder + _v(0.09 * h, 0.0),
    }


def _bridge(h: float, offset: FloatArray, lift_other: bool) -> Pose:
    """Supine, head toward +u: shoulders on the floor, feet flat, the hip placed at the
    given offset from the shoulder-knee line (the thigh's length follows)."""
    n = offset.size
    floor = ON_FLOOR_H * h
    shoulder = np.tile([0.0, 0.06 * h], (n, 1))
    knee_v = KNEE_H * h
    reach = TRUNK_H * h + THIGH_H * h
    knee = np.tile([-np.sqrt(reach**2 - (knee_v - 0.06 * h) ** 2), knee_v], (n, 1))
    hip = _vertex(shoulder, knee, TRUNK_H * h, offset)
    ankle = knee - _v(0.0, SHANK_H * h)
    pose = {
        "shoulder": shoulder,
        "elbow": shoulder + _v(-UPPER_ARM_H * h, floor - 0.06 * h),
        "wrist": shoulder + _v(-(UPPER_ARM_H + FOREARM_H) * h, floor - 0.06 * h),
        "hip": hip,
        "knee": knee,
        "ankle": ankle,
        "heel": np.stack([ankle[:, 0] + 0.035 * h, np.full(n, floor)], -1),
        "toe": np.stack([ankle[:, 0] - 0.117 * h, np.full(n, floor)], -1),
        "ear": shoulder + _v(0.10 * h, 0.02 * h),
    }
    if lift_other:  # the other leg straight, in line with the thigh of the working leg
        thigh = (knee - hip) / np.linalg.norm(knee - hip, axis=1)[:, None]
        pose["other_knee"] = hip + thigh * THIGH_H * h
        pose["other_ankle"] = hip + thigh * LEG_H * h
        pose["other_heel"] = pose["other_ankle"] + _v(-0.02 * h, -0.03 * h)
        pose["other_toe"] = pose["other_ankle"] + _v(-0.03 * h, 0.1 * h)
    return pose


def _bridge_lying(h: float, n: int) -> Pose:
    pose = _bridge(h, np.full(n, -50.0), lift_other=False)
    pose["hip"] = pose["shoulder"] + _v(-TRUNK_H * h, 0.0)
    return pose


def _blend(a: Pose, b: Pose, w: FloatArray) -> Pose:
    """Per frame, ``a`` where ``w = 0``, ``b`` where ``w = 1``, straight lines between."""
    return {k: a[k] + w[:, None] * (b[k] - a[k]) for k in a}


def _weights(spec: ExerciseSpec, t: FloatArray) -> FloatArray:
    up = smoothstep((t - spec.setup_s) / spec.rise_s)
    if spec.hold_end_s is None:
        return up
    down = smoothstep((t - spec.hold_end_s) / spec.lower_s)
    return np.asarray(up * (1 - down))


def _held(spec: ExerciseSpec, t: FloatArray) -> FloatArray:
    """Poses in position (the offset profile) and lying, blended by the weights."""
    h = spec.height_px
    offset = spec.offset_at(t)
    n = t.size
    if spec.figure in ("front_plank", "side_plank"):
        frontal = spec.figure == "side_plank"
        pose = _blend(_plank_lying(h, n, frontal), _plank(h, offset, frontal), _weights(spec, t))
    else:
        slb = spec.figure == "single_leg_bridge"
        pose = _blend(_bridge_lying(h, n), _bridge(h, offset, slb), _weights(spec, t))
        if slb:
            lying = _bridge(h, offset, True)
            for k in ("other_knee", "other_ankle", "other_heel", "other_toe"):
                pose[k] = lying[k] + (pose["hip"] - lying["hip"])
    return _to_keypoints(spec, pose)


def _to_keypoints(spec: ExerciseSpec, pose: Pose) -> FloatArray:
    """(time, 2, keypoint) image positions, y up: sides apart, mapped and tilted."""
    n = next(iter(pose.values())).shape[0]
    out = np.full((n, 2, len(KEYPOINTS)), np.nan)
    frontal = spec.figure == "side_plank"
    other = "right" if spec.side == "left" else "left"
    body_dir = pose["shoulder"] - pose["ankle"]
    body_dir = body_dir / np.linalg.norm(body_dir, axis=1)[:, None]
    up = np.stack([-body_dir[:, 1], body_dir[:, 0]], -1)
    up = np.where(up[:, 1:2] < 0, -up, up)
    for name, uv in pose.items():
        if name.startswith("other_"):
            continue
        for side in ("left", "right"):
            key = f"{side}_{name}"
            if name == "ear":
                gap = np.zeros_like(uv)
            elif frontal:  # the side on the floor is the lower one
                sign = -1.0 if side == spec.side else 1.0
                gap = sign * HALF_WIDTH_H[name] * spec.height_px * up
            elif spec.figure == "single_leg_bridge" and name in _LEG and side == spec.side:
                gap = np.zeros_like(uv)  # the working leg's own points are exact
            else:
                gap = np.tile([0.0, SIDE_VIEW_HALF_GAP_H * spec.height_px], (n, 1))
                gap = gap if side == "left" else -gap
            point = uv + gap
            if spec.figure == "single_leg_bridge" and side == other and f"other_{name}" in pose:
                point = pose[f"other_{name}"]
            out[:, :, KEYPOINTS.index(key)] = _to_image(spec, point)
    nose = pose["ear"] + _v(0.04 * spec.height_px, -0.01 * spec.height_px)
    out[:, :, KEYPOINTS.index("nose")] = _to_image(spec, nose)
    return out


def _to_image(spec: ExerciseSpec, uv: FloatArray) -> FloatArray:
    x0 = spec.image_width_px / 2 + spec.facing * 0.35 * spec.height_px
    floor_y = 0.2 * spec.image_height_px
    xy = np.stack([x0 + spec.facing * uv[:, 0], floor_y + uv[:, 1]], -1)
    return tilt_scene(xy, spec.image_width_px, spec.image_height_px, spec.camera_tilt_deg)


def simulate_exercise(spec: ExerciseSpec) -> SyntheticExercise:
    """Simulate the exercise and return its keypoints with the exact truth."""
    t = frame_times(spec.duration_s, spec.fps)
    ds = figure_dataset(
        _held(spec, t),
        t,
        fps=spec.fps,
        source_software=SOURCE_SOFTWARE,
        image_width_px=spec.image_width_px,
        image_height_px=spec.image_height_px,
    )
    for name in ("head_top", "left_eye", "right_eye"):
        ds["position"].loc[{"keypoint": name}] = np.nan
        ds["confidence"].loc[{"keypoint": name}] = 0.0
    held = (t >= spec.reached_s) & (
        t < (spec.hold_end_s if spec.hold_end_s is not None else np.inf)
    )
    return SyntheticExercise(
        spec=spec,
        ds=ds,
        hip_offset_deg=np.where(held, spec.offset_at(t), np.nan),
        reached_s=spec.reached_s,
        lost_s=spec.hold_end_s,
        floor_angle_deg=-float(spec.camera_tilt_deg),
    )


BANNER = "SYNTHETIC FIGURE - not a real recording"
_TEXT = (190, 30, 30)


def render_exercise_frames(ex: SyntheticExercise) -> Iterator[tuple[float, Frame]]:
    """Draw the figure as a stick figure on a plain background, frame by frame.

    Yields ``(time_s, rgb)`` with frames of the spec's image size, the keypoints of
    ``ex.ds`` at their own pixels (y flipped to image rows), the floor line and the
    banner :data:`BANNER` in the top-left corner.
    """
    import cv2

    from upright.skeleton import BONES

    spec = ex.spec
    w, h = spec.image_width_px, spec.image_height_px
    pos = np.asarray(ex.ds["position"].isel(individual=0).values, dtype=np.float64)
    thick = max(2, round(0.03 * spec.height_px))
    floor = np.array([[-w, 0.2 * h], [2 * w, 0.2 * h]])  # v = 0, see _to_image
    to_pixel = PixelMap(1.0, np.zeros(2), h)
    ends = [to_pixel(xy) for xy in tilt_scene(floor, w, h, spec.camera_tilt_deg)]
    index = {k: i for i, k in enumerate(KEYPOINTS)}
    for t, frame_pos in zip(ex.ds["time"].values, pos, strict=True):
        img = np.full((h, w, 3), BACKGROUND, dtype=np.uint8)
        cv2.line(img, ends[0], ends[1], GROUND, thick, cv2.LINE_AA)
        for p, q in BONES:
            a_xy, b_xy = frame_pos[:, index[p]], frame_pos[:, index[q]]
            if np.isfinite(a_xy).all() and np.isfinite(b_xy).all():
                cv2.line(img, to_pixel(a_xy), to_pixel(b_xy), BODY, thick, cv2.LINE_AA)
        nose = frame_pos[:, index["nose"]]
        if np.isfinite(nose).all():
            cv2.circle(img, to_pixel(nose), 2 * thick, BODY, -1)
        cv2.putText(img, BANNER, (10, h - 12), cv2.FONT_HERSHEY_SIMPLEX, 0.6, _TEXT, 2, cv2.LINE_AA)
        yield float(t), img
