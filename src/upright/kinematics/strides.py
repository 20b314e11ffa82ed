"""Per-stride metrics: one row per stride, from contact to the next contact of that foot."""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from upright.kinematics.angles import compute_knee_flexion_deg, midpoint
from upright.kinematics.events import GaitEvents
from upright.skeleton import FloatArray, point

__all__ = [
    "HIP_TO_ANKLE_PER_HEIGHT",
    "MIN_CONTACT_TIME_FPS",
    "STRIDE_COLUMNS",
    "compute_stride_table",
    "compute_strides",
]

#: Hip (greater trochanter) to ankle (lateral malleolus) as a fraction of body height:
#: 0.530 H - 0.039 H (Winter 2009, Biomechanics and Motor Control of Human Movement,
#: segment lengths after Drillis & Contini 1966). Converts leg lengths to cm.
HIP_TO_ANKLE_PER_HEIGHT = 0.491

#: Below this frame rate contact time is withheld: one frame is 20 ms or more
#: (contact timing at 30 fps is only good to about one frame, 33 ms).
MIN_CONTACT_TIME_FPS = 50.0

#: Stride durations accepted, relative to two step periods.
STRIDE_TOLERANCE = 0.3

STRIDE_COLUMNS = [
    "stride",
    "foot",
    "start_s",
    "end_s",
    "stride_time_s",
    "cadence_spm",
    "toe_off_s",
    "ground_contact_ms",
    "trunk_lean_stance_deg",
    "trunk_lean_midstance_deg",
    "head_trunk_deg",
    "overstride_leg",
    "knee_flexion_contact_deg",
    "vertical_oscillation_leg",
    "vertical_oscillation_cm",
    "leg_visible",
]


def _cell(df: pd.DataFrame, row: int, column: str) -> float:
    """One numeric cell of ``df`` (row by label), as a float."""
    return float(np.asarray(df.loc[row, column], dtype=np.float64))


def compute_strides(events: GaitEvents) -> list[tuple[int, int]]:
    """Pairs of contact rows (i, j): contact i and the next contact j of the same foot,
    kept when their spacing is two step periods within 30%."""
    c = events.contacts
    expected = 2.0 * events.step_period_s
    pairs = []
    for i in range(len(c)):
        for j in range(i + 1, len(c)):
            if str(c.loc[j, "foot"]) != str(c.loc[i, "foot"]):
                continue
            dt = _cell(c, j, "contact_s") - _cell(c, i, "contact_s")
            if abs(dt - expected) <= STRIDE_TOLERANCE * expected:
                pairs.append((i, j))
            break
    return pairs


def _mean_between(t: FloatArray, v: FloatArray, t0: float, t1: float) -> float:
    sel = (t >= t0) & (t < t1) & ~np.isnan(v)
    return float(np.mean(v[sel])) if sel.any() else float("nan")


def _interp_at(t: FloatArray, v: FloatArray, when: float) -> float:
    good = ~np.isnan(v)
    if good.sum() < 2 or when < t[good][0] or when > t[good][-1]:
        return float("nan")
    return float(np.interp(when, t[good], v[good]))


def compute_stride_table(
    ds: xr.Dataset,
    events: GaitEvents,
    trunk_lean_deg: FloatArray,
    head_trunk_deg: FloatArray,
    *,
    height_cm: float | None = None,
) -> pd.DataFrame:
    """One row per stride with the columns of :data:`STRIDE_COLUMNS`.

    Notes
    -----
    - Trunk lean: mean over stance (contact to toe-off) and at midstance (the foot
      passes under the pelvis). Head-trunk angle: mean over the stride.
    - Overstride: ankle ahead of the pelvis at contact, in leg lengths (positive = ahead).
    - Vertical oscillation: range of pelvis height over the stride, in leg lengths, and
      in cm when ``height_cm`` is given (leg = 0.491 x height, Winter 2009).
    - Knee flexion at contact: 0 deg = straight leg.
    - Ground contact time is NaN below 50 fps (see :data:`MIN_CONTACT_TIME_FPS`).
    - ``leg_visible``: the stride's hip, knee and ankle were all detected at contact;
      overstride and knee flexion are NaN when not.
    """
    t = ds["time"].values.astype(np.float64)
    fps = float(ds.attrs["fps"])
    leg = events.leg_length_px
    hip_mid = midpoint(ds, "left_hip", "right_hip")
    c = events.contacts
    rows = []
    for n, (i, j) in enumerate(compute_strides(events), start=1):
        foot = str(c.loc[i, "foot"])
        side = str(c.loc[i, "pose_label"])
        t0, t1 = _cell(c, i, "contact_s"), _cell(c, j, "contact_s")
        toe_off = _cell(c, i, "toe_off_s")
        stance_end = toe_off if not np.isnan(toe_off) else t0 + 0.35 * (t1 - t0)
        hip, knee, ankle = (point(ds, f"{side}_{k}") for k in ("hip", "knee", "ankle"))
        at = [
            np.array([_interp_at(t, arr[:, 0], t0), _interp_at(t, arr[:, 1], t0)])
            for arr in (hip, knee, ankle)
        ]
        visible = not any(np.isnan(a).any() for a in at)
        pelvis_x = _interp_at(t, hip_mid[:, 0], t0)
        sel = (t >= t0) & (t <= t1)
        pelvis_y = hip_mid[sel, 1]
        vo_leg = float(np.nanmax(pelvis_y) - np.nanmin(pelvis_y)) / leg if sel.any() else np.nan
        rows.append(
            {
                "stride": n,
                "foot": foot,
                "start_s": t0,
                "end_s": t1,
                "stride_time_s": t1 - t0,
                "cadence_spm": 120.0 / (t1 - t0),
                "toe_off_s": toe_off,
                "ground_contact_ms": (toe_off - t0) * 1000.0
                if fps >= MIN_CONTACT_TIME_FPS
                else np.nan,
                "trunk_lean_stance_deg": _mean_between(t, trunk_lean_deg, t0, stance_end),
                "trunk_lean_midstance_deg": _interp_at(
                    t, trunk_lean_deg, _cell(c, i, "midstance_s")
                ),
                "head_trunk_deg": _mean_between(t, head_trunk_deg, t0, t1),
                "overstride_leg": events.direction * (at[2][0] - pelvis_x) / leg
                if visible
                else np.nan,
                "knee_flexion_contact_deg": float(compute_knee_flexion_deg(at[0], at[1], at[2]))
                if visible
                else np.nan,
                "vertical_oscillation_leg": vo_leg,
                "vertical_oscillation_cm": vo_leg * HIP_TO_ANKLE_PER_HEIGHT * height_cm
                if height_cm
                else np.nan,
                "leg_visible": visible,
            }
        )
    return pd.DataFrame(rows, columns=STRIDE_COLUMNS)
