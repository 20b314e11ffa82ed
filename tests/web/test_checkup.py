"""The check-up in the browser: red flags first, an emergency ends on the stop page (and
blocks every piece of advice), a clear screen goes on to symptoms, STarT Back and typed
endurance results, then the triage. Bad input: the CLI's message, nothing stored."""

from __future__ import annotations

import re

import pytest

from upright.assessment.redflags import RED_FLAG_KEYS, red_flag_questions
from upright.errors import UprightError
from upright.services.checkup import answers_from_interview
from upright.services.runner_index import list_runners, runner_screen

from ._cli import cli_message, page_message
from .conftest import Browser, clear_checkup, make_runner, red_flag_form

EMERGENCY_KEY = next(q.key for q in red_flag_questions() if q.level == "emergency")
SAME_DAY_KEY = next(q.key for q in red_flag_questions() if q.level == "same_day")


def checkups(browser: Browser) -> int:
    [row] = browser.stored(list_runners)
    return row.checkups


def test_page_one_asks_every_red_flag_question_with_labels(browser: Browser) -> None:
    make_runner(browser)
    page = browser.get("/checkup/Ann")
    assert page.status_code == 200
    for q in red_flag_questions():
        assert q.question.replace("'", "&#39;") in page.text
        for reply in ("yes", "no", "unsure"):
            field = f'id="rf-{q.key}-{reply}"'
            assert field in page.text and f'for="rf-{q.key}-{reply}"' in page.text
    assert page.text.count("<legend>") == len(RED_FLAG_KEYS)


