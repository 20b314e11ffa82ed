"""Posture and steps from one worn accelerometer: trunk (or pelvis) pitch, cadence, regularity.

Frames and signs (written once here):

=====================  =====================================================================
quantity               definition
=====================  =====================================================================
gravity direction      low-pass (0.5 Hz, 2nd-order Butterworth, zero lag) of the acceleration,
                       or the file's gravity stream; in the sensor's axes, pointing up
upright reference      the gravity direction over the first still interval of at least 3 s
                       (standing: low acceleration variance), or the interval given; pitch 0
forward axis           the horizontal direction (perpendicular to the reference) along which
                       the sensor decelerates while the vertical acceleration rises into
                       mid-stance and accelerates as it falls (braking then propulsion,
                       each step); mediolateral sway alternates sign step to step and cancels
pitch (deg)            angle of the gravity direction from the reference, in the plane of the
                       reference and the forward axis; **positive = leaning forward**
vertical acceleration  acceleration along the gravity direction minus gravity (m/s^2)
=====================  =====================================================================

A sensor on the chest or back measures the trunk; on the hip (a belt) it measures the
pelvis, so the pitch there is pelvic tilt plus the belt's rocking, not trunk lean.

Steps are the peaks of the vertical acceleration (5 Hz low-pass), at least
:data:`MIN_STEP_TIME_S` apart and clear of the neighbouring peaks' typical size.
Step and stride regularity are the unbiased autocorrelation of the vertical acceleration
at the step and the stride lag (Moe-Nilssen & Helbostad 2004, J Biomech 37:121).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import signal

from upright.errors import CorruptFileError, InputError, InsufficientDataError
from upright.io.imu import STANDARD_GRAVITY_M_S2, ImuRecording
from upright.kinematics._imu_steps import (
    MIN_RUNNING_CADENCE_SPM,
    MIN_RUNNING_IMPACT_G,
    MIN_STEP_TIME_S,
    STEP_CUTOFF_HZ,
    ActivityKind,
    _detect_steps,
    _minutes,
    _overall_activity,
    _steps_table,
    _strides,
)

__all__ = [
    "GRAVITY_CUTOFF_HZ",
    "MIN_RUNNING_CADENCE_SPM",
    "MIN_RUNNING_IMPACT_G",
    "MIN_STEP_TIME_S",
    "ActivityKind",
    "ImuPosture",
    "Placement",
    "Reference",
    "compute_imu_posture",
]

Placement = Literal["chest", "back", "hip"]
FloatArray = npt.NDArray[np.float64]

#: Low-pass cutoff separating gravity from movement (design choice: well below the
#: step frequency of 2-3 Hz, fast enough to follow posture over a few seconds).
GRAVITY_CUTOFF_HZ: Final = 0.5
#: Still: the 1 s standard deviation of every axis below this (m/s^2), for 3 s or more.
STILL_SD_M_S2: Final = 0.25
MIN_STILL_S: Final = 3.0
#: A still interval whose gravity is further than this from the running posture is the
#: sensor lying down (not yet worn), not standing.
MAX_STILL_TILT_DEG: Final = 35.0
#: No body-worn accelerometer records more than this (high-g sensors stop at 200 g; the
#: trunk and hip of a runner see under 10 g): a larger value is a corrupt file.
MAX_ACCELERATION_G: Final = 200.0
#: Without a still interval, the reference is the posture over the first minutes running.
EARLY_RUNNING_S: Final = 120.0


@dataclass(frozen=True)
class Reference:
    """What defines pitch 0."""

    method: Literal["still", "given", "early_running"]
    start_s: float
    end_s: float
    up: tuple[float, float, float]
    description: str


@dataclass(frozen=True)
class ImuPosture:
    """What one accelerometer recording shows.

    ``steps`` has one row per step (``time_s``, ``step_time_s`` to the next step,
    ``impact_g``); ``strides`` one row per stride (two steps: ``start_s``, ``end_s``,
    ``pitch_deg``); ``minutes`` one row per minute (``activity``, ``steps``,
    ``cadence_spm``, ``impact_g``, ``step_regularity``, ``stride_regularity``,
    ``pitch_deg``, ``pitch_sd_deg``). Pitch columns are NaN when posture cannot be
    measured (``pitch_withheld`` says why).
    """

    placement: Placement
    sampling_rate_hz: float
    time_s: FloatArray
    pitch_deg: FloatArray | None
    vertical_m_s2: FloatArray
    steps: pd.DataFrame
    strides: pd.DataFrame
    minutes: pd.DataFrame
    reference: Reference | None
    forward_axis: tuple[float, float, float] | None
    forward_strength: float | None
    pitch_withheld: str | None
    activity: Literal["running", "walking", "not moving"]
    activity_reason: str
    notes: tuple[str, ...]


# ------------------------------------------------------------------ grid and filters


def _even_grid(rec: ImuRecording) -> tuple[FloatArray, FloatArray, FloatArray | None, list[str]]:
    """Time, acceleration (n, 3) and gravity stream on an even grid at the nominal rate."""
    s = rec.samples
    t = s["time_s"].to_numpy(dtype=np.float64)
    acc = s[["ax", "ay", "az"]].to_numpy(dtype=np.float64)
    grav = s[["gx", "gy", "gz"]].to_numpy(dtype=np.float64) if "gx" in s else None
    dt = np.diff(t)
    step = float(np.median(dt))
    notes: list[str] = []
    if np.max(np.abs(dt - step)) <= 0.01 * step:
        return t, acc, grav, notes
    grid = np.arange(0.0, t[-1] + step / 2, step)
    gaps = int(np.sum(dt > 5 * step))
    if gaps:
        notes.append(f"{gaps} gaps in the recording were bridged linearly")
    notes.append(f"uneven sampling: resampled to an even {1 / step:.0f} Hz grid")
    acc = np.column_stack([np.interp(grid, t, acc[:, j]) for j in range(3)])
    if grav is not None:
        grav = np.column_stack([np.interp(grid, t, grav[:, j]) for j in range(3)])
    return grid, acc, grav, notes


def _lowpass(x: FloatArray, cutoff_hz: float, fs: float) -> FloatArray:
    sos = signal.butter(2, min(cutoff_hz, 0.45 * fs), fs=fs, output="sos")
    out: FloatArray = signal.sosfiltfilt(sos, x, axis=0)
    return out


def _unit(v: FloatArray) -> FloatArray:
    norm = np.linalg.norm(v, axis=-1, keepdims=True)
    out: FloatArray = v / np.where(norm > 0, norm, 1.0)
    return out


# ------------------------------------------------------------------ reference and axes


def _still_intervals(acc: FloatArray, fs: float) -> list[tuple[int, int]]:
    """Runs of samples where the 1 s SD of every axis stays low, at least 3 s long."""
    n = max(2, int(fs))
    # Variance over each 1 s window from cumulative sums (centred on the window).
    x = acc - acc.mean(axis=0)
    c1 = np.concatenate([np.zeros((1, 3)), np.cumsum(x, axis=0)])
    c2 = np.concatenate([np.zeros((1, 3)), np.cumsum(x * x, axis=0)])
    var = (c2[n:] - c2[:-n]) / n - ((c1[n:] - c1[:-n]) / n) ** 2
    window_still = np.all(var < STILL_SD_M_S2**2, axis=1)
    still = np.zeros(acc.shape[0], dtype=bool)
    still[n // 2 : n // 2 + window_still.size] = window_still
    edges = np.diff(np.concatenate([[0], still.astype(np.int8), [0]]))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    return [
        (int(a), int(b)) for a, b in zip(starts, ends, strict=True) if b - a >= MIN_STILL_S * fs
    ]


def _angle_deg(a: FloatArray, b: FloatArray) -> float:
    return float(np.degrees(np.arccos(np.clip(np.dot(_unit(a), _unit(b)), -1.0, 1.0))))


def _find_reference(
    path: Path,
    t: FloatArray,
    up: FloatArray,
    acc: FloatArray,
    fs: float,
    moving_up: FloatArray | None,
    still_s: tuple[float, float] | None,
) -> Reference:
    if still_s is not None:
        a, b = still_s
        if not (0 <= a < b <= t[-1]):
            raise InputError(
                f"the still interval {a:g}-{b:g} s is not within the recording (0-{t[-1]:.0f} s)",
                path=path,
                fix="Give --still-from and --still-to in seconds from the start of the file",
            )
        sel = (t >= a) & (t <= b)
        ref = _unit(np.mean(up[sel], axis=0))
        return Reference("given", a, b, _tuple(ref), f"standing as given, {a:.0f}-{b:.0f} s")
    for i0, i1 in _still_intervals(acc, fs):
        trim = int(0.5 * fs)
        ref = _unit(np.mean(up[i0 + trim : i1 - trim], axis=0))
        if moving_up is not None and _angle_deg(ref, moving_up) > MAX_STILL_TILT_DEG:
            continue  # lying flat, not yet worn
        return Reference(
            "still",
            float(t[i0]),
            float(t[i1 - 1]),
            _tuple(ref),
            f"standing still {t[i0]:.0f}-{t[i1 - 1]:.0f} s",
        )
    sel = t <= t[0] + EARLY_RUNNING_S
    ref = moving_up if moving_up is not None else _unit(np.mean(up[sel], axis=0))
    return Reference(
        "early_running",
        float(t[0]),
        float(min(t[-1], EARLY_RUNNING_S)),
        _tuple(ref),
        "no still standing found: pitch is relative to the posture over the first "
        "minutes of movement, so only its change is meaningful",
    )


def _tuple(v: FloatArray) -> tuple[float, float, float]:
    return (float(v[0]), float(v[1]), float(v[2]))


def _forward_axis(
    dyn: FloatArray,
    vertical: FloatArray,
    up_ref: FloatArray,
    moving: npt.NDArray[np.bool_],
    fs: float,
) -> tuple[FloatArray, float]:
    """The forward axis and how clearly the braking-propulsion pattern shows (0..1)."""
    h = dyn[moving] - np.outer(dyn[moving] @ up_ref, up_ref)
    dv = np.gradient(vertical, 1.0 / fs)[moving]
    cov = -(h * dv[:, None]).mean(axis=0)
    cov -= np.dot(cov, up_ref) * up_ref
    forward = _unit(cov)
    along = h @ forward
    strength = float(abs(np.corrcoef(along, dv)[0, 1])) if along.std() > 0 else 0.0
    return forward, strength


# ------------------------------------------------------------------ entry point


def _check_signal(rec: ImuRecording, acc: FloatArray) -> None:
    """Refuse acceleration no sensor records: beyond any sensor's range, or never changing."""
    peak = float(np.max(np.abs(acc)))
    if not peak <= MAX_ACCELERATION_G * STANDARD_GRAVITY_M_S2:
        size = (
            f"{peak:.3g} m/s^2 ({peak / STANDARD_GRAVITY_M_S2:.3g} g)"
            if np.isfinite(peak)
            else "values too large to compute with"
        )
        raise CorruptFileError(
            f"the acceleration reaches {size}; no body-worn sensor records more than "
            f"{MAX_ACCELERATION_G:g} g, so the values are corrupt or in other units",
            path=rec.path,
            fix="Export the recording again from the sensor's app, in g or m/s^2",
        )
    if np.all(np.ptp(acc, axis=0) == 0.0):
        raise InsufficientDataError(
            "the acceleration is the same in every sample, on every axis: the sensor "
            "recorded no movement and no noise (stuck, or not switched on)",
            path=rec.path,
            fix="Check the sensor and export a recording of the run",
        )


