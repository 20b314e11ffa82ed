"""The annotated video: skeleton, trunk line, vertical reference, live lean and head-trunk.

Frames are decoded again (never held in memory), scaled, drawn on with OpenCV and
encoded to H.264 (yuv420p, faststart) that plays in a browser. Decoding runs in its own
thread and x264 uses two threads, so the pass keeps both cores busy.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import numpy as np
import numpy.typing as npt

from upright.io.video import VideoWriter, X264Preset, iter_frames, probe_video
from upright.services.analyze import Analysis
from upright.signal.filters import rotate_positions
from upright.skeleton import BONES, KEYPOINTS, FloatArray

__all__ = ["Overlay", "annotate_frames", "build_overlay", "draw_overlay", "write_annotated_video"]

#: The annotated video is scaled so its longer side is at most this (a phone screen).
ANNOTATED_MAX_SIDE_PX = 960
#: x264 preset: the fastest, since the annotated copy is for viewing, not archiving.
ANNOTATED_PRESET: X264Preset = "ultrafast"

_NEAR = (40, 200, 255)
_FAR = (150, 150, 150)
_TRUNK = (255, 80, 40)
_HEAD = (220, 60, 200)
_VERTICAL = (255, 255, 255)


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
    ds = rotate_positions(analysis.clean, tilt) if tilt else analysis.clean
    height = int(ds.attrs.get("image_height_px", 0))
    xy = ds["position"].isel(individual=0).values.copy()  # time, space, keypoint
    xy[:, 1] = height - xy[:, 1]
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
        xy_image=xy,
        trunk_lean_deg=analysis.frames["trunk_lean_deg"].to_numpy(),
        head_trunk_deg=analysis.frames["head_trunk_deg"].to_numpy(),
        up_deg=tilt,
        video_width_px=int(ds.attrs.get("image_width_px", 0)),
        video_height_px=height,
        contacts=contacts,
        near_side="left" if left >= right else "right",
        banner=banner,
    )


def _pt(xy: FloatArray, k: str, sx: float, sy: float) -> tuple[int, int] | None:
    p = xy[:, KEYPOINTS.index(k)]
    if np.isnan(p).any():
        return None
    return round(p[0] * sx), round(p[1] * sy)


def _mid(a: tuple[int, int] | None, b: tuple[int, int] | None) -> tuple[int, int] | None:
    if a is None or b is None:
        return a or b
    return (a[0] + b[0]) // 2, (a[1] + b[1]) // 2


def draw_overlay(
    rgb: npt.NDArray[np.uint8], overlay: Overlay, i: int, *, in_place: bool = False
) -> npt.NDArray[np.uint8]:
    """Draw frame ``i``'s overlay on ``rgb`` (on a copy unless ``in_place``); return it."""
    import cv2

    img = rgb if in_place and rgb.flags.c_contiguous else np.ascontiguousarray(rgb.copy())
    h, w = img.shape[:2]
    sx, sy = overlay.scaled(w, h)
    thick = max(2, round(min(w, h) / 240))
    if 0 <= i < overlay.time_s.size:
        xy = overlay.xy_image[i]
        near = overlay.near_side
        for a, b in BONES:
            pa, pb = _pt(xy, a, sx, sy), _pt(xy, b, sx, sy)
            if pa and pb:
                colour = _NEAR if a.startswith(near) else _FAR
                cv2.line(img, pa, pb, colour, thick, cv2.LINE_AA)
        hip = _mid(_pt(xy, "left_hip", sx, sy), _pt(xy, "right_hip", sx, sy))
        sho = _mid(_pt(xy, "left_shoulder", sx, sy), _pt(xy, "right_shoulder", sx, sy))
        ear = _mid(_pt(xy, "left_ear", sx, sy), _pt(xy, "right_ear", sx, sy))
        if hip and sho:
            length = float(np.hypot(sho[0] - hip[0], sho[1] - hip[1]))
            up = np.deg2rad(overlay.up_deg)
            top = (int(hip[0] - np.sin(up) * length), int(hip[1] - np.cos(up) * length))
            cv2.line(img, hip, top, _VERTICAL, max(1, thick // 2), cv2.LINE_AA)
            cv2.line(img, hip, sho, _TRUNK, thick + 2, cv2.LINE_AA)
            if ear:
                cv2.line(img, sho, ear, _HEAD, thick + 1, cv2.LINE_AA)
        _readout(img, overlay, i, thick)
    if overlay.banner:
        _text(img, overlay.banner, (10, h - 12), 0.5 * w / 720, (255, 230, 0))
    return img


def _text(
    img: npt.NDArray[np.uint8],
    text: str,
    org: tuple[int, int],
    scale: float,
    colour: tuple[int, int, int],
) -> None:
    import cv2

    scale = max(scale, 0.4)
    cv2.putText(
        img,
        text,
        org,
        cv2.FONT_HERSHEY_SIMPLEX,
        scale,
        (0, 0, 0),
        max(2, int(4 * scale)),
        cv2.LINE_AA,
    )
    cv2.putText(
        img,
        text,
        org,
        cv2.FONT_HERSHEY_SIMPLEX,
        scale,
        colour,
        max(1, int(1.6 * scale)),
        cv2.LINE_AA,
    )


def _readout(img: npt.NDArray[np.uint8], overlay: Overlay, i: int, thick: int) -> None:
    h, w = img.shape[:2]
    scale = 0.75 * w / 720
    lean, head = overlay.trunk_lean_deg[i], overlay.head_trunk_deg[i]
    lines = [
        (f"trunk lean {lean:+5.1f} deg" if np.isfinite(lean) else "trunk lean  --", _TRUNK),
        (f"head-trunk {head:+5.1f} deg" if np.isfinite(head) else "head-trunk  --", _HEAD),
        (f"t = {overlay.time_s[i]:6.2f} s", (255, 255, 255)),
    ]
    y = int(36 * scale) + 6 + (int(0.07 * h) if overlay.banner else 0)
    for text, colour in lines:
        _text(img, text, (12, y), scale, colour)
        y += int(34 * scale) + 4
    foot = overlay.contacts.get(i)
    if foot:
        _text(img, f"contact {foot}", (12, y), scale, (80, 255, 80))


def _fit(rgb: npt.NDArray[np.uint8], max_side_px: int | None) -> npt.NDArray[np.uint8]:
    import cv2

    h, w = rgb.shape[:2]
    if not max_side_px or max(h, w) <= max_side_px:
        return rgb
    scale = max_side_px / max(h, w)
    size = (round(w * scale) // 2 * 2, round(h * scale) // 2 * 2)
    return np.asarray(cv2.resize(rgb, size, interpolation=cv2.INTER_LINEAR), dtype=np.uint8)


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
    writer: VideoWriter | None = None
    n = 0
    try:
        for img in _drawn_ahead(frames, overlay, max_side_px):
            if writer is None:
                writer = VideoWriter(
                    out_path,
                    width_px=img.shape[1],
                    height_px=img.shape[0],
                    fps=fps,
                    preset=ANNOTATED_PRESET,
                    crf=23,
                    threads=2,
                )
                writer.__enter__()
            writer.write(img)
            n += 1
            if progress is not None and n % 10 == 0:
                progress(10)
    except BaseException as err:
        if writer is not None:
            writer.__exit__(type(err), err, err.__traceback__)
        raise
    if writer is not None:
        writer.__exit__(None, None, None)
    if progress is not None and n % 10:
        progress(n % 10)
    return n


def _drawn_ahead(
    frames: Iterable[tuple[int, npt.NDArray[np.uint8]]],
    overlay: Overlay,
    max_side_px: int | None,
) -> Iterator[npt.NDArray[np.uint8]]:
    """Scale and draw in a background thread (OpenCV releases the GIL), ahead of the
    encoder, so the stages of the pass overlap."""

    def draw(item: tuple[int, npt.NDArray[np.uint8]]) -> npt.NDArray[np.uint8]:
        i, rgb = item
        scaled = _fit(rgb, max_side_px)
        return draw_overlay(scaled, overlay, i, in_place=scaled is not rgb)

    return _ahead(map(draw, frames))


T = TypeVar("T")


def _ahead(items: Iterator[T], depth: int = 4) -> Iterator[T]:
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


def _decode_ahead(video: Path, max_frames: int) -> Iterator[tuple[int, npt.NDArray[np.uint8]]]:
    """Decode in a background thread (PyAV releases the GIL while decoding)."""
    frames = ((f.index, f.rgb) for f in iter_frames(video, stop_frame=max_frames))
    return _ahead(frames)


def write_annotated_video(
    video: Path,
    overlay: Overlay,
    out_path: Path,
    *,
    max_side_px: int | None = ANNOTATED_MAX_SIDE_PX,
    progress: Callable[[int], None] | None = None,
) -> None:
    """Write the annotated copy of ``video`` to ``out_path``."""
    info = probe_video(video)
    annotate_frames(
        _decode_ahead(video, overlay.time_s.size),
        overlay,
        out_path,
        fps=info.fps_nominal,
        max_side_px=max_side_px,
        progress=progress,
    )
