"""Body-line geometry of exercise positions, per frame, on a pose Dataset (y up).

Sign table (image plane, y up, degrees):

=============  ==========================================  ==========================  ==========
angle          reference                                   positive                    range
=============  ==========================================  ==========================  ==========
line offset    vertex against the line of two end points   vertex above the line       (-180, 180]
incline        segment against the horizontal pointing     end point above start       (-180, 180]
               toward the head (or the feet)
joint angle    angle a-vertex-b                            (unsigned)                  [0, 180]
sway           a measure against its running median        (unsigned)                  [0, 180]
floor tilt     floor line against image +x                 line rises to the right     (-90, 90]
=============  ==========================================  ==========================  ==========

"Above" a line is the side its upward normal points to (the side away from the floor
when the camera is level). A line offset is a bend angle at the vertex, so it does not
change when the picture is rotated, mirrored or scaled; an incline depends on the camera
being level (see :func:`floor_tilt_deg`).

Aspect ratio: an angle is only true when x and y share one scale (pixels). Normalised
coordinates with an unknown frame size stretch one axis; that changes the size of an
offset but never its sign, because a stretch keeps each point on its side of a line.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import xarray as xr

from upright.errors import InputError
from upright.form.definitions import ExerciseForm, Measure, Side
from upright.kinematics.angles import midpoint, midpoint_xy
from upright.skeleton import FloatArray, point

#: Where body points come from: a pose Dataset (y up), or keypoint name -> (time, 2)
#: positions (y up), as the live check keeps its last frames.
PointSource = xr.Dataset | Mapping[str, FloatArray]


def _keypoint_xy(src: PointSource, name: str) -> FloatArray:
    if isinstance(src, xr.Dataset):
        return point(src, name)
    return np.asarray(src[name], dtype=np.float64)


__all__ = [
    "PointSource",
    "body_point",
    "compute_measures",
    "detect_head_direction",
    "floor_tilt_deg",
    "head_direction_per_frame",
    "incline_deg",
    "joint_angle_deg",
    "line_offset_deg",
    "measures_of",
    "point_keypoints",
    "required_keypoints",
    "sway_deg",
]

_KEYPOINT_OF = {"toe": "toe", "heel": "heel"}


def _keypoint(side: str, base: str) -> str:
    return f"{side}_{_KEYPOINT_OF.get(base, base)}"


def _sides(name: str, side: Side | None) -> tuple[str, ...]:
    """The keypoint side(s) a point name stands for: both for a mid-point, else one."""
    if name.startswith(("side_", "other_")):
        if side is None:
            raise InputError(
                f"the point '{name}' needs a side", fix="Give --side left or --side right"
            )
        other = "right" if side == "left" else "left"
        return (side,) if name.startswith("side_") else (other,)
    return ("left", "right")


def _base(name: str) -> str:
    return name.removeprefix("side_").removeprefix("other_")


def point_keypoints(name: str, side: Side | None) -> tuple[str, ...]:
    """The keypoint names a body point is made of (two for a mid-point)."""
    return tuple(_keypoint(s, _base(name)) for s in _sides(name, side))


def required_keypoints(definition: ExerciseForm, side: Side | None) -> list[str]:
    """Keypoint names the definition's measures need (both sides for a mid-point)."""
    names: list[str] = []
    for m in definition.measures:
        for p in m.points:
            names += [_keypoint(s, _base(p)) for s in _sides(p, side)]
    return sorted(set(names))


def body_point(ds: PointSource, name: str, side: Side | None = None) -> FloatArray:
    """Position (time, 2) of a body point: a mid-point, or the ``side_`` / ``other_`` one."""
    sides = _sides(name, side)
    base = _base(name)
    if len(sides) == 2:
        left, right = _keypoint("left", base), _keypoint("right", base)
        if isinstance(ds, xr.Dataset):
            return midpoint(ds, left, right)
        return midpoint_xy(_keypoint_xy(ds, left), _keypoint_xy(ds, right))
    return _keypoint_xy(ds, _keypoint(sides[0], base))


def line_offset_deg(a: FloatArray, vertex: FloatArray, b: FloatArray) -> FloatArray:
    """The vertex's signed angular offset from the a-b line, per row, degrees.

    180 deg minus the a-vertex-b angle; + when the vertex lies on the upper side of the
    a-b line (the side its upward normal points to), - below, 0 on the line. Range
    [-180, 180]. NaN where a point is missing or two coincide.
    """
    u, w = a - vertex, b - vertex
    with np.errstate(invalid="ignore", divide="ignore"):
        cos = np.sum(u * w, axis=-1) / (np.linalg.norm(u, axis=-1) * np.linalg.norm(w, axis=-1))
        bend = 180.0 - np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))
        d, v = b - a, vertex - a
        # upward normal of the a-b line: (-dy, dx) turned to point up (+y)
        n = np.stack([-d[..., 1], d[..., 0]], axis=-1)
        n = np.where((n[..., 1:2] < 0) | ((n[..., 1:2] == 0) & (n[..., 0:1] < 0)), -n, n)
        above = np.sum(v * n, axis=-1)
    return np.asarray(np.where(above < 0, -bend, bend), dtype=np.float64)


