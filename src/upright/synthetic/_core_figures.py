"""Poses of the synthetic core-exercise figures (see :mod:`upright.synthetic.exercise`).

Each figure has a held pose, built from the angle the form check judges (placed
exactly), and a rest pose it starts from and returns to:

============  ===========================  ===============================================
figure        judged angle (exact)         rest pose
============  ===========================  ===============================================
bird_dog      lifted leg (hip to ankle)    on hands and knees, both knees down
              against horizontal, + up;
              trunk incline from its own
              profile
dead_bug      trunk-thigh angle at the     on the back, knees bent, feet on the floor
              hip (90 = thighs vertical),
              shins level
curl_up       trunk (hip to shoulder)      flat on the back (0 deg)
              against horizontal
extensor      trunk against horizontal,    trunk hanging from the bench edge (-70 deg)
              legs on a bench
flexor        trunk against horizontal,    sitting up straight (90 deg)
              sitting, feet on the floor
============  ===========================  ===============================================

``side_<point>`` and ``other_<point>`` entries give one side's point exactly (the side
is the spec's ``side``); a plain ``<point>`` is shared by both sides, a hair apart.
"""

from __future__ import annotations

import numpy as np

from upright.skeleton import FloatArray
from upright.synthetic._body import (
    ARM_H,
    FOREARM_H,
    LEG_H,
    ON_FLOOR_H,
    SHANK_H,
    THIGH_H,
    TRUNK_H,
    UPPER_ARM_H,
    Pose,
    direction,
    two_link,
    uv,
)
from upright.synthetic.runner import ANKLE_H

__all__ = ["BENCH_TOP_H", "CORE_FIGURES", "REST_DEG", "core_pose"]

CORE_FIGURES = ("bird_dog", "dead_bug", "curl_up", "extensor", "flexor")
#: Height of the bench top for the extensor hold (a table about 0.7 m high).
BENCH_TOP_H = 0.40
#: Supine or prone, the hip joint centre sits this high over the surface; knee and
#: ankle joint centres lower, level with each other (legs straight on a bench).
HIP_UP_H, KNEE_UP_H = 0.05, 0.03
#: The judged angle of the rest pose, where it is one angle.
REST_DEG = {"curl_up": 0.0, "extensor": -70.0, "flexor": 90.0}


def _trunk(hip: FloatArray, deg: FloatArray, h: float) -> tuple[FloatArray, FloatArray]:
    """Shoulder at ``deg`` against horizontal toward the head, and the trunk direction."""
    d = direction(deg, 1)
    return hip + TRUNK_H * h * d, d


def _head(shoulder: FloatArray, d: FloatArray, h: float) -> FloatArray:
    """The ear, along the trunk beyond the shoulder, a little to its upper side."""
    up = np.stack([-d[:, 1], d[:, 0]], -1)
    up = np.where(up[:, 1:2] < 0, -up, up)
    return np.asarray(shoulder + 0.09 * h * d + 0.02 * h * up)


def _flat_foot(ankle: FloatArray, h: float) -> Pose:
    """A foot flat on the floor pointing away from the head."""
    floor = np.full(ankle.shape[0], ON_FLOOR_H * h)
    return {
        "heel": np.stack([ankle[:, 0] + 0.035 * h, floor], -1),
        "toe": np.stack([ankle[:, 0] - 0.117 * h, floor], -1),
    }


def _knee_up_leg(hip: FloatArray, thigh_deg: float, h: float) -> Pose:
    """A bent leg, the thigh at ``thigh_deg`` against horizontal toward the feet, the
    foot flat on the floor."""
    n = hip.shape[0]
    knee = hip + THIGH_H * h * direction(np.full(n, thigh_deg), -1)
    drop = knee[:, 1] - ANKLE_H * h
    ankle = np.stack(
        [knee[:, 0] - np.sqrt(np.maximum((SHANK_H * h) ** 2 - drop**2, 0.0)), knee[:, 1] - drop],
        -1,
    )
    return {"knee": knee, "ankle": ankle, **_flat_foot(ankle, h)}


def _crossed_arms(shoulder: FloatArray, d: FloatArray, front: FloatArray, h: float) -> Pose:
    """Arms folded on the chest (``front``: the unit normal the chest faces)."""
    return {
        "elbow": shoulder - 0.10 * h * d + 0.07 * h * front,
        "wrist": shoulder - 0.02 * h * d + 0.08 * h * front,
    }


def _bird_dog(h: float, leg: FloatArray, trunk: FloatArray, lifted: bool) -> Pose:
    n = leg.size
    floor = ON_FLOOR_H * h
    # hips as high as the kneeling thigh allows, lower when the straight-ish support arm
    # could not reach the floor from the shoulders
    sin_t = np.sin(np.radians(trunk))
    hip_v = np.minimum(0.27 * h, floor + 0.95 * ARM_H * h - TRUNK_H * h * sin_t)
    hip = np.stack([np.zeros(n), hip_v], -1)
    shoulder, d = _trunk(hip, trunk, h)
    # the kneeling knee a little ahead of the hip (toward the head); the lower the hips,
    # the more the knee bends, as when sitting back toward the heels
    knee = np.stack(
        [np.sqrt(np.maximum((THIGH_H * h) ** 2 - (hip_v - floor) ** 2, 0.0)), np.full(n, floor)],
        -1,
    )
    ankle = knee + uv(-SHANK_H * h, 0.0)
    kneeling = {
        "knee": knee,
        "ankle": ankle,
        "toe": ankle + uv(-0.10 * h, -0.01 * h),
        "heel": ankle + uv(0.01 * h, 0.05 * h),
    }
    wrist = np.stack([shoulder[:, 0] + 0.02 * h, np.full(n, floor)], -1)
    support = {
        "elbow": two_link(shoulder, wrist, UPPER_ARM_H * h, FOREARM_H * h, -1),
        "wrist": wrist,
    }
    pose: Pose = {"shoulder": shoulder, "hip": hip, "ear": _head(shoulder, d, h)}
    pose |= {f"other_{k}": v for k, v in kneeling.items()}
    pose |= {f"side_{k}": v for k, v in support.items()}
    if not lifted:
        pose |= {f"side_{k}": v for k, v in kneeling.items()}
        pose |= {f"other_{k}": v for k, v in support.items()}
        return pose
    back = direction(leg, -1)
    ankle_l = hip + LEG_H * h * back
    pose |= {
        "side_knee": hip + THIGH_H * h * back,
        "side_ankle": ankle_l,
        "side_toe": ankle_l + 0.11 * h * direction(leg - 80.0, -1),
        "side_heel": ankle_l + 0.04 * h * direction(leg + 100.0, -1),
        "other_elbow": shoulder + uv(UPPER_ARM_H * h, 0.0),
        "other_wrist": shoulder + uv(ARM_H * h, 0.0),
    }
    return pose


