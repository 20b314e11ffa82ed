"""Camera tilt from the ground line.

The ground line is traced by the stance foot: on a treadmill the foot slides backward
along the belt, so each stance draws a short piece of it; overground the stance feet sit
at different places along it. Its angle in the image is the camera's roll.

Sign: ``tilt_deg`` is the angle of the ground line counter-clockwise from +x in y-up
coordinates; a level camera gives 0. It is removed by rotating the scene by
``-tilt_deg``.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import theilslopes

from upright.errors import InsufficientDataError
from upright.kinematics.body import Setting
from upright.kinematics.events import GaitEvents, foot_tracks
from upright.skeleton import FloatArray

import xarray as xr

__all__ = ["MAX_TILT_DEG", "estimate_tilt_deg"]

#: A ground line steeper than this is not a camera roll but a failed estimate.
MAX_TILT_DEG = 30.0


def _stance_points(
    ds: xr.Dataset, events: GaitEvents
) -> list[tuple[FloatArray, FloatArray]]:
    tracks = {tr.side: tr for tr in foot_tracks(ds)}
    out = []
    for row in events.contacts.itertuples():
        if row.toe_off_frame < 0:
            continue
        tr = tracks[str(row.pose_label)]
        sl = slice(int(row.contact_frame), int(row.toe_off_frame) + 1)
        x, y = tr.x[sl], tr.low_y[sl]
        good = ~(np.isnan(x) | np.isnan(y))
        if good.sum() >= 3:
            out.append((x[good], y[good]))
    return out


def estimate_tilt_deg(ds: xr.Dataset, events: GaitEvents, setting: Setting) -> float:
    """Angle of the ground line in the image, degrees (see the module's sign note).

    Treadmill: the median over stances of the slope of the stance foot's path (stances
    whose path spans at least 0.15 leg lengths). Overground: a Theil-Sen line through
    the mean position of each stance foot (at least 3 stances spanning a leg length).
    """
    pieces = _stance_points(ds, events)
    leg = events.leg_length_px
    if setting == "treadmill":
        slopes = [
            float(np.degrees(np.arctan(np.polyfit(x, y, 1)[0])))
            for x, y in pieces
            if np.ptp(x) >= 0.15 * leg
        ]
        if len(slopes) < 3:
            raise InsufficientDataError(
                f"only {len(slopes)} stances trace the ground line; 3 are needed",
                fix="Give the camera tilt with --tilt-deg (0 if the camera is level)",
            )
        tilt = float(np.median(slopes))
    else:
        xs = np.array([np.mean(x) for x, _ in pieces])
        ys = np.array([np.mean(y) for _, y in pieces])
        if xs.size < 3 or np.ptp(xs) < leg:
            raise InsufficientDataError(
                "too few foot contacts spread along the ground to find its line",
                fix="Give the camera tilt with --tilt-deg (0 if the camera is level)",
            )
        tilt = float(np.degrees(np.arctan(theilslopes(ys, xs)[0])))
    if abs(tilt) > MAX_TILT_DEG:
        raise InsufficientDataError(
            f"the ground line found is tilted {tilt:.1f} deg, beyond a camera roll",
            fix="Level the camera or give the tilt with --tilt-deg",
        )
    return tilt
