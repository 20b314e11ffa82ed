"""A synthetic runner seen from the side, whose every parameter is known exactly.

Used by ``upright demo`` (a clearly labelled synthetic run) and by tests whose answer is
exact. The model is kinematic, not physical: it places keypoints so that the quantities
upright measures hold *exactly* (to float precision) in the produced keypoints.

Frames and signs
----------------
The body is built in a sagittal frame ``(u, v)``: ``u`` forward in the running direction,
``v`` up, ``v = 0`` on the ground, in pixels. It is mapped to the image (y up) by
``x = x0 + direction * u``, ``y = ground_y + v`` and then rotated by the camera tilt.

=====================  ==========================================================  =====
quantity               definition and sign                                         unit
=====================  ==========================================================  =====
trunk lean             mid-hip -> mid-shoulder line from vertical, + forward       deg
head-trunk angle       trunk line vs mid-shoulder -> mid-ear line, + head back     deg
camera tilt            + = scene rotated clockwise in the image about its centre   deg
=====================  ==========================================================  =====

A positive ``camera_tilt_deg`` rotates the whole scene, ground included, clockwise on
screen (the camera was rolled counter-clockwise). The lean measured in the image is then
``true lean + tilt`` when running toward +x (image right) and ``true lean - tilt`` when
running toward -x. The head-trunk angle does not change. ``SyntheticRun.trunk_lean_deg``
is always the true lean, relative to gravity.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
import xarray as xr

from upright.skeleton import KEYPOINTS, FloatArray
from upright.synthetic._figure import (
    BACKGROUND,
    BODY,
    GROUND,
    Colour,
    Frame,
    Pixel,
    PixelMap,
    figure_dataset,
    frame_times,
    ground_segment,
    rotate,
    smoothstep,
    tilt_scene,
)

__all__ = [
    "BANNER",
    "RunnerSpec",
    "SyntheticRun",
    "keypoints_at",
    "render_frames",
    "simulate_run",
]

BoolArray = npt.NDArray[np.bool_]
Foot = Literal["left", "right"]

SOURCE_SOFTWARE = "upright synthetic runner (demo)"
BANNER = "SYNTHETIC DEMO RUNNER - not a real recording"

# Segment proportions as fractions of body height H, from Winter's anthropometry
# (D. A. Winter, Biomechanics and Motor Control of Human Movement, 4th ed., 2009, fig. 4.1):
# hip (greater trochanter) 0.530 H, knee 0.285 H, ankle 0.039 H, shoulder 0.818 H,
# upper arm 0.186 H, forearm 0.146 H, foot length 0.152 H; ear canal about 0.92 H
# (between the chin, 0.870 H, and the top of the head, 1.0 H).
HIP_H = 0.530
KNEE_H = 0.285
ANKLE_H = 0.039
SHOULDER_H = 0.818
EAR_H = 0.92
UPPER_ARM_H = 0.186
FOREARM_H = 0.146
FOOT_H = 0.152
HEEL_BEHIND_ANKLE_H = 0.035  # the rest of the foot length is ahead of the ankle
# Head points relative to the ear canal, in the head frame (forward, up), fraction of H.
EYE_FROM_EAR_H = (0.045, 0.012)
NOSE_FROM_EAR_H = (0.062, -0.010)
HEAD_TOP_FROM_EAR_H = (0.005, 0.080)
HEAD_RADIUS_H = 0.062
# Near- and far-side points are this far apart (fraction of H); mid-points are exact.
SIDE_OFFSET_H = 0.005

# Foot pitch in stance (degrees, + toe up): heel strike, foot flat, heel rise, toe-off.
PITCH_CONTACT_DEG = 12.0
PITCH_TOE_OFF_DEG = 40.0
FOOT_FLAT_STANCE = 0.15  # fraction of stance when the forefoot is down
HEEL_RISE_STANCE = 0.50  # fraction of stance when the heel starts to rise
SWING_LIFT_LEG = 0.30  # extra ankle lift at mid-swing, fraction of leg length
MIN_SWING_KNEE_DEG = 5.0  # a swinging foot is lifted rather than over-reach the leg
# Arm swing relative to the trunk (deg, + forward) and elbow flexion (deg).
ARM_MEAN_DEG, ARM_AMPLITUDE_DEG = -10.0, 25.0
ELBOW_MEAN_DEG, ELBOW_AMPLITUDE_DEG = 85.0, 12.0
# The stance foot leaves the ground about this far behind its hip (fraction of leg
# length); with the contact point and the contact time this sets the running speed.
TOE_OFF_BEHIND_LEG = 0.55
MIN_STANCE_SWEEP_LEG = 0.3


@dataclass(frozen=True)
class RunnerSpec:
    """Everything the synthetic runner does, known exactly.

    Parameters
    ----------
    duration_s
        Length of the run in seconds (> 0).
    fps
        Frame rate of the synthetic recording (> 0).
    cadence_spm
        Steps per minute; each step lasts ``60 / cadence_spm`` s and contacts alternate
        right, left, right...
    trunk_lean_start_deg, trunk_lean_end_deg
        True trunk lean (mid-hip -> mid-shoulder from vertical, + forward, degrees) at
        the start and at the end of the run; it changes linearly in between (the
        "fatigue drift").
    head_trunk_deg, head_trunk_end_deg
        Head-trunk angle (trunk line vs mid-shoulder -> mid-ear line, + head extended
        back, degrees) at the start and the end of the run, linear in between.
    lean_noise_deg
        Standard deviation of a stride-to-stride random lean offset (seeded, smoothly
        interpolated between strides), degrees; 0 for a pure ramp.
    direction
        +1 running toward image right (+x), -1 toward image left.
    treadmill
        True: the pelvis stays in place horizontally and the stance foot moves backward
        at belt speed. False: the runner moves across the image at that speed. The
        speed follows from the gait: during a contact the foot travels from
        ``overstride_leg`` ahead of the hip to about 0.55 leg lengths behind it (the
        defaults give about 1.7 body heights per second, roughly 3 m/s, so an
        overground runner crosses a 720 px frame in well under a second).
    height_px
        Standing body height in pixels.
    image_width_px, image_height_px
        Size of the (portrait) image the keypoints live in.
    camera_tilt_deg
        Camera roll: + rotates the whole scene, ground included, clockwise in the image
        about the image centre (see the module docstring for the effect on lean).
    duty_factor
        Fraction of a stride each foot is on the ground, in (0.1, 0.6); below 0.5 the
        run has a flight phase.
    overstride_leg
        Horizontal distance of the ankle ahead of the mid-hip at contact, fraction of
        leg length (standing hip height, 0.530 H).
    vertical_oscillation_leg
        Peak-to-peak vertical pelvis motion per step, fraction of leg length.
    knee_flexion_contact_deg
        Knee flexion at contact (0 = straight), degrees.
    seed
        Seed of the lean noise.
    """

    duration_s: float = 60.0
    fps: float = 30.0
    cadence_spm: float = 170.0
    trunk_lean_start_deg: float = 6.0
    trunk_lean_end_deg: float = 11.0
    head_trunk_deg: float = 8.0
    head_trunk_end_deg: float = 14.0
    lean_noise_deg: float = 1.0
    direction: int = 1
    treadmill: bool = True
    height_px: float = 600.0
    image_width_px: int = 720
    image_height_px: int = 1280
    camera_tilt_deg: float = 0.0
    duty_factor: float = 0.35
    overstride_leg: float = 0.25
    vertical_oscillation_leg: float = 0.09
    knee_flexion_contact_deg: float = 15.0
    seed: int = 0

    def __post_init__(self) -> None:
        problems = _spec_problems(self)
        if problems:
            raise ValueError("invalid RunnerSpec: " + "; ".join(problems))


def _spec_problems(s: RunnerSpec) -> list[str]:
    checks: list[tuple[bool, str]] = [
        (s.duration_s > 0, f"duration_s must be > 0, got {s.duration_s}"),
        (s.fps > 0, f"fps must be > 0, got {s.fps}"),
        (s.cadence_spm > 0, f"cadence_spm must be > 0, got {s.cadence_spm}"),
        (
            0.1 < s.duty_factor < 0.6,
            f"duty_factor must be in (0.1, 0.6), got {s.duty_factor}",
        ),
        (s.direction in (1, -1), f"direction must be +1 or -1, got {s.direction}"),
        (s.height_px > 0, f"height_px must be > 0, got {s.height_px}"),
        (s.image_width_px > 0, f"image_width_px must be > 0, got {s.image_width_px}"),
        (
            s.image_height_px >= s.height_px,
            f"image_height_px must be >= height_px (the runner must fit), got "
            f"{s.image_height_px} for height_px {s.height_px}",
        ),
        (s.lean_noise_deg >= 0, f"lean_noise_deg must be >= 0, got {s.lean_noise_deg}"),
        (
            -0.3 <= s.overstride_leg <= 0.6,
            f"overstride_leg must be in [-0.3, 0.6], got {s.overstride_leg}",
        ),
        (
            0 <= s.vertical_oscillation_leg <= 0.3,
            f"vertical_oscillation_leg must be in [0, 0.3], got {s.vertical_oscillation_leg}",
        ),
        (
            0 <= s.knee_flexion_contact_deg <= 60,
            f"knee_flexion_contact_deg must be in [0, 60], got {s.knee_flexion_contact_deg}",
        ),
    ]
    for name in ("trunk_lean_start_deg", "trunk_lean_end_deg", "camera_tilt_deg"):
        value = float(getattr(s, name))
        checks.append((abs(value) <= 45, f"{name} must be within +-45 deg, got {value}"))
    for name in ("head_trunk_deg", "head_trunk_end_deg"):
        value = float(getattr(s, name))
        checks.append((abs(value) <= 60, f"{name} must be within +-60 deg, got {value}"))
    return [message for ok, message in checks if not ok]


@dataclass(frozen=True)
class _Gait:
    """Quantities derived once from a spec (pixels, seconds)."""

    step_s: float
    stride_s: float
    contact_s: float
    first_contact_s: float  # first right contact; left contacts follow by one step
    speed_px_s: float
    leg_px: float
    thigh_px: float
    shank_px: float
    heel_contact_u: float  # heel ground position at contact, relative to its hip
    swing_reach_px: float  # longest mid-hip to ankle distance allowed in swing
    side_offset_px: FloatArray  # (u, v) from the mid-point to a near-side point
    pelvis_mean_v: float
    pelvis_amplitude_px: float
    x0: float
    ground_y: float
    noise_knots_deg: FloatArray


def _derive(spec: RunnerSpec) -> _Gait:
    h = spec.height_px
    step_s = 60.0 / spec.cadence_spm
    stride_s = 2.0 * step_s
    contact_s = spec.duty_factor * stride_s
    leg, thigh, shank = HIP_H * h, (HIP_H - KNEE_H) * h, (KNEE_H - ANKLE_H) * h
    # At contact the heel is down, the foot pitched toe-up, the ankle sits
    # overstride_leg * leg ahead of the mid-hip, and the knee is flexed as specified. The
    # near and far hips sit +-r from the mid-hip, perpendicular to the mid-hip -> ankle
    # line at contact, so both legs are hip_ankle long then: mid-hip_ankle^2 + r^2.
    ankle_from_heel = rotate(np.array([HEEL_BEHIND_ANKLE_H * h, ANKLE_H * h]), PITCH_CONTACT_DEG)
    ankle_u = spec.overstride_leg * leg
    hip_ankle = _hip_ankle_px(thigh, shank, spec.knee_flexion_contact_deg)
    r = SIDE_OFFSET_H * h / 2
    mid_ankle = np.sqrt(hip_ankle**2 - r**2)
    if mid_ankle <= abs(ankle_u):
        raise ValueError(
            f"invalid RunnerSpec: overstride_leg {spec.overstride_leg} is longer than the "
            f"leg can reach with knee_flexion_contact_deg {spec.knee_flexion_contact_deg}"
        )
    sweep = max(MIN_STANCE_SWEEP_LEG, spec.overstride_leg + TOE_OFF_BEHIND_LEG) * leg
    drop = np.sqrt(mid_ankle**2 - ankle_u**2)  # mid-hip height above the ankle at contact
    pelvis_contact_v = ankle_from_heel[1] + drop
    amplitude = 0.5 * spec.vertical_oscillation_leg * leg
    # pelvis v = mean - A cos(2 pi (t - midstance) / step): lowest at midstance
    pelvis_mean = pelvis_contact_v + amplitude * np.cos(np.pi * contact_s / step_s)
    n_knots = int(np.ceil(spec.duration_s / stride_s)) + 4
    knots = np.random.default_rng(spec.seed).normal(0.0, 1.0, n_knots) * spec.lean_noise_deg
    width = float(spec.image_width_px)
    x0 = width / 2 if spec.treadmill else width / 2 - spec.direction * 0.3 * width
    return _Gait(
        step_s=step_s,
        stride_s=stride_s,
        contact_s=contact_s,
        first_contact_s=0.25 * step_s,
        speed_px_s=sweep / contact_s,
        leg_px=leg,
        thigh_px=thigh,
        shank_px=shank,
        heel_contact_u=ankle_u - ankle_from_heel[0],
        swing_reach_px=max(mid_ankle, _hip_ankle_px(thigh, shank, MIN_SWING_KNEE_DEG) - r),
        side_offset_px=r * np.array([drop, ankle_u]) / mid_ankle,
        pelvis_mean_v=float(pelvis_mean),
        pelvis_amplitude_px=amplitude,
        x0=x0,
        ground_y=(spec.image_height_px - h) / 2,
        noise_knots_deg=knots.astype(np.float64),
    )


def _hip_ankle_px(thigh: float, shank: float, knee_flexion_deg: float) -> float:
    """Hip-ankle distance for a knee flexion (0 = straight), law of cosines."""
    flexion = np.radians(knee_flexion_deg)
    return float(np.sqrt(thigh**2 + shank**2 + 2 * thigh * shank * np.cos(flexion)))


def _trunk_lean(spec: RunnerSpec, g: _Gait, t: FloatArray) -> FloatArray:
    ramp = spec.trunk_lean_start_deg + (spec.trunk_lean_end_deg - spec.trunk_lean_start_deg) * (
        t / spec.duration_s
    )
    # knots at right contacts k = -1, 0, 1, ...: smooth stride-to-stride variation
    pos = (t - g.first_contact_s) / g.stride_s + 1.0
    i = np.clip(np.floor(pos).astype(int), 0, g.noise_knots_deg.size - 2)
    w = smoothstep(pos - i)
    knots = g.noise_knots_deg
    return np.asarray(ramp + (1.0 - w) * knots[i] + w * knots[i + 1], dtype=np.float64)


def _head_trunk(spec: RunnerSpec, t: FloatArray) -> FloatArray:
    span = spec.head_trunk_end_deg - spec.head_trunk_deg
    return np.asarray(spec.head_trunk_deg + span * (t / spec.duration_s), dtype=np.float64)


def _time_since_contact(g: _Gait, t: FloatArray, foot: Foot) -> FloatArray:
    first = g.first_contact_s + (g.step_s if foot == "left" else 0.0)
    return np.asarray(np.mod(t - first, g.stride_s), dtype=np.float64)


def _stance_foot(
    spec: RunnerSpec, g: _Gait, since: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Ankle, heel, toe (n, 2) in (u relative to the hip, v above ground) during stance.

    The heel pivots on the ground until the foot is flat, the toe from heel rise on;
    the pivot slides backward at belt speed.
    """
    h = spec.height_px
    s = since / g.contact_s
    pitch = np.where(
        s < HEEL_RISE_STANCE,
        PITCH_CONTACT_DEG * (1.0 - smoothstep(s / FOOT_FLAT_STANCE)),
        -PITCH_TOE_OFF_DEG * smoothstep((s - HEEL_RISE_STANCE) / (1.0 - HEEL_RISE_STANCE)),
    )
    heel_u = g.heel_contact_u - g.speed_px_s * since
    heel_down = pitch >= 0
    pivot = np.stack([np.where(heel_down, heel_u, heel_u + FOOT_H * h), np.zeros_like(s)], -1)
    # from the pivot to the heel: nothing while the heel is down, the foot length back after
    to_heel = np.stack([np.where(heel_down, 0.0, -FOOT_H * h), np.zeros_like(s)], -1)
    heel = pivot + rotate(to_heel, pitch)
    toe = heel + rotate(np.array([FOOT_H * h, 0.0]), pitch)
    ankle = heel + rotate(np.array([HEEL_BEHIND_ANKLE_H * h, ANKLE_H * h]), pitch)
    return ankle, heel, toe


