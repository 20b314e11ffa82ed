"""Answers file validation: every bad answer names its key and what is allowed."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from upright.assessment.answers import (
    SymptomAnswers,
    check_clearance_day,
    check_clinician,
    parse_answers,
    read_answers_file,
    readable_red_flags,
    symptom_questions,
)
from upright.errors import AnswersError, InputError

GOOD: dict[str, Any] = {
    "red_flags": {"cancer_history": False, "saddle_numbness": None},
    "clearance": {"recorded": True, "date": "2026-11-20", "clinician": "Dr A"},
    "symptoms": {
        "pain_now": 2,
        "pain_last_run": 5,
        "pain_after_run": 4,
        "pain_next_morning": 1,
        "pain_onset": {"km": 6.5},
        "pain_first_steps": False,
        "standing_ache": True,
        "leg_symptoms": "buttock_or_thigh",
        "previous_back_pain": True,
        "episode_weeks": 3,
    },
    "start_back": {"leg_pain": False, "bothersomeness": "moderately"},
    "odi": {"walking": 1},
    "endurance": {"flexor_s": 120, "extensor_s": 95.5, "sex": "female", "population": "general"},
}


def test_good_answers_parse() -> None:
    answers = parse_answers(GOOD)
    assert answers.clearance_recorded
    assert answers.symptoms.pain_onset is not None and answers.symptoms.pain_onset.km == 6.5
    assert answers.red_flags["saddle_numbness"] is None
    assert answers.endurance is not None and answers.endurance.extensor_s == 95.5


def test_unanswered_is_none_not_no() -> None:
    answers = parse_answers({"symptoms": {"pain_now": 3}})
    assert answers.symptoms.standing_ache is None
    assert answers.red_flags == {}
    assert not answers.clearance_recorded


def _with(section: str, value: Any) -> dict[str, Any]:
    return {**GOOD, section: value}


BAD = [
    ({"bogus": 1}, r"bogus: unknown key; allowed keys: red_flags, clearance, symptoms"),
    (_with("symptoms", {"pain_nw": 2}), r"symptoms\.pain_nw: unknown key; allowed keys: pain_now"),
    (
        _with("symptoms", {"pain_now": 11}),
        r"symptoms\.pain_now: .*less than or equal to 10 \(got 11\)",
    ),
    (_with("symptoms", {"pain_now": -1}), r"symptoms\.pain_now: .*greater than or equal to 0"),
    (_with("symptoms", {"pain_now": "3"}), r"symptoms\.pain_now: .*valid integer \(got '3'\)"),
    (_with("symptoms", {"pain_now": 2.5}), r"symptoms\.pain_now: .*valid integer"),
    (_with("symptoms", {"standing_ache": "yes"}), r"symptoms\.standing_ache: .*valid boolean"),
    (_with("symptoms", {"standing_ache": 1}), r"symptoms\.standing_ache: .*valid boolean"),
    (
        _with("symptoms", {"leg_symptoms": "both"}),
        r"symptoms\.leg_symptoms: .*'none', 'buttock_or_thigh' or 'below_knee'",
    ),
    (
        _with("symptoms", {"pain_onset": {"km": 3, "minute": 20}}),
        r"symptoms\.pain_onset: give exactly one of 'km' or 'minute'",
    ),
    (_with("symptoms", {"pain_onset": {}}), r"symptoms\.pain_onset: give exactly one"),
    (_with("symptoms", {"pain_onset": {"mile": 3}}), r"symptoms\.pain_onset\.mile: unknown key"),
    (_with("red_flags", {"fever": True}), r"red_flags: unknown key\(s\) fever; allowed: "),
    (_with("red_flags", {"cancer_history": "no"}), r"red_flags\.cancer_history: .*valid boolean"),
    (
        _with("start_back", {"bothersomeness": "a lot"}),
        r"start_back\.bothersomeness: .*'extremely'",
    ),
    (_with("start_back", {"leg_pain": "agree"}), r"start_back\.leg_pain: .*valid boolean"),
    (_with("odi", {"walking": 6}), r"odi\.walking: .*less than or equal to 5"),
    (
        _with("endurance", {"extensor_s": 241}),
        r"endurance\.extensor_s: .*less than or equal to 240",
    ),
    (_with("endurance", {"flexor_s": -5}), r"endurance\.flexor_s: .*greater than or equal to 0"),
    (_with("endurance", {"sex": "m"}), r"endurance\.sex: .*'male' or 'female'"),
    (
        _with("endurance", {"population": "elite"}),
        r"endurance\.population: .*'general' or 'athlete'",
    ),
    (_with("clearance", {"date": "2026-11-20"}), r"clearance\.recorded: required"),
    (_with("symptoms", []), r"symptoms: .*valid dictionary"),
    ({}, r"answers are empty or not an object.*red_flags, clearance"),
    ([], r"answers are empty or not an object"),
    (None, r"answers are empty or not an object"),
]


@pytest.mark.parametrize(("data", "match"), BAD)
def test_bad_answers_name_the_key(data: Any, match: str) -> None:
    with pytest.raises(InputError, match=match):
        parse_answers(data)


def test_all_problems_reported_at_once() -> None:
    data = {"symptoms": {"pain_now": 12, "standing_ache": "yes"}, "odi": {"walking": 9}}
    with pytest.raises(InputError) as info:
        parse_answers(data)
    text = str(info.value)
    assert "symptoms.pain_now" in text and "symptoms.standing_ache" in text
    assert "odi.walking" in text


def test_read_answers_file(tmp_path: Path) -> None:
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(GOOD), "utf-8")
    assert read_answers_file(path).symptoms.pain_now == 2
    path.write_text("{broken", "utf-8")
    with pytest.raises(InputError, match=r"answers\.json: not valid JSON"):
        read_answers_file(path)
    path.write_text('{"symptoms": {"pain_now": 20}}', "utf-8")
    with pytest.raises(InputError, match=r"answers\.json: symptoms\.pain_now"):
        read_answers_file(path)
    with pytest.raises(InputError, match="answers file not found"):
        read_answers_file(tmp_path / "nope.json")


def test_symptom_questions_match_the_answers_model() -> None:
    questions = symptom_questions()
    assert [q.key for q in questions] == list(SymptomAnswers.model_fields)
    assert all(q.informs and q.source for q in questions)
    informs = {cause for q in questions for cause in q.informs}
    assert {"weakness", "posture", "fatigue"} <= informs
    legs = next(q for q in questions if q.key == "leg_symptoms")
    assert legs.choices == ["none", "buttock_or_thigh", "below_knee"]


@pytest.mark.parametrize(
    "key", ["pain_now", "pain_last_run", "pain_after_run", "pain_next_morning"]
)
@pytest.mark.parametrize("value", [-1, 11])
def test_every_nprs_answer_is_range_checked(key: str, value: int) -> None:
    with pytest.raises(InputError, match=rf"symptoms\.{key}: .*\(got {value}\)"):
        parse_answers({"symptoms": {key: value}})


# -- clearance: a real, not-future date and a named clinician ---------------------------

TOMORROW = (dt.date.today() + dt.timedelta(days=1)).isoformat()


@pytest.mark.parametrize(
    ("clearance", "match"),
    [
        (
            {"recorded": True, "date": "not a date at all", "clinician": ""},
            r"clearance\.date: not a real date; write it as YYYY-MM-DD.*"
            r"clearance\.clinician: the clinician is not named",
        ),
        ({"recorded": True, "date": "2026-02-30", "clinician": "Dr A"}, r"clearance\.date: not a"),
        ({"recorded": True, "date": "20/11/2026", "clinician": "Dr A"}, r"clearance\.date: not a"),
        ({"recorded": True, "date": TOMORROW, "clinician": "Dr A"}, r"in the future"),
        ({"recorded": True, "date": "2026-11-20", "clinician": "   "}, r"clinician is not named"),
        ({"recorded": True}, r"clearance: a recorded clearance needs its date and clinician"),
        ({"recorded": True, "date": "2026-11-20"}, r"needs its clinician:"),
        ({"recorded": True, "clinician": "Dr A"}, r"needs its date:"),
        ({"recorded": False, "date": "yesterday"}, r"clearance\.date: not a real date"),
    ],
)
def test_a_clearance_needs_a_real_past_date_and_a_named_clinician(
    clearance: dict[str, Any], match: str
) -> None:
    with pytest.raises(InputError, match=match):
        parse_answers({"clearance": clearance})


def test_a_clearance_dated_today_or_unquoted_in_yaml_is_taken() -> None:
    today = dt.date.today()
    answers = parse_answers(
        {"clearance": {"recorded": True, "date": today.isoformat(), "clinician": " Dr A "}}
    )
    assert answers.clearance_recorded
    assert answers.clearance is not None and answers.clearance.clinician == "Dr A"
    from_yaml = yaml.safe_load("clearance: {recorded: true, date: 2026-11-20, clinician: Dr A}")
    assert isinstance(from_yaml["clearance"]["date"], dt.date)
    parsed = parse_answers(from_yaml).clearance
    assert parsed is not None and parsed.date == "2026-11-20"


def test_an_unrecorded_clearance_may_be_empty() -> None:
    answers = parse_answers({"clearance": {"recorded": False, "date": None, "clinician": None}})
    assert not answers.clearance_recorded


def test_check_clearance_day_and_clinician() -> None:
    day = dt.date(2026, 11, 20)
    assert check_clearance_day(day, today=day) == day
    with pytest.raises(ValueError, match=r"2026-11-21 is in the future"):
        check_clearance_day(day + dt.timedelta(days=1), today=day)
    assert check_clinician("  Dr Lee ") == "Dr Lee"
    with pytest.raises(ValueError, match="not named"):
        check_clinician(" \t")


# -- the red flags of answers that fail validation ---------------------------------------


def test_invalid_answers_carry_their_readable_red_flags() -> None:
    data = {
        "red_flags": {"saddle_numbness": True, "cancer_history": "yes", "fever": True},
        "clearance": {"recorded": True, "date": "2026-11-20", "clinician": "Dr A"},
        "symptoms": {"pain_now": 11},
    }
    with pytest.raises(AnswersError, match=r"symptoms\.pain_now") as caught:
        parse_answers(data)
    # an unreadable answer is left out (unanswered); an unknown key is dropped
    assert caught.value.red_flags == {"saddle_numbness": True}
    assert caught.value.clearance_recorded is True


@pytest.mark.parametrize(
    "clearance",
    [None, {"recorded": False}, {"recorded": True, "date": "not a date at all", "clinician": ""}],
)
def test_readable_red_flags_count_only_a_valid_recorded_clearance(clearance: Any) -> None:
    flags, cleared = readable_red_flags({"red_flags": "not a mapping", "clearance": clearance})
    assert flags == {}
    assert cleared is False
