"""Segment angles in the sagittal plane of a side view.

Sign table (y up, running direction ``direction`` = +1 toward +x, -1 toward -x):

==================  =================================  ==============  =============
angle               reference                          positive        range, unit
==================  =================================  ==============  =============
trunk lean          mid-hip -> mid-shoulder vs vertical forward          (-180, 180] deg
head-trunk          mid-shoulder -> head vs trunk line head back (ext.)  (-180, 180] deg
knee flexion        thigh line vs shank line           knee bent        [0, 180] deg
==================  =================================  ==============  =============
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from upright.errors import InputError
from upright.skeleton import FloatArray, point

__all__ = [
    "compute_head_trunk_deg",
    "compute_knee_flexion_deg",
    "compute_trunk_lean_deg",
    "head_point",
    "midpoint",
    "midpoint_xy",
    "segment_lean_deg",
]


def midpoint(ds: xr.Dataset, left: str, right: str) -> FloatArray:
    """Mid-point of two keypoints as (time, 2); where one side is missing, the other.

    In a side view the left and right points of a pair nearly overlap, so a single
    visible side is a fair stand-in for the mid-point.
    """
    return midpoint_xy(point(ds, left), point(ds, right))


def midpoint_xy(a: FloatArray, b: FloatArray) -> FloatArray:
    """Mid-point of two point arrays (..., 2); where one is missing, the other."""
    with np.errstate(invalid="ignore"):
        mid = np.where(np.isnan(a), b, np.where(np.isnan(b), a, (a + b) / 2.0))
    return np.asarray(mid, dtype=np.float64)


def segment_lean_deg(vector: FloatArray, direction: int) -> FloatArray:
    """Angle of each (x, y-up) vector from vertical, positive toward ``direction``, degrees."""
    if direction not in (1, -1):
        raise ValueError("direction must be +1 or -1")
    return np.asarray(
        np.degrees(np.arctan2(direction * vector[..., 0], vector[..., 1])), dtype=np.float64
    )


def compute_trunk_lean_deg(ds: xr.Dataset, direction: int) -> FloatArray:
    """Trunk lean per frame: the mid-hip -> mid-shoulder line from vertical.

    Positive = leaning forward, in the running direction; degrees, range (-180, 180].
    NaN where a hip or shoulder is missing on both sides.

    Notes
    -----
    Definition as in Teng & Powers 2015 (MSSE 47:625), trunk relative to vertical; see
    ``docs/conventions.md``.
    """
    trunk = midpoint(ds, "left_shoulder", "right_shoulder") - midpoint(ds, "left_hip", "right_hip")
    return segment_lean_deg(trunk, direction)


def head_point(ds: xr.Dataset) -> tuple[FloatArray, str]:
    """The point that stands for the head, and its name.

    The mid-ear is used when ears are present in at least half of the frames (BlazePose,
    OpenPose); otherwise the head top (RTMPose Halpe-26 has no ears), otherwise the nose.
    The choice is reported because it shifts the absolute head-trunk angle.
    """
    keypoints = set(ds.coords["keypoint"].values.tolist())
    candidates: list[tuple[str, FloatArray]] = []
    if {"left_ear", "right_ear"} <= keypoints:
        candidates.append(("mid_ear", midpoint(ds, "left_ear", "right_ear")))
    for name in ("head_top", "nose"):
        if name in keypoints:
            candidates.append((name, point(ds, name)))
    for name, pts in candidates:
        if np.mean(~np.isnan(pts[:, 0])) >= 0.5:
            return pts, name
    raise InputError(
        "no ear, head-top or nose keypoint is present in half of the frames",
        fix="Film with the head in view, or supply keypoints that include the head",
    )


def compute_head_trunk_deg(ds: xr.Dataset, direction: int) -> tuple[FloatArray, str]:
    """Head-trunk angle per frame: the mid-shoulder -> head line against the trunk line.

    Positive = head extended back relative to the trunk (the neck line leans less far
    forward than the trunk); degrees, range (-180, 180]. Returns the angles and the name
    of the head point used (see :func:`head_point`).
    """
    shoulder = midpoint(ds, "left_shoulder", "right_shoulder")
    trunk = shoulder - midpoint(ds, "left_hip", "right_hip")
    head, name = head_point(ds)
    diff = segment_lean_deg(trunk, direction) - segment_lean_deg(head - shoulder, direction)
    return (diff + 180.0) % 360.0 - 180.0, name


def compute_knee_flexion_deg(hip: FloatArray, knee: FloatArray, ankle: FloatArray) -> FloatArray:
    """Knee flexion: 0 deg with the leg straight, growing as the knee bends, degrees."""
    thigh = knee - hip
    shank = ankle - knee
    cos = np.sum(thigh * shank, axis=-1) / (
        np.linalg.norm(thigh, axis=-1) * np.linalg.norm(shank, axis=-1)
    )
    return np.asarray(np.degrees(np.arccos(np.clip(cos, -1.0, 1.0))), dtype=np.float64)