def compute_imu_posture(
    rec: ImuRecording,
    *,
    placement: Placement = "hip",
    still_s: tuple[float, float] | None = None,
) -> ImuPosture:
    """Pitch, steps, cadence and regularity of one accelerometer recording.

    Parameters
    ----------
    rec
        The recording (:func:`upright.io.imu.read_imu`).
    placement
        Where the sensor was worn; ``hip`` measures the pelvis, not the trunk.
    still_s
        Start and end (s from the start of the file) of a standing interval that
        defines upright; default: the first still interval of 3 s or more.

    Raises
    ------
    InsufficientDataError
        Under 30 s of data, or an acceleration that never changes.
    CorruptFileError
        Acceleration beyond any body-worn sensor's range (over 200 g).

    Notes
    -----
    Regularity: Moe-Nilssen & Helbostad 2004 (J Biomech 37:121). Running and walking
    limits are design heuristics (walking cadence about 100-125 steps/min).
    """
    t, acc, grav_stream, notes = _even_grid(rec)
    _check_signal(rec, acc)
    fs = 1.0 / float(t[1] - t[0])
    if t[-1] < 30.0:
        raise InsufficientDataError(
            f"the recording lasts {t[-1]:.1f} s; at least 30 s are needed",
            path=rec.path,
            fix="Record the whole run",
        )
    gravity = grav_stream if grav_stream is not None else _lowpass(acc, GRAVITY_CUTOFF_HZ, fs)
    if not rec.has_gravity:
        # Linear acceleration only: the axis of largest movement stands in for vertical.
        _, vecs = np.linalg.eigh(np.cov(acc.T))
        up = np.tile(vecs[:, -1], (t.size, 1))
    else:
        up = _unit(gravity)
    dyn = acc - gravity if rec.has_gravity else acc
    vertical = _lowpass(np.einsum("ij,ij->i", dyn, up), STEP_CUTOFF_HZ, fs)
    idx = _detect_steps(vertical, fs)
    steps = _steps_table(t, idx, vertical)
    pre = _minutes(t, vertical, fs, steps, _strides(t, idx, None), regularity=False)
    running = pre["activity"] != "still"
    moving = np.zeros(t.size, dtype=bool)
    for a, b in zip(pre.loc[running, "start_s"], pre.loc[running, "end_s"], strict=True):
        moving[int(a * fs) : int(b * fs)] = True
    pitch = None
    reference = None
    forward: FloatArray | None = None
    strength = None
    withheld = None
    if not rec.has_gravity:
        withheld = "the file holds no gravity (linear acceleration): posture cannot be measured"
    elif not moving.any():
        withheld = "no steps: the forward direction cannot be found without movement"
    else:
        moving_up = _unit(np.mean(up[moving], axis=0))
        reference = _find_reference(rec.path, t, up, acc, fs, moving_up, still_s)
        ref = np.asarray(reference.up)
        forward, strength = _forward_axis(dyn, vertical, ref, moving, fs)
        pitch = np.degrees(np.arctan2(-(up @ forward), up @ ref))
    strides = _strides(t, idx, pitch)
    minutes = _minutes(t, vertical, fs, steps, strides)
    activity, reason = _overall_activity(minutes)
    if placement == "hip":
        notes.append(
            "sensor at the hip: pitch is the pelvis's (tilt plus belt rocking), not trunk lean"
        )
    return ImuPosture(
        placement=placement,
        sampling_rate_hz=fs,
        time_s=t,
        pitch_deg=pitch,
        vertical_m_s2=vertical,
        steps=steps,
        strides=strides,
        minutes=minutes,
        reference=reference,
        forward_axis=None if forward is None else _tuple(forward),
        forward_strength=strength,
        pitch_withheld=withheld,
        activity=activity,
        activity_reason=reason,
        notes=tuple(notes),
    )
