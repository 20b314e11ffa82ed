"""Server time of a runner's home page with a year of history.

The runner: the synthetic demo runner's three weeks (check-up, two analyses, sessions,
runs, two endurance tests), plus the year before them: an exercise session logged every
day and a run every week (through the same checks and progression rule as a user's
logs), an endurance test every month (every protocol) and an analysis every month (the
demo's analyses, stored as records). Stored in a temporary SQLite database; then the
home page (``/runner/ALIAS``) is requested through the app with FastAPI's test client,
and the median and 95th percentile of the request time are printed (the goal: under
200 ms). No shared data needed.

    python benchmarks/web_home.py [--requests 60]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient

from upright.services.demo import DEMO_AFTER_SPEC, analyze_demo_runner
from upright.services.demo_journey import DEMO_ALIAS, store_demo_journey
from upright.services.runner_record import _session
from upright.services.training_log import log_run, log_session
from upright.store import add_endurance_test, add_record, get_runner, using_database
from upright.web import WebSettings, create_app

TODAY = dt.date.today()
DAYS = 365
GOAL_MS = 200.0


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC)


def _add_a_year(first_day: dt.date, analyses: tuple[object, object]) -> dict[str, int]:
    """A year of history before the demo's three weeks; the counts stored."""
    counts = {"sessions": 0, "runs": 0, "endurance tests": 0, "analyses": 0}
    start = first_day - dt.timedelta(days=DAYS)
    for offset in range(DAYS):
        day = start + dt.timedelta(days=offset)
        log_session(
            DEMO_ALIAS,
            exercises=["side_plank=60", "bird_dog=60", "glute_bridge=60"],
            form="good",
            pain_during=2 + offset % 3,
            pain_next_morning=1 + offset % 2,
            day=day,
            today=TODAY,
        )
        counts["sessions"] += 1
        if offset % 7 == 3:
            log_run(
                DEMO_ALIAS,
                pain_during=2 + offset % 4,
                distance_km=6.0 + offset % 5,
                duration_min=35.0 + offset % 20,
                pain_after=2,
                pain_next_morning=1,
                day=day,
                today=TODAY,
            )
            counts["runs"] += 1
        if offset % 30 == 10:
            with _session("benchmark history") as session:
                runner = get_runner(session, DEMO_ALIAS)
                when = _at(day, 9)
                grow = offset / 30
                for key, side, seconds in (
                    ("flexor", None, 60.0 + grow),
                    ("extensor", None, 80.0 + grow),
                    ("side_bridge", "right", 35.0 + grow),
                    ("side_bridge", "left", 33.0 + grow),
                    ("prone_plank", None, 40.0 + grow),
                ):
                    add_endurance_test(session, runner, key, seconds=seconds, side=side, when=when)
                add_record(
                    session,
                    runner,
                    "analysis",
                    analyses[int(grow) % 2].summary,  # type: ignore[attr-defined]
                    source_name=f"month {int(grow) + 1}.mp4",
                    when=_at(day, 10),
                )
            counts["endurance tests"] += 1
            counts["analyses"] += 1
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=60)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        url = f"sqlite:///{folder / 'bench.db'}"
        _, before = analyze_demo_runner(30.0)
        _, after = analyze_demo_runner(30.0, DEMO_AFTER_SPEC)
        t0 = time.perf_counter()
        with using_database(url):
            history = store_demo_journey(before, after, TODAY)
            counts = _add_a_year(history.first_day, (before, after))
        print(f"history built in {time.perf_counter() - t0:.1f} s: {counts} (+ the demo's 3 weeks)")
        settings = WebSettings(data_dir=folder / "data", database_url=url)
        with TestClient(create_app(settings)) as client:
            path = f"/runner/{DEMO_ALIAS}"
            for _ in range(3):  # warm: imports, templates, the engine
                page = client.get(path)
                assert page.status_code == 200, page.text
            times = []
            for _ in range(args.requests):
                t0 = time.perf_counter()
                page = client.get(path)
                times.append((time.perf_counter() - t0) * 1000)
                assert page.status_code == 200
        times.sort()
        median = statistics.median(times)
        p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
        print(f"home page, {len(page.content) / 1e3:.0f} kB, {args.requests} requests:")
        print(
            f"  median {median:.1f} ms, p95 {p95:.1f} ms, "
            f"min {times[0]:.1f} ms, max {times[-1]:.1f} ms"
        )
        print(f"  goal under {GOAL_MS:.0f} ms: {'met' if p95 < GOAL_MS else 'NOT met'} (p95)")


if __name__ == "__main__":
    main()
