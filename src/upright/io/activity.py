"""Watch files: FIT, GPX and TCX activities read into one table of samples.

:func:`read_activity` reads every leg of a file; :func:`select_running_leg` keeps the
run (and refuses a walk, a ride or a swim, naming the sport); :func:`read_run` does
both. The samples table has one row per recorded sample and the columns of
:data:`SAMPLE_COLUMNS` (NaN where the file has no such data), then one ``dev_*``
column per developer field (Stryd's 'Form Power', 'Leg Spring Stiffness' ...; the name
comes from the file's field description, the unit suffix from its units).

=========================  ===============================================================
column                     meaning
=========================  ===============================================================
``leg``                    index of the leg (sport session) in the file, 0-based
``time_s``                 seconds since the first sample (of the leg, once selected);
                           elapsed time, pauses included
``timestamp``              UTC date and time; NaT when the file has device time only
``distance_m``             distance from the start; from the device, else the integral of
                           speed, else measured along the GPS track
``speed_m_s``              speed as the device recorded it
``heart_rate_bpm``         heart rate
``cadence_spm``            steps per minute, both feet (FIT, TCX ``RunCadence`` and GPX
                           ``cad`` count one foot for running: doubled)
``altitude_m``             altitude
``lat_deg``, ``lon_deg``   position, WGS84 degrees
``stance_time_ms``         ground contact time (FIT ``stance_time``)
``vertical_oscillation_mm``  bounce of the trunk per step (FIT ``vertical_oscillation``)
``vertical_ratio_pct``     vertical oscillation / step length, percent
``step_length_mm``         step length
``power_w``                running power recorded as a FIT field
=========================  ===============================================================

Zero heart rate, stance time, vertical oscillation, vertical ratio or step length is a
sensor's "no value" and becomes NaN. Impossible times and values (:mod:`upright.limits`)
are dropped by :mod:`upright.io._activity_clean` the same way for every format, each
drop counted in the notes: a date before 1990 or in the future, samples out of time
order (sorted), samples with the same time (merged; refused when over a fifth of the
file), an hour without a sample (only the longest part is kept), a heart rate, cadence,
speed or position no body or globe allows, a GPS fix or distance that jumps further
than a runner can run.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Final, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from upright.errors import InputError, InsufficientDataError, UnsupportedFormatError
from upright.io._activity_clean import FOOT_SPORTS, clean_samples, drop_out_of_range, haversine_m
from upright.io._activity_raw import DeveloperField, RawActivity, RawLeg, normalise_sport
from upright.limits import CADENCE_SPM

__all__ = [
    "RUNNING",
    "SAMPLE_COLUMNS",
    "Activity",
    "ActivityFormat",
    "ActivityLeg",
    "DeveloperField",
    "DistanceSource",
    "compute_track_distance_m",
    "read_activity",
    "read_run",
    "select_running_leg",
]

ActivityFormat = Literal["fit", "gpx", "tcx"]
DistanceSource = Literal["device", "speed", "gps", "none"]

RUNNING: Final = "running"

SAMPLE_COLUMNS = (
    "leg",
    "time_s",
    "timestamp",
    "distance_m",
    "speed_m_s",
    "heart_rate_bpm",
    "cadence_spm",
    "altitude_m",
    "lat_deg",
    "lon_deg",
    "stance_time_ms",
    "vertical_oscillation_mm",
    "vertical_ratio_pct",
    "step_length_mm",
    "power_w",
)

_SUFFIXES: dict[str, ActivityFormat] = {".fit": "fit", ".gpx": "gpx", ".tcx": "tcx"}

#: A per-foot cadence above this (the most steps/min upright accepts, halved) is not
#: possible when running, so a source whose median cadence exceeds it already wrote
#: steps per minute.
MAX_STRIDES_PER_MIN = CADENCE_SPM[1] / 2.0


@dataclass(frozen=True)
class ActivityLeg:
    """One sport session of a file."""

    index: int
    sport: str
    sport_as_written: str | None
    sub_sport: str | None
    n_samples: int
    duration_s: float
    distance_m: float | None
    distance_source: DistanceSource


@dataclass(frozen=True)
class Activity:
    """The samples of a watch file and what the file says about them.

    ``leg`` is None for a whole file (:func:`read_activity`) and the index of the kept
    leg after :func:`select_running_leg`, whose ``samples`` then hold that leg only, with
    time and distance counted from its start.
    """

    path: Path
    file_format: ActivityFormat
    samples: pd.DataFrame
    legs: tuple[ActivityLeg, ...]
    device: str | None
    start_utc: datetime | None
    developer_fields: tuple[DeveloperField, ...]
    notes: tuple[str, ...]
    leg: int | None = None

    def has(self, column: str) -> bool:
        """Whether the samples hold any value in ``column``."""
        return column in self.samples.columns and bool(self.samples[column].notna().any())

    @property
    def sport(self) -> str:
        """The sport of the kept leg, or of the first leg of a whole file."""
        return self.legs[self.leg or 0].sport


# ------------------------------------------------------------------ reading


def _check_path(path: Path) -> ActivityFormat:
    if not path.exists():
        raise InputError("no such file", path=path, fix="Check the path and the file name")
    if not path.is_file():
        raise InputError(
            "this is a folder, not an activity file", path=path, fix="Pass a .fit, .gpx or .tcx"
        )
    file_format = _SUFFIXES.get(path.suffix.lower())
    if file_format is None:
        raise UnsupportedFormatError(
            f"upright reads FIT, GPX and TCX activity files, not '{path.suffix or 'no suffix'}'",
            path=path,
            fix="Export the activity from the watch's app as .fit (best: it keeps running "
            "dynamics), .gpx or .tcx",
        )
    if path.stat().st_size == 0:
        raise InsufficientDataError(
            "the file is empty (0 bytes)", path=path, fix="Copy the activity from the watch again"
        )
    return file_format


def _read_raw(path: Path, file_format: ActivityFormat) -> RawActivity:
    if file_format == "fit":
        from upright.io._fit import read_fit_raw

        return read_fit_raw(path)
    if file_format == "tcx":
        from upright.io._tcx import read_tcx_raw

        return read_tcx_raw(path)
    from upright.io._gpx import read_gpx_raw

    return read_gpx_raw(path)


def read_activity(path: str | Path) -> Activity:
    """Read every leg of a FIT, GPX or TCX activity file.

    Raises
    ------
    InputError
        The file does not exist or is a folder.
    UnsupportedFormatError
        Not a .fit, .gpx or .tcx file, or its content is not that format.
    CorruptFileError
        The format is right but the content is broken (cut short, bad checksum, bad XML).
    InsufficientDataError
        The file is empty or holds no timed samples.
    """
    path = Path(path)
    file_format = _check_path(path)
    raw = _read_raw(path, file_format)
    rows = raw.rows.dropna(subset=["t_abs_s"])
    if rows.empty:
        raise InsufficientDataError(
            "the file holds no timed samples (no records or track points with a time)",
            path=path,
            fix="Check that the activity was recorded; export it again from the watch's app",
        )
    return _finish(path, file_format, raw, rows)


def select_running_leg(activity: Activity) -> Activity:
    """Keep the run: the longest running leg, or the file's only leg when it states no
    sport (with a note). Time and distance then count from the leg's start.

    Raises
    ------
    InputError
        No leg is a run; the message names the sports the file holds.
    InsufficientDataError
        The running leg holds no samples.
    """
    legs = activity.legs
    runs = [leg for leg in legs if leg.sport == RUNNING]
    notes = list(activity.notes)
    if not runs:
        runs = [leg for leg in legs if leg.sport == "not stated"]
        if runs:
            notes.append("the file does not say which sport this is; it is analysed as a run")
    if not runs:
        raise InputError(_not_a_run(legs), path=activity.path, fix=_NOT_A_RUN_FIX)
    chosen = max(runs, key=lambda leg: (leg.duration_s, leg.n_samples))
    if len(runs) > 1:
        notes.append(
            f"the file holds {len(runs)} running legs; the longest (leg {chosen.index + 1}) "
            "is analysed"
        )
    if len(legs) > 1:
        sports = ", ".join(leg.sport for leg in legs)
        notes.append(f"multisport file ({sports}); only the run is analysed")
    samples = activity.samples[activity.samples["leg"] == chosen.index].copy()
    if samples.empty:
        raise InsufficientDataError(
            f"the running leg (leg {chosen.index + 1}) holds no samples",
            path=activity.path,
            fix="Check that the watch recorded the run",
        )
    samples["time_s"] -= samples["time_s"].iloc[0]
    if samples["distance_m"].notna().any():
        samples["distance_m"] -= samples["distance_m"].dropna().iloc[0]
    first = samples["timestamp"].iloc[0]
    start = None if pd.isna(first) else first.floor("us").to_pydatetime()
    return dataclasses.replace(
        activity,
        samples=samples.reset_index(drop=True),
        leg=chosen.index,
        start_utc=start,
        notes=tuple(notes),
    )


def read_run(path: str | Path) -> Activity:
    """:func:`read_activity`, then :func:`select_running_leg`."""
    return select_running_leg(read_activity(path))


_NOT_A_RUN_FIX = (
    "upright import analyses runs; import a run recorded with the watch's running profile"
)


def _not_a_run(legs: tuple[ActivityLeg, ...]) -> str:
    sports = list(dict.fromkeys(leg.sport for leg in legs))
    if sports == ["walking"]:
        return "this activity is a walk (the file's sport is 'walking'), not a run"
    named = ", ".join(f"'{s}'" for s in sports)
    return f"this activity is not a run: the file's sport is {named}"


# ------------------------------------------------------------------ clean-up


def _finish(
    path: Path, file_format: ActivityFormat, raw: RawActivity, rows: pd.DataFrame
) -> Activity:
    rows, cleaning_notes = clean_samples(rows, raw.legs, absolute_time=raw.absolute_time, path=path)
    rows["leg"] = rows["leg"].astype(int)
    t0 = float(rows["t_abs_s"].iloc[0])
    rows["time_s"] = rows["t_abs_s"] - t0
    if raw.absolute_time:
        rows["timestamp"] = pd.to_datetime(rows["t_abs_s"], unit="s", utc=True)
    else:
        rows["timestamp"] = pd.Series(pd.NaT, index=rows.index, dtype="datetime64[ns, UTC]")
    notes = [*raw.notes, *cleaning_notes]
    legs: list[ActivityLeg] = []
    rows["cadence_spm"] = np.nan
    for index, raw_leg in enumerate(raw.legs):
        mask = rows["leg"] == index
        legs.append(_finish_leg(rows, mask, index, raw_leg, notes))
    dev_columns = [f.column for f in raw.developer_fields]
    samples = rows[[*SAMPLE_COLUMNS, *dev_columns]].copy()
    start = datetime.fromtimestamp(t0, tz=UTC) if raw.absolute_time else None
    return Activity(
        path=path,
        file_format=file_format,
        samples=samples,
        legs=tuple(legs),
        device=raw.device,
        start_utc=start,
        developer_fields=tuple(raw.developer_fields),
        notes=tuple(dict.fromkeys(notes)),
    )


def _finish_leg(
    rows: pd.DataFrame, mask: pd.Series, index: int, raw_leg: RawLeg, notes: list[str]
) -> ActivityLeg:
    """Cadence in steps/min and a distance for one leg, in place; the leg's facts."""
    sport = normalise_sport(raw_leg.sport)
    leg = rows.loc[mask]
    if sport in FOOT_SPORTS:
        spm = _steps_per_min(leg["cadence_raw"], notes)
        rows.loc[mask, "cadence_spm"] = drop_out_of_range(
            spm, CADENCE_SPM, "cadence", "steps/min", notes
        )
    distance, source = _leg_distance(leg)
    rows.loc[mask, "distance_m"] = distance
    if source in ("speed", "gps"):
        how = "the integral of speed" if source == "speed" else "measured along the GPS track"
        notes.append(f"the file has no distance; it is {how}")
    times = leg["time_s"]
    total = float(np.nanmax(distance) - np.nanmin(distance)) if source != "none" else None
    return ActivityLeg(
        index=index,
        sport=sport,
        sport_as_written=raw_leg.sport,
        sub_sport=raw_leg.sub_sport,
        n_samples=int(mask.sum()),
        duration_s=float(times.max() - times.min()) if len(times) else 0.0,
        distance_m=total,
        distance_source=source,
    )