def test_an_emergency_answer_goes_straight_to_the_stop_page(browser: Browser) -> None:
    make_runner(browser)
    # an emergency yes, even with later questions left unanswered
    response = browser.post("/checkup/Ann", {f"rf.{EMERGENCY_KEY}": "yes"}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/stop/Ann"
    stop = browser.get("/stop/Ann")
    assert stop.status_code == 200
    screen = browser.stored(lambda: runner_screen("Ann"))
    assert screen.stop_everything
    assert "SEEK EMERGENCY CARE NOW" in stop.text
    assert screen.advice.replace("'", "&#39;") in stop.text
    main = stop.text.split('<main id="main" tabindex="-1">')[1].split("</main>")[0]
    assert "<a " not in main and "<form" not in main  # nothing else offered
    assert "<nav" not in stop.text
    assert checkups(browser) == 1


def test_after_an_emergency_no_plan_and_no_advice(browser: Browser) -> None:
    make_runner(browser)
    browser.post("/checkup/Ann", red_flag_form("no", **{EMERGENCY_KEY: "yes"}))
    plan = browser.get("/plan/Ann", follow_redirects=False)
    assert plan.status_code == 303 and plan.headers["location"] == "/stop/Ann"
    ics = browser.get("/plan-calendar/Ann", follow_redirects=False)
    assert ics.status_code == 303 and "calendar" not in ics.headers.get("content-type", "")
    triage = browser.get("/triage/Ann", follow_redirects=False)
    assert triage.headers["location"] == "/stop/Ann"
    logged = browser.post(
        "/log/run/Ann", {"distance_km": "5", "pain_during": "2"}
    )  # stored, as the CLI stores it, but no running-load advice
    assert logged.status_code == 200
    assert "Run of " in logged.text and "stored" in logged.text
    assert "Pain zone" not in logged.text
    assert "Red-flag screen: emergency" in logged.text


def test_a_clear_checkup_reaches_the_triage(browser: Browser) -> None:
    make_runner(browser, sex="female")
    page2 = browser.post("/checkup/Ann", red_flag_form("no"))
    assert page2.status_code == 200
    assert "page 2 of 2" in page2.text
    # the replies travel on as hidden fields
    assert page2.text.count('type="hidden" name="rf.') == len(RED_FLAG_KEYS)
    done = clear_checkup(
        browser,
        **{
            "sy.pain_now": "3",
            "sy.pain_onset": "6",
            "sy.pain_onset_unit": "km",
            "sy.standing_ache": "yes",
            "sy.leg_symptoms": "none",
            "sb.leg_pain": "no",
            "sb.bothersomeness": "moderately",
            "en.flexor": "80",
            "en.extensor": "60",
            "en.side_bridge_right": "40",
            "en.side_bridge_left": "38",
        },
    )
    assert done.status_code == 200
    assert str(done.url).endswith("/triage/Ann")
    text = done.text
    assert "Red-flag screen: clear" in text
    assert text.count('<article class="verdict') == 3
    assert re.search(r"Weakness and compensation: <span class=\"tag\">(likely|possible)", text)
    screen = browser.stored(lambda: runner_screen("Ann"))
    assert screen.status == "clear" and not screen.plan_blocked
    home = browser.get("/runner/Ann")
    assert "Endurance against norms" in home.text and "flexor" in home.text


def test_unsure_leaves_the_screen_incomplete_and_the_plan_blocked(browser: Browser) -> None:
    make_runner(browser)
    clear_checkup(browser)  # first a clear screen
    browser.post("/checkup/Ann", red_flag_form("no"))
    browser.post("/checkup-details/Ann", red_flag_form("no", **{SAME_DAY_KEY: "unsure"}))
    plan = browser.get("/plan/Ann")
    assert plan.status_code == 200
    assert "The exercise plan is blocked." in plan.text
    assert "Red-flag screen: incomplete" in plan.text
    assert "Download the calendar" not in plan.text


def _interview_message(symptoms: dict[str, object]) -> str:
    flags: dict[str, bool | None] = dict.fromkeys(RED_FLAG_KEYS, False)
    try:
        answers_from_interview(flags, symptoms)
    except UprightError as err:
        return err.message
    raise AssertionError("accepted")


@pytest.mark.parametrize(
    ("fields", "symptoms"),
    [
        ({"sy.pain_now": "12"}, {"pain_now": 12}),
        ({"sy.pain_now": "bad"}, {"pain_now": "bad"}),
        ({"sy.episode_weeks": "-3"}, {"episode_weeks": -3.0}),
        ({"sy.pain_onset": "900"}, {"pain_onset": {"km": 900.0}}),
    ],
)
def test_bad_symptoms_give_the_interviews_message_and_store_nothing(
    browser: Browser, fields: dict[str, str], symptoms: dict[str, object]
) -> None:
    make_runner(browser)
    page = clear_checkup(browser, **fields)
    assert page.status_code == 400
    assert page_message(page.text) == _interview_message(symptoms)
    assert checkups(browser) == 0
    assert 'value="' + next(iter(fields.values())) + '"' in page.text  # kept as typed


@pytest.mark.parametrize(
    ("field", "value", "times"),
    [
        ("en.flexor", "abc", "flexor=abc"),
        ("en.extensor", "999", "extensor=999"),
        ("en.single_leg_bridge_left", "2.5", "single_leg_bridge_left=2.5"),
    ],
)
def test_bad_endurance_times_give_the_clis_message_and_store_nothing(
    browser: Browser, field: str, value: str, times: str
) -> None:
    make_runner(browser)
    page = clear_checkup(browser, **{field: value})
    assert page.status_code == 400
    expected = cli_message(browser.database_url, "test", "--times", times)
    assert page_message(page.text) == expected
    assert checkups(browser) == 0
    home = browser.get("/runner/Ann")
    assert "No endurance result stored yet." in home.text


def test_a_checkup_for_an_unknown_runner_is_not_found(browser: Browser) -> None:
    assert browser.get("/checkup/Nobody").status_code == 404
    assert browser.post("/checkup/Nobody", red_flag_form("no")).status_code == 404
    response = browser.post("/checkup-details/Nobody", red_flag_form("no"))
    assert response.status_code == 400
    assert "unknown runner" in page_message(response.text)
