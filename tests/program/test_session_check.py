"""Whether a logged session was done in full: every prescribed exercise at its dose."""

from __future__ import annotations

import copy
import json
from importlib import resources
from typing import Any

import pytest

from upright.errors import InputError
from upright.program.catalogue import load_catalogue, validate_catalogue
from upright.program.session_check import check_session, log_hint

CAT = load_catalogue()
#: Stage 1 for a runner with no likely cause: the flexor hold alternates.
STAGE_1 = (
    ["curl_up", "side_plank", "bird_dog", "glute_bridge"],
    ["dead_bug", "side_plank", "bird_dog", "glute_bridge"],
)
FULL = {"curl_up": 120.0, "side_plank": 120.0, "bird_dog": 120.0, "glute_bridge": 120.0}


def test_every_exercise_at_its_dose_is_in_full() -> None:
    check = check_session(FULL, STAGE_1, CAT)
    assert check.in_full
    assert check.prescribed == STAGE_1[0]
    assert check.missing == [] and check.short == []
    assert check.reason == "Done in full: every prescribed exercise at its dose."


def test_the_other_alternate_and_extra_work_count_too() -> None:
    done = {k: v for k, v in FULL.items() if k != "curl_up"} | {"dead_bug": 130.0, "step_up": 5.0}
    check = check_session(done, STAGE_1, CAT)
    assert check.in_full and check.prescribed == STAGE_1[1]


def test_one_exercise_of_four_is_partial_and_names_the_rest() -> None:
    check = check_session({"side_plank": 120.0}, STAGE_1, CAT)
    assert not check.in_full
    assert check.missing == ["curl_up", "bird_dog", "glute_bridge"]
    assert check.reason == "Not done in full (not logged: curl_up, bird_dog, glute_bridge)."


def test_below_the_dose_is_partial() -> None:
    check = check_session(FULL | {"side_plank": 60.0}, STAGE_1, CAT)
    assert not check.in_full
    [short] = check.short
    assert (short.key, short.logged, short.target, short.unit) == ("side_plank", 60.0, 120.0, "s")
    assert "below the dose: side_plank 60 of 120 s" in check.reason


def test_no_plan_is_never_in_full() -> None:
    check = check_session(FULL, [], CAT, no_plan_reason="no check-up is stored")
    assert not check.in_full
    assert check.reason == "Not done in full: no check-up is stored."


def test_every_exercise_says_how_to_log_it() -> None:
    for ex in CAT.exercises.values():
        dose = ex.dose
        if dose.kind in ("hold_pyramid", "hold"):
            assert dose.log_unit == "s" and dose.log_note.startswith("seconds held in all"), ex.key
        else:
            assert dose.log_unit == "reps", ex.key
        assert ("each side" in dose.log_note) == dose.per_side, ex.key
    assert log_hint(CAT, "side_plank") == (
        "side_plank=120 (seconds held in all: 6 + 4 + 2 holds of 10 s, each side)"
    )
    assert log_hint(CAT, "bridge_march").startswith("bridge_march=16 ")


def _raw() -> dict[str, Any]:
    text = resources.files("upright.program").joinpath("data", "exercises.json").read_text()
    data: dict[str, Any] = json.loads(text)
    return data


@pytest.mark.parametrize(
    ("field", "value"), [("log_target", 0), ("log_unit", "minutes"), ("log_note", "")]
)
def test_a_bad_log_dose_is_refused(field: str, value: object) -> None:
    raw = copy.deepcopy(_raw())
    raw["exercises"][0]["dose"][field] = value
    with pytest.raises(InputError, match=rf"exercise #0 is invalid: .*{field}"):
        validate_catalogue(raw)
