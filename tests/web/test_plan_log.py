"""The plan page and its calendar, and the session and run logs: the CLI's checks and
messages, nothing stored on bad input, no advice while a red flag is open."""

from __future__ import annotations

import datetime as dt

import pytest

from upright.services.report import gather_report
from upright.services.training_log import log_run, log_session

from ._cli import cli_message, page_message, service_message
from .conftest import Browser, clear_checkup, make_runner


def logs(browser: Browser) -> tuple[int, int]:
    data = browser.stored(lambda: gather_report("Ann"))
    return len(data.sessions), len(data.runs)


@pytest.fixture
def ready(browser: Browser) -> Browser:
    """Ann, with a clear check-up: the plan and every piece of advice flow."""
    make_runner(browser)
    assert clear_checkup(browser).status_code == 200
    return browser


def test_no_checkup_blocks_the_plan_as_the_cli_does(browser: Browser) -> None:
    make_runner(browser)
    page = browser.get("/plan/Ann")
    assert "The exercise plan is blocked." in page.text
    assert "Red-flag screen: incomplete" in page.text
    assert "every red-flag question is answered" in page.text
    assert browser.get("/plan-calendar/Ann", follow_redirects=False).status_code == 303


def test_the_plan_shows_stage_exercises_doses_and_cues(ready: Browser) -> None:
    page = ready.get("/plan/Ann?sessions_per_week=4&weeks=2&start=2030-01-07")
    assert page.status_code == 200
    text = page.text
    assert "2 weeks, 4 sessions a week from 2030-01-07" in text
    assert "stage 1" in text and "Why stage 1" in text
    assert text.count('<article class="exercise">') >= 3
    assert 'class="cues"' in text and "Log it as" in text
    assert 'href="/plan-calendar/Ann?sessions_per_week=4&amp;weeks=2&amp;start=2030-01-07"' in text


def test_the_calendar_downloads(ready: Browser) -> None:
    response = ready.get("/plan-calendar/Ann?weeks=2&start=2030-01-07")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    assert "attachment" in response.headers["content-disposition"]
    body = response.text
    assert body.startswith("BEGIN:VCALENDAR") and body.count("BEGIN:VEVENT") == 6
    assert "DTSTART;VALUE=DATE:20300107" in body or "20300107" in body


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("weeks=99", "--weeks is 99"),
        ("sessions_per_week=9", "--sessions-per-week is 9"),
        ("start=someday", "--start 'someday' is not a date"),
    ],
)
def test_bad_plan_options_are_refused(ready: Browser, query: str, words: str) -> None:
    page = ready.get(f"/plan/Ann?{query}")
    assert page.status_code == 400
    assert words in page_message(page.text)


def test_log_session_form_lists_the_plans_exercises(ready: Browser) -> None:
    page = ready.get("/log/session/Ann")
    assert page.status_code == 200
    assert 'for="ex-side_plank"' in page.text and 'for="pain_during"' in page.text
    assert 'for="form-good"' in page.text


def test_a_full_session_gets_the_progression_decision(ready: Browser) -> None:
    plan = ready.stored(lambda: gather_report("Ann")).plan
    assert plan is not None
    first = plan.sessions[0]
    from upright.program import load_catalogue

    catalogue = load_catalogue()
    doses = {f"ex.{p.key}": f"{catalogue.get(p.key).dose.log_target:g}" for p in first.exercises}
    page = ready.post(
        "/log/session/Ann", {**doses, "form": "good", "pain_during": "1", "pain_next_morning": "1"}
    )
    assert page.status_code == 200
    assert "stored (stage 1) as full" in page.text
    assert "HOLD" in page.text or "PROGRESS" in page.text
    assert logs(ready) == (1, 0)


def _tomorrow() -> str:
    return (dt.date.today() + dt.timedelta(days=1)).isoformat()


