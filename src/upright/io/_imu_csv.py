"""Bytes to a numeric table for the accelerometer readers (private).

Decompression, the text check (a binary file is refused), the delimiter, the CSV table,
its numbers (a cell that is not one is named by row and column), and time that must
increase.
"""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from upright.errors import CorruptFileError, InputError, UnsupportedFormatError

__all__ = ["FIX_FORMAT", "check_time", "decode_text", "delimiter", "numeric", "read_bytes", "table"]

FloatArray = npt.NDArray[np.float64]

FIX_FORMAT = (
    "Export a CSV with a time column and three acceleration columns (x, y, z), "
    "for example unix_time_s,x_g,y_g,z_g"
)


def read_bytes(path: Path) -> bytes:
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


def decode_text(data: bytes, path: Path) -> str:
    head = data[:4096]
    # A few NUL bytes pad some device headers (GENEActiv); a binary file is full of
    # control bytes.
    control = sum(head.count(bytes([c])) for c in (*range(1, 9), *range(14, 32)))
    if control > len(head) // 20:
        raise UnsupportedFormatError(
            "this is a binary file, not a CSV export", path=path, fix=FIX_FORMAT
        )
    return data.replace(b"\x00", b"").decode("utf-8-sig", errors="replace")


def delimiter(header: str) -> str:
    counts = {d: header.count(d) for d in (",", ";", "\t")}
    return max(counts, key=lambda d: counts[d])


def table(
    text: str, path: Path, skip_rows: int = 0, names: list[str] | None = None
) -> pd.DataFrame:
    lines = text.splitlines()
    first = lines[skip_rows] if len(lines) > skip_rows else ""
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=delimiter(first),
            skiprows=skip_rows,
            header=None if names else 0,
            names=names,
            skipinitialspace=True,
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as err:
        raise CorruptFileError(
            f"the CSV cannot be parsed ({err})".replace("\n", " "), path=path, fix=FIX_FORMAT
        ) from err
    frame.columns = [str(c).strip().strip('"') for c in frame.columns]
    if frame.empty:
        raise CorruptFileError(
            "the file has a header but no samples", path=path, fix="Export the recording again"
        )
    return frame


def numeric(frame: pd.DataFrame, columns: list[str], path: Path) -> FloatArray:
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


def check_time(t: FloatArray, path: Path) -> None:
    steps = np.diff(t)
    bad = np.flatnonzero(~(steps > 0))
    if bad.size:
        i = int(bad[0])
        raise CorruptFileError(
            f"time does not increase at data row {i + 2} ({t[i + 1]!r} after {t[i]!r})",
            path=path,
            fix="Sort the rows by time and remove repeated samples",
        )
