"""The ``import`` use case: a watch file in, the run's tables, fatigue signs and summary out."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal, cast

import numpy as np
import pandas as pd

from upright import __version__
from upright.errors import InputError
from upright.fatigue.running import (
    CADENCE_DROP_SPM,
    CARDIAC_DRIFT_PCT,
    STANCE_RISE_MS,
    VERTICAL_OSCILLATION_RISE_MM,
    FatigueSign,
    RunningFatigue,
    compute_running_fatigue,
)
from upright.io.activity import Activity, read_run
from upright.limits import RUN_PACE_S_PER_KM_MIN
from upright.services._onset import check_one_onset, finite_number, pain_onset_summary
from upright.summaries import (
    DeveloperFieldSummary,
    FatigueSignSummary,
    PainOnset,
    RunSource,
    RunSummary,
    ThirdSummary,
)

__all__ = ["RunImport", "import_run", "locate_pain_onset", "splits_file_name", "summarise_run"]


THRESHOLDS_NOTE = (
    f"Flag levels are design heuristics, not clinical cut-offs: cadence -{CADENCE_DROP_SPM:g} "
    f"steps/min, stance time +{STANCE_RISE_MS:g} ms, vertical oscillation "
    f"+{VERTICAL_OSCILLATION_RISE_MM:g} mm, heart beats per km +{CARDIAC_DRIFT_PCT:g}% at a "
    "steady pace; each must also exceed its own noise (MDC)"
)
POSTURE_NOTE = (
    "A watch measures running dynamics, not posture: to see whether your trunk leans more as "
    "you tire, film a side-view clip early and one late in a run and analyse both "
    "(upright analyze)"
)


@dataclass(frozen=True)
class RunImport:
    """An imported run: the file's samples, what was measured, and the summary."""

    activity: Activity
    fatigue: RunningFatigue
    summary: RunSummary


def _quiet(step: str) -> None:
    return None


def splits_file_name(fatigue: RunningFatigue) -> str:
    """``splits_km.csv``, or ``splits_5min.csv`` for a run without distance."""
    return "splits_km.csv" if fatigue.axis == "distance" else "splits_5min.csv"


def import_run(
    path: str | Path,
    *,
    pain_onset_km: float | None = None,
    pain_onset_min: float | None = None,
    step: Callable[[str], None] | None = None,
) -> RunImport:
    """Read the run in a FIT, GPX or TCX file and measure its fatigue signs.

    ``step`` is told what is being done next (for a progress display).

    Raises
    ------
    InputError
        Both pain onsets given, an onset outside the run, or the file is not a run
        (a walk, a ride: the sport is named); see also :func:`upright.io.activity.read_run`.
    """
    check_one_onset(pain_onset_km, pain_onset_min)
    say = step or _quiet
    say(f"Reading {Path(path).name}")
    activity = read_run(path)
    say("Measuring the run")
    fatigue = compute_running_fatigue(activity.samples)
    _check_pace(fatigue, activity.path)
    onset = locate_pain_onset(fatigue, activity.path, km=pain_onset_km, minute=pain_onset_min)
    return RunImport(activity, fatigue, summarise_run(activity, fatigue, onset))


def _check_pace(fatigue: RunningFatigue, path: Path) -> None:
    """Refuse a run faster, over its whole length, than any human runs."""
    if not fatigue.distance_m or fatigue.moving_time_s <= 0:
        return
    pace = fatigue.moving_time_s / (fatigue.distance_m / 1000.0)
    if pace < RUN_PACE_S_PER_KM_MIN:
        raise InputError(
            f"the file's distance and time give an average pace of {_pace(pace)}/km over "
            f"{fatigue.distance_m / 1000.0:.2f} km, faster than the 1500 m world record "
            "(3:26.00, 2:17/km): the file's distance or its clock is wrong",
            path=path,
            fix="Export the activity again from the watch's app, or use its .fit file",
        )


# ------------------------------------------------------------------ pain onset


def _time_at_distance(samples: pd.DataFrame, distance_m: float) -> float:
    d = samples["distance_m"].to_numpy(dtype=np.float64)
    t = samples["time_s"].to_numpy(dtype=np.float64)
    i = int(np.searchsorted(d, distance_m, side="left"))
    if i <= 0:
        return float(t[0])
    if d[i] == d[i - 1]:
        return float(t[i])
    return float(t[i - 1] + (distance_m - d[i - 1]) * (t[i] - t[i - 1]) / (d[i] - d[i - 1]))


def _minute_at_km(fatigue: RunningFatigue, km: float, path: Path) -> float:
    if not math.isfinite(km) or km < 0:
        raise InputError(f"the pain onset {km} km is not a distance", fix="Give 0 or more")
    if fatigue.distance_m is None:
        raise InputError(
            "the pain onset was given in km, but the file has no distance",
            path=path,
            fix="Give it in minutes with --pain-onset-min",
        )
    end_km = fatigue.distance_m / 1000.0
    if km > end_km:
        raise InputError(
            f"the pain onset at {km:g} km is after the end of the run ({end_km:.2f} km)",
            path=path,
            fix="Give a distance within the run, or the minute with --pain-onset-min",
        )
    return _time_at_distance(fatigue.samples, km * 1000.0) / 60.0


