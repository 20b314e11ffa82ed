"""Gait events from keypoints: foot contact and toe-off for each foot.

In a side view the far leg is often hidden and pose models swap or merge left and
right, so a label is not trusted frame by frame. Contacts come from foot kinematics
(the lowest point of the foot reaches the ground while the foot moves backward relative
to the pelvis), and the sequence is then checked against running physics: steps
alternate, step time is stable (the step period comes from the pelvis, which label
swaps do not affect), and there is no double support.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
import xarray as xr

from upright.errors import InsufficientDataError
from upright.kinematics.body import (
    detect_direction,
    estimate_leg_length_px,
    estimate_step_period_s,
    pelvis,
)
from upright.skeleton import FloatArray, point

__all__ = ["CONTACT_HEIGHT_LEG", "GaitEvents", "detect_gait_events", "foot_tracks"]

#: The foot counts as on the ground when its lowest point is within this fraction of the
#: leg length of the ground level (about 4 cm for a 90 cm leg).
CONTACT_HEIGHT_LEG = 0.05

#: Contact is when the foot's lowest point comes within this fraction of the leg length
#: of its floor in that stance; toe-off when it rises above TOE_OFF_LEVEL_LEG. Calibrated
#: against force-plate contacts of one runner (RBDS001, Fukuchi 2017) with markers
#: projected to a side view; see benchmarks/gait_events_forceplate.py.
CONTACT_LEVEL_LEG = 0.015
TOE_OFF_LEVEL_LEG = 0.03

#: Width of the window, in steps, over which the ground level under a foot is found.
GROUND_WINDOW_STEPS = 2.5

#: Shortest stance accepted, as a fraction of the step period.
MIN_STANCE_STEP = 0.25


@dataclass(frozen=True)
class GaitEvents:
    """Foot contacts and toe-offs found in a pose series.

    ``contacts`` has one row per foot contact, in time order, columns:
    ``foot`` ('left' or 'right'), ``contact_s``, ``contact_frame``, ``toe_off_s``,
    ``toe_off_frame``, ``midstance_s``. Feet are assigned by alternation, starting from
    the label the pose model gave most often, not frame-by-frame labels.
    """

    contacts: pd.DataFrame
    step_period_s: float
    cadence_spm: float
    direction: int
    leg_length_px: float
    ground_height_px: float


@dataclass(frozen=True)
class FootTrack:
    """One labelled foot: x of its centre and height of its lowest point, (time,);
    heel and toe positions, (time, 2)."""

    side: str
    x: FloatArray
    low_y: FloatArray
    heel: FloatArray
    toe: FloatArray


def foot_tracks(ds: xr.Dataset) -> list[FootTrack]:
    """The two feet as labelled by the pose source: centre x and lowest-point height.

    The centre is the mean of heel and toe; the lowest point is the lower of heel and
    toe. Where both are missing the ankle stands in.
    """
    tracks = []
    for side in ("left", "right"):
        heel, toe, ankle = (point(ds, f"{side}_{k}") for k in ("heel", "toe", "ankle"))
        # mean of the two where both exist, else the one that does (np.nanmean would
        # warn "Mean of empty slice" on frames where both are missing)
        x = np.where(
            np.isnan(heel[:, 0]),
            toe[:, 0],
            np.where(np.isnan(toe[:, 0]), heel[:, 0], (heel[:, 0] + toe[:, 0]) / 2),
        )
        low = np.fmin(heel[:, 1], toe[:, 1])
        x = np.where(np.isnan(x), ankle[:, 0], x)
        low = np.where(np.isnan(low), ankle[:, 1], low)
        tracks.append(FootTrack(side, x, low, heel, toe))
    return tracks


def _ground_level(track: FootTrack, fps: float, step_s: float) -> FloatArray:
    """Ground level under one foot, frame by frame: a running low percentile of its
    lowest-point height over about two strides.

    Each foot gets its own level: with the camera above the ground, perspective puts the
    far foot's contacts higher in the image than the near foot's. The level is local in
    time because a runner drifting forward and back on a treadmill, or along a track,
    moves the contact point in the image.
    """
    heights = track.low_y[~np.isnan(track.low_y)]
    if heights.size < 10:
        raise InsufficientDataError(
            f"the {track.side} foot is visible in too few frames to find foot contacts",
            fix="Film the whole body, feet included, from the side",
        )
    window = max(5, round(GROUND_WINDOW_STEPS * step_s * fps) | 1)
    series = pd.Series(track.low_y)
    level = series.rolling(window, center=True, min_periods=window // 3).quantile(0.05)
    level = level.interpolate(limit_direction="both")
    if level.isna().all():
        return np.full(track.low_y.shape, float(np.percentile(heights, 5)))
    return np.asarray(level.to_numpy(dtype=np.float64))


def _runs(mask: npt.NDArray[np.bool_]) -> list[tuple[int, int]]:
    edges = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    return list(zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True))


def _crossing_time(t: FloatArray, h: FloatArray, i0: int, i1: int, level: float) -> float:
    """Time at which ``h`` crosses ``level`` between frames i0 and i1 (linear)."""
    h0, h1 = h[i0], h[i1]
    if np.isnan(h0) or np.isnan(h1) or h0 == h1:
        return float(t[i1] if h1 <= level else t[i0])
    frac = float(np.clip((level - h0) / (h1 - h0), 0.0, 1.0))
    return float(t[i0] + frac * (t[i1] - t[i0]))


def lower_support_line(points: FloatArray) -> tuple[float, float, float]:
    """The line a set of (x, y-up) points rests on from below: slope, intercept, span.

    The lower convex hull is built (monotone chain) and its edge with the longest
    horizontal span is the line: no foot point goes below the ground it stands on.
    The hull turns with the points, so the line turns exactly with the picture.
    """
    pts = points[np.lexsort((points[:, 1], points[:, 0]))]
    hull: list[FloatArray] = []
    for p in pts:
        while len(hull) >= 2:
            (x1, y1), (x2, y2) = hull[-2], hull[-1]
            cross = (x2 - x1) * (p[1] - y1) - (y2 - y1) * (p[0] - x1)
            scale = (x2 - x1) ** 2 + (y2 - y1) ** 2 + (p[0] - x1) ** 2 + (p[1] - y1) ** 2
            if cross <= 1e-9 * scale:  # collinear points are dropped, not kept as corners
                hull.pop()
            else:
                break
        hull.append(p)
    slope, intercept, span = 0.0, float(pts[:, 1].min()), 0.0
    for a, b in itertools.pairwise(hull):
        dx = float(b[0] - a[0])
        if dx > span:
            slope = float((b[1] - a[1]) / dx)
            intercept, span = float(a[1] - slope * a[0]), dx
    return slope, intercept, span


#: Frames either side of a candidate stance included when finding its ground line.
STANCE_MARGIN_FRAMES = 3
#: A stance's own ground line is trusted up to this slope; steeper, the floor is level.
MAX_STANCE_SLOPE_DEG = 15.0


def _height_above_stance_line(track: FootTrack, a: int, b: int, leg_px: float) -> FloatArray:
    """Height of the foot's lowest point above the line it rests on in this stance.

    Measured from the stance's own ground line rather than a level floor, the contact
    and toe-off timing does not depend on a small camera tilt or on perspective making
    the belt slope in the picture.
    """
    a0 = max(0, a - STANCE_MARGIN_FRAMES)
    b0 = min(track.low_y.size, b + STANCE_MARGIN_FRAMES)
    pts = np.concatenate([track.heel[a0:b0], track.toe[a0:b0]])
    pts = pts[~np.isnan(pts).any(axis=1)]
    h = np.full(track.low_y.shape, np.nan)
    if pts.shape[0] < 4:
        return h
    slope, intercept, span = lower_support_line(pts)
    if span < 0.1 * leg_px or abs(np.degrees(np.arctan(slope))) > MAX_STANCE_SLOPE_DEG:
        slope, intercept = 0.0, float(np.min(pts[:, 1]))
    sl = slice(a0, b0)
    with np.errstate(invalid="ignore"):
        heel_h = track.heel[sl, 1] - (intercept + slope * track.heel[sl, 0])
        toe_h = track.toe[sl, 1] - (intercept + slope * track.toe[sl, 0])
    h[sl] = np.fmin(heel_h, toe_h)
    return h


def _refine_stance(
    t: FloatArray, h: FloatArray, a: int, b: int, leg_px: float
) -> tuple[float, float]:
    """Contact and toe-off of a stance found in frames [a, b).

    The foot's lowest height in the stance is its floor; contact is when the foot
    comes within ``CONTACT_LEVEL_LEG`` of it, toe-off when it rises above
    ``TOE_OFF_LEVEL_LEG``, both interpolated between frames.
    """
    seg = h[a:b]
    k = a + int(np.nanargmin(seg))
    floor = float(h[k])
    level_c = floor + CONTACT_LEVEL_LEG * leg_px
    level_t = floor + TOE_OFF_LEVEL_LEG * leg_px
    i = a
    while i < k and not h[i] <= level_c:
        i += 1
    contact = _crossing_time(t, h, i - 1, i, level_c) if i > 0 else float(t[i])
    j = b - 1
    while j > k and not h[j] <= level_t:
        j -= 1
    toe_off = _crossing_time(t, h, j + 1, j, level_t) if j + 1 < t.size else float("nan")
    return contact, toe_off


def _candidate_stances(
    track: FootTrack,
    t: FloatArray,
    pelvis_x: FloatArray,
    direction: int,
    leg_px: float,
    ground: FloatArray,
    step_s: float,
) -> list[dict[str, float | int | str]]:
    u = direction * (track.x - pelvis_x) / leg_px
    with np.errstate(invalid="ignore"):
        on_ground = track.low_y - ground <= CONTACT_HEIGHT_LEG * leg_px
    out: list[dict[str, float | int | str]] = []
    for a, b in _runs(on_ground):
        if t[b - 1] - t[a] < MIN_STANCE_STEP * step_s - 1e-9:
            continue
        seg = u[a:b]
        if np.sum(~np.isnan(seg)) < 2 or not np.nanmax(seg) - np.nanmin(seg) > 0.05:
            continue
        # the foot must move backward relative to the pelvis while on the ground
        if seg[~np.isnan(seg)][-1] >= seg[~np.isnan(seg)][0]:
            continue
        above = _height_above_stance_line(track, a, b, leg_px)
        if np.isnan(above[a:b]).all():
            above = track.low_y - ground
        contact, toe_off = _refine_stance(t, above, a, b, leg_px)
        # midstance: the foot passes under the pelvis (u crosses 0), else the middle
        inside = np.flatnonzero(np.diff(np.sign(seg)) < 0)
        mid = float(t[a + inside[0]]) if inside.size else float((t[a] + t[b - 1]) / 2)
        out.append(
            {
                "side": track.side,
                "contact_s": contact,
                "toe_off_s": toe_off,
                "midstance_s": mid,
                "u_contact": float(seg[~np.isnan(seg)][0]),
                "complete": int(a > 0 and b < t.size),
            }
        )
    return out


def _resolve_sequence(
    cands: list[dict[str, float | int | str]], step_s: float
) -> list[dict[str, float | int | str]]:
    """Keep a physically possible sequence: no double support, steps not too close."""
    cands = sorted(cands, key=lambda c: float(c["contact_s"]))
    kept: list[dict[str, float | int | str]] = []
    for c in cands:
        if kept:
            prev = kept[-1]
            too_close = float(c["contact_s"]) - float(prev["contact_s"]) < 0.6 * step_s
            overlap = (
                not np.isnan(float(prev["toe_off_s"]))
                and float(c["contact_s"]) < float(prev["toe_off_s"]) - 0.25 * step_s
            )
            if too_close or overlap:
                # two feet cannot both be landing: keep the one landing further forward
                if float(c["u_contact"]) > float(prev["u_contact"]):
                    kept[-1] = c
                continue
        kept.append(c)
    return kept


def _assign_feet(kept: list[dict[str, float | int | str]], step_s: float) -> list[str]:
    """Alternate feet along the sequence; a gap of about two steps keeps the parity."""
    if not kept:
        return []
    parity = [0]
    for prev, cur in itertools.pairwise(kept):
        n_steps = max(1, round((float(cur["contact_s"]) - float(prev["contact_s"])) / step_s))
        parity.append(parity[-1] + n_steps)
    left_even = sum(
        (p % 2 == 0) == (c["side"] == "left") for p, c in zip(parity, kept, strict=True)
    )
    first_is_left = left_even >= len(kept) / 2
    return ["left" if (p % 2 == 0) == first_is_left else "right" for p in parity]


def detect_gait_events(
    ds: xr.Dataset, *, direction: int | None = None, step_period_s: float | None = None
) -> GaitEvents:
    """Detect foot contacts and toe-offs in a filtered, y-up, level pose Dataset.

    Parameters
    ----------
    ds
        Pose series, masked and filtered (see :mod:`upright.signal`), with the ground
        level (camera tilt already removed).
    direction
        Running direction (+1 toward +x, -1 toward -x); detected when None.
    step_period_s
        Known step period; estimated from the pelvis when None.

    Notes
    -----
    A foot is on the ground while its lowest point (heel or toe) is within
    ``CONTACT_HEIGHT_LEG`` leg lengths of the ground level (the 5th percentile of all
    foot heights) and it moves backward relative to the pelvis. Contact and toe-off are
    the interpolated crossings of that level, so they resolve better than one frame.
    At 30 fps contact timing is good to about one frame (33 ms).
    """
    direction = detect_direction(ds) if direction is None else direction
    leg_px = estimate_leg_length_px(ds)
    step_s = estimate_step_period_s(ds) if step_period_s is None else step_period_s
    t = ds["time"].values.astype(np.float64)
    px = pelvis(ds)[:, 0]
    tracks = foot_tracks(ds)
    fs = float(ds.attrs["fps"])
    grounds = {tr.side: _ground_level(tr, fs, step_s) for tr in tracks}
    cands = [
        c
        for tr in tracks
        for c in _candidate_stances(tr, t, px, direction, leg_px, grounds[tr.side], step_s)
    ]
    # a stance cut by the start or end of the clip has no true contact or toe-off
    cands = [c for c in cands if int(c["complete"])]
    kept = _resolve_sequence(cands, step_s)
    feet = _assign_feet(kept, step_s)
    rows = [
        {
            "foot": foot,
            "contact_s": float(c["contact_s"]),
            "contact_frame": int(np.argmin(np.abs(t - float(c["contact_s"])))),
            "toe_off_s": float(c["toe_off_s"]),
            "toe_off_frame": (
                -1
                if np.isnan(float(c["toe_off_s"]))
                else int(np.argmin(np.abs(t - float(c["toe_off_s"]))))
            ),
            "midstance_s": float(c["midstance_s"]),
            "pose_label": str(c["side"]),
        }
        for foot, c in zip(feet, kept, strict=True)
    ]
    contacts = pd.DataFrame(
        rows,
        columns=[
            "foot",
            "contact_s",
            "contact_frame",
            "toe_off_s",
            "toe_off_frame",
            "midstance_s",
            "pose_label",
        ],
    )
    return GaitEvents(
        contacts=contacts,
        step_period_s=step_s,
        cadence_spm=60.0 / step_s,
        direction=direction,
        leg_length_px=leg_px,
        ground_height_px=float(np.nanmean(np.concatenate(list(grounds.values())))),
    )
