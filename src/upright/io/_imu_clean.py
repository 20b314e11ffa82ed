"""Impossible accelerometer data refused, or dropped with a count (private).

Used by :mod:`upright.io.imu` once a file's time and acceleration are numbers:

- units the column names state that the size of gravity contradicts (m/s^2 written in a
  ``_g`` column reads as steps of 9 g) are refused, naming both;
- a first sample dated before 1990 or in the future is refused;
- samples beyond what a body-worn sensor can read are dropped and counted;
- a gap longer than :data:`~upright.limits.IMU_GAP_S_MAX` splits the recording, and only
  its longest part is kept (said in a note), so no gap that long is bridged.

Limits and their sources are in :mod:`upright.limits`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path
from typing import Literal

import numpy as np
import numpy.typing as npt

from upright.errors import CorruptFileError, UnsupportedFormatError
from upright.limits import (
    EARLIEST_RECORDING_UTC,
    IMU_ACCELERATION_G_MAX,
    IMU_GAP_S_MAX,
    latest_plausible_utc,
)

__all__ = ["Cleaned", "check_start", "check_units", "clean_trace", "magnitude"]

FloatArray = npt.NDArray[np.float64]
Units = Literal["g", "m/s^2"]

#: Standard gravity (CGPM 1901), m/s^2.
_G = 9.80665

#: Median magnitude (in the file's own numbers) that marks each unit: about 1 in g,
#: about 9.8 in m/s^2 (the same bands the reader uses to guess unstated units).
_MAGNITUDE_BANDS: dict[Units, tuple[float, float]] = {"g": (0.5, 2.0), "m/s^2": (5.0, 15.0)}


def magnitude(acc: FloatArray) -> FloatArray:
    """Length of each row of ``acc`` (n, 3), without overflow for any finite value."""
    out: FloatArray = np.hypot(np.hypot(acc[:, 0], acc[:, 1]), acc[:, 2])
    return out


def check_units(acc: FloatArray, units: Units, where: str, path: Path) -> None:
    """Refuse stated units that the size of gravity in the data contradicts.

    ``acc`` holds the file's numbers (gravity included); ``where`` names the columns or
    the format that stated ``units``.
    """
    typical = float(np.median(magnitude(acc)))
    other: Units = "m/s^2" if units == "g" else "g"
    lo, hi = _MAGNITUDE_BANDS[other]
    if lo <= typical <= hi:
        raise UnsupportedFormatError(
            f"the acceleration is in {units} according to {where}, but its typical size "
            f"is {typical:.2f}, which is gravity in {other}: read as "
            f"{units}, every step would be {'about ten times' if units == 'g' else 'a tenth of'} "
            "its real size",
            path=path,
            fix=f"Rename the columns to state {other} (for example x_m_s2 or x_g), or export "
            "the acceleration in the unit the names state",
        )


def _date(t_s: float) -> str:
    try:
        d = datetime.fromtimestamp(t_s, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return f"{t_s:.0f} s from 1970"
    return f"{d.year:04d}-{d:%m-%d %H:%M}"


def check_start(start_unix_s: float | None, path: Path, now: datetime | None = None) -> None:
    """Refuse a first sample dated before 1990 or in the future."""
    if start_unix_s is None:
        return
    if (
        not EARLIEST_RECORDING_UTC.timestamp()
        <= start_unix_s
        <= latest_plausible_utc(now).timestamp()
    ):
        raise CorruptFileError(
            f"the recording starts on {_date(start_unix_s)} UTC, before 1990 or in the "
            "future: its time column is not a date a recording can have",
            path=path,
            fix="Export the time as seconds since 1970 (unix time) or as seconds from the "
            "start of the recording",
        )


@dataclass(frozen=True)
class Cleaned:
    """What is kept of a trace: a row mask, and the notes saying what went."""

    keep: npt.NDArray[np.bool_]
    notes: tuple[str, ...]


def _samples(n: int) -> str:
    return "1 sample" if n == 1 else f"{n} samples"


def _beyond_range(
    acc: FloatArray, g_per_unit: float, path: Path
) -> tuple[npt.NDArray[np.bool_], list[str]]:
    g = magnitude(acc) * g_per_unit
    bad = g > IMU_ACCELERATION_G_MAX
    count = int(bad.sum())
    if not count:
        return ~bad, []
    if count > bad.size / 2:
        raise CorruptFileError(
            f"{count} of {bad.size} samples read more than {IMU_ACCELERATION_G_MAX:g} g "
            f"(up to {float(np.max(g)):.3g} g), beyond any body-worn accelerometer: the "
            "file's numbers are not acceleration in the unit stated",
            path=path,
            fix="Check the export's units and columns, and export the recording again",
        )
    return ~bad, [
        f"{_samples(count)} beyond {IMU_ACCELERATION_G_MAX:g} g (up to {float(np.max(g)):.3g} "
        f"g, not possible for a body-worn sensor) {'was' if count == 1 else 'were'} dropped"
    ]


def _longest_part(t_s: FloatArray, keep: npt.NDArray[np.bool_]) -> tuple[int, int, list[str]]:
    """Start and stop (row indices into ``t_s[keep]``) of the longest part without a
    gap over IMU_GAP_S_MAX, and the note."""
    t = t_s[keep]
    steps = np.diff(t)
    gaps = np.flatnonzero(steps > IMU_GAP_S_MAX)
    if gaps.size == 0:
        return 0, t.size, []
    bounds = [0, *(gaps + 1).tolist(), t.size]
    start, stop = max(pairwise(bounds), key=lambda p: p[1] - p[0])
    widest = int(gaps[np.argmax(steps[gaps])])
    kept_from, kept_to = float(t[start] - t[0]), float(t[stop - 1] - t[0])
    count = "a gap" if gaps.size == 1 else f"{gaps.size} gaps"
    note = (
        f"the recording has {count} longer than {IMU_GAP_S_MAX:g} s (the longest "
        f"{steps[widest]:.0f} s, after {t[widest] - t[0]:.0f} s), not bridged: only the "
        f"longest part without one ({kept_from:.0f}-{kept_to:.0f} s of the file, "
        f"{_samples(stop - start)}) is analysed and {_samples(t.size - (stop - start))} "
        f"{'was' if t.size - (stop - start) == 1 else 'were'} dropped"
    )
    return start, stop, [note]


def clean_trace(t_s: FloatArray, acc: FloatArray, units: Units, path: Path) -> Cleaned:
    """Which samples to keep: none beyond a body-worn sensor's range, and only the
    longest part without a long gap. ``acc`` holds the file's numbers in ``units``.

    Raises
    ------
    CorruptFileError
        More than half the samples are beyond a body-worn sensor's range.
    """
    keep, notes = _beyond_range(acc, 1.0 if units == "g" else 1.0 / _G, path)
    start, stop, gap_notes = _longest_part(t_s, keep)
    kept_rows = np.flatnonzero(keep)[start:stop]
    final = np.zeros(t_s.size, dtype=bool)
    final[kept_rows] = True
    return Cleaned(final, (*notes, *gap_notes))
