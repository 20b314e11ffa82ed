"""Red-flag screen: every flag at every level, incomplete screens, clearance, bad input."""

from __future__ import annotations

import pytest

from upright.assessment.redflags import (
    RED_FLAG_KEYS,
    RedFlagQuestion,
    red_flag_questions,
    screen_red_flags,
)
from upright.errors import InputError

QUESTIONS = red_flag_questions()
ALL_NO: dict[str, bool | None] = dict.fromkeys(RED_FLAG_KEYS, False)


def test_levels_match_clinical_section_2() -> None:
    by_level: dict[str, list[str]] = {}
    for q in QUESTIONS:
        by_level.setdefault(q.level, []).append(q.key)
    # NICE NG59: 6 cauda-equina signs; fever/unwell + 3 infection risks; 10 review items
    assert len(by_level["emergency"]) == 6
    assert len(by_level["same_day"]) == 4
    assert len(by_level["review"]) == 10
    assert all(q.source for q in QUESTIONS)
    unverified = [q.key for q in QUESTIONS if q.unverified]
    assert unverified == ["inflammatory_pattern"]
    inflammatory = next(q for q in QUESTIONS if q.key == "inflammatory_pattern")
    assert "not yet checked against the NICE NG65 text" in inflammatory.source


@pytest.mark.parametrize("question", QUESTIONS, ids=[q.key for q in QUESTIONS])
def test_each_flag_caught_at_its_level(question: RedFlagQuestion) -> None:
    screen = screen_red_flags({**ALL_NO, question.key: True})
    assert screen.status == question.level
    assert [h.key for h in screen.hits] == [question.key]
    assert screen.plan_blocked
    assert screen.stop_everything is (question.level == "emergency")
    assert "not a medical device" in screen.advice
    if question.level == "emergency":
        assert "emergency care now" in screen.advice


@pytest.mark.parametrize("question", QUESTIONS, ids=[q.key for q in QUESTIONS])
def test_clearance_lifts_only_same_day_and_review(question: RedFlagQuestion) -> None:
    screen = screen_red_flags({**ALL_NO, question.key: True}, clearance_recorded=True)
    assert screen.status == question.level
    assert screen.plan_blocked is (question.level == "emergency")


@pytest.mark.parametrize("question", QUESTIONS, ids=[q.key for q in QUESTIONS])
def test_each_unanswered_flag_makes_screen_incomplete(question: RedFlagQuestion) -> None:
    for answers in (
        {**ALL_NO, question.key: None},
        {k: v for k, v in ALL_NO.items() if k != question.key},
    ):
        screen = screen_red_flags(answers, clearance_recorded=True)
        assert screen.status == "incomplete"
        assert screen.unanswered == [question.key]
        assert screen.plan_blocked


def test_all_no_is_clear() -> None:
    screen = screen_red_flags(ALL_NO)
    assert screen.status == "clear"
    assert not screen.plan_blocked
    assert screen.hits == [] and screen.unanswered == []


def test_empty_screen_is_incomplete_not_clear() -> None:
    screen = screen_red_flags({})
    assert screen.status == "incomplete"
    assert screen.unanswered == list(RED_FLAG_KEYS)
    assert "never taken as a no" in screen.advice


def test_highest_level_wins_and_all_hits_are_listed() -> None:
    screen = screen_red_flags(
        {**ALL_NO, "cancer_history": True, "fever_chills_unwell": True, "saddle_numbness": True}
    )
    assert screen.status == "emergency"
    assert {h.key for h in screen.hits} == {
        "cancer_history",
        "fever_chills_unwell",
        "saddle_numbness",
    }
    screen = screen_red_flags({**ALL_NO, "cancer_history": True, "immunosuppression": True})
    assert screen.status == "same_day"


def test_positive_flag_with_unanswered_keeps_level_and_asks_for_the_rest() -> None:
    screen = screen_red_flags({"cancer_history": True})
    assert screen.status == "review"
    assert "unanswered" in screen.advice
    assert len(screen.unanswered) == len(RED_FLAG_KEYS) - 1


@pytest.mark.parametrize("cleared", [False, True])
@pytest.mark.parametrize("level", ["emergency", "same_day", "review"])
def test_emergency_says_one_thing_others_ask_for_the_unanswered(level: str, cleared: bool) -> None:
    key = next(q.key for q in QUESTIONS if q.level == level)
    screen = screen_red_flags({key: True}, clearance_recorded=cleared)
    assert screen.status == level
    body = screen.advice.removesuffix(screen.disclaimer).strip()
    if level == "emergency":
        assert body.endswith("upright's check-up and plan stop here.")
        assert "unanswered" not in screen.advice
    else:
        assert body.endswith(f"Also answer the {len(RED_FLAG_KEYS) - 1} unanswered question(s).")


def test_unknown_key_is_named_with_allowed_keys() -> None:
    with pytest.raises(
        InputError, match=r"red_flags: unknown key\(s\) fever\. Use only these keys: bladder_change"
    ):
        screen_red_flags({"fever": True})


@pytest.mark.parametrize("value", ["yes", 1, 0.0])
def test_non_boolean_answer_is_rejected(value: object) -> None:
    with pytest.raises(InputError, match=r"red_flags.cancer_history: got .*true \(yes\), false"):
        screen_red_flags({"cancer_history": value})  # type: ignore[dict-item]
