"""Drift over a run of what a worn accelerometer measures: pitch, cadence, regularity.

The per-minute values of running minutes (:mod:`upright.kinematics.imu_posture`) are
fitted against time, or against distance when a watch file gives it, with
:func:`upright.fatigue.drift.compute_drift`. A sign is flagged when the change goes the
way fatigue moves it and exceeds both its threshold and its own minute-to-minute noise
(MDC). Pitch uses the clinical 3 deg (Koblbauer 2014, JSAMS 17:419);
cadence and regularity thresholds are design heuristics.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from upright.fatigue.drift import DRIFT_THRESHOLD_DEG, DriftResult, compute_drift
from upright.fatigue.running import CADENCE_DROP_SPM
from upright.kinematics.imu_posture import ImuPosture

__all__ = [
    "MIN_DRIFT_MINUTES",
    "REGULARITY_DROP",
    "ImuFatigue",
    "ImuSign",
    "ImuSignName",
    "compute_imu_fatigue",
]

ImuSignName = Literal["pitch_rising", "cadence_falling", "regularity_falling"]
Axis = Literal["distance", "time"]
FloatArray = npt.NDArray[np.float64]

#: Step regularity (autocorrelation, in percent) falling by 5 points or more: design
#: heuristic.
REGULARITY_DROP: Final = 5.0
#: A trend needs this many running minutes spanning at least MIN_DRIFT_SPAN_MIN.
MIN_DRIFT_MINUTES: Final = 8
MIN_DRIFT_SPAN_MIN: Final = 10.0


@dataclass(frozen=True)
class _Spec:
    name: ImuSignName
    column: str
    label: str
    unit: str
    direction: int
    threshold: float
    scale: float = 1.0


_SPECS = (
    _Spec("pitch_rising", "pitch_deg", "forward pitch", "deg", 1, DRIFT_THRESHOLD_DEG),
    _Spec("cadence_falling", "cadence_spm", "cadence", "spm", -1, CADENCE_DROP_SPM),
    _Spec(
        "regularity_falling", "step_regularity", "step regularity", "%", -1, REGULARITY_DROP, 100.0
    ),
)


@dataclass(frozen=True)
class ImuSign:
    """One fatigue sign of the run and its verdict."""

    name: ImuSignName
    label: str
    status: Literal["flagged", "not flagged", "withheld"]
    reason: str
    unit: str
    direction: int
    threshold: float
    drift: DriftResult | None
    first_third: float | None
    last_third: float | None

    @property
    def flagged(self) -> bool:
        return self.status == "flagged"


@dataclass(frozen=True)
class ImuFatigue:
    """Per-minute table (with ``x`` in min or km), thirds and signs."""

    axis: Axis
    minutes: pd.DataFrame
    thirds: pd.DataFrame
    signs: tuple[ImuSign, ...]


def _with_distance(
    minutes: pd.DataFrame, time_s: FloatArray, distance_m: FloatArray | None
) -> pd.DataFrame:
    out = minutes.copy()
    if distance_m is None:
        out["start_km"] = np.nan
        out["end_km"] = np.nan
        out["x"] = (out["start_s"] + out["end_s"]) / 120.0
        return out
    out["start_km"] = np.interp(out["start_s"], time_s, distance_m) / 1000.0
    out["end_km"] = np.interp(out["end_s"], time_s, distance_m) / 1000.0
    out["x"] = (out["start_km"] + out["end_km"]) / 2.0
    return out


def _thirds(minutes: pd.DataFrame, axis: Axis) -> pd.DataFrame:
    lo_col, hi_col = ("start_km", "end_km") if axis == "distance" else ("start_s", "end_s")
    lo, hi = float(minutes[lo_col].iloc[0]), float(minutes[hi_col].iloc[-1])
    edges = np.linspace(lo, hi, 4)
    rows = []
    for k in range(3):
        last = k == 2
        sel = (minutes["x"] >= (edges[k] if axis == "distance" else edges[k] / 60)) & (
            minutes["x"] < (edges[k + 1] if axis == "distance" else edges[k + 1] / 60)
        )
        if last:
            sel |= minutes["x"] >= (edges[3] if axis == "distance" else edges[3] / 60)
        part = minutes[sel]
        run = part[part["activity"] == "running"]
        rows.append(
            {
                "third": k + 1,
                "start_min": float(part["start_s"].min() / 60) if len(part) else np.nan,
                "end_min": float(part["end_s"].max() / 60) if len(part) else np.nan,
                "start_km": float(part["start_km"].min()) if len(part) else np.nan,
                "end_km": float(part["end_km"].max()) if len(part) else np.nan,
                "running_minutes": len(run),
                "steps": int(part["steps"].sum()),
                "cadence_spm": float(run["cadence_spm"].mean()) if len(run) else np.nan,
                "step_regularity": float(run["step_regularity"].mean()) if len(run) else np.nan,
                "stride_regularity": float(run["stride_regularity"].mean()) if len(run) else np.nan,
                "pitch_deg": float(run["pitch_deg"].median()) if len(run) else np.nan,
            }
        )
    return pd.DataFrame(rows)


def _number(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None


def _sign(spec: _Spec, running: pd.DataFrame, thirds: pd.DataFrame, axis: Axis) -> ImuSign:
    first = _number(float(thirds[spec.column].iloc[0]) * spec.scale)
    last = _number(float(thirds[spec.column].iloc[-1]) * spec.scale)
    values = running[spec.column].to_numpy(dtype=np.float64) * spec.scale
    good = np.isfinite(values)
    span_min = float(np.ptp(running["start_s"][good])) / 60.0 if good.sum() > 1 else 0.0
    span_unit = "km" if axis == "distance" else "min"

    def make(
        status: Literal["flagged", "not flagged", "withheld"],
        reason: str,
        drift: DriftResult | None,
    ) -> ImuSign:
        return ImuSign(
            spec.name,
            spec.label,
            status,
            reason,
            spec.unit,
            spec.direction,
            spec.threshold,
            drift,
            first,
            last,
        )

    if good.sum() < MIN_DRIFT_MINUTES or span_min < MIN_DRIFT_SPAN_MIN:
        return make(
            "withheld",
            f"{spec.label}: withheld, {int(good.sum())} running minutes over {span_min:.0f} min "
            f"(a trend needs {MIN_DRIFT_MINUTES} over {MIN_DRIFT_SPAN_MIN:.0f} min)",
            None,
        )
    drift = compute_drift(running["x"], values, threshold=spec.threshold, unit=spec.unit)
    if drift is None:
        return make("withheld", f"{spec.label}: withheld, too few values for a trend", None)
    over = f"over {drift.span:.1f} {span_unit}"
    if drift.flagged and np.sign(drift.change) == spec.direction:
        return make("flagged", f"{spec.label} {drift.reason} {over}", drift)
    if drift.flagged:
        why = f"{spec.label} {drift.reason} {over}, the other way from fatigue"
        if spec.name == "pitch_rising":
            why += " (leaning back more can follow back-extensor fatigue too: Hart 2009)"
        return make("not flagged", why, drift)
    return make("not flagged", f"{spec.label}: {drift.reason} {over}", drift)


def compute_imu_fatigue(posture: ImuPosture, distance_m: FloatArray | None = None) -> ImuFatigue:
    """Drift of pitch, cadence and step regularity over the running minutes.

    ``distance_m`` gives the distance at every sample of ``posture.time_s`` (from a
    watch file); without it the trends run against time.
    """
    axis: Axis = "time" if distance_m is None else "distance"
    minutes = _with_distance(posture.minutes, posture.time_s, distance_m)
    thirds = _thirds(minutes, axis)
    running = minutes[minutes["activity"] == "running"]
    signs = tuple(_sign(spec, running, thirds, axis) for spec in _SPECS)
    if posture.pitch_deg is None:
        pitch = next(s for s in signs if s.name == "pitch_rising")
        reason = f"forward pitch: withheld, {posture.pitch_withheld}"
        signs = tuple(
            ImuSign(
                s.name,
                s.label,
                "withheld",
                reason,
                s.unit,
                s.direction,
                s.threshold,
                None,
                None,
                None,
            )
            if s is pitch
            else s
            for s in signs
        )
    return ImuFatigue(axis, minutes, thirds, signs)
