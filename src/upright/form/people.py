"""One person in view: the form check judges one body, so it refuses a clip with two.

What is detected, by source:

* A keypoint file with several individuals (a netCDF pose file with more than one
  ``individual``): per frame, the individuals whose shoulders and hips are seen.
* An OpenPose folder: the reader counts, per frame, the people whose shoulders and hips
  were found (``attrs["frames_with_others"]``); ``attrs["max_people_seen"]`` alone
  (older files) says only that someone else was there at some moment.
* A video: MediaPipe's pose model follows one person, so a second person is never
  reported; what shows is the tracked body *switching* to them: its mid-hip jumps
  further than half a trunk length from one frame to the next, or its trunk length
  changes by more than a third, and does not come back within half a second. A jump
  that comes back is a tracking glitch, reported but not refused. A second person who
  stays in view while the model keeps to the first is not detected.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import numpy.typing as npt
import xarray as xr

from upright.errors import QualityError
from upright.kinematics.angles import midpoint
from upright.signal.filters import DEFAULT_CONFIDENCE_THRESHOLD, mask_low_confidence
from upright.skeleton import FloatArray

__all__ = [
    "MAX_JUMP_TRUNK",
    "MAX_OTHERS_SHARE",
    "MAX_SIZE_RATIO",
    "RETURN_S",
    "PeopleSeen",
    "one_person_message",
    "people_seen",
    "refuse_crowd",
]

#: A mid-hip step longer than this many trunk lengths between frames is a jump.
MAX_JUMP_TRUNK = 0.5
#: A trunk length changing by more than this factor between frames is a jump.
MAX_SIZE_RATIO = 1.35
#: A jump that returns to where the body was within this long is a glitch.
RETURN_S = 0.5
#: Only frames this close in time are compared (longer gaps: no judgement).
MAX_GAP_S = 0.2
#: A second person seen in more than this share of the frames refuses the clip; fewer
#: (someone walking past) is reported (design heuristic).
MAX_OTHERS_SHARE = 0.1

BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class PeopleSeen:
    """Who else was in view.

    ``others_share``: share of frames with a second body (None when the source says
    only that there was one, not when). ``switches``: times the tracked body jumped to
    another place and stayed (their clip seconds in ``switch_s``); ``glitches``: jumps
    that came back.
    """

    individuals: int
    max_people: int
    others_share: float | None
    switches: int
    switch_s: tuple[float, ...]
    glitches: int


def _body_seen(ds: xr.Dataset, individual: int) -> BoolArray:
    ok = np.ones(ds.sizes["time"], dtype=bool)
    for name in ("left_shoulder", "right_shoulder", "left_hip", "right_hip"):
        xy = ds["position"].sel(keypoint=name).isel(individual=individual).values
        ok &= np.isfinite(xy).all(axis=1)
    return ok


def _jumps(ds: xr.Dataset) -> tuple[list[int], list[int]]:
    """Indices of the tracked body's switches and glitches (see the module docstring)."""
    t = np.asarray(ds["time"].values, dtype=np.float64)
    hip = midpoint(ds, "left_hip", "right_hip")
    trunk = np.linalg.norm(midpoint(ds, "left_shoulder", "right_shoulder") - hip, axis=1)
    seen = np.flatnonzero(np.isfinite(hip).all(axis=1) & np.isfinite(trunk) & (trunk > 0))
    if seen.size < 2:
        return [], []
    scale = float(np.median(trunk[seen]))
    switches: list[int] = []
    glitches: list[int] = []
    away_from: tuple[float, FloatArray] | None = None  # a glitch's start: time, position
    for j, i in pairwise(seen):
        if t[i] - t[j] > MAX_GAP_S + 1e-9:
            continue
        step = float(np.linalg.norm(hip[i] - hip[j]))
        ratio = trunk[i] / trunk[j]
        if step <= MAX_JUMP_TRUNK * scale and 1 / MAX_SIZE_RATIO <= ratio <= MAX_SIZE_RATIO:
            continue
        near = MAX_JUMP_TRUNK * scale
        if (
            away_from is not None
            and t[i] - away_from[0] <= RETURN_S + 1e-9
            and np.linalg.norm(hip[i] - away_from[1]) <= near
        ):
            away_from = None  # the end of a glitch: back where it was
            continue
        later = seen[(t[seen] > t[i]) & (t[seen] <= t[i] + RETURN_S + 1e-9)]
        if (np.linalg.norm(hip[later] - hip[j], axis=1) <= near).any():
            glitches.append(int(i))
            away_from = (float(t[i]), hip[j])
        else:
            switches.append(int(i))
    return switches, glitches


def people_seen(ds: xr.Dataset, threshold: float = DEFAULT_CONFIDENCE_THRESHOLD) -> PeopleSeen:
    """Who else was in view in a clip's keypoints (see the module docstring)."""
    masked = mask_low_confidence(ds, threshold)
    n_ind = int(ds.sizes["individual"])
    n = max(int(ds.sizes["time"]), 1)
    max_people = int(ds.attrs.get("max_people_seen", 1) or 1)
    share: float | None = 0.0
    if n_ind > 1:
        bodies = np.sum([_body_seen(masked, k) for k in range(n_ind)], axis=0)
        share = float(np.mean(bodies >= 2))
        max_people = max(max_people, int(bodies.max()))
    elif "frames_with_others" in ds.attrs:
        share = int(ds.attrs["frames_with_others"]) / n
    elif max_people > 1:
        share = None
    switches, glitches = _jumps(masked.isel(individual=[0]))
    t = np.asarray(ds["time"].values, dtype=np.float64)
    return PeopleSeen(
        individuals=n_ind,
        max_people=max_people,
        others_share=share,
        switches=len(switches),
        switch_s=tuple(float(t[i]) for i in switches),
        glitches=len(glitches),
    )


def _fix(filming: str) -> str:
    return f"Film with only the person exercising in the picture. {filming}"


def refuse_crowd(seen: PeopleSeen, filming: str, path: str | None) -> None:
    """Refuse a clip in which someone else is in view too often, or the tracked body
    switched to another person.

    Raises
    ------
    QualityError
        A second person in more than ``MAX_OTHERS_SHARE`` of the frames (or at an
        unknown share), or a switch of the tracked body.
    """
    if seen.others_share is None:
        raise QualityError(
            f"up to {seen.max_people} people were in view, and the source does not say in "
            "which frames; the form check judges one person and cannot tell them apart",
            path=path,
            fix=_fix(filming),
        )
    if seen.others_share > MAX_OTHERS_SHARE:
        raise QualityError(
            f"{seen.max_people} people are in view (a second body in "
            f"{seen.others_share:.0%} of the frames); the form check judges one person",
            path=path,
            fix=_fix(filming),
        )
    if seen.switches:
        when = ", ".join(f"{s:.1f} s" for s in seen.switch_s[:3])
        raise QualityError(
            f"the tracked body jumped to another place in the picture and stayed there "
            f"({seen.switches} time(s), at {when}): a second person is probably in view, "
            "and the verdict would mix the two",
            path=path,
            fix=_fix(filming),
        )


def one_person_message(seen: PeopleSeen) -> tuple[bool, str]:
    """Whether the clip showed one person throughout, and what was seen, in words."""
    if seen.others_share:
        return False, (
            f"a second person was in view in {seen.others_share:.0%} of the frames; "
            "the person judged is the one tracked throughout"
        )
    if seen.glitches:
        return False, (
            f"the tracked body jumped away and back {seen.glitches} time(s): a brief "
            "tracking error, or someone passing"
        )
    return True, "one person tracked throughout"
