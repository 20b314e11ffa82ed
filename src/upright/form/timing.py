"""Time structure of an exercise: debounced faults, holds with hysteresis, phases, reps.

Timing constants are design heuristics: keypoint angles jitter by a few degrees from frame
to frame, so a fault counts only once it lasts ``FAULT_MIN_S``, a position only once it is
held steady for ``REACH_S``, and a position is lost only when it stays lost for ``LOSE_S``.
The moment a fault or a loss is reported is where it *began*, not where it was confirmed,
as the protocols ask ("stop the clock the moment position is lost").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from upright.form.definitions import ExerciseForm, FaultRule
from upright.skeleton import FloatArray

__all__ = [
    "FAULT_MIN_S",
    "LOSE_S",
    "REACH_S",
    "STEADY_RANGE_DEG",
    "Hold",
    "Rep",
    "Timing",
    "condition_mask",
    "count_reps",
    "debounce",
    "detect_holds",
    "fault_hit",
    "fault_labels",
    "phases",
]

BoolArray = npt.NDArray[np.bool_]
StrArray = npt.NDArray[np.str_]

#: A fault counts once it lasts this long (design heuristic).
FAULT_MIN_S = 0.5
#: A position counts as reached once held, steady, this long (design heuristic).
REACH_S = 1.0
#: A position counts as lost once it stays lost this long (design heuristic).
LOSE_S = 0.5
#: "Steady": the judged angle moves less than this within ``REACH_S`` (design heuristic).
STEADY_RANGE_DEG = 8.0
#: After a hold ends, this long is the "end" phase, then "rest".
END_PHASE_S = 1.0

GOOD = "good"
Phase = Literal["set_up", "hold", "end", "rest"]


@dataclass(frozen=True)
class Timing:
    """The timing constants, adjustable for tests and studies."""

    fault_min_s: float = FAULT_MIN_S
    reach_s: float = REACH_S
    lose_s: float = LOSE_S
    steady_range_deg: float = STEADY_RANGE_DEG


def condition_mask(values: FloatArray, low: float | None, high: float | None) -> BoolArray:
    """Where ``values`` lie in ``[low, high]`` (an open end when None); NaN is False."""
    ok = np.isfinite(values)
    with np.errstate(invalid="ignore"):
        if low is not None:
            ok &= values >= low
        if high is not None:
            ok &= values <= high
    return np.asarray(ok)


def fault_hit(frames: pd.DataFrame, f: FaultRule) -> BoolArray:
    """Where the fault's limit is crossed (NaN crosses nothing)."""
    values = frames[f.measure].to_numpy(dtype=np.float64)
    with np.errstate(invalid="ignore"):
        if f.below is not None:
            return np.asarray(values < f.below.deg)
        assert f.above is not None
        return np.asarray(values > f.above.deg)


def fault_labels(frames: pd.DataFrame, definition: ExerciseForm) -> StrArray:
    """Per frame, the first fault (in the definition's order) whose limit is crossed, or
    ``"good"``; NaN measures cross nothing."""
    labels = np.full(len(frames), GOOD, dtype=object)
    for f in reversed(definition.faults):
        labels[fault_hit(frames, f)] = f.name
    return np.asarray(labels.astype(str))


def debounce(
    labels: StrArray, time_s: FloatArray, min_s: float, initial: str | None = None
) -> StrArray:
    """Labels with every change confirmed only after it lasts ``min_s``.

    The state starts as ``initial`` (default: the first label), switches to a new label
    once that label has held for ``min_s``, and the switch is dated back to where the
    label began; shorter runs keep the state before.
    """
    out = np.array(labels, dtype=object)
    if labels.size == 0:
        return np.asarray(out.astype(str))
    dt = float(np.median(np.diff(time_s))) if time_s.size > 1 else 0.0
    state = str(labels[0]) if initial is None else initial
    start = 0
    for i in range(labels.size):
        lab = str(labels[i])
        if lab != str(labels[start]):
            start = i
        if lab != state and time_s[i] - time_s[start] + dt >= min_s - 1e-9:
            state = lab
            out[start : i + 1] = state
        out[i] = state
    return np.asarray(out.astype(str))


@dataclass(frozen=True)
class Hold:
    """One hold: from position reached to position lost (frame indices, end exclusive)."""

    start: int
    end: int
    start_s: float
    end_s: float
    end_reason: str
    ended_by_fault: str | None = None
    still_going: bool = False
    hit_limit: bool = False

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


def _steady(judged: FloatArray, time_s: FloatArray, window_s: float, range_deg: float) -> BoolArray:
    """Per frame, whether the judged angle moved less than ``range_deg`` over the window
    that ends at the frame."""
    dt = float(np.median(np.diff(time_s))) if time_s.size > 1 else 1.0
    n = max(1, round(window_s / dt))
    s = pd.Series(judged)
    spread = s.rolling(n, min_periods=1).max() - s.rolling(n, min_periods=1).min()
    return np.asarray(spread.to_numpy(dtype=np.float64) <= range_deg)


@dataclass
class _HoldScan:
    time_s: FloatArray
    ready: BoolArray  # in position, no ending fault: the hold may go on
    steady: BoolArray
    timing: Timing
    dt: float
    holds: list[Hold] = field(default_factory=list)


def _reached_at(scan: _HoldScan, i: int, start: int) -> bool:
    t = scan.time_s
    return bool(t[i] - t[start] + scan.dt >= scan.timing.reach_s - 1e-9 and scan.steady[i])


