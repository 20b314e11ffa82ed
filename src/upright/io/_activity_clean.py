"""Impossible values out of a watch file's samples, each one counted (private).

:func:`clean_samples` runs on the rows every reader hands over, whatever the format, so
a FIT, GPX or TCX file with the same fault gets the same treatment:

1. times: a date before 1990 or in the future is dropped (every sample such: refused);
   samples out of time order are put in order (many: refused); samples that repeat a
   time are merged
   (too many: refused, the clock cannot be trusted); an hour without a sample splits
   the file and only its longest part is kept;
2. values outside what a body or a watch can record (:mod:`upright.limits`) become NaN;
3. GPS fixes and device distances that jump further than a runner can run are dropped.

Every step that changes something adds a note saying what and how many, and the notes
reach the run's summary. Limits and their sources are in :mod:`upright.limits`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from upright.errors import CorruptFileError, InsufficientDataError
from upright.io._activity_raw import RawLeg, normalise_sport
from upright.limits import (
    ALTITUDE_M,
    EARLIEST_RECORDING_UTC,
    GPS_JUMP_ALLOWANCE_M,
    HEART_RATE_BPM,
    LATITUDE_DEG,
    LONGITUDE_DEG,
    MAX_BACKWARD_TIME_FRACTION,
    MAX_DUPLICATE_TIME_FRACTION,
    MAX_GAP_S,
    OTHER_SPORT_SPEED_M_S_MAX,
    POWER_W,
    SPEED_M_S_MAX,
    STANCE_TIME_MS,
    STEP_LENGTH_MM,
    VERTICAL_OSCILLATION_MM,
    VERTICAL_RATIO_PCT,
    latest_plausible_utc,
)

__all__ = ["FOOT_SPORTS", "clean_samples", "drop_out_of_range", "haversine_m"]

FloatArray = npt.NDArray[np.float64]

#: Sports whose cadence counts feet and whose speed is a runner's.
FOOT_SPORTS = frozenset({"running", "walking", "hiking", "not stated"})

#: Columns where 0 means "no value" (a sensor not worn or not yet locked on): silently NaN.
_ZERO_IS_MISSING = (
    "heart_rate_bpm",
    "stance_time_ms",
    "vertical_oscillation_mm",
    "vertical_ratio_pct",
    "step_length_mm",
)

#: Column -> (what it is, unit, plausible range).
_RANGES: dict[str, tuple[str, str, tuple[float, float]]] = {
    "heart_rate_bpm": ("heart rate", "bpm", HEART_RATE_BPM),
    "altitude_m": ("altitude", "m", ALTITUDE_M),
    "stance_time_ms": ("stance time", "ms", STANCE_TIME_MS),
    "vertical_oscillation_mm": ("vertical oscillation", "mm", VERTICAL_OSCILLATION_MM),
    "vertical_ratio_pct": ("vertical ratio", "%", VERTICAL_RATIO_PCT),
    "step_length_mm": ("step length", "mm", STEP_LENGTH_MM),
    "power_w": ("power", "W", POWER_W),
}

#: Mean Earth radius (IUGG), metres.
EARTH_RADIUS_M = 6_371_008.8

_FIX = "Export the activity again from the watch's app, or use its .fit file"


def clean_samples(
    rows: pd.DataFrame,
    legs: Sequence[RawLeg],
    *,
    absolute_time: bool,
    path: Path,
    now: datetime | None = None,
) -> tuple[pd.DataFrame, list[str]]:
    """The rows with impossible times and values removed, sorted by time, and the notes.

    Parameters
    ----------
    rows
        A reader's rows (``t_abs_s``, the raw columns, ``leg``), each with a time.
    legs
        The file's legs, for each leg's sport (its speed limit).
    absolute_time
        Whether ``t_abs_s`` is POSIX time (False: seconds of the device's own clock).

    Raises
    ------
    CorruptFileError
        Every sample is dated before 1990 or in the future, the time goes back at too
        many samples, or too many samples repeat the time of another (the file's clock
        cannot be trusted).
    InsufficientDataError
        No sample is left.
    """
    notes: list[str] = []
    rows = _finite_times(rows, notes)
    if absolute_time:
        rows = _date_window(rows, path, now, notes)
    rows = _time_order(rows, path, notes)
    rows = _merge_repeated_times(rows, path, notes)
    rows = _longest_part(rows, absolute_time, notes)
    if rows.empty:
        raise InsufficientDataError(
            "no sample is left once impossible times are removed", path=path, fix=_FIX
        )
    for column in _ZERO_IS_MISSING:
        rows[column] = rows[column].where(rows[column] != 0)
    for column, (label, unit, bounds) in _RANGES.items():
        rows[column] = drop_out_of_range(rows[column], bounds, label, unit, notes)
    _drop_bad_positions(rows, notes)
    _drop_non_finite_extras(rows, notes)
    for index, leg in enumerate(legs):
        mask = (rows["leg"] == index).to_numpy()
        if mask.any():
            _clean_leg_motion(rows, mask, _speed_limit(leg), notes)
    return rows, notes


# ------------------------------------------------------------------ times


def _finite_times(rows: pd.DataFrame, notes: list[str]) -> pd.DataFrame:
    t = rows["t_abs_s"].to_numpy(dtype=np.float64)
    bad = ~np.isfinite(t)
    if bad.any():
        notes.append(f"{_samples(int(bad.sum()))} with an unreadable time were dropped")
        rows = rows.loc[~bad]
    return rows


def _date(t_s: float) -> str:
    try:
        d = datetime.fromtimestamp(t_s, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return f"{t_s:.0f} s from 1970"
    return f"{d.year:04d}-{d:%m-%d %H:%M}"


def _date_window(
    rows: pd.DataFrame, path: Path, now: datetime | None, notes: list[str]
) -> pd.DataFrame:
    t = rows["t_abs_s"].to_numpy(dtype=np.float64)
    earliest = EARLIEST_RECORDING_UTC.timestamp()
    latest = latest_plausible_utc(now).timestamp()
    bad = (t < earliest) | (t > latest)
    if not bad.any():
        return rows
    lo, hi = float(np.min(t[bad])), float(np.max(t[bad]))
    span = _date(lo) if lo == hi else f"{_date(lo)} to {_date(hi)}"
    if bad.all():
        raise CorruptFileError(
            f"every sample is dated {span} UTC, before 1990 or in the future: not a date "
            "a recording can have (the watch's clock was not set, or the file is damaged)",
            path=path,
            fix="Set the watch's date and time and record again, or export the activity again",
        )
    notes.append(
        f"{_samples(int(bad.sum()))} dated {span} UTC (before 1990 or in the future) were dropped"
    )
    return rows.loc[~bad]


def _time_order(rows: pd.DataFrame, path: Path, notes: list[str]) -> pd.DataFrame:
    t = rows["t_abs_s"].to_numpy(dtype=np.float64)
    backward = int(np.sum(np.diff(t) < 0))
    if backward > MAX_BACKWARD_TIME_FRACTION * len(t):
        raise CorruptFileError(
            f"the time goes back at {_places(backward)} among {len(t)} samples: the samples "
            "are not in the order they were recorded, and putting them in time order would "
            "join points of the track that were never run one after the other",
            path=path,
            fix=_FIX,
        )
    if backward:
        notes.append(
            f"the time goes back at {_places(backward)} in the file; the samples were put in "
            "time order"
        )
    return rows.sort_values("t_abs_s", kind="stable")


def _merge_repeated_times(rows: pd.DataFrame, path: Path, notes: list[str]) -> pd.DataFrame:
    repeated = int(rows.duplicated(subset=["leg", "t_abs_s"]).sum())
    if not repeated:
        return rows.reset_index(drop=True)
    share = repeated / len(rows)
    if share > MAX_DUPLICATE_TIME_FRACTION:
        raise CorruptFileError(
            f"{repeated} of {len(rows)} samples ({share:.0%}) repeat the time of another "
            "sample: the file's clock cannot be trusted (time would pass at the wrong rate, "
            "and pace and distance per minute with it)",
            path=path,
            fix=_FIX,
        )
    notes.append(
        f"{_samples(repeated)} repeated the time of the sample before and "
        f"{'was' if repeated == 1 else 'were'} merged into it"
    )
    merged = rows.groupby(["leg", "t_abs_s"], sort=False, as_index=False).first()
    return merged.sort_values("t_abs_s", kind="stable").reset_index(drop=True)


def _duration(seconds: float) -> str:
    for unit, size in (("years", 365.25 * 86400), ("days", 86400.0), ("h", 3600.0)):
        if seconds >= size:
            return f"{seconds / size:.1f} {unit}"
    return f"{seconds / 60:.0f} min"


def _longest_part(rows: pd.DataFrame, absolute_time: bool, notes: list[str]) -> pd.DataFrame:
    """Split at gaps longer than MAX_GAP_S; keep the part with the most samples."""
    t = rows["t_abs_s"].to_numpy(dtype=np.float64)
    gaps = np.flatnonzero(np.diff(t) > MAX_GAP_S)
    if gaps.size == 0:
        return rows
    bounds = [0, *(gaps + 1).tolist(), len(t)]
    parts = list(pairwise(bounds))
    start, stop = max(parts, key=lambda p: p[1] - p[0])
    widest = int(gaps[np.argmax(np.diff(t)[gaps])])
    where = (
        f"from {_date(t[widest])} to {_date(t[widest + 1])} UTC"
        if absolute_time
        else f"after {t[widest] - t[0]:.0f} s"
    )
    dropped = len(t) - (stop - start)
    notes.append(
        f"the recording stops for {_duration(t[widest + 1] - t[widest])} ({where}); "
        f"{'a gap' if gaps.size == 1 else f'{gaps.size} gaps'} longer than "
        f"{_duration(MAX_GAP_S)} cannot be one run, so only the longest part "
        f"({_samples(stop - start)}) is analysed and {_samples(dropped)} "
        f"{'was' if dropped == 1 else 'were'} dropped"
    )
    return rows.iloc[start:stop].reset_index(drop=True)


# ------------------------------------------------------------------ values


def drop_out_of_range(
    values: pd.Series, bounds: tuple[float, float], label: str, unit: str, notes: list[str]
) -> pd.Series:
    """``values`` with those outside ``bounds`` (or infinite) as NaN; a note counts them."""
    lo, hi = bounds
    bad = values.notna() & ~values.between(lo, hi)
    count = int(bad.sum())
    if count:
        notes.append(
            f"{_samples(count)} with {'an' if label[0] in 'aeiou' else 'a'} {label} outside "
            f"{lo:g} to {hi:g} {unit} (not possible; "
            f"e.g. {_number(values[bad].iloc[0])}) {'was' if count == 1 else 'were'} dropped"
        )
    return values.where(~bad)


def _number(value: float) -> str:
    return f"{value:.4g}" if math.isfinite(value) else str(value)


def _drop_bad_positions(rows: pd.DataFrame, notes: list[str]) -> None:
    lat, lon = rows["lat_deg"], rows["lon_deg"]
    has = lat.notna() | lon.notna()
    ok = lat.between(*LATITUDE_DEG) & lon.between(*LONGITUDE_DEG)
    bad = has & ~ok
    count = int(bad.sum())
    if count:
        example = f"{_number(float(lat[bad].iloc[0]))}, {_number(float(lon[bad].iloc[0]))}"
        notes.append(
            f"{_samples(count)} with a position off the globe (latitude beyond +-90 or "
            f"longitude beyond +-180 degrees, e.g. {example}) lost that position"
        )
    rows.loc[~ok, ["lat_deg", "lon_deg"]] = np.nan


#: Words for the columns whose values are checked later (or never, developer fields).
_WORDS = {"distance_m": "distance", "speed_m_s": "speed", "cadence_raw": "cadence"}


def _drop_non_finite_extras(rows: pd.DataFrame, notes: list[str]) -> None:
    """Infinite values in the columns without a range (developer fields, cadence, speed)."""
    for column in rows.columns:
        if column in ("leg", "t_abs_s") or not pd.api.types.is_float_dtype(rows[column]):
            continue
        inf = np.isinf(rows[column].to_numpy(dtype=np.float64))
        if inf.any():
            what = _WORDS.get(column, f"value of the watch app's field '{column}'")
            count = int(inf.sum())
            notes.append(
                f"{_samples(count)} with an infinite {what} "
                f"{'was' if count == 1 else 'were'} dropped"
            )
            rows.loc[inf, column] = np.nan


def _speed_limit(leg: RawLeg) -> float:
    return SPEED_M_S_MAX if normalise_sport(leg.sport) in FOOT_SPORTS else OTHER_SPORT_SPEED_M_S_MAX


def _clean_leg_motion(
    rows: pd.DataFrame, mask: npt.NDArray[np.bool_], limit: float, notes: list[str]
) -> None:
    """Speed, device distance and GPS of one leg: what a body cannot do is dropped."""
    index = rows.index[mask]
    speed = rows.loc[index, "speed_m_s"]
    rows.loc[index, "speed_m_s"] = drop_out_of_range(speed, (0.0, limit), "speed", "m/s", notes)
    t = rows.loc[index, "t_abs_s"].to_numpy(dtype=np.float64)
    distance = rows.loc[index, "distance_m"]
    negative = distance < 0
    if negative.any():
        count = int(negative.sum())
        notes.append(
            f"{_samples(count)} with a negative distance {'was' if count == 1 else 'were'} dropped"
        )
        rows.loc[index[negative.to_numpy()], "distance_m"] = np.nan
    d = rows.loc[index, "distance_m"].to_numpy(dtype=np.float64)
    bad = _distance_jumps(t, d, limit)
    if bad.any():
        notes.append(
            f"{_samples(int(bad.sum()))} whose distance jumps further than a runner can run "
            f"({limit:g} m/s) {'was' if bad.sum() == 1 else 'were'} dropped"
        )
        rows.loc[index[bad], "distance_m"] = np.nan
    lat = rows.loc[index, "lat_deg"].to_numpy(dtype=np.float64)
    lon = rows.loc[index, "lon_deg"].to_numpy(dtype=np.float64)
    jumps = _gps_jumps(t, lat, lon, limit)
    if jumps.any():
        notes.append(
            f"{_samples(int(jumps.sum()))} whose GPS position jumps further than a runner "
            f"can run ({limit:g} m/s) lost that position"
        )
        rows.loc[index[jumps], ["lat_deg", "lon_deg"]] = np.nan


def _reach_m(dt_s: FloatArray | float, limit: float) -> FloatArray | float:
    return limit * dt_s + GPS_JUMP_ALLOWANCE_M


def _distance_jumps(t: FloatArray, d: FloatArray, limit: float) -> npt.NDArray[np.bool_]:
    """Device distances ahead of the furthest kept one by more than a runner can run.

    The first value consistent with the next one anchors the track; values before it
    are jumps. Values below the furthest kept are not jumps (the distance is made
    non-decreasing later).
    """
    bad = np.zeros(d.size, dtype=bool)
    idx = np.flatnonzero(np.isfinite(d))
    if idx.size < 2:
        return bad
    steps = np.diff(d[idx])
    if np.all(steps <= _reach_m(np.diff(t[idx]), limit)):
        return bad
    anchor = 0
    while anchor < idx.size - 1:
        i, j = idx[anchor], idx[anchor + 1]
        if abs(d[j] - d[i]) <= _reach_m(t[j] - t[i], limit):
            break
        anchor += 1
    bad[idx[:anchor]] = True
    ref = idx[anchor]
    for k in idx[anchor + 1 :]:
        if d[k] - d[ref] > _reach_m(t[k] - t[ref], limit):
            bad[k] = True
        elif d[k] >= d[ref]:
            ref = k
    return bad


def haversine_m(
    lat1: FloatArray, lon1: FloatArray, lat2: FloatArray, lon2: FloatArray
) -> FloatArray:
    """Great-circle distance, metres, on a sphere of the mean Earth radius (degrees in)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dlat, dlon = p2 - p1, np.radians(lon2) - np.radians(lon1)
    a = np.sin(dlat / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlon / 2) ** 2
    out: FloatArray = 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
    return out


def _gps_jumps(
    t: FloatArray, lat: FloatArray, lon: FloatArray, limit: float
) -> npt.NDArray[np.bool_]:
    """GPS fixes further from the last kept fix than a runner can run since it.

    The first fix consistent with the next one anchors the track; fixes before it are
    jumps.
    """
    bad = np.zeros(t.size, dtype=bool)
    idx = np.flatnonzero(np.isfinite(lat) & np.isfinite(lon))
    if idx.size < 2:
        return bad
    steps = haversine_m(lat[idx][:-1], lon[idx][:-1], lat[idx][1:], lon[idx][1:])
    if np.all(steps <= _reach_m(np.diff(t[idx]), limit)):
        return bad
    anchor = 0
    while anchor < idx.size - 1 and steps[anchor] > _reach_m(
        t[idx[anchor + 1]] - t[idx[anchor]], limit
    ):
        anchor += 1
    bad[idx[:anchor]] = True
    ref = idx[anchor]
    for k in idx[anchor + 1 :]:
        step = float(
            haversine_m(lat[ref : ref + 1], lon[ref : ref + 1], lat[k : k + 1], lon[k : k + 1])[0]
        )
        if step > _reach_m(t[k] - t[ref], limit):
            bad[k] = True
        else:
            ref = k
    return bad


# ------------------------------------------------------------------ words


def _samples(n: int) -> str:
    return f"{n} sample" if n == 1 else f"{n} samples"


def _places(n: int) -> str:
    return "1 place" if n == 1 else f"{n} places"
