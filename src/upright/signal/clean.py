"""The cleaning every analysis applies, in one place, in order."""

from __future__ import annotations

import numpy as np
import xarray as xr

from upright.signal.filters import (
    DEFAULT_CONFIDENCE_THRESHOLD,
    DEFAULT_MAX_GAP_S,
    fill_gaps,
    lowpass,
    mask_low_confidence,
    resample_uniform,
)
from upright.signal.swaps import drop_merged_feet, untangle_leg_swaps

__all__ = ["clean_pose", "is_variable_rate"]


def is_variable_rate(ds: xr.Dataset) -> bool:
    """Whether frame intervals vary by more than 10% of the typical one."""
    dt = np.diff(ds["time"].values.astype(np.float64))
    return bool(dt.size and (np.max(dt) - np.min(dt)) > 0.1 * np.median(dt))


def clean_pose(
    ds: xr.Dataset,
    *,
    confidence_threshold: float = DEFAULT_CONFIDENCE_THRESHOLD,
    max_gap_s: float = DEFAULT_MAX_GAP_S,
    cutoff_hz: float | None = None,
) -> xr.Dataset:
    """Even time grid (variable-frame-rate clips), low-confidence points to NaN, merged
    feet blanked, left/right leg swaps undone, short gaps filled, zero-lag low-pass."""
    if is_variable_rate(ds):
        ds = resample_uniform(ds, float(ds.attrs["fps"]))
    ds = mask_low_confidence(ds, confidence_threshold)
    ds = drop_merged_feet(ds)
    ds = untangle_leg_swaps(ds)
    ds = fill_gaps(ds, max_gap_s)
    return lowpass(ds, cutoff_hz)
