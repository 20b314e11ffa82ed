"""The exercise catalogue: section-5 exercises present, neighbours exist, entries complete."""

from __future__ import annotations

import copy
import json
from importlib import resources
from typing import Any

import pytest

from upright.errors import InputError
from upright.program.catalogue import load_catalogue, validate_catalogue

CAT = load_catalogue()


def _raw() -> dict[str, Any]:
    text = resources.files("upright.program").joinpath("data", "exercises.json").read_text()
    data: dict[str, Any] = json.loads(text)
    return data


def test_every_stage1_exercise_of_section5_is_present() -> None:
    stage1 = {e.key for e in CAT.by_stage(1)}
    assert {"front_plank", "side_plank", "glute_bridge", "bird_dog"} <= stage1
    assert {"curl_up", "dead_bug"} & stage1


def test_stage2_and_stage3_exercises_of_section5_are_present() -> None:
    stage2 = {e.key for e in CAT.by_stage(2)}
    assert {
        "dead_bug_reach",
        "bird_dog_reach",
        "bridge_march",
        "single_leg_bridge",
        "side_plank_abduction",
        "anti_rotation_press",
        "loaded_hinge",
    } <= stage2
    stage3 = {e.key for e in CAT.by_stage(3)}
    assert {"single_leg_balance_hinge", "step_up", "a_march", "a_skip"} <= stage3


def test_glute_bridge_uses_abduction_after_kang() -> None:
    bridge = CAT.get("glute_bridge")
    assert "30 deg" in bridge.how
    assert "Kang 2016" in bridge.source


def test_every_exercise_is_complete() -> None:
    for ex in CAT.exercises.values():
        assert ex.cues and ex.faults and ex.source and ex.muscles and ex.how
        assert any("neutral" in c.lower() for c in ex.cues), ex.key
        assert all(f.feels_like for f in ex.faults)


def test_neighbours_exist_and_stage1_holds_use_the_pyramid() -> None:
    for ex in CAT.exercises.values():
        for key in ex.easier + ex.harder:
            assert key in CAT.exercises
    for key in ("front_plank", "side_plank", "glute_bridge", "bird_dog", "curl_up"):
        dose = CAT.get(key).dose
        assert dose.kind == "hold_pyramid"
        assert "6, 4, 2" in dose.text and "10 s" in dose.text and "30 s rest" in dose.text


def test_unknown_neighbour_is_named() -> None:
    raw = copy.deepcopy(_raw())
    raw["exercises"][0]["harder"] = ["no_such_exercise"]
    with pytest.raises(InputError, match="unknown harder neighbour 'no_such_exercise'"):
        validate_catalogue(raw)


def test_duplicate_key_and_bad_entry_are_errors() -> None:
    raw = copy.deepcopy(_raw())
    raw["exercises"].append(raw["exercises"][0])
    with pytest.raises(InputError, match="appears twice"):
        validate_catalogue(raw)
    raw = copy.deepcopy(_raw())
    raw["exercises"][1]["stage"] = 4
    with pytest.raises(InputError, match="exercise #1 is invalid"):
        validate_catalogue(raw)
    with pytest.raises(InputError, match="no 'exercises' list"):
        validate_catalogue({})


def test_unknown_key_lookup_is_an_error() -> None:
    with pytest.raises(InputError, match="no exercise 'nope'"):
        CAT.get("nope")
