"""Clips for the ``compare`` tests: synthetic runners with a known lean, and a pose series
rotated about the image centre (a 'late' clip whose lean is known to have changed)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import xarray as xr

from upright.io.keypoints import write_keypoints_netcdf
from upright.synthetic.runner import RunnerSpec, simulate_run

#: Length of each synthetic clip: about 21 strides at 170 steps/min.
CLIP_S = 15.0
#: Stride-to-stride lean noise of the synthetic runner (deg).
NOISE_DEG = 0.5


def write_synthetic_clip(path: Path, lean_deg: float, seed: int) -> Path:
    """A synthetic runner with a constant true lean (+ seeded noise), saved as .nc."""
    spec = RunnerSpec(
        duration_s=CLIP_S,
        trunk_lean_start_deg=lean_deg,
        trunk_lean_end_deg=lean_deg,
        head_trunk_deg=8.0,
        head_trunk_end_deg=8.0,
        lean_noise_deg=NOISE_DEG,
        seed=seed,
    )
    write_keypoints_netcdf(simulate_run(spec).ds, path)
    return path


def rotate_about_centre(ds: xr.Dataset, angle_deg: float) -> xr.Dataset:
    """Every position rotated counter-clockwise (y up, as seen on screen) by ``angle_deg``
    about the image centre; confidences and attrs unchanged; ``ds`` is not modified."""
    a = np.deg2rad(angle_deg)
    rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    centre = np.array([ds.attrs["image_width_px"] / 2, ds.attrs["image_height_px"] / 2])
    pos = ds["position"].transpose(..., "space")
    turned = np.einsum("ij,...j->...i", rot, pos.values - centre) + centre
    out = ds.copy()
    out["position"] = (pos.dims, turned)
    out["position"] = out["position"].transpose(*ds["position"].dims)
    return out
