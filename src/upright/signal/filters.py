"""Cleaning of keypoint series: confidence masking, bounded gap filling, zero-lag filtering.

Every function returns a new Dataset (inputs are never modified) and appends the step
with its parameters to ``attrs["processing"]``.
"""

from __future__ import annotations

import itertools

import numpy as np
import xarray as xr
from scipy.signal import butter, sosfiltfilt

from upright.skeleton import FloatArray, add_processing_step

__all__ = [
    "DEFAULT_CONFIDENCE_THRESHOLD",
    "DEFAULT_MAX_GAP_S",
    "default_cutoff_hz",
    "fill_gaps",
    "lowpass",
    "mask_low_confidence",
    "resample_uniform",
    "rotate_positions",
]

#: Keypoints below this confidence become NaN. BlazePose *visibility* and RTMPose scores
#: both sit well above it for a clearly seen joint.
DEFAULT_CONFIDENCE_THRESHOLD = 0.3

#: Gaps are bridged by linear interpolation when the valid samples on either side are at
#: most this far apart in time; longer gaps stay NaN. At 30 fps 0.1 s bridges up to two
#: missing frames, under a third of a running step.
DEFAULT_MAX_GAP_S = 0.1

_FILTER_ORDER = 4  # Butterworth order before the forward-backward pass


def default_cutoff_hz(sampling_rate_hz: float) -> float:
    """Low-pass cutoff suited to a frame rate: 10 Hz, at most a quarter of the rate.

    Running kinematics keeps its content below about 10 Hz; at 30 fps the cutoff is
    7.5 Hz, half of the Nyquist frequency, so the filter stays well conditioned.
    """
    return float(min(10.0, 0.25 * sampling_rate_hz))


def mask_low_confidence(
    ds: xr.Dataset, threshold: float = DEFAULT_CONFIDENCE_THRESHOLD
) -> xr.Dataset:
    """Set positions to NaN where the confidence is below ``threshold`` (or NaN)."""
    out = ds.copy()
    keep = ds["confidence"] >= threshold
    out["position"] = ds["position"].where(keep)
    return add_processing_step(out, f"mask_low_confidence(threshold={threshold})")


def fill_gaps(ds: xr.Dataset, max_gap_s: float = DEFAULT_MAX_GAP_S) -> xr.Dataset:
    """Linearly interpolate runs of NaN no longer than ``max_gap_s``; longer runs stay NaN.

    Leading and trailing NaN are never extrapolated.
    """
    out = ds.copy()
    pos = ds["position"].values.copy()
    t = ds["time"].values.astype(np.float64)
    flat = pos.reshape(pos.shape[0], -1)
    for j in range(flat.shape[1]):
        flat[:, j] = _fill_series(t, flat[:, j], max_gap_s)
    out["position"] = (ds["position"].dims, flat.reshape(pos.shape))
    return add_processing_step(out, f"fill_gaps(max_gap_s={max_gap_s})")


def _fill_series(t: FloatArray, y: FloatArray, max_gap_s: float) -> FloatArray:
    bad = np.isnan(y)
    if not bad.any() or bad.all():
        return y
    good_idx = np.flatnonzero(~bad)
    filled = y.copy()
    for a, b in itertools.pairwise(good_idx):
        if b - a > 1 and t[b] - t[a] <= max_gap_s + 1e-9:
            span = slice(a + 1, b)
            filled[span] = np.interp(t[span], [t[a], t[b]], [y[a], y[b]])
    return filled


def lowpass(ds: xr.Dataset, cutoff_hz: float | None = None) -> xr.Dataset:
    """Zero-lag low-pass: 4th-order Butterworth run forward and backward (``sosfiltfilt``).

    Each run of valid samples is filtered on its own, so NaN never spreads; runs too
    short to filter (under 3 samples) are left as they are. ``cutoff_hz`` defaults to
    :func:`default_cutoff_hz` of the Dataset's ``fps``.
    """
    fs = float(ds.attrs["fps"])
    cutoff = default_cutoff_hz(fs) if cutoff_hz is None else float(cutoff_hz)
    if not 0 < cutoff < fs / 2:
        raise ValueError(f"cutoff {cutoff} Hz must lie between 0 and half of {fs} fps")
    sos = butter(_FILTER_ORDER, cutoff, btype="low", fs=fs, output="sos")
    out = ds.copy()
    pos = ds["position"].values.copy()
    flat = pos.reshape(pos.shape[0], -1)
    for j in range(flat.shape[1]):
        flat[:, j] = _filter_runs(flat[:, j], sos)
    out["position"] = (ds["position"].dims, flat.reshape(pos.shape))
    return add_processing_step(out, f"lowpass(butterworth order 4 zero-lag, cutoff_hz={cutoff})")


def _filter_runs(y: FloatArray, sos: FloatArray) -> FloatArray:
    out = y.copy()
    valid = ~np.isnan(y)
    if not valid.any():
        return out
    edges = np.diff(np.concatenate([[0], valid.astype(np.int8), [0]]))
    starts, stops = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    for a, b in zip(starts, stops, strict=True):
        n = b - a
        if n < 3:
            continue
        padlen = min(3 * 2 * sos.shape[0], n - 1)
        out[a:b] = sosfiltfilt(sos, y[a:b], padlen=padlen)
    return out


def resample_uniform(ds: xr.Dataset, sampling_rate_hz: float) -> xr.Dataset:
    """Resample to an even time grid by linear interpolation (variable-frame-rate clips).

    NaN stays NaN: a new sample next to a missing one is missing too.
    """
    t = ds["time"].values.astype(np.float64)
    n = int(np.floor((t[-1] - t[0]) * sampling_rate_hz + 1e-9)) + 1
    grid = t[0] + np.arange(n) / sampling_rate_hz
    out = ds.interp(time=grid, method="linear")
    out.attrs = dict(ds.attrs)
    out.attrs["fps"] = float(sampling_rate_hz)
    return add_processing_step(out, f"resample_uniform(sampling_rate_hz={sampling_rate_hz})")


def rotate_positions(ds: xr.Dataset, angle_deg: float) -> xr.Dataset:
    """Rotate every position counter-clockwise by ``angle_deg`` about the origin (y up).

    Used to undo camera tilt: a camera rolled clockwise by ``a`` is corrected by
    rotating the scene by ``-a``.
    """
    a = np.deg2rad(angle_deg)
    rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    out = ds.copy()
    out["position"] = xr.apply_ufunc(
        lambda p: np.einsum("ij,...j->...i", rot, p),
        ds["position"],
        input_core_dims=[["space"]],
        output_core_dims=[["space"]],
    ).transpose(*ds["position"].dims)
    return add_processing_step(out, f"rotate_positions(angle_deg={angle_deg:.3f})")
