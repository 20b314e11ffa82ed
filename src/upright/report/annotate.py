"""The annotated video: skeleton, trunk line, vertical reference, live lean and head-trunk.

Frames are decoded again (never held in memory), scaled, drawn on with OpenCV and
encoded to H.264 (yuv420p, faststart) that plays in a browser. A video file never goes
through RGB: decoded frames are scaled by swscale straight to yuv420p at the output
size, the overlay is drawn on their Y, U and V planes and x264 encodes them as they are.
Decoding and scaling run in a background thread, drawing and encoding in the calling
one, so the pass keeps two cores busy. RGB frames (the synthetic demo) are drawn on in
RGB, in a background thread, and encoded by x264 with two threads.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import numpy as np
import numpy.typing as npt

from upright.io.video import (
    ColourMatrix,
    X264Preset,
    YUVFrame,
    YUVPlanes,
    iter_frames,
    iter_frames_yuv420p,
    probe_video,
)
from upright.report._overlay import (
    BANNER,
    WHITE,
    Colour,
    Line,
    Pixel,
    Shape,
    Text,
    encode,
    fit,
    fitted_size,
    keypoint_pixels,
    outlined_text,
    paint,
    picture_keypoints,
)
from upright.services.analyze import Analysis
from upright.skeleton import BONES, FloatArray

__all__ = [
    "Overlay",
    "annotate_frames",
    "build_overlay",
    "draw_overlay",
    "draw_overlay_yuv420p",
    "write_annotated_video",
]

#: The annotated video is scaled so its longer side is at most this (a phone screen).
ANNOTATED_MAX_SIDE_PX = 960
#: x264 preset: the fastest, since the annotated copy is for viewing, not archiving.
ANNOTATED_PRESET: X264Preset = "ultrafast"

_NEAR: Colour = (40, 200, 255)
_FAR: Colour = (150, 150, 150)
_TRUNK: Colour = (255, 80, 40)
_HEAD: Colour = (220, 60, 200)
_VERTICAL: Colour = (255, 255, 255)
_CONTACT: Colour = (80, 255, 80)
# Luma and chroma weights (Kr, Kb) of each YUV matrix.
_KR_KB: dict[ColourMatrix, tuple[float, float]] = {
    "bt601": (0.299, 0.114),
    "bt709": (0.2126, 0.0722),
}


@dataclass(frozen=True)
class Overlay:
    """Everything drawn on the frames, indexed by frame.

    ``xy_image`` is (time, 2, keypoint) in the displayed video's pixels, y down.
    ``up_deg`` is the direction of true vertical in the picture (camera tilt), degrees
    counter-clockwise from straight up. ``contacts`` maps a frame index to 'L' or 'R'.
    """

    time_s: FloatArray
    xy_image: FloatArray
    trunk_lean_deg: FloatArray
    head_trunk_deg: FloatArray
    up_deg: float
    video_width_px: int
    video_height_px: int
    contacts: dict[int, str]
    near_side: str = "left"
    banner: str | None = None

    def scaled(self, width: int, height: int) -> tuple[float, float]:
        return width / self.video_width_px, height / self.video_height_px


def build_overlay(analysis: Analysis, banner: str | None = None) -> Overlay:
    """Per-frame drawing data in the picture's own pixels (tilt put back, y down)."""
    tilt = analysis.summary.setup.tilt_deg
    picture = picture_keypoints(analysis.clean, tilt)
    conf = analysis.raw["confidence"].isel(individual=0)
    legs = ["knee", "ankle"]
    left = float(conf.sel(keypoint=[f"left_{k}" for k in legs]).mean())
    right = float(conf.sel(keypoint=[f"right_{k}" for k in legs]).mean())
    contacts = {
        int(frame): "L" if foot == "left" else "R"
        for frame, foot in zip(
            analysis.events.contacts["contact_frame"],
            analysis.events.contacts["foot"],
            strict=True,
        )
    }
    return Overlay(
        time_s=analysis.frames["time_s"].to_numpy(),
        xy_image=picture.xy,
        trunk_lean_deg=analysis.frames["trunk_lean_deg"].to_numpy(),
        head_trunk_deg=analysis.frames["head_trunk_deg"].to_numpy(),
        up_deg=tilt,
        video_width_px=picture.width_px,
        video_height_px=picture.height_px,
        contacts=contacts,
        near_side="left" if left >= right else "right",
        banner=banner,
    )


