"""The ``imu`` use case: an accelerometer file in (and optionally a watch file for
distance), posture, cadence, regularity, their drift and the summary out."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal, cast

import numpy as np
import numpy.typing as npt
import pandas as pd

from upright import __version__
from upright.errors import InputError
from upright.fatigue.imu import ImuFatigue, ImuSign, compute_imu_fatigue
from upright.io.activity import Activity, read_run
from upright.io.imu import ImuRecording, read_imu, start_datetime
from upright.kinematics.imu_posture import ImuPosture, Placement, compute_imu_posture
from upright.services._onset import check_one_onset, finite_number, pain_onset_summary
from upright.summaries import (
    ImuReferenceSummary,
    ImuSignSummary,
    ImuSource,
    ImuSummary,
    ImuThirdSummary,
    PainOnset,
)

__all__ = ["PER_MINUTE_FILE", "ImuImport", "align_distance", "import_imu", "summarise_imu"]

FloatArray = npt.NDArray[np.float64]
PER_MINUTE_FILE = "per_minute.csv"


@dataclass(frozen=True)
class ImuImport:
    """An analysed recording: the file, what was measured, and the summary."""

    recording: ImuRecording
    posture: ImuPosture
    fatigue: ImuFatigue
    distance_m: FloatArray | None
    summary: ImuSummary


def align_distance(
    rec: ImuRecording, time_s: FloatArray, activity: Activity
) -> tuple[FloatArray, float, list[str]]:
    """Distance (m) at every IMU sample, by absolute time; also the overlap (s) and notes.

    Raises
    ------
    InputError
        Either file has no absolute time, the watch file has no distance, or the two
        recordings do not overlap in time.
    """
    fix = "Give the watch file recorded during the same run, or leave out --activity"
    if rec.start_unix_s is None:
        raise InputError(
            "the sensor file has no absolute time (only seconds from its start), so it cannot "
            "be aligned with a watch file",
            path=rec.path,
            fix="Export with absolute (unix) time, or leave out --activity",
        )
    samples = activity.samples
    if samples["timestamp"].isna().all():
        raise InputError("the watch file has no date and time", path=activity.path, fix=fix)
    if samples["distance_m"].isna().all():
        raise InputError("the watch file has no distance", path=activity.path, fix=fix)
    good = samples["timestamp"].notna() & samples["distance_m"].notna()
    stamps = samples.loc[good, "timestamp"]
    watch_unix = (stamps - pd.Timestamp(0, tz="UTC")).dt.total_seconds().to_numpy(dtype=np.float64)
    watch_d = samples.loc[good, "distance_m"].to_numpy(dtype=np.float64)
    imu_unix = rec.start_unix_s + time_s
    lo, hi = max(imu_unix[0], watch_unix[0]), min(imu_unix[-1], watch_unix[-1])
    if hi <= lo:

        def when(t: float) -> str:
            return datetime.fromtimestamp(t, tz=UTC).strftime("%Y-%m-%d %H:%M:%S")

        raise InputError(
            f"the two recordings do not overlap in time: the sensor runs {when(imu_unix[0])} to "
            f"{when(imu_unix[-1])} UTC, the watch file {when(watch_unix[0])} to "
            f"{when(watch_unix[-1])} UTC",
            path=activity.path,
            fix=fix,
        )
    distance = np.interp(imu_unix, watch_unix, watch_d, left=np.nan, right=np.nan)
    notes = []
    covered = (hi - lo) / (imu_unix[-1] - imu_unix[0])
    if covered < 0.99:
        notes.append(f"the watch file covers {covered:.0%} of the sensor recording")
    return distance, float(hi - lo), notes


def _quiet(step: str) -> None:
    return None


def import_imu(
    path: str | Path,
    *,
    placement: Placement = "hip",
    activity_file: str | Path | None = None,
    still_s: tuple[float, float] | None = None,
    pain_onset_km: float | None = None,
    pain_onset_min: float | None = None,
    step: Callable[[str], None] | None = None,
) -> ImuImport:
    """Read an accelerometer recording and measure posture, steps and their drift.

    ``step`` is told what is being done next (for a progress display).

    Raises
    ------
    InputError
        Both pain onsets given, an onset outside the recording; see also
        :func:`upright.io.imu.read_imu` and :func:`align_distance`.
    """
    check_one_onset(pain_onset_km, pain_onset_min)
    say = step or _quiet
    say(f"Reading {Path(path).name}")
    rec = read_imu(path)
    say("Measuring posture and steps")
    posture = compute_imu_posture(rec, placement=placement, still_s=still_s)
    distance = None
    overlap = None
    notes: list[str] = []
    if activity_file is not None:
        say(f"Reading {Path(activity_file).name}")
        activity = read_run(activity_file)
        distance, overlap, notes = align_distance(rec, posture.time_s, activity)
        if np.isnan(distance).any():
            # Outside the watch file: carry the nearest distance (no extrapolation).
            distance = pd.Series(distance).ffill().bfill().to_numpy(dtype=np.float64)
    fatigue = compute_imu_fatigue(posture, distance)
    onset = _pain_onset(posture, distance, rec.path, pain_onset_km, pain_onset_min)
    summary = summarise_imu(rec, posture, fatigue, distance, onset, activity_file, overlap, notes)
    return ImuImport(rec, posture, fatigue, distance, summary)


def _pain_onset(
    posture: ImuPosture,
    distance: FloatArray | None,
    path: Path,
    km: float | None,
    minute: float | None,
) -> PainOnset | None:
    t = posture.time_s
    given: Literal["km", "minute"]
    if km is not None:
        if distance is None:
            raise InputError(
                "the pain onset was given in km, but there is no distance",
                path=path,
                fix="Give it in minutes with --pain-onset-min, or give the watch file "
                "with --activity",
            )
        if not math.isfinite(km) or not (distance[0] / 1000 <= km <= distance[-1] / 1000):
            raise InputError(
                f"the pain onset at {km:g} km is outside the run (0-{distance[-1] / 1000:.2f} km)",
                path=path,
                fix="Give a distance within the run",
            )
        given = "km"
        minute = float(np.interp(km * 1000.0, distance, t)) / 60.0
    elif minute is not None:
        if not math.isfinite(minute) or not (0 <= minute <= t[-1] / 60.0):
            raise InputError(
                f"the pain onset at minute {minute:g} is outside the recording "
                f"(0-{t[-1] / 60:.1f} min)",
                path=path,
                fix="Give a minute within the recording",
            )
        given = "minute"
        km = None if distance is None else float(np.interp(minute * 60.0, t, distance)) / 1000.0
    else:
        return None
    total_m = float(distance[-1]) if distance is not None and distance[-1] > 0 else None
    return pain_onset_summary(given, km, minute, total_m=total_m, duration_s=float(t[-1]))


# ------------------------------------------------------------------ summary


def _sign(sign: ImuSign, axis: str) -> ImuSignSummary:
    d = sign.drift
    return ImuSignSummary(
        sign=sign.name,
        label=sign.label,
        status=sign.status,
        flagged=sign.flagged,
        unit=sign.unit,
        first_third=sign.first_third,
        last_third=sign.last_third,
        change=None if d is None else d.change,
        ci95_low=None if d is None else d.ci95_low,
        ci95_high=None if d is None else d.ci95_high,
        noise_sd=None if d is None else d.noise_sd,
        mdc95=None if d is None else d.mdc95,
        threshold=sign.threshold,
        n_minutes=None if d is None else d.n,
        span=None if d is None else d.span,
        span_unit="km" if axis == "distance" else "min",
        reason=sign.reason,
    )


def _thirds(table: pd.DataFrame) -> list[ImuThirdSummary]:
    return [
        ImuThirdSummary(
            third=cast(Literal[1, 2, 3], int(row["third"])),
            start_min=finite_number(row["start_min"]),
            end_min=finite_number(row["end_min"]),
            start_km=finite_number(row["start_km"]),
            end_km=finite_number(row["end_km"]),
            running_minutes=int(row["running_minutes"]),
            steps=int(row["steps"]),
            cadence_spm=finite_number(row["cadence_spm"]),
            step_regularity=finite_number(row["step_regularity"]),
            stride_regularity=finite_number(row["stride_regularity"]),
            pitch_deg=finite_number(row["pitch_deg"]),
        )
        for _, row in table.iterrows()
    ]


def _median(frame: pd.DataFrame, column: str) -> float | None:
    values = frame[column].to_numpy(dtype=np.float64)
    values = values[np.isfinite(values)]
    return float(np.median(values)) if values.size else None


def summarise_imu(
    rec: ImuRecording,
    posture: ImuPosture,
    fatigue: ImuFatigue,
    distance: FloatArray | None,
    onset: PainOnset | None,
    activity_file: str | Path | None,
    overlap_s: float | None,
    extra_notes: list[str],
) -> ImuSummary:
    """The ``upright.imu/1`` summary of an analysed recording."""
    start = start_datetime(rec)
    running = fatigue.minutes[fatigue.minutes["activity"] == "running"]
    ref = posture.reference
    notes = [*rec.notes, *posture.notes, *extra_notes]
    if posture.activity != "running":
        notes.append("not a run: the fatigue signs describe running and may not apply")
    return ImuSummary(
        upright_version=__version__,
        created_utc=datetime.now(UTC).isoformat(timespec="seconds"),
        source=ImuSource(
            file=str(rec.path),
            format=rec.file_format,
            start_utc=None if start is None else start.isoformat(),
            sampling_rate_hz=round(rec.sampling_rate_hz, 3),
            n_samples=len(rec.samples),
            units_in_file=rec.units_in_file,
            placement=posture.placement,
            activity_file=None if activity_file is None else str(activity_file),
            overlap_s=overlap_s,
        ),
        activity=posture.activity,
        is_running=posture.activity == "running",
        activity_reason=posture.activity_reason,
        axis=fatigue.axis,
        duration_s=float(posture.time_s[-1]),
        distance_km=None if distance is None else float(distance[-1] - distance[0]) / 1000.0,
        steps=len(posture.steps),
        running_minutes=len(running),
        cadence_spm=_median(running, "cadence_spm"),
        step_regularity=_median(running, "step_regularity"),
        stride_regularity=_median(running, "stride_regularity"),
        pitch_measures="pelvis" if posture.placement == "hip" else "trunk",
        pitch_deg=_median(running, "pitch_deg"),
        pitch_withheld=posture.pitch_withheld,
        reference=None
        if ref is None
        else ImuReferenceSummary(
            method=ref.method, start_s=ref.start_s, end_s=ref.end_s, description=ref.description
        ),
        forward_axis=None if posture.forward_axis is None else list(posture.forward_axis),
        forward_strength=posture.forward_strength,
        pain_onset=onset,
        thirds=_thirds(fatigue.thirds),
        fatigue_signs=[_sign(s, fatigue.axis) for s in fatigue.signs],
        per_minute_file=PER_MINUTE_FILE,
        notes=notes,
    )
