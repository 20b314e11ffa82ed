"""Memory of the web server while 200 MB clips stream in through the video upload page.

A real server: ``upright serve`` in a subprocess on a free port of 127.0.0.1, on a
temporary data folder. A runner is created through the runners page (session cookie and
CSRF token as a browser has them); then

1. one 200 MB video is sent to ``/video/ALIAS`` as a multipart form, streamed by httpx in
   1 MiB chunks, while the server process's resident memory (VmRSS, /proc) is sampled
   every 20 ms: the peak growth over the resting server is printed;
2. two different 200 MB videos are sent at once: both must be answered with the job
   page's redirect, and both files must be stored whole under the uploads folder.

Each video is the shared clip ``video/male_side.mp4`` (a small made-up clip when the
shared recordings are absent) followed by one MP4 ``free`` box up to 200 MB, as in
``upload_memory.py``. The server is stopped right after the uploads (the analysis jobs
they queued are not waited for). Linux only (/proc).

Run: ``python benchmarks/web_upload.py``
"""

from __future__ import annotations

import os
import re
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from upload_memory import _clip_bytes

MIB = 1 << 20
TOTAL = 200 * MIB
CHUNK = MIB
ALIAS = "Bench"
_TOKEN = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


class _Sampler:
    """The peak VmRSS of one process, sampled in a thread while it runs."""

    def __init__(self, pid: int, every_s: float = 0.02) -> None:
        self.pid, self.every_s = pid, every_s
        self.peak = self.start = _rss_mb(pid)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, _rss_mb(self.pid))
            time.sleep(self.every_s)

    def __enter__(self) -> _Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _multipart(clip: bytes, token: str, fill: int, boundary: str) -> Iterator[bytes]:
    """The upload form (token first, then the file), the video padded to TOTAL bytes by a
    ``free`` box of ``fill`` bytes, one chunk at a time."""
    head = (
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="csrf_token"\r\n\r\n'
        f"{token}\r\n"
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="clip"; filename="long_run.mp4"\r\n'
        "Content-Type: video/mp4\r\n\r\n"
    ).encode()
    yield head + clip
    pad = TOTAL - len(clip)
    yield struct.pack(">I4sQ", 1, b"free", pad)
    left = pad - 16
    block = bytes([fill]) * CHUNK
    while left > 0:
        n = min(left, CHUNK)
        yield block[:n]
        left -= n
    yield f"\r\n--{boundary}--\r\n".encode()


def _upload(base: str, cookies: httpx.Cookies, token: str, clip: bytes, fill: int) -> int:
    boundary = f"bench{fill:02x}{os.getpid()}"
    with httpx.Client(base_url=base, cookies=cookies, timeout=600) as client:
        response = client.post(
            f"/video/{ALIAS}",
            content=_multipart(clip, token, fill, boundary),
            headers={"content-type": f"multipart/form-data; boundary={boundary}"},
        )
    if response.status_code != 303:
        print(response.text[-2000:])
    return response.status_code


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        clip, clip_name = _clip_bytes(folder)
        port = _free_port()
        data = folder / "data"
        env = {
            **os.environ,
            "UPRIGHT_DATA_DIR": str(data),
            "UPRIGHT_DATABASE_URL": f"sqlite:///{data / 'web.db'}",
        }
        data.mkdir()
        server = subprocess.Popen(
            [sys.executable, "-m", "upright.cli.main", "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    httpx.get(f"{base}/runners", timeout=2)
                    break
                except httpx.TransportError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        raise RuntimeError("the server did not start") from None
                    time.sleep(0.2)
            with httpx.Client(base_url=base) as client:
                token = _TOKEN.search(client.get("/runners").text).group(1)  # type: ignore[union-attr]
                made = client.post("/runners", data={"csrf_token": token, "alias": ALIAS})
                assert made.status_code in (200, 303), made.status_code
                cookies = client.cookies
            for _ in range(3):  # warm: the upload page's imports
                httpx.get(f"{base}/video/{ALIAS}", cookies=cookies)
            print(f"clip: {clip_name} ({len(clip) / 1e6:.1f} MB) padded to {TOTAL / MIB:.0f} MiB")

            with _Sampler(server.pid) as one:
                t0 = time.perf_counter()
                status = _upload(base, cookies, token, clip, 0)
                took = time.perf_counter() - t0
            print(
                f"one upload: status {status}, {took:.1f} s ({TOTAL / MIB / took:.0f} MiB/s); "
                f"server RSS {one.start:.0f} MB at rest, peak {one.peak:.0f} MB, "
                f"growth {one.peak - one.start:.1f} MB"
            )

            results: dict[int, int] = {}
            threads = [
                threading.Thread(
                    target=lambda f=fill: results.__setitem__(
                        f, _upload(base, cookies, token, clip, f)
                    )
                )
                for fill in (1, 2)
            ]
            with _Sampler(server.pid) as two:
                t0 = time.perf_counter()
                for t in threads:
                    t.start()
                for t in threads:
                    t.join()
                took = time.perf_counter() - t0
            stored = sorted(
                p.stat().st_size
                for p in (data / "uploads").rglob("*")
                if p.is_file() and not p.name.startswith(".")
            )
            print(
                f"two uploads at once: statuses {sorted(results.values())}, {took:.1f} s; "
                f"server RSS peak growth {two.peak - two.start:.1f} MB"
            )
            print(f"stored files: {len(stored)}, sizes (bytes) {stored}")
            whole = stored.count(TOTAL)
            print(f"  {whole} of them exactly {TOTAL} bytes (3 expected: one, then two at once)")
        finally:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(timeout=60)
            except subprocess.TimeoutExpired:
                server.kill()


if __name__ == "__main__":
    main()
