"""Whole-clip facts about the runner: leg length, running direction, setting, step period."""

from __future__ import annotations

from typing import Literal

import numpy as np
import xarray as xr
from scipy.signal import butter, sosfiltfilt

from upright.errors import InsufficientDataError
from upright.kinematics.angles import midpoint
from upright.skeleton import FloatArray, point

__all__ = [
    "Setting",
    "detect_direction",
    "detect_setting",
    "estimate_leg_length_px",
    "estimate_step_period_s",
    "pelvis",
]

Setting = Literal["treadmill", "overground"]

#: A pelvis that travels more than this many leg lengths across the clip is overground.
OVERGROUND_TRAVEL_LEG = 1.5

#: Step periods searched, seconds: 0.25-0.6 s is 100-240 steps per minute.
STEP_PERIOD_RANGE_S = (0.25, 0.6)


def pelvis(ds: xr.Dataset) -> FloatArray:
    """Mid-hip position per frame, (time, 2)."""
    return midpoint(ds, "left_hip", "right_hip")


def estimate_leg_length_px(ds: xr.Dataset) -> float:
    """Leg length (hip -> knee -> ankle) in pixels: median thigh plus median shank.

    In a side view both segments lie close to the image plane, so their image length
    is their length; the median of either side resists frame-by-frame errors.
    """
    lengths = []
    for a, b in (("hip", "knee"), ("knee", "ankle")):
        seg = np.concatenate(
            [
                np.linalg.norm(point(ds, f"{s}_{a}") - point(ds, f"{s}_{b}"), axis=1)
                for s in ("left", "right")
            ]
        )
        seg = seg[~np.isnan(seg)]
        if seg.size < 10:
            raise InsufficientDataError(
                f"the {a}-{b} segment is visible in fewer than 10 frames",
                fix="Film the whole body from the side, feet included",
            )
        lengths.append(float(np.median(seg)))
    return float(sum(lengths))


def detect_direction(ds: xr.Dataset) -> int:
    """Running direction, decided once per clip: +1 toward +x (image right), -1 toward -x.

    Votes, each a median over the clip: the nose ahead of the ears, the toes ahead of the
    heels, and (overground) the travel of the pelvis. The sum decides.
    """
    votes: list[float] = []
    keypoints = set(ds.coords["keypoint"].values.tolist())
    if {"nose", "left_ear", "right_ear"} <= keypoints:
        dx = point(ds, "nose")[:, 0] - midpoint(ds, "left_ear", "right_ear")[:, 0]
        votes.append(_median_sign(dx))
    for side in ("left", "right"):
        dx = point(ds, f"{side}_toe")[:, 0] - point(ds, f"{side}_heel")[:, 0]
        votes.append(_median_sign(dx))
    px = pelvis(ds)[:, 0]
    good = px[~np.isnan(px)]
    if good.size > 2:
        leg = estimate_leg_length_px(ds)
        travel = good[-1] - good[0]
        if abs(travel) > OVERGROUND_TRAVEL_LEG * leg:
            votes.append(2.0 * np.sign(travel))
    total = float(np.nansum(votes))
    if total == 0:
        raise InsufficientDataError(
            "the running direction cannot be told from the keypoints",
            fix="Film a side view with the head and feet visible",
        )
    return 1 if total > 0 else -1


def _median_sign(values: FloatArray) -> float:
    v = values[~np.isnan(values)]
    return float(np.sign(np.median(v))) if v.size else 0.0


def detect_setting(ds: xr.Dataset) -> Setting:
    """Treadmill when the pelvis stays in place, overground when it travels."""
    px = pelvis(ds)[:, 0]
    good = px[~np.isnan(px)]
    if good.size < 2:
        raise InsufficientDataError("the hips are not visible", fix="Film the whole body")
    travel = float(np.percentile(good, 95) - np.percentile(good, 5))
    return (
        "overground" if travel > OVERGROUND_TRAVEL_LEG * estimate_leg_length_px(ds) else "treadmill"
    )


def estimate_step_period_s(ds: xr.Dataset) -> float:
    """Step period from the vertical oscillation of the pelvis (one cycle per step).

    The autocorrelation of the detrended pelvis height is searched for its highest peak
    between 0.25 and 0.6 s; the peak is refined by a parabola through its neighbours.
    The pelvis is the mean of both hips, so it does not suffer from the left/right label
    swaps that affect the feet in a side view.
    """
    fs = float(ds.attrs["fps"])
    y = pelvis(ds)[:, 1]
    good = ~np.isnan(y)
    if good.sum() < fs * 2 * STEP_PERIOD_RANGE_S[1]:
        raise InsufficientDataError(
            f"only {good.sum()} frames show the hips; at least two strides are needed",
            fix="Film at least 10 s of steady running",
        )
    idx = np.arange(y.size)
    y = np.interp(idx, idx[good], y[good])
    # remove drift slower than 1 Hz (a runner drifting on the belt, camera shake)
    sos = butter(2, 1.0, btype="high", fs=fs, output="sos")
    y = sosfiltfilt(sos, y - y.mean())
    if not np.std(y) > 1e-6:  # px: still to within rounding (a frozen series)
        raise InsufficientDataError(
            "the hips never rise and fall, so no running step can be found",
            fix="Film at least 10 s of steady running from the side",
        )
    ac = np.correlate(y, y, mode="full")[y.size - 1 :]
    ac = ac / ac[0]
    lo = max(1, int(np.floor(STEP_PERIOD_RANGE_S[0] * fs)))
    hi = min(ac.size - 2, int(np.ceil(STEP_PERIOD_RANGE_S[1] * fs)))
    if hi <= lo:
        raise InsufficientDataError("the clip is too short to find a step period")
    k = lo + int(np.argmax(ac[lo : hi + 1]))
    a, b, c = ac[k - 1], ac[k], ac[k + 1]
    denom = a - 2 * b + c
    shift = 0.5 * (a - c) / denom if denom != 0 else 0.0
    return float((k + np.clip(shift, -0.5, 0.5)) / fs)