def _km_at_minute(fatigue: RunningFatigue, minute: float, path: Path) -> float | None:
    if not math.isfinite(minute) or minute < 0:
        raise InputError(f"the pain onset {minute} min is not a time", fix="Give 0 or more")
    end_min = fatigue.duration_s / 60.0
    if minute > end_min:
        raise InputError(
            f"the pain onset at minute {minute:g} is after the end of the run ({end_min:.1f} min)",
            path=path,
            fix="Give a minute within the run, or the distance with --pain-onset-km",
        )
    if fatigue.distance_m is None:
        return None
    s = fatigue.samples
    return float(np.interp(minute * 60.0, s["time_s"], s["distance_m"])) / 1000.0


def locate_pain_onset(
    fatigue: RunningFatigue, path: Path, *, km: float | None, minute: float | None
) -> PainOnset | None:
    """The onset as both km and minute, and its third; None when neither is given.

    Raises
    ------
    InputError
        The onset is negative, after the end of the run, or in km for a run without
        distance.
    """
    given: Literal["km", "minute"]
    if km is not None:
        given, minute = "km", _minute_at_km(fatigue, km, path)
    elif minute is not None:
        given, km = "minute", _km_at_minute(fatigue, minute, path)
    else:
        return None
    return pain_onset_summary(
        given, km, minute, total_m=fatigue.distance_m, duration_s=fatigue.duration_s
    )


# ------------------------------------------------------------------ summary


def _pace(seconds: float | None) -> str | None:
    if seconds is None:
        return None
    m, s = divmod(round(seconds), 60)
    return f"{m}:{s:02d}"


def _thirds(fatigue: RunningFatigue) -> list[ThirdSummary]:
    table = fatigue.thirds
    fixed = {
        "third",
        "start_km",
        "end_km",
        "distance_m",
        "pace_s_per_km",
        "pace",
        "start_min",
        "end_min",
        "elapsed_s",
        "moving_s",
        "n_samples",
    }
    metric_columns = [c for c in table.columns if c not in fixed]
    out = []
    for _, row in table.iterrows():
        third = int(row["third"])
        pace = finite_number(row["pace_s_per_km"])
        out.append(
            ThirdSummary(
                third=cast(Literal[1, 2, 3], third),
                start_km=finite_number(row["start_km"]),
                end_km=finite_number(row["end_km"]),
                start_min=float(row["start_min"]),
                end_min=float(row["end_min"]),
                moving_time_s=float(row["moving_s"]),
                pace_s_per_km=pace,
                pace=_pace(pace),
                metrics={c: finite_number(row[c]) for c in metric_columns},
            )
        )
    return out


def _sign(sign: FatigueSign, axis: str) -> FatigueSignSummary:
    d = sign.drift
    return FatigueSignSummary(
        sign=sign.name,
        label=sign.label,
        status=sign.status,
        flagged=sign.flagged,
        fatigue_direction="rising" if sign.direction > 0 else "falling",
        value_unit=sign.value_unit,
        first_third=finite_number(sign.first_third),
        last_third=finite_number(sign.last_third),
        change=None if d is None else d.change,
        change_unit=sign.change_unit,
        ci95_low=None if d is None else d.ci95_low,
        ci95_high=None if d is None else d.ci95_high,
        noise_sd=None if d is None else d.noise_sd,
        mdc95=None if d is None else d.mdc95,
        threshold=sign.threshold,
        n_blocks=None if d is None else d.n,
        span=None if d is None else d.span,
        span_unit="km" if axis == "distance" else "min",
        reason=sign.reason,
    )


def _source(activity: Activity) -> RunSource:
    leg = activity.legs[activity.leg or 0]
    return RunSource(
        file=str(activity.path),
        format=activity.file_format,
        device=activity.device,
        start_utc=None if activity.start_utc is None else activity.start_utc.isoformat(),
        sport=leg.sport,
        sub_sport=leg.sub_sport,
        legs_in_file=len(activity.legs),
        leg_analysed=leg.index + 1,
        n_samples=len(activity.samples),
        distance_source=leg.distance_source,
        developer_fields=[
            DeveloperFieldSummary(column=f.column, name=f.name, units=f.units)
            for f in activity.developer_fields
        ],
    )


def summarise_run(
    activity: Activity, fatigue: RunningFatigue, onset: PainOnset | None
) -> RunSummary:
    """The ``upright.run/1`` summary of a measured run."""
    km = None if fatigue.distance_m is None else fatigue.distance_m / 1000.0
    pace = fatigue.moving_time_s / km if km else None
    notes = [*activity.notes]
    if fatigue.axis == "time":
        notes.append(
            "the file has no distance, speed or GPS: tables and trends run against time "
            "(thirds of the duration, 5-minute splits) and pace is unknown"
        )
    notes += [THRESHOLDS_NOTE, POSTURE_NOTE]
    return RunSummary(
        upright_version=__version__,
        created_utc=datetime.now(UTC).isoformat(timespec="seconds"),
        source=_source(activity),
        axis=fatigue.axis,
        duration_s=fatigue.duration_s,
        moving_time_s=fatigue.moving_time_s,
        distance_km=km,
        pace_s_per_km=pace,
        pace=_pace(pace),
        pace_steady=fatigue.pace_steady,
        pace_note=fatigue.pace_note,
        pain_onset=onset,
        thirds=_thirds(fatigue),
        splits_file=splits_file_name(fatigue),
        n_splits=len(fatigue.splits),
        fatigue_signs=[_sign(s, fatigue.axis) for s in fatigue.signs],
        notes=notes,
    )
