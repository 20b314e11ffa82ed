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


# -- the catalogue refers to the form definitions by key -------------------------------


def test_catalogue_form_and_test_keys_are_one_set() -> None:
    from upright.form.definitions import endurance_hold_keys, form_keys
    from upright.services.endurance_test import TIME_KEYS

    forms = set(form_keys())
    referred = {e.form for e in CAT.exercises.values() if e.form is not None}
    assert all(e.form in (None, e.key) for e in CAT.exercises.values())
    # every form definition is a catalogue exercise that refers to it, or an endurance test
    assert forms - referred == set(endurance_hold_keys())
    assert set(endurance_hold_keys()) <= set(TIME_KEYS)
    assert referred <= forms
    # a test that is also a catalogue exercise carries the same key there and in the form check
    assert {"front_plank"} <= set(TIME_KEYS) & set(CAT.exercises) & forms


def test_every_stage1_exercise_has_a_form_definition_but_the_clamshell() -> None:
    """The clamshell's fault (the pelvis rolling back) is not seen in 2-D keypoints."""
    without = {e.key for e in CAT.by_stage(1) if e.form is None}
    assert without == {"clamshell_hold"}


@pytest.mark.parametrize(("form", "named"), [("front_plank", "not its own key"), ("x", "exist")])
def test_a_wrong_form_reference_is_refused_naming_the_exercise(form: str, named: str) -> None:
    raw = copy.deepcopy(_raw())
    entry = next(e for e in raw["exercises"] if e["key"] == "side_plank")
    entry["form"] = form
    with pytest.raises(InputError, match=f"'side_plank' names form definition '{form}'.*{named}"):
        validate_catalogue(raw)


def test_filming_and_what_is_checked_come_from_the_form_definition() -> None:
    from upright.form.definitions import load_form_table
    from upright.program.catalogue import form_guide

    for d in load_form_table().exercises:
        if d.key not in CAT.exercises:
            continue
        guide = form_guide(CAT.get(d.key))
        assert guide is not None
        assert guide.film == d.filming
        assert d.measure(d.judged).label.lower() in guide.looks_at.lower()
        for fault in d.faults:
            assert fault.label in guide.looks_at
        assert ("--side" in guide.command) == (d.side is not None)
        side = " --side left|right" if d.side else ""
        assert guide.command.endswith(f"--exercise {d.key}{side}")
    assert form_guide(CAT.get("clamshell_hold")) is None
