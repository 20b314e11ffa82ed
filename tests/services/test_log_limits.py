"""Logged runs and sessions: numbers no run or exercise can have are refused, not stored."""

from __future__ import annotations

import pytest

from upright.errors import InputError
from upright.services.training_log import log_run, parse_exercises


@pytest.mark.parametrize(
    ("field", "value", "match"),
    [
        ("distance_km", 14_810.0, r"--distance-km is 14810\. Give a number from 0 to 350"),
        ("duration_min", 1e308, r"--duration-min is 1e\+308\. Give a number from 0 to 2880"),
        ("pain_onset_km", float("inf"), r"--pain-onset-km is inf"),
        ("pain_onset_min", -1.0, r"--pain-onset-min is -1"),
    ],
)
def test_impossible_run_numbers_are_refused(field: str, value: float, match: str) -> None:
    with pytest.raises(InputError, match=match):
        log_run("ana", pain_during=2, **{field: value})


def test_impossible_exercise_dose_is_refused() -> None:
    with pytest.raises(InputError, match=r"--exercise side_plank is 1e\+308"):
        parse_exercises(["side_plank=1e308"])
