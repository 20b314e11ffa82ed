"""The form check one frame at a time, for the live camera.

Two steps, each fed one frame:

- :class:`LiveJudge` takes a frame's measures and applies the definition's position,
  faults, debouncing and holds with the same functions and streaming steps as the
  whole-clip check (:func:`upright.form.judge.judge_form`); fed a clip's measures frame
  by frame, it gives the same per-frame verdicts and the same per-second table.
- :class:`LiveFormCheck` takes a frame's keypoints and prepares them as the whole-clip
  check does, but causally, since later frames are not there yet: low-confidence points
  are dropped, a gap up to ``FORM_MAX_GAP_S`` keeps the last point seen (instead of a
  straight line to the next), the zero-lag low-pass becomes a one-pole low-pass at the
  same cutoff (a few hundredths of a second of lag), and the camera tilt and the head's
  side are the medians of the frames seen so far. A ``sway`` measure compares the angle
  with the median of the past half window (the whole-clip check centres the window).

Verdicts are dated back as in the whole-clip check (a fault from its first frame, a hold
from the start of its steady second): the good-form clock of a live view can step back
by up to ``FAULT_MIN_S`` when a fault is confirmed, and forward by ``REACH_S`` when a
hold is reached.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from upright.form.check import FORM_CUTOFF_HZ, FORM_MAX_GAP_S, MAX_FLOOR_TILT_DEG, MIN_FLOOR_SHARE
from upright.form.definitions import ExerciseForm, FaultRule, Side
from upright.form.geometry import floor_tilt_deg, measures_of
from upright.form.judge import _ending_faults, _in_position, per_second
from upright.form.timing import (
    GOOD,
    Debouncer,
    Hold,
    HoldTracker,
    Timing,
    debounce,
    fault_labels,
    phases,
)
from upright.kinematics.angles import midpoint_xy
from upright.signal.filters import DEFAULT_CONFIDENCE_THRESHOLD
from upright.skeleton import KEYPOINTS, FloatArray

__all__ = ["JudgeStep", "LiveFormCheck", "LiveJudge", "LiveUpdate"]

#: Frames of the past that set the camera tilt and the head's side (about 10 s at 30 fps).
HISTORY_FRAMES = 300
#: A frame counts at most this many frame lengths on the clock (a stalled camera is not
#: time held).
MAX_FRAME_GAP = 3.0


@dataclass(frozen=True)
class JudgeStep:
    """The form at the newest frame.

    ``fault`` is the confirmed fault in a hold, else the fault whose limit is crossed
    now while in position (None when the form is good or the position is not taken).
    ``good_form_s`` counts every frame judged good in a hold so far; ``hold_s`` is the
    length of the hold going on (0 outside a hold); ``held_s`` adds the finished holds.
    """

    time_s: float
    in_position: bool
    position_note: str
    phase: str
    in_hold: bool
    fault: FaultRule | None
    good_form_s: float
    hold_s: float
    held_s: float
    holds: int


class LiveJudge:
    """Position, faults, holds and the good-form clock, one frame of measures at a time."""

    def __init__(
        self, definition: ExerciseForm, frame_s: float, timing: Timing | None = None
    ) -> None:
        self.definition = definition
        self.timing = timing or Timing()
        self.frame_s = frame_s
        max_s = definition.max_hold_s.deg if definition.max_hold_s is not None else None
        self.tracker = HoldTracker(
            self.timing, frame_s, require_steady=definition.kind == "hold", max_hold_s=max_s
        )
        self._faults = {f.name: f for f in definition.faults}
        self._rows: list[dict[str, float]] = []
        self._time: list[float] = []
        self._raw: list[str] = []
        self._in_pos: list[bool] = []
        self.verdict: list[str] = []
        self._debouncer: Debouncer | None = None
        self._hold_from = 0  # index where the running hold's debouncer starts
        self._finished_good_s = 0.0
        self._finished_held_s = 0.0

    def set_frame_s(self, frame_s: float) -> None:
        """The length of one frame from now on (the live check follows the camera)."""
        self.frame_s = frame_s
        self.tracker.frame_s = frame_s
        if self._debouncer is not None:
            self._debouncer.frame_s = frame_s

    def _frame_table(self, time_s: float, measures: Mapping[str, float]) -> pd.DataFrame:
        row = {
            "time_s": time_s,
            **{m.name: float(measures[m.name]) for m in self.definition.measures},
        }
        return pd.DataFrame([row])

    def push(self, time_s: float, measures: Mapping[str, float]) -> JudgeStep:
        """Judge the newest frame (``measures``: every measure of the definition, NaN
        where it cannot be computed)."""
        d = self.definition
        table = self._frame_table(time_s, measures)
        in_pos, reasons = _in_position(table, d)
        raw = str(fault_labels(table, d)[0])
        ending = str(_ending_faults(table, d)[0])
        i = len(self._time)
        self._rows.append({str(k): float(v) for k, v in table.iloc[0].items()})
        self._time.append(time_s)
        self._raw.append(raw)
        self._in_pos.append(bool(in_pos[0]))
        self.verdict.append("")
        done = len(self.tracker.holds)
        was_in_hold = self.tracker.hold_start is not None
        self.tracker.push(
            time_s,
            ready=bool(in_pos[0]) and ending == "",
            judged=float(measures[d.judged]),
            ending_fault=ending,
            loss_reason=reasons[0],
        )
        for hold in self.tracker.holds[done:]:
            self._close(hold, i)
        start = self.tracker.hold_start
        if start is not None:
            if was_in_hold:
                self._step(i)
            else:
                self._open(start, i)
        return self._state(i, bool(in_pos[0]), reasons[0], raw)

    def _open(self, start: int, i: int) -> None:
        """A hold was reached at ``i``: it began at ``start``; judge its frames so far."""
        self._debouncer = Debouncer(self.timing.fault_min_s, self.frame_s, initial=GOOD)
        self._hold_from = start
        for k in range(start, i + 1):
            self._step(k)

    def _step(self, k: int) -> None:
        assert self._debouncer is not None
        state, since = self._debouncer.push(self._raw[k], self._time[k])
        if since is not None:
            first = self._hold_from + since
            self.verdict[first : k + 1] = [state] * (k + 1 - first)
        self.verdict[k] = state

    def _close(self, hold: Hold, i: int) -> None:
        """A hold ended (dated back to ``hold.end``): its frames are judged again as the
        whole-clip check judges them, the frames after it are out of the hold."""
        t = np.asarray(self._time[hold.start : hold.end], dtype=np.float64)
        raw = np.asarray(self._raw[hold.start : hold.end])
        self.verdict[hold.start : hold.end] = list(
            debounce(raw, t, self.timing.fault_min_s, initial=GOOD)
        )
        self.verdict[hold.end : i + 1] = [""] * (i + 1 - hold.end)
        self._debouncer = None
        self._finished_good_s += self._good_s(hold.start, hold.end)
        self._finished_held_s += hold.duration_s

    def _durations(self, start: int, end: int) -> FloatArray:
        """Each frame's length on the clock: to the next frame, the last one
        ``frame_s``; at most ``MAX_FRAME_GAP`` frame lengths."""
        t = np.asarray(self._time[start : end + 1], dtype=np.float64)
        d = np.diff(t) if end < len(self._time) else np.append(np.diff(t), self.frame_s)
        return np.minimum(d[: end - start], MAX_FRAME_GAP * self.frame_s)

    def _good_s(self, start: int, end: int) -> float:
        good = np.asarray(self.verdict[start:end]) == GOOD
        return float(np.sum(self._durations(start, end)[good]))

    def _state(self, i: int, in_pos: bool, note: str, raw: str) -> JudgeStep:
        start = self.tracker.hold_start
        in_hold = start is not None
        good_s, hold_s = self._finished_good_s, 0.0
        if start is not None:
            good_s += self._good_s(start, i + 1)
            hold_s = self._time[i] + self.frame_s - self._time[start]
        name = self.verdict[i] if in_hold else (raw if in_pos else GOOD)
        fault = self._faults.get(name) if name != GOOD else None
        if in_hold:
            phase = "hold"
        elif not self.tracker.holds:
            phase = "set_up"
        else:
            phase = "end" if self._time[i] < self.tracker.holds[-1].end_s + 1.0 else "rest"
        return JudgeStep(
            time_s=self._time[i],
            in_position=in_pos,
            position_note=note,
            phase=phase,
            in_hold=in_hold,
            fault=fault,
            good_form_s=good_s,
            hold_s=hold_s,
            held_s=self._finished_held_s + hold_s,
            holds=len(self.tracker.holds) + int(in_hold),
        )

    def frames(self) -> pd.DataFrame:
        """Every frame so far as :func:`~upright.form.judge.judge_form` tables it:
        ``time_s``, the measures, ``in_position``, ``fault_raw``, ``phase`` and
        ``verdict`` (a hold still going counts as held)."""
        out = pd.DataFrame(self._rows)
        holds = self.tracker.finish()
        verdict = list(self.verdict)
        if self.tracker.hold_start is not None and holds:
            last = holds[-1]  # a loss not long enough yet still ends the clip's hold
            t = np.asarray(self._time[last.start : last.end], dtype=np.float64)
            raw = np.asarray(self._raw[last.start : last.end])
            verdict[last.start : last.end] = list(
                debounce(raw, t, self.timing.fault_min_s, initial=GOOD)
            )
            verdict[last.end :] = [""] * (len(verdict) - last.end)
        out["in_position"] = self._in_pos
        out["fault_raw"] = self._raw
        out["phase"] = phases(np.asarray(self._time, dtype=np.float64), holds)
        out["verdict"] = verdict
        return out

    def seconds(self) -> pd.DataFrame:
        """The per-second table of every frame so far (:func:`per_second`)."""
        return per_second(self.frames(), self.definition.judged)


@dataclass(frozen=True)
class LiveUpdate:
    """One frame's answer: the skeleton to draw and the form.

    ``skeleton`` holds, per keypoint of :data:`~upright.skeleton.KEYPOINTS`, its
    position as a share of the picture's width and height (x right, y down) or None
    when not seen with enough confidence.
    """

    skeleton: list[tuple[float, float] | None]
    step: JudgeStep
    tilt_deg: float
    head_direction: int


class _CausalPoints:
    """Low-confidence points dropped, short gaps bridged with the last point seen, and a
    one-pole low-pass, per keypoint coordinate."""

    def __init__(self, n: int, cutoff_hz: float, max_gap_s: float) -> None:
        self.cutoff_hz = cutoff_hz
        self.max_gap_s = max_gap_s
        self.value = np.full((n, 2), np.nan)
        self.seen_s = np.full(n, -np.inf)
        self.last_s: float | None = None

    def push(self, time_s: float, xy: FloatArray) -> FloatArray:
        seen = np.isfinite(xy).all(axis=1)
        dt = time_s - self.last_s if self.last_s is not None else 0.0
        alpha = 1.0 - np.exp(-2.0 * np.pi * self.cutoff_hz * dt) if dt > 0 else 1.0
        fresh = seen & ~np.isfinite(self.value).all(axis=1)
        blend = seen & ~fresh
        self.value[fresh] = xy[fresh]
        self.value[blend] += alpha * (xy[blend] - self.value[blend])
        self.seen_s[seen] = time_s
        stale = ~seen & (time_s - self.seen_s > self.max_gap_s + 1e-9)
        self.value[stale] = np.nan
        self.last_s = time_s
        return self.value.copy()


class LiveFormCheck:
    """The form check of a camera stream: keypoints in, skeleton and form out.

    ``frame_s`` is the expected interval between frames; once frames have come it
    follows their median interval.
    """

    def __init__(
        self,
        definition: ExerciseForm,
        side: Side | None = None,
        *,
        frame_s: float = 1.0 / 15.0,
        tilt_deg: float | None = None,
        confidence_threshold: float = DEFAULT_CONFIDENCE_THRESHOLD,
        timing: Timing | None = None,
    ) -> None:
        self.definition = definition
        self.side = side
        self.given_tilt_deg = tilt_deg
        self.confidence_threshold = confidence_threshold
        self.judge = LiveJudge(definition, frame_s, timing)
        self._frame_s = frame_s
        self._cutoff_hz = FORM_CUTOFF_HZ
        self._points = _CausalPoints(len(KEYPOINTS), FORM_CUTOFF_HZ, FORM_MAX_GAP_S)
        windows = [m.window_s for m in definition.measures if m.geometry == "sway"]
        self._window_s = max(windows) / 2.0 if windows else 0.0
        self._window: deque[tuple[float, FloatArray]] = deque()
        self._floor: deque[float] = deque(maxlen=HISTORY_FRAMES)
        self._head_dx: deque[float] = deque(maxlen=HISTORY_FRAMES)
        self._intervals: deque[float] = deque(maxlen=HISTORY_FRAMES)
        self._last_s: float | None = None

    def push(
        self,
        time_s: float,
        xy_px: npt.ArrayLike,
        confidence: npt.ArrayLike,
        width_px: int,
        height_px: int,
    ) -> LiveUpdate:
        """Take one frame's keypoints (image pixels, y down, one row per keypoint of
        :data:`~upright.skeleton.KEYPOINTS`) and their confidences.

        Raises
        ------
        ValueError
            Times that do not increase, or arrays of the wrong shape.
        """
        xy = np.asarray(xy_px, dtype=np.float64)
        conf = np.asarray(confidence, dtype=np.float64)
        if xy.shape != (len(KEYPOINTS), 2) or conf.shape != (len(KEYPOINTS),):
            raise ValueError(f"keypoints of shape {xy.shape} / {conf.shape} do not match")
        if self._last_s is not None and time_s <= self._last_s:
            raise ValueError(f"frame time {time_s} does not come after {self._last_s}")
        self._update_frame_s(time_s)
        seen = conf >= self.confidence_threshold
        masked = np.where(seen[:, None], xy, np.nan)
        skeleton = [
            (round(float(p[0]) / width_px, 4), round(float(p[1]) / height_px, 4)) if ok else None
            for p, ok in zip(masked, seen & np.isfinite(xy).all(axis=1), strict=True)
        ]
        up = masked.copy()
        up[:, 1] = height_px - up[:, 1]
        clean = self._points.push(time_s, up)
        measures, tilt, head = self._measures(time_s, clean)
        step = self.judge.push(time_s, measures)
        return LiveUpdate(skeleton=skeleton, step=step, tilt_deg=tilt, head_direction=head)

    def _update_frame_s(self, time_s: float) -> None:
        if self._last_s is not None:
            self._intervals.append(time_s - self._last_s)
            self._frame_s = float(np.median(self._intervals))
            self.judge.set_frame_s(self._frame_s)
        self._last_s = time_s

    def _tilt(self, ds: Mapping[str, FloatArray]) -> float:
        if self.given_tilt_deg is not None:
            return float(self.given_tilt_deg)
        if self.definition.floor_points is None:
            return 0.0
        found, _ = floor_tilt_deg(ds, self.definition.floor_points, self.side)
        self._floor.append(found)
        angles = np.asarray(self._floor)
        ok = np.isfinite(angles)
        if ok.sum() < MIN_FLOOR_SHARE * angles.size or not ok.any():
            return 0.0
        tilt = float(np.median(angles[ok]))
        return tilt if abs(tilt) <= MAX_FLOOR_TILT_DEG else 0.0

    def _head(self, ds: Mapping[str, FloatArray]) -> int:
        dx = (
            midpoint_xy(ds["left_shoulder"], ds["right_shoulder"])[:, 0]
            - midpoint_xy(ds["left_hip"], ds["right_hip"])[:, 0]
        )
        self._head_dx.append(float(dx[-1]))
        values = np.asarray(self._head_dx)
        values = values[np.isfinite(values)]
        return 1 if values.size == 0 or float(np.median(values)) >= 0 else -1

    def _measures(self, time_s: float, clean: FloatArray) -> tuple[dict[str, float], float, int]:
        now = {k: clean[i : i + 1] for i, k in enumerate(KEYPOINTS)}
        tilt = self._tilt(now)
        head = self._head(now)
        a = np.deg2rad(-tilt)
        rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
        self._window.append((time_s, clean @ rot.T))
        while self._window[0][0] < time_s - self._window_s - 1e-9:
            self._window.popleft()
        t = np.array([f[0] for f in self._window])
        stacked = np.stack([f[1] for f in self._window])  # (time, keypoint, 2)
        points = {k: stacked[:, i] for i, k in enumerate(KEYPOINTS)}
        values = measures_of(points, t, self.definition, self.side, head)
        return {name: float(v[-1]) for name, v in values.items()}, tilt, head
