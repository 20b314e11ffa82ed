"""The one red-flag rule every advice path follows: plan, log session, log run, test.

The runner's screen is the red-flag screen of their latest stored check-up, with a stored
clinician clearance applied (it lifts a same-day or review-level flag, never an emergency
and never an unanswered screen). A runner with no stored check-up has never answered the
screen: it is incomplete, because never answered is never clear. While the screen blocks
the plan (``RedFlagScreen.plan_blocked``) upright gives no advice: no plan, no progression
decision, no running-load advice, no endurance test. What the runner reports is still
stored, so nothing is lost.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import Session

from upright.assessment.endurance import EnduranceResults
from upright.assessment.redflags import DISCLAIMER, RedFlagScreen, screen_red_flags
from upright.errors import AnswersError
from upright.services.runner_measures import store_results
from upright.services.runner_record import (
    _session,
    _stored_answers,
    _stored_clearance,
    _with_clearance,
)
from upright.store import Runner, TimedClip, get_runner, latest_checkup

__all__ = [
    "EnduranceTestHeldBack",
    "hold_back_test",
    "no_checkup_advice",
    "screen_of",
    "screen_with_stored_clearance",
]


def no_checkup_advice(alias: str) -> str:
    """The advice of the screen of a runner with no stored check-up."""
    return (
        f"No check-up is stored for runner {alias!r}: the red-flag screen has never been "
        "answered, and an unanswered question is never taken as a no. Run upright checkup "
        f"--runner {alias} first. {DISCLAIMER}"
    )


def screen_of(session: Session, runner: Runner) -> RedFlagScreen:
    """The runner's red-flag screen: the latest stored check-up with a stored clearance.

    Stored answers that no longer validate still give their screen: every red-flag answer
    that can be read counts, the rest is unanswered, and an invalid clearance is none.
    """
    latest = latest_checkup(session, runner)
    if latest is None:
        screen = screen_red_flags({})
        return screen.model_copy(update={"advice": no_checkup_advice(runner.alias)})
    try:
        answers = _with_clearance(session, runner, _stored_answers(latest))
    except AnswersError as exc:
        return _screen(session, runner, exc.red_flags, exc.clearance_recorded)
    return screen_red_flags(answers.red_flags, clearance_recorded=answers.clearance_recorded)


def screen_with_stored_clearance(
    red_flags: dict[str, bool | None], clearance_recorded: bool, alias: str | None
) -> RedFlagScreen:
    """Screen ``red_flags``; with ``alias``, a clearance stored for the runner counts too."""
    if alias is None:
        return screen_red_flags(red_flags, clearance_recorded=clearance_recorded)
    with _session("red-flag screen") as session:
        return _screen(session, get_runner(session, alias), red_flags, clearance_recorded)


def _screen(
    session: Session, runner: Runner, red_flags: dict[str, bool | None], cleared: bool
) -> RedFlagScreen:
    stored = _stored_clearance(runner) is not None
    return screen_red_flags(red_flags, clearance_recorded=cleared or stored)


class EnduranceTestHeldBack(BaseModel):
    """``upright test --runner ALIAS`` while a red flag is open: no test is started and no
    result judged. Results typed on the command line are stored as given (unjudged)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    schema_version: Literal["upright.endurance-test-held-back/1"] = (
        "upright.endurance-test-held-back/1"
    )
    red_flags: RedFlagScreen
    stored: EnduranceResults | None
    disclaimer: str = DISCLAIMER


def hold_back_test(
    alias: str,
    results: EnduranceResults | None,
    clips: Mapping[str, TimedClip] | None = None,
) -> EnduranceTestHeldBack | None:
    """None when the runner's screen lets an endurance test go ahead; otherwise store the
    typed ``results`` (if any; those timed from a clip with ``clips``, as
    :func:`store_results` does), unjudged, and say why nothing else is done.

    Raises
    ------
    InputError
        No runner has this alias.
    StoreError
        The database cannot be read or written (nothing is stored).
    """
    with _session("endurance test") as session:
        runner = get_runner(session, alias)
        screen = screen_of(session, runner)
        if not screen.plan_blocked:
            return None
        if results is not None:
            store_results(session, runner, results, clips=clips)
        return EnduranceTestHeldBack(red_flags=screen, stored=results)