def _steps_per_min(raw: pd.Series, notes: list[str]) -> pd.Series:
    # Values no unit makes plausible (a FIT "invalid" byte) do not decide the unit.
    moving = raw[(raw > 0) & (raw <= CADENCE_SPM[1])]
    if moving.empty or float(moving.median()) <= MAX_STRIDES_PER_MIN:
        return raw * 2.0
    notes.append("the file's cadence is already in steps per minute (both feet); not doubled")
    return raw


def _leg_distance(leg: pd.DataFrame) -> tuple[npt.NDArray[np.float64], DistanceSource]:
    t = leg["time_s"].to_numpy(dtype=np.float64)
    device = leg["distance_m"]
    if device.notna().any():
        filled = device.interpolate(limit_area="inside").bfill().ffill()
        return np.maximum.accumulate(filled.to_numpy(dtype=np.float64)), "device"
    speed = leg["speed_m_s"]
    if speed.notna().any() and len(t) > 1:
        v = speed.interpolate(limit_area="inside").fillna(0.0).to_numpy(dtype=np.float64)
        steps = np.diff(t) * (v[1:] + v[:-1]) / 2.0
        return np.concatenate([[0.0], np.cumsum(steps)]), "speed"
    if leg["lat_deg"].notna().any():
        return compute_track_distance_m(leg["lat_deg"], leg["lon_deg"]), "gps"
    return np.full(len(leg), np.nan), "none"


def compute_track_distance_m(lat_deg: pd.Series, lon_deg: pd.Series) -> npt.NDArray[np.float64]:
    """Cumulative great-circle (haversine) distance along a track, metres.

    Samples without a position carry the distance of the last fix. Notes: spherical
    Earth of mean radius 6,371,008.8 m; GPS jitter adds a little distance while standing.
    """
    lat = lat_deg.to_numpy(dtype=np.float64)
    lon = lon_deg.to_numpy(dtype=np.float64)
    steps = np.zeros(lat.size)
    idx = np.flatnonzero(~(np.isnan(lat) | np.isnan(lon)))
    if idx.size > 1:
        steps[idx[1:]] = haversine_m(lat[idx][:-1], lon[idx][:-1], lat[idx][1:], lon[idx][1:])
    return np.cumsum(steps)
