"""plan_for_runner: the stored runner's plan follows the stored session logs."""

from __future__ import annotations

import datetime as dt

from upright.assessment.answers import parse_answers
from upright.assessment.redflags import RED_FLAG_KEYS
from upright.program.plan import STAGE_SOURCE, STAGE_TITLES
from upright.services.runner_program import NO_LOGS_REASON, RunnerPlan, plan_for_runner
from upright.services.runner_record import checkup_for_runner, update_profile
from upright.services.training_log import SessionLogged, log_session

TODAY = dt.date(2026, 1, 20)
START = dt.date(2026, 1, 21)


def runner_with_checkup(alias: str = "ana", **flags: bool) -> str:
    update_profile(alias)
    answers = parse_answers({"red_flags": dict.fromkeys(RED_FLAG_KEYS, False) | flags})
    checkup_for_runner(alias, answers, [])
    return alias


#: The stage 1 session of a runner with no likely cause, each exercise at its dose.
STAGE_1_IN_FULL = ("curl_up=120", "side_plank=120", "bird_dog=120", "glute_bridge=120")


def log(alias: str, day: int, pain: int = 2, morning: int = 1) -> SessionLogged:
    return log_session(
        alias,
        exercises=list(STAGE_1_IN_FULL),
        form="good",
        pain_during=pain,
        pain_next_morning=morning,
        day=dt.date(2026, 1, day),
        today=TODAY,
    )


def plan(alias: str) -> RunnerPlan:
    return plan_for_runner(alias, sessions_per_week=3, weeks=2, start_date=START)


def stage_choice(built: RunnerPlan) -> str:
    [choice] = [c for c in built.plan.choices if c.source == STAGE_SOURCE]
    assert choice.what == f"Stage {built.level}: {STAGE_TITLES[built.level]}"
    return choice.reason


def test_no_logs_stage_1() -> None:
    built = plan(runner_with_checkup())
    assert built.level == 1 and built.plan.stage == 1
    assert built.level_reason == NO_LOGS_REASON == "No sessions logged yet: start at stage 1"
    assert stage_choice(built) == NO_LOGS_REASON
    assert {s.stage for s in built.plan.sessions} == {1}


def test_one_good_session_holds_at_stage_1() -> None:
    alias = runner_with_checkup()
    logged = log(alias, 5)
    built = plan(alias)
    assert built.level == 1 and built.plan.stage == 1
    assert stage_choice(built) == f"After 1 logged session: {logged.decision.reason}"
    assert "one more" in built.level_reason


def test_two_good_sessions_move_the_plan_to_stage_2_and_pain_7_back_to_1() -> None:
    alias = runner_with_checkup()
    log(alias, 5)
    second = log(alias, 7)
    assert second.decision.action == "progress"
    built = plan(alias)
    assert built.level == 2 and built.plan.stage == 2
    assert stage_choice(built) == f"After 2 logged sessions: {second.decision.reason}"
    assert "move up to stage 2" in built.level_reason
    for s in built.plan.sessions:
        assert s.stage == 2
        assert [p.key for p in s.exercises] == [
            "dead_bug_reach",
            "bird_dog_reach",
            "side_plank_abduction",
            "bridge_march",
            "anti_rotation_press",
        ]
    painful = log(alias, 9, pain=7, morning=7)
    assert painful.level == 2 and painful.decision.action == "regress"
    back = plan(alias)
    assert back.level == 1 and back.plan.stage == 1
    assert stage_choice(back) == f"After 3 logged sessions: {painful.decision.reason}"
    assert "7/10" in back.level_reason
    assert {p.stage for s in back.plan.sessions for p in s.exercises} == {1}


def test_no_session_is_in_full_while_the_plan_is_blocked() -> None:
    alias = runner_with_checkup(**{RED_FLAG_KEYS[-1]: True})
    first = log(alias, 5)
    assert first.completion == "partial"
    assert "the plan is blocked while a red flag is open" in first.check.reason
    log(alias, 7)
    built = plan(alias)
    assert built.level == 1
    assert built.plan.blocked and built.plan.sessions == []


def test_two_in_a_row_counts_only_since_the_last_level_change() -> None:
    """A good stage-1 session before a move up and back down does not pair with the first
    good session after it: the runner holds at stage 1."""
    import datetime as dt

    from upright.services.training_log import decision_after
    from upright.store import SessionLog

    def log(day: int, level: int, pain: int, morning: int) -> SessionLog:
        return SessionLog(
            day=dt.date(2026, 1, day),
            level=level,
            exercises={},
            completed=True,
            completion="full",
            form="good",
            pain_during=pain,
            pain_next_morning=morning,
        )

    logs = [log(1, 1, 2, 1), log(3, 1, 2, 1), log(5, 2, 3, 5), log(7, 1, 2, 1)]
    assert [decision_after(logs[:i]).action for i in range(1, 5)] == [
        "hold",
        "progress",
        "regress",
        "hold",
    ]
    assert decision_after(logs).new_level == 1
    assert decision_after([*logs, log(9, 1, 1, 1)]).action == "progress"