def _dead_bug(h: float, hip_angle: FloatArray, trunk: FloatArray, up: bool) -> Pose:
    n = hip_angle.size
    hip = np.tile([0.0, HIP_UP_H * h], (n, 1))
    shoulder, d = _trunk(hip, trunk, h)
    pose: Pose = {"shoulder": shoulder, "hip": hip, "ear": _head(shoulder, d, h)}
    if not up:  # hook lying, arms by the sides
        pose |= _knee_up_leg(hip, 45.0, h)
        pose["elbow"] = shoulder + uv(-UPPER_ARM_H * h, -0.01 * h)
        pose["wrist"] = shoulder + uv(-ARM_H * h, -0.01 * h)
        return pose
    knee = hip + THIGH_H * h * direction(trunk + hip_angle, 1)
    ankle = knee + uv(-SHANK_H * h, 0.0)  # shins level
    pose |= {
        "knee": knee,
        "ankle": ankle,
        "toe": ankle + uv(-0.10 * h, 0.03 * h),
        "heel": ankle + uv(0.0, -0.04 * h),
        "elbow": shoulder + uv(0.0, UPPER_ARM_H * h),  # arms reach to the ceiling
        "wrist": shoulder + uv(0.0, ARM_H * h),
    }
    return pose


def _curl_up(h: float, trunk: FloatArray) -> Pose:
    n = trunk.size
    hip = np.tile([0.0, HIP_UP_H * h], (n, 1))
    shoulder, d = _trunk(hip, trunk, h)
    knee = hip + uv(-THIGH_H * h, -0.01 * h)
    ankle = knee + uv(-SHANK_H * h, -0.005 * h)
    wrist = hip + uv(0.06 * h, -0.015 * h)  # hands under the low back
    elbow = (shoulder + wrist) / 2
    elbow[:, 1] = np.maximum(elbow[:, 1] - 0.02 * h, ON_FLOOR_H * h)
    pose: Pose = {
        "shoulder": shoulder,
        "hip": hip,
        "ear": _head(shoulder, d, h),
        "elbow": elbow,
        "wrist": wrist,
        "knee": knee,
        "ankle": ankle,
        "heel": ankle + uv(-0.02 * h, -0.025 * h),
        "toe": ankle + uv(-0.04 * h, 0.09 * h),
    }
    pose |= {f"side_{k}": v for k, v in _knee_up_leg(hip, 45.0, h).items()}  # one knee bent
    return pose


def _extensor(h: float, trunk: FloatArray) -> Pose:
    n = trunk.size
    top = BENCH_TOP_H * h
    hip = np.tile([0.0, top + HIP_UP_H * h], (n, 1))
    shoulder, d = _trunk(hip, trunk, h)
    chest = np.stack([d[:, 1], -d[:, 0]], -1)  # prone: the chest faces down
    knee = np.tile([-THIGH_H * h, top + KNEE_UP_H * h], (n, 1))
    ankle = np.tile([-LEG_H * h, top + KNEE_UP_H * h], (n, 1))
    return {
        "shoulder": shoulder,
        "hip": hip,
        "ear": _head(shoulder, d, h),
        **_crossed_arms(shoulder, d, chest, h),
        "knee": knee,
        "ankle": ankle,
        "toe": ankle + uv(-0.10 * h, -0.02 * h),
        "heel": ankle + uv(0.0, 0.04 * h),
    }


def _flexor(h: float, trunk: FloatArray) -> Pose:
    n = trunk.size
    hip = np.tile([0.0, 0.07 * h], (n, 1))
    shoulder, d = _trunk(hip, trunk, h)
    front = np.stack([-d[:, 1], d[:, 0]], -1)  # the chest faces the feet
    return {
        "shoulder": shoulder,
        "hip": hip,
        "ear": _head(shoulder, d, h),
        **_crossed_arms(shoulder, d, front, h),
        **_knee_up_leg(hip, 45.0, h),
    }


def core_pose(figure: str, h: float, angle: FloatArray, trunk: FloatArray, held: bool) -> Pose:
    """The figure's pose per frame: held at the judged ``angle`` (and ``trunk`` incline
    for the bird dog and dead bug), or its rest pose when ``held`` is False."""
    if figure == "bird_dog":
        return _bird_dog(h, angle, trunk, held)
    if figure == "dead_bug":
        return _dead_bug(h, angle, trunk, held)
    rest = np.full(angle.size, REST_DEG[figure])
    value = angle if held else rest
    if figure == "curl_up":
        return _curl_up(h, value)
    if figure == "extensor":
        return _extensor(h, value)
    if figure == "flexor":
        return _flexor(h, value)
    raise ValueError(f"unknown core figure {figure!r}")