def detect_holds(
    time_s: FloatArray,
    in_position: BoolArray,
    ending_fault: StrArray,
    judged: FloatArray,
    timing: Timing,
    *,
    require_steady: bool = True,
    max_hold_s: float | None = None,
    loss_reason: list[str] | None = None,
) -> list[Hold]:
    """Holds: the position reached (in position, no ending fault, steady for
    ``timing.reach_s``) until lost (out of position or an ending fault for
    ``timing.lose_s``), the clip's end, or ``max_hold_s``.

    ``ending_fault`` is the name of a fault that ends a hold, per frame, or "".
    ``loss_reason`` gives, per frame, why the frame is out of position.
    """
    n = time_s.size
    dt = float(np.median(np.diff(time_s))) if n > 1 else 0.0
    ready = np.asarray(in_position & (ending_fault == ""))
    steady = (
        _steady(judged, time_s, timing.reach_s, timing.steady_range_deg)
        if require_steady
        else np.ones(n, dtype=bool)
    )
    scan = _HoldScan(time_s, ready, steady, timing, dt)
    i = 0
    while i < n:
        if not ready[i]:
            i += 1
            continue
        start = i
        while i < n and ready[i] and not _reached_at(scan, i, start):
            i += 1
        if i >= n or not ready[i]:
            continue
        # reached: the position has been held, steady, over the window ending at i
        start = max(start, int(np.searchsorted(time_s, time_s[i] - timing.reach_s + dt - 1e-9)))
        hold = _run_hold(scan, start, i, ending_fault, max_hold_s, loss_reason)
        scan.holds.append(hold)
        i = hold.end
        while hold.hit_limit and i < n and ready[i]:
            i += 1  # the protocol is over: staying in position does not start a new hold
    return scan.holds


def _run_hold(
    scan: _HoldScan,
    start: int,
    i: int,
    ending_fault: StrArray,
    max_hold_s: float | None,
    loss_reason: list[str] | None,
) -> Hold:
    t, n = scan.time_s, scan.time_s.size
    t_end_frame = t[-1] + scan.dt
    lost_from: int | None = None
    while i < n:
        if max_hold_s is not None and t[i] - t[start] >= max_hold_s:
            reason = f"the protocol's {max_hold_s:g} s limit"
            return Hold(start, i, t[start], t[i], reason, hit_limit=True)
        if scan.ready[i]:
            lost_from = None
        else:
            lost_from = i if lost_from is None else lost_from
            if t[i] - t[lost_from] + scan.dt >= scan.timing.lose_s - 1e-9:
                fault = str(ending_fault[lost_from]) or None
                reason = fault or (loss_reason[lost_from] if loss_reason else "position lost")
                return Hold(start, lost_from, t[start], t[lost_from], reason, fault)
        i += 1
    end = lost_from if lost_from is not None else n
    end_s = t[end] if end < n else t_end_frame
    if lost_from is not None:
        fault = str(ending_fault[lost_from]) or None
        reason = fault or (loss_reason[lost_from] if loss_reason else "position lost")
        return Hold(start, end, t[start], end_s, reason, fault)
    return Hold(start, n, t[start], end_s, "the clip ended during the hold", still_going=True)


def phases(time_s: FloatArray, holds: list[Hold]) -> StrArray:
    """Per frame: ``set_up`` before the first hold, ``hold``, ``end`` for a second after a
    hold, ``rest`` otherwise."""
    out = np.full(time_s.size, "set_up", dtype=object)
    if holds:
        out[holds[0].start :] = "rest"
    for h in holds:
        after = (time_s >= h.end_s) & (time_s < h.end_s + END_PHASE_S)
        out[after & (out == "rest")] = "end"
    for h in holds:
        out[h.start : h.end] = "hold"
    return np.asarray(out.astype(str))


@dataclass(frozen=True)
class Rep:
    """One repetition: left the bottom, reached the top, came back (clip seconds)."""

    start_s: float
    top_s: float
    end_s: float
    peak_deg: float
    quality: str  # "good" or the fault seen at the top


def count_reps(
    time_s: FloatArray,
    values: FloatArray,
    labels: StrArray,
    active: BoolArray,
    top_deg: float,
    bottom_deg: float,
) -> tuple[list[Rep], int]:
    """Reps on ``values`` while ``active``: from below ``bottom_deg`` up to at least
    ``top_deg`` and back below ``bottom_deg`` (hysteresis between the two). The quality
    of a rep is the most frequent label among its frames at the top. Also returns the
    partial reps: lifts that left the bottom but came back without reaching the top."""
    reps: list[Rep] = []
    partial = 0
    state = "unknown"
    start = 0
    top = -1
    for i in range(time_s.size):
        v = values[i]
        if not active[i] or not np.isfinite(v):
            state, top = "unknown", -1
            continue
        if v < bottom_deg:
            if state == "rising" and top >= 0:
                reps.append(_rep(time_s, values, labels, start, top, i, top_deg))
            elif state == "rising":
                partial += 1
            state, top = "bottom", -1
            start = i
        elif state == "bottom":
            state = "rising"
        if state == "rising" and v >= top_deg and (top < 0 or v > values[top]):
            top = i
    return reps, partial


def _rep(
    t: FloatArray,
    values: FloatArray,
    labels: StrArray,
    start: int,
    top: int,
    end: int,
    top_deg: float,
) -> Rep:
    at_top = [str(labels[k]) for k in range(start, end) if values[k] >= top_deg]
    faults = [lab for lab in at_top if lab != GOOD]
    quality = max(set(faults), key=faults.count) if len(faults) * 2 > len(at_top) else GOOD
    return Rep(float(t[start]), float(t[top]), float(t[end]), float(values[top]), quality)
