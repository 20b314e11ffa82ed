"""Body proportions and small geometry helpers shared by the synthetic exercise figures.

Segment lengths are fractions of body height from Winter (2009), *Biomechanics and
Motor Control of Human Movement*, 4th ed., fig. 4.1. A pose is built in a frame
``(u, v)``: ``u`` toward the head, ``v`` up, ``v = 0`` on the floor, pixels.
"""

from __future__ import annotations

import numpy as np

from upright.skeleton import FloatArray
from upright.synthetic.runner import (
    ANKLE_H,
    FOREARM_H,
    HIP_H,
    KNEE_H,
    SHOULDER_H,
    UPPER_ARM_H,
)

__all__ = [
    "ARM_H",
    "FOREARM_H",
    "HALF_WIDTH_H",
    "LEG_H",
    "ON_FLOOR_H",
    "SHANK_H",
    "THIGH_H",
    "TRUNK_H",
    "UPPER_ARM_H",
    "Pose",
    "blend",
    "direction",
    "two_link",
    "uv",
    "vertex",
]

TRUNK_H = SHOULDER_H - HIP_H
THIGH_H = HIP_H - KNEE_H
SHANK_H = KNEE_H - ANKLE_H
LEG_H = THIGH_H + SHANK_H
ARM_H = UPPER_ARM_H + FOREARM_H
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

Pose = dict[str, FloatArray]  # body point -> (n, 2) in (u, v)


def uv(u: float, v: float) -> FloatArray:
    """A (u, v) step to add to (n, 2) points."""
    return np.array([u, v], dtype=np.float64)


def direction(deg: FloatArray | float, toward: int = 1) -> FloatArray:
    """Unit vectors (n, 2) at ``deg`` against the horizontal pointing ``toward`` (+1 the
    head, -1 the feet); + up."""
    a = np.radians(np.atleast_1d(np.asarray(deg, dtype=np.float64)))
    return np.stack([toward * np.cos(a), np.sin(a)], -1)


def vertex(a: FloatArray, b: FloatArray, length_a: float, offset_deg: FloatArray) -> FloatArray:
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


def two_link(a: FloatArray, b: FloatArray, l1: float, l2: float, bend: int) -> FloatArray:
    """The middle joint of a two-segment limb from ``a`` to ``b`` (lengths ``l1``,
    ``l2``), bent to the left of a -> b when ``bend`` is +1, to the right when -1; a
    limb too short to reach is stretched straight toward ``b``."""
    d = b - a
    dist = np.maximum(np.linalg.norm(d, axis=-1), 1e-9)
    unit = d / dist[:, None]
    along = np.clip((l1**2 - l2**2 + dist**2) / (2 * dist), -l1, l1)
    across = np.sqrt(np.maximum(l1**2 - along**2, 0.0))
    left = np.stack([-unit[:, 1], unit[:, 0]], -1)
    return np.asarray(a + along[:, None] * unit + bend * across[:, None] * left)


def blend(a: Pose, b: Pose, w: FloatArray) -> Pose:
    """Per frame, ``a`` where ``w = 0``, ``b`` where ``w = 1``, straight lines between."""
    return {k: a[k] + w[:, None] * (b[k] - a[k]) for k in a}
