"""Memory and time of streaming uploads to disk (services/uploads.py).

1. One 200 MB video upload, fed in 1 MiB chunks (as from a file object) and in 64 KiB
   chunks through the async front end (as from a request body): peak Python allocations
   (tracemalloc) and growth of the process's peak resident memory (ru_maxrss).
2. Two 200 MB uploads at once through the async front end: both finish, wall time.

The video is the shared clip ``video/male_side.mp4`` (a small made-up clip when the
shared recordings are absent) followed by one MP4 ``free`` box up to 200 MB: a valid
video of that size, generated on the fly. Files go to a temporary folder, removed after.

Run: ``python benchmarks/upload_memory.py``
"""

from __future__ import annotations

import asyncio
import resource
import struct
import sys
import tempfile
import time
import tracemalloc
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

from _common import CLIP
from upright.services.uploads import StoredUpload, store_upload, store_upload_async

MIB = 1 << 20
TOTAL = 200 * MIB


def _clip_bytes(tmp: Path) -> tuple[bytes, str]:
    if CLIP.exists():
        return CLIP.read_bytes(), CLIP.name
    import numpy as np

    from upright.io.video import VideoWriter

    path = tmp / "made-up.mp4"
    with VideoWriter(path, width_px=160, height_px=120, fps=25.0, preset="ultrafast") as w:
        for i in range(25):
            rgb = np.full((120, 160, 3), 40, dtype=np.uint8)
            rgb[:, (i * 6) % 150 : (i * 6) % 150 + 10] = 200
            w.write(rgb)
    return path.read_bytes(), "a made-up clip (shared recordings absent)"


def _padded(clip: bytes, total: int, chunk: int) -> Iterator[bytes]:
    """``clip`` then a ``free`` box up to ``total`` bytes, a new chunk each time."""
    yield clip
    pad = total - len(clip)
    yield struct.pack(">I4sQ", 1, b"free", pad)
    left = pad - 16
    while left > 0:
        n = min(left, chunk)
        yield bytes(n)
        left -= n


async def _body(clip: bytes, total: int, chunk: int) -> AsyncIterator[bytes]:
    for part in _padded(clip, total, chunk):
        yield part
        await asyncio.sleep(0)  # let the other upload run, as a server's event loop would


def _maxrss_mb() -> float:
    scale = 1 if sys.platform == "darwin" else 1024  # bytes on macOS, KiB on Linux
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / MIB


def _measure(label: str, run: object) -> list[StoredUpload]:
    before = _maxrss_mb()
    tracemalloc.start()
    t0 = time.perf_counter()
    stored = run() if callable(run) else []
    elapsed = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    size = sum(s.size_bytes for s in stored)
    print(
        f"{label}: {size / MIB:.0f} MB in {elapsed:.2f} s ({size / MIB / elapsed:.0f} MB/s); "
        f"peak Python allocations {peak / MIB:.2f} MB; peak RSS grew "
        f"{_maxrss_mb() - before:.1f} MB (process peak {_maxrss_mb():.0f} MB)"
    )
    return list(stored)


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="upright-upload-bench-") as folder:
        root = Path(folder)
        clip, source = _clip_bytes(root)
        print(f"clip: {source}, {len(clip) / MIB:.2f} MB, padded to {TOTAL / MIB:.0f} MB")
        # Warm-up: the clip alone, so the video libraries the final check loads are in
        # memory before the baseline (their size is not memory used by streaming).
        store_upload([clip], "video", "warm-up.mp4", root=root / "warm-up")
        print(f"process peak RSS before streaming (after a warm-up): {_maxrss_mb():.0f} MB")

        def one_sync() -> list[StoredUpload]:
            chunks = _padded(clip, TOTAL, MIB)
            return [store_upload(chunks, "video", "run.mp4", root=root / "a")]

        def one_async() -> list[StoredUpload]:
            body = _body(clip, TOTAL, 64 * 1024)
            return [asyncio.run(store_upload_async(body, "video", "run.mp4", root=root / "b"))]

        def two_async() -> list[StoredUpload]:
            async def both() -> list[StoredUpload]:
                return list(
                    await asyncio.gather(
                        store_upload_async(
                            _body(clip, TOTAL, 64 * 1024), "video", "a.mp4", root=root / "c"
                        ),
                        store_upload_async(
                            _body(clip, TOTAL - MIB, 64 * 1024), "video", "b.mp4", root=root / "c"
                        ),
                    )
                )

            return asyncio.run(both())

        _measure("one upload, 1 MiB chunks (file object)", one_sync)
        _measure("one upload, 64 KiB chunks (async body)", one_async)
        both = _measure("two uploads at once (async bodies)", two_async)
        names = sorted(p.name for p in (root / "c" / "video").iterdir())
        print(
            f"two at once: {len(both)} finished, files kept: {len(names)} "
            f"({', '.join(n[:12] + '...' for n in names)}); leftover .part files: "
            f"{sum(1 for _ in root.rglob('*.part'))}"
        )


if __name__ == "__main__":
    main()
