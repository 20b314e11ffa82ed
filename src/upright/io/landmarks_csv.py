"""MediaPipe Pose landmarks in a CSV table, one row per frame.

The layout is the one exercise-correction tools write when they save BlazePose output for
training: for each landmark ``<name>_x``, ``<name>_y`` (normalised image coordinates,
0..1, y down), ``<name>_z`` and ``<name>_v`` (visibility), plus any other columns (a
``label`` column, for example), which are returned as they are.

Normalised coordinates do not say how large the frame was, and x and y are normalised by
different lengths (width and height). The caller states the frame size; when it is a
guess, angles measured from the keypoints carry the error of that guess (a stretch of one
axis), and the Dataset says so in ``attrs["image_size_assumed"]``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from upright.errors import CorruptFileError, InputError, InsufficientDataError
from upright.io._kp_common import DEFAULT_FPS, _check_positive
from upright.skeleton import KEYPOINTS, add_processing_step, make_pose_dataset

__all__ = ["MEDIAPIPE_TO_KEYPOINT", "LandmarkTable", "read_landmarks_csv"]

#: MediaPipe Pose landmark names -> upright keypoints (others are not used).
MEDIAPIPE_TO_KEYPOINT: dict[str, str] = {
    "nose": "nose",
    "left_eye": "left_eye",
    "right_eye": "right_eye",
    "left_ear": "left_ear",
    "right_ear": "right_ear",
    **{
        f"{side}_{part}": f"{side}_{part}"
        for side in ("left", "right")
        for part in ("shoulder", "elbow", "wrist", "hip", "knee", "ankle", "heel")
    },
    "left_foot_index": "left_toe",
    "right_foot_index": "right_toe",
}

#: Landmarks a table must hold for the body line (shoulders, hips, ankles).
_REQUIRED = tuple(f"{s}_{p}" for p in ("shoulder", "hip", "ankle") for s in ("left", "right"))


@dataclass(frozen=True)
class LandmarkTable:
    """The landmarks as a pose Dataset (pixels, y up) and the table's other columns."""

    ds: xr.Dataset
    extra: pd.DataFrame


def _read_table(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise InputError("no such file", path=path, fix="Check the path of the landmark CSV")
    try:
        table = pd.read_csv(path)
    except (pd.errors.ParserError, UnicodeDecodeError) as err:
        raise CorruptFileError(
            f"is not a readable CSV table ({err})", path=path, fix="Export the landmarks again"
        ) from err
    except pd.errors.EmptyDataError as err:
        raise InsufficientDataError(
            "is empty", path=path, fix="Export the landmarks again"
        ) from err
    if table.empty:
        raise InsufficientDataError(
            "has a header but no rows", path=path, fix="Export the landmarks again"
        )
    return table


def read_landmarks_csv(
    path: str | Path,
    *,
    image_width_px: int,
    image_height_px: int,
    size_assumed: bool = True,
    fps: float | None = None,
) -> LandmarkTable:
    """Read a MediaPipe landmark CSV into a pose Dataset.

    Parameters
    ----------
    path
        The CSV file.
    image_width_px, image_height_px
        The frame size the coordinates were normalised by (a guess when the source does
        not state it; ``size_assumed`` records which).
    fps
        Frame rate, when the rows are consecutive frames of one clip; otherwise 30 is
        assumed (``attrs["fps_assumed"] = 1``) and the time axis is just the row order.

    Raises
    ------
    InputError
        The file does not exist or an argument is not positive.
    CorruptFileError
        The file is not a CSV table, lacks landmark columns, or holds text where numbers
        belong.
    InsufficientDataError
        The table has no rows.
    """
    src = Path(path)
    _check_positive("image_width_px", image_width_px, src)
    _check_positive("image_height_px", image_height_px, src)
    _check_positive("fps", fps, src)
    table = _read_table(src)
    missing = [
        f"{name}_{axis}"
        for name in _REQUIRED
        for axis in ("x", "y", "v")
        if f"{name}_{axis}" not in table.columns
    ]
    if missing:
        raise CorruptFileError(
            f"lacks the landmark column(s) {', '.join(missing)}",
            path=src,
            fix="Give a table with <landmark>_x, _y, _v columns for MediaPipe Pose landmarks",
        )
    used = [m for m in MEDIAPIPE_TO_KEYPOINT if f"{m}_x" in table.columns]
    columns = [f"{m}_{a}" for m in used for a in ("x", "y", "v") if f"{m}_{a}" in table.columns]
    numbers = table[columns].apply(pd.to_numeric, errors="coerce")
    bad = numbers.isna() & table[columns].notna()
    if bad.any().any():
        row, col = np.argwhere(bad.to_numpy())[0]
        raise CorruptFileError(
            f"row {int(row) + 2}, column '{columns[col]}' is not a number",
            path=src,
            fix="Correct or remove that row",
        )
    n = len(table)
    position = np.full((n, 2, len(KEYPOINTS)), np.nan)
    confidence = np.full((n, len(KEYPOINTS)), np.nan)
    for m in used:
        k = KEYPOINTS.index(MEDIAPIPE_TO_KEYPOINT[m])
        position[:, 0, k] = numbers[f"{m}_x"].to_numpy() * image_width_px
        position[:, 1, k] = numbers[f"{m}_y"].to_numpy() * image_height_px
        if f"{m}_v" in numbers:
            confidence[:, k] = np.clip(numbers[f"{m}_v"].to_numpy(), 0.0, 1.0)
    rate = fps or DEFAULT_FPS
    ds = make_pose_dataset(
        position,
        confidence,
        np.arange(n) / rate,
        fps=rate,
        source_software="MediaPipe Pose landmarks (CSV)",
        source_file=str(src),
        image_width_px=image_width_px,
        image_height_px=image_height_px,
        y_up=False,
    )
    ds.attrs["fps_assumed"] = int(fps is None)
    ds.attrs["image_size_assumed"] = int(size_assumed)
    ds = add_processing_step(
        ds, f"read_landmarks_csv(image={image_width_px}x{image_height_px}, y flipped to up)"
    )
    extra = table.drop(columns=[c for c in table.columns if c.rsplit("_", 1)[0] in used])
    return LandmarkTable(ds=ds, extra=extra.reset_index(drop=True))
