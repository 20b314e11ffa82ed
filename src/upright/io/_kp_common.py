"""Shared pieces of the keypoint readers: constants, checks, the canonical mapping."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from upright.errors import (
    CorruptFileError,
    InputError,
)
from upright.skeleton import (
    KEYPOINTS,
    FloatArray,
    add_processing_step,
)

#: Frame rate used when neither the source nor the caller states one.
DEFAULT_FPS = 30.0

ACCEPTED_FORMATS = (
    "a folder of OpenPose *_keypoints.json files, "
    "a GaitLab pose .json file, "
    "or an upright pose .nc file (saved by write_keypoints_netcdf)"
)

_GAITLAB_FIX = "Export the keypoints again with GaitLab's extractor"
_OPENPOSE_FIX = "Run OpenPose again with --write_json and the BODY_25 model (its default)"
_NETCDF_FIX = "Pass a .nc file saved by upright (write_keypoints_netcdf)"
_VIDEO_SUFFIXES = frozenset({".mp4", ".mov", ".avi", ".mkv", ".m4v", ".webm"})
_HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"


class _SizeHint:
    """Image size given by the caller, for sources that do not state it."""

    def __init__(self, width_px: int | None, height_px: int | None) -> None:
        self.width_px = width_px
        self.height_px = height_px


def _check_positive(name: str, value: float | None, path: Path) -> None:
    """Reject a caller's argument for ``path`` that is not a finite positive number."""
    if value is not None and not _is_positive(value):
        raise InputError(
            f"{name} must be a positive number, got {value!r}",
            path=path,
            fix=f"Pass a positive {name}, or leave it out",
        )


def _is_positive(value: object) -> bool:
    """Whether ``value`` is a finite number above zero (booleans are not numbers here)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return math.isfinite(value) and value > 0


def _check_agrees(name: str, stated: float, given: float | None, path: Path) -> None:
    """Refuse a caller's value that contradicts the one stated in the file."""
    if given is not None and not math.isclose(stated, given, rel_tol=1e-6):
        raise InputError(
            f"{name}={given} contradicts the file, which states {name}={stated}",
            path=path,
            fix=f"Leave {name} out; the file states it",
        )


def _load_json(path: Path, what: str) -> Any:
    """Parse a JSON file, turning every failure into an upright error."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise CorruptFileError(
            f"{what} is not UTF-8 text (byte {exc.start})",
            path=path,
            fix="Pass the JSON file the pose tool wrote, not a binary file",
        ) from exc
    except OSError as exc:
        raise InputError(
            f"{what} cannot be read: {exc.strerror or exc}",
            path=path,
            fix="Check that the file exists and that you may read it",
        ) from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise CorruptFileError(
            f"{what} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); "
            "the file may be truncated",
            path=path,
            fix="Export the keypoints again from the pose tool",
        ) from exc


def _to_canonical(
    points: FloatArray, index: Mapping[str, int]
) -> tuple[FloatArray, FloatArray, int]:
    """Map (frame, source keypoint, [x, y, score]) onto canonical keypoints.

    Returns image-y positions (frame, 2, keypoint), confidence (frame, keypoint)
    clipped to 0..1, and how many scores lay outside 0..1. A point with score 0, a
    NaN score or a non-finite coordinate gets a NaN position; a canonical keypoint
    the source lacks gets NaN position and confidence.
    """
    n_frames = points.shape[0]
    pos = np.full((n_frames, 2, len(KEYPOINTS)), np.nan)
    conf = np.full((n_frames, len(KEYPOINTS)), np.nan)
    n_clipped = 0
    for k, name in enumerate(KEYPOINTS):
        if name not in index:
            continue
        xy = points[:, index[name], :2]
        score = points[:, index[name], 2]
        finite = ~np.isnan(score)
        n_clipped += int(np.count_nonzero((score[finite] > 1) | (score[finite] < 0)))
        conf[:, k] = np.clip(score, 0.0, 1.0)
        seen = finite & (score > 0) & np.all(np.isfinite(xy), axis=1)
        pos[seen, :, k] = xy[seen]
    return pos, conf, n_clipped


def _clip_note(n_clipped: int) -> list[str]:
    """Processing-log entry for clipped confidence scores, if any."""
    if not n_clipped:
        return []
    return [f"confidence clipped to [0, 1] ({n_clipped} source scores outside it)"]


def _assumed_extent(pos_image: FloatArray, axis: int) -> int:
    """Image size assumed from the farthest point seen along x (0) or y (1)."""
    return math.ceil(float(np.nanmax(pos_image[:, axis, :])))


# ----------------------------------------------------------------------------- GaitLab


def _log(ds: xr.Dataset, steps: Sequence[str]) -> xr.Dataset:
    """Append each step to the processing log."""
    for step in steps:
        ds = add_processing_step(ds, step)
    return ds


# ----------------------------------------------------------------------------- OpenPose
