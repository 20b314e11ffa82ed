"""Steps, strides and minutes of one worn accelerometer: cadence, impact, regularity.

Steps are the peaks of the vertical acceleration (5 Hz low-pass), at least
:data:`MIN_STEP_TIME_S` apart and clear of the neighbouring peaks' typical size.
Step and stride regularity are the unbiased autocorrelation of the vertical acceleration
at the step and the stride lag (Moe-Nilssen & Helbostad 2004, J Biomech 37:121).
The posture that goes with them is in :mod:`upright.kinematics.imu_posture`.
"""

from __future__ import annotations

from typing import Final, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import signal

from upright.io.imu import STANDARD_GRAVITY_M_S2

ActivityKind = Literal["running", "walking", "still"]
FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: Low-pass of the vertical acceleration before step peaks are found.
STEP_CUTOFF_HZ: Final = 5.0
#: Shortest step (0.25 s = 240 steps/min, beyond sprinting cadence).
MIN_STEP_TIME_S: Final = 0.25
#: A step interval longer than this is a pause, not a step.
MAX_STEP_TIME_S: Final = 1.2
#: A peak smaller than this fraction of its neighbours' median prominence is not a step.
RELATIVE_PROMINENCE: Final = 0.35
#: Smallest step peak (prominence), m/s^2 (0.15 g): walking at the lower back gives 0.3 g
#: and more.
MIN_PROMINENCE_M_S2: Final = 1.5
#: Running: at least 140 steps/min (walking is about 100-125) with step peaks of at
#: least 0.5 g above gravity (5 Hz low-pass) at the trunk or hip; walking at the lower
#: back gives about 0.2-0.3 g (gaitpy walk), running 0.8-1.4 g (adeptdata hip run).
MIN_RUNNING_CADENCE_SPM: Final = 140.0
MIN_RUNNING_IMPACT_G: Final = 0.5
#: A minute with fewer steps than this is still.
MIN_STEPS_PER_MINUTE: Final = 20
#: The run is summarised minute by minute.
WINDOW_S: Final = 60.0


# ------------------------------------------------------------------ steps


def _detect_steps(vertical: FloatArray, fs: float) -> IntArray:
    """Sample indices of step peaks in the (filtered) vertical acceleration."""
    peaks, props = signal.find_peaks(
        vertical, distance=max(1, int(MIN_STEP_TIME_S * fs)), prominence=MIN_PROMINENCE_M_S2
    )
    if peaks.size < 3:
        return peaks.astype(np.int64)
    prom = props["prominences"]
    typical = pd.Series(prom).rolling(21, center=True, min_periods=1).median().to_numpy()
    keep = prom >= RELATIVE_PROMINENCE * typical
    out: IntArray = peaks[keep].astype(np.int64)
    return out


def _steps_table(t: FloatArray, idx: IntArray, vertical: FloatArray) -> pd.DataFrame:
    times = t[idx]
    step_time = np.append(np.diff(times), np.nan)[: times.size]
    step_time[step_time > MAX_STEP_TIME_S] = np.nan
    return pd.DataFrame(
        {
            "time_s": times,
            "step_time_s": step_time,
            "impact_g": vertical[idx] / STANDARD_GRAVITY_M_S2,
        }
    )


# ------------------------------------------------------------------ per minute


def _autocorr_peaks(x: FloatArray, ranges: list[tuple[int, int]]) -> list[float]:
    """Highest unbiased, normalised autocorrelation of ``x`` within each lag range."""
    n = x.size
    top = min(n - 2, max(hi for _, hi in ranges))
    x = x - x.mean()
    var = float(np.dot(x, x)) / n
    if var <= 0 or top < 2:
        return [float("nan")] * len(ranges)
    nfft = 1 << (2 * n - 1).bit_length()
    spec = np.fft.rfft(x, nfft)
    ac = np.fft.irfft(spec * np.conj(spec), nfft)[: top + 1] / (n - np.arange(top + 1)) / var
    out = []
    for lo, hi in ranges:
        lo, hi = max(1, lo), min(top, hi)
        out.append(float(np.max(ac[lo : hi + 1])) if hi > lo else float("nan"))
    return out


