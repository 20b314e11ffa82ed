"""The clip journey in a real browser (Debian's Chromium, by Playwright): upload the real
side-view running clip, watch the progress bar reach the analysis page, and check that
the annotated video plays in the page (Chromium decodes upright's H.264) and the chart
is drawn. Screenshots go to the test's temporary folder (their paths are printed).
Runs pose estimation on a 12 s clip: slow."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from tests.web.test_browser_journey import _shot, page, server  # noqa: F401  (fixtures)

pytest.importorskip("playwright.sync_api", reason="playwright (the test extra) is not installed")

CLIP = Path(__file__).resolve().parents[3] / "shared" / "data" / "video" / "male_side.mp4"


@pytest.mark.slow
def test_upload_a_running_clip_and_watch_the_analysis(page: Any, tmp_path: Path) -> None:  # noqa: F811
    if not CLIP.is_file():
        pytest.skip(f"the real clip {CLIP} is absent (../shared/data)")
    shots = tmp_path / "screenshots"
    shots.mkdir()
    page.goto("/runners")
    page.get_by_label("Alias (a name or a nickname)", exact=True).fill("Sam")
    page.get_by_role("button", name="Create").click()
    page.get_by_role("link", name="Analyse a clip").click()
    page.get_by_label("Running clip (MP4 or MOV, as the phone recorded it)").set_input_files(
        str(CLIP)
    )
    _shot(page, shots, "10-video-upload")
    page.get_by_role("button", name="Upload and analyse").click()
    page.wait_for_url("**/jobs/*")
    bar = page.locator("#job-bar")
    seen: list[float] = []
    deadline = time.monotonic() + 900
    while "/analysis/" not in page.url:
        assert time.monotonic() < deadline, "the analysis did not finish in 15 minutes"
        if bar.count():
            seen.append(float(bar.get_attribute("value") or 0))
            if len(seen) == 3:
                _shot(page, shots, "11-job-progress")
        page.wait_for_timeout(500)
    assert len(seen) >= 3 and max(seen) > min(seen), f"the bar never moved: {seen}"
    assert seen == sorted(seen), f"the bar went back: {seen}"
    page.wait_for_selector("#chart-posture[data-drawn='true']", timeout=30_000)
    video = page.locator("#annotated")
    video.evaluate("v => v.play()")
    page.wait_for_function(
        "() => { const v = document.querySelector('#annotated');"
        " return v.readyState >= 2 && v.currentTime > 0.5; }",
        timeout=30_000,
    )
    state = video.evaluate(
        "v => ({ready: v.readyState, duration: v.duration, error: v.error && v.error.code})"
    )
    assert state["error"] is None and state["ready"] >= 2, state
    assert abs(state["duration"] - 12.0) < 1.0, state
    video.evaluate("v => { v.pause(); v.currentTime = 9.0; }")  # seeking needs ranges
    page.wait_for_function(
        "() => { const v = document.querySelector('#annotated');"
        " return !v.seeking && Math.abs(v.currentTime - 9.0) < 0.5 && v.readyState >= 2; }",
        timeout=30_000,
    )
    assert page.locator("#chart-posture .main-svg").count() > 0
    _shot(page, shots, "12-analysis")
    page.reload()  # the result stays
    assert page.locator("h1").inner_text().startswith("Running posture in male_side.mp4")
    assert page.problems == [], page.problems
