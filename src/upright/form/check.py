"""The form check of one clip, from raw keypoints to the judgement.

Steps: clean (even time grid, low-confidence points to NaN, short gaps filled, zero-lag
low-pass), level the picture (the floor line of the exercise, or the tilt the user gives),
decide which way the head lies, compute the measures, judge them. Quality screening is
:mod:`upright.form.screen`; the summary is made by the service.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import xarray as xr

from upright.form.definitions import ExerciseForm, Side
from upright.form.geometry import compute_measures, detect_head_direction, floor_tilt_deg
from upright.form.judge import FormJudgement, judge_form
from upright.form.timing import Timing
from upright.signal.clean import is_variable_rate
from upright.signal.filters import (
    DEFAULT_CONFIDENCE_THRESHOLD,
    fill_gaps,
    lowpass,
    mask_low_confidence,
    resample_uniform,
    rotate_positions,
)

__all__ = [
    "FORM_CUTOFF_HZ",
    "FORM_MAX_GAP_S",
    "MAX_FLOOR_TILT_DEG",
    "FormCheck",
    "check_form_pose",
    "clean_exercise_pose",
]

#: Exercise holds and reps move well below 1 Hz; a 3 Hz low-pass keeps them and removes
#: most of the frame-to-frame jitter of the keypoints (design heuristic).
FORM_CUTOFF_HZ = 3.0
#: Gaps up to this long are bridged: a hold changes little in a quarter of a second.
FORM_MAX_GAP_S = 0.25
#: A floor line steeper than this is not a camera roll but a failed estimate.
MAX_FLOOR_TILT_DEG = 30.0
#: The floor line counts only when seen in this share of the frames.
MIN_FLOOR_SHARE = 0.3

TiltSource = Literal["floor line", "given", "not corrected"]


@dataclass(frozen=True)
class FormCheck:
    """The judgement of a clip and how the picture was set up for it."""

    judgement: FormJudgement
    clean: xr.Dataset
    head_direction: int
    tilt_deg: float
    tilt_source: TiltSource
    notes: list[str]


def clean_exercise_pose(
    ds: xr.Dataset, confidence_threshold: float = DEFAULT_CONFIDENCE_THRESHOLD
) -> xr.Dataset:
    """Even time grid, low-confidence points to NaN, gaps up to ``FORM_MAX_GAP_S``
    filled, and a zero-lag low-pass at ``FORM_CUTOFF_HZ`` (or a quarter of the frame
    rate, if lower). Unlike running, the feet are not untangled: in an exercise they rest
    side by side on purpose."""
    if is_variable_rate(ds):
        ds = resample_uniform(ds, float(ds.attrs["fps"]))
    ds = mask_low_confidence(ds, confidence_threshold)
    ds = fill_gaps(ds, FORM_MAX_GAP_S)
    if ds.sizes["time"] < 16:  # too short for the filter's padding: leave it raw
        return ds
    return lowpass(ds, min(FORM_CUTOFF_HZ, 0.25 * float(ds.attrs["fps"])))


def _level(
    ds: xr.Dataset, definition: ExerciseForm, side: Side | None, tilt_deg: float | None
) -> tuple[xr.Dataset, float, TiltSource, list[str]]:
    if tilt_deg is not None:
        out = rotate_positions(ds, -tilt_deg) if tilt_deg else ds
        return out, float(tilt_deg), "given", []
    if definition.floor_points is None:
        return (
            ds,
            0.0,
            "not corrected",
            [
                f"The {definition.name.lower()} has no body points resting on the floor to "
                "level the picture by; the camera is taken as level. Give --tilt-deg if it "
                "was not."
            ],
        )
    found, n = floor_tilt_deg(ds, definition.floor_points, side)
    share = n / max(int(ds.sizes["time"]), 1)
    if not np.isfinite(found) or share < MIN_FLOOR_SHARE or abs(found) > MAX_FLOOR_TILT_DEG:
        shown = (
            "not seen" if not np.isfinite(found) else f"{found:+.1f} deg in {share:.0%} of frames"
        )
        return (
            ds,
            0.0,
            "not corrected",
            [
                "Camera tilt not corrected: the floor line "
                f"({' to '.join(definition.floor_points)}) was {shown}; the camera is taken as "
                "level. Give --tilt-deg if it was not."
            ],
        )
    return rotate_positions(ds, -found), found, "floor line", []


def check_form_pose(
    ds: xr.Dataset,
    definition: ExerciseForm,
    side: Side | None = None,
    *,
    tilt_deg: float | None = None,
    confidence_threshold: float = DEFAULT_CONFIDENCE_THRESHOLD,
    timing: Timing | None = None,
) -> FormCheck:
    """Judge one clip's keypoints (y up) for the exercise ``definition``.

    ``tilt_deg`` is the angle of the floor line in the picture (+ rising to the right);
    None finds it from the exercise's floor points.
    """
    clean = clean_exercise_pose(ds, confidence_threshold)
    levelled, tilt, source, notes = _level(clean, definition, side, tilt_deg)
    head = detect_head_direction(levelled)
    frames = compute_measures(levelled, definition, side, head)
    judgement = judge_form(frames, definition, timing)
    return FormCheck(judgement, levelled, head, tilt, source, notes)
