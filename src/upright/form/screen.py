"""Can this clip show the exercise? Checks before and after the judgement.

Refused (an error, nothing written): nobody in the picture, a clip too short for a hold,
a second person in view (see :mod:`upright.form.people` for what is and is not
detected), the body points the exercise is judged by out of the picture, the camera on
the wrong side (a front view where a side view is needed, or the reverse), and a clip in
which the position is never reached (a different exercise, or someone standing, walking
or running). Reported, not refused: someone passing briefly, a tracking glitch, a low
frame rate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import xarray as xr

from upright.errors import InsufficientDataError, QualityError
from upright.form.definitions import ExerciseForm, Side
from upright.form.geometry import body_point, point_keypoints
from upright.form.judge import FormJudgement
from upright.form.people import (
    MAX_OTHERS_SHARE,
    PeopleSeen,
    one_person_message,
    people_seen,
    refuse_crowd,
)
from upright.kinematics.angles import midpoint
from upright.signal.filters import DEFAULT_CONFIDENCE_THRESHOLD
from upright.skeleton import point
from upright.summaries import CheckName

__all__ = [
    "FRONT_VIEW_MIN_RATIO",
    "MIN_CLIP_S",
    "MIN_PERSON_SHARE",
    "MIN_POINT_SHARE",
    "SIDE_VIEW_MAX_RATIO",
    "Check",
    "check_frame_rate",
    "check_one_person",
    "screen_after",
    "screen_before",
]

#: A hold needs a second to count as reached, and some of it held: 3 s at the least.
MIN_CLIP_S = 3.0
#: Shoulders and hips must be seen in this share of the frames.
MIN_PERSON_SHARE = 0.5
#: Each body point the exercise is judged by must be seen in this share of the frames
#: in which the person is.
MIN_POINT_SHARE = 0.5
#: Side view: left and right shoulders (and hips) overlap; their distance over the trunk
#: length stays below this (as for running, see upright.kinematics.quality).
SIDE_VIEW_MAX_RATIO = 0.35
#: Front view: the shoulders and hips are seen side by side, at least this far apart
#: (shoulder width is about 0.9 trunk lengths, hip width 0.65; Winter 2009).
FRONT_VIEW_MIN_RATIO = 0.5
#: Under this frame rate the timing of a hold is coarse.
MIN_FPS = 15.0
#: The body counts as upright when its ankle-shoulder line is within this much of
#: vertical.
UPRIGHT_WITHIN_DEG = 30.0

BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Check:
    """A quality check of the recording, for the summary."""

    name: CheckName
    passed: bool
    value: float | None
    limit: str
    message: str


def _seen(ds: xr.Dataset, name: str, side: Side | None, threshold: float) -> BoolArray:
    """Per frame, whether a body point is detected with confidence inside the picture."""
    w, h = float(ds.attrs.get("image_width_px", 0)), float(ds.attrs.get("image_height_px", 0))
    ok = np.zeros(ds.sizes["time"], dtype=bool)
    for key in point_keypoints(name, side):
        if key not in ds.coords["keypoint"].values:
            continue
        xy = point(ds, key)
        conf = ds["confidence"].sel(keypoint=key).isel(individual=0).values
        with np.errstate(invalid="ignore"):
            seen = np.isfinite(xy).all(axis=1) & (conf >= threshold)
            if w > 0 and h > 0:
                seen &= (xy[:, 0] >= 0) & (xy[:, 0] <= w) & (xy[:, 1] >= 0) & (xy[:, 1] <= h)
        ok |= seen
    return ok


def _person(ds: xr.Dataset, threshold: float) -> BoolArray:
    return np.asarray(_seen(ds, "shoulder", None, threshold) & _seen(ds, "hip", None, threshold))


def _plural(name: str) -> str:
    base = name.removeprefix("side_").removeprefix("other_")
    word = {
        "hip": "hips",
        "knee": "knees",
        "ankle": "ankles",
        "shoulder": "shoulders",
        "elbow": "elbows",
        "wrist": "wrists",
        "heel": "heels",
        "toe": "toes",
    }[base]
    if name.startswith("side_"):
        return f"the {word[:-1]} on the chosen side"
    if name.startswith("other_"):
        return f"the {word[:-1]} on the other side"
    return f"the {word}"


def view_ratio(ds: xr.Dataset) -> float:
    """Median distance between the left and right shoulders and hips, in trunk lengths
    (NaN when never seen)."""
    trunk = np.linalg.norm(
        midpoint(ds, "left_shoulder", "right_shoulder") - midpoint(ds, "left_hip", "right_hip"),
        axis=1,
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        gaps = [
            np.linalg.norm(point(ds, f"left_{p}") - point(ds, f"right_{p}"), axis=1) / trunk
            for p in ("shoulder", "hip")
        ]
    values = np.concatenate(gaps)
    values = values[np.isfinite(values)]
    return float(np.median(values)) if values.size else float("nan")


def _view_error(definition: ExerciseForm, ratio: float, path: str | None) -> QualityError:
    need = "from the side" if definition.view == "side" else "from the front"
    if definition.view == "side":
        seen = "from the front or back" if ratio >= FRONT_VIEW_MIN_RATIO else "at an angle"
    else:
        seen = "from the side" if ratio <= SIDE_VIEW_MAX_RATIO else "at an angle"
    return QualityError(
        f"the camera sees the body {seen} (left and right shoulders and hips "
        f"{ratio:.2f} trunk lengths apart); the {definition.name.lower()} is judged "
        f"{need}",
        path=path,
        fix=definition.filming,
    )


def screen_before(
    ds: xr.Dataset,
    definition: ExerciseForm,
    side: Side | None,
    *,
    source_file: str = "",
    threshold: float = DEFAULT_CONFIDENCE_THRESHOLD,
) -> list[Check]:
    """Refuse a clip that cannot show the exercise; return the checks that passed.

    Raises
    ------
    InsufficientDataError
        The clip is shorter than ``MIN_CLIP_S``.
    QualityError
        Nobody in most frames, a second person in view, a judged body point out of the
        picture, or the wrong view.
    """
    path = source_file or None
    t = np.asarray(ds["time"].values, dtype=np.float64)
    duration = float(t[-1] - t[0]) if t.size > 1 else 0.0
    if duration < MIN_CLIP_S:
        raise InsufficientDataError(
            f"the clip is {duration:.1f} s long; the form check needs at least "
            f"{MIN_CLIP_S:g} s (a second to reach the position, then the hold)",
            path=path,
            fix="Film the whole exercise, from setting up to the end of the hold",
        )
    person = _person(ds, threshold)
    share = float(np.mean(person))
    if share < MIN_PERSON_SHARE:
        raise QualityError(
            f"nobody was found in {1 - share:.0%} of the frames",
            path=path,
            fix=f"Film one person doing the exercise, the whole body in view. {definition.filming}",
        )
    seen = people_seen(ds, threshold)
    refuse_crowd(seen, definition.filming, path)
    checks = [
        Check(
            "person_found",
            True,
            round(share, 3),
            f">= {MIN_PERSON_SHARE:.0%} of frames",
            f"a person was found in {share:.0%} of frames",
        ),
    ]
    points = sorted({p for m in definition.measures for p in m.points})
    shares = {p: float(np.mean(_seen(ds, p, side, threshold)[person])) for p in points}
    worst = min(shares, key=lambda p: shares[p])
    if shares[worst] < MIN_POINT_SHARE:
        raise QualityError(
            f"{_plural(worst)} {'is' if worst.startswith(('side_', 'other_')) else 'are'} "
            "out of the picture or hidden in "
            f"{1 - shares[worst]:.0%} of the frames with the person in view",
            path=path,
            fix=f"Step the camera back so the whole body fits, with room to spare. "
            f"{definition.filming}",
        )
    checks.append(
        Check(
            "whole_body",
            True,
            round(shares[worst], 3),
            f">= {MIN_POINT_SHARE:.0%} of frames",
            f"every judged body point in view in at least {shares[worst]:.0%} of frames",
        )
    )
    ratio = view_ratio(ds)
    ok = (
        ratio <= SIDE_VIEW_MAX_RATIO if definition.view == "side" else ratio >= FRONT_VIEW_MIN_RATIO
    )
    if not np.isfinite(ratio) or not ok:
        raise _view_error(definition, ratio, path)
    side_view = definition.view == "side"
    limit = f"<= {SIDE_VIEW_MAX_RATIO:g}" if side_view else f">= {FRONT_VIEW_MIN_RATIO:g}"
    checks.append(
        Check(
            "camera_view",
            True,
            round(ratio, 3),
            f"left-right gap {limit} trunk lengths",
            f"{definition.view} view, as the exercise needs",
        )
    )
    checks.append(check_one_person(seen))
    return checks


def check_frame_rate(fps: float) -> Check:
    ok = fps >= MIN_FPS
    return Check(
        "frame_rate",
        ok,
        round(fps, 2),
        f">= {MIN_FPS:g} fps",
        f"{fps:.1f} fps" + ("" if ok else ": the hold's start and end are timed coarsely"),
    )


def check_one_person(seen: PeopleSeen) -> Check:
    """The one-person check for the summary (a clip that fails it badly is refused
    before, by :func:`upright.form.people.refuse_crowd`)."""
    ok, message = one_person_message(seen)
    return Check(
        "one_person",
        ok,
        float(seen.switches + seen.glitches),
        f"one body; a second in <= {MAX_OTHERS_SHARE:.0%} of frames; no switch of body",
        message,
    )


def screen_after(
    judgement: FormJudgement,
    definition: ExerciseForm,
    clean: xr.Dataset,
    side: Side | None,
    *,
    source_file: str = "",
) -> Check:
    """Refuse a clip in which the position is never reached, saying what was seen."""
    if judgement.holds:
        first = judgement.holds[0]
        return Check(
            "position_reached",
            True,
            round(first.start_s, 3),
            "reached at least once",
            f"position reached at {first.start_s:.1f} s",
        )
    path = source_file or None
    line = body_point(clean, "shoulder", side) - body_point(clean, "ankle", side)
    with np.errstate(invalid="ignore"):
        from_vertical = np.degrees(np.arctan2(np.abs(line[:, 0]), np.abs(line[:, 1])))
    upright = float(np.mean(from_vertical < UPRIGHT_WITHIN_DEG))
    name = definition.name.lower()
    if upright >= 0.5:
        raise QualityError(
            f"the body is upright in {upright:.0%} of the frames (standing, walking or "
            f"running): this clip does not show a {name}",
            path=path,
            fix=f"Give the clip of the {name}, or choose the exercise it shows with --exercise",
        )
    frames = judgement.frames
    missed = {
        c.means: float(
            np.mean(
                ~frames[c.measure].between(
                    c.low_deg if c.low_deg is not None else -np.inf,
                    c.high_deg if c.high_deg is not None else np.inf,
                )
            )
        )
        for c in definition.position
    }
    worst = max(missed, key=lambda m: missed[m])
    raise QualityError(
        f"the {name} position was never reached and held for a second: in "
        f"{missed[worst]:.0%} of the frames it was not true that {worst}",
        path=path,
        fix=f"Check that the clip shows the {name} ({definition.reached.lower()}), or "
        "choose the exercise it shows with --exercise",
    )
