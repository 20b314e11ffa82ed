"""One annotated still of the runner (``frame.jpg``), for reports and quick looks.

The still is the mid-stance frame of the stride nearest the middle of the clip: the
posture the summary's median describes, drawn with the same overlay as the annotated
video.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Final

import numpy as np
import numpy.typing as npt

from upright.report._overlay import write_still_jpeg
from upright.report.annotate import Overlay, draw_overlay
from upright.services.analyze import Analysis

__all__ = ["STILL_MAX_SIDE_PX", "STILL_NAME", "still_frame_index", "write_still"]

STILL_NAME: Final = "frame.jpg"
#: Longer side of the still; enough to read the overlay on a printed page.
STILL_MAX_SIDE_PX: Final = 960


def still_frame_index(analysis: Analysis, foot: str | None = None) -> int:
    """Frame index of mid-stance (halfway from contact to toe-off) of the middle stride.

    ``foot`` ("left"/"right") prefers that foot's strides, e.g. the leg nearer the camera.
    Falls back to the middle frame when no stride has a toe-off.
    """
    times = analysis.frames["time_s"].to_numpy(dtype=float)
    strides = analysis.strides.dropna(subset=["start_s", "toe_off_s"])
    if foot is not None and (strides["foot"] == foot).any():
        strides = strides[strides["foot"] == foot]
    if strides.empty or times.size == 0:
        return max(0, times.size // 2)
    middle = 0.5 * (times[0] + times[-1])
    nearest = strides.iloc[int(np.argmin(np.abs(strides["start_s"].to_numpy() - middle)))]
    mid_stance = 0.5 * (float(nearest["start_s"]) + float(nearest["toe_off_s"]))
    return int(np.argmin(np.abs(times - mid_stance)))


def write_still(
    frames: Iterable[tuple[int, npt.NDArray[np.uint8]]],
    overlay: Overlay,
    index: int,
    path: Path,
    *,
    max_side_px: int = STILL_MAX_SIDE_PX,
) -> bool:
    """Draw frame ``index`` (taken from ``frames``, (index, rgb) pairs) into a JPEG.

    Returns False, writing nothing, when ``frames`` ends before ``index``.
    """

    def draw(rgb: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
        import cv2

        h, w = rgb.shape[:2]
        scale = min(1.0, max_side_px / max(h, w))
        if scale < 1.0:
            size = (round(w * scale), round(h * scale))
            rgb = np.asarray(cv2.resize(rgb, size, interpolation=cv2.INTER_AREA), np.uint8)
        return draw_overlay(rgb, overlay, index)

    return write_still_jpeg(frames, index, draw, path)
