"""Camera tilt from the ground line.

The ground line is traced by the stance foot. On a treadmill the foot slides backward
along the belt, and no point of the foot goes below it: the belt is the line the heel
and toe rest on from below during each stance (the edge of their lower convex hull).
Overground the stance feet sit at different places along it. Both constructions turn
with the picture, so a rotated clip gives a tilt rotated by the same angle. The stances
come from the event detector, which works best on a level scene, so the estimate is
repeated once the scene is levelled.

Sign: ``tilt_deg`` is the angle of the ground line counter-clockwise from +x in y-up
coordinates (on screen: the line rises to the right); a level camera gives 0. It is
removed by rotating the scene by ``-tilt_deg``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import xarray as xr
from scipy.stats import theilslopes

from upright.errors import InsufficientDataError
from upright.kinematics.body import Setting
from upright.kinematics.events import GaitEvents, detect_gait_events, lower_support_line
from upright.signal.filters import rotate_positions
from upright.skeleton import FloatArray, point

__all__ = [
    "MAX_TILT_DEG",
    "MAX_TILT_SE_DEG",
    "TiltEstimate",
    "estimate_tilt",
    "estimate_tilt_deg",
    "level_by_ground_line",
]

#: A ground line steeper than this is not a camera roll but a failed estimate.
MAX_TILT_DEG = 30.0

#: The ground line is used only when the stances agree on it: the standard error of
#: their median angle at most this. Otherwise the camera is taken as level, and said so.
MAX_TILT_SE_DEG = 0.75

#: Rounds of levelling, and the residual at which to stop.
TILT_ROUNDS = 4
TILT_TOLERANCE_DEG = 0.05


def _stance_points(ds: xr.Dataset, events: GaitEvents) -> list[FloatArray]:
    """Heel and toe positions, (n, 2), from just before contact to just after toe-off."""
    out = []
    c = events.contacts
    rows = zip(
        c["contact_frame"].to_numpy(),
        c["toe_off_frame"].to_numpy(),
        c["pose_label"].to_numpy(),
        strict=True,
    )
    for contact_frame, toe_off_frame, pose_label in rows:
        if toe_off_frame < 0:
            continue
        sl = slice(max(0, int(contact_frame) - 1), int(toe_off_frame) + 2)
        pts = np.concatenate([point(ds, f"{pose_label}_{part}")[sl] for part in ("heel", "toe")])
        pts = pts[~np.isnan(pts).any(axis=1)]
        if pts.shape[0] >= 4:
            out.append(pts)
    return out


def support_line_deg(points: FloatArray) -> tuple[float, float]:
    """Angle (deg) and horizontal span of the line the points rest on from below.

    See :func:`upright.kinematics.events.lower_support_line`: the lower convex hull's
    edge with the longest horizontal span; it turns exactly with the picture.
    """
    slope, _, span = lower_support_line(points)
    return float(np.degrees(np.arctan(slope))), span


@dataclass(frozen=True)
class TiltEstimate:
    """A ground-line angle and how well the stances agree on it.

    ``se_deg`` is the standard error of the median over stances (1.2533 x SD / sqrt(n),
    SD from the interquartile range); ``n`` the stances used.
    """

    tilt_deg: float
    se_deg: float
    n: int


def _median_with_se(values: list[float]) -> tuple[float, float]:
    arr = np.asarray(values)
    q1, med, q3 = np.percentile(arr, [25, 50, 75])
    sd = (q3 - q1) / 1.349
    return float(med), float(1.2533 * sd / np.sqrt(arr.size))


def estimate_tilt_deg(ds: xr.Dataset, events: GaitEvents, setting: Setting) -> float:
    """One estimate of the ground line's angle; see :func:`estimate_tilt`."""
    return estimate_tilt(ds, events, setting).tilt_deg


def estimate_tilt(ds: xr.Dataset, events: GaitEvents, setting: Setting) -> TiltEstimate:
    """One estimate of the ground line's angle, degrees (see the module's sign note).

    Treadmill: the median over stances of the line the heel and toe rest on during the
    stance (:func:`support_line_deg`, lines spanning at least 0.1 leg lengths).
    Overground: a Theil-Sen line through the lowest foot point of each stance (at least
    3, spanning a leg length).
    """
    leg = events.leg_length_px
    stances = _stance_points(ds, events)
    if setting == "treadmill":
        lines = [support_line_deg(pts) for pts in stances]
        slopes = [angle for angle, span in lines if span >= 0.1 * leg]
        if len(slopes) < 3:
            raise InsufficientDataError(
                f"only {len(slopes)} stances trace the ground line; 3 are needed",
                fix="Give the camera tilt with --tilt-deg (0 if the camera is level)",
            )
        med, se = _median_with_se(slopes)
        return TiltEstimate(med, se, len(slopes))
    lowest = [pts[np.argmin(pts[:, 1])] for pts in stances]
    xs = np.array([p[0] for p in lowest])
    ys = np.array([p[1] for p in lowest])
    if xs.size < 3 or np.ptp(xs) < leg:
        raise InsufficientDataError(
            "too few foot contacts spread along the ground to find its line",
            fix="Give the camera tilt with --tilt-deg (0 if the camera is level)",
        )
    fit = theilslopes(ys, xs)
    angle = float(np.degrees(np.arctan(fit[0])))
    half_ci = float(np.degrees(np.arctan(fit[3]) - np.arctan(fit[2]))) / 2.0
    return TiltEstimate(angle, half_ci / 1.96, int(xs.size))


def level_by_ground_line(
    ds: xr.Dataset, events: GaitEvents, setting: Setting
) -> tuple[TiltEstimate, xr.Dataset, GaitEvents]:
    """Find the camera tilt and remove it: level the scene by the tilt found so far, find
    the events again, measure what is left, until it is below 0.05 deg (4 rounds at most).

    Returns the tilt (with the agreement of the last round), the levelled Dataset and its
    events.
    """
    tilt = 0.0
    levelled, found = ds, events
    last = TiltEstimate(0.0, float("inf"), 0)
    for _ in range(TILT_ROUNDS):
        last = estimate_tilt(levelled, found, setting)
        residual = last.tilt_deg
        if abs(residual) < TILT_TOLERANCE_DEG:
            break
        tilt += residual
        if abs(tilt) > MAX_TILT_DEG:
            raise InsufficientDataError(
                f"the ground line found is tilted over {MAX_TILT_DEG:g} deg, beyond a camera roll",
                fix="Level the camera or give the tilt with --tilt-deg",
            )
        levelled = rotate_positions(ds, -tilt)
        found = detect_gait_events(
            levelled, direction=events.direction, step_period_s=events.step_period_s
        )
    return TiltEstimate(tilt, last.se_deg, last.n), levelled, found
