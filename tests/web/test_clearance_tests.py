"""The clinician clearance and the endurance-test pages: the CLI's validation and
messages, nothing stored on bad input, and the red-flag gate of ``upright test --runner``."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from upright.services.report import gather_report
from upright.services.runner_index import runner_screen

from ._cli import cli_message, page_message
from .conftest import Browser, clear_checkup, make_runner, red_flag_form


def _checkup(browser: Browser, **flags: str) -> None:
    form = red_flag_form("no", **flags)
    browser.post("/checkup/Ann", form)
    browser.post("/checkup-details/Ann", form)


@pytest.fixture
def same_day(browser: Browser) -> Browser:
    """Ann, whose check-up answered a same-day red flag: the plan is blocked."""
    make_runner(browser, sex="female")
    _checkup(browser, fever_chills_unwell="yes")
    assert browser.stored(lambda: runner_screen("Ann")).status == "same_day"
    return browser


@pytest.fixture
def ready(browser: Browser) -> Browser:
    make_runner(browser, sex="female")
    assert clear_checkup(browser).status_code == 200
    return browser


def _clearances(browser: Browser) -> int:
    from upright.services.runner_record import _session
    from upright.store import get_runner

    def count() -> int:
        with _session("test") as session:
            return len(get_runner(session, "Ann").clearances)

    return int(browser.stored(count))


# -- clearance -----------------------------------------------------------------------


def test_blocked_pages_link_to_the_clearance_form(same_day: Browser) -> None:
    plan = same_day.get("/plan/Ann").text
    assert 'href="/clearance/Ann">record the clearance</a>' in plan
    assert "upright clearance --runner" not in plan
    home = same_day.get("/runner/Ann").text
    assert 'href="/clearance/Ann"' in home
    form = same_day.get("/clearance/Ann")
    assert form.status_code == 200
    for field in ('for="clinician"', 'for="clears"', 'for="date"'):
        assert field in form.text


def test_a_clearance_lifts_a_same_day_block(same_day: Browser) -> None:
    yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    page = same_day.post(
        "/clearance/Ann", {"clinician": "Dr Lee, GP", "clears": "running", "date": yesterday}
    )
    assert page.status_code == 200
    assert "Stored: Dr Lee, GP cleared Ann (running)." in page.text
    assert _clearances(same_day) == 1
    assert not same_day.stored(lambda: runner_screen("Ann")).plan_blocked
    assert "The exercise plan is blocked." not in same_day.get("/plan/Ann").text


def test_a_clearance_never_lifts_an_emergency(browser: Browser) -> None:
    make_runner(browser)
    browser.post("/checkup/Ann", red_flag_form("no", saddle_numbness="yes"))
    page = browser.post("/clearance/Ann", {"clinician": "Dr Lee"})
    assert page.status_code == 200 and "Stored: Dr Lee cleared Ann" in page.text
    assert browser.stored(lambda: runner_screen("Ann")).stop_everything
    assert browser.get("/plan/Ann", follow_redirects=False).headers["location"] == "/stop/Ann"


def _tomorrow() -> str:
    return (dt.date.today() + dt.timedelta(days=1)).isoformat()


@pytest.mark.parametrize(
    ("fields", "cli"),
    [
        ({"clinician": "Dr Lee", "date": _tomorrow()},
         ["--clinician", "Dr Lee", "--date", _tomorrow()]),
        ({"clinician": "   "}, ["--clinician", "   "]),
    ],
)  # fmt: skip
def test_a_bad_clearance_gives_the_clis_message_and_stores_nothing(
    same_day: Browser, fields: dict[str, str], cli: list[str]
) -> None:
    page = same_day.post("/clearance/Ann", fields)
    assert page.status_code == 400
    expected = cli_message(same_day.database_url, "clearance", "--runner", "Ann", *cli)
    assert page_message(page.text) == expected
    assert _clearances(same_day) == 0
    assert same_day.stored(lambda: runner_screen("Ann")).plan_blocked


def test_a_date_that_is_no_date_is_refused(same_day: Browser) -> None:
    page = same_day.post("/clearance/Ann", {"clinician": "Dr Lee", "date": "last week"})
    assert page.status_code == 400
    assert "--date 'last week' is not a date" in page_message(page.text)
    assert _clearances(same_day) == 0


def test_clearance_needs_the_token_and_a_known_runner(same_day: Browser) -> None:
    refused = same_day.client.post("/clearance/Ann", data={"clinician": "Dr Lee"})
    assert refused.status_code == 403
    assert _clearances(same_day) == 0
    assert same_day.get("/clearance/Bob").status_code == 404


# -- endurance tests -----------------------------------------------------------------


def _history(browser: Browser) -> list[tuple[str, float]]:
    data = browser.stored(lambda: gather_report("Ann"))
    return [(p.field, p.value) for p in data.endurance_history]


def test_every_protocol_has_its_timer_instructions_and_stop_rule(ready: Browser) -> None:
    from upright.services.endurance_test import PROTOCOLS

    page = ready.get("/tests/Ann")
    assert page.status_code == 200
    assert '<script src="/static/endurance_timer.js" defer></script>' in page.text
    assert page.text.count("data-timer ") == len(PROTOCOLS) == 6
    for p in PROTOCOLS:
        assert p.steps in page.text and p.stop_when in page.text
        assert f'for="t-{p.key}"' in page.text and f'for="en-{p.key}"' in page.text
    assert 'data-cap="240"' in page.text  # the Biering-Sorensen stops at 240 s
    for key in ("single_leg_bridge_left", "single_leg_bridge_right"):
        assert f'for="en-{key}"' in page.text
    assert "<script>" not in page.text  # no inline script
    assert 'href="/tests/Ann"' in ready.get("/runner/Ann").text


def test_results_are_judged_stored_and_compared_with_the_last(ready: Browser) -> None:
    page = ready.post("/tests/Ann", {"en.flexor": "80", "en.side_bridge_right": "40.5"})
    assert page.status_code == 200
    assert "Stored and judged against" in page.text
    assert re.search(r"<td>Trunk flexor endurance</td><td>80</td>", page.text)
    assert sorted(_history(ready)) == [("flexor_s", 80.0), ("side_bridge_right_s", 40.5)]
    again = ready.post("/tests/Ann", {"en.flexor": "150"})
    assert "Change Trunk flexor endurance: 80 → 150 s" in again.text
    reps = ready.post("/tests/Ann", {"en.single_leg_bridge_left": "22"})
    assert "Single-leg bridge, left: 22 reps" in reps.text


@pytest.mark.parametrize(
    ("fields", "cli"),
    [
        ({"en.flexor": "abc"}, ["flexor=abc"]),
        ({"en.extensor": "300"}, ["extensor=300"]),
        ({"en.flexor": "-4"}, ["flexor=-4"]),
        ({"en.single_leg_bridge_left": "2.5"}, ["single_leg_bridge_left=2.5"]),
        ({}, []),
    ],
)
def test_bad_results_give_the_clis_message_and_store_nothing(
    ready: Browser, fields: dict[str, str], cli: list[str]
) -> None:
    page = ready.post("/tests/Ann", fields)
    assert page.status_code == 400
    expected = cli_message(ready.database_url, "test", "--runner", "Ann", "--times", *cli)
    assert page_message(page.text) == expected
    assert _history(ready) == []


def test_while_the_screen_is_incomplete_no_timer_and_results_stored_unjudged(
    browser: Browser,
) -> None:
    make_runner(browser)
    page = browser.get("/tests/Ann")
    assert page.status_code == 200
    assert "data-timer" not in page.text and "endurance_timer.js" not in page.text
    assert "Red-flag screen: incomplete" in page.text
    stored = browser.post("/tests/Ann", {"en.flexor": "80"})
    assert stored.status_code == 200
    assert "Your results are stored as given, not judged." in stored.text
    assert "Stored and judged" not in stored.text
    assert _history(browser) == [("flexor_s", 80.0)]


def test_a_same_day_flag_holds_the_test_back_until_a_clearance(same_day: Browser) -> None:
    page = same_day.get("/tests/Ann")
    assert "data-timer" not in page.text
    assert 'href="/clearance/Ann">record the clearance</a>' in page.text
    same_day.post("/clearance/Ann", {"clinician": "Dr Lee"})
    assert same_day.get("/tests/Ann").text.count("data-timer ") == 6


def test_an_emergency_goes_to_the_stop_page_and_stores_as_given(browser: Browser) -> None:
    make_runner(browser)
    browser.post("/checkup/Ann", red_flag_form("no", saddle_numbness="yes"))
    assert browser.get("/tests/Ann", follow_redirects=False).headers["location"] == "/stop/Ann"
    response = browser.post("/tests/Ann", {"en.flexor": "80"}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/stop/Ann"
    assert _history(browser) == [("flexor_s", 80.0)]


def test_the_test_form_needs_the_token(ready: Browser) -> None:
    refused = ready.client.post("/tests/Ann", data={"en.flexor": "80"})
    assert refused.status_code == 403
    assert _history(ready) == []
    assert ready.get("/tests/Bob").status_code == 404
