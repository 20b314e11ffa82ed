"""Upload streams for the upload and job tests: a small real clip, padded to any size."""

from __future__ import annotations

import struct
from collections.abc import Iterator
from pathlib import Path

import numpy as np

MIB = 1 << 20


def small_clip(path: Path, n_frames: int = 12) -> Path:
    """A short H.264 MP4 (160 x 120, 25 fps) of a moving grey bar."""
    from upright.io.video import VideoWriter

    with VideoWriter(path, width_px=160, height_px=120, fps=25.0, preset="ultrafast") as w:
        for i in range(n_frames):
            rgb = np.full((120, 160, 3), 40, dtype=np.uint8)
            rgb[:, (i * 10) % 160 : (i * 10) % 160 + 10] = 200
            w.write(rgb)
    return path


def padded_video(clip: bytes, total_bytes: int, chunk_bytes: int = MIB) -> Iterator[bytes]:
    """``clip`` followed by one top-level MP4 ``free`` box (which players skip) filling
    the stream up to ``total_bytes``, yielded in chunks of ``chunk_bytes``.

    The stream is a valid video of any size, made without holding it in memory.
    """
    pad = total_bytes - len(clip)
    if pad < 16:
        raise ValueError("total_bytes must exceed the clip by at least 16 bytes")
    yield clip
    yield struct.pack(">I4sQ", 1, b"free", pad)  # 64-bit box size: header + zeros
    left = pad - 16
    while left > 0:  # a new chunk each time, as a network stream delivers them
        n = min(left, chunk_bytes)
        yield bytes(n)
        left -= n
