"""Change of a per-stride measure between clips filmed at known points of one run.

Each clip gives a set of per-stride values (trunk lean, head-trunk angle). For each clip
we report the median with a 95% bootstrap interval and the stride-to-stride SD; for each
later clip, the change of the mean from the first clip with its Welch 95% interval and
the minimum detectable change from the two clips' own noise,

    MDC95 = 1.96 * sqrt(SD1^2 / n1 + SD2^2 / n2).

A change is flagged only when it exceeds both the clinical threshold (about 3 deg,
Koblbauer 2014) and the MDC, and its interval excludes zero. With three clips or more,
a straight line is also fitted to the per-stride values against the clips' points
(:func:`upright.fatigue.drift.compute_drift`).

Strides within one clip share that clip's filming, so the stride-level intervals say how
well each clip's value is measured, not how much a second recording made the same way
would differ; changes between clips filmed with the same set-up are what count.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import stats

from upright.errors import InsufficientDataError
from upright.fatigue.drift import DRIFT_THRESHOLD_DEG, DriftResult, compute_drift

__all__ = [
    "BOOTSTRAP_RESAMPLES",
    "MIN_CLIP_STRIDES",
    "ClipChange",
    "ClipLevel",
    "ClipValues",
    "MetricComparison",
    "compare_metric",
    "compute_clip_change",
    "compute_clip_level",
]

#: Fewer per-stride values than this in a clip give no level or change.
MIN_CLIP_STRIDES = 3
#: Bootstrap resamples for the interval of a clip's median (seeded, reproducible).
BOOTSTRAP_RESAMPLES = 2000
_Z95 = 1.96


@dataclass(frozen=True)
class ClipValues:
    """The per-stride values of one clip and where in the run it was filmed."""

    label: str
    point: float
    values: npt.ArrayLike


@dataclass(frozen=True)
class ClipLevel:
    """A clip's level: median of the per-stride values with its 95% bootstrap interval,
    mean, and stride-to-stride SD (ddof 1)."""

    label: str
    point: float
    n: int
    median: float
    ci95_low: float
    ci95_high: float
    mean: float
    sd: float


@dataclass(frozen=True)
class ClipChange:
    """Change of the mean from the first clip to a later one (later - first)."""

    label: str
    point: float
    change: float
    ci95_low: float
    ci95_high: float
    mdc95: float
    threshold: float
    flagged: bool
    reason: str


@dataclass(frozen=True)
class MetricComparison:
    """Levels of every clip, changes from the first, and the trend over the clips."""

    levels: list[ClipLevel]
    changes: list[ClipChange]
    trend: DriftResult | None


def _clean(values: npt.ArrayLike, label: str) -> npt.NDArray[np.float64]:
    v = np.asarray(values, dtype=np.float64).ravel()
    v = np.asarray(v[~np.isnan(v)], dtype=np.float64)
    if v.size < MIN_CLIP_STRIDES:
        raise InsufficientDataError(
            f"clip {label} has {v.size} measurable strides; {MIN_CLIP_STRIDES} are needed",
            fix="Film at least 10 s of steady running per clip, the whole body in view",
        )
    return v


def compute_clip_level(
    values: npt.ArrayLike,
    *,
    label: str = "",
    point: float = 0.0,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = 0,
) -> ClipLevel:
    """Median of a clip's per-stride values with a percentile-bootstrap 95% interval.

    NaN values are dropped first.

    Raises
    ------
    InsufficientDataError
        Fewer than :data:`MIN_CLIP_STRIDES` values.

    Notes
    -----
    Percentile bootstrap of the median (Efron & Tibshirani 1993, ch. 13), seeded so that
    the same clip always gives the same interval.
    """
    v = _clean(values, label)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, v.size, size=(resamples, v.size))
    medians = np.median(v[idx], axis=1)
    low, high = np.percentile(medians, [2.5, 97.5])
    return ClipLevel(
        label=label,
        point=float(point),
        n=int(v.size),
        median=float(np.median(v)),
        ci95_low=float(low),
        ci95_high=float(high),
        mean=float(np.mean(v)),
        sd=float(np.std(v, ddof=1)),
    )


def _welch_half_width(sd1: float, n1: int, sd2: float, n2: int) -> float:
    """Half-width of the Welch 95% interval of a difference of means."""
    v1, v2 = sd1**2 / n1, sd2**2 / n2
    se2 = v1 + v2
    if se2 <= 0:
        return 0.0
    df = se2**2 / (v1**2 / (n1 - 1) + v2**2 / (n2 - 1))
    return float(stats.t.ppf(0.975, df)) * float(np.sqrt(se2))


def compute_clip_change(
    first: ClipLevel,
    later: ClipLevel,
    *,
    threshold: float = DRIFT_THRESHOLD_DEG,
    unit: str = "deg",
) -> ClipChange:
    """Change of the mean from ``first`` to ``later``, its Welch interval and the MDC.

    Notes
    -----
    Welch's t interval for a difference of means with unequal variances (Welch 1947,
    Biometrika 34:28). MDC95 = 1.96 * sqrt(SD1^2/n1 + SD2^2/n2), the smallest change of
    the means that the two clips' stride-to-stride noise lets us detect. Flag rule:
    a rise beyond about 3-4 deg (Koblbauer 2014, JSAMS 17:419) and beyond the runner's
    own noise.
    """
    change = later.mean - first.mean
    half = _welch_half_width(first.sd, first.n, later.sd, later.n)
    mdc = _Z95 * float(np.sqrt(first.sd**2 / first.n + later.sd**2 / later.n))
    low, high = change - half, change + half
    excludes_zero = low > 0 or high < 0
    big_enough = abs(change) >= threshold and abs(change) >= mdc
    flagged = bool(excludes_zero and big_enough)
    where = f"from {first.label} to {later.label}"
    if flagged:
        verb = "rose" if change > 0 else "fell"
        reason = (
            f"{verb} by {change:+.1f} {unit} {where} (95% CI {low:+.1f} to {high:+.1f}), "
            f"beyond both {threshold:g} {unit} and the MDC of {mdc:.1f} {unit}"
        )
    elif not excludes_zero:
        reason = (
            f"no change {where}: the 95% interval of {change:+.1f} {unit} "
            f"({low:+.1f} to {high:+.1f}) includes 0"
        )
    else:
        reason = (
            f"a change of {change:+.1f} {unit} {where} is below the flag level of "
            f"{max(threshold, mdc):.1f} {unit} (threshold {threshold:g}, MDC {mdc:.1f})"
        )
    return ClipChange(
        label=later.label,
        point=later.point,
        change=change,
        ci95_low=low,
        ci95_high=high,
        mdc95=mdc,
        threshold=threshold,
        flagged=flagged,
        reason=reason,
    )


def compare_metric(
    clips: Sequence[ClipValues],
    *,
    threshold: float = DRIFT_THRESHOLD_DEG,
    unit: str = "deg",
) -> MetricComparison:
    """Levels, changes from the first clip, and (three clips or more) the trend.

    The trend fits every per-stride value against its clip's point, so its ``change`` is
    the fitted change from the first to the last point, with the interval and MDC of
    :func:`~upright.fatigue.drift.compute_drift`.

    Raises
    ------
    InsufficientDataError
        Fewer than two clips, or a clip with fewer than :data:`MIN_CLIP_STRIDES` values.
    """
    if len(clips) < 2:
        raise InsufficientDataError(
            f"{len(clips)} clip given; a comparison needs at least 2",
            fix="Give an early and a later clip of the same run",
        )
    levels = [compute_clip_level(c.values, label=c.label, point=c.point) for c in clips]
    changes = [
        compute_clip_change(levels[0], level, threshold=threshold, unit=unit)
        for level in levels[1:]
    ]
    trend = None
    if len(clips) >= 3:
        arrays = [np.asarray(c.values, dtype=np.float64).ravel() for c in clips]
        x = np.concatenate([np.full(a.size, c.point) for a, c in zip(arrays, clips, strict=True)])
        trend = compute_drift(x, np.concatenate(arrays), threshold=threshold, unit=unit)
    return MetricComparison(levels=levels, changes=changes, trend=trend)
