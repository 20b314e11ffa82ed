"""Worn accelerometers: CSV exports read into one table of samples.

:func:`read_imu` reads, by content (not by name):

=====================  ========================================================================
format                 what it looks like
=====================  ========================================================================
``actigraph_csv``      ``unix_time_s,x_g,y_g,z_g`` (gzip allowed), in g
``geneactiv_csv``      GENEActiv export: a device header (``Device Type,GENEActiv``), then
                       ``YYYY-MM-DD hh:mm:ss:mmm,x,y,z,lux,button,temp`` in g, local time
                       with the header's ``Time Zone,GMT -04``
``phyphox_csv``        ``"Time (s)","Acceleration x (m/s^2)",...``; ``Linear Acceleration``
                       exports hold no gravity (posture cannot be measured from them)
``sensor_logger``      Sensor Logger folder or zip: ``Accelerometer.csv`` (+ ``Gravity.csv``,
                       ``Orientation.csv``, ``TotalAcceleration.csv``), columns ``time``
                       (ns since 1970), ``seconds_elapsed``, ``x``, ``y``, ``z``
``generic_csv``        a time column and three axis columns; units from the names (``_g``,
                       ``m/s^2``, ``ms2``) or else from the magnitude at rest (about 1 g)
=====================  ========================================================================

The samples table has ``time_s`` (seconds from the first sample) and ``ax, ay, az`` in
m/s^2 in the sensor's own axes, including gravity; ``gx, gy, gz`` (m/s^2) where the
file has a gravity stream, and ``qw, qx, qy, qz`` where it has an orientation stream.
A time column holding an epoch (seconds, ms, us or ns since 1970) gives ``start_unix_s``.

Impossible data is refused or dropped with a count (:mod:`upright.io._imu_clean`, limits
in :mod:`upright.limits`): units the names state that gravity's size contradicts, a
start before 1990 or in the future, samples beyond a body-worn sensor's range, and gaps
longer than a few seconds (only the longest part without one is kept, never bridged).
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Final, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from upright.errors import CorruptFileError, InputError, UnsupportedFormatError
from upright.io._imu_clean import check_start, check_units, clean_trace, magnitude
from upright.io._imu_csv import FIX_FORMAT, check_time, decode_text, numeric, read_bytes, table

__all__ = [
    "STANDARD_GRAVITY_M_S2",
    "ImuFormat",
    "ImuRecording",
    "read_imu",
    "start_datetime",
]

ImuFormat = Literal["actigraph_csv", "geneactiv_csv", "phyphox_csv", "sensor_logger", "generic_csv"]
Units = Literal["g", "m/s^2"]

#: Standard gravity (CGPM 1901), m/s^2.
STANDARD_GRAVITY_M_S2: Final = 9.80665

#: Time values above this are an epoch, not seconds from the start (1973 in seconds).
_EPOCH_MIN: Final = 1e8
_ACCEL = ("ax", "ay", "az")

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class ImuRecording:
    """The samples of an accelerometer file and what the file says about them."""

    path: Path
    file_format: ImuFormat
    samples: pd.DataFrame
    start_unix_s: float | None
    sampling_rate_hz: float
    units_in_file: Units
    has_gravity: bool
    notes: tuple[str, ...]

    @property
    def duration_s(self) -> float:
        return float(self.samples["time_s"].iloc[-1])


# ------------------------------------------------------------------ columns


def _tokens(name: str) -> list[str]:
    return [t for t in re.split(r"[^a-z0-9]+", name.lower()) if t]


def _units_from_name(name: str) -> Units | None:
    low = name.lower().replace(" ", "")
    if any(u in low for u in ("m/s^2", "m/s2", "m/s²", "ms^-2", "ms-2", "_ms2", "m_s2")):
        return "m/s^2"
    tokens = _tokens(name)
    if "g" in tokens[1:] or low.endswith("(g)"):
        return "g"
    return None


def _time_column(columns: list[str]) -> str | None:
    for col in columns:
        tokens = _tokens(col)
        if tokens and tokens[0] in ("time", "t", "timestamp", "unix", "seconds", "epoch"):
            return col
        if "time" in tokens or "timestamp" in tokens:
            return col
    return None


def _axis_columns(columns: list[str]) -> list[str] | None:
    found: list[str] = []
    for axis in ("x", "y", "z"):
        match = [
            c
            for c in columns
            if axis in _tokens(c) or any(t in (f"a{axis}", f"acc{axis}") for t in _tokens(c))
        ]
        if not match:
            return None
        found.append(match[0])
    return found


def _epoch_scale(first: float) -> float | None:
    """Seconds per unit of an epoch time column; None for seconds from the start."""
    if first < _EPOCH_MIN:
        return None
    for limit, scale in ((1e17, 1e-9), (1e14, 1e-6), (1e11, 1e-3)):
        if first > limit:
            return scale
    return 1.0


def _units_from_magnitude(acc: FloatArray, path: Path) -> Units:
    typical = float(np.median(magnitude(acc)))
    if 0.5 <= typical <= 2.0:
        return "g"
    if 5.0 <= typical <= 15.0:
        return "m/s^2"
    raise UnsupportedFormatError(
        f"the units of the acceleration are not stated and its typical size "
        f"({typical:.2f}) is neither about 1 (g) nor about 9.8 (m/s^2); an export "
        "without gravity (linear acceleration) cannot show posture",
        path=path,
        fix="Name the columns with their units (x_g or x_m_s2) and export the acceleration "
        "including gravity",
    )


# ------------------------------------------------------------------ formats


def _recording(
    path: Path,
    fmt: ImuFormat,
    t_raw: FloatArray,
    acc: FloatArray,
    units: Units,
    *,
    units_stated_by: str | None = None,
    start_unix_s: float | None = None,
    epoch_scale: float | None = None,
    has_gravity: bool = True,
    extra: dict[str, FloatArray] | None = None,
    notes: tuple[str, ...] = (),
) -> ImuRecording:
    """The recording from the file's numbers; ``units_stated_by`` names what stated the
    units (checked against the size of gravity), None when they were inferred."""
    if len(t_raw) < 2:
        raise CorruptFileError(
            "the file holds fewer than two samples", path=path, fix="Export the whole recording"
        )
    streams = [acc, t_raw, *(extra or {}).values()]
    if not all(np.isfinite(x).all() for x in streams):
        raise CorruptFileError(
            "the file holds infinite values", path=path, fix="Remove or repair those rows"
        )
    check_time(t_raw, path)
    if units_stated_by is not None and has_gravity:
        check_units(acc, units, units_stated_by, path)
    if epoch_scale is not None:
        start_unix_s = float(t_raw[0]) * epoch_scale
        t = (t_raw - t_raw[0]) * epoch_scale
    else:
        t = t_raw - t_raw[0]
    check_start(start_unix_s, path)
    factor = STANDARD_GRAVITY_M_S2 if units == "g" else 1.0
    cleaned = clean_trace(t, acc, units, path)
    keep = cleaned.keep
    if keep.sum() < 2:
        raise CorruptFileError(
            "fewer than two samples are left once impossible ones are dropped",
            path=path,
            fix="Export the whole recording again",
        )
    offset_s = float(t[keep][0])
    if start_unix_s is not None:
        start_unix_s += offset_s
    t = t[keep] - offset_s
    columns: dict[str, FloatArray] = {"time_s": t}
    for j, name in enumerate(_ACCEL):
        columns[name] = acc[keep, j] * factor
    for name, values in (extra or {}).items():
        columns[name] = values[keep]
    notes = (*notes, *cleaned.notes)
    rate = 1.0 / float(np.median(np.diff(t)))
    return ImuRecording(
        path=path,
        file_format=fmt,
        samples=pd.DataFrame(columns),
        start_unix_s=start_unix_s,
        sampling_rate_hz=rate,
        units_in_file=units,
        has_gravity=has_gravity,
        notes=notes,
    )


def _read_csv_table(frame: pd.DataFrame, path: Path) -> ImuRecording:
    columns = list(frame.columns)
    time_col = _time_column(columns)
    axes = _axis_columns([c for c in columns if c != time_col])
    if time_col is None or axes is None:
        raise UnsupportedFormatError(
            f"no time column and x, y, z acceleration columns among {columns[:8]}",
            path=path,
            fix=FIX_FORMAT,
        )
    values = numeric(frame, [time_col, *axes], path)
    t_raw, acc = values[:, 0], values[:, 1:]
    names = " ".join(axes).lower()
    linear = "linear" in names
    fmt: ImuFormat
    if time_col == "Time (s)" and "acceleration" in names:
        fmt = "phyphox_csv"
    elif time_col == "unix_time_s" and axes == ["x_g", "y_g", "z_g"]:
        fmt = "actigraph_csv"
    else:
        fmt = "generic_csv"
    named = _units_from_name(axes[0])
    units = named or ("m/s^2" if linear else _units_from_magnitude(acc, path))
    stated_by = None if named is None else f"the column names ({', '.join(axes)})"
    notes: tuple[str, ...] = ()
    if linear:
        notes = (
            "the file holds linear acceleration (gravity removed): posture cannot be measured",
        )
    scale = _epoch_scale(float(t_raw[0]))
    if scale is None and "ms" in _tokens(time_col):
        t_raw = t_raw / 1000.0
    return _recording(
        path,
        fmt,
        t_raw,
        acc,
        units,
        units_stated_by=stated_by,
        epoch_scale=scale,
        has_gravity=not linear,
        notes=notes,
    )


_GENEACTIV_TIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}:\d{3},")


def _geneactiv_zone(header: list[str]) -> timezone:
    for line in header:
        if line.startswith("Time Zone"):
            m = re.search(r"GMT\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?", line)
            if m:
                sign = -1 if m.group(1) == "-" else 1
                minutes = int(m.group(2)) * 60 + int(m.group(3) or 0)
                return timezone(sign * timedelta(minutes=minutes))
    return UTC


def _read_geneactiv(text: str, path: Path) -> ImuRecording:
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if _GENEACTIV_TIME.match(line)), None)
    if start is None:
        raise CorruptFileError(
            "a GENEActiv header but no data rows (expected 'YYYY-MM-DD hh:mm:ss:mmm,x,y,z,...')",
            path=path,
            fix="Export the recording again with the GENEActiv software (CSV, raw data)",
        )
    frame = table(text, path, skip_rows=start, names=["time", "x", "y", "z", "lux", "button", "t"])
    times = pd.to_datetime(frame["time"], format="%Y-%m-%d %H:%M:%S:%f", errors="coerce")
    bad = times.isna().to_numpy()
    if bad.any():
        row = int(np.argmax(bad))
        raise CorruptFileError(
            f"the time in data row {row + 1} is not a date ({frame['time'].iloc[row]!r})",
            path=path,
            fix="Remove or repair that row",
        )
    zone = _geneactiv_zone(lines[:start])
    first = times.iloc[0].to_pydatetime().replace(tzinfo=zone)
    t = (times - times.iloc[0]).dt.total_seconds().to_numpy(dtype=np.float64)
    acc = numeric(frame, ["x", "y", "z"], path)
    note = f"times are local (UTC{first.strftime('%z')}) as the device header states"
    return _recording(
        path,
        "geneactiv_csv",
        t,
        acc,
        "g",
        units_stated_by="the GENEActiv format (always g)",
        start_unix_s=first.timestamp(),
        notes=(note,),
    )


# ------------------------------------------------------------------ Sensor Logger

_SL_STREAMS = ("Accelerometer.csv", "TotalAcceleration.csv", "Gravity.csv", "Orientation.csv")


def _sensor_logger_files(path: Path) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    if path.is_dir():
        for name in _SL_STREAMS:
            if (path / name).is_file():
                out[name] = (path / name).read_bytes()
        return out
    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                base = Path(info.filename).name
                if base in _SL_STREAMS:
                    out[base] = archive.read(info)
    except (zipfile.BadZipFile, OSError) as err:
        raise CorruptFileError(
            f"the zip file is damaged ({err})", path=path, fix="Export the recording again"
        ) from err
    return out


def _sl_stream(
    data: bytes, name: str, path: Path, cols: list[str]
) -> tuple[FloatArray, FloatArray]:
    frame = table(decode_text(data, path / name), path / name)
    missing = [c for c in ["time", *cols] if c not in frame.columns]
    if missing:
        raise UnsupportedFormatError(
            f"{name} lacks the columns {missing} (found {list(frame.columns)[:8]})",
            path=path,
            fix="Export the recording again from Sensor Logger as CSV",
        )
    values = numeric(frame, ["time", *cols], path / name)
    check_time(values[:, 0], path / name)
    return values[:, 0], values[:, 1:]


def _read_sensor_logger(path: Path) -> ImuRecording:
    files = _sensor_logger_files(path)
    acc_name = "TotalAcceleration.csv" if "TotalAcceleration.csv" in files else "Accelerometer.csv"
    if acc_name not in files:
        raise UnsupportedFormatError(
            "no Accelerometer.csv in this Sensor Logger export",
            path=path,
            fix="Record with the accelerometer switched on in Sensor Logger",
        )
    t_ns, acc = _sl_stream(files[acc_name], acc_name, path, ["x", "y", "z"])
    extra: dict[str, FloatArray] = {}
    notes: list[str] = []
    gravity = None
    if "Gravity.csv" in files:
        tg, g = _sl_stream(files["Gravity.csv"], "Gravity.csv", path, ["x", "y", "z"])
        gravity = np.column_stack([np.interp(t_ns, tg, g[:, j]) for j in range(3)])
    if "Orientation.csv" in files:
        to, q = _sl_stream(
            files["Orientation.csv"], "Orientation.csv", path, ["qw", "qx", "qy", "qz"]
        )
        for j, name in enumerate(("qw", "qx", "qy", "qz")):
            extra[name] = np.interp(t_ns, to, q[:, j])
    # Gravity has a steady mean; acceleration without it averages to about zero. Numbers
    # too large to add up become infinite here, and _recording refuses them.
    with np.errstate(over="ignore", invalid="ignore"):
        mean_norm = float(np.linalg.norm(acc.mean(axis=0)))
    has_gravity = True
    if gravity is not None:
        with np.errstate(over="ignore", invalid="ignore"):
            g_norm = float(np.linalg.norm(gravity.mean(axis=0)))
        g_units: Units = "g" if g_norm < 2.0 else "m/s^2"
        g_scale = STANDARD_GRAVITY_M_S2 if g_units == "g" else 1.0
        with np.errstate(over="ignore", invalid="ignore"):
            for j, name in enumerate(("gx", "gy", "gz")):
                extra[name] = gravity[:, j] * g_scale
            added = mean_norm < 0.3 * g_norm
            if added:
                acc = acc + gravity
        if added:
            notes.append("Accelerometer.csv holds acceleration without gravity: Gravity.csv added")
        units: Units = g_units
    elif mean_norm < 0.3:
        has_gravity = False
        units = "m/s^2"
        notes.append("acceleration without gravity and no Gravity.csv: posture cannot be measured")
    else:
        units = "g" if mean_norm < 2.0 else "m/s^2"
    return _recording(
        path,
        "sensor_logger",
        t_ns,
        acc,
        units,
        epoch_scale=1e-9,
        has_gravity=has_gravity,
        extra=extra,
        notes=tuple(notes),
    )


# ------------------------------------------------------------------ entry point


def read_imu(path: str | Path) -> ImuRecording:
    """Read an accelerometer recording (format found from the content).

    Raises
    ------
    InputError
        The file is missing.
    UnsupportedFormatError
        Not a CSV export upright reads (the columns found are named), or units stated
        by the column names that gravity's size contradicts.
    CorruptFileError
        Empty, damaged, a value that is not a number, time that does not increase (the
        row is named), a start date before 1990 or in the future, or most samples
        beyond a body-worn sensor's range.
    """
    p = Path(path)
    if p.is_dir() or p.suffix.lower() == ".zip":
        if not p.exists():
            raise InputError("file not found", path=p, fix="Check the path and the file name")
        return _read_sensor_logger(p)
    text = decode_text(read_bytes(p), p)
    if text.lstrip().startswith("Device Type") and "GENEActiv" in text[:200]:
        return _read_geneactiv(text, p)
    return _read_csv_table(table(text, p), p)


def start_datetime(recording: ImuRecording) -> datetime | None:
    """The UTC date and time of the first sample, when the file gives one."""
    if recording.start_unix_s is None:
        return None
    return datetime.fromtimestamp(recording.start_unix_s, tz=UTC)