def incline_deg(start: FloatArray, end: FloatArray, toward: int | FloatArray) -> FloatArray:
    """Angle of the start -> end segment against the horizontal pointing ``toward``
    (+1 = image right, -1 = image left; one value or one per row); + when ``end`` is
    above ``start``, degrees."""
    way = np.asarray(toward, dtype=np.float64)
    if not np.all(np.isin(way, (1.0, -1.0))):
        raise ValueError("toward must be +1 or -1")
    v = end - start
    return np.asarray(np.degrees(np.arctan2(v[..., 1], way * v[..., 0])), dtype=np.float64)


def head_direction_per_frame(ds: xr.Dataset) -> FloatArray:
    """Which way the head lies from the hips in each frame (+1 image right, -1 left),
    for tables of unrelated frames; NaN where the trunk is not seen."""
    dx = (
        midpoint(ds, "left_shoulder", "right_shoulder")[:, 0]
        - midpoint(ds, "left_hip", "right_hip")[:, 0]
    )
    return np.asarray(np.where(np.isnan(dx), np.nan, np.where(dx >= 0, 1.0, -1.0)))


def joint_angle_deg(a: FloatArray, vertex: FloatArray, b: FloatArray) -> FloatArray:
    """The a-vertex-b angle, 0..180 deg (180 = a straight line through the vertex)."""
    u, w = a - vertex, b - vertex
    with np.errstate(invalid="ignore", divide="ignore"):
        cos = np.sum(u * w, axis=-1) / (np.linalg.norm(u, axis=-1) * np.linalg.norm(w, axis=-1))
    return np.asarray(np.degrees(np.arccos(np.clip(cos, -1.0, 1.0))), dtype=np.float64)


def sway_deg(angle_deg: FloatArray, time_s: FloatArray, window_s: float) -> FloatArray:
    """Distance of an angle from its centred running median over ``window_s``, degrees."""
    dt = float(np.median(np.diff(time_s))) if time_s.size > 1 else 1.0
    n = max(1, round(window_s / dt))
    median = pd.Series(angle_deg).rolling(n, center=True, min_periods=1).median()
    return np.asarray(np.abs(angle_deg - median.to_numpy(dtype=np.float64)), dtype=np.float64)


def detect_head_direction(ds: xr.Dataset) -> int:
    """Which way the head lies from the hips in the picture, decided once per clip:
    +1 toward image right, -1 toward image left (median of the mid-hip -> mid-shoulder
    x offset)."""
    dx = (
        midpoint(ds, "left_shoulder", "right_shoulder")[:, 0]
        - midpoint(ds, "left_hip", "right_hip")[:, 0]
    )
    if not np.isfinite(dx).any():
        raise InputError(
            "the shoulders and hips are never seen together",
            fix="Film the whole body from the side the exercise needs",
        )
    return 1 if float(np.nanmedian(dx)) >= 0 else -1


def floor_tilt_deg(ds: PointSource, points: list[str], side: Side | None) -> tuple[float, int]:
    """Camera tilt from a line level in the room: the median angle of the line through
    two floor points (against image +x, + rising to the right) and the frames used.

    Returns NaN and 0 when the two points are never seen together.
    """
    a, b = (body_point(ds, p, side) for p in points)
    v = b - a
    with np.errstate(invalid="ignore"):
        angle = np.degrees(np.arctan2(v[:, 1], v[:, 0]))
    angle = (angle + 90.0) % 180.0 - 90.0  # a line, not a direction: fold into [-90, 90)
    ok = np.isfinite(angle)
    if not ok.any():
        return float("nan"), 0
    return float(np.median(angle[ok])), int(ok.sum())


def _measure(
    ds: PointSource,
    t: FloatArray,
    m: Measure,
    side: Side | None,
    head: int | FloatArray,
    done: dict[str, FloatArray],
) -> FloatArray:
    if m.geometry == "sway":
        assert m.of is not None  # validated by the definition
        return sway_deg(done[m.of], t, m.window_s)
    pts = [body_point(ds, p, side) for p in m.points]
    if m.geometry == "line_offset":
        return line_offset_deg(pts[0], pts[1], pts[2])
    if m.geometry == "joint_angle":
        return joint_angle_deg(pts[0], pts[1], pts[2])
    toward = np.asarray(head if m.toward == "head" else -np.asarray(head), dtype=np.float64)
    with np.errstate(invalid="ignore"):
        return np.where(
            np.isnan(toward), np.nan, incline_deg(pts[0], pts[1], np.nan_to_num(toward, nan=1.0))
        )


def measures_of(
    ds: PointSource,
    time_s: FloatArray,
    definition: ExerciseForm,
    side: Side | None,
    head_direction: int | FloatArray,
) -> dict[str, FloatArray]:
    """Every measure of the definition per frame (degrees, NaN where a point is
    missing), by name, from any :data:`PointSource` with its frame times."""
    done: dict[str, FloatArray] = {}
    for m in sorted(definition.measures, key=lambda m: m.geometry == "sway"):
        done[m.name] = _measure(ds, time_s, m, side, head_direction, done)
    return done


def compute_measures(
    ds: xr.Dataset, definition: ExerciseForm, side: Side | None, head_direction: int | FloatArray
) -> pd.DataFrame:
    """Every measure of the definition per frame: ``time_s`` and one column per measure
    (degrees, NaN where a point is missing). ``head_direction`` is one value for a clip
    (:func:`detect_head_direction`) or one per frame (:func:`head_direction_per_frame`)."""
    t = np.asarray(ds["time"].values, dtype=np.float64)
    done = measures_of(ds, t, definition, side, head_direction)
    frame = pd.DataFrame({"time_s": t})
    for m in definition.measures:
        frame[m.name] = done[m.name]
    return frame
