"""Sessions are what was done: only a session with every prescribed exercise at its dose
counts towards moving up a stage."""

from __future__ import annotations

import datetime as dt

import pytest

from upright.assessment.answers import parse_answers
from upright.assessment.redflags import RED_FLAG_KEYS, red_flag_questions
from upright.errors import InputError
from upright.services.endurance_test import build_results
from upright.services.runner_program import plan_for_runner
from upright.services.runner_record import (
    _session,
    checkup_for_runner,
    endurance_for_runner,
    record_clearance,
    update_profile,
)
from upright.services.training_log import SessionLogged, log_session, parse_exercises
from upright.store import add_session_log, get_runner, session_logs

TODAY = dt.date(2026, 2, 20)
IN_FULL = ("curl_up=120", "side_plank=120", "bird_dog=120", "glute_bridge=120")


def runner(alias: str = "ana", *, weak: bool = False) -> str:
    update_profile(alias)
    if weak:  # ache after standing + a poor single-leg bridge test: weakness likely
        results = build_results({"single_leg_bridge_left": 12}, None, "general")
        endurance_for_runner(alias, results, None)
    answers = parse_answers(
        {
            "red_flags": dict.fromkeys(RED_FLAG_KEYS, False),
            "symptoms": {"standing_ache": weak},
        }
    )
    checkup_for_runner(alias, answers, [])
    return alias


def log(alias: str, day: int, done: tuple[str, ...], completed: bool = True) -> SessionLogged:
    return log_session(
        alias,
        exercises=list(done),
        form="good",
        pain_during=1,
        pain_next_morning=0,
        day=dt.date(2026, 2, day),
        today=TODAY,
        completed=completed,
    )


def test_one_of_six_exercises_on_two_days_does_not_progress() -> None:
    alias = runner(weak=True)
    first_session = plan_for_runner(
        alias, sessions_per_week=3, weeks=1, start_date=TODAY
    ).plan.sessions[0]
    planned = [p.key for p in first_session.exercises]
    assert len(planned) == 6 and "front_plank" in planned and "clamshell_hold" in planned
    for day in (3, 5):
        logged = log(alias, day, ("side_plank=120",))
        assert logged.completion == "partial"
        assert logged.check.missing == [k for k in planned if k != "side_plank"]
    assert logged.decision.action == "hold"
    assert "not done in full" in logged.decision.reason
    assert plan_for_runner(alias, sessions_per_week=3, weeks=1, start_date=TODAY).level == 1


def test_every_prescribed_exercise_at_its_dose_twice_progresses() -> None:
    alias = runner()
    first = log(alias, 3, IN_FULL)
    assert first.completion == "full" and first.check.in_full
    second = log(alias, 5, ("dead_bug=120", *IN_FULL[1:]))
    assert second.completion == "full"
    assert second.decision.action == "progress" and second.decision.new_level == 2
    assert "2 sessions in a row done in full" in second.decision.reason


def test_below_the_dose_is_partial_and_stored_so() -> None:
    alias = runner()
    logged = log(alias, 3, ("curl_up=120", "side_plank=60", "bird_dog=120", "glute_bridge=120"))
    assert logged.completion == "partial"
    assert "below the dose: side_plank 60 of 120 s" in logged.check.reason
    log(alias, 5, IN_FULL)
    with _session("read") as session:
        stored = session_logs(session, get_runner(session, alias))
        assert [(x.completion, x.completed) for x in stored] == [
            ("partial", False),
            ("full", True),
        ]


def test_cut_short_is_partial_whatever_was_logged() -> None:
    alias = runner()
    logged = log(alias, 3, IN_FULL, completed=False)
    assert logged.completion == "partial"
    assert logged.check.reason == "Not done in full: you said the session was cut short."


def test_without_a_checkup_nothing_is_prescribed() -> None:
    update_profile("bo")
    logged = log("bo", 3, IN_FULL)
    assert logged.completion == "partial"
    assert "no check-up is stored" in logged.check.reason
    assert "upright checkup --runner bo" in logged.check.reason
    assert logged.decision is None  # never answered is never clear: no advice either
    assert logged.red_flags.status == "incomplete"


def test_a_session_logged_while_a_red_flag_is_open_is_partial_and_never_counts() -> None:
    """Two sessions in full while a review-level flag is open: each is stored as partial
    (no plan prescribes a session) with no decision; after a clearance it takes two
    sessions in full to move up, as if the blocked ones were never done in full."""
    update_profile("cy")
    review = next(q.key for q in red_flag_questions() if q.level == "review")
    red_flags = dict.fromkeys(RED_FLAG_KEYS, False) | {review: True}
    checkup_for_runner("cy", parse_answers({"red_flags": red_flags}), [])
    for day in (3, 5):
        held = log("cy", day, IN_FULL)
        assert held.decision is None and held.red_flags.plan_blocked
        assert held.completion == "partial" and not held.check.in_full
        assert "the plan is blocked while a red flag is open" in held.check.reason
        assert held.level == 1
    record_clearance("cy", "Dr Lee, GP")
    first = log("cy", 7, IN_FULL)
    assert first.completion == "full"
    assert first.decision is not None and first.decision.action == "hold"
    second = log("cy", 9, ("dead_bug=120", *IN_FULL[1:]))
    assert second.decision is not None and second.decision.action == "progress"
    with _session("read") as session:
        stored = session_logs(session, get_runner(session, "cy"))
        assert [x.completion for x in stored] == ["partial", "partial", "full", "full"]


def test_a_session_logged_before_doses_were_checked_never_counts_in_full() -> None:
    alias = runner()
    with _session("an older upright's log") as session:
        add_session_log(
            session,
            get_runner(session, alias),
            day=dt.date(2026, 2, 1),
            level=1,
            exercises={"side_plank": 6.0},
            completed=True,
            form="good",
            pain_during=1,
            pain_next_morning=0,
        )
    after = log(alias, 3, IN_FULL)
    assert after.decision.action == "hold"  # one session in full, not two
    assert log(alias, 5, IN_FULL).decision.action == "progress"


def test_unknown_key_and_bad_number_name_the_unit() -> None:
    with pytest.raises(InputError, match=r"unknown exercise 'plank'"):
        parse_exercises(["plank=120"])
    with pytest.raises(
        InputError, match=r"side_plank: 'ten' .*seconds held in all.*side_plank=120"
    ):
        parse_exercises(["side_plank=ten"])
