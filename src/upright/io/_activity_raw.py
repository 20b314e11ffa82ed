"""What each watch-file reader hands to :mod:`upright.io.activity` (private).

A reader returns a :class:`RawActivity`: one row per recorded sample with absolute time
in seconds (``t_abs_s``), the source's own units already converted to upright's column
units except cadence, which stays as the source wrote it (``cadence_raw``: per foot for
running in FIT, TCX ``RunCadence`` and GPX ``cad``), and one :class:`RawLeg` per sport
session. :mod:`upright.io.activity` does everything the formats share.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

__all__ = [
    "RAW_COLUMNS",
    "DeveloperField",
    "RawActivity",
    "RawLeg",
    "normalise_sport",
    "snake_case",
    "unit_suffix",
]

#: Columns a reader may fill; any it lacks are added as NaN.
RAW_COLUMNS = (
    "t_abs_s",
    "distance_m",
    "speed_m_s",
    "heart_rate_bpm",
    "cadence_raw",
    "altitude_m",
    "lat_deg",
    "lon_deg",
    "stance_time_ms",
    "vertical_oscillation_mm",
    "vertical_ratio_pct",
    "step_length_mm",
    "power_w",
)

#: Sport names as files write them -> upright's sport name. Numbers are Strava's GPX
#: ``<type>`` codes (1 Ride, 4 Hike, 9 Run, 10 Walk).
_SPORTS: dict[str, str] = {
    **dict.fromkeys(
        ("running", "run", "9", "trail_running", "trail run", "treadmill", "jogging"),
        "running",
    ),
    **dict.fromkeys(("walking", "walk", "10"), "walking"),
    **dict.fromkeys(("hiking", "hike", "4"), "hiking"),
    **dict.fromkeys(
        ("cycling", "biking", "bike", "ride", "1", "road_biking", "mountain_biking"), "cycling"
    ),
    **dict.fromkeys(("swimming", "swim", "open_water", "lap_swimming"), "swimming"),
    "transition": "transition",
    **dict.fromkeys(("", "generic", "all", "other"), "not stated"),
}

_UNIT_SUFFIXES: dict[str, str] = {
    "watts": "w",
    "watt": "w",
    "w": "w",
    "meters": "m",
    "metres": "m",
    "m": "m",
    "m/s": "m_s",
    "kn/m": "kn_m",
    "milliseconds": "ms",
    "ms": "ms",
    "centimeters": "cm",
    "centimetres": "cm",
    "cm": "cm",
    "millimeters": "mm",
    "millimetres": "mm",
    "mm": "mm",
    "seconds": "s",
    "s": "s",
    "bpm": "bpm",
    "rpm": "rpm",
    "spm": "spm",
    "percent": "pct",
    "%": "pct",
}


@dataclass(frozen=True)
class DeveloperField:
    """A field a watch app added to the file (FIT developer data, e.g. Stryd's)."""

    column: str
    name: str
    units: str


@dataclass(frozen=True)
class RawLeg:
    """One sport session as the file states it (``sport`` is the file's own word)."""

    sport: str | None
    sub_sport: str | None = None
    start_s: float | None = None


@dataclass
class RawActivity:
    """Samples and sessions of one file, before the shared clean-up."""

    rows: pd.DataFrame
    legs: list[RawLeg]
    absolute_time: bool = True
    device: str | None = None
    developer_fields: list[DeveloperField] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def normalise_sport(raw: object) -> str:
    """upright's name for a sport as a file writes it; unknown names are kept, lower case."""
    if raw is None:
        return "not stated"
    text = str(raw).strip().lower()
    return _SPORTS.get(text, text)


def snake_case(text: str) -> str:
    """``'Leg Spring Stiffness'`` -> ``'leg_spring_stiffness'``."""
    return re.sub(r"[^0-9a-z]+", "_", text.strip().lower()).strip("_") or "field"


def unit_suffix(units: str | None) -> str:
    """Column-name suffix for a unit (``'Watts'`` -> ``'w'``); '' when there is none."""
    if not units:
        return ""
    key = units.strip().lower()
    return _UNIT_SUFFIXES.get(key, snake_case(key))
