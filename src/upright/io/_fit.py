"""FIT activity files (Garmin, Coros, Suunto, Stryd ...), read with fitdecode (private).

fitdecode is imported inside :func:`read_fit_raw` so that ``upright --help`` stays fast.
Chained FIT files (a multisport file written as several FIT files back to back) are
read whole; every ``session`` message is one leg, and a record belongs to the last
session that started at or before it. CRC errors and malformed data are refused
(:class:`~upright.errors.CorruptFileError`), never read around.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from upright.errors import CorruptFileError, UnsupportedFormatError
from upright.io._activity_raw import (
    RAW_COLUMNS,
    DeveloperField,
    RawActivity,
    RawLeg,
    snake_case,
    unit_suffix,
)

__all__ = ["read_fit_raw"]

#: Degrees per FIT semicircle (2^31 semicircles = 180 deg).
_DEG_PER_SEMICIRCLE = 180.0 / 2**31

#: FIT record field -> upright column, for fields copied without conversion. Where an
#: ``enhanced_`` field and its plain one both exist, the enhanced one wins.
_FIELDS: dict[str, str] = {
    "distance": "distance_m",
    "speed": "speed_m_s",
    "enhanced_speed": "speed_m_s",
    "altitude": "altitude_m",
    "enhanced_altitude": "altitude_m",
    "heart_rate": "heart_rate_bpm",
    "stance_time": "stance_time_ms",
    "vertical_oscillation": "vertical_oscillation_mm",
    "vertical_ratio": "vertical_ratio_pct",
    "step_length": "step_length_mm",
    "power": "power_w",
}

#: fitdecode's frame type of a data message (``fitdecode.FIT_FRAME_DATA``).
_FIT_FRAME_DATA = 4

_FIX = "Copy the activity from the watch (or export it from its app) again"


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _seconds(value: object) -> float | None:
    """FIT date_time as seconds: POSIX for real dates, device seconds for relative ones."""
    if isinstance(value, datetime):
        return value.timestamp()
    return _number(value)


def _check_signature(path: Path, head: bytes) -> None:
    if len(head) < 12 or head[8:12] != b".FIT":
        raise UnsupportedFormatError(
            "not a FIT file (its header lacks the '.FIT' signature)",
            path=path,
            fix="Pass the activity's .fit file as the watch wrote it, or a .gpx or .tcx export",
        )


def _frames(path: Path) -> Iterator[Any]:
    """fitdecode's frames; its errors (and the low-level ones it lets through on
    malformed bytes) become a CorruptFileError naming the byte offset."""
    import fitdecode

    try:
        with fitdecode.FitReader(
            str(path),
            check_crc=fitdecode.CrcCheck.RAISE,
            error_handling=fitdecode.ErrorHandling.RAISE,
        ) as reader:
            yield from reader
    except fitdecode.FitEOFError as err:
        raise CorruptFileError(
            f"the FIT data ends in the middle of a message ({err}): the file was cut short",
            path=path,
            fix=_FIX,
        ) from err
    except fitdecode.FitCRCError as err:
        raise CorruptFileError(
            f"a FIT checksum does not match ({err}): the file is damaged", path=path, fix=_FIX
        ) from err
    except fitdecode.FitHeaderError as err:
        raise CorruptFileError(f"a FIT header is damaged ({err})", path=path, fix=_FIX) from err
    except (fitdecode.FitError, struct.error, ValueError, UnicodeDecodeError, IndexError) as err:
        raise CorruptFileError(
            f"the FIT data cannot be decoded ({type(err).__name__}: {err})", path=path, fix=_FIX
        ) from err


class _Collector:
    """Gathers records, sessions and file facts while the frames stream past."""

    def __init__(self) -> None:
        self.rows: list[dict[str, float]] = []
        self.sessions: list[RawLeg] = []
        self.sports: list[RawLeg] = []
        self.device: str | None = None
        self.dev_fields: dict[str, DeveloperField] = {}
        self.relative_time = False

    def add(self, frame: Any) -> None:
        name = frame.name
        if name == "record":
            self._record(frame)
        elif name == "session":
            self.sessions.append(
                RawLeg(
                    sport=_text(frame, "sport"),
                    sub_sport=_text(frame, "sub_sport"),
                    start_s=_seconds(_value(frame, "start_time")),
                )
            )
        elif name == "sport":
            self.sports.append(
                RawLeg(sport=_text(frame, "sport"), sub_sport=_text(frame, "sub_sport"))
            )
        elif name == "file_id" and self.device is None:
            maker = _text(frame, "manufacturer")
            product = _text(frame, "garmin_product") or _text(frame, "product")
            words = [w for w in (maker, product) if w]
            self.device = " ".join(words) or None

    def _record(self, frame: Any) -> None:
        row: dict[str, float] = {}
        plain: dict[str, float] = {}
        for fd in frame.fields:
            number = _number(fd.value)
            if fd.name == "timestamp":
                t = _seconds(fd.value)
                if t is not None:
                    row["t_abs_s"] = t
                    self.relative_time |= not isinstance(fd.value, datetime)
            elif number is None:
                continue
            elif getattr(fd.field_def, "is_dev", False):
                self._developer(fd.name, fd.units, number, row)
            else:
                plain[fd.name] = number
        if "t_abs_s" not in row:
            return
        for fit_name, column in _FIELDS.items():
            if fit_name in plain and (column not in row or fit_name.startswith("enhanced_")):
                row[column] = plain[fit_name]
        if "cadence" in plain:
            row["cadence_raw"] = plain["cadence"] + plain.get("fractional_cadence", 0.0)
        if "position_lat" in plain and "position_long" in plain:
            row["lat_deg"] = plain["position_lat"] * _DEG_PER_SEMICIRCLE
            row["lon_deg"] = plain["position_long"] * _DEG_PER_SEMICIRCLE
        self.rows.append(row)

    def _developer(self, name: str, units: str | None, value: float, row: dict[str, float]) -> None:
        suffix = unit_suffix(units)
        column = "dev_" + snake_case(name) + (f"_{suffix}" if suffix else "")
        self.dev_fields.setdefault(column, DeveloperField(column, name, units or ""))
        row[column] = value


def _value(frame: Any, name: str) -> object:
    value: object = frame.get_value(name, fallback=None)
    return value


def _text(frame: Any, name: str) -> str | None:
    value = _value(frame, name)
    return None if value is None else str(value)


def _assign_legs(rows: pd.DataFrame, sessions: list[RawLeg]) -> pd.Series:
    """Index of the last session started at or before each record (the first session for
    records before any start)."""
    starts = np.array([s.start_s if s.start_s is not None else np.nan for s in sessions])
    if np.isnan(starts).any():
        return pd.Series(0, index=rows.index)
    idx = np.searchsorted(starts, rows["t_abs_s"].to_numpy(), side="right") - 1
    return pd.Series(np.clip(idx, 0, len(sessions) - 1), index=rows.index)


def read_fit_raw(path: Path) -> RawActivity:
    """Records, sessions and developer fields of a FIT file."""
    with path.open("rb") as fh:
        _check_signature(path, fh.read(14))
    collector = _Collector()
    for frame in _frames(path):
        if frame.frame_type == _FIT_FRAME_DATA:
            collector.add(frame)
    rows = pd.DataFrame(collector.rows, columns=[*RAW_COLUMNS, *collector.dev_fields])
    sessions = sorted(
        collector.sessions, key=lambda s: s.start_s if s.start_s is not None else -np.inf
    )
    legs = sessions or collector.sports[:1] or [RawLeg(sport=None)]
    rows["leg"] = _assign_legs(rows, legs) if len(legs) > 1 else 0
    notes = []
    if collector.relative_time:
        notes.append(
            "the file's times are seconds since the watch was switched on, not dates; "
            "the start date is unknown"
        )
    return RawActivity(
        rows=rows,
        legs=legs,
        absolute_time=not collector.relative_time,
        device=collector.device,
        developer_fields=list(collector.dev_fields.values()),
        notes=notes,
    )
