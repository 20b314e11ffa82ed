"""Speed and size of the report, and of the demo's whole journey.

A runner with a long history: the demo journey (synthetic runner, two 60 s analyses,
10 sessions, 6 runs, two endurance tests) plus one year of extra logs (3 sessions and
2 runs a week), stored in a temporary SQLite database. Times: gathering from the store,
the HTML page, the PDF; sizes of both; then ``upright demo`` end to end (annotated video
included) in a subprocess. No shared data needed.

    /work/venv/bin/python benchmarks/report_speed.py
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from upright.report.report_html import render_report_html
from upright.report.report_pdf import to_report_pdf
from upright.services.demo import DEMO_AFTER_SPEC, analyze_demo_runner
from upright.services.demo_journey import DEMO_ALIAS, store_demo_journey
from upright.services.report import gather_report
from upright.services.training_log import log_run, log_session
from upright.store import using_database

TODAY = dt.date(2026, 11, 26)
EXTRA_WEEKS = 52


def _add_a_year(first_day: dt.date) -> None:
    for week in range(EXTRA_WEEKS):
        monday = first_day - dt.timedelta(days=7 * (week + 1))
        for offset in (0, 2, 4):
            log_session(
                DEMO_ALIAS,
                exercises=["side_plank=60", "bird_dog=60"],
                form="good",
                pain_during=2,
                pain_next_morning=1,
                day=monday + dt.timedelta(days=offset),
                today=TODAY,
            )
        for offset in (1, 5):
            log_run(
                DEMO_ALIAS,
                pain_during=2,
                distance_km=8.0,
                duration_min=45.0,
                day=monday + dt.timedelta(days=offset),
                today=TODAY,
            )


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        _, before = analyze_demo_runner(60.0)
        _, after = analyze_demo_runner(60.0, DEMO_AFTER_SPEC)
        with using_database(f"sqlite:///{folder / 'bench.db'}"):
            history = store_demo_journey(before, after, TODAY)
            t0 = time.perf_counter()
            _add_a_year(history.first_day)
            t_log = time.perf_counter() - t0
            t0 = time.perf_counter()
            data = gather_report(DEMO_ALIAS, today=TODAY)
            t_gather = time.perf_counter() - t0
        t0 = time.perf_counter()
        html = render_report_html(data)
        t_html = time.perf_counter() - t0
        t0 = time.perf_counter()
        pdf = to_report_pdf(data)
        t_pdf = time.perf_counter() - t0
        n_logs = len(data.sessions) + len(data.runs)
        print(f"history: {len(data.sessions)} sessions, {len(data.runs)} runs")
        print(f"logging a year (through the checks and progression rule): {t_log:.2f} s")
        print(f"gather from the store: {t_gather:.2f} s ({n_logs} logs)")
        print(f"HTML page: {t_html:.2f} s, {len(html) / 1e6:.2f} MB (plotly.js inline)")
        print(f"PDF: {t_pdf:.2f} s, {len(pdf) / 1e3:.0f} kB")
        out = folder / "demo"
        t0 = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "upright.cli.main", "demo", "--out", str(out)],
            check=True,
            capture_output=True,
        )
        t_demo = time.perf_counter() - t0
        print(f"upright demo, whole journey with annotated video: {t_demo:.1f} s")


if __name__ == "__main__":
    main()
