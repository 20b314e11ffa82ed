"""Time structure of an exercise: debounced faults, holds with hysteresis, phases, reps.

Timing constants are design heuristics: keypoint angles jitter by a few degrees from frame
to frame, so a fault counts only once it lasts ``FAULT_MIN_S``, a position only once it is
held steady for ``REACH_S``, and a position is lost only when it stays lost for ``LOSE_S``.
The moment a fault or a loss is reported is where it *began*, not where it was confirmed,
as the protocols ask ("stop the clock the moment position is lost").
"""

from __future__ import annotations

import bisect
from collections import deque
from dataclasses import dataclass
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
    "Debouncer",
    "Hold",
    "HoldTracker",
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


class Debouncer:
    """Labels with every change confirmed only once it lasts ``min_s``.

    The state starts as ``initial`` (None: the first label pushed) and switches to a new
    label once that label has been pushed without a break for ``min_s`` (counting the
    last frame's length ``frame_s``); the switch is dated back to the run's first frame.
    """

    def __init__(self, min_s: float, frame_s: float, initial: str | None = None) -> None:
        self.min_s = min_s
        self.frame_s = frame_s
        self.state = initial
        self._run_label: str | None = None
        self._run_start = 0
        self._run_start_s = 0.0
        self._count = 0

    def push(self, label: str, time_s: float) -> tuple[str, int | None]:
        """The state after this frame, and the index (0 = the first frame pushed) from
        which earlier frames take that state, when a switch was just confirmed."""
        i = self._count
        self._count += 1
        if self.state is None:
            self.state = label
        if label != self._run_label:
            self._run_label, self._run_start, self._run_start_s = label, i, time_s
        if label != self.state and time_s - self._run_start_s + self.frame_s >= self.min_s - 1e-9:
            self.state = label
            return label, self._run_start
        return self.state, None


_State = Literal["idle", "arming", "hold", "limit"]


@dataclass
class _Frame:
    time_s: float
    ending_fault: str
    loss_reason: str | None