@pytest.mark.parametrize(
    ("fields", "cli"),
    [
        (
            {"ex.side_plank": "abc", "form": "good", "pain_during": "2"},
            ["--exercise", "side_plank=abc", "--form", "good", "--pain-during", "2"],
        ),
        (
            {"ex.side_plank": "-5", "form": "good", "pain_during": "2"},
            ["--exercise", "side_plank=-5", "--form", "good", "--pain-during", "2"],
        ),
        (
            {"ex.side_plank": "60", "form": "good", "pain_during": "2", "date": _tomorrow()},
            ["--exercise", "side_plank=60", "--form", "good", "--pain-during", "2",
             "--date", _tomorrow()],
        ),
    ],
)  # fmt: skip
def test_bad_session_gives_the_clis_message_and_stores_nothing(
    ready: Browser, fields: dict[str, str], cli: list[str]
) -> None:
    page = ready.post("/log/session/Ann", fields)
    assert page.status_code == 400
    expected = cli_message(ready.database_url, "log", "session", "--runner", "Ann", *cli)
    assert page_message(page.text) == expected
    assert logs(ready) == (0, 0)


def test_no_exercise_gives_the_services_message(ready: Browser) -> None:
    page = ready.post("/log/session/Ann", {"form": "good", "pain_during": "2"})
    assert page.status_code == 400
    expected = service_message(
        ready.database_url, lambda: log_session("Ann", exercises=[], form="good", pain_during=2)
    )
    assert page_message(page.text) == expected
    assert "no exercise given" in expected
    assert logs(ready) == (0, 0)


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"ex.side_plank": "60", "pain_during": "2"}, "--form is missing"),
        ({"ex.side_plank": "60", "form": "good"}, "--pain-during is missing"),
        ({"ex.side_plank": "60", "form": "good", "pain_during": "11"}, "--pain-during is 11"),
    ],
)
def test_missing_or_out_of_range_session_fields_are_refused(
    ready: Browser, fields: dict[str, str], words: str
) -> None:
    page = ready.post("/log/session/Ann", fields)
    assert page.status_code == 400
    assert words in page_message(page.text)
    assert logs(ready) == (0, 0)


def test_a_run_gets_the_running_load_advice(ready: Browser) -> None:
    page = ready.post(
        "/log/run/Ann",
        {"distance_km": "8", "duration_min": "45", "pain_during": "4", "pain_next_morning": "1",
         "pain_onset": "6.5", "pain_onset_unit": "km"},
    )  # fmt: skip
    assert page.status_code == 200
    assert "8 km" in page.text and "45 min" in page.text
    assert "Pain zone: acceptable" in page.text
    data = ready.stored(lambda: gather_report("Ann"))
    assert [(r.distance_km, r.pain_onset_km) for r in data.runs] == [(8.0, 6.5)]


@pytest.mark.parametrize(
    ("fields", "cli"),
    [
        ({"pain_during": "3"}, []),  # no run given
        ({"pain_during": "3", "distance_km": "-2"}, ["--distance-km", "-2"]),
        ({"pain_during": "3", "distance_km": "5", "date": _tomorrow()},
         ["--distance-km", "5", "--date", _tomorrow()]),
    ],
)  # fmt: skip
def test_bad_run_gives_the_clis_message_and_stores_nothing(
    ready: Browser, fields: dict[str, str], cli: list[str]
) -> None:
    page = ready.post("/log/run/Ann", fields)
    assert page.status_code == 400
    if "-2" in cli:  # Typer refuses a negative distance before the service sees it
        expected = service_message(
            ready.database_url, lambda: log_run("Ann", pain_during=3, distance_km=-2.0)
        )
    else:
        expected = cli_message(
            ready.database_url, "log", "run", "--runner", "Ann", "--pain-during", "3", *cli
        )
    assert page_message(page.text) == expected
    assert logs(ready) == (0, 0)


def test_while_the_screen_is_incomplete_a_session_is_stored_without_advice(
    browser: Browser,
) -> None:
    make_runner(browser)
    page = browser.post(
        "/log/session/Ann", {"ex.side_plank": "60", "form": "good", "pain_during": "2"}
    )
    assert page.status_code == 200
    assert "stored (stage 1) as partial" in page.text
    assert "No progression advice" in page.text
    assert "PROGRESS" not in page.text and "HOLD" not in page.text
    assert logs(browser) == (1, 0)
