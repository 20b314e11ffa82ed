"""build_plan at stages 1-3: exercises per triage pattern, 20-30 min, stage, blocks."""

from __future__ import annotations

import datetime as dt

import pytest

from program.factories import clear_screen, make_triage
from upright.assessment.redflags import RED_FLAG_KEYS, screen_red_flags
from upright.assessment.triage import TriageResult, Verdict
from upright.errors import InputError
from upright.program.plan import (
    MAX_SESSION_MIN,
    MIN_SESSION_MIN,
    POSTURE_CUES,
    STAGE_SOURCE,
    build_plan,
)

START = dt.date(2026, 1, 5)
PATTERNS: dict[str, dict[str, Verdict]] = {
    "none": {},
    "weakness": {"weakness": "likely"},
    "posture": {"posture": "likely"},
    "fatigue": {"fatigue": "likely"},
    "all": {"weakness": "likely", "posture": "likely", "fatigue": "likely"},
}
S1 = ["curl_up", "side_plank", "bird_dog", "glute_bridge"]
S2 = ["dead_bug_reach", "bird_dog_reach", "side_plank_abduction", "bridge_march"]
S2 += ["anti_rotation_press"]
S3 = ["single_leg_balance_hinge", "step_up", "side_plank_abduction", "anti_rotation_press"]
S3 += ["a_march"]
#: (stage, pattern) -> exercise keys of session 1 in order, and its minutes (3 min
#: warm-up + the catalogue minutes of each exercise).
EXPECTED: dict[tuple[int, str], tuple[list[str], float]] = {
    (1, "none"): (S1, 21),
    (1, "weakness"): ([*S1, "front_plank", "clamshell_hold"], 27),
    (1, "posture"): ([*S1, "a_march"], 24),
    (1, "fatigue"): ([*S1, "a_march"], 24),
    (1, "all"): ([*S1, "front_plank", "clamshell_hold", "a_march"], 30),
    (2, "none"): (S2, 22),
    (2, "weakness"): ([*S2, "single_leg_bridge", "loaded_hinge"], 30),
    (2, "posture"): ([*S2, "a_march"], 25),
    (2, "fatigue"): ([*S2, "a_march"], 25),
    (2, "all"): ([*S2, "single_leg_bridge", "a_march"], 29),
    (3, "none"): (S3, 22),
    (3, "weakness"): ([*S3, "single_leg_bridge"], 26),
    (3, "posture"): ([*S3, "a_skip"], 25),
    (3, "fatigue"): ([*S3, "a_skip"], 25),
    (3, "all"): ([*S3, "single_leg_bridge", "a_skip"], 29),
}
#: Catalogue stages a plan at each stage may draw on: the posture drills are stage-3
#: drills added early; stage 3 keeps the stage-2 side plank, press and single-leg bridge.
ALLOWED_STAGES = {1: {1, 3}, 2: {2, 3}, 3: {2, 3}}


@pytest.mark.parametrize(("stage", "pattern"), sorted(EXPECTED))
def test_sessions_follow_the_stage_table(stage: int, pattern: str) -> None:
    keys, minutes = EXPECTED[(stage, pattern)]
    plan = build_plan(
        make_triage(**PATTERNS[pattern]), clear_screen(), start_date=START, stage=stage
    )
    assert not plan.blocked
    assert plan.stage == stage and len(plan.sessions) == 21
    for s in plan.sessions:
        expected = list(keys)
        if stage == 1 and s.number % 2 == 0:
            expected[0] = "dead_bug"  # the flexor hold alternates
        assert [p.key for p in s.exercises] == expected
        assert s.stage == stage
        assert s.duration_min == minutes
        assert MIN_SESSION_MIN <= s.duration_min <= MAX_SESSION_MIN
        assert {p.stage for p in s.exercises} <= ALLOWED_STAGES[stage]
        assert all(p.reason and p.source for p in s.exercises)
        if stage > 1:
            assert all(p.reason.startswith(f"Stage {stage}") for p in s.exercises)
    assert all(c.reason and c.source for c in plan.choices)


@pytest.mark.parametrize("stage", [1, 2, 3])
@pytest.mark.parametrize("pattern", sorted(PATTERNS))
def test_posture_cues_when_likely_and_always_at_stage_3(stage: int, pattern: str) -> None:
    plan = build_plan(
        make_triage(**PATTERNS[pattern]), clear_screen(), start_date=START, stage=stage
    )
    cued = stage == 3 or pattern in ("posture", "fatigue", "all")
    assert plan.posture_cues == (list(POSTURE_CUES) if cued else [])
    assert any("last third" in n for n in plan.sessions[0].notes) is cued


def test_stage_1_is_the_default() -> None:
    triage = make_triage(**PATTERNS["all"])
    default = build_plan(triage, clear_screen(), start_date=START)
    assert default == build_plan(triage, clear_screen(), start_date=START, stage=1)
    assert default.stage == 1
    assert not [c for c in default.choices if c.source == STAGE_SOURCE]


def test_stage_reason_is_the_first_choice() -> None:
    plan = build_plan(
        make_triage(),
        clear_screen(),
        start_date=START,
        stage=2,
        stage_reason="Two good sessions: move up to stage 2.",
    )
    first = plan.choices[0]
    assert first.what == "Stage 2: dynamic"
    assert first.reason == "Two good sessions: move up to stage 2."
    assert first.source == "upright's progression rule (design heuristic)"
    assert [c.source for c in plan.choices].count(STAGE_SOURCE) == 1


def test_loaded_hinge_left_out_when_the_posture_drill_takes_the_room() -> None:
    everything = build_plan(
        make_triage(**PATTERNS["all"]), clear_screen(), start_date=START, stage=2
    )
    assert "Loaded hip hinge (kettlebell deadlift) left out" in [c.what for c in everything.choices]
    weakness = build_plan(
        make_triage(**PATTERNS["weakness"]), clear_screen(), start_date=START, stage=2
    )
    assert not [c for c in weakness.choices if c.what.endswith("left out")]


@pytest.mark.parametrize("stage", [0, 4, -1, True])
def test_stage_outside_1_to_3_is_an_error(stage: int) -> None:
    with pytest.raises(InputError, match=r"plan: stage is (0|4|-1|True)"):
        build_plan(make_triage(), clear_screen(), start_date=START, stage=stage)


@pytest.mark.parametrize("stage", [2, 3])
def test_open_red_flag_blocks_at_any_stage(stage: int) -> None:
    answers: dict[str, bool | None] = dict.fromkeys(RED_FLAG_KEYS, False)
    answers[RED_FLAG_KEYS[-1]] = True
    screen = screen_red_flags(answers)
    assert screen.plan_blocked
    plan = build_plan(
        make_triage(weakness="likely"), screen, start_date=START, stage=stage, stage_reason="x"
    )
    assert plan.blocked and plan.sessions == [] and plan.choices == []
    assert plan.stage == stage
    assert "not a medical device" in plan.blocked_reason


def test_stopped_triage_blocks_at_stage_3() -> None:
    stopped: TriageResult = make_triage().model_copy(
        update={"stopped": True, "stop_reason": "Triage stopped: see a clinician."}
    )
    plan = build_plan(stopped, clear_screen(), start_date=START, stage=3)
    assert plan.blocked and plan.sessions == []
    assert plan.blocked_reason.startswith("Triage stopped: see a clinician.")
