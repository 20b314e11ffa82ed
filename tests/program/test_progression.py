"""Progression rule and running-load advice at their boundaries (CLINICAL.md s5)."""

from __future__ import annotations

import pytest

from upright.errors import InputError
from upright.program.progression import SessionLog, decide, running_load_advice


def log(
    pain: int = 0, flare: bool | None = False, *, done: bool = True, form: bool = True
) -> SessionLog:
    return SessionLog(completed=done, good_form=form, pain_during=pain, next_morning_flare=flare)


def test_two_good_sessions_progress_one_holds() -> None:
    one = decide([log()], 1)
    assert one.action == "hold" and one.new_level == 1
    assert "one more" in one.reason.lower()
    two = decide([log(), log()], 1)
    assert two.action == "progress" and two.new_level == 2


def test_good_sessions_must_be_consecutive() -> None:
    assert decide([log(), log(done=False), log()], 2).action == "hold"
    assert decide([log(done=False), log(), log()], 2).action == "progress"


@pytest.mark.parametrize(("pain", "action"), [(3, "progress"), (4, "hold")])
def test_pain_3_progresses_pain_4_holds(pain: int, action: str) -> None:
    decision = decide([log(), log(pain)], 1)
    assert decision.action == action
    if action == "hold":
        assert "4/10" in decision.reason


@pytest.mark.parametrize(("pain", "action"), [(5, "hold"), (6, "regress")])
def test_pain_5_holds_pain_6_regresses(pain: int, action: str) -> None:
    decision = decide([log(), log(pain)], 2)
    assert decision.action == action
    assert decision.new_level == (1 if action == "regress" else 2)


def test_next_morning_rise_regresses() -> None:
    decision = decide([log(), log(0, True)], 3)
    assert decision.action == "regress" and decision.new_level == 2
    assert "morning" in decision.reason


def test_unrecorded_morning_is_not_a_good_session() -> None:
    decision = decide([log(), log(0, None)], 1)
    assert decision.action == "hold"
    assert "not recorded" in decision.reason


def test_bad_form_and_incomplete_sessions_hold() -> None:
    assert decide([log(), log(form=False)], 1).action == "hold"
    assert decide([log(), log(done=False)], 1).action == "hold"


def test_levels_stay_within_1_to_3() -> None:
    assert decide([log(9)], 1).new_level == 1
    assert "stay at stage 1 with a smaller dose" in decide([log(9)], 1).reason
    assert decide([log(9)], 2).reason.endswith("go back to stage 1.")
    top = decide([log(), log()], 3)
    assert top.action == "progress" and top.new_level == 3
    assert "add repetitions or load" in top.reason


def test_no_logs_hold_and_advice_has_disclaimer() -> None:
    decision = decide([], 1)
    assert decision.action == "hold"
    assert "not a medical device" in decision.advice


def test_bad_level_is_an_error() -> None:
    with pytest.raises(InputError, match="current_level 4"):
        decide([log()], 4)


@pytest.mark.parametrize(
    ("pain", "zone"), [(0, "safe"), (2, "safe"), (3, "acceptable"), (5, "acceptable"), (6, "stop")]
)
def test_running_load_zones(pain: int, zone: str) -> None:
    advice = running_load_advice(pain, 0)
    assert advice.zone == zone
    assert advice.reduce_next_run is (zone == "stop")
    assert "not a medical device" in advice.advice


def test_pain_not_settled_next_morning_reduces_next_run() -> None:
    settled = running_load_advice(4, 1, pain_before=1)
    assert not settled.reduce_next_run
    unsettled = running_load_advice(4, 2, pain_before=1)
    assert unsettled.reduce_next_run and "reduce the next run" in unsettled.advice
    unknown = running_load_advice(1)
    assert not unknown.reduce_next_run and "Check the next morning" in unknown.advice


@pytest.mark.parametrize("bad", [-1, 11])
def test_running_load_rejects_out_of_range_pain(bad: int) -> None:
    with pytest.raises(InputError, match="pain_during"):
        running_load_advice(bad)
