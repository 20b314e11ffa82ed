"""The exercise form definitions: one per exercise, complete, sourced, and validated."""

from __future__ import annotations

import copy
import json
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from upright.errors import InputError
from upright.form.definitions import (
    endurance_hold_keys,
    form_definition,
    form_keys,
    load_form_table,
    validate_form_table,
)
from upright.program.catalogue import load_catalogue

EXPECTED = {
    "front_plank",
    "side_plank",
    "glute_bridge",
    "single_leg_bridge",
    "bird_dog",
    "dead_bug",
    "curl_up",
    "extensor",
    "flexor",
}
SIDED = {"side_plank", "single_leg_bridge", "bird_dog"}


def raw_table() -> dict[str, Any]:
    text = resources.files("upright.form").joinpath("data/form_rules.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def test_every_exercise_has_one_definition() -> None:
    assert set(form_keys()) == EXPECTED
    assert len(form_keys()) == len(EXPECTED)


def test_keys_are_the_catalogue_keys() -> None:
    catalogue = set(load_catalogue().exercises)
    for key in form_keys():
        if key in endurance_hold_keys():
            assert key not in catalogue
        else:
            assert key in catalogue, key


def test_sided_exercises_say_what_the_side_means() -> None:
    for d in load_form_table().exercises:
        assert (d.side is not None) == (d.key in SIDED), d.key


def test_every_tolerance_has_a_source_and_every_fault_a_cue() -> None:
    for d in load_form_table().exercises:
        for f in d.faults:
            limit = f.below or f.above
            assert limit is not None
            assert limit.source.strip(), (d.key, f.name)
            assert "CLINICAL" not in limit.source
            assert f.cue.strip()
        assert d.reached.strip() and d.lost.strip() and d.filming.strip()


def test_views() -> None:
    assert form_definition("side_plank", "left").view == "front"
    for key in EXPECTED - {"side_plank"}:
        side = "left" if key in SIDED else None
        assert form_definition(key, side).view == "side"


def test_endurance_stop_rules_follow_the_protocols() -> None:
    sorensen = form_definition("extensor")
    (drop,) = sorensen.faults
    assert drop.ends_hold and drop.below is not None and drop.below.deg == -10.0
    assert "McGill" in drop.below.source
    assert sorensen.max_hold_s is not None and sorensen.max_hold_s.deg == 240.0
    flexor = form_definition("flexor")
    assert flexor.band("trunk_incline_deg") == (50.0, 70.0)
    assert all(f.ends_hold for f in flexor.faults)


def test_plank_faults_are_sag_below_and_pike_above() -> None:
    plank = form_definition("front_plank")
    sag, pike = plank.faults
    assert (sag.name, pike.name) == ("sag", "pike")
    assert sag.below is not None and pike.above is not None
    assert sag.below.deg < pike.above.deg
    assert plank.judged == "hip_offset_deg"


def test_unknown_exercise_is_refused() -> None:
    with pytest.raises(InputError, match=r"'plank' is not an exercise.*front_plank"):
        form_definition("plank")


def test_side_is_required_where_it_matters_and_refused_elsewhere() -> None:
    with pytest.raises(InputError, match=r"one side at a time.*--side left"):
        form_definition("side_plank")
    with pytest.raises(InputError, match=r"has no side.*Leave out --side"):
        form_definition("front_plank", "left")


def test_a_broken_table_is_refused_with_every_problem() -> None:
    data = raw_table()
    bad = copy.deepcopy(data)
    bad["exercises"][0]["judged"] = "no_such_deg"
    del bad["exercises"][1]["faults"][0]["cue"]
    with pytest.raises(InputError, match=r"2 problem\(s\).*unknown measure.*cue"):
        validate_form_table(bad)
    twice = copy.deepcopy(data)
    twice["exercises"].append(twice["exercises"][0])
    with pytest.raises(InputError, match=r"repeat the key.*front_plank"):
        validate_form_table(twice)


def test_a_fault_needs_exactly_one_limit() -> None:
    bad = raw_table()
    fault = bad["exercises"][0]["faults"][0]
    fault["above"] = {"deg": 5.0, "source": "design heuristic"}
    with pytest.raises(InputError, match="exactly one of 'below' or 'above'"):
        validate_form_table(bad)


def test_stage_one_catalogue_exercises_without_a_form_check() -> None:
    """The clamshell is judged by the pelvis rolling back, which a side or front view of
    2-D keypoints cannot see reliably; every other stage-1 exercise has a definition."""
    stage_one = {e.key for e in load_catalogue().by_stage(1)}
    assert stage_one - set(form_keys()) == {"clamshell_hold"}


def test_the_readme_says_how_to_film_every_exercise_the_check_knows() -> None:
    readme = Path(__file__).resolve().parents[2] / "README.md"
    text = readme.read_text(encoding="utf-8")
    section = text.split("## Check your exercise form", 1)[1].split("\n## ", 1)[0]
    for d in load_form_table().exercises:
        assert f"`{d.key}" in section, d.key
        camera = "front" if d.view == "front" else "side"
        row = next(line for line in section.splitlines() if f"`{d.key}" in line)
        assert f"| {camera} |" in row, d.key
    assert "Film it" in section and "2-3 m" in section and "clamshell" in section
