"""Score detected event times (foot contacts, toe-offs) against reference times."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from upright.errors import InputError
from upright.skeleton import FloatArray

__all__ = ["EventScore", "score_events"]


@dataclass(frozen=True)
class EventScore:
    """How well detected events match reference events.

    Attributes
    ----------
    n_true, n_detected, n_matched
        Reference events, detected events, and one-to-one matched pairs.
    recall
        ``n_matched / n_true`` (NaN when there are no reference events).
    precision
        ``n_matched / n_detected`` (NaN when nothing was detected).
    median_abs_error_ms
        Median of ``|detected - true|`` over matched pairs (NaN when none matched).
    median_error_ms
        Median signed error ``detected - true``: positive means detected late.
    errors_ms
        Signed errors of the matched pairs, in the order of the reference events.
    """

    n_true: int
    n_detected: int
    n_matched: int
    recall: float
    precision: float
    median_abs_error_ms: float
    median_error_ms: float
    errors_ms: FloatArray = field(compare=False, repr=False)


def _as_times(values: npt.ArrayLike, name: str) -> FloatArray:
    times = np.asarray(values, dtype=np.float64)
    if times.ndim != 1:
        raise InputError(f"{name} must be a 1-D array of times in seconds, got {times.shape}")
    return np.sort(times[np.isfinite(times)])


def _match(true_s: FloatArray, detected_s: FloatArray, tolerance_s: float) -> list[tuple[int, int]]:
    """One-to-one pairs (true index, detected index), closest pairs first."""
    if true_s.size == 0 or detected_s.size == 0:
        return []
    gap = np.abs(detected_s[np.newaxis, :] - true_s[:, np.newaxis])
    ti, di = np.nonzero(gap <= tolerance_s)
    order = np.lexsort((di, ti, gap[ti, di]))
    used_true: set[int] = set()
    used_detected: set[int] = set()
    pairs: list[tuple[int, int]] = []
    for i, j in zip(ti[order].tolist(), di[order].tolist(), strict=True):
        if i not in used_true and j not in used_detected:
            used_true.add(i)
            used_detected.add(j)
            pairs.append((i, j))
    return sorted(pairs)


def score_events(
    true_s: npt.ArrayLike, detected_s: npt.ArrayLike, *, tolerance_s: float = 0.1
) -> EventScore:
    """Match detected events to reference events and summarise timing and hit rate.

    Parameters
    ----------
    true_s
        Reference event times in seconds (e.g. force-plate contacts). NaN is ignored.
    detected_s
        Detected event times in seconds. NaN is ignored.
    tolerance_s
        Largest ``|detected - true|`` that still counts as a match.

    Returns
    -------
    EventScore
        Counts, recall, precision and timing errors.

    Raises
    ------
    InputError
        A time array is not 1-D, or ``tolerance_s`` is not positive.

    Notes
    -----
    Each reference event is paired with at most one detected event and vice versa:
    candidate pairs within the tolerance are taken in order of increasing time gap
    (greedy nearest-neighbour matching), so one detection can never be credited twice.
    """
    if not tolerance_s > 0:
        raise InputError(f"tolerance_s must be positive, got {tolerance_s}")
    true = _as_times(true_s, "true_s")
    detected = _as_times(detected_s, "detected_s")
    pairs = _match(true, detected, tolerance_s)
    errors_ms = np.array([(detected[j] - true[i]) * 1000.0 for i, j in pairs], dtype=np.float64)
    n_matched = len(pairs)
    return EventScore(
        n_true=int(true.size),
        n_detected=int(detected.size),
        n_matched=n_matched,
        recall=n_matched / true.size if true.size else float("nan"),
        precision=n_matched / detected.size if detected.size else float("nan"),
        median_abs_error_ms=float(np.median(np.abs(errors_ms))) if n_matched else float("nan"),
        median_error_ms=float(np.median(errors_ms)) if n_matched else float("nan"),
        errors_ms=errors_ms,
    )
