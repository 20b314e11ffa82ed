"""The journey in a real browser: Debian's Chromium driven by Playwright, against the app
served by uvicorn on a free loopback port, with every other address unreachable.

Keyboard only, by the forms' labels: create a runner; a check-up with an emergency
answer ends on the stop page; a clear check-up reaches the triage; the home page draws
its chart. Screenshots of each page go to the test's temporary folder (their paths are
printed); no page may load anything from elsewhere or break its Content-Security-Policy.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests._browser import require_chromium

from upright.assessment.redflags import red_flag_questions
from upright.web import WebSettings, create_app

pytest.importorskip("playwright.sync_api", reason="playwright (the test extra) is not installed")

EMERGENCY = next(q for q in red_flag_questions() if q.level == "emergency")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    """The app on 127.0.0.1 in a uvicorn thread; its base URL."""
    import uvicorn

    folder = tmp_path / "data"
    settings = WebSettings(data_dir=folder, database_url=f"sqlite:///{folder / 'web.db'}")
    port = _free_port()
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not uv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the web app did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        uv.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def page(server: str, tmp_path: Path) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    chromium = require_chromium()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=chromium,
            args=[
                "--no-sandbox",  # CI runs as root
                "--disable-gpu",
                # any address but loopback goes to a closed port: nothing from elsewhere
                "--proxy-server=127.0.0.1:9",
                "--disable-background-networking",
            ],
        )
        context = browser.new_context(base_url=server, viewport={"width": 1100, "height": 900})
        tab = context.new_page()
        tab.problems = []  # type: ignore[attr-defined]
        tab.on(
            "console",
            lambda m: (
                tab.problems.append(f"{m.text} @ {m.location} on {tab.url}")
                if m.type in ("error", "warning")
                else None
            ),  # type: ignore[attr-defined]
        )
        tab.on("pageerror", lambda e: tab.problems.append(str(e)))  # type: ignore[attr-defined]
        tab.on(
            "response",
            lambda r: tab.problems.append(f"{r.status} {r.url}") if r.status >= 400 else None,
        )  # type: ignore[attr-defined]
        tab.on(
            "request",
            lambda r: (
                None
                if r.url.startswith(server)
                else tab.problems.append(f"request elsewhere: {r.url}")
            ),  # type: ignore[attr-defined]
        )
        try:
            yield tab
        finally:
            context.close()
            browser.close()


def _shot(page: Any, folder: Path, name: str) -> None:
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")


def _tab_to(page: Any, label: str, *, limit: int = 200) -> None:
    """Press Tab until the field labelled ``label`` has the focus (keyboard only)."""
    target = page.get_by_label(label, exact=True)
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"Tab never reached the field labelled {label!r}")


def _answer_red_flags(page: Any, emergency: bool) -> None:
    """Each red-flag question by keyboard: Tab to its "no" (or the emergency's "yes")
    radio and press Space."""
    for q in red_flag_questions():
        reply = "yes" if emergency and q.key == EMERGENCY.key else "no"
        radio = page.locator(f"#rf-{q.key}-{reply}")
        radio.focus()  # radios of one group are a single Tab stop: focus, then Space
        page.keyboard.press("Space")
        assert radio.is_checked()


def test_create_runner_emergency_stop_and_clear_triage(page: Any, tmp_path: Path) -> None:
    shots = tmp_path / "screenshots"
    shots.mkdir()
    page.goto("/runners")
    _shot(page, shots, "01-runners")
    _tab_to(page, "Alias (a name or a nickname)")
    page.keyboard.type("Ann")
    _tab_to(page, "Sex (chooses the endurance norms)")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")  # female
    _tab_to(page, "Height in cm (optional, for cm figures)")
    page.keyboard.type("168")
    page.keyboard.press("Enter")
    page.wait_for_url("**/runner/Ann")
    assert page.locator("h1").inner_text() == "Ann"
    assert "Red-flag screen: incomplete" in page.locator(".screen h2").inner_text()
    _shot(page, shots, "02-home-new-runner")

    # an emergency answer: straight to the stop page, nothing else offered
    page.get_by_role("link", name="Check-up").first.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/checkup/Ann")
    _shot(page, shots, "03-red-flags")
    _answer_red_flags(page, emergency=True)
    page.get_by_role("button", name="Next").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/stop/Ann")
    assert page.locator("h1").inner_text() == "SEEK EMERGENCY CARE NOW"
    assert EMERGENCY.question in page.locator(".stop").inner_text()
    assert page.locator("main a, main form, nav").count() == 0
    _shot(page, shots, "04-stop")
    page.goto("/plan/Ann")
    page.wait_for_url("**/stop/Ann")  # the plan is blocked: the stop page again

    # a clear check-up reaches the triage
    page.goto("/checkup/Ann")
    _answer_red_flags(page, emergency=False)
    page.get_by_role("button", name="Next").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("text=page 2 of 2")
    for label, value in (
        ("Pain in your lower back right now, 0 (none) to 10 (worst imaginable)?", "3"),
        ("Trunk flexor endurance (seconds held)", "80"),
        ("Biering-Sorensen extensor endurance (seconds held)", "60"),
    ):
        _tab_to(page, label)
        page.keyboard.type(value)
    _shot(page, shots, "05-details")
    page.get_by_role("button", name="Store the check-up and see the triage").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/triage/Ann")
    assert "Red-flag screen: clear" in page.locator(".screen h2").inner_text()
    assert page.locator("article.verdict").count() == 3
    _shot(page, shots, "06-triage")

    page.goto("/plan/Ann")
    assert "stage 1" in page.locator("main").inner_text()
    # the options update the plan in place (htmx), and a bad one shows the CLI's message
    page.evaluate("window.samePage = true")
    _tab_to(page, "Sessions a week")
    page.keyboard.press("4")
    _tab_to(page, "Weeks")
    page.keyboard.press("Control+A")
    page.keyboard.type("2")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=2 weeks, 4 sessions a week")
    assert page.evaluate("window.samePage === true")
    assert "weeks=2" in page.url
    _shot(page, shots, "07-plan")
    assert page.problems == [], page.problems  # type: ignore[attr-defined]
    _tab_to(page, "Weeks")
    page.keyboard.press("Control+A")
    page.keyboard.type("99")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=--weeks is 99")
    assert page.evaluate("window.samePage === true")
    refused = page.problems  # type: ignore[attr-defined]
    assert refused and all("weeks=99" in p for p in refused), refused  # that 400 only
    refused.clear()

    # a run logged by keyboard; the home page then draws pain over time (plotly, offline)
    page.goto("/log/run/Ann")
    _tab_to(page, "Distance (km)")
    page.keyboard.type("8")
    _tab_to(page, "Worst back pain during the run (0 none, 10 worst imaginable)")
    page.keyboard.press("3")  # a select takes the option that starts with the key
    page.get_by_role("button", name="Store the run").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Pain zone:")
    _shot(page, shots, "08-run-logged")
    page.goto("/runner/Ann")
    page.wait_for_selector(".chart[data-drawn='true']", timeout=30000)
    assert page.locator(".chart .main-svg").count() >= 1
    _shot(page, shots, "09-home")
    problems = page.problems  # type: ignore[attr-defined]
    assert problems == [], problems
