"""What the synthetic figures (the runner and the exercise figures) share.

The scene's camera tilt, the frame times and pose Dataset a figure is sampled into, and
the pieces of their drawing: background and ground colours, dataset pixels (y up) to
frame pixels (y down), the ground line across a frame.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import xarray as xr

from upright.skeleton import KEYPOINTS, FloatArray, make_pose_dataset

__all__ = [
    "BACKGROUND",
    "BODY",
    "GROUND",
    "Colour",
    "Frame",
    "Pixel",
    "PixelMap",
    "figure_dataset",
    "frame_times",
    "ground_segment",
    "rotate",
    "smoothstep",
    "tilt_scene",
]

Colour = tuple[int, int, int]
Pixel = tuple[int, int]
Frame = npt.NDArray[np.uint8]

BACKGROUND: Colour = (238, 240, 235)
GROUND: Colour = (90, 110, 80)
BODY: Colour = (40, 90, 170)


def rotate(vec: FloatArray, angle_deg: float | FloatArray) -> FloatArray:
    """Rotate (..., 2) vectors counter-clockwise by ``angle_deg`` (broadcast)."""
    a = np.radians(angle_deg)
    c, s = np.cos(a), np.sin(a)
    return np.stack([c * vec[..., 0] - s * vec[..., 1], s * vec[..., 0] + c * vec[..., 1]], -1)


def smoothstep(x: FloatArray) -> FloatArray:
    """0 below 0, 1 above 1, and a smooth S between (zero slope at both ends)."""
    x = np.clip(x, 0.0, 1.0)
    return np.asarray(x * x * (3.0 - 2.0 * x))


def tilt_scene(xy: FloatArray, width_px: int, height_px: int, tilt_deg: float) -> FloatArray:
    """Image points (..., 2), y up, with the scene turned ``tilt_deg`` clockwise on screen
    about the picture's centre (a camera rolled counter-clockwise)."""
    centre = np.array([width_px / 2, height_px / 2])
    return np.asarray(centre + rotate(xy - centre, -tilt_deg))


def frame_times(duration_s: float, fps: float) -> FloatArray:
    """The frame timestamps of a recording (at least one frame)."""
    n = int(np.floor(duration_s * fps + 1e-9))
    return np.arange(max(n, 1), dtype=np.float64) / fps


def figure_dataset(
    position: FloatArray,
    time_s: FloatArray,
    *,
    fps: float,
    source_software: str,
    image_width_px: int,
    image_height_px: int,
) -> xr.Dataset:
    """The pose Dataset of a synthetic figure: every keypoint seen with confidence 1,
    marked ``attrs["synthetic"] = 1``."""
    ds = make_pose_dataset(
        position,
        np.ones((time_s.size, len(KEYPOINTS))),
        time_s,
        fps=fps,
        source_software=source_software,
        image_width_px=image_width_px,
        image_height_px=image_height_px,
    )
    ds.attrs["synthetic"] = 1
    return ds


@dataclass(frozen=True)
class PixelMap:
    """Dataset pixels (y up) -> integer frame pixels (y down), scaled then shifted."""

    scale: float
    shift: FloatArray
    image_height_px: int

    def __call__(self, xy: FloatArray) -> Pixel:
        x = self.scale * xy[0] + self.shift[0]
        y = self.scale * (self.image_height_px - xy[1]) + self.shift[1]
        return round(float(x)), round(float(y))


def ground_segment(
    point_px: tuple[float, float],
    angle_deg: float,
    to_pixel: PixelMap,
    out_w: int,
    out_h: int,
) -> tuple[Pixel, Pixel]:
    """Ends of the ground line through ``point_px`` at ``angle_deg`` (dataset pixels,
    counter-clockwise from the x axis), far enough out to cross a whole frame."""
    a = np.radians(angle_deg)
    along = np.array([np.cos(a), np.sin(a)])
    reach = 2.0 * (out_w + out_h) / to_pixel.scale
    p0 = np.array(point_px)
    return to_pixel(p0 - reach * along), to_pixel(p0 + reach * along)
