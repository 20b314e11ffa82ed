"""Checks of whether a recording can support the measurements, each with its reason."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import xarray as xr

from upright.kinematics.angles import midpoint
from upright.signal.filters import DEFAULT_CONFIDENCE_THRESHOLD
from upright.skeleton import point
from upright.summaries import QualityCheck

__all__ = [
    "MIN_FPS",
    "MIN_STRIDES",
    "check_frame_rate",
    "check_one_runner",
    "check_person_found",
    "check_side_view",
    "check_strides",
    "check_whole_body",
]

#: Below 25 fps a running step (about 0.35 s) has under 9 frames.
MIN_FPS = 25.0
#: Strides needed before a per-stride median is reported.
MIN_STRIDES = 3
#: Fraction of frames that must show the whole body.
MIN_WHOLE_BODY = 0.8
#: In a side view left and right shoulders (and hips) overlap: their horizontal
#: separation above this fraction of the trunk length means an oblique camera.
MAX_OBLIQUE_RATIO = 0.35
#: A pelvis jump above this many leg lengths between frames means another person.
MAX_JUMP_LEG = 0.5

_BODY_GROUPS = {
    "head": ("nose", "left_ear", "right_ear", "head_top"),
    "shoulders": ("left_shoulder", "right_shoulder"),
    "hips": ("left_hip", "right_hip"),
    "feet": ("left_heel", "right_heel", "left_toe", "right_toe", "left_ankle", "right_ankle"),
}


def check_frame_rate(fps: float) -> QualityCheck:
    ok = fps >= MIN_FPS
    return QualityCheck(
        name="frame_rate",
        passed=ok,
        value=round(fps, 2),
        limit=f">= {MIN_FPS:g} fps (>= 50 fps for contact time)",
        message=(
            f"{fps:.1f} fps" + ("" if ok else ": too few frames per step; film at 30 fps or more")
        ),
    )


#: A head point counts only this far above the mid-shoulder, and a foot point only this
#: far below the mid-hip, in trunk lengths: a pose model asked for a head or feet that
#: are out of frame tends to put them on the shoulders or shins, inside the picture.
MIN_HEAD_ABOVE_SHOULDER_TRUNK = 0.1
MIN_FOOT_BELOW_HIP_TRUNK = 0.8
#: Room needed between a head point and the top of the picture, and between a foot point
#: and the bottom, in trunk lengths. The skull's top is about 0.28 trunk lengths above
#: the ear (Winter 2009: ear about 0.92 H, top 1.0 H, trunk 0.29 H); a pose model guesses
#: a cut-off head just inside the edge, so the head needs twice that room to count.
MIN_HEADROOM_TRUNK = 0.6
MIN_FOOTROOM_TRUNK = 0.1


def _detected(
    ds: xr.Dataset, names: tuple[str, ...], threshold: float = DEFAULT_CONFIDENCE_THRESHOLD
) -> npt.NDArray[np.bool_]:
    """(time, keypoint) mask: detected with confidence, and inside the picture."""
    have = [k for k in names if k in ds.coords["keypoint"].values]
    pos = ds["position"].sel(keypoint=have).isel(individual=0).values  # time, space, kp
    conf = ds["confidence"].sel(keypoint=have).isel(individual=0).values
    w, h = float(ds.attrs.get("image_width_px", 0)), float(ds.attrs.get("image_height_px", 0))
    with np.errstate(invalid="ignore"):
        ok = ~np.isnan(pos).any(axis=1) & (conf >= threshold)
        if w > 0 and h > 0:
            ok &= (pos[:, 0] >= 0) & (pos[:, 0] <= w) & (pos[:, 1] >= 0) & (pos[:, 1] <= h)
    return np.asarray(ok)


def _present(
    ds: xr.Dataset, group: str, threshold: float = DEFAULT_CONFIDENCE_THRESHOLD
) -> npt.NDArray[np.bool_]:
    """Per frame, whether a body part is seen, inside the picture, where it should be."""
    names = _BODY_GROUPS[group]
    ok = _detected(ds, names, threshold)
    if group in ("head", "feet"):
        have = [k for k in names if k in ds.coords["keypoint"].values]
        y = ds["position"].sel(keypoint=have, space="y").isel(individual=0).values
        hip = midpoint(ds, "left_hip", "right_hip")
        shoulder = midpoint(ds, "left_shoulder", "right_shoulder")
        trunk = np.linalg.norm(shoulder - hip, axis=1)[:, None]
        top = float(ds.attrs.get("image_height_px", 0)) or np.inf
        with np.errstate(invalid="ignore"):
            if group == "head":
                ok &= y - shoulder[:, 1:2] >= MIN_HEAD_ABOVE_SHOULDER_TRUNK * trunk
                ok &= top - y >= MIN_HEADROOM_TRUNK * trunk
            else:
                ok &= hip[:, 1:2] - y >= MIN_FOOT_BELOW_HIP_TRUNK * trunk
                if np.isfinite(top):
                    ok &= y >= MIN_FOOTROOM_TRUNK * trunk
    return np.asarray(ok.any(axis=1))


def person_fraction(ds: xr.Dataset, threshold: float = DEFAULT_CONFIDENCE_THRESHOLD) -> float:
    """Fraction of frames in which shoulders and hips were found."""
    return float(np.mean(_present(ds, "shoulders", threshold) & _present(ds, "hips", threshold)))


def check_person_found(
    ds: xr.Dataset, threshold: float = DEFAULT_CONFIDENCE_THRESHOLD
) -> QualityCheck:
    frac = person_fraction(ds, threshold)
    return QualityCheck(
        name="person_found",
        passed=frac >= 0.5,
        value=round(frac, 3),
        limit=">= 50% of frames",
        message=f"a runner was found in {frac:.0%} of frames",
    )


def whole_body_fractions(
    ds: xr.Dataset, threshold: float = DEFAULT_CONFIDENCE_THRESHOLD
) -> dict[str, float]:
    """Per body part, the fraction of frames where it is detected inside the image."""
    return {g: float(np.mean(_present(ds, g, threshold))) for g in _BODY_GROUPS}


def check_whole_body(
    ds: xr.Dataset, threshold: float = DEFAULT_CONFIDENCE_THRESHOLD
) -> QualityCheck:
    parts = whole_body_fractions(ds, threshold)
    worst = min(parts, key=lambda k: parts[k])
    frac = float(np.mean(np.all([_present(ds, g, threshold) for g in _BODY_GROUPS], axis=0)))
    ok = frac >= MIN_WHOLE_BODY
    msg = f"head, shoulders, hips and feet all in view in {frac:.0%} of frames"
    if not ok:
        msg += f"; least seen: {worst} ({parts[worst]:.0%}). Step back so the whole body fits"
    return QualityCheck(
        name="whole_body",
        passed=ok,
        value=round(frac, 3),
        limit=f">= {MIN_WHOLE_BODY:.0%}",
        message=msg,
    )


def check_side_view(ds: xr.Dataset) -> QualityCheck:
    trunk = np.linalg.norm(
        midpoint(ds, "left_shoulder", "right_shoulder") - midpoint(ds, "left_hip", "right_hip"),
        axis=1,
    )
    seps = []
    for a, b in (("left_shoulder", "right_shoulder"), ("left_hip", "right_hip")):
        seps.append(np.abs(point(ds, a)[:, 0] - point(ds, b)[:, 0]) / trunk)
    sep = np.nanmedian(np.concatenate(seps)) if np.isfinite(np.concatenate(seps)).any() else np.nan
    ok = bool(np.isfinite(sep) and sep <= MAX_OBLIQUE_RATIO)
    return QualityCheck(
        name="side_view",
        passed=ok,
        value=None if not np.isfinite(sep) else round(float(sep), 3),
        limit=f"left-right separation <= {MAX_OBLIQUE_RATIO:g} trunk lengths",
        message=(
            "side view: left and right shoulders and hips overlap"
            if ok
            else "the camera looks at the runner at an angle (or from the front or back); "
            "place it level and square to the running direction"
        ),
    )


def check_one_runner(ds: xr.Dataset, leg_length_px: float) -> QualityCheck:
    pelvis = midpoint(ds, "left_hip", "right_hip")
    jumps = np.linalg.norm(np.diff(pelvis, axis=0), axis=1) / leg_length_px
    n_jumps = int(np.nansum(jumps > MAX_JUMP_LEG))
    people = int(ds.attrs.get("max_people_seen", 1) or 1)
    ok = n_jumps == 0 and people <= 1
    msg = "one runner tracked throughout"
    if people > 1:
        msg = f"up to {people} people in view; the runner was kept by continuity, check the video"
    if n_jumps:
        msg = f"the tracked body jumped {n_jumps} times: someone else may be in view"
    return QualityCheck(
        name="one_runner",
        passed=ok,
        value=float(n_jumps),
        limit=f"no jumps above {MAX_JUMP_LEG} leg lengths between frames; one person",
        message=msg,
    )


def check_strides(n_strides: int, needed: int = MIN_STRIDES) -> QualityCheck:
    ok = n_strides >= needed
    return QualityCheck(
        name="enough_strides",
        passed=ok,
        value=float(n_strides),
        limit=f">= {needed} strides (>= 6 for a drift)",
        message=f"{n_strides} complete strides"
        + ("" if ok else "; film at least 10 s of steady running"),
    )
