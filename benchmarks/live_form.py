"""Live form check speed: camera frames over a real WebSocket to the app in uvicorn.

The frames of ``male_side.mp4`` are downscaled as the page downscales the camera
(``--width`` px wide, JPEG quality 70) and sent one at a time, each after the answer to
the last, as the page does; the server runs the pose model and the form check per frame.
Prints the updates a second and the round-trip latency (p50, p95) of each frame.

    python benchmarks/live_form.py [--frames 240] [--width 384]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import struct
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import CLIP, require_data


def _jpeg_frames(n: int, width: int) -> list[bytes]:
    import av
    import cv2

    frames: list[bytes] = []
    with av.open(str(CLIP)) as container:
        for frame in container.decode(video=0):
            rgb = frame.to_ndarray(format="rgb24")
            h, w = rgb.shape[:2]
            small = cv2.resize(rgb, (width, round(h * width / w)), interpolation=cv2.INTER_AREA)
            ok, data = cv2.imencode(".jpg", small[:, :, ::-1], [cv2.IMWRITE_JPEG_QUALITY, 70])
            assert ok
            frames.append(data.tobytes())
            if len(frames) == n:
                break
    while len(frames) < n:  # loop the clip if more frames are asked
        frames += frames[: n - len(frames)]
    return frames


def _serve(folder: Path) -> tuple[str, object]:
    import uvicorn

    from upright.web import WebSettings, create_app

    settings = WebSettings(data_dir=folder, database_url=f"sqlite:///{folder / 'web.db'}")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    threading.Thread(target=server.run, daemon=True).start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the web app did not start")
        time.sleep(0.05)
    return f"127.0.0.1:{port}", server


async def _run(host: str, frames: list[bytes], exercise: str) -> tuple[list[float], float, dict]:
    import re

    import httpx
    import websockets

    async with httpx.AsyncClient(base_url=f"http://{host}") as client:
        page = await client.get("/form/live", params={"exercise": exercise})
        path = re.search(r'data-socket="([^"]+)"', page.text).group(1).replace("&amp;", "&")
        cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
    latencies: list[float] = []
    last: dict = {}
    async with websockets.connect(
        f"ws://{host}{path}",
        origin=f"http://{host}",
        additional_headers={"Cookie": cookie},
        max_size=None,
    ) as ws:
        await ws.recv()  # ready
        start = time.perf_counter()
        for k, jpeg in enumerate(frames):
            sent = time.perf_counter()
            await ws.send(struct.pack("<d", 1000.0 * k / 30.0) + jpeg)
            last = json.loads(await ws.recv())
            latencies.append(time.perf_counter() - sent)
        elapsed = time.perf_counter() - start
    return latencies, elapsed, last


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=240)
    parser.add_argument("--width", type=int, default=384)
    parser.add_argument("--exercise", default="front_plank")
    args = parser.parse_args()
    require_data()
    frames = _jpeg_frames(args.frames, args.width)
    with tempfile.TemporaryDirectory() as tmp:
        host, server = _serve(Path(tmp))
        try:
            latencies, elapsed, last = asyncio.run(_run(host, frames, args.exercise))
        finally:
            server.should_exit = True  # type: ignore[attr-defined]
    warm = np.asarray(latencies[5:]) * 1000.0  # the first frames find the person
    size_kb = np.mean([len(f) for f in frames]) / 1024
    print(
        f"clip: {CLIP.name}, {len(frames)} frames at {args.width} px wide ({size_kb:.0f} kB JPEG)"
    )
    print(f"updates/s: {len(frames) / elapsed:.1f} (one frame in flight)")
    p50, p95 = np.percentile(warm, [50, 95])
    print(f"latency ms: p50 {p50:.1f}, p95 {p95:.1f}, max {warm.max():.1f}")
    seen = sum(p is not None for p in last.get("skeleton", []))
    print(f"last answer: {seen} keypoints seen, in_position={last.get('in_position')}")


if __name__ == "__main__":
    main()
