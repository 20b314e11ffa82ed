"""GPX activity files, read with gpxpy (private).

gpxpy is imported inside :func:`read_gpx_raw`. Each track is one leg, its ``<type>`` the
sport (GPX has no standard sport names; Strava writes numbers). Heart rate, cadence,
power and speed come from track-point extensions (Garmin's TrackPointExtension ``hr``,
``cad``; also ``power``, ``speed``), matched by local name so any prefix is accepted.
GPX has no distance: :mod:`upright.io.activity` measures it along the track.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC
from pathlib import Path
from typing import Any

import pandas as pd

from upright.errors import CorruptFileError, UnsupportedFormatError
from upright.io._activity_raw import RAW_COLUMNS, RawActivity, RawLeg
from upright.io._tcx import local_name, untimed_note

__all__ = ["read_gpx_raw"]

#: Extension element (local name, lower case) -> upright column.
_EXTENSIONS = {
    "hr": "heart_rate_bpm",
    "heartrate": "heart_rate_bpm",
    "cad": "cadence_raw",
    "cadence": "cadence_raw",
    "runcadence": "cadence_raw",
    "power": "power_w",
    "powerinwatts": "power_w",
    "speed": "speed_m_s",
}

_FIX = "Export the activity again as GPX from the watch's app, or use its .fit file"


def _root_name(path: Path) -> str:
    """Local name of the XML root element, reading no further than it."""
    try:
        for _, element in ET.iterparse(path, events=("start",)):
            return local_name(element.tag)
    except ET.ParseError as err:
        line, column = err.position
        raise CorruptFileError(
            f"the GPX XML is broken at line {line}, column {column} ({err.msg})",
            path=path,
            fix=_FIX,
        ) from err
    return ""


def _extensions(point: Any, index: int, path: Path) -> dict[str, float]:
    values: dict[str, float] = {}
    for ext in point.extensions:
        for el in ext.iter():
            column = _EXTENSIONS.get(local_name(el.tag).lower())
            if column is None or el.text is None or not el.text.strip():
                continue
            try:
                values[column] = float(el.text)
            except ValueError as err:
                raise CorruptFileError(
                    f"track point {index + 1} has {local_name(el.tag)} {el.text.strip()!r}, "
                    "not a number",
                    path=path,
                    fix=_FIX,
                ) from err
    return values


def read_gpx_raw(path: Path) -> RawActivity:
    """Track points and tracks of a GPX file."""
    root = _root_name(path)
    if root != "gpx":
        raise UnsupportedFormatError(
            f"not a GPX file: its XML root is <{root or '?'}>, not <gpx>",
            path=path,
            fix="Pass a .gpx track export, or a .fit or .tcx file",
        )
    import gpxpy
    import gpxpy.gpx

    try:
        with path.open(encoding="utf-8") as fh:
            gpx = gpxpy.parse(fh)
    except (gpxpy.gpx.GPXException, UnicodeDecodeError) as err:
        raise CorruptFileError(f"the GPX cannot be read ({err})", path=path, fix=_FIX) from err
    rows: list[dict[str, float]] = []
    legs: list[RawLeg] = []
    index = 0
    untimed = 0
    for leg, track in enumerate(gpx.tracks):
        legs.append(RawLeg(sport=track.type))
        for segment in track.segments:
            for point in segment.points:
                if point.time is not None:
                    stamp = point.time
                    if stamp.tzinfo is None:
                        stamp = stamp.replace(tzinfo=UTC)
                    row: dict[str, float] = {
                        "t_abs_s": stamp.timestamp(),
                        "lat_deg": float(point.latitude),
                        "lon_deg": float(point.longitude),
                        "leg": leg,
                    }
                    if point.elevation is not None:
                        row["altitude_m"] = float(point.elevation)
                    if point.speed is not None:
                        row["speed_m_s"] = float(point.speed)
                    row.update(_extensions(point, index, path))
                    rows.append(row)
                else:
                    untimed += 1  # gpxpy leaves a time it cannot read as None
                index += 1
    frame = pd.DataFrame(rows, columns=[*RAW_COLUMNS, "leg"])
    return RawActivity(
        rows=frame,
        legs=legs or [RawLeg(sport=None)],
        device=gpx.creator,
        notes=untimed_note(untimed),
    )
