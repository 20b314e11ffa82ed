"""TCX (Garmin Training Center XML) activity files, read with the standard library
(private).

Elements are matched by local name, so any namespace prefix (``ns3:``, ``x:`` or the
default namespace) is accepted. Each ``Activity`` element is one leg, its ``Sport``
attribute the sport. Running cadence comes from the ``RunCadence`` extension (strides
per minute, one foot), else from ``Cadence``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from upright.errors import CorruptFileError, UnsupportedFormatError
from upright.io._activity_raw import RAW_COLUMNS, RawActivity, RawLeg

__all__ = ["local_name", "parse_time", "parse_xml", "read_tcx_raw", "untimed_note"]

#: Trackpoint element (local name) -> upright column.
_VALUES = {
    "LatitudeDegrees": "lat_deg",
    "LongitudeDegrees": "lon_deg",
    "AltitudeMeters": "altitude_m",
    "DistanceMeters": "distance_m",
    "Speed": "speed_m_s",
    "Watts": "power_w",
}

_FIX = "Export the activity again from the watch's app"


def local_name(tag: str) -> str:
    """``'{http://...}Trackpoint'`` -> ``'Trackpoint'``."""
    return tag.rsplit("}", 1)[-1]


def parse_xml(path: Path, kind: str) -> ET.Element:
    """The root element; broken XML is a CorruptFileError naming line and column."""
    try:
        return ET.parse(path).getroot()
    except ET.ParseError as err:
        line, column = err.position
        raise CorruptFileError(
            f"the {kind} XML is broken at line {line}, column {column} ({err.msg})",
            path=path,
            fix=_FIX,
        ) from err


def parse_time(text: str) -> float:
    """ISO 8601 time as POSIX seconds; a time without a zone is taken as UTC."""
    stamp = datetime.fromisoformat(text.strip())
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=UTC)
    return stamp.timestamp()


def _float(text: str | None, what: str, index: int, path: Path) -> float | None:
    if text is None or not text.strip():
        return None
    try:
        return float(text)
    except ValueError as err:
        raise CorruptFileError(
            f"Trackpoint {index + 1} has {what} {text.strip()!r}, not a number",
            path=path,
            fix=_FIX,
        ) from err


def _trackpoint(point: ET.Element, index: int, path: Path) -> dict[str, float] | None:
    """The point's values; None when it has no readable time."""
    row: dict[str, float] = {}
    run_cadence: float | None = None
    cadence: float | None = None
    for el in point.iter():
        name = local_name(el.tag)
        if name == "Time" and el.text and el.text.strip():
            try:
                row["t_abs_s"] = parse_time(el.text)
            except ValueError:
                return None  # not an ISO 8601 date and time: counted by the caller
        elif name in _VALUES:
            value = _float(el.text, name, index, path)
            if value is not None:
                row[_VALUES[name]] = value
        elif name == "HeartRateBpm":
            value_el = next((c for c in el if local_name(c.tag) == "Value"), el)
            value = _float(value_el.text, "HeartRateBpm", index, path)
            if value is not None:
                row["heart_rate_bpm"] = value
        elif name == "RunCadence":
            run_cadence = _float(el.text, name, index, path)
        elif name == "Cadence":
            cadence = _float(el.text, name, index, path)
    if "t_abs_s" not in row:
        return None
    step = run_cadence if run_cadence is not None else cadence
    if step is not None:
        row["cadence_raw"] = step
    return row


def read_tcx_raw(path: Path) -> RawActivity:
    """Trackpoints and activities of a TCX file."""
    root = parse_xml(path, "TCX")
    if local_name(root.tag) != "TrainingCenterDatabase":
        raise UnsupportedFormatError(
            f"not a TCX file: its XML root is <{local_name(root.tag)}>, not "
            "<TrainingCenterDatabase>",
            path=path,
            fix="Pass a .tcx activity export, or a .fit or .gpx file",
        )
    rows: list[dict[str, float]] = []
    legs: list[RawLeg] = []
    device: str | None = None
    index = 0
    untimed = 0
    activities = [el for el in root.iter() if local_name(el.tag) == "Activity"]
    for leg, activity in enumerate(activities):
        legs.append(RawLeg(sport=activity.get("Sport")))
        for el in activity.iter():
            name = local_name(el.tag)
            if name == "Trackpoint":
                row = _trackpoint(el, index, path)
                index += 1
                if row is not None:
                    row["leg"] = leg
                    rows.append(row)
                else:
                    untimed += 1
            elif name == "Creator" and device is None:
                creator = next((c for c in el if local_name(c.tag) == "Name"), None)
                device = (creator.text or "").strip() or None if creator is not None else None
    frame = pd.DataFrame(rows, columns=[*RAW_COLUMNS, "leg"])
    return RawActivity(
        rows=frame,
        legs=legs or [RawLeg(sport=None)],
        device=device,
        notes=untimed_note(untimed),
    )


def untimed_note(count: int) -> list[str]:
    """The note for track points left out because they have no readable time."""
    if not count:
        return []
    points = "1 track point" if count == 1 else f"{count} track points"
    return [f"{points} without a readable date and time {'was' if count == 1 else 'were'} left out"]
