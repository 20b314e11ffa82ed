"""Drift of a per-stride measure: exact lines, pure noise, and drifts around the threshold."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from upright.fatigue.drift import (
    DRIFT_THRESHOLD_DEG,
    MIN_DRIFT_SAMPLES,
    DriftResult,
    compute_drift,
)

N = 40
STRIDE_S = 0.7
X = np.arange(N) * STRIDE_S  # stride start times, s
SPAN = float(X[-1] - X[0])


def _line(change: float, start: float = 8.0) -> np.ndarray:
    return start + change * (X - X[0]) / SPAN


def _fit(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    """Independent least squares: (slope, residual SD with n - 2 dof, slope SE)."""
    n = x.size
    xm = x - x.mean()
    slope = float(np.sum(xm * (y - y.mean())) / np.sum(xm**2))
    resid = y - y.mean() - slope * xm
    sd = float(np.sqrt(np.sum(resid**2) / (n - 2)))
    return slope, sd, sd / float(np.sqrt(np.sum(xm**2)))


def _get(result: DriftResult | None) -> DriftResult:
    assert result is not None
    return result


def test_exact_line_gives_the_exact_change_and_a_collapsed_interval() -> None:
    r = _get(compute_drift(X, _line(4.0)))
    assert r.n == N
    assert r.span == pytest.approx(SPAN)
    assert r.change == pytest.approx(4.0, abs=1e-9)
    assert r.slope_per_unit == pytest.approx(4.0 / SPAN, abs=1e-12)
    assert r.ci95_low == pytest.approx(4.0, abs=1e-6)
    assert r.ci95_high == pytest.approx(4.0, abs=1e-6)
    assert r.noise_sd == pytest.approx(0.0, abs=1e-9)
    assert r.mdc95 == pytest.approx(0.0, abs=1e-8)
    assert r.flagged  # 4 deg: beyond 3 deg and the (zero) MDC, interval excludes 0
    assert r.reason.startswith("changed by +4.0 deg")


def test_falling_line_is_flagged_with_its_sign() -> None:
    r = _get(compute_drift(X, _line(-5.0)))
    assert r.change == pytest.approx(-5.0, abs=1e-9)
    assert r.flagged


@pytest.mark.parametrize("seed", range(5))
def test_noise_alone_is_not_flagged(seed: int) -> None:
    y = 8.0 + np.random.default_rng(seed).normal(0.0, 1.0, N)
    r = _get(compute_drift(X, y))
    # the change of pure noise has an SE of about sd * sqrt(12 / n) = 0.55 deg, so
    # reaching the 3 deg threshold would take a 5-sigma fluke
    assert not r.flagged, r.reason
    assert abs(r.change) < DRIFT_THRESHOLD_DEG


def test_a_2_deg_drift_is_below_the_threshold() -> None:
    alternating = 0.5 * (-1.0) ** np.arange(N)  # +-0.5 deg stride to stride
    r = _get(compute_drift(X, _line(2.0) + alternating))
    assert r.ci95_low > 0  # a real trend...
    assert r.change == pytest.approx(2.0, abs=0.1)
    assert not r.flagged  # ...but smaller than a clinically meaningful change
    assert "below the flag level of 3.0 deg" in r.reason


@pytest.mark.parametrize("seed", range(5))
def test_a_6_deg_drift_in_1_deg_noise_over_40_strides_is_flagged(seed: int) -> None:
    y = _line(6.0) + np.random.default_rng(seed).normal(0.0, 1.0, N)
    r = _get(compute_drift(X, y))
    assert r.flagged, r.reason
    # within 4 standard errors of the change (SE about 0.55 deg)
    assert r.change == pytest.approx(6.0, abs=4 * 0.55)
    assert r.ci95_low < r.change < r.ci95_high


def test_threshold_is_configurable_and_named_in_the_reason() -> None:
    r = _get(compute_drift(X, _line(4.0), threshold=5.0, unit="deg"))
    assert not r.flagged and r.threshold == 5.0
    assert "threshold 5" in r.reason


def test_interval_mdc_and_noise_follow_their_formulas() -> None:
    y = _line(3.5) + np.random.default_rng(11).normal(0.0, 1.2, N)
    r = _get(compute_drift(X, y))
    slope, sd, se = _fit(X, y)
    assert r.slope_per_unit == pytest.approx(slope, rel=1e-9)
    assert r.change == pytest.approx(slope * SPAN, rel=1e-9)
    assert r.noise_sd == pytest.approx(sd, rel=1e-9)
    half = stats.t.ppf(0.975, N - 2) * se * SPAN
    assert (r.ci95_low, r.ci95_high) == pytest.approx((r.change - half, r.change + half))
    # MDC95 = 1.96 x sqrt(2) x SEM, SEM = sd / sqrt(n / 2) (first half vs second half)
    assert r.mdc95 == pytest.approx(1.96 * np.sqrt(2.0) * sd / np.sqrt(N / 2), rel=1e-9)


def test_a_change_below_the_mdc_is_not_flagged() -> None:
    # 12 strides alternating +-5 deg: residual SD about 5.2 deg, so the MDC is
    # 1.96 * sqrt(2) * 5.2 / sqrt(6), about 5.9 deg, above a 5 deg change
    x = np.arange(12.0)
    noise = 5.0 * (-1.0) ** np.arange(12)
    noise -= np.polyval(np.polyfit(x, noise, 1), x)  # no trend in the noise itself
    y = 8.0 + 5.0 * x / 11.0 + noise
    r = _get(compute_drift(x, y))
    assert r.change == pytest.approx(5.0, abs=1e-9)
    assert r.mdc95 > r.change > DRIFT_THRESHOLD_DEG
    assert not r.flagged


def test_fewer_than_6_values_give_none() -> None:
    assert MIN_DRIFT_SAMPLES == 6
    assert compute_drift(X[:5], _line(6.0)[:5]) is None
    assert compute_drift(X[:6], _line(6.0)[:6]) is not None


def test_nan_values_are_dropped_before_counting() -> None:
    y = _line(4.0)
    y[[3, 10, 20]] = np.nan
    x = X.copy()
    x[30] = np.nan
    r = _get(compute_drift(x, y))
    assert r.n == N - 4
    assert r.change == pytest.approx(4.0, abs=1e-9)
    # 7 values with 2 NaN leave 5: too few
    assert compute_drift(X[:7], np.r_[_line(4.0)[:5], np.nan, np.nan]) is None


def test_all_values_at_one_time_give_none() -> None:
    assert compute_drift(np.full(10, 3.0), np.arange(10.0)) is None
