"""Synthetic exercise figures whose judged angle is known exactly over time.

Every exercise of the form check has a figure: a front plank, glute bridge, single-leg
bridge (repetitions), bird dog, dead bug, curl-up, Biering-Sorensen extensor hold and
McGill flexor hold seen from the side, and a side plank seen from the front. The figure
rests (set-up), moves into the position, holds it while its judged angle follows a given
profile, and leaves it at a known moment. The keypoints are placed so that the judged
angle is the profile *exactly* (to float precision):

==================  ======================================================================
figure              judged angle (the form check's ``judged`` measure)
==================  ======================================================================
planks              hip offset from the shoulder-ankle line, + above, - below
bridges             hip offset from the shoulder-knee line (single leg: the working knee)
bird_dog            lifted leg (hip to ankle) against horizontal, + above; the trunk
                    incline follows ``trunk_knots``
dead_bug            trunk-thigh angle at the hip (90 = thighs vertical); the trunk incline
                    follows ``trunk_knots``
curl_up, extensor,  trunk (hip to shoulder) against horizontal toward the head, + up
flexor
==================  ======================================================================

Frames: the body is built in a frame ``(u, v)``: ``u`` toward the head, ``v`` up, ``v = 0``
on the floor, pixels. It is mapped to the image (y up) by ``x = x0 + facing * u``,
``y = floor_y + v``, then turned by the camera tilt (+ = the scene turned clockwise on
screen, as in :mod:`upright.synthetic.runner`, so the floor line's angle is ``-tilt``).
The poses are in :mod:`upright.synthetic._plank_bridge` and
:mod:`upright.synthetic._core_figures`; the drawing in
:mod:`upright.synthetic.exercise_render`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import xarray as xr

from upright.skeleton import KEYPOINTS, FloatArray
from upright.synthetic._body import HALF_WIDTH_H, Pose, blend, uv
from upright.synthetic._core_figures import CORE_FIGURES, core_pose
from upright.synthetic._figure import figure_dataset, frame_times, smoothstep, tilt_scene
from upright.synthetic._plank_bridge import bridge, bridge_lying, plank, plank_lying

__all__ = ["FIGURES", "ExerciseSpec", "SyntheticExercise", "simulate_exercise"]

Figure = Literal[
    "front_plank",
    "side_plank",
    "glute_bridge",
    "single_leg_bridge",
    "bird_dog",
    "dead_bug",
    "curl_up",
    "extensor",
    "flexor",
]
FIGURES: tuple[str, ...] = (
    "front_plank",
    "side_plank",
    "glute_bridge",
    "single_leg_bridge",
    *CORE_FIGURES,
)
Side = Literal["left", "right"]

SOURCE_SOFTWARE = "upright synthetic exercise figure"
#: In a side view the two sides nearly overlap: this far apart (fraction of H).
SIDE_VIEW_HALF_GAP_H = 0.0025
#: The judged angles a figure can take (degrees); beyond them it is no exercise position.
ANGLE_RANGE = {
    "bird_dog": (-60.0, 60.0),
    "dead_bug": (30.0, 170.0),
    "curl_up": (0.0, 60.0),
    "extensor": (-80.0, 45.0),
    "flexor": (20.0, 95.0),
}
#: The trunk incline when ``trunk_knots`` is empty (bird dog: shoulders a little higher
#: than the hips on hands and knees; dead bug: flat on the back).
DEFAULT_TRUNK_DEG = {"bird_dog": 5.0, "dead_bug": 0.0}
_LEG = ("knee", "ankle", "heel", "toe")
_POINTS = ("shoulder", "elbow", "wrist", "hip", "knee", "ankle", "heel", "toe", "ear")


@dataclass(frozen=True)
class ExerciseSpec:
    """What the synthetic figure does, known exactly.

    Parameters
    ----------
    figure
        Which exercise (a key of the form rules): see the module docstring.
    duration_s, fps
        Length and frame rate of the recording.
    setup_s
        Time at rest before moving into the position.
    rise_s, lower_s
        Time to move into the position and to leave it.
    hold_end_s
        When the figure starts to leave the position; None = held to the end of the
        recording. (A protocol that stops the clock at a limit, the extensor and
        flexor holds, ends the hold earlier when the profile crosses it.)
    offset_knots
        The judged angle over the hold, ``(time_s, deg)`` points joined by straight
        lines (held flat before the first and after the last point).
    trunk_knots
        Bird dog and dead bug: the trunk incline over the hold, the same way; empty =
        :data:`DEFAULT_TRUNK_DEG`.
    reps, rep_period_s, rep_bottom_deg
        Single-leg bridge: repetitions from ``rep_bottom_deg`` up to the offset profile
        and back, each ``rep_period_s`` long, starting at the end of the rise.
    side
        Side plank: the side on the floor; single-leg bridge: the working leg; bird
        dog: the lifted leg (the other arm reaches forward).
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
    trunk_knots: tuple[tuple[float, float], ...] = ()
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
        if self.figure not in FIGURES:
            problems.append(f"unknown figure {self.figure!r}")
        if self.duration_s <= 0 or self.fps <= 0:
            problems.append("duration_s and fps must be > 0")
        if self.facing not in (1, -1):
            problems.append(f"facing must be +1 or -1, got {self.facing}")
        if not self.offset_knots:
            problems.append("offset_knots needs at least one point")
        low, high = ANGLE_RANGE.get(self.figure, (-80.0, 80.0))
        if any(not low <= deg <= high for _, deg in self.offset_knots):
            problems.append(
                f"a {self.figure} angle outside {low:g}..{high:g} deg is not an exercise position"
            )
        if self.trunk_knots and self.figure not in DEFAULT_TRUNK_DEG:
            problems.append("trunk_knots are for the bird dog and dead bug")
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
        """The judged angle of the held position at each time (degrees): the knots'
        profile, with the reps' lifts for the single-leg bridge."""
        t = np.asarray(time_s, dtype=np.float64)
        top = _interp(t, self.offset_knots)
        if not self.reps:
            return top
        phase = (t - self.reached_s) / self.rep_period_s
        lift = np.where(
            (phase >= 0) & (phase < self.reps), (1 - np.cos(2 * np.pi * phase)) / 2, 0.0
        )
        return np.asarray(self.rep_bottom_deg + lift * (top - self.rep_bottom_deg))

    def trunk_at(self, time_s: FloatArray) -> FloatArray:
        """Bird dog and dead bug: the trunk incline of the held position (degrees)."""
        t = np.asarray(time_s, dtype=np.float64)
        knots = self.trunk_knots or ((0.0, DEFAULT_TRUNK_DEG.get(self.figure, 0.0)),)
        return _interp(t, knots)


