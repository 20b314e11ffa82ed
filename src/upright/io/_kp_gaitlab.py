"""GaitLab pose JSON (RTMPose keypoints) reader."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from upright.errors import (
    CorruptFileError,
    InsufficientDataError,
    UnsupportedFormatError,
)
from upright.io._kp_common import (
    _GAITLAB_FIX,
    ACCEPTED_FORMATS,
    DEFAULT_FPS,
    _assumed_extent,
    _check_agrees,
    _clip_note,
    _is_positive,
    _load_json,
    _log,
    _SizeHint,
    _to_canonical,
)
from upright.skeleton import (
    KEYPOINTS,
    FloatArray,
    make_pose_dataset,
)

#: GaitLab keypoint name -> canonical name. neck, mid_hip and the small toes have no
#: canonical slot and are dropped; canonical names are accepted as they are.
_GAITLAB_NAMES: dict[str, str] = {
    "nose": "nose",
    "head": "head_top",
    **{
        f"{s[0]}_{part}": f"{s}_{part}"
        for s in ("left", "right")
        for part in ("eye", "ear", "shoulder", "elbow", "wrist", "hip", "knee", "ankle", "heel")
    },
    "l_big_toe": "left_toe",
    "r_big_toe": "right_toe",
    **{name: name for name in KEYPOINTS},
}


def _read_gaitlab_json(path: Path, fps: float | None, size: _SizeHint) -> xr.Dataset:
    """Read a GaitLab pose JSON file (``gaitlab.pose/v1``)."""
    data = _load_json(path, "the pose JSON file")
    if not isinstance(data, dict):
        raise CorruptFileError(
            f"holds a JSON {type(data).__name__}, not an object with 'keypoint_names' and 'frames'",
            path=path,
            fix="Pass a GaitLab pose JSON file",
        )
    if "people" in data:
        raise UnsupportedFormatError(
            "is a single OpenPose frame file",
            path=path,
            fix="Pass the folder that holds all the *_keypoints.json files of the clip",
        )
    if not ({"keypoint_names", "frames", "schema"} & data.keys()):
        raise UnsupportedFormatError(
            "is JSON but not GaitLab pose JSON (no 'keypoint_names' or 'frames')",
            path=path,
            fix=f"Pass {ACCEPTED_FORMATS}",
        )
    names = _gaitlab_names(data, path)
    points = _gaitlab_frames(data, len(names), path)
    index = {_GAITLAB_NAMES[n]: i for i, n in enumerate(names) if n in _GAITLAB_NAMES}
    if not index:
        raise UnsupportedFormatError(
            f"none of its keypoint names ({', '.join(names[:5])}, ...) is one upright knows",
            path=path,
            fix="Use a GaitLab file with named body keypoints (l_shoulder, l_hip, ...)",
        )
    pos, conf, n_clipped = _to_canonical(points, index)
    notes = _clip_note(n_clipped)

    stated_fps = _optional_positive(data, "fps", path)
    if stated_fps is not None:
        _check_agrees("fps", stated_fps, fps, path)
    time_s, nominal_fps, fps_assumed, time_notes = _gaitlab_time(data, len(points), stated_fps, fps)
    notes += time_notes

    width = _optional_positive(data, "width", path)
    height = _optional_positive(data, "height", path)
    for key, stated, given in (("width", width, size.width_px), ("height", height, size.height_px)):
        if stated is not None:
            _check_agrees(f"image_{key}_px", stated, given, path)
    width = width or size.width_px
    height = height or size.height_px
    size_assumed = height is None or width is None
    if height is None:
        height = _assumed_extent(pos, axis=1)
        notes.append(f"image height unknown; assumed {height} px (lowest point seen)")
    if width is None:
        width = _assumed_extent(pos, axis=0)

    source = str(data.get("source") or "unknown")
    ds = make_pose_dataset(
        pos,
        conf,
        time_s,
        fps=nominal_fps,
        source_software=f"{source.split('-')[0]} via gaitlab",
        source_file=str(path.resolve()),
        image_width_px=int(width),
        image_height_px=int(height),
        y_up=False,
    )
    dropped = sorted(n for n in names if n not in _GAITLAB_NAMES)
    ds.attrs.update(
        source_model=source,
        source_format=str(data.get("schema") or "gaitlab.pose"),
        source_view=str(data.get("view") or "unknown"),
        source_keypoints_dropped=", ".join(dropped),
        fps_assumed=int(fps_assumed),
        image_size_assumed=int(size_assumed),
    )
    return _log(ds, [f"read GaitLab pose JSON {path.name}", *notes])


def _gaitlab_names(data: Mapping[str, Any], path: Path) -> list[str]:
    """The file's keypoint names, checked."""
    if "keypoint_names" not in data:
        raise CorruptFileError(
            "lacks the required key 'keypoint_names'", path=path, fix=_GAITLAB_FIX
        )
    names = data["keypoint_names"]
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise CorruptFileError(
            "key 'keypoint_names' must be a list of names", path=path, fix=_GAITLAB_FIX
        )
    if len(set(names)) != len(names):
        raise CorruptFileError(
            "key 'keypoint_names' names a keypoint twice", path=path, fix=_GAITLAB_FIX
        )
    return names


