"""Runners: list, create (as ``upright profile``), open; bad input refused as the CLI
refuses it, with nothing stored."""

from __future__ import annotations

import pytest

from upright.services.runner_index import list_runners
from upright.services.runner_record import update_profile

from ._cli import page_message
from .conftest import Browser, make_runner


def test_the_list_starts_empty_and_shows_the_form(browser: Browser) -> None:
    page = browser.get("/runners")
    assert page.status_code == 200
    assert "No runner is stored yet." in page.text
    for field in ('for="alias"', 'for="sex"', 'for="height_cm"'):
        assert field in page.text  # every field has its label


def test_root_goes_to_the_runners(browser: Browser) -> None:
    response = browser.get("/", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/runners"


def test_create_stores_the_profile_and_opens_the_runner(browser: Browser) -> None:
    response = browser.post(
        "/runners",
        {"alias": "  Ann  ", "sex": "female", "height_cm": "168.5"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/runner/Ann"
    [row] = browser.stored(list_runners)
    assert (row.alias, row.sex, row.height_cm) == ("Ann", "female", 168.5)
    home = browser.get("/runner/Ann")
    assert home.status_code == 200
    assert "Red-flag screen: incomplete" in home.text
    assert '<a href="/runners"' not in home.text or "Ann" in home.text
    listing = browser.get("/runners")
    assert 'href="/runner/Ann"' in listing.text


def test_an_alias_with_a_slash_or_spaces_opens(browser: Browser) -> None:
    make_runner(browser, "Ann / Bob?")
    listing = browser.get("/runners")
    assert 'href="/runner/Ann%20%2F%20Bob%3F"' in listing.text
    home = browser.get("/runner/Ann%20%2F%20Bob%3F")
    assert home.status_code == 200
    assert "<h1>Ann / Bob?</h1>" in home.text


def _service_message(**kwargs: object) -> str:
    try:
        update_profile(**kwargs)  # type: ignore[arg-type]
    except Exception as err:  # the service's own message
        return err.message  # type: ignore[attr-defined, no-any-return]
    raise AssertionError("the service accepted it")


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"alias": "Ann", "height_cm": "300"}, {"alias": "Ann", "height_cm": 300.0}),
        ({"alias": "Ann", "height_cm": "12"}, {"alias": "Ann", "height_cm": 12.0}),
        ({"alias": "   "}, {"alias": "   "}),
    ],
)
def test_bad_profile_gives_the_services_message_and_stores_nothing(
    browser: Browser, fields: dict[str, str], expected: dict[str, object]
) -> None:
    page = browser.post("/runners", fields)
    assert page.status_code == 400
    message = browser.stored(lambda: _service_message(**expected))
    assert page_message(page.text) == message
    assert browser.stored(list_runners) == []
    assert 'value="Ann"' in page.text or fields["alias"].strip() == ""  # what was typed stays


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"alias": "Ann", "height_cm": "tall"}, "--height-cm 'tall' is not a number"),
        ({"alias": "Ann", "height_cm": "nan"}, "--height-cm is nan"),
        ({"alias": "Ann", "sex": "other"}, "--sex 'other' is not one of the choices"),
    ],
)
def test_text_that_is_not_a_value_is_refused(
    browser: Browser, fields: dict[str, str], words: str
) -> None:
    page = browser.post("/runners", fields)
    assert page.status_code == 400
    assert words in page_message(page.text)
    assert browser.stored(list_runners) == []


def test_an_unknown_runner_is_not_found_with_the_clis_message(browser: Browser) -> None:
    make_runner(browser, "Ann")
    page = browser.get("/runner/Bob")
    assert page.status_code == 404
    assert "unknown runner &#39;Bob&#39;. Known runners: Ann" in page.text


def test_home_of_the_demo_journey_shows_every_part(browser: Browser) -> None:
    """A runner with a stored journey: causes, stage, next session, lean, norms, chart."""
    import datetime as dt

    from upright.services.demo import DEMO_AFTER_SPEC, analyze_demo_runner
    from upright.services.demo_journey import DEMO_ALIAS, store_demo_journey

    _, before = analyze_demo_runner(20.0)
    _, after = analyze_demo_runner(20.0, DEMO_AFTER_SPEC)
    browser.stored(lambda: store_demo_journey(before, after, dt.date.today()))
    page = browser.get(f"/runner/{DEMO_ALIAS}")
    assert page.status_code == 200
    text = page.text
    assert text.index("Red-flag screen: clear") < text.index("The three causes")
    for words in (
        # the three causes, each with its verdict
        'Weakness and compensation: <span class="tag">',
        'Running posture fault: <span class="tag">',
        'Fatigue-driven posture fault: <span class="tag">',
        "Stage 2",
        "Next session:",
        "Latest trunk lean:",
        "Change since",
        "Endurance against norms",
        'data-figure="{',
        "/vendor/plotly.min.js",
    ):
        assert words in text, words
    assert "A video analysis of your running" not in text  # two are stored
