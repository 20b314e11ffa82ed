"""Shared helpers for the benchmark scripts: data paths and clips made by transformation."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import numpy.typing as npt

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"
OUT = REPO / "benchmarks" / "out"
CLIP = DATA / "video" / "male_side.mp4"
RTMPOSE = DATA / "video" / "male_side.rtmpose.json"

Frame = npt.NDArray[np.uint8]


def require_data() -> None:
    """Exit with a message when the shared recordings are not beside the repository."""
    if not CLIP.exists():
        sys.exit(f"benchmark needs the shared recordings; {CLIP} is missing")
    OUT.mkdir(parents=True, exist_ok=True)


def make_clip(
    dst: Path,
    *,
    src: Path = CLIP,
    loops: int = 1,
    transform: Callable[[Frame, float], Frame] | None = None,
    crf: int = 18,
) -> Path:
    """Write ``src`` looped ``loops`` times, each frame passed through ``transform(rgb, t)``
    where ``t`` is the time in the new clip (s). Re-encoded at high quality (crf 18)."""
    from upright.io.video import VideoWriter, iter_frames, probe_video

    if dst.exists():
        return dst
    info = probe_video(src)
    dt = 1.0 / info.fps_nominal
    k = 0
    with VideoWriter(
        dst,
        width_px=info.width_px,
        height_px=info.height_px,
        fps=info.fps_nominal,
        crf=crf,
        preset="veryfast",
    ) as writer:
        for _ in range(loops):
            for frame in iter_frames(src):
                rgb = frame.rgb if transform is None else transform(frame.rgb, k * dt)
                writer.write(np.ascontiguousarray(rgb))
                k += 1
    return dst


def rotate_frame(rgb: Frame, angle_deg: float) -> Frame:
    """Rotate a frame counter-clockwise on screen by ``angle_deg`` about its centre."""
    import cv2

    h, w = rgb.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle_deg, 1.0)
    return np.asarray(
        cv2.warpAffine(rgb, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT101),
        dtype=np.uint8,
    )


def timed(fn: Callable[[], object]) -> tuple[object, float]:
    t0 = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - t0
