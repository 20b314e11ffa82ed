"""From per-frame angles to the verdict: position, faults, holds, phases, reps, seconds.

Input is the table of :func:`upright.form.geometry.compute_measures`; the definition says
what counts as position and fault. Nothing here reads files or knows about video.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import xarray as xr

from upright.form.definitions import ExerciseForm, Side
from upright.form.geometry import compute_measures, head_direction_per_frame
from upright.form.timing import (
    GOOD,
    BoolArray,
    Hold,
    Rep,
    StrArray,
    Timing,
    condition_mask,
    count_reps,
    debounce,
    detect_holds,
    fault_hit,
    fault_labels,
    phases,
)

__all__ = ["FirstFault", "FormJudgement", "judge_form", "judge_frames", "per_second"]

LEFT_PICTURE = "the body left the picture (keypoints lost)"


@dataclass(frozen=True)
class FirstFault:
    """When form was first lost during a hold, and why."""

    time_s: float
    into_hold_s: float
    fault: str


@dataclass(frozen=True)
class FormJudgement:
    """The verdict of one clip.

    ``frames`` holds per frame: ``time_s``, every measure, ``in_position`` (bool),
    ``fault_raw`` (the fault whose limit is crossed, or "good"), ``phase`` (set_up, hold,
    end, rest) and ``verdict`` ("good" or the confirmed fault in hold frames, "" outside).
    """

    frames: pd.DataFrame
    holds: list[Hold]
    reps: list[Rep]
    partial_reps: int
    seconds: pd.DataFrame
    held_s: float
    good_form_s: float
    first_fault: FirstFault | None
    frame_s: float


def _in_position(frames: pd.DataFrame, definition: ExerciseForm) -> tuple[BoolArray, list[str]]:
    ok: BoolArray = np.ones(len(frames), dtype=bool)
    reason = [""] * len(frames)
    needed = {c.measure for c in definition.position}
    missing = frames[sorted(needed)].isna().any(axis=1).to_numpy()
    for c in definition.position:
        hit = condition_mask(frames[c.measure].to_numpy(dtype=np.float64), c.low_deg, c.high_deg)
        for i in np.flatnonzero(ok & ~hit):
            reason[i] = LEFT_PICTURE if missing[i] else f"position lost; needed: {c.means}"
        ok &= hit
    return ok, reason


def _ending_faults(frames: pd.DataFrame, definition: ExerciseForm) -> StrArray:
    labels = np.full(len(frames), "", dtype=object)
    for f in reversed([f for f in definition.faults if f.ends_hold]):
        labels[fault_hit(frames, f)] = f.name
    return np.asarray(labels.astype(str))


def judge_form(
    frames: pd.DataFrame, definition: ExerciseForm, timing: Timing | None = None
) -> FormJudgement:
    """Position, faults, holds, phases, reps and per-second verdicts of one clip."""
    timing = timing or Timing()
    out = frames.copy()
    t = out["time_s"].to_numpy(dtype=np.float64)
    frame_s = float(np.median(np.diff(t))) if t.size > 1 else 0.0
    in_pos, reasons = _in_position(out, definition)
    raw = fault_labels(out, definition)
    judged = out[definition.judged].to_numpy(dtype=np.float64)
    max_s = definition.max_hold_s.deg if definition.max_hold_s is not None else None
    holds = detect_holds(
        t,
        in_pos,
        _ending_faults(out, definition),
        judged,
        timing,
        require_steady=definition.kind == "hold",
        max_hold_s=max_s,
        loss_reason=reasons,
    )
    phase = phases(t, holds)
    in_hold = phase == "hold"
    confirmed = np.full(t.size, GOOD, dtype=object)
    for h in holds:  # each hold starts in good form until a fault lasts
        confirmed[h.start : h.end] = debounce(
            raw[h.start : h.end], t[h.start : h.end], timing.fault_min_s, initial=GOOD
        )
    verdict = np.where(in_hold, confirmed, "")
    out["in_position"] = in_pos
    out["fault_raw"] = raw
    out["phase"] = phase
    out["verdict"] = verdict
    reps: list[Rep] = []
    partial = 0
    if definition.reps is not None:
        values = out[definition.reps.measure].to_numpy(dtype=np.float64)
        reps, partial = count_reps(
            t, values, confirmed, in_hold, definition.reps.top.deg, definition.reps.bottom.deg
        )
    first = None
    bad = np.flatnonzero(in_hold & (verdict != GOOD))
    if bad.size:
        i = int(bad[0])
        hold = next(h for h in holds if h.start <= i < h.end)
        first = FirstFault(float(t[i]), float(t[i] - hold.start_s), str(verdict[i]))
    return FormJudgement(
        frames=out,
        holds=holds,
        reps=reps,
        partial_reps=partial,
        seconds=per_second(out, definition.judged),
        held_s=float(sum(h.duration_s for h in holds)),
        good_form_s=float(np.sum(in_hold & (verdict == GOOD)) * frame_s),
        first_fault=first,
        frame_s=frame_s,
    )


def _majority(values: pd.Series) -> str:
    counts = values.value_counts()
    return str(counts.index[0]) if len(counts) else ""


def per_second(frames: pd.DataFrame, judged: str) -> pd.DataFrame:
    """One row per second of the clip: ``second`` (from the first frame), ``start_s``,
    ``phase`` (the most frequent), ``verdict`` ("good" when at least half of the second's
    hold frames are good, else the most frequent fault; "" with no hold frame),
    ``good_fraction`` of hold frames, and the median judged angle."""
    t = frames["time_s"].to_numpy(dtype=np.float64)
    k = np.floor(t - t[0] + 1e-9).astype(int)
    rows = []
    for second, group in frames.groupby(k, sort=True):
        hold = group[group["phase"] == "hold"]
        verdict = ""
        good = float("nan")
        if len(hold):
            good = float(np.mean(hold["verdict"] == GOOD))
            faults = hold.loc[hold["verdict"] != GOOD, "verdict"]
            verdict = GOOD if good >= 0.5 else _majority(faults)
        rows.append(
            {
                "second": int(second),
                "start_s": float(t[0] + second),
                "phase": _majority(group["phase"]),
                "verdict": verdict,
                "good_fraction": good,
                f"{judged}_median": float(np.nanmedian(group[judged]))
                if group[judged].notna().any()
                else float("nan"),
            }
        )
    return pd.DataFrame(rows)


def judge_frames(
    ds: xr.Dataset, definition: ExerciseForm, side: Side | None = None
) -> pd.DataFrame:
    """Per-frame verdicts of unrelated frames (a labelled table, not a clip): every
    measure, and ``fault_raw``, the first fault whose limit is crossed or "good". No time
    structure; the head side is decided per frame."""
    frames = compute_measures(ds, definition, side, head_direction_per_frame(ds))
    frames["fault_raw"] = fault_labels(frames, definition)
    return frames