class HoldTracker:
    """Holds, found as frames arrive: the position is reached when it has been kept
    (``ready``: in position with no hold-ending fault) and steady for
    ``timing.reach_s``; it is lost when not ready for ``timing.lose_s`` (dated back to
    the first frame not ready), or when ``max_hold_s`` is reached.

    ``frame_s`` is the length of one frame (the median interval); the live check may
    update it as frames come. Finished holds are in :attr:`holds`; :meth:`finish` adds
    the one still going.
    """

    def __init__(
        self,
        timing: Timing,
        frame_s: float,
        *,
        require_steady: bool = True,
        max_hold_s: float | None = None,
    ) -> None:
        self.timing = timing
        self.frame_s = frame_s
        self.require_steady = require_steady
        self.max_hold_s = max_hold_s
        self.holds: list[Hold] = []
        self._frames: list[_Frame] = []
        self._times: list[float] = []
        self._window: deque[tuple[float, float]] = deque()
        self._state: _State = "idle"
        self._start = 0
        self._lost_from: int | None = None

    @property
    def hold_start(self) -> int | None:
        """The first frame of the hold going on now (None outside a hold)."""
        return self._start if self._state == "hold" else None

    @property
    def losing_since(self) -> int | None:
        """In a hold, the first frame of a loss not yet long enough to end it."""
        return self._lost_from if self._state == "hold" else None

    def _steady(self, time_s: float, judged: float) -> bool:
        """Whether the judged angle moved less than the steady range over the
        ``reach_s`` window that ends at this frame (NaN values are skipped)."""
        if not self.require_steady:
            return True
        n = max(1, round(self.timing.reach_s / self.frame_s)) if self.frame_s > 0 else 1
        self._window.append((time_s, judged))
        while self._window and self._window[0][0] < time_s - (n - 0.5) * self.frame_s:
            self._window.popleft()
        values = [v for _, v in self._window if np.isfinite(v)]
        return bool(values) and max(values) - min(values) <= self.timing.steady_range_deg

    def _reached(self, i: int, steady: bool) -> bool:
        t = self._times
        return t[i] - t[self._start] + self.frame_s >= self.timing.reach_s - 1e-9 and steady

    def _end_reason(self, at: int) -> tuple[str, str | None]:
        f = self._frames[at]
        fault = f.ending_fault or None
        reason = fault or (f.loss_reason if f.loss_reason is not None else "position lost")
        return reason, fault

    def push(
        self,
        time_s: float,
        *,
        ready: bool,
        judged: float,
        ending_fault: str = "",
        loss_reason: str | None = None,
    ) -> None:
        """Take one frame: whether the hold may go on (``ready``), the judged angle, the
        hold-ending fault seen ("" for none) and, when not in position, why."""
        i = len(self._times)
        self._times.append(time_s)
        self._frames.append(_Frame(time_s, ending_fault, loss_reason))
        steady = self._steady(time_s, judged)
        if self._state == "limit":  # the protocol is over until the position is left
            if not ready:
                self._state = "idle"
            return
        if self._state == "idle":
            if not ready:
                return
            self._state, self._start = "arming", i
        if self._state == "arming":
            if not ready:
                self._state = "idle"
                return
            if not self._reached(i, steady):
                return
            # reached: the hold began where the steady window that ends here began
            first = bisect.bisect_left(
                self._times, time_s - self.timing.reach_s + self.frame_s - 1e-9
            )
            self._start = max(self._start, first)
            self._state, self._lost_from = "hold", None
        self._in_hold(i, ready)

    def _in_hold(self, i: int, ready: bool) -> None:
        t, start = self._times, self._start
        if self.max_hold_s is not None and t[i] - t[start] >= self.max_hold_s:
            reason = f"the protocol's {self.max_hold_s:g} s limit"
            self.holds.append(Hold(start, i, t[start], t[i], reason, hit_limit=True))
            self._state = "limit" if ready else "idle"
            return
        if ready:
            self._lost_from = None
            return
        lost = i if self._lost_from is None else self._lost_from
        self._lost_from = lost
        if t[i] - t[lost] + self.frame_s >= self.timing.lose_s - 1e-9:
            reason, fault = self._end_reason(lost)
            self.holds.append(Hold(start, lost, t[start], t[lost], reason, fault))
            self._state = "idle"

    def finish(self) -> list[Hold]:
        """Every hold, with the one still going when the frames ended (to the end of
        the last frame, or to where a loss not yet confirmed began)."""
        if self._state != "hold":
            return list(self.holds)
        t, start, n = self._times, self._start, len(self._times)
        if self._lost_from is not None:
            reason, fault = self._end_reason(self._lost_from)
            last = Hold(start, self._lost_from, t[start], t[self._lost_from], reason, fault)
        else:
            end_s = t[-1] + self.frame_s
            last = Hold(
                start, n, t[start], end_s, "the clip ended during the hold", still_going=True
            )
        return [*self.holds, last]


def debounce(
    labels: StrArray, time_s: FloatArray, min_s: float, initial: str | None = None
) -> StrArray:
    """Labels with every change confirmed only after it lasts ``min_s``.

    The state starts as ``initial`` (default: the first label), switches to a new label
    once that label has held for ``min_s``, and the switch is dated back to where the
    label began; shorter runs keep the state before (the clip fed through
    :class:`Debouncer`).
    """
    out = np.array(labels, dtype=object)
    dt = float(np.median(np.diff(time_s))) if time_s.size > 1 else 0.0
    step = Debouncer(min_s, dt, initial)
    for i in range(labels.size):
        state, since = step.push(str(labels[i]), float(time_s[i]))
        if since is not None:
            out[since : i + 1] = state
        out[i] = state
    return np.asarray(out.astype(str))


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
    ``timing.lose_s``), the clip's end, or ``max_hold_s`` (the clip fed through
    :class:`HoldTracker`).

    ``ending_fault`` is the name of a fault that ends a hold, per frame, or "".
    ``loss_reason`` gives, per frame, why the frame is out of position.
    """
    dt = float(np.median(np.diff(time_s))) if time_s.size > 1 else 0.0
    tracker = HoldTracker(timing, dt, require_steady=require_steady, max_hold_s=max_hold_s)
    for i in range(time_s.size):
        tracker.push(
            float(time_s[i]),
            ready=bool(in_position[i] and ending_fault[i] == ""),
            judged=float(judged[i]),
            ending_fault=str(ending_fault[i]),
            loss_reason=loss_reason[i] if loss_reason is not None else None,
        )
    return tracker.finish()


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
