"""Drawing on video frames, shared by the annotated run (:mod:`upright.report.annotate`)
and the annotated exercise (:mod:`upright.report.form_annotate`).

The keypoints put back into the picture, their pixels, outlined text, scaling a frame to
fit and encoding the drawn frames. OpenCV is imported only when something is drawn.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import xarray as xr

from upright.io.video import ColourMatrix, VideoWriter, X264Preset, YUVFrame
from upright.signal.filters import rotate_positions
from upright.skeleton import KEYPOINTS, FloatArray

__all__ = [
    "BANNER",
    "OUTLINE",
    "RGB",
    "WHITE",
    "Colour",
    "Line",
    "Picture",
    "Pixel",
    "Shape",
    "Text",
    "encode",
    "fit",
    "fitted_size",
    "keypoint_pixels",
    "outlined_text",
    "paint",
    "picture_keypoints",
    "write_still_jpeg",
]

Colour = tuple[int, int, int]
Pixel = tuple[int, int]
RGB = npt.NDArray[np.uint8]

#: JPEG quality of the annotated stills (frame.jpg).
STILL_JPEG_QUALITY = 88
OUTLINE: Colour = (0, 0, 0)
WHITE: Colour = (255, 255, 255)
BANNER: Colour = (255, 230, 0)


@dataclass(frozen=True)
class Picture:
    """Levelled keypoints put back into the picture they came from."""

    ds: xr.Dataset  # the camera tilt put back (y up)
    xy: FloatArray  # (time, 2, keypoint) in the picture's pixels, y down
    width_px: int
    height_px: int


def picture_keypoints(clean: xr.Dataset, tilt_deg: float) -> Picture:
    """The keypoints of ``clean`` (levelled by ``tilt_deg``) as the picture shows them."""
    ds = rotate_positions(clean, tilt_deg) if tilt_deg else clean
    height = int(ds.attrs.get("image_height_px", 0))
    xy = ds["position"].isel(individual=0).values.copy()  # time, space, keypoint
    xy[:, 1] = height - xy[:, 1]
    return Picture(ds, xy, int(ds.attrs.get("image_width_px", 0)), height)


def keypoint_pixels(xy: FloatArray, sx: float, sy: float) -> dict[str, Pixel]:
    """Pixel position of each keypoint of one frame (``xy`` is (2, keypoint), scaled by
    ``sx``, ``sy`` and rounded half to even), if known."""
    scaled = np.rint(xy * np.array([[sx], [sy]]))
    known = ~np.isnan(scaled).any(axis=0)
    return {
        k: (int(x), int(y))
        for k, (x, y), ok in zip(KEYPOINTS, scaled.T.tolist(), known.tolist(), strict=True)
        if ok
    }


@dataclass(frozen=True)
class Line:
    a: Pixel
    b: Pixel
    colour: Colour
    thickness: int


@dataclass(frozen=True)
class Text:
    text: str
    org: Pixel
    scale: float
    colour: Colour
    thickness: int


Shape = Line | Text


def outlined_text(text: str, org: Pixel, scale: float, colour: Colour) -> list[Shape]:
    """Text in ``colour`` over a black outline (OpenCV's simplex font at ``scale``)."""
    return [
        Text(text, org, scale, OUTLINE, max(2, int(4 * scale))),
        Text(text, org, scale, colour, max(1, int(1.6 * scale))),
    ]


def _same(colour: Colour) -> tuple[float, ...]:
    return colour


def paint(
    img: RGB,
    shapes: Iterable[Shape],
    colour: Callable[[Colour], tuple[float, ...]] = _same,
    *,
    offset: Pixel = (0, 0),
) -> None:
    """Draw ``shapes`` (anti-aliased) on ``img`` in place, shifted by ``-offset``;
    ``colour`` turns an RGB colour into the picture's own (default: as it is)."""
    import cv2

    dx, dy = offset
    for s in shapes:
        if isinstance(s, Line):
            a, b = (s.a[0] - dx, s.a[1] - dy), (s.b[0] - dx, s.b[1] - dy)
            cv2.line(img, a, b, colour(s.colour), s.thickness, cv2.LINE_AA)
        else:
            org = (s.org[0] - dx, s.org[1] - dy)
            font = cv2.FONT_HERSHEY_SIMPLEX
            cv2.putText(img, s.text, org, font, s.scale, colour(s.colour), s.thickness, cv2.LINE_AA)


def fitted_size(width: int, height: int, max_side_px: int | None) -> tuple[int, int]:
    """Size shown: longer side at most ``max_side_px``; scaled sizes are rounded to even."""
    if not max_side_px or max(height, width) <= max_side_px:
        return width, height
    scale = max_side_px / max(height, width)
    return round(width * scale) // 2 * 2, round(height * scale) // 2 * 2


def fit(rgb: RGB, max_side_px: int | None, interpolation: int) -> RGB:
    """``rgb`` scaled to :func:`fitted_size` with an OpenCV interpolation (itself if it fits)."""
    import cv2

    h, w = rgb.shape[:2]
    size = fitted_size(w, h, max_side_px)
    if size == (w, h):
        return rgb
    return np.asarray(cv2.resize(rgb, size, interpolation=interpolation), dtype=np.uint8)


def encode(
    pictures: Iterator[RGB] | Iterator[YUVFrame],
    out_path: Path,
    *,
    fps: float,
    preset: X264Preset,
    threads: int,
    progress: Callable[[int], None] | None,
    progress_every: int = 1,
) -> int:
    """Encode RGB pictures, or yuv420p frames as they are (tagged with their matrix), to
    H.264; the file appears only when complete. Returns the number of frames written;
    ``progress`` hears of them ``progress_every`` at a time."""
    writer: VideoWriter | None = None
    n = 0
    try:
        for picture in pictures:
            if writer is None:
                if isinstance(picture, YUVFrame):
                    matrix: ColourMatrix | None = picture.colour_matrix
                    width, height = picture.picture.width, picture.picture.height
                else:
                    matrix, (height, width) = None, picture.shape[:2]
                writer = VideoWriter(
                    out_path,
                    width_px=width,
                    height_px=height,
                    fps=fps,
                    preset=preset,
                    crf=23,
                    threads=threads,
                    colour_matrix=matrix,
                )
                writer.__enter__()
            if isinstance(picture, YUVFrame):
                writer.write_yuv420p(picture)
            else:
                writer.write(picture)
            n += 1
            if progress is not None and n % progress_every == 0:
                progress(progress_every)
    except BaseException as err:
        if writer is not None:
            writer.__exit__(type(err), err, err.__traceback__)
        raise
    if writer is not None:
        writer.__exit__(None, None, None)
    if progress is not None and n % progress_every:
        progress(n % progress_every)
    return n


def write_still_jpeg(
    frames: Iterable[tuple[int, RGB]], index: int, draw: Callable[[RGB], RGB], path: Path
) -> bool:
    """Frame ``index`` of ``frames`` ((index, rgb) pairs), drawn on by ``draw``, written as
    a JPEG to ``path``. Returns False, writing nothing, when ``frames`` ends first."""
    import cv2

    for i, rgb in frames:
        if i < index:
            continue
        bgr = cv2.cvtColor(draw(rgb), cv2.COLOR_RGB2BGR)
        ok, data = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, STILL_JPEG_QUALITY])
        if not ok:  # pragma: no cover - OpenCV encodes any uint8 RGB picture
            return False
        path.write_bytes(data.tobytes())
        return True
    return False
