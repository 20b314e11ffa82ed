"""Plank and bridge poses of the synthetic exercise figures (see
:mod:`upright.synthetic.exercise`): the hip placed exactly at the given offset from the
shoulder-ankle line (planks) or the shoulder-knee line (bridges)."""

from __future__ import annotations

import numpy as np

from upright.skeleton import FloatArray
from upright.synthetic._body import (
    FOREARM_H,
    HALF_WIDTH_H,
    LEG_H,
    ON_FLOOR_H,
    SHANK_H,
    THIGH_H,
    TRUNK_H,
    UPPER_ARM_H,
    Pose,
    uv,
    vertex,
)
from upright.synthetic.runner import KNEE_H

__all__ = ["bridge", "bridge_lying", "plank", "plank_lying"]


def plank(h: float, offset: FloatArray, frontal: bool) -> Pose:
    n = offset.size
    floor = ON_FLOOR_H * h
    # front view: the mid-points sit half a shoulder width above the supporting side
    lift = HALF_WIDTH_H["shoulder"] * h if frontal else 0.0
    elbow = np.tile([0.0, floor + lift], (n, 1))
    shoulder = elbow + uv(0.0, UPPER_ARM_H * h)
    ankle_v = floor + (HALF_WIDTH_H["ankle"] * h if frontal else 0.02 * h)
    beta = np.radians(offset)
    sa = np.sqrt(TRUNK_H**2 + LEG_H**2 + 2 * TRUNK_H * LEG_H * np.cos(beta)) * h
    ankle = np.stack([-np.sqrt(sa**2 - (shoulder[:, 1] - ankle_v) ** 2), np.full(n, ankle_v)], -1)
    hip = vertex(shoulder, ankle, TRUNK_H * h, offset)
    knee = hip + (ankle - hip) * (THIGH_H / LEG_H)
    return {
        "shoulder": shoulder,
        "elbow": elbow,
        "wrist": elbow + uv(FOREARM_H * h, 0.0),
        "hip": hip,
        "knee": knee,
        "ankle": ankle,
        "toe": np.stack([ankle[:, 0] + 0.03 * h, np.full(n, floor)], -1),
        "heel": ankle + uv(-0.035 * h, 0.04 * h),
        "ear": shoulder + uv(0.09 * h, 0.03 * h),
    }


def plank_lying(h: float, n: int, frontal: bool) -> Pose:
    floor = ON_FLOOR_H * h
    up = HALF_WIDTH_H["shoulder"] * h if frontal else 0.06 * h
    shoulder = np.tile([0.0, up], (n, 1))
    hip = shoulder + uv(-TRUNK_H * h, 0.0)
    ankle = hip + uv(-LEG_H * h, 0.0)
    arm_v = 0.0 if frontal else floor - up  # arms reach forward along the floor
    return {
        "shoulder": shoulder,
        "elbow": shoulder + uv(UPPER_ARM_H * h, arm_v),
        "wrist": shoulder + uv((UPPER_ARM_H + FOREARM_H) * h, arm_v),
        "hip": hip,
        "knee": hip + uv(-THIGH_H * h, 0.0),
        "ankle": ankle,
        "toe": np.stack([ankle[:, 0] + 0.03 * h, np.full(n, floor)], -1),
        "heel": ankle + uv(-0.035 * h, 0.04 * h),
        "ear": shoulder + uv(0.09 * h, 0.0),
    }


def bridge(h: float, offset: FloatArray, lift_other: bool) -> Pose:
    """Supine, head toward +u: shoulders on the floor, feet flat, the hip placed at the
    given offset from the shoulder-knee line (the thigh's length follows)."""
    n = offset.size
    floor = ON_FLOOR_H * h
    shoulder = np.tile([0.0, 0.06 * h], (n, 1))
    knee_v = KNEE_H * h
    reach = TRUNK_H * h + THIGH_H * h
    knee = np.tile([-np.sqrt(reach**2 - (knee_v - 0.06 * h) ** 2), knee_v], (n, 1))
    hip = vertex(shoulder, knee, TRUNK_H * h, offset)
    ankle = knee - uv(0.0, SHANK_H * h)
    pose = {
        "shoulder": shoulder,
        "elbow": shoulder + uv(-UPPER_ARM_H * h, floor - 0.06 * h),
        "wrist": shoulder + uv(-(UPPER_ARM_H + FOREARM_H) * h, floor - 0.06 * h),
        "hip": hip,
        "knee": knee,
        "ankle": ankle,
        "heel": np.stack([ankle[:, 0] + 0.035 * h, np.full(n, floor)], -1),
        "toe": np.stack([ankle[:, 0] - 0.117 * h, np.full(n, floor)], -1),
        "ear": shoulder + uv(0.10 * h, 0.02 * h),
    }
    if lift_other:  # the other leg straight, in line with the thigh of the working leg
        thigh = (knee - hip) / np.linalg.norm(knee - hip, axis=1)[:, None]
        pose["other_knee"] = hip + thigh * THIGH_H * h
        pose["other_ankle"] = hip + thigh * LEG_H * h
        pose["other_heel"] = pose["other_ankle"] + uv(-0.02 * h, -0.03 * h)
        pose["other_toe"] = pose["other_ankle"] + uv(-0.03 * h, 0.1 * h)
    return pose


def bridge_lying(h: float, n: int) -> Pose:
    pose = bridge(h, np.full(n, -50.0), lift_other=False)
    pose["hip"] = pose["shoulder"] + uv(-TRUNK_H * h, 0.0)
    return pose
