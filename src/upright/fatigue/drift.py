"""Drift of a per-stride (or per-interval) measure over time or distance.

A straight line is fitted to the values against time; the change over the recording
is the slope times its span, with a 95% interval from the t distribution. The minimum
detectable change (MDC95) comes from the runner's own stride-to-stride noise. A drift is
flagged only when the change exceeds both the clinical threshold (about 3 deg, Koblbauer
2014) and the MDC, and its interval excludes zero (Koblbauer 2014).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import stats

__all__ = ["DRIFT_THRESHOLD_DEG", "MIN_DRIFT_SAMPLES", "DriftResult", "compute_drift"]

#: Clinically meaningful rise in trunk lean: novices run to exhaustion increased peak
#: trunk flexion by about 4 deg (Koblbauer 2014, JSAMS 17:419); upright flags a
#: rise above about 3-4 deg. Configurable.
DRIFT_THRESHOLD_DEG = 3.0

#: Fewer values than this give no drift estimate.
MIN_DRIFT_SAMPLES = 6


@dataclass(frozen=True)
class DriftResult:
    """A fitted drift and whether it is flagged.

    ``change`` is the fitted change from the first to the last value (slope x span), in
    the unit of the values; ``ci95`` its 95% interval; ``mdc95`` the minimum detectable
    change between the first and second half of the recording, from the residual noise:
    1.96 x sqrt(2) x SEM, with SEM = residual SD / sqrt(n / 2).
    """

    n: int
    span: float
    slope_per_unit: float
    change: float
    ci95_low: float
    ci95_high: float
    noise_sd: float
    mdc95: float
    threshold: float
    flagged: bool
    reason: str


def compute_drift(
    x: npt.ArrayLike,
    values: npt.ArrayLike,
    *,
    threshold: float = DRIFT_THRESHOLD_DEG,
    unit: str = "deg",
) -> DriftResult | None:
    """Fit the drift of ``values`` against ``x`` (seconds, km...); None if too few values.

    NaN values are dropped first.
    """
    xa = np.asarray(x, dtype=np.float64)
    ya = np.asarray(values, dtype=np.float64)
    good = ~(np.isnan(xa) | np.isnan(ya))
    xa, ya = xa[good], ya[good]
    n = int(xa.size)
    if n < MIN_DRIFT_SAMPLES or np.ptp(xa) <= 0:
        return None
    fit = stats.linregress(xa, ya)
    span = float(np.ptp(xa))
    resid = ya - (fit.intercept + fit.slope * xa)
    noise_sd = float(np.sqrt(np.sum(resid**2) / (n - 2)))
    t_crit = float(stats.t.ppf(0.975, n - 2))
    change = float(fit.slope * span)
    half = t_crit * float(fit.stderr) * span
    mdc = 1.96 * np.sqrt(2.0) * noise_sd / np.sqrt(n / 2.0)
    excludes_zero = (change - half) > 0 or (change + half) < 0
    big_enough = abs(change) >= threshold and abs(change) >= mdc
    flagged = bool(excludes_zero and big_enough)
    if flagged:
        reason = (
            f"changed by {change:+.1f} {unit} (95% CI {change - half:+.1f} to "
            f"{change + half:+.1f}), beyond both {threshold:g} {unit} and the MDC of "
            f"{mdc:.1f} {unit}"
        )
    elif not excludes_zero:
        reason = (
            f"no trend: the change of {change:+.1f} {unit} has a 95% interval "
            f"({change - half:+.1f} to {change + half:+.1f}) that includes 0"
        )
    else:
        reason = (
            f"a change of {change:+.1f} {unit} is below the flag level of "
            f"{max(threshold, mdc):.1f} {unit} (threshold {threshold:g}, MDC {mdc:.1f})"
        )
    return DriftResult(
        n=n,
        span=span,
        slope_per_unit=float(fit.slope),
        change=change,
        ci95_low=change - half,
        ci95_high=change + half,
        noise_sd=noise_sd,
        mdc95=float(mdc),
        threshold=threshold,
        flagged=flagged,
        reason=reason,
    )
