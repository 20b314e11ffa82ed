"""Undo left/right label swaps of the legs.

In a side view a pose model often swaps the labels of the two legs for a frame or a few.
Each frame can be read as labelled or with the legs exchanged; the reading of the whole
clip that moves the legs least from frame to frame is found exactly by dynamic
programming over the two states (Viterbi). This runs on the raw keypoints, before gap
filling and filtering, which would otherwise smear a swapped frame into its neighbours.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import xarray as xr

from upright.skeleton import FloatArray, add_processing_step

__all__ = ["LEG_PARTS", "untangle_leg_swaps"]

#: Cost of changing the reading between two frames, in typical frames' motion.
SWITCH_PENALTY = 1.0

#: The points of each leg exchanged together.
LEG_PARTS = ("hip", "knee", "ankle", "heel", "toe")


Leg = tuple[FloatArray, FloatArray]  # positions (time, point, 2) and confidences (time, point)


def _legs(ds: xr.Dataset) -> tuple[Leg, Leg, list[str], list[str]]:
    have = set(ds.coords["keypoint"].values.tolist())
    parts = [p for p in LEG_PARTS if f"left_{p}" in have and f"right_{p}" in have]
    left = [f"left_{p}" for p in parts]
    right = [f"right_{p}" for p in parts]
    pos = ds["position"].isel(individual=0)
    conf = ds["confidence"].isel(individual=0).fillna(0.0)

    def leg(names: list[str]) -> Leg:
        xy = pos.sel(keypoint=names).transpose("time", "keypoint", "space").values
        c = conf.sel(keypoint=names).transpose("time", "keypoint").values
        return np.asarray(xy, np.float64), np.asarray(c, np.float64)

    return leg(left), leg(right), left, right


def _step_cost(p: Leg, q: Leg) -> FloatArray:
    """Confidence-weighted distance moved by the points of leg ``p`` at frame t-1 to leg
    ``q`` at frame t, summed over points; missing points cost nothing: (time - 1,)."""
    d = np.linalg.norm(q[0][1:] - p[0][:-1], axis=-1)
    w = np.minimum(p[1][:-1], q[1][1:])
    return np.asarray(np.nansum(w * d, axis=-1), np.float64)


def _swap_states(a: Leg, b: Leg) -> npt.NDArray[np.bool_]:
    """Per frame, True where the legs read best exchanged (Viterbi over two states).

    A point's move counts in proportion to its confidence, so the clearly seen near leg
    keeps its identity and the far leg's guesses weigh little.
    """
    n = a[0].shape[0]
    if n < 2:
        return np.zeros(n, dtype=bool)
    # cost of going from state i at t-1 to state j at t; state 1 = exchanged
    same = _step_cost(a, a) + _step_cost(b, b)
    cross = _step_cost(a, b) + _step_cost(b, a)
    # every change of reading costs as much as a typical frame's motion, so only a
    # clear gain in continuity (a swapped frame jumps both legs) changes the labels
    penalty = SWITCH_PENALTY * float(np.nanmedian(same)) if np.isfinite(same).any() else 0.0
    cross = cross + penalty
    total = np.zeros((n, 2))
    back = np.zeros((n, 2), dtype=np.int8)
    for t in range(1, n):
        stay0, flip0 = total[t - 1, 0] + same[t - 1], total[t - 1, 1] + cross[t - 1]
        stay1, flip1 = total[t - 1, 1] + same[t - 1], total[t - 1, 0] + cross[t - 1]
        back[t, 0] = 0 if stay0 <= flip0 else 1
        total[t, 0] = min(stay0, flip0)
        back[t, 1] = 1 if stay1 <= flip1 else 0
        total[t, 1] = min(stay1, flip1)
    states = np.zeros(n, dtype=np.int8)
    states[-1] = int(np.argmin(total[-1]))
    for t in range(n - 1, 0, -1):
        states[t - 1] = back[t, states[t]]
    # the whole clip may read best either way round; keep the model's majority labels
    if states.mean() > 0.5:
        states = 1 - states
    return states.astype(bool)


def untangle_leg_swaps(ds: xr.Dataset) -> xr.Dataset:
    """Exchange the left and right leg points in the frames where that moves them least.

    Returns a new Dataset (positions and confidences exchanged together) with the number
    of frames changed in the processing log.
    """
    a, b, left, right = _legs(ds)
    swapped = _swap_states(a, b)
    out = ds.copy(deep=True)
    if swapped.any():
        for var in ("position", "confidence"):
            da = out[var]
            lv = da.sel(keypoint=left).values.copy()
            rv = da.sel(keypoint=right).values.copy()
            idx = {"time": np.flatnonzero(swapped)}
            lv_sw = da.sel(keypoint=left).isel(idx).values
            rv_sw = da.sel(keypoint=right).isel(idx).values
            lv[idx["time"]] = rv_sw
            rv[idx["time"]] = lv_sw
            da.loc[{"keypoint": left}] = lv
            da.loc[{"keypoint": right}] = rv
    return add_processing_step(out, f"untangle_leg_swaps(frames_exchanged={int(swapped.sum())})")


#: Two feet closer than this (in leg lengths) in the same frame are one foot given both
#: labels: the model lost the far foot and put it on the near one.
MERGED_FOOT_LEG = 0.03

_FOOT_PARTS = ("ankle", "heel", "toe")


def drop_merged_feet(ds: xr.Dataset) -> xr.Dataset:
    """Blank both feet (knee down) in frames where the two feet sit on the same spot.

    Which label is right cannot be told from one frame, so both become NaN and the gap
    filler bridges them from their neighbours when the merge is short.
    """
    have = set(ds.coords["keypoint"].values.tolist())
    parts = [p for p in _FOOT_PARTS if f"left_{p}" in have and f"right_{p}" in have]
    pos = ds["position"].isel(individual=0)
    hip = pos.sel(keypoint=["left_hip", "right_hip"]).mean("keypoint", skipna=True)
    ankle = pos.sel(keypoint=["left_ankle", "right_ankle"]).mean("keypoint", skipna=True)
    leg = float(
        np.nanmedian(np.linalg.norm((hip - ankle).transpose("time", "space").values, axis=1))
    )
    if not parts or not np.isfinite(leg) or leg <= 0:
        return ds.copy()
    gaps = np.stack(
        [
            np.linalg.norm(
                (pos.sel(keypoint=f"left_{p}") - pos.sel(keypoint=f"right_{p}"))
                .transpose("time", "space")
                .values,
                axis=1,
            )
            for p in parts
        ],
        axis=1,
    )
    with np.errstate(invalid="ignore"):
        merged = np.sum(gaps < MERGED_FOOT_LEG * leg, axis=1) >= min(2, len(parts))
    out = ds.copy(deep=True)
    if merged.any():
        names = [
            f"{s}_{p}" for s in ("left", "right") for p in ("knee", *parts) if f"{s}_{p}" in have
        ]
        sel = {"time": np.flatnonzero(merged), "keypoint": names}
        pos_v = out["position"]
        conf_v = out["confidence"]
        for name in names:
            idx = {"time": out["time"].values[merged], "keypoint": name}
            pos_v.loc[idx] = np.nan
            conf_v.loc[idx] = 0.0
        del sel
    return add_processing_step(out, f"drop_merged_feet(frames={int(merged.sum())})")
