"""The annotated exercise video and still: the judged body line, green in tolerance and
red with the fault named when not, and a hold clock that runs only while form is good.

Frames are decoded again (never held in memory), scaled so the longer side is at most
``FORM_VIDEO_MAX_SIDE_PX``, drawn on with OpenCV in RGB and encoded to H.264 (yuv420p,
faststart) that plays in a browser.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np

from upright.form.geometry import body_point
from upright.form.timing import GOOD
from upright.report._overlay import (
    BANNER,
    RGB,
    WHITE,
    Colour,
    Pixel,
    encode,
    fit,
    keypoint_pixels,
    outlined_text,
    paint,
    picture_keypoints,
    write_still_jpeg,
)
from upright.services.form import FormResult
from upright.skeleton import BONES, FloatArray

__all__ = [
    "FORM_STILL_NAME",
    "FormOverlay",
    "build_form_overlay",
    "draw_form_overlay",
    "form_still_index",
    "write_form_still",
    "write_form_video",
]

FORM_STILL_NAME: Final = "frame.jpg"
FORM_VIDEO_MAX_SIDE_PX: Final = 960

_GOOD: Colour = (60, 220, 90)
_FAULT: Colour = (235, 40, 40)
_IDLE: Colour = (220, 220, 220)
_BONE: Colour = (150, 150, 150)


@dataclass(frozen=True)
class FormOverlay:
    """What is drawn on each frame, in the video's own pixels (y down)."""

    time_s: FloatArray
    keypoints_xy: FloatArray  # (time, 2, keypoint)
    line_xy: FloatArray  # (time, n points, 2): the judged body line
    judged_deg: FloatArray
    judged_label: str
    phase: list[str]
    verdict: list[str]
    fault_labels: dict[str, str]
    good_clock_s: FloatArray
    width_px: int
    height_px: int
    title: str
    banner: str | None = None


def build_form_overlay(result: FormResult, banner: str | None = None) -> FormOverlay:
    """Per-frame drawing data: the levelled keypoints turned back into the picture."""
    summary = result.summary
    picture = picture_keypoints(result.check.clean, summary.setup.tilt_deg)
    ds, height = picture.ds, picture.height_px
    judged = result.definition.measure(result.definition.judged)
    side = summary.exercise.side
    line = np.stack([body_point(ds, p, side) for p in judged.points], axis=1)
    line[..., 1] = height - line[..., 1]
    frames = result.frames
    verdict = [str(v) for v in frames["verdict"]]
    in_good = (frames["phase"] == "hold") & (frames["verdict"] == GOOD)
    dt = result.check.judgement.frame_s
    name = summary.exercise.name + (f" ({side})" if side else "")
    return FormOverlay(
        time_s=frames["time_s"].to_numpy(dtype=np.float64),
        keypoints_xy=picture.xy,
        line_xy=line,
        judged_deg=frames[judged.name].to_numpy(dtype=np.float64),
        judged_label=judged.label,
        phase=[str(p) for p in frames["phase"]],
        verdict=verdict,
        fault_labels={f.name: f.label for f in result.definition.faults},
        good_clock_s=np.cumsum(in_good.to_numpy()) * dt,
        width_px=picture.width_px,
        height_px=height,
        title=name,
        banner=banner,
    )


def _text(img: RGB, text: str, org: Pixel, scale: float, colour: Colour) -> None:
    paint(img, outlined_text(text, org, scale, colour))


def _pixel(xy: FloatArray, sx: float, sy: float) -> Pixel | None:
    if not np.isfinite(xy).all():
        return None
    return round(float(xy[0]) * sx), round(float(xy[1]) * sy)


def draw_form_overlay(rgb: RGB, overlay: FormOverlay, i: int) -> RGB:
    """Frame ``i``'s overlay drawn on a copy of ``rgb`` (any size; scaled to fit)."""
    import cv2

    img = np.ascontiguousarray(rgb.copy())
    h, w = img.shape[:2]
    sx, sy = w / max(overlay.width_px, 1), h / max(overlay.height_px, 1)
    thick = max(2, round(min(w, h) / 240))
    scale = max(0.45, 0.7 * min(w, h) / 720)
    if 0 <= i < overlay.time_s.size:
        pts = keypoint_pixels(overlay.keypoints_xy[i], sx, sy)
        for a, b in BONES:
            pa, pb = pts.get(a), pts.get(b)
            if pa and pb:
                cv2.line(img, pa, pb, _BONE, max(1, thick // 2), cv2.LINE_AA)
        verdict, phase = overlay.verdict[i], overlay.phase[i]
        colour = _IDLE if phase != "hold" else _GOOD if verdict == GOOD else _FAULT
        line = [_pixel(p, sx, sy) for p in overlay.line_xy[i]]
        for p0, p1 in itertools.pairwise(line):
            if p0 and p1:
                cv2.line(img, p0, p1, colour, thick + 3, cv2.LINE_AA)
        for p in line:
            if p:
                cv2.circle(img, p, thick + 3, colour, -1, cv2.LINE_AA)
        angle = overlay.judged_deg[i]
        status = {"set_up": "setting up", "end": "position lost", "rest": "rest"}.get(phase)
        if status is None:
            status = "good form" if verdict == GOOD else overlay.fault_labels.get(verdict, verdict)
        lines = [
            (overlay.title, WHITE),
            (f"{overlay.judged_label}: {angle:+.1f} deg" if np.isfinite(angle) else "--", WHITE),
            (status, colour),
            (f"good-form clock {overlay.good_clock_s[i]:5.1f} s", _GOOD),
        ]
        y = int(32 * scale) + 6
        for text, c in lines:
            _text(img, text, (12, y), scale, c)
            y += int(32 * scale) + 6
    if overlay.banner:
        _text(img, overlay.banner, (12, h - 12), scale * 0.8, BANNER)
    return img


def _fit(rgb: RGB, max_side_px: int) -> RGB:
    import cv2

    return fit(rgb, max_side_px, cv2.INTER_AREA)


def write_form_video(
    frames: Iterable[tuple[int, RGB]],
    overlay: FormOverlay,
    out_path: Path,
    *,
    fps: float,
    max_side_px: int = FORM_VIDEO_MAX_SIDE_PX,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Draw and encode ``(frame index, rgb)`` pairs; the file appears only when complete.
    Returns the number of frames written."""
    drawn = (draw_form_overlay(_fit(rgb, max_side_px), overlay, i) for i, rgb in frames)
    return encode(drawn, out_path, fps=fps, preset="ultrafast", threads=2, progress=progress)


def form_still_index(result: FormResult) -> int:
    """The frame to show: where form was first lost, else the middle of the first hold,
    else the middle of the clip."""
    frames = result.frames
    t = frames["time_s"].to_numpy(dtype=np.float64)
    totals = result.summary.totals
    if totals.first_fault is not None:
        moment = totals.first_fault.time_s + 0.5  # just after it began, once it shows
    elif result.summary.holds:
        hold = result.summary.holds[0]
        moment = 0.5 * (hold.start_s + hold.end_s)
    else:
        return t.size // 2
    return int(np.argmin(np.abs(t - moment)))


def write_form_still(
    frames: Iterable[tuple[int, RGB]], overlay: FormOverlay, index: int, path: Path
) -> bool:
    """Draw frame ``index`` of ``frames`` into a JPEG; False when the frames end first."""
    return write_still_jpeg(
        frames,
        index,
        lambda rgb: draw_form_overlay(_fit(rgb, FORM_VIDEO_MAX_SIDE_PX), overlay, index),
        path,
    )