def _interp(t: FloatArray, knots: tuple[tuple[float, float], ...]) -> FloatArray:
    return np.asarray(np.interp(t, [k[0] for k in knots], [k[1] for k in knots]), dtype=np.float64)


@dataclass(frozen=True)
class SyntheticExercise:
    """A simulated exercise and its truth.

    Attributes
    ----------
    ds
        Pose Dataset (pixels, y up, confidence 1, ``attrs["synthetic"] = 1``).
    angle_deg
        True judged angle per frame while in position (NaN during set-up, rise,
        lowering and after); :attr:`hip_offset_deg` for planks and bridges.
    trunk_deg
        True trunk incline per frame while in position (bird dog and dead bug; NaN for
        the other figures and outside the position).
    reached_s, lost_s
        When the position is reached (end of the rise) and when the figure starts to
        leave it (None when held to the end).
    floor_angle_deg
        Angle of the floor line in the picture (``-camera_tilt_deg``).
    """

    spec: ExerciseSpec
    ds: xr.Dataset
    angle_deg: FloatArray
    trunk_deg: FloatArray
    reached_s: float
    lost_s: float | None
    floor_angle_deg: float

    @property
    def hip_offset_deg(self) -> FloatArray:
        """The judged angle of a plank or bridge: the hip offset."""
        return self.angle_deg


def _weights(spec: ExerciseSpec, t: FloatArray) -> FloatArray:
    up = smoothstep((t - spec.setup_s) / spec.rise_s)
    if spec.hold_end_s is None:
        return up
    down = smoothstep((t - spec.hold_end_s) / spec.lower_s)
    return np.asarray(up * (1 - down))


