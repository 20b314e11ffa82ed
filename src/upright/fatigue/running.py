"""Fatigue signs in a watch-recorded run: splits, thirds, and running-dynamics drift.

Input is the samples table of one run (:func:`upright.io.activity.read_run`). Output:

- per-km splits and a per-third table (pace from moving time; heart rate, cadence,
  stance time, vertical oscillation and any other recorded metric as means over the
  *running* samples);
- four fatigue signs, each a drift over distance fitted by
  :func:`upright.fatigue.drift.compute_drift` to block medians: cadence falling, stance
  time rising, vertical oscillation rising, and cardiac drift (heart beats per km rising
  at a steady pace). A sign is flagged only when the change goes the way fatigue moves
  it, its 95% interval excludes zero, and it exceeds both its threshold and its minimum
  detectable change (MDC, from the block-to-block noise).

Without distance (no device distance, speed or GPS) the run is measured against time
instead: thirds of the duration, 5-minute splits, drift per minute of running.

Why blocks: samples one second apart are strongly autocorrelated, and a straight-line
fit to them would give an interval far too narrow. Medians of 500 m blocks (12 to 40 of
them) are close to independent; their scatter around the trend, which includes the
effect of hills and turns, is the noise that sets the MDC.

Notes
-----
Published work gives a fatigue threshold for trunk lean only (about 3-4 deg,
Koblbauer 2014). The thresholds below are design heuristics, configurable, chosen as
changes a coach would call meaningful; none is from a clinical source.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from upright.errors import InputError, InsufficientDataError
from upright.fatigue.drift import DriftResult, compute_drift

__all__ = [
    "CADENCE_DROP_SPM",
    "CARDIAC_DRIFT_PCT",
    "HR_WARMUP_S",
    "STANCE_RISE_MS",
    "TABLE_METRICS",
    "VERTICAL_OSCILLATION_RISE_MM",
    "Axis",
    "FatigueSign",
    "RunningFatigue",
    "SignName",
    "compute_running_fatigue",
    "judge_pace",
]

Axis = Literal["distance", "time"]
SignName = Literal[
    "cadence_falling", "stance_time_rising", "vertical_oscillation_rising", "cardiac_drift"
]
SignStatus = Literal["flagged", "not flagged", "withheld"]

# Thresholds: design heuristics (no published number exists for these), configurable.
#: Cadence falling by 3 steps/min or more over the run.
CADENCE_DROP_SPM: Final = 3.0
#: Ground contact (stance) time rising by 10 ms or more.
STANCE_RISE_MS: Final = 10.0
#: Vertical oscillation rising by 5 mm (0.5 cm) or more.
VERTICAL_OSCILLATION_RISE_MM: Final = 5.0
#: Heart beats per km rising by 5% or more at a steady pace (cardiac drift).
CARDIAC_DRIFT_PCT: Final = 5.0

# How samples are sorted (design heuristics).
#: An interval slower than this is a stop (traffic light, auto-pause): not moving time.
MIN_MOVING_SPEED_M_S: Final = 0.5
#: Below this cadence a sample is walking or standing, not running (walking is about
#: 100-125 steps/min, running above about 150).
MIN_RUNNING_CADENCE_SPM: Final = 130.0
#: Without cadence, a sample slower than this (11:07 min/km) is not running.
MIN_RUNNING_SPEED_M_S: Final = 1.5
#: Without distance or speed, a gap between samples longer than this is a pause.
MAX_SAMPLE_GAP_S: Final = 60.0
#: Speed from distance is the slope over a window of twice this.
SPEED_HALF_WINDOW_S: Final = 15.0

# Tables and blocks.
SPLIT_M: Final = 1000.0
SPLIT_S: Final = 300.0
#: A last split shorter than this joins the one before it.
MIN_LAST_SPLIT_M: Final = 100.0
MIN_LAST_SPLIT_S: Final = 60.0
DRIFT_BLOCK_M: Final = 500.0
DRIFT_BLOCK_S: Final = 150.0
MIN_DRIFT_BLOCKS: Final = 12
MAX_DRIFT_BLOCKS: Final = 40
MIN_BLOCK_SAMPLES: Final = 3
#: A trend over less than this is not a fatigue trend.
MIN_DRIFT_DISTANCE_M: Final = 2000.0
MIN_DRIFT_DURATION_S: Final = 720.0

# Cardiac drift.
#: Heart rate rises for the first minutes of any run; those are left out.
HR_WARMUP_S: Final = 600.0
#: Pace is steady when block speeds vary by at most 10% (coefficient of variation) and
#: their fitted trend changes by at most 5% over the run.
STEADY_PACE_CV_PCT: Final = 10.0
STEADY_PACE_CHANGE_PCT: Final = 5.0

#: Metrics of the tables, in order; any ``dev_*`` column follows.
TABLE_METRICS = (
    "heart_rate_bpm",
    "cadence_spm",
    "stance_time_ms",
    "vertical_oscillation_mm",
    "vertical_ratio_pct",
    "step_length_mm",
    "power_w",
)
#: Developer fields that repeat the device's own distance or speed stay out of tables.
_DEV_DUPLICATES = ("dev_distance", "dev_speed")

_REQUIRED = ("time_s", "distance_m", "speed_m_s", *TABLE_METRICS[:4])


@dataclass(frozen=True)
class _SignSpec:
    name: SignName
    column: str
    label: str
    unit: str
    direction: int  # +1: fatigue raises it, -1: fatigue lowers it
    threshold: float
    change_unit: str = ""


_SIGNS = (
    _SignSpec("cadence_falling", "cadence_spm", "cadence", "spm", -1, CADENCE_DROP_SPM),
    _SignSpec("stance_time_rising", "stance_time_ms", "stance time", "ms", 1, STANCE_RISE_MS),
    _SignSpec(
        "vertical_oscillation_rising",
        "vertical_oscillation_mm",
        "vertical oscillation",
        "mm",
        1,
        VERTICAL_OSCILLATION_RISE_MM,
    ),
)

_NOT_RECORDED = {
    "cadence_spm": "the file has no cadence",
    "stance_time_ms": "the file has no stance time (it needs a running-dynamics sensor: "
    "a chest strap such as HRM-Run/HRM-Pro, a running-dynamics pod or a Stryd)",
    "vertical_oscillation_mm": "the file has no vertical oscillation (it needs a "
    "running-dynamics sensor: a chest strap such as HRM-Run/HRM-Pro, a pod or a Stryd)",
}


@dataclass(frozen=True)
class FatigueSign:
    """One fatigue sign: its drift over the run, and whether it is flagged.

    ``change`` is in ``change_unit`` (for cardiac drift, percent of the starting beats
    per km); ``first_third`` and ``last_third`` are means in ``value_unit`` from the
    thirds table (warm-up included).
    """

    name: SignName
    label: str
    status: SignStatus
    reason: str
    value_unit: str
    change_unit: str
    direction: int
    threshold: float
    drift: DriftResult | None
    first_third: float | None
    last_third: float | None

    @property
    def flagged(self) -> bool:
        return self.status == "flagged"


@dataclass(frozen=True)
class RunningFatigue:
    """Everything measured on one run."""

    axis: Axis
    samples: pd.DataFrame
    splits: pd.DataFrame
    thirds: pd.DataFrame
    blocks: pd.DataFrame
    signs: tuple[FatigueSign, ...]
    duration_s: float
    moving_time_s: float
    distance_m: float | None
    pace_steady: bool | None
    pace_note: str


# ------------------------------------------------------------------ samples


def _check_samples(samples: pd.DataFrame) -> None:
    missing = [c for c in _REQUIRED if c not in samples.columns]
    if missing:
        raise InputError(
            f"the samples table lacks the column(s) {', '.join(missing)}",
            fix="Build it with upright.io.activity.read_run",
        )
    if len(samples) < 2 or not float(np.ptp(samples["time_s"].to_numpy())) > 0:
        raise InsufficientDataError(
            f"the run has {len(samples)} sample(s) and no duration",
            fix="Import a longer recording",
        )


def _speed_from_distance(
    t: npt.NDArray[np.float64], d: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    lo = np.maximum(t - SPEED_HALF_WINDOW_S, t[0])
    hi = np.minimum(t + SPEED_HALF_WINDOW_S, t[-1])
    span = hi - lo
    with np.errstate(invalid="ignore", divide="ignore"):
        v = (np.interp(hi, t, d) - np.interp(lo, t, d)) / span
    return np.where(span > 0, v, np.nan)


def _annotate(samples: pd.DataFrame, axis: Axis) -> pd.DataFrame:
    """A copy with ``pace_speed_m_s`` (from distance, else the device), ``moving_dt_s``
    (the interval before the sample, if moving) and ``running`` (bool)."""
    out = samples.sort_values("time_s", kind="stable").reset_index(drop=True)
    t = out["time_s"].to_numpy(dtype=np.float64)
    dt = np.diff(t, prepend=t[0])
    if axis == "distance":
        d = out["distance_m"].to_numpy(dtype=np.float64)
        out["pace_speed_m_s"] = _speed_from_distance(t, d)
        with np.errstate(invalid="ignore", divide="ignore"):
            interval_speed = np.diff(d, prepend=d[0]) / dt
        moving = interval_speed >= MIN_MOVING_SPEED_M_S
    else:
        out["pace_speed_m_s"] = out["speed_m_s"]
        speed = out["speed_m_s"].to_numpy(dtype=np.float64)
        moving = np.where(np.isnan(speed), dt <= MAX_SAMPLE_GAP_S, speed >= MIN_MOVING_SPEED_M_S)
    out["moving_dt_s"] = np.where(moving, dt, 0.0)
    cadence = out["cadence_spm"].to_numpy(dtype=np.float64)
    speed = out["pace_speed_m_s"].to_numpy(dtype=np.float64)
    by_speed = np.where(np.isnan(speed), True, speed >= MIN_RUNNING_SPEED_M_S)
    out["running"] = np.where(np.isnan(cadence), by_speed, cadence >= MIN_RUNNING_CADENCE_SPM)
    return out


def _table_metrics(samples: pd.DataFrame) -> list[str]:
    dev = [c for c in samples.columns if c.startswith("dev_") and not c.startswith(_DEV_DUPLICATES)]
    return [c for c in (*TABLE_METRICS, *dev) if c in samples and samples[c].notna().any()]


# ------------------------------------------------------------------ tables


def _segments(
    samples: pd.DataFrame, axis: Axis, edges: Sequence[float], metrics: Sequence[str]
) -> pd.DataFrame:
    """One row per segment between consecutive ``edges`` (metres or seconds)."""
    x_col = "distance_m" if axis == "distance" else "time_s"
    x = samples[x_col].to_numpy(dtype=np.float64)
    t = samples["time_s"].to_numpy(dtype=np.float64)
    idx = np.clip(np.searchsorted(edges, x, side="left") - 1, 0, len(edges) - 2)
    rows = []
    for i, (lo, hi) in enumerate(itertools.pairwise(edges)):
        part = samples[idx == i]
        run = part[part["running"]]
        moving_s = float(part["moving_dt_s"].sum())
        row: dict[str, float | str]
        if axis == "distance":
            t_lo, t_hi = np.interp([lo, hi], x, t)
            km = (hi - lo) / 1000.0
            pace = moving_s / km if km > 0 and moving_s > 0 else np.nan
            row = {"start_km": lo / 1000.0, "end_km": hi / 1000.0, "distance_m": hi - lo}
        else:
            t_lo, t_hi, pace = lo, hi, np.nan
            row = {"start_km": np.nan, "end_km": np.nan, "distance_m": np.nan}
        row |= {
            "pace_s_per_km": pace,
            "pace": _format_pace(pace),
            "start_min": t_lo / 60.0,
            "end_min": t_hi / 60.0,
            "elapsed_s": t_hi - t_lo,
            "moving_s": moving_s,
            "n_samples": len(part),
        }
        for m in metrics:
            row[m] = float(run[m].mean()) if run[m].notna().any() else np.nan
        rows.append(row)
    return pd.DataFrame(rows)


def _format_pace(seconds: float) -> str:
    if not np.isfinite(seconds):
        return ""
    m, s = divmod(round(seconds), 60)
    return f"{m}:{s:02d}"


def _splits(samples: pd.DataFrame, axis: Axis, metrics: Sequence[str]) -> pd.DataFrame:
    """Per-km splits (per 5 minutes on the time axis); the last one may be partial."""
    total = _extent(samples, axis)
    step = SPLIT_M if axis == "distance" else SPLIT_S
    edges = [*np.arange(0.0, total, step), total]
    shortest = MIN_LAST_SPLIT_M if axis == "distance" else MIN_LAST_SPLIT_S
    if len(edges) > 2 and edges[-1] - edges[-2] < shortest:
        del edges[-2]
    table = _segments(samples, axis, edges, metrics)
    table.insert(0, "split", np.arange(1, len(table) + 1))
    width = table["distance_m"] if axis == "distance" else table["elapsed_s"]
    table["partial"] = (width - step).abs() > 1e-6
    return table


def _thirds(samples: pd.DataFrame, axis: Axis, metrics: Sequence[str]) -> pd.DataFrame:
    """The run in three equal parts of distance (of time on the time axis)."""
    total = _extent(samples, axis)
    table = _segments(samples, axis, [0.0, total / 3, 2 * total / 3, total], metrics)
    table.insert(0, "third", [1, 2, 3])
    return table


def _extent(samples: pd.DataFrame, axis: Axis) -> float:
    column = "distance_m" if axis == "distance" else "time_s"
    return float(np.nanmax(samples[column].to_numpy(dtype=np.float64)))


# ------------------------------------------------------------------ blocks


def _blocks(samples: pd.DataFrame, axis: Axis, metrics: Sequence[str]) -> pd.DataFrame:
    """Equal blocks along the run with the median of each metric over running samples
    (NaN with fewer than ``MIN_BLOCK_SAMPLES``); ``x`` is the block centre in km (in
    minutes on the time axis); ``speed_m_s`` is block distance over moving time."""
    total = _extent(samples, axis)
    size = DRIFT_BLOCK_M if axis == "distance" else DRIFT_BLOCK_S
    n = int(np.clip(round(total / size), MIN_DRIFT_BLOCKS, MAX_DRIFT_BLOCKS))
    edges = np.linspace(0.0, total, n + 1)
    x_col = "distance_m" if axis == "distance" else "time_s"
    idx = np.clip(np.searchsorted(edges, samples[x_col].to_numpy(), side="left") - 1, 0, n - 1)
    scale = 1000.0 if axis == "distance" else 60.0
    rows = []
    for i in range(n):
        part = samples[idx == i]
        run = part[part["running"]]
        moving = float(part["moving_dt_s"].sum())
        width = edges[i + 1] - edges[i]
        row: dict[str, float] = {
            "block": i + 1,
            "x": (edges[i] + edges[i + 1]) / 2 / scale,
            "time_mid_s": float(part["time_s"].median()) if len(part) else np.nan,
            "speed_m_s": width / moving if axis == "distance" and moving > 0 else np.nan,
        }
        for m in metrics:
            values = run[m].dropna()
            row[m] = float(values.median()) if len(values) >= MIN_BLOCK_SAMPLES else np.nan
        rows.append(row)
    blocks = pd.DataFrame(rows)
    if axis == "distance" and "heart_rate_bpm" in blocks:
        blocks["beats_per_km"] = blocks["heart_rate_bpm"] * 1000.0 / (blocks["speed_m_s"] * 60.0)
    return blocks


# ------------------------------------------------------------------ signs


def _too_short(samples: pd.DataFrame, axis: Axis) -> str | None:
    total = _extent(samples, axis)
    if axis == "distance" and total < MIN_DRIFT_DISTANCE_M:
        return (
            f"the run is {total / 1000:.2f} km long; a fatigue trend needs at least "
            f"{MIN_DRIFT_DISTANCE_M / 1000:g} km"
        )
    if axis == "time" and total < MIN_DRIFT_DURATION_S:
        return (
            f"the run lasts {total / 60:.1f} min; a fatigue trend needs at least "
            f"{MIN_DRIFT_DURATION_S / 60:g} min"
        )
    return None


def _third_values(thirds: pd.DataFrame, column: str) -> tuple[float | None, float | None]:
    if column not in thirds:
        return None, None
    first, last = float(thirds[column].iloc[0]), float(thirds[column].iloc[-1])
    return (first if np.isfinite(first) else None), (last if np.isfinite(last) else None)


def _verdict(
    label: str, direction: int, drift: DriftResult, span_text: str
) -> tuple[SignStatus, str]:
    text = f"{label}: {drift.reason} {span_text}"
    if not drift.flagged:
        return "not flagged", text
    if np.sign(drift.change) != direction:
        return "not flagged", f"{text}; that is the opposite of what fatigue does"
    return "flagged", text


def _span_text(drift: DriftResult, axis: Axis) -> str:
    return (
        f"(trend over {drift.span:.1f} km)"
        if axis == "distance"
        else (f"(trend over {drift.span:.0f} min)")
    )


def _withheld(spec: _SignSpec, reason: str, thirds: pd.DataFrame) -> FatigueSign:
    first, last = _third_values(thirds, spec.column)
    return FatigueSign(
        name=spec.name,
        label=spec.label,
        status="withheld",
        reason=reason,
        value_unit=spec.unit,
        change_unit=spec.change_unit or spec.unit,
        direction=spec.direction,
        threshold=spec.threshold,
        drift=None,
        first_third=first,
        last_third=last,
    )


def _dynamics_sign(
    spec: _SignSpec, blocks: pd.DataFrame, thirds: pd.DataFrame, axis: Axis, short: str | None
) -> FatigueSign:
    if spec.column not in blocks:
        return _withheld(spec, _NOT_RECORDED[spec.column], thirds)
    if short is not None:
        return _withheld(spec, short, thirds)
    drift = compute_drift(
        blocks["x"], blocks[spec.column], threshold=spec.threshold, unit=spec.unit
    )
    if drift is None:
        n = int(blocks[spec.column].notna().sum())
        return _withheld(
            spec,
            f"only {n} of {len(blocks)} blocks have enough running samples with {spec.label}",
            thirds,
        )
    status, reason = _verdict(spec.label, spec.direction, drift, _span_text(drift, axis))
    first, last = _third_values(thirds, spec.column)
    return FatigueSign(
        name=spec.name,
        label=spec.label,
        status=status,
        reason=reason,
        value_unit=spec.unit,
        change_unit=spec.unit,
        direction=spec.direction,
        threshold=spec.threshold,
        drift=drift,
        first_third=first,
        last_third=last,
    )


_CARDIAC = _SignSpec(
    "cardiac_drift", "beats_per_km", "heart beats per km", "beats/km", 1, CARDIAC_DRIFT_PCT, "%"
)


def judge_pace(blocks: pd.DataFrame) -> tuple[bool | None, str]:
    """Whether pace was steady over ``blocks`` (see ``STEADY_PACE_*``), and why."""
    speed = blocks["speed_m_s"]
    good = speed.notna()
    if int(good.sum()) < MIN_DRIFT_BLOCKS // 2:
        return None, "too few blocks with a pace to judge whether it was steady"
    mean = float(speed[good].mean())
    cv = 100.0 * float(speed[good].std()) / mean
    trend = compute_drift(blocks["x"], 100.0 * speed / mean - 100.0, threshold=1.0, unit="%")
    change = trend.change if trend is not None else 0.0
    steady = cv <= STEADY_PACE_CV_PCT and abs(change) <= STEADY_PACE_CHANGE_PCT
    word = "steady" if steady else "not steady"
    note = (
        f"pace {word} after the warm-up: block speeds vary by {cv:.0f}% (steady: at most "
        f"{STEADY_PACE_CV_PCT:g}%) and their trend changes by {change:+.1f}% (steady: within "
        f"+/-{STEADY_PACE_CHANGE_PCT:g}%)"
    )
    return steady, note


def _cardiac_sign(
    blocks: pd.DataFrame,
    thirds: pd.DataFrame,
    axis: Axis,
    short: str | None,
    pace: tuple[bool | None, str],
) -> FatigueSign:
    spec = _CARDIAC
    if "heart_rate_bpm" not in thirds:
        return _withheld(spec, "the file has no heart rate", thirds)
    thirds = thirds.assign(beats_per_km=thirds["heart_rate_bpm"] * thirds["pace_s_per_km"] / 60)
    if axis == "time":
        reason = "the file has no distance or speed, so pace (and whether it was steady) is unknown"
        return _withheld(spec, reason, thirds)
    if short is not None:
        return _withheld(spec, short, thirds)
    steady, note = pace
    if steady is None:
        return _withheld(spec, f"after the {HR_WARMUP_S / 60:g}-minute warm-up, {note}", thirds)
    if not steady:
        reason = f"{note}; heart rate then follows pace, so cardiac drift cannot be told apart"
        return _withheld(spec, reason, thirds)
    post = blocks[blocks["time_mid_s"] >= HR_WARMUP_S]
    values = post["beats_per_km"]
    start = values.iloc[: max(1, len(values) // 3)].dropna()
    if start.empty:
        return _withheld(spec, "no heart rate in the first blocks after the warm-up", thirds)
    pct = 100.0 * values / float(start.median()) - 100.0
    drift = compute_drift(post["x"], pct, threshold=spec.threshold, unit="%")
    if drift is None:
        return _withheld(spec, "too few blocks with heart rate and pace after the warm-up", thirds)
    label = f"heart beats per km after the {HR_WARMUP_S / 60:g}-minute warm-up"
    status, reason = _verdict(label, 1, drift, _span_text(drift, axis))
    first, last = _third_values(thirds, "beats_per_km")
    return FatigueSign(
        name=spec.name,
        label=spec.label,
        status=status,
        reason=reason,
        value_unit=spec.unit,
        change_unit="%",
        direction=1,
        threshold=spec.threshold,
        drift=drift,
        first_third=first,
        last_third=last,
    )


def _with_pace_caution(sign: FatigueSign, steady: bool | None) -> FatigueSign:
    if sign.status == "withheld" or steady is not False:
        return sign
    caution = (
        "; pace was not steady, and cadence, stance time and vertical oscillation all "
        "change with pace"
    )
    return dataclasses.replace(sign, reason=sign.reason + caution)


# ------------------------------------------------------------------ the run


def compute_running_fatigue(samples: pd.DataFrame) -> RunningFatigue:
    """Splits, thirds and the four fatigue signs of one run.

    Parameters
    ----------
    samples
        One run's samples as :func:`upright.io.activity.read_run` returns them
        (``time_s``, ``distance_m``, ``speed_m_s``, ``heart_rate_bpm``, ``cadence_spm``,
        ``stance_time_ms``, ``vertical_oscillation_mm``; NaN where not recorded). Not
        modified.

    Raises
    ------
    InputError
        A required column is missing (all are named).
    InsufficientDataError
        Fewer than two samples, or no time between them.
    """
    _check_samples(samples)
    distance = samples["distance_m"].to_numpy(dtype=np.float64)
    has_distance = bool(np.isfinite(distance).any() and np.nanmax(distance) > 0)
    axis: Axis = "distance" if has_distance else "time"
    annotated = _annotate(samples, axis)
    metrics = _table_metrics(annotated)
    splits = _splits(annotated, axis, metrics)
    thirds = _thirds(annotated, axis, metrics)
    blocks = _blocks(annotated, axis, metrics)
    short = _too_short(annotated, axis)
    steady, note = None, ""
    if axis == "distance" and short is None:
        steady, note = judge_pace(blocks[blocks["time_mid_s"] >= HR_WARMUP_S])
    signs = [
        _with_pace_caution(_dynamics_sign(spec, blocks, thirds, axis, short), steady)
        for spec in _SIGNS
    ]
    cardiac = _cardiac_sign(blocks, thirds, axis, short, (steady, note))
    t = annotated["time_s"]
    return RunningFatigue(
        axis=axis,
        samples=annotated,
        splits=splits,
        thirds=thirds,
        blocks=blocks,
        signs=(*signs, cardiac),
        duration_s=float(t.max() - t.min()),
        moving_time_s=float(annotated["moving_dt_s"].sum()),
        distance_m=_extent(annotated, axis) if axis == "distance" else None,
        pace_steady=steady,
        pace_note=note,
    )