def _gaitlab_frames(data: Mapping[str, Any], n_names: int, path: Path) -> FloatArray:
    """Frames as a (frame, keypoint, 3) float array; a frame that is empty is all NaN."""
    if "frames" not in data:
        raise CorruptFileError("lacks the required key 'frames'", path=path, fix=_GAITLAB_FIX)
    frames = data["frames"]
    if not isinstance(frames, list):
        raise CorruptFileError("key 'frames' must be a list of frames", path=path, fix=_GAITLAB_FIX)
    if not frames:
        raise InsufficientDataError(
            "holds zero frames",
            path=path,
            fix="Extract keypoints from a clip with the runner in view",
        )
    points = np.full((len(frames), n_names, 3), np.nan)
    for i, frame in enumerate(frames):
        if frame is None or frame == []:
            continue
        try:
            arr = np.asarray(frame, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise CorruptFileError(
                f"frame {i} is not a list of [x, y, score] numbers", path=path, fix=_GAITLAB_FIX
            ) from exc
        if arr.shape != (n_names, 3):
            raise CorruptFileError(
                f"frame {i} has shape {arr.shape}; expected ({n_names}, 3): one "
                "[x, y, score] per name in 'keypoint_names'",
                path=path,
                fix=_GAITLAB_FIX,
            )
        points[i] = arr
    return points


def _optional_positive(data: Mapping[str, Any], key: str, path: Path) -> float | None:
    """A positive number stated under ``key``, None when absent, error when invalid."""
    value = data.get(key)
    if value is None:
        return None
    if not _is_positive(value):
        raise CorruptFileError(
            f"key '{key}' must be a positive number, got {value!r}",
            path=path,
            fix=f"Correct or remove '{key}' in the file",
        )
    return float(value)


def _gaitlab_time(
    data: Mapping[str, Any], n_frames: int, stated_fps: float | None, fps: float | None
) -> tuple[FloatArray, float, bool, list[str]]:
    """Timestamps, nominal fps, whether that fps is assumed, and processing notes.

    The file's timestamps are used when there is one per frame and they increase
    strictly; otherwise time is derived from the fps (the file's, else the caller's,
    else :data:`DEFAULT_FPS`), and the log says so.
    """
    given = stated_fps or fps
    stamps = _valid_timestamps(data.get("timestamps"), n_frames)
    if stamps is not None:
        if given is not None:
            return stamps, given, False, []
        if n_frames > 1:
            return stamps, 1.0 / float(np.median(np.diff(stamps))), False, []
        return stamps, DEFAULT_FPS, True, []
    nominal = given or DEFAULT_FPS
    if data.get("timestamps") is None:
        why = "timestamps missing"
    else:
        why = "timestamps unusable (not one number per frame, strictly increasing)"
    notes = [f"{why}; derived from fps={nominal:g}"]
    if given is None:
        notes.append(f"frame rate not stated; assumed {DEFAULT_FPS:g} fps")
    return np.arange(n_frames) / nominal, nominal, given is None, notes


def _valid_timestamps(value: Any, n_frames: int) -> FloatArray | None:
    """The file's timestamps if one per frame, finite and strictly increasing."""
    if not isinstance(value, list) or len(value) != n_frames:
        return None
    try:
        t = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    if t.ndim != 1 or not np.all(np.isfinite(t)) or not np.all(np.diff(t) > 0):
        return None
    return t