def _pose(spec: ExerciseSpec, t: FloatArray) -> Pose:
    """Poses in position (the angle profile) and at rest, blended by the weights."""
    h = spec.height_px
    angle = spec.offset_at(t)
    n = t.size
    w = _weights(spec, t)
    if spec.figure in ("front_plank", "side_plank"):
        frontal = spec.figure == "side_plank"
        return blend(plank_lying(h, n, frontal), plank(h, angle, frontal), w)
    if spec.figure in ("glute_bridge", "single_leg_bridge"):
        slb = spec.figure == "single_leg_bridge"
        pose = blend(bridge_lying(h, n), bridge(h, angle, slb), w)
        if slb:
            lying = bridge(h, angle, True)
            for k in _LEG:
                pose[f"other_{k}"] = lying[f"other_{k}"] + (pose["hip"] - lying["hip"])
                pose[f"side_{k}"] = pose[k]  # the working leg's own points are exact
        return pose
    trunk = spec.trunk_at(t)
    return blend(
        core_pose(spec.figure, h, angle, trunk, held=False),
        core_pose(spec.figure, h, angle, trunk, held=True),
        w,
    )


def _to_keypoints(spec: ExerciseSpec, pose: Pose) -> FloatArray:
    """(time, 2, keypoint) image positions, y up: sides apart, mapped and tilted.

    A ``side_<point>`` / ``other_<point>`` entry is that side's point exactly; a plain
    ``<point>`` is shared, the two sides a hair apart (side view) or half a body width
    apart (front view)."""
    n = next(iter(pose.values())).shape[0]
    h = spec.height_px
    out = np.full((n, 2, len(KEYPOINTS)), np.nan)
    frontal = spec.figure == "side_plank"
    if frontal:
        body_dir = pose["shoulder"] - pose["ankle"]
        body_dir = body_dir / np.linalg.norm(body_dir, axis=1)[:, None]
        up = np.stack([-body_dir[:, 1], body_dir[:, 0]], -1)
        up = np.where(up[:, 1:2] < 0, -up, up)
    for side in ("left", "right"):
        prefix = "side" if side == spec.side else "other"
        for name in _POINTS:
            if f"{prefix}_{name}" in pose:
                point = pose[f"{prefix}_{name}"]
            elif name not in pose:
                continue
            elif name == "ear":
                point = pose[name]
            elif frontal:  # the side on the floor is the lower one
                sign = -1.0 if side == spec.side else 1.0
                point = pose[name] + sign * HALF_WIDTH_H[name] * h * up
            else:
                gap = SIDE_VIEW_HALF_GAP_H * h * (1.0 if side == "left" else -1.0)
                point = pose[name] + uv(0.0, gap)
            out[:, :, KEYPOINTS.index(f"{side}_{name}")] = _to_image(spec, point)
    nose = pose["ear"] + uv(0.04 * h, -0.01 * h)
    out[:, :, KEYPOINTS.index("nose")] = _to_image(spec, nose)
    return out


def _to_image(spec: ExerciseSpec, point: FloatArray) -> FloatArray:
    x0 = spec.image_width_px / 2 + spec.facing * 0.35 * spec.height_px
    floor_y = 0.2 * spec.image_height_px
    xy = np.stack([x0 + spec.facing * point[:, 0], floor_y + point[:, 1]], -1)
    return tilt_scene(xy, spec.image_width_px, spec.image_height_px, spec.camera_tilt_deg)


def simulate_exercise(spec: ExerciseSpec) -> SyntheticExercise:
    """Simulate the exercise and return its keypoints with the exact truth."""
    t = frame_times(spec.duration_s, spec.fps)
    ds = figure_dataset(
        _to_keypoints(spec, _pose(spec, t)),
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
    has_trunk = spec.figure in DEFAULT_TRUNK_DEG
    return SyntheticExercise(
        spec=spec,
        ds=ds,
        angle_deg=np.where(held, spec.offset_at(t), np.nan),
        trunk_deg=np.where(held & has_trunk, spec.trunk_at(t), np.nan),
        reached_s=spec.reached_s,
        lost_s=spec.hold_end_s,
        floor_angle_deg=-float(spec.camera_tilt_deg),
    )
