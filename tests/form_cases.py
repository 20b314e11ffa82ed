"""Synthetic exercise keypoints for the form-check tests, with the exact answer known."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import xarray as xr

from upright.io.keypoints import write_keypoints_netcdf
from upright.skeleton import KEYPOINTS
from upright.synthetic.exercise import ExerciseSpec, simulate_exercise

#: A plank held from 2.6 s, sagging below the line from 7.56 s (15 deg at 4 s down to
#: -12 deg at 10 s), lowered at 16 s.
PLANK_SPEC = ExerciseSpec(offset_knots=((4.0, 15.0), (10.0, -12.0)), hold_end_s=16.0)
PLANK_SAG_S = 4.0 + 15.0 / 27.0 * 6.0


def plank() -> xr.Dataset:
    return simulate_exercise(PLANK_SPEC).ds


def side_plank() -> xr.Dataset:
    spec = ExerciseSpec(figure="side_plank", side="right", offset_knots=((4.0, 5.0),))
    return simulate_exercise(spec).ds


def without(ds: xr.Dataset, names: tuple[str, ...], share: float) -> xr.Dataset:
    """``ds`` with the points lost (NaN, confidence 0) in the first ``share`` of frames."""
    out = ds.copy(deep=True)
    n = int(share * ds.sizes["time"])
    for name in names:
        k = KEYPOINTS.index(name)
        out["position"].values[:n, :, k, :] = np.nan
        out["confidence"].values[:n, k, :] = 0.0
    return out


def save(ds: xr.Dataset, path: Path) -> Path:
    write_keypoints_netcdf(ds, path)
    return path


def rendered_clip(spec: ExerciseSpec, folder: Path, name: str) -> tuple[Path, Path]:
    """The figure rendered to ``<name>.mp4`` (the spec's picture size) and its keypoints."""
    from upright.io.video import VideoWriter
    from upright.synthetic.exercise_render import render_exercise_frames

    ex = simulate_exercise(spec)
    clip = folder / f"{name}.mp4"
    size = {"width_px": spec.image_width_px, "height_px": spec.image_height_px}
    with VideoWriter(clip, **size, fps=spec.fps, preset="ultrafast") as w:
        for _, rgb in render_exercise_frames(ex):
            w.write(rgb)
    return clip, save(ex.ds, folder / f"{name}-keypoints.nc")


#: A small picture for rendered clips (fast to encode and decode).
SMALL = {"height_px": 280.0, "image_width_px": 640, "image_height_px": 360}


def plank_clip(folder: Path) -> tuple[Path, Path]:
    """A short rendered plank (8 s, 640 x 360) and its keypoints: sagging from 5 s."""
    spec = ExerciseSpec(
        duration_s=8.0, hold_end_s=7.0, offset_knots=((4.0, 10.0), (6.0, -10.0)), **SMALL
    )
    return rendered_clip(spec, folder, "plank")
