"""The annotated video: skeleton, trunk line, vertical reference, live lean and head-trunk.

Frames are decoded again (never held in memory), drawn on with OpenCV and encoded to
H.264 that plays in a browser. For a video file the clip is cut into one chunk per core;
each worker encodes its chunk and the chunks are joined without re-encoding.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import tempfile
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from upright.io.video import VideoWriter, iter_frames, probe_video
from upright.skeleton import BONES, KEYPOINTS, FloatArray

__all__ = ["Overlay", "annotate_frames", "draw_overlay", "write_annotated_video"]

#: The annotated video is scaled so its longer side is at most this (a phone screen).
ANNOTATED_MAX_SIDE_PX = 960

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


def _pt(xy: FloatArray, k: str, sx: float, sy: float) -> tuple[int, int] | None:
    p = xy[:, KEYPOINTS.index(k)]
    if np.isnan(p).any():
        return None
    return int(round(p[0] * sx)), int(round(p[1] * sy))


def _mid(a: tuple[int, int] | None, b: tuple[int, int] | None) -> tuple[int, int] | None:
    if a is None or b is None:
        return a or b
    return (a[0] + b[0]) // 2, (a[1] + b[1]) // 2


def draw_overlay(rgb: npt.NDArray[np.uint8], overlay: Overlay, i: int) -> npt.NDArray[np.uint8]:
    """Draw frame ``i``'s overlay on a copy of ``rgb`` and return it."""
    import cv2

    img = np.ascontiguousarray(rgb.copy())
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


def _text(img: npt.NDArray[np.uint8], text: str, org: tuple[int, int], scale: float,
          colour: tuple[int, int, int]) -> None:
    import cv2

    scale = max(scale, 0.4)
    cv2.putText(img, text, org, cv2.FONT_HERSHEY_SIMPLEX, scale, (0, 0, 0),
                max(2, int(4 * scale)), cv2.LINE_AA)
    cv2.putText(img, text, org, cv2.FONT_HERSHEY_SIMPLEX, scale, colour,
                max(1, int(1.6 * scale)), cv2.LINE_AA)


def _readout(img: npt.NDArray[np.uint8], overlay: Overlay, i: int, thick: int) -> None:
    h, w = img.shape[:2]
    scale = 0.75 * w / 720
    lean, head = overlay.trunk_lean_deg[i], overlay.head_trunk_deg[i]
    lines = [
        (f"trunk lean {lean:+5.1f} deg" if np.isfinite(lean) else "trunk lean  --", _TRUNK),
        (f"head-trunk {head:+5.1f} deg" if np.isfinite(head) else "head-trunk  --", _HEAD),
        (f"t = {overlay.time_s[i]:6.2f} s", (255, 255, 255)),
    ]
    y = int(36 * scale) + 6
    for text, colour in lines:
        _text(img, text, (12, y), scale, colour)
        y += int(34 * scale) + 4
    foot = overlay.contacts.get(i)
    if foot:
        _text(img, f"contact {foot}", (12, y), scale, (80, 255, 80))


def annotate_frames(
    frames: Iterable[tuple[int, npt.NDArray[np.uint8]]],
    overlay: Overlay,
    out_path: Path,
    *,
    fps: float,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Draw and encode ``(frame index, rgb)`` pairs into ``out_path``; returns the count."""
    writer: VideoWriter | None = None
    n = 0
    try:
        for i, rgb in frames:
            img = draw_overlay(rgb, overlay, i)
            if writer is None:
                writer = VideoWriter(out_path, width_px=img.shape[1], height_px=img.shape[0],
                                     fps=fps, preset="veryfast", crf=24, threads=1)
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


def _annotate_chunk(video: str, overlay: Overlay, start: int, stop: int, out: str,
                    max_side_px: int) -> int:
    info = probe_video(video)
    frames = ((f.index, f.rgb) for f in iter_frames(video, start_frame=start, stop_frame=stop,
                                                      max_side_px=max_side_px))
    return annotate_frames(frames, overlay, Path(out), fps=info.fps_nominal)


def _concat_mp4(parts: list[Path], out_path: Path) -> None:
    """Join H.264 MP4 chunks made with the same settings, without re-encoding."""
    import av

    tmp = out_path.with_name(out_path.name + ".part.mp4")
    with av.open(str(tmp), "w", options={"movflags": "+faststart"}) as dst:
        with av.open(str(parts[0])) as first:
            out_stream = dst.add_stream_from_template(first.streams.video[0])
        offset = 0
        for part in parts:
            with av.open(str(part)) as src:
                stream = src.streams.video[0]
                last = 0
                for packet in src.demux(stream):
                    if packet.dts is None:
                        continue
                    packet.pts = (packet.pts or 0) + offset
                    packet.dts = packet.dts + offset
                    last = max(last, packet.pts + (packet.duration or 0))
                    packet.stream = out_stream
                    dst.mux(packet)
                offset = last
    os.replace(tmp, out_path)


def write_annotated_video(
    video: Path,
    overlay: Overlay,
    out_path: Path,
    *,
    workers: int | None = None,
    max_side_px: int = ANNOTATED_MAX_SIDE_PX,
) -> None:
    """Write the annotated copy of ``video`` to ``out_path`` using every core."""
    info = probe_video(video)
    n_workers = max(1, min(workers or os.cpu_count() or 1, info.n_frames // 60 or 1))
    if n_workers == 1:
        _annotate_chunk(str(video), overlay, 0, info.n_frames, str(out_path), max_side_px)
        return
    edges = np.linspace(0, info.n_frames, n_workers + 1).round().astype(int)
    with tempfile.TemporaryDirectory(dir=out_path.parent, prefix=".annotate-") as tmp:
        parts = [Path(tmp) / f"part{k}.mp4" for k in range(n_workers)]
        with ProcessPoolExecutor(n_workers, mp_context=mp.get_context("fork")) as pool:
            futures = [
                pool.submit(_annotate_chunk, str(video), overlay, int(a), int(b), str(p),
                            max_side_px)
                for a, b, p in zip(edges[:-1], edges[1:], parts, strict=True)
            ]
            for f in futures:
                f.result()
        _concat_mp4([p for p in parts if p.exists()], out_path)