def _mid(a: Pixel | None, b: Pixel | None) -> Pixel | None:
    if a is None or b is None:
        return a or b
    return (a[0] + b[0]) // 2, (a[1] + b[1]) // 2


def _shapes(overlay: Overlay, i: int, w: int, h: int) -> list[Shape]:
    """What frame ``i``'s overlay draws on a ``w x h`` picture, in drawing order."""
    shapes: list[Shape] = []
    sx, sy = overlay.scaled(w, h)
    thick = max(2, round(min(w, h) / 240))
    if 0 <= i < overlay.time_s.size:
        pts = keypoint_pixels(overlay.xy_image[i], sx, sy)
        near = overlay.near_side
        for a, b in BONES:
            pa, pb = pts.get(a), pts.get(b)
            if pa and pb:
                shapes.append(Line(pa, pb, _NEAR if a.startswith(near) else _FAR, thick))
        hip = _mid(pts.get("left_hip"), pts.get("right_hip"))
        sho = _mid(pts.get("left_shoulder"), pts.get("right_shoulder"))
        ear = _mid(pts.get("left_ear"), pts.get("right_ear"))
        if hip and sho:
            length = float(np.hypot(sho[0] - hip[0], sho[1] - hip[1]))
            up = np.deg2rad(overlay.up_deg)
            top = (int(hip[0] - np.sin(up) * length), int(hip[1] - np.cos(up) * length))
            shapes.append(Line(hip, top, _VERTICAL, max(1, thick // 2)))
            shapes.append(Line(hip, sho, _TRUNK, thick + 2))
            if ear:
                shapes.append(Line(sho, ear, _HEAD, thick + 1))
        shapes += _readout(overlay, i, w, h)
    if overlay.banner:
        shapes += _text(overlay.banner, (10, h - 12), 0.5 * w / 720, BANNER)
    return shapes


def _text(text: str, org: Pixel, scale: float, colour: Colour) -> list[Shape]:
    """Outlined text, never smaller than scale 0.4."""
    return outlined_text(text, org, max(scale, 0.4), colour)


def _readout(overlay: Overlay, i: int, w: int, h: int) -> list[Shape]:
    scale = 0.75 * w / 720
    lean, head = overlay.trunk_lean_deg[i], overlay.head_trunk_deg[i]
    lines = [
        (f"trunk lean {lean:+5.1f} deg" if np.isfinite(lean) else "trunk lean  --", _TRUNK),
        (f"head-trunk {head:+5.1f} deg" if np.isfinite(head) else "head-trunk  --", _HEAD),
        (f"t = {overlay.time_s[i]:6.2f} s", WHITE),
    ]
    y = int(36 * scale) + 6 + (int(0.07 * h) if overlay.banner else 0)
    shapes: list[Shape] = []
    for text, colour in lines:
        shapes += _text(text, (12, y), scale, colour)
        y += int(34 * scale) + 4
    foot = overlay.contacts.get(i)
    if foot:
        shapes += _text(f"contact {foot}", (12, y), scale, _CONTACT)
    return shapes


def draw_overlay(
    rgb: npt.NDArray[np.uint8], overlay: Overlay, i: int, *, in_place: bool = False
) -> npt.NDArray[np.uint8]:
    """Draw frame ``i``'s overlay on ``rgb`` (on a copy unless ``in_place``); return it."""
    img = rgb if in_place and rgb.flags.c_contiguous else np.ascontiguousarray(rgb.copy())
    h, w = img.shape[:2]
    paint(img, _shapes(overlay, i, w, h))
    return img


def _yuv(colour: Colour, matrix: ColourMatrix) -> tuple[float, float, float]:
    """Limited-range Y, U (Cb) and V (Cr) of an RGB colour."""
    kr, kb = _KR_KB[matrix]
    r, g, b = (c / 255 for c in colour)
    luma = kr * r + (1 - kr - kb) * g + kb * b
    cb = (b - luma) / (2 * (1 - kb))
    cr = (r - luma) / (2 * (1 - kr))
    return 16 + 219 * luma, 128 + 224 * cb, 128 + 224 * cr


def draw_overlay_yuv420p(planes: YUVPlanes, overlay: Overlay, i: int, matrix: ColourMatrix) -> None:
    """Draw frame ``i``'s overlay in place on the Y, U and V planes of a yuv420p picture.

    The colours are converted with ``matrix``. Lines go on the Y plane at full size and
    on the half-size U and V planes at half scale (sub-pixel ends, at least half the
    width). Text is drawn once at full size on a small Y, U, V patch around it (chroma
    upscaled), then put back with the chroma averaged down, so it keeps its colours.
    """
    import cv2

    y_plane, u_plane, v_plane = planes
    h, w = y_plane.shape
    shapes = _shapes(overlay, i, w, h)
    yuv_of = {c: _yuv(c, matrix) for c in {s.colour for s in shapes}}
    lines = [s for s in shapes if isinstance(s, Line)]
    texts = [s for s in shapes if isinstance(s, Text)]  # all drawn after the lines
    for s in lines:
        y, u, v = yuv_of[s.colour]
        cv2.line(y_plane, s.a, s.b, (y,), s.thickness, cv2.LINE_AA)
        half = (s.thickness + 1) // 2  # shift=1: the ends are in half pixels of U and V
        cv2.line(u_plane, s.a, s.b, (u,), half, cv2.LINE_AA, 1)
        cv2.line(v_plane, s.a, s.b, (v,), half, cv2.LINE_AA, 1)
    box = _text_box(texts, w, h)
    if box is None:
        return
    x0, y0, x1, y1 = box
    luma = y_plane[y0:y1, x0:x1]
    chroma = [p[y0 // 2 : y1 // 2, x0 // 2 : x1 // 2] for p in (u_plane, v_plane)]
    full = (x1 - x0, y1 - y0)
    upscaled = [cv2.resize(c, full, interpolation=cv2.INTER_NEAREST) for c in chroma]
    patch = np.asarray(cv2.merge([luma, *upscaled]), dtype=np.uint8)
    paint(patch, texts, yuv_of.__getitem__, offset=(x0, y0))
    luma[...] = patch[:, :, 0]
    for k, c in enumerate(chroma, 1):
        c[...] = cv2.resize(patch[:, :, k], (c.shape[1], c.shape[0]), interpolation=cv2.INTER_AREA)


def _text_box(texts: list[Text], w: int, h: int) -> tuple[int, int, int, int] | None:
    """Even-aligned ``(x0, y0, x1, y1)`` around all the text, inside the picture."""
    import cv2

    if not texts:
        return None
    x0, y0, x1, y1 = w, h, 0, 0
    for s in texts:
        (tw, th), base = cv2.getTextSize(s.text, cv2.FONT_HERSHEY_SIMPLEX, s.scale, s.thickness)
        pad = s.thickness + 4  # anti-aliased strokes reach past the size given
        x0, y0 = min(x0, s.org[0] - pad), min(y0, s.org[1] - th - pad)
        x1, y1 = max(x1, s.org[0] + tw + pad), max(y1, s.org[1] + base + pad)
    x0, y0 = max(0, x0) // 2 * 2, max(0, y0) // 2 * 2
    x1, y1 = min(w, x1 + 1) // 2 * 2, min(h, y1 + 1) // 2 * 2
    return (x0, y0, x1, y1) if x1 > x0 and y1 > y0 else None


def annotate_frames(
    frames: Iterable[tuple[int, npt.NDArray[np.uint8]]],
    overlay: Overlay,
    out_path: Path,
    *,
    fps: float,
    max_side_px: int | None = ANNOTATED_MAX_SIDE_PX,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Scale, draw and encode ``(frame index, rgb)`` pairs into ``out_path``.

    Returns the number of frames written. The file appears only when complete.
    """
    drawn = _drawn_ahead(frames, overlay, max_side_px)
    return _encode(drawn, out_path, fps=fps, threads=2, progress=progress)


def _encode(
    pictures: Iterator[npt.NDArray[np.uint8]] | Iterator[YUVFrame],
    out_path: Path,
    *,
    fps: float,
    threads: int,
    progress: Callable[[int], None] | None,
) -> int:
    """Encode with the annotated copy's settings, telling ``progress`` every 10 frames."""
    return encode(
        pictures,
        out_path,
        fps=fps,
        preset=ANNOTATED_PRESET,
        threads=threads,
        progress=progress,
        progress_every=10,
    )


def _drawn_ahead(
    frames: Iterable[tuple[int, npt.NDArray[np.uint8]]],
    overlay: Overlay,
    max_side_px: int | None,
) -> Iterator[npt.NDArray[np.uint8]]:
    """Scale and draw in a background thread (OpenCV releases the GIL), ahead of the
    encoder, so the stages of the pass overlap."""

    import cv2

    def draw(item: tuple[int, npt.NDArray[np.uint8]]) -> npt.NDArray[np.uint8]:
        i, rgb = item
        scaled = fit(rgb, max_side_px, cv2.INTER_LINEAR)
        return draw_overlay(scaled, overlay, i, in_place=scaled is not rgb)

    return _ahead(map(draw, frames))


T = TypeVar("T")


def _ahead(items: Iterator[T], depth: int = 4) -> Generator[T, None, None]:
    """Run the iterator ``items`` in a background thread, ``depth`` items ahead."""
    box: queue.Queue[tuple[bool, T | BaseException | None]] = queue.Queue(depth)
    stop = threading.Event()

    def run() -> None:
        try:
            for item in items:
                if stop.is_set():
                    return
                box.put((True, item))
        except BaseException as err:  # handed to the consumer, which re-raises it
            box.put((False, err))
            return
        box.put((False, None))

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        while True:
            ok, item = box.get()
            if not ok:
                if isinstance(item, BaseException):
                    raise item
                return
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        while thread.is_alive():
            with contextlib.suppress(queue.Empty):
                box.get(timeout=0.05)
        thread.join()


def write_annotated_video(
    video: Path,
    overlay: Overlay,
    out_path: Path,
    *,
    max_side_px: int | None = ANNOTATED_MAX_SIDE_PX,
    progress: Callable[[int], None] | None = None,
) -> None:
    """Write the annotated copy of ``video`` to ``out_path``.

    The frames stay yuv420p from decoder to encoder, in the video's own matrix
    (BT.709 or BT.601), which the file is tagged with. A video shown at an odd size
    (small, unscaled) goes through RGB instead, as the writer pads it to even.
    """
    info = probe_video(video)
    width, height = fitted_size(info.width_px, info.height_px, max_side_px)
    n_frames = overlay.time_s.size
    if width % 2 or height % 2:
        rgb = ((f.index, f.rgb) for f in iter_frames(video, stop_frame=n_frames, info=info))
        annotate_frames(
            _ahead(rgb),
            overlay,
            out_path,
            fps=info.fps_nominal,
            max_side_px=max_side_px,
            progress=progress,
        )
        return
    frames = iter_frames_yuv420p(
        video, width_px=width, height_px=height, stop_frame=n_frames, info=info
    )

    def drawn() -> Iterator[YUVFrame]:
        with contextlib.closing(_ahead(frames)) as ahead:  # decoded and scaled there
            for frame in ahead:
                draw_overlay_yuv420p(frame.planes, overlay, frame.index, frame.colour_matrix)
                yield frame

    # x264 in this thread, with the drawing: about as long as the decoding (measured
    # on 2 cores; x264's own threads only added overhead), so more would not help.
    _encode(drawn(), out_path, fps=info.fps_nominal, threads=1, progress=progress)
