"""The HTML report: gathered from a stored runner, opened in headless Chromium.

The demo journey (synthetic runner, three weeks of logs) is stored once in its own
database; its known story gives exact expectations: lean falls from about 8.5 to about
5.3 deg (beyond noise), the right side bridge gains 34 s (beyond its 30.5 s MDC), the
left 28 s and the extensor 23 s (within theirs), and the logs end at stage 2.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from _browser import dump_dom, image_stats, require_chromium, screenshot
from upright.report.report_html import SECTIONS, render_report_html
from upright.services.demo import DEMO_AFTER_SPEC, analyze_demo_runner
from upright.services.demo_journey import DEMO_ALIAS, store_demo_journey
from upright.services.report import ReportData, gather_report
from upright.services.runner_record import update_profile
from upright.store import using_database

TODAY = dt.date(2026, 3, 20)


@pytest.fixture(scope="module")
def demo_report(tmp_path_factory: pytest.TempPathFactory) -> ReportData:
    db = tmp_path_factory.mktemp("journey") / "demo.db"
    _, before = analyze_demo_runner(20.0)
    _, after = analyze_demo_runner(20.0, DEMO_AFTER_SPEC)
    with using_database(f"sqlite:///{db}"):
        store_demo_journey(before, after, TODAY)
        return gather_report(DEMO_ALIAS, today=TODAY)


@pytest.fixture(scope="module")
def demo_html(demo_report: ReportData, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("html") / "report.html"
    path.write_text(render_report_html(demo_report, still_jpeg=_tiny_jpeg()), encoding="utf-8")
    return path


def _tiny_jpeg() -> bytes:
    import cv2
    import numpy as np

    ok, data = cv2.imencode(".jpg", np.full((40, 30, 3), 90, np.uint8))
    assert ok
    return bytes(data.tobytes())


def _outside_scripts(html: str) -> str:
    return re.sub(r"<script\b.*?</script>", "", html, flags=re.S)


# -- what the report says -------------------------------------------------------------


def test_demo_story_is_measured(demo_report: ReportData) -> None:
    assert demo_report.synthetic
    assert demo_report.red_flags is not None and demo_report.red_flags.status == "clear"
    change = demo_report.lean_change
    assert change is not None
    assert change.beyond_noise
    assert -4.0 < change.change_deg < -2.5
    assert demo_report.endurance is not None
    verdicts = {c.test: c.verdict for c in demo_report.endurance.changes}
    assert verdicts["side_bridge_right"] == "improved"
    assert verdicts["side_bridge_left"] == "within MDC"
    assert verdicts["extensor"] == "within MDC"
    assert [s.level for s in demo_report.sessions] == [1, 1, 1, 2, 2, 1, 1, 2, 2, 2]
    assert {s.completion for s in demo_report.sessions} == {"full"}
    assert demo_report.level == 2
    assert demo_report.plan is not None and demo_report.plan.stage == 2
    assert len(demo_report.runs) == 6


def test_sections_in_reading_order(demo_html: Path) -> None:
    html = demo_html.read_text(encoding="utf-8")
    positions = [html.index(f'data-section="{key}"') for key, _ in SECTIONS]
    assert positions == sorted(positions)
    assert "SYNTHETIC DEMO RUNNER" in html
    assert "beyond measurement noise" in html
    assert "data:image/jpeg;base64," in html
    assert html.count("not a medical device") >= 1


def test_the_plan_says_how_to_film_its_exercises(demo_report: ReportData, demo_html: Path) -> None:
    from upright.form.definitions import load_form_table

    html = demo_html.read_text(encoding="utf-8")
    assert demo_report.plan is not None and demo_report.plan.sessions
    filming = {d.key: d.filming for d in load_form_table().exercises}
    first = [p.key for p in demo_report.plan.sessions[0].exercises]
    assert "Check your form on video" in html
    assert any(k in filming for k in first)
    for key in first:
        if key in filming:
            assert f"--exercise {key}" in html
            assert f"Film it: {filming[key]}" in html


def test_page_needs_no_network(demo_html: Path) -> None:
    """Nothing outside the inlined plotly.js points to another file or a web address."""
    markup = _outside_scripts(demo_html.read_text(encoding="utf-8"))
    assert not re.search(r"""(src|href)\s*=\s*["'](?!data:|#)""", markup)
    assert "<script src" not in demo_html.read_text(encoding="utf-8")


def test_opens_in_chromium_with_plots_drawn(demo_html: Path, tmp_path: Path) -> None:
    require_chromium()
    dom = dump_dom(demo_html)
    for key, heading in SECTIONS:
        assert f'data-section="{key}"' in dom
        assert heading in dom
    for chart in ("chart-lean", "chart-progress"):
        start = dom.index(f'id="{chart}"')
        assert "main-svg" in dom[start : start + 20000], f"{chart} was not drawn"
    png = screenshot(demo_html, tmp_path / "report.png", width=1100, height=3000)
    width, height, inked = image_stats(png)
    assert (width, height) == (1100, 3000)
    assert inked > 0.05


def test_text_from_the_store_is_escaped(tmp_path: Path) -> None:
    alias = "<b>ana</b>"
    update_profile(alias)
    html = render_report_html(gather_report(alias))
    assert "&lt;b&gt;ana&lt;/b&gt;" in html
    assert "<b>ana</b>" not in html


def test_a_new_runner_gets_a_report_saying_what_is_missing() -> None:
    update_profile("newcomer")
    data = gather_report("newcomer")
    assert data.red_flags is None and data.plan is None and data.posture is None
    html = render_report_html(data)
    for text in (
        "No check-up stored",
        "No video analysis stored yet",
        "No endurance test stored",
        "not screened yet",
    ):
        assert text in html, text
    assert "chart-progress" not in html
