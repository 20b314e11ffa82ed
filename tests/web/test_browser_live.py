"""The live form check in a real browser: Debian's Chromium with its fake camera, against
the app in uvicorn.

Fed a few seconds of ``male_side.mp4``, the page takes the camera, sends frames over the
WebSocket and draws what comes back: the skeleton is drawn over the video, the counters
move, nothing breaks the page's Content-Security-Policy. A runner is no plank, so the
hold clock is tested on a rendered synthetic front plank (a filled body the pose model
finds at the page's 384 px frames): the clock runs while the plank is held in good form
and stops, with the fault named, when the hips sag (slow). Screenshots are saved.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
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


@contextmanager
def _camera_tab(base_url: str, video: Path) -> Iterator[Any]:
    """A Chromium tab whose fake camera plays ``video`` (Y4M, looped), every problem
    (console error, page error, request elsewhere) collected in ``tab.problems``."""
    from playwright.sync_api import sync_playwright

    chromium = require_chromium()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=chromium,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--proxy-base_url=127.0.0.1:9",
                "--disable-background-networking",
                "--use-fake-ui-for-media-stream",  # the camera is granted without asking
                "--use-fake-device-for-media-stream",
                f"--use-file-for-fake-video-capture={video}",
            ],
        )
        context = browser.new_context(base_url=base_url, viewport={"width": 1000, "height": 1200})
        context.grant_permissions(["camera"], origin=base_url)
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
                if r.url.startswith((base_url, base_url.replace("http", "ws", 1)))
                else tab.problems.append(f"request elsewhere: {r.url}")
            ),  # type: ignore[attr-defined]
        )
        try:
            yield tab
        finally:
            context.close()
            browser.close()


@pytest.fixture
def camera_page(server: str, tmp_path: Path) -> Iterator[Any]:  # noqa: F811
    if not CLIP.exists():
        pytest.skip(f"the shared recordings are not beside the repository ({CLIP} is missing)")
    require_chromium()
    video = _y4m_from_clip(CLIP, tmp_path / "camera.y4m")
    with _camera_tab(server, video) as tab:
        yield tab


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


# ---------------------------------------------------------------- a plank the camera sees

#: A rendered front plank for the fake camera: down on the floor, up into the plank at
#: about 2.6 s, held in good form (hips 12 deg above the line) until 7 s, then sagging
#: through the line (0 deg) at about 8.3 s, down to -15 deg at 10 s and held there.
PLANK_SPEC_KW = {
    "figure": "front_plank",
    "duration_s": 16.0,
    "hold_end_s": None,
    "fps": 15.0,
    "offset_knots": ((7.0, 12.0), (10.0, -15.0)),
    "height_px": 420.0,
    "image_width_px": 960,
    "image_height_px": 540,
}
#: Seconds the page may take to show good form, then the fault (the clip's own times
#: plus the start of the camera and the pose model on a busy machine).
PLANK_WAIT_S = 40.0


def _y4m_from_plank(dst: Path, width: int = 480) -> Path:
    """The rendered plank as a Y4M video (4:2:0) at half size; the page sends 384 px."""
    import cv2

    from upright.synthetic.exercise import ExerciseSpec, simulate_exercise
    from upright.synthetic.exercise_render import render_exercise_frames

    spec = ExerciseSpec(**PLANK_SPEC_KW)  # type: ignore[arg-type]
    height = round(spec.image_height_px * width / spec.image_width_px / 2) * 2
    with dst.open("wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F{int(spec.fps)}:1 Ip A1:1 C420jpeg\n".encode())
        for _, rgb in render_exercise_frames(simulate_exercise(spec)):
            small = cv2.resize(rgb, (width, height), interpolation=cv2.INTER_AREA)
            out.write(b"FRAME\n" + cv2.cvtColor(small, cv2.COLOR_RGB2YUV_I420).tobytes())
    return dst


def _live_state(page: Any) -> dict[str, Any]:
    state: dict[str, Any] = page.evaluate(
        """() => ({
          status: document.getElementById('live-status').textContent,
          cue: document.getElementById('live-cue').textContent,
          good: Number(document.getElementById('live-good').textContent),
          hold: Number(document.getElementById('live-hold').textContent),
          count: Number(document.getElementById('live-count').textContent),
        })"""
    )
    return state


@pytest.mark.slow
def test_fake_camera_plank_runs_the_clock_in_good_form_and_names_the_sag(
    server: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    """The hold clock counts while the rendered plank is held in good form, stops when the
    hips sag, and the page names the fault; the hold itself goes on."""
    require_chromium()
    video = _y4m_from_plank(tmp_path / "plank.y4m")
    with _camera_tab(server, video) as page:
        page.goto("/form/live?exercise=front_plank")
        page.get_by_role("button", name="Start the camera").click()
        page.wait_for_function(
            "() => document.getElementById('live-status').textContent.startsWith('Good form')"
            " && Number(document.getElementById('live-good').textContent) >= 1.0",
            timeout=PLANK_WAIT_S * 1000,
        )
        samples = []
        while True:
            state = _live_state(page)
            samples.append(state)
            if (
                state["status"].startswith("Fault")
                and len([s for s in samples if s["status"].startswith("Fault")]) * 0.2 >= 2.0
            ):
                break
            assert len(samples) * 0.2 < PLANK_WAIT_S, f"no fault shown; last: {state}"
            if len(samples) == 5:
                page.screenshot(path=str(tmp_path / "live-plank-good.png"), full_page=True)
            page.wait_for_timeout(200)
        page.screenshot(path=str(tmp_path / "live-plank-sag.png"), full_page=True)
        page.get_by_role("button", name="Stop").click()
        problems = page.problems  # type: ignore[attr-defined]

    good = [s for s in samples if s["status"].startswith("Good form")]
    first_fault = next(i for i, s in enumerate(samples) if s["status"].startswith("Fault"))
    faulted = samples[first_fault:]
    # the clock ran while the form was good: it rose, never fell, by over a second
    clock = [s["good"] for s in good]
    assert clock == sorted(clock) and clock[-1] - clock[0] >= 1.0, clock
    # then the sag was named, with its cue, and the good-form clock stood still (it may
    # step back half a second when the fault is confirmed) while the hold went on
    assert all(s["status"] == "Fault: hips sag" for s in faulted), faulted
    assert all(s["cue"] for s in faulted)
    at_fault = samples[first_fault - 1]["good"]
    assert max(s["good"] for s in faulted) <= at_fault + 0.2, (at_fault, faulted)
    assert faulted[-1]["hold"] > faulted[0]["hold"] + 1.0
    assert faulted[-1]["count"] > faulted[0]["count"]  # still answering
    assert problems == []
    print(
        f"screenshots: {tmp_path}/live-plank-good.png, live-plank-sag.png; good form "
        f"{clock[0]:.1f} -> {clock[-1]:.1f} s, then '{faulted[0]['status']}' at "
        f"{at_fault:.1f} s; {faulted[-1]['count']} updates"
    )
