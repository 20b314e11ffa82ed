"""The frame rate of a clip or keypoint file, checked once where it is read.

Every later step (the low-pass filter, the step period, contact timing) takes the frame
rate as given, so a rate no camera films at is refused here, with its reason, before it
can turn into a misleading message further down.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Final

import numpy as np
import numpy.typing as npt

from upright.errors import CorruptFileError, QualityError

__all__ = [
    "MAX_PLAUSIBLE_FPS",
    "MIN_USABLE_FPS",
    "validate_fps",
    "validate_frame_times",
    "validate_video_timing",
]

#: Below this a running step (about 0.3 s at 180 steps/min) spans three frames or fewer,
#: too few to find foot contact or the rise and fall of the hips. 30 fps or more is
#: advised (see ``upright.kinematics.quality``); 10-25 fps is analysed with a warning.
MIN_USABLE_FPS: Final = 10.0
#: No camera films a runner faster than this (phone slow motion stops at 240-960 fps);
#: a higher rate is a wrong value in the file, not a recording.
MAX_PLAUSIBLE_FPS: Final = 1000.0
#: The rate the timestamps show may differ from the stated one by this factor at most
#: (a variable-frame-rate phone clip stays well within it).
_MAX_RATE_RATIO: Final = 1.5


def validate_fps(fps: float, path: str | Path | None, *, fix: str) -> float:
    """Return ``fps`` if a camera could have filmed a runner at it; refuse it otherwise.

    Parameters
    ----------
    fps
        Frames per second, as the file states it (or as it was given).
    path
        The file it belongs to, named in the error (None for data made in memory).
    fix
        What the user can do when the rate is not a real one (depends on where it came
        from: the file, ``--fps``, the video's header).

    Raises
    ------
    CorruptFileError
        ``fps`` is not a finite positive number, or is above :data:`MAX_PLAUSIBLE_FPS`.
    QualityError
        ``fps`` is below :data:`MIN_USABLE_FPS`.
    """
    if not (math.isfinite(fps) and fps > 0):
        raise CorruptFileError(
            f"its frame rate is {fps:.4g} fps; a frame rate must be a positive number",
            path=path,
            fix=fix,
        )
    if fps > MAX_PLAUSIBLE_FPS:
        raise CorruptFileError(
            f"its frame rate is {fps:.4g} fps; no camera films a runner at over "
            f"{MAX_PLAUSIBLE_FPS:g} fps, so that rate is wrong",
            path=path,
            fix=fix,
        )
    if fps < MIN_USABLE_FPS:
        raise QualityError(
            f"its frame rate is {fps:.4g} fps; a running step lasts about 0.3 s, so at least "
            f"{MIN_USABLE_FPS:g} frames per second are needed to follow it",
            path=path,
            fix="Film at 30 fps or more (60 fps is better for foot contact)",
        )
    return float(fps)


def validate_frame_times(time_s: npt.ArrayLike, fps: float, path: str | Path) -> None:
    """Refuse timestamps whose spacing contradicts the frame rate stated with them.

    The median interval between frames gives the rate the timestamps show; it must lie
    within a factor of 1.5 of ``fps`` (already checked by :func:`validate_fps`).

    Raises
    ------
    CorruptFileError
        The timestamps and the stated rate disagree.
    """
    t = np.asarray(time_s, dtype=np.float64)
    if t.size < 2:
        return
    interval_s = float(np.median(np.diff(t)))
    shown = 1.0 / interval_s if interval_s > 0 else math.inf
    if not (1 / _MAX_RATE_RATIO <= shown / fps <= _MAX_RATE_RATIO):
        raise CorruptFileError(
            f"it states a frame rate of {fps:.4g} fps, but its timestamps are "
            f"{interval_s:.4g} s apart ({shown:.4g} fps)",
            path=path,
            fix="Correct the frame rate or the timestamps in the file, or export the "
            "keypoints again",
        )


def validate_video_timing(pts_sorted: list[int], fps: float, path: str | Path) -> None:
    """Refuse a clip whose frames share timestamps, or whose frame rate is not a camera's.

    Parameters
    ----------
    pts_sorted
        The presentation timestamps of the clip's frames (stream ticks), sorted.
    fps
        The clip's average frame rate.
    path
        The clip, named in the error.

    Raises
    ------
    CorruptFileError
        Two or more frames share a timestamp, or the rate is not a positive number or
        above :data:`MAX_PLAUSIBLE_FPS`.
    QualityError
        The rate is below :data:`MIN_USABLE_FPS`.
    """
    n_shared = int(np.count_nonzero(np.diff(np.asarray(pts_sorted, dtype=np.int64)) == 0))
    if n_shared:
        raise CorruptFileError(
            f"its frames share timestamps: {n_shared} of its {len(pts_sorted)} frames have no "
            "time of their own, so the time between frames is unknown; the clip was re-timed "
            "or damaged",
            path=path,
            fix="Export the clip again from the phone or editing app at a constant frame rate",
        )
    validate_fps(
        fps,
        path,
        fix="Export the clip again from the phone or editing app at a constant frame rate",
    )
