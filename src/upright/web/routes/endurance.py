"""Endurance tests (``upright test --runner``): each protocol in words with a timer that
runs in the browser, and a form for typed results. A time from the timer is sent as a
typed result, so both go through the same service as ``upright test --times``: judged
against the norms of the runner's profile, with the change from their last result.

The red-flag gate is the command's: while the runner's screen blocks the plan, no timer
is offered and nothing is judged; typed results are stored as given. An emergency goes
to the stop page (the results are stored as given first, as the command stores them).
"""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from upright.assessment.redflags import RedFlagScreen
from upright.errors import InputError, UprightError
from upright.services.endurance_test import (
    GET_READY_S,
    PROTOCOLS,
    REP_SIDES,
    REST_S,
    TIME_KEYS,
    EnduranceTestReport,
    build_results,
    guided_order,
    parse_times,
    protocol_note,
    times_key,
)
from upright.services.red_flag_gate import EnduranceTestHeldBack, hold_back_test
from upright.services.runner_index import runner_screen
from upright.services.runner_record import endurance_for_runner, norms_for_runner
from upright.web.forms import FormData, text
from upright.web.pages import FormDep, guarded, render, runner_path

router = APIRouter()

#: The single-leg bridge test in words (reps until form is lost; typed, no timer).
REPS_STEPS = (
    "Lie on your back with one heel on a box about 60 cm high, the other leg up; bridge up "
    "and down on that leg until you cannot keep form. Count the reps."
)


def _test_names() -> dict[str, str]:
    names = {p.key: p.name for p in PROTOCOLS}
    names.update({key: f"Single-leg bridge, {side} leg" for key, side in REP_SIDES})
    return names


def _page(
    request: Request,
    alias: str,
    screen: RedFlagScreen,
    values: FormData,
    *,
    error: UprightError | None = None,
    report: EnduranceTestReport | None = None,
    held: EnduranceTestHeldBack | None = None,
) -> HTMLResponse:
    names = _test_names()
    order = guided_order(secrets.randbelow(10_000))
    return render(
        request,
        "tests/tests.html",
        {
            "alias": alias,
            "screen": screen,
            "values": values,
            "error": error,
            "report": report,
            "held": held,
            "protocols": PROTOCOLS,
            "rep_sides": REP_SIDES,
            "reps_steps": REPS_STEPS,
            "names": names,
            "order": [names[k] for k in order],
            "note": protocol_note(),
            "get_ready_s": GET_READY_S,
            "rest_s": int(REST_S),
            "times_key": times_key,
        },
        status_code=200 if error is None else 400,
    )


def _screen_or_404(request: Request, alias: str) -> RedFlagScreen | HTMLResponse:
    screen = guarded(lambda: runner_screen(alias))
    if isinstance(screen, UprightError):
        return render(
            request, "error.html", {"status": 404, "detail": screen.message}, status_code=404
        )
    return screen


@router.get("/tests/{alias:path}", name="endurance_tests")
def tests_page(request: Request, alias: str) -> Response:
    """Every protocol with its timer (none while a red flag is open), and the typed form."""
    screen = _screen_or_404(request, alias)
    if isinstance(screen, HTMLResponse):
        return screen
    if screen.stop_everything:
        return RedirectResponse(runner_path(request, "checkup_stop", alias), status_code=303)
    return _page(request, alias, screen, {})


def _run_test(alias: str, form: FormData) -> EnduranceTestReport | EnduranceTestHeldBack:
    """``upright test --runner ALIAS --times KEY=VALUE ...`` with the filled fields."""
    items = [f"{key}={text(form, f'en.{key}')}" for key in TIME_KEYS if text(form, f"en.{key}")]
    if not items:
        raise InputError("--times needs results", fix="Write e.g. --times flexor=120 extensor=95")
    values = parse_times(items)
    sex, population = norms_for_runner(alias, None, None)
    results = build_results(values, sex, population)
    held = hold_back_test(alias, results)
    if held is not None:
        return held
    return endurance_for_runner(alias, results, None)


@router.post("/tests/{alias:path}", name="endurance_post")
def tests_post(request: Request, alias: str, form: FormDep) -> Response:
    """Judge and store the results (nothing stored on bad input); while a red flag is
    open, store them as given and show the screen instead."""
    screen = _screen_or_404(request, alias)
    if isinstance(screen, HTMLResponse):
        return screen
    outcome: Any = guarded(lambda: _run_test(alias, form))
    if isinstance(outcome, UprightError):
        return _page(request, alias, screen, form, error=outcome)
    if isinstance(outcome, EnduranceTestHeldBack):
        if outcome.red_flags.stop_everything:
            return RedirectResponse(runner_path(request, "checkup_stop", alias), status_code=303)
        return _page(request, alias, outcome.red_flags, {}, held=outcome)
    return _page(request, alias, screen, {}, report=outcome)
