"""Checks every keypoint series passes once read, whatever its format.

They refuse what no later step can measure, so the analysis never meets it: a frame
rate no camera films at, timestamps that contradict it, positions far outside the
picture, and confidence outside 0..1 (a damaged file).
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import numpy as np
import xarray as xr

from upright.errors import CorruptFileError
from upright.io.frame_rate import validate_fps, validate_frame_times
from upright.skeleton import FloatArray

#: When the file states no picture size, a position beyond this many pixels from the
#: origin is impossible (no video frame is this large).
_MAX_ABS_POSITION_PX: Final = 100_000.0

_FPS_FIX = (
    "Give the frame rate of the clip the keypoints came from (the file's 'fps', or "
    "--fps for a file that states none)"
)
_DAMAGED_FIX = "Export or save the keypoints again"


def _check_series(ds: xr.Dataset, path: Path) -> None:
    """Refuse a keypoint series no later step can measure (see the module docstring)."""
    fps = validate_fps(float(ds.attrs["fps"]), path, fix=_FPS_FIX)
    validate_frame_times(ds["time"].values, fps, path)
    pos = np.asarray(ds["position"].values, dtype=np.float64)
    _check_positions(pos, ds.attrs, path)
    _check_confidence(np.asarray(ds["confidence"].values, dtype=np.float64), path)


def _picture_size(attrs: dict[str, object]) -> tuple[float, float] | None:
    """Width and height stated in attrs, if both are positive numbers."""
    width, height = attrs.get("image_width_px"), attrs.get("image_height_px")
    if not (isinstance(width, int | float) and isinstance(height, int | float)):
        return None
    if isinstance(width, bool) or isinstance(height, bool) or width <= 0 or height <= 0:
        return None
    return float(width), float(height)


def _check_positions(pos: FloatArray, attrs: dict[str, object], path: Path) -> None:
    """Positions may lie outside the picture (a limb out of view), by one picture size
    at most; farther, or infinite, they are damage."""
    size = _picture_size(attrs)
    xy = np.moveaxis(pos, 1, -1)  # (time, keypoint, individual, space)
    if size is None:
        bad = np.abs(xy) > _MAX_ABS_POSITION_PX
        where = f"more than {_MAX_ABS_POSITION_PX:,.0f} px from the origin"
    else:
        centre = np.array(size) / 2
        bad = np.abs(xy - centre) > 1.5 * np.array(size)
        where = f"far outside the {size[0]:.0f} x {size[1]:.0f} px picture"
    bad |= np.isinf(xy)
    if not bad.any():
        return
    n_bad = int(np.count_nonzero(bad.any(axis=-1)))
    frame = int(np.flatnonzero(bad.reshape(bad.shape[0], -1).any(axis=1))[0])
    largest = float(np.max(np.abs(xy[bad])))
    raise CorruptFileError(
        f"{n_bad} keypoint positions lie {where} (the first in frame {frame}, up to "
        f"{largest:.3g} px); the file is damaged",
        path=path,
        fix=_DAMAGED_FIX,
    )


def _check_confidence(conf: FloatArray, path: Path) -> None:
    """Confidence is 0..1 or unknown (NaN); the readers of other tools' files clip it,
    so a value outside is damage in a saved pose file."""
    known = conf[~np.isnan(conf)]
    n_bad = int(np.count_nonzero((known < 0) | (known > 1)))
    if n_bad:
        raise CorruptFileError(
            f"{n_bad} confidence values lie outside 0 to 1; the file is damaged",
            path=path,
            fix=_DAMAGED_FIX,
        )