def _classify(cadence: float, impact_g: float, steps: int) -> ActivityKind:
    if steps < MIN_STEPS_PER_MINUTE or not np.isfinite(cadence):
        return "still"
    if cadence >= MIN_RUNNING_CADENCE_SPM and impact_g >= MIN_RUNNING_IMPACT_G:
        return "running"
    return "walking"


def _minutes(
    t: FloatArray,
    vertical: FloatArray,
    fs: float,
    steps: pd.DataFrame,
    strides: pd.DataFrame,
    *,
    regularity: bool = True,
) -> pd.DataFrame:
    n_min = max(1, int(np.ceil(t[-1] / WINDOW_S - 1e-9)))
    rows = []
    step_t = steps["time_s"].to_numpy()
    stride_t = strides["start_s"].to_numpy()
    for m in range(n_min):
        a, b = m * WINDOW_S, min((m + 1) * WINDOW_S, float(t[-1]))
        in_min = (step_t >= a) & (step_t < b)
        st = steps["step_time_s"].to_numpy()[in_min]
        st = st[np.isfinite(st)]
        cadence = 60.0 * st.size / st.sum() if st.size >= 3 else float("nan")
        impact = float(np.median(steps["impact_g"].to_numpy()[in_min])) if in_min.any() else 0.0
        activity = _classify(cadence, impact, int(in_min.sum()))
        step_reg = stride_reg = float("nan")
        if regularity and activity != "still":
            i0, i1 = int(a * fs), int(b * fs)
            period = round(fs * 60.0 / cadence)
            seg = vertical[i0:i1]
            step_reg, stride_reg = _autocorr_peaks(
                seg,
                [
                    (int(0.75 * period), int(1.25 * period)),
                    (int(1.75 * period), int(2.25 * period)),
                ],
            )
        sel = (stride_t >= a) & (stride_t < b)
        pitch = strides["pitch_deg"].to_numpy()[sel]
        pitch = pitch[np.isfinite(pitch)]
        rows.append(
            {
                "minute": m + 1,
                "start_s": a,
                "end_s": b,
                "activity": activity,
                "steps": int(in_min.sum()),
                "cadence_spm": cadence,
                "impact_g": impact,
                "step_regularity": step_reg,
                "stride_regularity": stride_reg,
                "pitch_deg": float(np.median(pitch)) if pitch.size else float("nan"),
                "pitch_sd_deg": float(np.std(pitch, ddof=1)) if pitch.size > 1 else float("nan"),
                "n_strides": int(pitch.size),
            }
        )
    return pd.DataFrame(rows)


def _strides(t: FloatArray, idx: IntArray, pitch: FloatArray | None) -> pd.DataFrame:
    """Two consecutive steps make a stride; kept when neither step is a pause."""
    if idx.size < 3:
        return pd.DataFrame({"start_s": [], "end_s": [], "pitch_deg": []})
    start, end = idx[:-2], idx[2:]
    ok = (t[end] - t[start]) <= 2 * MAX_STEP_TIME_S
    start, end = start[ok], end[ok]
    if pitch is None:
        values = np.full(start.size, np.nan)
    else:
        csum = np.concatenate([[0.0], np.cumsum(pitch)])
        values = (csum[end] - csum[start]) / (end - start)
    return pd.DataFrame({"start_s": t[start], "end_s": t[end], "pitch_deg": values})


def _overall_activity(
    minutes: pd.DataFrame,
) -> tuple[Literal["running", "walking", "not moving"], str]:
    counts = minutes["activity"].value_counts()
    run, walk = int(counts.get("running", 0)), int(counts.get("walking", 0))
    if run == 0 and walk == 0:
        return "not moving", "no steps were found: the sensor did not move as in walking or running"
    moving = minutes[minutes["activity"] != "still"]
    cad = float(np.nanmedian(moving["cadence_spm"]))
    impact = float(np.nanmedian(moving["impact_g"]))
    if run >= walk:
        return "running", (
            f"{run} of {len(minutes)} minutes running (median {cad:.0f} steps/min, step "
            f"peaks {impact:.1f} g)"
        )
    return "walking", (
        f"this is walking, not running: median {cad:.0f} steps/min with step peaks of "
        f"{impact:.1f} g (running is at least {MIN_RUNNING_CADENCE_SPM:.0f} steps/min with "
        f"peaks of {MIN_RUNNING_IMPACT_G:.1f} g or more)"
    )
