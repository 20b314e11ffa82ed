"""The report, endurance-test, clearance and backup pages in a real browser (Debian's
Chromium driven by Playwright, the app served on loopback, nothing reachable elsewhere).

By keyboard: a timer is started with Space, stopped with Space the moment position is
lost, and its time stored with Enter; Escape skips a test. The report is shown framed and
sandboxed (its inline plotly.js draws its charts), the PDF and the backup download.
Screenshots go to the test's temporary folder (their paths are printed).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from upright.assessment.answers import parse_answers
from upright.assessment.redflags import RED_FLAG_KEYS
from upright.services.report import gather_report
from upright.services.runner_record import checkup_for_runner, update_profile
from upright.store import using_database

from .test_browser_journey import _shot, page, server  # noqa: F401 (fixtures)

pytest.importorskip("playwright.sync_api", reason="playwright (the test extra) is not installed")


def _database(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'data' / 'web.db'}"  # the server fixture's database


def _ann_with_checkup(tmp_path: Path, **flags: bool) -> None:
    """Ann, female, with a stored check-up (the check-up pages have their own test)."""
    answers = {"red_flags": {k: flags.get(k, False) for k in RED_FLAG_KEYS}}
    with using_database(_database(tmp_path)):
        update_profile("Ann", sex="female")
        checkup_for_runner("Ann", parse_answers(answers), [])


def _focus_by_tab(tab: Any, selector: str, *, limit: int = 200) -> None:
    target = tab.locator(selector)
    for _ in range(limit):
        tab.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_timer_by_keyboard_report_pdf_and_backup(page: Any, tmp_path: Path) -> None:  # noqa: F811
    shots = tmp_path / "screenshots"
    shots.mkdir()
    _ann_with_checkup(tmp_path)

    # the flexor test timed by keyboard: Space starts, Space stops, Enter stores
    page.goto("/tests/Ann")
    assert page.locator("[data-timer]").count() == 6
    _shot(page, shots, "10-tests")
    _focus_by_tab(page, "#timer-flexor")
    page.keyboard.press("Space")
    box = page.locator("#timer-flexor").locator("xpath=..")
    assert box.get_attribute("data-state") == "ready"
    page.wait_for_selector(".timer[data-state='running'] #timer-flexor", timeout=10000)
    page.wait_for_timeout(1500)
    page.keyboard.press("Space")
    assert box.get_attribute("data-state") == "stopped"
    held = float(page.locator("#t-flexor").input_value())
    assert 1.0 <= held <= 5.0, held
    assert page.evaluate("document.activeElement.textContent") == "Store this result"
    _shot(page, shots, "11-timer-stopped")
    page.keyboard.press("Enter")
    page.wait_for_selector("#result")
    assert "Stored and judged against" in page.locator("#result").inner_text()
    with using_database(_database(tmp_path)):
        history = gather_report("Ann").endurance_history
    assert [(p.field, p.value) for p in history] == [("flexor_s", held)]
    _shot(page, shots, "12-test-stored")

    # Escape skips a test: the field stays blank (not done, never 0)
    _focus_by_tab(page, "#timer-extensor")
    page.keyboard.press("Space")
    page.keyboard.press("Escape")
    extensor = page.locator("#timer-extensor").locator("xpath=..")
    assert extensor.get_attribute("data-state") == "idle"
    assert page.locator("#t-extensor").input_value() == ""
    assert "Skipped" in extensor.locator(".status").inner_text()

    # the report in the page: the framed report draws its charts (inline plotly.js, sandboxed)
    page.goto("/report/Ann")
    frame = page.frame_locator("#report-frame")
    frame.locator("[data-section='red-flags']").wait_for(timeout=30000)
    frame.locator(".main-svg").first.wait_for(timeout=30000)
    assert "Status: clear" in frame.locator("[data-section='red-flags']").inner_text()
    _shot(page, shots, "13-report")

    # the PDF, downloaded by keyboard
    _focus_by_tab(page, "#report-pdf")
    with page.expect_download() as info:
        page.keyboard.press("Enter")
    pdf = Path(info.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF-"), pdf[:20]
    assert info.value.suggested_filename == "upright-report-Ann.pdf"

    # the backup, downloaded by keyboard
    page.goto("/backup/Ann")
    _shot(page, shots, "14-backup")
    _focus_by_tab(page, "#backup-download")
    with page.expect_download() as info:
        page.keyboard.press("Enter")
    doc = json.loads(Path(info.value.path()).read_text("utf-8"))
    assert doc["schema_version"] == "upright.backup/1"
    assert [t["test_key"] for t in doc["endurance_tests"]] == ["flexor"]
    problems = page.problems  # type: ignore[attr-defined]
    assert problems == [], problems


def test_a_blocked_runner_records_a_clearance_by_keyboard(page: Any, tmp_path: Path) -> None:  # noqa: F811
    shots = tmp_path / "screenshots"
    shots.mkdir()
    _ann_with_checkup(tmp_path, fever_chills_unwell=True)
    page.goto("/tests/Ann")
    assert page.locator("[data-timer]").count() == 0  # no timer while a red flag is open
    _shot(page, shots, "15-tests-blocked")
    _focus_by_tab(page, "main a[href='/clearance/Ann']")
    page.keyboard.press("Enter")
    page.wait_for_url("**/clearance/Ann")
    page.get_by_label("Who cleared you (e.g. Dr Lee, GP)", exact=True).focus()
    page.keyboard.type("Dr Lee, GP")
    page.keyboard.press("Enter")
    page.wait_for_selector("#stored")
    assert "Stored: Dr Lee, GP cleared Ann (exercise plan)." in page.locator("#stored").inner_text()
    _shot(page, shots, "16-clearance")
    page.goto("/tests/Ann")
    assert page.locator("[data-timer]").count() == 6
    problems = page.problems  # type: ignore[attr-defined]
    assert problems == [], problems