def _swing_foot(
    spec: RunnerSpec, g: _Gait, since: FloatArray, pelvis_v: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Ankle, heel, toe during swing: C1 blend from toe-off to the next contact, lifted.

    Where the blend would take the ankle out of the leg's reach (late swing, pelvis
    high) the whole foot is lifted until the knee is flexed ``MIN_SWING_KNEE_DEG``.
    """
    h = spec.height_px
    ends = np.array([g.contact_s, 0.0])
    end_ankle, _, _ = _stance_foot(spec, g, ends)
    (u0, v0), (u1, v1) = end_ankle
    swing_s = g.stride_s - g.contact_s
    tau = np.clip((since - g.contact_s) / swing_s, 0.0, 1.0)
    h00, h10 = 2 * tau**3 - 3 * tau**2 + 1, tau**3 - 2 * tau**2 + tau
    h01, h11 = -2 * tau**3 + 3 * tau**2, tau**3 - tau**2
    slope = -g.speed_px_s * swing_s  # the foot leaves and lands moving back at belt speed
    u = h00 * u0 + h10 * slope + h01 * u1 + h11 * slope
    v = h00 * v0 + h01 * v1 + SWING_LIFT_LEG * g.leg_px * np.sin(np.pi * tau) ** 2
    reach = g.swing_reach_px
    lowest_v = pelvis_v - np.sqrt(np.maximum(reach**2 - u**2, 0.0))
    v = np.maximum(v, np.where(np.abs(u) < reach, lowest_v, v))
    pitch = -PITCH_TOE_OFF_DEG + (PITCH_CONTACT_DEG + PITCH_TOE_OFF_DEG) * smoothstep(tau)
    ankle = np.stack([u, v], -1)
    heel = ankle + rotate(np.array([-HEEL_BEHIND_ANKLE_H * h, -ANKLE_H * h]), pitch)
    toe = heel + rotate(np.array([FOOT_H * h, 0.0]), pitch)
    return ankle, heel, toe


def _knee(hip: FloatArray, ankle: FloatArray, thigh: float, shank: float) -> FloatArray:
    """Two-link inverse kinematics; the knee points forward (+u).

    Where the ankle is out of reach the leg is straight and the shank stretched.
    """
    d_vec = ankle - hip
    d = np.linalg.norm(d_vec, axis=-1)
    e = d_vec / d[:, None]
    n = np.stack([-e[:, 1], e[:, 0]], -1)  # e rotated +90 deg: forward for a leg hanging down
    along = np.minimum((thigh**2 - shank**2 + d**2) / (2 * d), thigh)
    across = np.sqrt(np.maximum(thigh**2 - along**2, 0.0))
    return np.asarray(hip + e * along[:, None] + n * across[:, None], dtype=np.float64)


def _arm(
    shoulder: FloatArray, lean: FloatArray, since: FloatArray, g: _Gait, h: float
) -> tuple[FloatArray, FloatArray]:
    """Elbow and wrist; an arm swings forward while its own leg is back."""
    cycle = np.cos(2 * np.pi * (since / g.stride_s + 0.1))
    arm = ARM_MEAN_DEG - ARM_AMPLITUDE_DEG * cycle
    elbow_flex = ELBOW_MEAN_DEG - ELBOW_AMPLITUDE_DEG * cycle
    down = np.array([0.0, -1.0])
    elbow = shoulder + UPPER_ARM_H * h * rotate(down, arm - lean)
    wrist = elbow + FOREARM_H * h * rotate(down, arm - lean + elbow_flex)
    return elbow, wrist


def _sagittal_points(spec: RunnerSpec, g: _Gait, t: FloatArray) -> dict[str, FloatArray]:
    """Every keypoint as (n, 2) in (u forward from the start, v above ground)."""
    h = spec.height_px
    lean = _trunk_lean(spec, g, t)
    neck = lean - _head_trunk(spec, t)
    midstance = g.first_contact_s + g.contact_s / 2
    pelvis_v = g.pelvis_mean_v - g.pelvis_amplitude_px * np.cos(
        2 * np.pi * (t - midstance) / g.step_s
    )
    pelvis_u = np.zeros_like(t) if spec.treadmill else g.speed_px_s * t
    pelvis = np.stack([pelvis_u, pelvis_v], -1)
    up = np.array([0.0, 1.0])
    shoulder = pelvis + (SHOULDER_H - HIP_H) * h * rotate(up, -lean)
    ear = shoulder + (EAR_H - SHOULDER_H) * h * rotate(up, -neck)
    p: dict[str, FloatArray] = {}
    for name, (fwd, upw) in {
        "eye": EYE_FROM_EAR_H,
        "nose": NOSE_FROM_EAR_H,
        "head_top": HEAD_TOP_FROM_EAR_H,
    }.items():
        p[name] = ear + rotate(np.array([fwd * h, upw * h]), -neck)
    near: Foot = "left" if spec.direction == 1 else "right"  # the side facing the camera
    sides: tuple[Foot, Foot] = ("left", "right")
    for side in sides:
        # near side a little ahead, far side as much behind: mid-points stay exact
        off = (1.0 if side == near else -1.0) * g.side_offset_px
        since = _time_since_contact(g, t, side)
        stance = since <= g.contact_s
        st, sw = _stance_foot(spec, g, since), _swing_foot(spec, g, since, pelvis_v)
        ankle, heel, toe = (np.where(stance[:, None], a, b) for a, b in zip(st, sw, strict=True))
        hip = pelvis + off
        foot_shift = np.stack([pelvis_u, np.zeros_like(t)], -1)  # feet: relative to mid-hip
        ankle, heel, toe = ankle + foot_shift, heel + foot_shift, toe + foot_shift
        p[f"{side}_hip"], p[f"{side}_ankle"] = hip, ankle
        p[f"{side}_heel"], p[f"{side}_toe"] = heel, toe
        p[f"{side}_knee"] = _knee(hip, ankle, g.thigh_px, g.shank_px)
        p[f"{side}_shoulder"], p[f"{side}_ear"] = shoulder + off, ear + off
        p[f"{side}_eye"] = p["eye"] + off
        p[f"{side}_elbow"], p[f"{side}_wrist"] = _arm(shoulder + off, lean, since, g, h)
    return p


def keypoints_at(spec: RunnerSpec, time_s: npt.ArrayLike) -> FloatArray:
    """Keypoint positions of the synthetic runner at any times.

    Parameters
    ----------
    spec
        The runner.
    time_s
        Times in seconds (any values; the model is defined for all t).

    Returns
    -------
    FloatArray
        Shape (time, 2, keypoint) in image pixels, y up, keypoints in
        :data:`upright.skeleton.KEYPOINTS` order.
    """
    g = _derive(spec)
    t = np.atleast_1d(np.asarray(time_s, dtype=np.float64))
    p = _sagittal_points(spec, g, t)
    sag = np.stack([p[k] for k in KEYPOINTS], axis=1)  # (time, keypoint, 2)
    image = np.stack([g.x0 + spec.direction * sag[..., 0], g.ground_y + sag[..., 1]], -1)
    image = tilt_scene(image, spec.image_width_px, spec.image_height_px, spec.camera_tilt_deg)
    return np.asarray(np.transpose(image, (0, 2, 1)), dtype=np.float64)


@dataclass(frozen=True)
class SyntheticRun:
    """A simulated run and its exact ground truth.

    Attributes
    ----------
    spec
        The spec the run was made from.
    ds
        Pose Dataset (pixels, y up, all :data:`~upright.skeleton.KEYPOINTS`, confidence
        1, ``attrs["synthetic"] = 1``).
    trunk_lean_deg
        True trunk lean per frame (relative to gravity; + forward; degrees).
    head_trunk_deg
        True head-trunk angle per frame (+ head extended back; degrees).
    true_contacts
        One row per foot contact inside the recording, in time order: ``foot``,
        ``contact_s`` (first ground touch, heel), ``toe_off_s`` (last ground touch, toe;
        NaN when after the last frame). Times are exact, not rounded to frames.
    true_strides
        One row per complete stride (contact to the next contact of the same foot):
        ``foot, start_s, end_s, stride_time_s, step_time_s, cadence_spm,
        contact_time_s, flight_time_s, overstride_leg, knee_flexion_contact_deg,
        vertical_oscillation_leg`` (exact model values) and ``trunk_lean_deg``,
        ``head_trunk_deg`` (mean of the true per-frame values over frames in
        ``[start_s, end_s)``). Overstride is the ankle's horizontal distance ahead of
        the mid-hip; knee flexion is measured at the leg's own hip-knee-ankle (the
        near and far hips sit ``SIDE_OFFSET_H * height_px / 2`` either side of the
        mid-hip, perpendicular to the leg at contact, so both legs agree exactly).
    leg_length_px
        Standing hip height, 0.530 * height_px.
    speed_px_s
        Belt speed (treadmill) or running speed (overground), pixels per second.
    ground_point_px, ground_angle_deg
        A point of the ground line (image pixels, y up) and its angle from the image x
        axis (counter-clockwise positive; equals ``-camera_tilt_deg``).
    """

    spec: RunnerSpec
    ds: xr.Dataset
    trunk_lean_deg: FloatArray
    head_trunk_deg: FloatArray
    true_contacts: pd.DataFrame
    true_strides: pd.DataFrame
    leg_length_px: float
    speed_px_s: float
    ground_point_px: tuple[float, float]
    ground_angle_deg: float

    @property
    def time_s(self) -> FloatArray:
        """Frame timestamps in seconds."""
        return np.asarray(self.ds["time"].values, dtype=np.float64)

    def height_above_ground_px(self, xy: npt.ArrayLike) -> FloatArray:
        """Signed distance of points (..., 2) (pixels, y up) above the ground line."""
        pts = np.asarray(xy, dtype=np.float64)
        a = np.radians(self.ground_angle_deg)
        normal = np.array([-np.sin(a), np.cos(a)])
        return np.asarray((pts - np.array(self.ground_point_px)) @ normal, dtype=np.float64)

    def in_stance(self, foot: Foot, time_s: npt.ArrayLike) -> BoolArray:
        """Whether ``foot`` touches the ground at each time (contact and toe-off included)."""
        g = _derive(self.spec)
        since = _time_since_contact(g, np.asarray(time_s, dtype=np.float64), foot)
        return np.asarray(since <= g.contact_s, dtype=np.bool_)


def _true_contacts(g: _Gait, t_last: float) -> pd.DataFrame:
    n = int(np.floor((t_last - g.first_contact_s) / g.step_s)) + 1
    k = np.arange(max(n, 0))
    contact = g.first_contact_s + k * g.step_s
    toe_off = contact + g.contact_s
    return pd.DataFrame(
        {
            "foot": np.where(k % 2 == 0, "right", "left"),
            "contact_s": contact,
            "toe_off_s": np.where(toe_off <= t_last, toe_off, np.nan),
        }
    )


def _true_strides(
    spec: RunnerSpec, g: _Gait, contacts: pd.DataFrame, t: FloatArray, run: dict[str, FloatArray]
) -> pd.DataFrame:
    rows = []
    starts = contacts["contact_s"].to_numpy(dtype=np.float64)
    for foot, start in zip(contacts["foot"], starts, strict=True):
        end = start + g.stride_s
        if end > t[-1]:
            break
        frames = (t >= start) & (t < end)
        rows.append(
            {
                "foot": foot,
                "start_s": start,
                "end_s": end,
                "stride_time_s": g.stride_s,
                "step_time_s": g.step_s,
                "cadence_spm": spec.cadence_spm,
                "contact_time_s": g.contact_s,
                "flight_time_s": max(g.step_s - g.contact_s, 0.0),
                "overstride_leg": spec.overstride_leg,
                "knee_flexion_contact_deg": spec.knee_flexion_contact_deg,
                "vertical_oscillation_leg": spec.vertical_oscillation_leg,
                "trunk_lean_deg": float(np.mean(run["lean"][frames])),
                "head_trunk_deg": float(np.mean(run["head"][frames])),
            }
        )
    return pd.DataFrame(rows)


def simulate_run(spec: RunnerSpec) -> SyntheticRun:
    """Simulate a side-view run and return its keypoints with the exact ground truth.

    Parameters
    ----------
    spec
        What the runner does (see :class:`RunnerSpec`).

    Returns
    -------
    SyntheticRun
        Pose Dataset sampled at ``spec.fps`` for ``spec.duration_s`` and the true
        per-frame angles, contacts and per-stride values.

    Notes
    -----
    Segment proportions follow Winter (2009), *Biomechanics and Motor Control of Human
    Movement*, 4th ed., fig. 4.1. The gait is kinematic: the pelvis moves sinusoidally
    per step (lowest at midstance), each foot is placed on the ground during stance (heel
    strike, foot flat, heel rise, toe-off) and follows a smooth lifted path in swing, and
    the knees come from two-link inverse kinematics.
    """
    g = _derive(spec)
    t = frame_times(spec.duration_s, spec.fps)
    ds = figure_dataset(
        keypoints_at(spec, t),
        t,
        fps=spec.fps,
        source_software=SOURCE_SOFTWARE,
        image_width_px=spec.image_width_px,
        image_height_px=spec.image_height_px,
    )
    ds.attrs["synthetic_direction"] = spec.direction
    ds.attrs["synthetic_camera_tilt_deg"] = float(spec.camera_tilt_deg)
    lean, head = _trunk_lean(spec, g, t), _head_trunk(spec, t)
    contacts = _true_contacts(g, float(t[-1]))
    ground = tilt_scene(
        np.array([0.0, g.ground_y]), spec.image_width_px, spec.image_height_px, spec.camera_tilt_deg
    )
    return SyntheticRun(
        spec=spec,
        ds=ds,
        trunk_lean_deg=lean,
        head_trunk_deg=head,
        true_contacts=contacts,
        true_strides=_true_strides(spec, g, contacts, t, {"lean": lean, "head": head}),
        leg_length_px=g.leg_px,
        speed_px_s=g.speed_px_s,
        ground_point_px=(float(ground[0]), float(ground[1])),
        ground_angle_deg=-float(spec.camera_tilt_deg),
    )


_FAR = (130, 160, 205)
_TRUNK = (60, 60, 70)
_SKIN = (225, 190, 160)
_BANNER_FILL = (190, 30, 30)
_BANNER_TEXT = (255, 255, 255)
_LIMBS = (("shoulder", "elbow"), ("elbow", "wrist"), ("hip", "knee"), ("knee", "ankle"))
_FOOT = ("heel", "ankle", "toe")


def render_frames(
    run: SyntheticRun, *, width: int | None = None, height: int | None = None
) -> Iterator[tuple[float, Frame]]:
    """Draw the synthetic runner as a filled stick figure, frame by frame.

    Parameters
    ----------
    run
        A run from :func:`simulate_run`.
    width, height
        Frame size in pixels; default the spec's image size. A different size scales the
        drawing uniformly to fit and centres it, so keypoints in ``run.ds`` then no longer
        match frame pixels one to one.

    Yields
    ------
    tuple[float, numpy.ndarray]
        Time in seconds and an RGB uint8 frame of shape (height, width, 3): light
        background, ground line, far limbs, trunk and head, near limbs, and the banner
        :data:`BANNER` in the top-left corner.
    """
    import cv2  # heavy: imported only when frames are drawn

    spec = run.spec
    out_w = int(width) if width is not None else spec.image_width_px
    out_h = int(height) if height is not None else spec.image_height_px
    if out_w <= 0 or out_h <= 0:
        raise ValueError(f"frame size must be positive, got {out_w} x {out_h}")
    scale = min(out_w / spec.image_width_px, out_h / spec.image_height_px)
    shift = np.array(
        [(out_w - scale * spec.image_width_px) / 2, (out_h - scale * spec.image_height_px) / 2]
    )
    to_pixel = PixelMap(scale, shift, spec.image_height_px)
    names = [str(k) for k in run.ds["keypoint"].values.tolist()]
    positions = np.asarray(run.ds["position"].isel(individual=0).values, dtype=np.float64)
    near = "left" if spec.direction == 1 else "right"
    far = "right" if near == "left" else "left"
    thick = max(2, round(0.035 * spec.height_px * scale))
    ground = ground_segment(run.ground_point_px, run.ground_angle_deg, to_pixel, out_w, out_h)
    for t, pos in zip(run.time_s, positions, strict=True):
        frame = np.full((out_h, out_w, 3), BACKGROUND, dtype=np.uint8)
        cv2.line(frame, ground[0], ground[1], GROUND, max(2, thick // 2), cv2.LINE_AA)
        pts = {k: to_pixel(pos[:, i]) for i, k in enumerate(names)}
        _draw_side(frame, pts, far, _FAR, thick)
        _draw_trunk_and_head(frame, pts, thick, HEAD_RADIUS_H * spec.height_px * scale)
        _draw_side(frame, pts, near, BODY, thick)
        _draw_banner(frame, float(t))
        yield float(t), frame


def _mid(a: Pixel, b: Pixel) -> Pixel:
    return (a[0] + b[0]) // 2, (a[1] + b[1]) // 2


def _draw_side(frame: Frame, pts: dict[str, Pixel], side: str, colour: Colour, thick: int) -> None:
    import cv2

    for a, b in _LIMBS:
        cv2.line(frame, pts[f"{side}_{a}"], pts[f"{side}_{b}"], colour, thick, cv2.LINE_AA)
    foot = np.array([pts[f"{side}_{k}"] for k in _FOOT], dtype=np.int32)
    cv2.fillPoly(frame, [foot], colour, cv2.LINE_AA)
    cv2.polylines(frame, [foot], True, colour, max(1, thick // 3), cv2.LINE_AA)


def _draw_trunk_and_head(
    frame: Frame, pts: dict[str, Pixel], thick: int, head_radius: float
) -> None:
    import cv2

    hip = _mid(pts["left_hip"], pts["right_hip"])
    shoulder = _mid(pts["left_shoulder"], pts["right_shoulder"])
    ear = _mid(pts["left_ear"], pts["right_ear"])
    cv2.line(frame, hip, shoulder, _TRUNK, int(thick * 1.8), cv2.LINE_AA)
    cv2.line(frame, shoulder, ear, _TRUNK, thick, cv2.LINE_AA)
    top, nose = pts["head_top"], pts["nose"]
    centre = ((2 * ear[0] + top[0] + nose[0]) // 4, (2 * ear[1] + top[1] + nose[1]) // 4)
    cv2.circle(frame, centre, max(3, round(head_radius)), _SKIN, -1, cv2.LINE_AA)
    cv2.circle(frame, centre, max(3, round(head_radius)), _TRUNK, 2, cv2.LINE_AA)
    eye = _mid(pts["left_eye"], pts["right_eye"])
    cv2.circle(frame, eye, max(2, thick // 4), _TRUNK, -1, cv2.LINE_AA)


def _draw_banner(frame: Frame, t: float) -> None:
    import cv2

    width = frame.shape[1]
    font = cv2.FONT_HERSHEY_SIMPLEX
    margin = max(4, width // 60)
    (text_w, _), _ = cv2.getTextSize(BANNER, font, 1.0, 2)
    font_scale = min(1.0, (width - 4 * margin) / text_w)
    stroke = max(1, round(2 * font_scale))
    (text_w, text_h), baseline = cv2.getTextSize(BANNER, font, font_scale, stroke)
    box_h = text_h + baseline + 2 * margin
    cv2.rectangle(frame, (margin, margin), (margin + text_w + 2 * margin, box_h), _BANNER_FILL, -1)
    org = (2 * margin, margin + margin // 2 + text_h)
    cv2.putText(frame, BANNER, org, font, font_scale, _BANNER_TEXT, stroke, cv2.LINE_AA)
    clock = f"t = {t:6.2f} s"
    cv2.putText(
        frame,
        clock,
        (2 * margin, box_h + margin + text_h),
        font,
        font_scale,
        _TRUNK,
        stroke,
        cv2.LINE_AA,
    )
