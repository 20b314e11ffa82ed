"""build_plan: stage-1 base, extra work per likely cause, red-flag block, schedule."""

from __future__ import annotations

import datetime as dt

import pytest

from program.factories import clear_screen, make_triage
from upright.assessment.redflags import RED_FLAG_KEYS, screen_red_flags
from upright.errors import InputError
from upright.program.plan import MAX_SESSION_MIN, MIN_SESSION_MIN, build_plan

START = dt.date(2026, 1, 5)
STAGE1 = {"side_plank", "bird_dog", "glute_bridge"}


def test_no_likely_cause_gives_the_stage1_base() -> None:
    plan = build_plan(make_triage(), clear_screen(), start_date=START)
    assert not plan.blocked
    assert plan.stage == 1 and len(plan.sessions) == 21
    for s in plan.sessions:
        keys = {p.key for p in s.exercises}
        assert keys >= STAGE1
        assert keys & {"curl_up", "dead_bug"}
        assert not keys & {"front_plank", "clamshell_hold", "a_march"}
        assert all(p.stage == 1 for p in s.exercises)
        assert all(p.reason and p.source for p in s.exercises)
    assert plan.posture_cues == []
    assert all(c.reason and c.source for c in plan.choices)


def test_weakness_likely_adds_glute_and_endurance_work() -> None:
    plan = build_plan(make_triage(weakness="likely"), clear_screen(), start_date=START)
    keys = {p.key for p in plan.sessions[0].exercises}
    assert {"front_plank", "clamshell_hold"} <= keys
    assert any("weakness" in c.reason.lower() for c in plan.choices)


def test_weakness_possible_does_not_add_work() -> None:
    plan = build_plan(make_triage(weakness="possible"), clear_screen(), start_date=START)
    assert "front_plank" not in {p.key for p in plan.sessions[0].exercises}


@pytest.mark.parametrize("cause", ["posture", "fatigue"])
def test_posture_or_fatigue_likely_adds_drills_and_cues(cause: str) -> None:
    plan = build_plan(make_triage(**{cause: "likely"}), clear_screen(), start_date=START)
    assert "a_march" in {p.key for p in plan.sessions[0].exercises}
    assert any("last third" in c for c in plan.posture_cues)
    assert any("last third" in n for n in plan.sessions[0].notes)


def test_session_length_stays_within_20_to_30_min() -> None:
    everything = make_triage(weakness="likely", posture="likely", fatigue="likely")
    for triage in (make_triage(), everything):
        for s in build_plan(triage, clear_screen(), start_date=START).sessions:
            assert MIN_SESSION_MIN <= s.duration_min <= MAX_SESSION_MIN


@pytest.mark.parametrize(
    ("per_week", "first_week"),
    [(3, [5, 7, 9]), (4, [5, 6, 8, 10]), (5, [5, 6, 8, 9, 11])],
)
def test_weekly_schedule_has_dates(per_week: int, first_week: list[int]) -> None:
    plan = build_plan(make_triage(), clear_screen(), sessions_per_week=per_week, start_date=START)
    assert len(plan.sessions) == 7 * per_week
    assert [s.date.day for s in plan.sessions[:per_week]] == first_week
    assert all(s.week == 1 for s in plan.sessions[:per_week])
    assert plan.sessions[per_week].date == START + dt.timedelta(days=7)
    assert plan.sessions[-1].week == 7


def test_advice_carries_the_disclaimer() -> None:
    plan = build_plan(make_triage(), clear_screen(), start_date=START)
    for text in (plan.running_load_advice, plan.progression_rule, plan.disclaimer):
        assert "not a medical device" in text
    assert "0-2 is safe" in plan.running_load_advice


def test_open_red_flag_blocks_the_plan() -> None:
    answers: dict[str, bool | None] = dict.fromkeys(RED_FLAG_KEYS, False)
    answers[RED_FLAG_KEYS[-1]] = True
    screen = screen_red_flags(answers)
    assert screen.plan_blocked
    plan = build_plan(make_triage(weakness="likely"), screen, start_date=START)
    assert plan.blocked and plan.sessions == []
    assert "not a medical device" in plan.blocked_reason


def test_incomplete_screen_blocks_and_clearance_unblocks() -> None:
    assert build_plan(make_triage(), screen_red_flags({}), start_date=START).blocked
    answers: dict[str, bool | None] = dict.fromkeys(RED_FLAG_KEYS, False)
    review = [k for k in RED_FLAG_KEYS if screen_red_flags({**answers, k: True}).status == "review"]
    cleared = screen_red_flags({**answers, review[0]: True}, clearance_recorded=True)
    assert not build_plan(make_triage(), cleared, start_date=START).blocked


@pytest.mark.parametrize(("per_week", "weeks"), [(2, 7), (6, 7), (3, 0)])
def test_bad_arguments_are_errors(per_week: int, weeks: int) -> None:
    with pytest.raises(InputError, match=r"plan: (sessions_per_week|weeks)"):
        build_plan(
            make_triage(), clear_screen(), sessions_per_week=per_week, weeks=weeks, start_date=START
        )
