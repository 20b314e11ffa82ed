"""Endurance norms, ratio rules, Biering-Sorensen cut-off, bridges and MDC (McGill 1999)."""

from __future__ import annotations

from typing import Any

import pytest

from upright.assessment.endurance import (
    MDC_S,
    EnduranceResults,
    assess_endurance,
    select_norm,
)


@pytest.mark.parametrize(
    ("sex", "population", "norm_id", "unverified"),
    [
        (None, "general", "anderson_2014", False),
        ("male", "general", "mcgill_1999_men", True),
        ("female", "general", "mcgill_1999_women", True),
        (None, "athlete", "evans_2007", False),
        ("female", "athlete", "evans_2007", False),
    ],
)
def test_norm_selection(sex: Any, population: Any, norm_id: str, unverified: bool) -> None:
    norm = select_norm(sex, population)
    assert norm.id == norm_id
    assert norm.unverified is unverified


def test_norm_values_match_clinical_table() -> None:
    assert select_norm(None, "general").tests == {
        "flexor": (160, 102),
        "extensor": (101, 51),
        "side_bridge_right": (54, 25),
        "side_bridge_left": (55, 28),
    }
    assert select_norm("female", "general").tests["extensor"] == (185, 60)
    assert select_norm(None, "athlete").tests["flexor"] == (224, None)


def _comparison(results: EnduranceResults, test: str) -> Any:
    return next(c for c in assess_endurance(results).comparisons if c.test == test)


def test_z_score_and_status_against_anderson() -> None:
    # extensor norm 101 +/- 51 s: 50 s is exactly -1 SD (typical), 49 s is below.
    at_edge = _comparison(EnduranceResults(extensor_s=50), "extensor")
    assert at_edge.z == pytest.approx(-1.0)
    assert at_edge.status == "typical"
    assert _comparison(EnduranceResults(extensor_s=49), "extensor").status == "below"
    high = _comparison(EnduranceResults(flexor_s=263), "flexor")  # 160 + 102 = 262
    assert high.status == "above"
    assert high.percent_of_mean == pytest.approx(164.4)


def test_unverified_norm_is_flagged() -> None:
    result = assess_endurance(EnduranceResults(extensor_s=150, sex="male"))
    assert result.norm_unverified
    assert result.comparisons[0].unverified
    assert any("not been checked against the original paper" in n for n in result.notes)


def test_checked_norm_has_no_unchecked_note() -> None:
    result = assess_endurance(EnduranceResults(extensor_s=150))
    assert not result.norm_unverified
    assert not any("not been checked" in n for n in result.notes)


def test_athlete_norm_without_sd_gives_percent_only() -> None:
    comp = _comparison(EnduranceResults(extensor_s=80, population="athlete"), "extensor")
    assert comp.z is None and comp.norm_sd_s is None
    assert comp.status == "below mean"
    assert comp.percent_of_mean == pytest.approx(49.1)


def _ratio(results: EnduranceResults, name: str) -> Any:
    return next(r for r in assess_endurance(results).ratios if r.name == name)


@pytest.mark.parametrize(
    ("flexor", "extensor", "flagged"), [(100, 100, True), (99, 100, False), (150, 100, True)]
)
def test_flexor_extensor_ratio(flexor: float, extensor: float, flagged: bool) -> None:
    r = EnduranceResults(flexor_s=flexor, extensor_s=extensor)
    assert _ratio(r, "flexor/extensor").flagged is flagged


@pytest.mark.parametrize(
    ("right", "left", "flagged"),
    [(95, 100, False), (105, 100, False), (94, 100, True), (106, 100, True), (60, 60, False)],
)
def test_side_bridge_right_left_ratio(right: float, left: float, flagged: bool) -> None:
    r = EnduranceResults(side_bridge_right_s=right, side_bridge_left_s=left)
    assert _ratio(r, "right/left side bridge").flagged is flagged


@pytest.mark.parametrize(
    ("side", "extensor", "flagged"), [(75, 100, True), (74, 100, False), (40, 100, False)]
)
def test_side_bridge_extensor_ratio(side: float, extensor: float, flagged: bool) -> None:
    r = EnduranceResults(side_bridge_left_s=side, extensor_s=extensor)
    assert _ratio(r, "side bridge/extensor").flagged is flagged


def test_ratio_withheld_when_a_test_is_missing() -> None:
    check = _ratio(EnduranceResults(flexor_s=100), "flexor/extensor")
    assert check.flagged is None and check.value is None
    assert "Withheld" in check.reason
    zero = _ratio(EnduranceResults(flexor_s=100, extensor_s=0), "flexor/extensor")
    assert zero.flagged is None


@pytest.mark.parametrize(
    ("sex", "extensor", "expected"),
    [("male", 175, True), ("male", 176, False), ("female", 100, None), (None, 100, None)],
)
def test_sorensen_176_cutoff_men_only(sex: Any, extensor: float, expected: bool | None) -> None:
    result = assess_endurance(EnduranceResults(extensor_s=extensor, sex=sex))
    assert result.sorensen_under_176_men is expected


@pytest.mark.parametrize(
    ("test", "value", "nearer"),
    [
        ("supine_bridge", 124, "pain-free group"),  # midpoint of 170 and 77 is 123.5
        ("supine_bridge", 123, "back-pain group"),
        ("prone_plank", 51, "pain-free group"),  # midpoint of 73 and 28 is 50.5
        ("prone_plank", 50, "back-pain group"),
    ],
)
def test_bridge_and_plank_holds(test: str, value: float, nearer: str) -> None:
    result = assess_endurance(EnduranceResults.model_validate({f"{test}_s": value}))
    assert result.holds[0].nearer == nearer


@pytest.mark.parametrize(
    ("reps", "rating"),
    [(19, "poor"), (20, "average"), (25, "average"), (30, "average"), (31, "good")],
)
def test_single_leg_bridge_bands(reps: int, rating: str) -> None:
    result = assess_endurance(EnduranceResults(single_leg_bridge_left_reps=reps))
    assert result.single_leg_bridge[0].rating == rating


def test_mdc_values() -> None:
    assert MDC_S["extensor"] == 48.0
    assert MDC_S["side_bridge_left"] == pytest.approx(30.5)
    assert "flexor" not in MDC_S


@pytest.mark.parametrize(
    ("test", "before", "after", "verdict"),
    [
        ("extensor", 100, 148, "within MDC"),
        ("extensor", 100, 149, "improved"),
        ("extensor", 149, 100, "worse"),
        ("side_bridge_right", 50, 80, "within MDC"),
        ("side_bridge_right", 50, 81, "improved"),
        ("flexor", 50, 150, "not judged (no MDC)"),
        ("prone_plank", 30, 90, "not judged (no MDC)"),
    ],
)
def test_change_counts_only_beyond_mdc(
    test: str, before: float, after: float, verdict: str
) -> None:
    current = EnduranceResults.model_validate({f"{test}_s": after})
    previous = EnduranceResults.model_validate({f"{test}_s": before})
    change = assess_endurance(current, previous).changes[0]
    assert change.verdict == verdict
    assert change.change_s == pytest.approx(after - before)


def test_no_change_without_both_sessions() -> None:
    current = EnduranceResults(extensor_s=100)
    assert assess_endurance(current).changes == []
    assert assess_endurance(current, EnduranceResults(flexor_s=90)).changes == []
