"""The watch-file and worn-sensor journeys in a real browser (Debian's Chromium, by
Playwright): from the runner's home page, upload the shared FIT file and accelerometer
recording, follow the job to the result page and check the plots are drawn by the
app's own plotly.js. Screenshots go to the test's temporary folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tests.web.test_browser_journey import _shot, page, server  # noqa: F401  (fixtures)

pytest.importorskip("playwright.sync_api", reason="playwright (the test extra) is not installed")


def test_upload_a_watch_file_and_a_sensor_recording(
    page: Any,  # noqa: F811
    shared_data: Path,
    tmp_path: Path,
) -> None:
    fit = shared_data / "fit" / "activity-small-fenix2-run.fit"
    gz = shared_data / "imu" / "acc_running_left_hip.csv.gz"
    shots = tmp_path / "screenshots"
    shots.mkdir()
    page.goto("/runners")
    page.get_by_label("Alias (a name or a nickname)", exact=True).fill("Sam")
    page.get_by_role("button", name="Create").click()
    home = page.url

    page.get_by_role("link", name="Import a watch file").click()
    page.get_by_label("Watch file (FIT, GPX or TCX)").set_input_files(str(fit))
    page.get_by_role("button", name="Upload and import").click()
    page.wait_for_url("**/run-result/*", timeout=120_000)
    page.wait_for_selector("#chart-run[data-drawn='true']", timeout=30_000)
    panels = page.locator("#chart-run .subplot").count()
    assert panels >= 4, f"{panels} panels drawn"  # pace, heart rate, cadence, dynamics
    assert "Stored as a run record of Sam" in page.locator("#stored").text_content()
    _shot(page, shots, "20-run-result")

    page.goto(home)
    page.get_by_role("link", name="Worn-sensor recording").click()
    page.get_by_label("Where the sensor was worn").select_option("hip")
    page.get_by_label("Sensor recording (CSV, gzip CSV or Sensor Logger zip)").set_input_files(
        str(gz)
    )
    page.get_by_role("button", name="Upload and analyse").click()
    page.wait_for_url("**/sensor-result/*", timeout=120_000)
    page.wait_for_selector("#chart-imu[data-drawn='true']", timeout=30_000)
    assert page.locator("#chart-imu .subplot").count() == 3
    _shot(page, shots, "21-sensor-result")
    print(f"screenshots: {shots}")
