"""The live form check in a real browser: Debian's Chromium with its fake camera fed from
a few seconds of ``male_side.mp4``, against the app in uvicorn.

The page takes the camera, sends frames over the WebSocket and draws what comes back:
the test checks the skeleton is drawn over the video, the counters move, nothing breaks
the page's Content-Security-Policy, and saves a screenshot. (A runner is no plank: the
hold clock's behaviour is tested on synthetic exercises in tests/form/test_form_live.py.)
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from tests._browser import require_chromium
from tests.web.test_browser_journey import server  # noqa: F401  (the uvicorn fixture)

pytest.importorskip("playwright.sync_api", reason="playwright (the test extra) is not installed")

CLIP = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "video" / "male_side.mp4"
#: Updates the page must have received within ``WAIT_S`` (15 a second would give 150).
MIN_UPDATES = 20
WAIT_S = 10.0


def _y4m_from_clip(src: Path, dst: Path, seconds: float = 3.0, width: int = 360) -> Path:
    """The clip's first seconds as an uncompressed Y4M video (4:2:0), Chromium's fake
    camera input."""
    import av

    with av.open(str(src)) as container, dst.open("wb") as out:
        stream = container.streams.video[0]
        fps = round(float(stream.average_rate or 30))
        height = round(stream.height * width / stream.width / 2) * 2
        out.write(f"YUV4MPEG2 W{width} H{height} F{fps}:1 Ip A1:1 C420jpeg\n".encode())
        for k, frame in enumerate(container.decode(stream)):
            if k >= seconds * fps:
                break
            yuv = frame.reformat(width=width, height=height, format="yuv420p").to_ndarray()
            out.write(b"FRAME\n" + np.ascontiguousarray(yuv).tobytes())
    return dst


@pytest.fixture
def camera_page(server: str, tmp_path: Path) -> Iterator[Any]:  # noqa: F811
    from playwright.sync_api import sync_playwright

    if not CLIP.exists():
        pytest.skip(f"the shared recordings are not beside the repository ({CLIP} is missing)")
    chromium = require_chromium()
    video = _y4m_from_clip(CLIP, tmp_path / "camera.y4m")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=chromium,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--proxy-server=127.0.0.1:9",
                "--disable-background-networking",
                "--use-fake-ui-for-media-stream",  # the camera is granted without asking
                "--use-fake-device-for-media-stream",
                f"--use-file-for-fake-video-capture={video}",
            ],
        )
        context = browser.new_context(base_url=server, viewport={"width": 1000, "height": 1200})
        context.grant_permissions(["camera"], origin=server)
        tab = context.new_page()
        tab.problems = []  # type: ignore[attr-defined]
        tab.on(
            "console",
            lambda m: tab.problems.append(m.text) if m.type in ("error", "warning") else None,  # type: ignore[attr-defined]
        )
        tab.on("pageerror", lambda e: tab.problems.append(str(e)))  # type: ignore[attr-defined]
        tab.on(
            "request",
            lambda r: (
                None
                if r.url.startswith((server, server.replace("http", "ws", 1)))
                else tab.problems.append(f"request elsewhere: {r.url}")
            ),  # type: ignore[attr-defined]
        )
        try:
            yield tab
        finally:
            context.close()
            browser.close()


def _drawn_pixels(page: Any) -> int:
    return int(
        page.evaluate(
            """() => {
              const c = document.getElementById('live-overlay');
              const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
              let n = 0;
              for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
              return n;
            }"""
        )
    )


def test_fake_camera_gets_a_skeleton_and_moving_counters(camera_page: Any, tmp_path: Path) -> None:
    page = camera_page
    page.goto("/form/live?exercise=front_plank")
    start = page.get_by_role("button", name="Start the camera")
    start.focus()
    page.keyboard.press("Enter")  # keyboard only
    page.wait_for_function(
        f"() => Number(document.getElementById('live-count').textContent) >= {MIN_UPDATES}",
        timeout=WAIT_S * 1000,
    )
    first = int(page.locator("#live-count").text_content() or 0)
    page.wait_for_timeout(1000)
    later = int(page.locator("#live-count").text_content() or 0)
    assert later > first  # still answering, one frame after another
    assert page.evaluate("document.getElementById('live-video').videoWidth") > 0
    assert _drawn_pixels(page) > 200  # the skeleton is drawn over the video
    status = page.locator("#live-status").text_content() or ""
    assert status.startswith(("Not in position", "Fault", "In position", "Good form"))
    path = tmp_path / "live-form.png"
    page.screenshot(path=str(path), full_page=True)
    print(
        f"screenshot: {path}; {later} updates, rate {page.locator('#live-rate').text_content()}/s"
    )
    page.get_by_role("button", name="Stop").click()
    assert page.problems == []  # type: ignore[attr-defined]
