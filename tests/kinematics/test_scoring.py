"""score_events on synthetic event times whose answer is exact."""

from __future__ import annotations

import math

import numpy as np
import pytest

from upright.errors import InputError
from upright.kinematics.scoring import score_events


def test_exact_matches_misses_and_false_alarms() -> None:
    true = np.array([1.0, 2.0, 3.0, 4.0])
    # 1.0 -> +20 ms, 2.0 -> -40 ms, 3.0 missed (nearest is 150 ms away), 4.0 -> +10 ms;
    # 3.15 and 5.0 are false alarms.
    detected = np.array([1.02, 1.96, 3.15, 4.01, 5.0])
    score = score_events(true, detected)
    assert (score.n_true, score.n_detected, score.n_matched) == (4, 5, 3)
    assert score.recall == pytest.approx(0.75)
    assert score.precision == pytest.approx(0.6)
    np.testing.assert_allclose(score.errors_ms, [20.0, -40.0, 10.0], atol=1e-9)
    assert score.median_abs_error_ms == pytest.approx(20.0)
    assert score.median_error_ms == pytest.approx(10.0)


def test_one_detection_is_credited_once() -> None:
    # Two true events 60 ms apart share one detection: the closer one gets it.
    score = score_events([1.0, 1.06], [1.05])
    assert score.n_matched == 1
    np.testing.assert_allclose(score.errors_ms, [-10.0], atol=1e-9)
    assert score.recall == pytest.approx(0.5)
    assert score.precision == pytest.approx(1.0)


def test_tolerance_and_nan_are_respected() -> None:
    score = score_events([1.0, np.nan], [1.05, np.nan], tolerance_s=0.04)
    assert (score.n_true, score.n_detected, score.n_matched) == (1, 1, 0)
    assert score.recall == 0.0
    assert math.isnan(score.median_abs_error_ms)


def test_empty_inputs_give_nan_rates() -> None:
    score = score_events([], [])
    assert score.n_matched == 0
    assert math.isnan(score.recall)
    assert math.isnan(score.precision)


def test_bad_arguments_raise() -> None:
    with pytest.raises(InputError, match="tolerance_s must be positive"):
        score_events([1.0], [1.0], tolerance_s=0.0)
    with pytest.raises(InputError, match="true_s must be a 1-D array"):
        score_events([[1.0]], [1.0])
