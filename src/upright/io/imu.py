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
"""

from __future__ import annotations

import gzip
import io
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
_FIX_FORMAT = (
    "Export a CSV with a time column and three acceleration columns (x, y, z), "
    "for example unix_time_s,x_g,y_g,z_g"
)

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


# ------------------------------------------------------------------ raw text


def _read_bytes(path: Path) -> bytes:
    if not path.exists():
        raise InputError("file not found", path=path, fix="Check the path and the file name")
    if path.is_dir():
        raise UnsupportedFormatError(
            "this folder is not a Sensor Logger export (no Accelerometer.csv in it)",
            path=path,
            fix="Give the folder Sensor Logger exported, or one CSV file",
        )
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as err:
            raise CorruptFileError(
                f"the gzip file is damaged ({err})", path=path, fix="Export the file again"
            ) from err
    if not data.strip():
        raise CorruptFileError("the file is empty", path=path, fix="Export the recording again")
    return data


def _text(data: bytes, path: Path) -> str:
    head = data[:4096]
    # A few NUL bytes pad some device headers (GENEActiv); a binary file is full of
    # control bytes.
    control = sum(head.count(bytes([c])) for c in (*range(1, 9), *range(14, 32)))
    if control > len(head) // 20:
        raise UnsupportedFormatError(
            "this is a binary file, not a CSV export", path=path, fix=_FIX_FORMAT
        )
    return data.replace(b"\x00", b"").decode("utf-8-sig", errors="replace")


def _delimiter(header: str) -> str:
    counts = {d: header.count(d) for d in (",", ";", "\t")}
    return max(counts, key=lambda d: counts[d])


def _table(
    text: str, path: Path, skip_rows: int = 0, names: list[str] | None = None
) -> pd.DataFrame:
    lines = text.splitlines()
    first = lines[skip_rows] if len(lines) > skip_rows else ""
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=_delimiter(first),
            skiprows=skip_rows,
            header=None if names else 0,
            names=names,
            skipinitialspace=True,
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as err:
        raise CorruptFileError(
            f"the CSV cannot be parsed ({err})".replace("\n", " "), path=path, fix=_FIX_FORMAT
        ) from err
    frame.columns = [str(c).strip().strip('"') for c in frame.columns]
    if frame.empty:
        raise CorruptFileError(
            "the file has a header but no samples", path=path, fix="Export the recording again"
        )
    return frame


def _numeric(frame: pd.DataFrame, columns: list[str], path: Path) -> FloatArray:
    out = np.empty((len(frame), len(columns)), dtype=np.float64)
    for j, col in enumerate(columns):
        values = pd.to_numeric(frame[col], errors="coerce")
        bad = values.isna().to_numpy()
        if bad.any():
            row = int(np.argmax(bad))
            raise CorruptFileError(
                f"column '{col}' has a value that is not a number in data row {row + 1} "
                f"({frame[col].iloc[row]!r})",
                path=path,
                fix="Remove or repair that row",
            )
        out[:, j] = values.to_numpy(dtype=np.float64)
    return out


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


def _check_time(t: FloatArray, path: Path) -> None:
    steps = np.diff(t)
    bad = np.flatnonzero(~(steps > 0))
    if bad.size:
        i = int(bad[0])
        raise CorruptFileError(
            f"time does not increase at data row {i + 2} ({t[i + 1]!r} after {t[i]!r})",
            path=path,
            fix="Sort the rows by time and remove repeated samples",
        )


def _units_from_magnitude(acc: FloatArray, path: Path) -> Units:
    magnitude = float(np.median(np.linalg.norm(acc, axis=1)))
    if 0.5 <= magnitude <= 2.0:
        return "g"
    if 5.0 <= magnitude <= 15.0:
        return "m/s^2"
    raise UnsupportedFormatError(
        f"the units of the acceleration are not stated and its typical size "
        f"({magnitude:.2f}) is neither about 1 (g) nor about 9.8 (m/s^2); an export "
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
    start_unix_s: float | None = None,
    epoch_scale: float | None = None,
    has_gravity: bool = True,
    extra: dict[str, FloatArray] | None = None,
    notes: tuple[str, ...] = (),
) -> ImuRecording:
    if len(t_raw) < 2:
        raise CorruptFileError(
            "the file holds fewer than two samples", path=path, fix="Export the whole recording"
        )
    if not np.isfinite(acc).all() or not np.isfinite(t_raw).all():
        raise CorruptFileError(
            "the file holds infinite values", path=path, fix="Remove or repair those rows"
        )
    _check_time(t_raw, path)
    if epoch_scale is not None:
        start_unix_s = float(t_raw[0]) * epoch_scale
        t = (t_raw - t_raw[0]) * epoch_scale
    else:
        t = t_raw - t_raw[0]
    factor = STANDARD_GRAVITY_M_S2 if units == "g" else 1.0
    columns: dict[str, FloatArray] = {"time_s": t}
    for j, name in enumerate(_ACCEL):
        columns[name] = acc[:, j] * factor
    for name, values in (extra or {}).items():
        columns[name] = values
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
            fix=_FIX_FORMAT,
        )
    values = _numeric(frame, [time_col, *axes], path)
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
    units = _units_from_name(axes[0]) or ("m/s^2" if linear else _units_from_magnitude(acc, path))
    notes: tuple[str, ...] = ()
    if linear:
        notes = (
            "the file holds linear acceleration (gravity removed): posture cannot be measured",
        )
    scale = _epoch_scale(float(t_raw[0]))
    if scale is None and "ms" in _tokens(time_col):
        t_raw = t_raw / 1000.0
    return _recording(
        path, fmt, t_raw, acc, units, epoch_scale=scale, has_gravity=not linear, notes=notes
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
    frame = _table(text, path, skip_rows=start, names=["time", "x", "y", "z", "lux", "button", "t"])
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
    acc = _numeric(frame, ["x", "y", "z"], path)
    note = f"times are local (UTC{first.strftime('%z')}) as the device header states"
    return _recording(
        path,
        "geneactiv_csv",
        t,
        acc,
        "g",
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
    frame = _table(_text(data, path / name), path / name)
    missing = [c for c in ["time", *cols] if c not in frame.columns]
    if missing:
        raise UnsupportedFormatError(
            f"{name} lacks the columns {missing} (found {list(frame.columns)[:8]})",
            path=path,
            fix="Export the recording again from Sensor Logger as CSV",
        )
    values = _numeric(frame, ["time", *cols], path / name)
    _check_time(values[:, 0], path / name)
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
    # Gravity has a steady mean; acceleration without it averages to about zero.
    mean_norm = float(np.linalg.norm(acc.mean(axis=0)))
    has_gravity = True
    if gravity is not None:
        g_norm = float(np.linalg.norm(gravity.mean(axis=0)))
        g_units: Units = "g" if g_norm < 2.0 else "m/s^2"
        g_scale = STANDARD_GRAVITY_M_S2 if g_units == "g" else 1.0
        for j, name in enumerate(("gx", "gy", "gz")):
            extra[name] = gravity[:, j] * g_scale
        if mean_norm < 0.3 * g_norm:
            acc = acc + gravity
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
        Not a CSV export upright reads (the columns found are named).
    CorruptFileError
        Empty, damaged, a value that is not a number, or time that does not increase
        (the row is named).
    """
    p = Path(path)
    if p.is_dir() or p.suffix.lower() == ".zip":
        if not p.exists():
            raise InputError("file not found", path=p, fix="Check the path and the file name")
        return _read_sensor_logger(p)
    text = _text(_read_bytes(p), p)
    if text.lstrip().startswith("Device Type") and "GENEActiv" in text[:200]:
        return _read_geneactiv(text, p)
    return _read_csv_table(_table(text, p), p)


def start_datetime(recording: ImuRecording) -> datetime | None:
    """The UTC date and time of the first sample, when the file gives one."""
    if recording.start_unix_s is None:
        return None
    return datetime.fromtimestamp(recording.start_unix_s, tz=UTC)
