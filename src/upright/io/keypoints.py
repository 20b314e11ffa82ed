"""Keypoints made by other pose tools, and upright's own pose files.

Three inputs are read into the pose Dataset of :mod:`upright.skeleton`:

========================================  ==========================================
what the path is                          format
========================================  ==========================================
a folder of ``*_keypoints.json`` files    OpenPose BODY_25, one JSON file per frame
a ``.json`` file                          GaitLab pose JSON (``gaitlab.pose/v1``)
a ``.nc`` file                            upright pose netCDF (movement layout),
                                          as written by :func:`write_keypoints_netcdf`
========================================  ==========================================

Every reader maps the source's keypoints onto :data:`~upright.skeleton.KEYPOINTS`
(a point the source lacks stays NaN), flips image y to y-up once, clips confidence to
0..1, and sets the position of a point to NaN where the source has none or gives it
confidence 0. What a reader had to assume is recorded in attrs, so quality checks can
say so: ``fps_assumed`` and ``image_size_assumed`` (1 assumed, 0 stated by the source),
and the ``processing`` log.
"""

from __future__ import annotations

import json
import math
import os
import re
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import xarray as xr

from upright.errors import (
    CorruptFileError,
    InputError,
    InsufficientDataError,
    QualityError,
    UnsupportedFormatError,
)
from upright.skeleton import (
    KEYPOINTS,
    FloatArray,
    add_processing_step,
    make_pose_dataset,
    validate_pose_dataset,
)

__all__ = ["read_keypoints", "write_keypoints_netcdf"]

#: Frame rate used when neither the source nor the caller states one.
DEFAULT_FPS = 30.0

ACCEPTED_FORMATS = (
    "a folder of OpenPose *_keypoints.json files, "
    "a GaitLab pose .json file, "
    "or an upright pose .nc file (saved by write_keypoints_netcdf)"
)

_GAITLAB_FIX = "Export the keypoints again with GaitLab's extractor"
_OPENPOSE_FIX = "Run OpenPose again with --write_json and the BODY_25 model (its default)"
_NETCDF_FIX = "Pass a .nc file saved by upright (write_keypoints_netcdf)"
_VIDEO_SUFFIXES = frozenset({".mp4", ".mov", ".avi", ".mkv", ".m4v", ".webm"})
_HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"

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

#: BODY_25 index of each canonical keypoint (head_top has none).
_BODY25_INDEX: dict[str, int] = {
    "nose": 0,
    "right_shoulder": 2,
    "right_elbow": 3,
    "right_wrist": 4,
    "left_shoulder": 5,
    "left_elbow": 6,
    "left_wrist": 7,
    "right_hip": 9,
    "right_knee": 10,
    "right_ankle": 11,
    "left_hip": 12,
    "left_knee": 13,
    "left_ankle": 14,
    "right_eye": 15,
    "left_eye": 16,
    "right_ear": 17,
    "left_ear": 18,
    "left_toe": 19,
    "left_heel": 21,
    "right_toe": 22,
    "right_heel": 24,
}
_BODY25_SIZE = 25
_COCO18_SIZE = 18
_OPENPOSE_NAME = re.compile(r"^(?P<prefix>.*?)(?P<number>\d+)_keypoints\.json$")


def read_keypoints(
    path: str | Path,
    *,
    fps: float | None = None,
    image_width_px: int | None = None,
    image_height_px: int | None = None,
) -> xr.Dataset:
    """Read a keypoint series from another pose tool or an upright pose file.

    Parameters
    ----------
    path
        A folder of OpenPose ``*_keypoints.json`` files, a GaitLab pose ``.json``
        file, or a ``.nc`` file saved by :func:`write_keypoints_netcdf`.
    fps
        Frame rate of the video the keypoints came from. Needed for OpenPose, whose
        files do not state it (30 is assumed otherwise, and ``attrs["fps_assumed"]``
        is 1). A value that contradicts the file's own is an error.
    image_width_px, image_height_px
        Size of the video frames, for sources that do not state it (OpenPose). When
        the height is not given it is assumed to be the lowest point seen, rounded up
        (``attrs["image_size_assumed"] = 1``), which only shifts y by a constant.

    Returns
    -------
    xarray.Dataset
        Pose Dataset (see :mod:`upright.skeleton`): positions in pixels with y up,
        confidence in 0..1, one individual ``"runner"``; attrs ``source_software``,
        ``source_file``, ``fps``, ``fps_assumed``, ``image_size_assumed``, and per
        source ``source_view`` (GaitLab) or ``max_people_seen`` (OpenPose).

    Raises
    ------
    InputError
        The path does not exist, a folder holds no ``*_keypoints.json`` files, or an
        argument is invalid or contradicts the file.
    UnsupportedFormatError
        The path is none of the formats above.
    CorruptFileError
        The format is right but the content is broken (invalid JSON, missing keys,
        frames of the wrong shape).
    InsufficientDataError
        The source holds zero frames.
    QualityError
        An OpenPose folder in which no frame shows a person.
    """
    src = Path(path)
    _check_positive("fps", fps)
    _check_positive("image_width_px", image_width_px)
    _check_positive("image_height_px", image_height_px)
    if not src.exists():
        raise InputError(
            "no such file or folder",
            path=src,
            fix=f"Check the path; upright reads {ACCEPTED_FORMATS}",
        )
    size = _SizeHint(image_width_px, image_height_px)
    if src.is_dir():
        return _read_openpose_folder(src, fps, size)
    suffix = src.suffix.lower()
    if suffix == ".json":
        return _read_gaitlab_json(src, fps, size)
    if suffix == ".nc":
        return _read_netcdf(src, fps)
    hint = ""
    if suffix in _VIDEO_SUFFIXES:
        hint = "; it is a video: extract keypoints from it first (`upright analyze`)"
    raise UnsupportedFormatError(
        f"is not a keypoint file upright reads (suffix '{src.suffix}'){hint}",
        path=src,
        fix=f"Pass {ACCEPTED_FORMATS}",
    )


def write_keypoints_netcdf(ds: xr.Dataset, path: str | Path) -> None:
    """Save a pose Dataset as a movement-style netCDF file, atomically.

    The file holds dims ``time, space, keypoint, individual``, variables
    ``position`` and ``confidence``, and the Dataset's attrs; :func:`read_keypoints`
    reads it back unchanged. It is written to a temporary file in the same folder and
    then renamed, so a failure never leaves a half-written file at ``path``.

    Parameters
    ----------
    ds
        Pose Dataset, as returned by :func:`read_keypoints`. It is not modified.
    path
        Destination, ending in ``.nc``. An existing file is replaced.

    Raises
    ------
    InputError
        ``ds`` is not a pose Dataset, has attrs netCDF cannot hold, the path does not
        end in ``.nc``, or the file cannot be written.
    """
    dest = Path(path)
    if dest.suffix.lower() != ".nc":
        raise InputError(
            f"a pose file must end in '.nc', not '{dest.suffix}'",
            path=dest,
            fix="Choose a file name ending in .nc",
        )
    validate_pose_dataset(ds, where=f"the Dataset to save as {dest}")
    bad = [key for key, value in ds.attrs.items() if not _is_netcdf_attr(value)]
    if bad:
        raise InputError(
            f"attrs {', '.join(repr(k) for k in bad)} cannot be stored in netCDF",
            path=dest,
            fix="Make every attr a string, an int or a float (use 0/1 for flags)",
        )
    if not dest.parent.is_dir():
        raise InputError(
            "the folder to save into does not exist",
            path=dest,
            fix="Create the folder first, or choose another path",
        )
    _write_atomically(ds, dest)


# ----------------------------------------------------------------------------- shared


class _SizeHint:
    """Image size given by the caller, for sources that do not state it."""

    def __init__(self, width_px: int | None, height_px: int | None) -> None:
        self.width_px = width_px
        self.height_px = height_px


def _check_positive(name: str, value: float | None) -> None:
    """Reject a caller's argument that is not a finite positive number."""
    if value is not None and not _is_positive(value):
        raise InputError(
            f"{name} must be a positive number, got {value!r}",
            fix=f"Pass a positive {name}, or leave it out",
        )


def _is_positive(value: object) -> bool:
    """Whether ``value`` is a finite number above zero (booleans are not numbers here)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return math.isfinite(value) and value > 0


def _check_agrees(name: str, stated: float, given: float | None, path: Path) -> None:
    """Refuse a caller's value that contradicts the one stated in the file."""
    if given is not None and not math.isclose(stated, given, rel_tol=1e-6):
        raise InputError(
            f"{name}={given} contradicts the file, which states {name}={stated}",
            path=path,
            fix=f"Leave {name} out; the file states it",
        )


def _load_json(path: Path, what: str) -> Any:
    """Parse a JSON file, turning every failure into an upright error."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise CorruptFileError(
            f"{what} is not UTF-8 text (byte {exc.start})",
            path=path,
            fix="Pass the JSON file the pose tool wrote, not a binary file",
        ) from exc
    except OSError as exc:
        raise InputError(
            f"{what} cannot be read: {exc.strerror or exc}",
            path=path,
            fix="Check that the file exists and that you may read it",
        ) from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise CorruptFileError(
            f"{what} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); "
            "the file may be truncated",
            path=path,
            fix="Export the keypoints again from the pose tool",
        ) from exc


def _to_canonical(
    points: FloatArray, index: Mapping[str, int]
) -> tuple[FloatArray, FloatArray, int]:
    """Map (frame, source keypoint, [x, y, score]) onto canonical keypoints.

    Returns image-y positions (frame, 2, keypoint), confidence (frame, keypoint)
    clipped to 0..1, and how many scores lay outside 0..1. A point with score 0, a
    NaN score or a non-finite coordinate gets a NaN position; a canonical keypoint
    the source lacks gets NaN position and confidence.
    """
    n_frames = points.shape[0]
    pos = np.full((n_frames, 2, len(KEYPOINTS)), np.nan)
    conf = np.full((n_frames, len(KEYPOINTS)), np.nan)
    n_clipped = 0
    for k, name in enumerate(KEYPOINTS):
        if name not in index:
            continue
        xy = points[:, index[name], :2]
        score = points[:, index[name], 2]
        finite = ~np.isnan(score)
        n_clipped += int(np.count_nonzero((score[finite] > 1) | (score[finite] < 0)))
        conf[:, k] = np.clip(score, 0.0, 1.0)
        seen = finite & (score > 0) & np.all(np.isfinite(xy), axis=1)
        pos[seen, :, k] = xy[seen]
    return pos, conf, n_clipped


def _clip_note(n_clipped: int) -> list[str]:
    """Processing-log entry for clipped confidence scores, if any."""
    if not n_clipped:
        return []
    return [f"confidence clipped to [0, 1] ({n_clipped} source scores outside it)"]


def _assumed_extent(pos_image: FloatArray, axis: int) -> int:
    """Image size assumed from the farthest point seen along x (0) or y (1)."""
    return math.ceil(float(np.nanmax(pos_image[:, axis, :])))


# ----------------------------------------------------------------------------- GaitLab


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


def _log(ds: xr.Dataset, steps: Sequence[str]) -> xr.Dataset:
    """Append each step to the processing log."""
    for step in steps:
        ds = add_processing_step(ds, step)
    return ds


# ----------------------------------------------------------------------------- OpenPose


def _read_openpose_folder(folder: Path, fps: float | None, size: _SizeHint) -> xr.Dataset:
    """Read a folder of OpenPose BODY_25 ``*_keypoints.json`` files, one per frame."""
    numbers, files = _openpose_frame_files(folder)
    people: list[list[FloatArray]] = []
    versions: set[str] = set()
    for file in files:
        frame_people, version = _read_openpose_frame(file)
        people.append(frame_people)
        if version:
            versions.add(version)
    choice = _select_runner(people)
    points = np.full((len(files), _BODY25_SIZE, 3), np.nan)
    for i, idx in enumerate(choice):
        if idx is not None:
            points[i] = people[i][idx]
    pos, conf, n_clipped = _to_canonical(points, _BODY25_INDEX)
    if np.all(np.isnan(pos)):
        raise QualityError(
            f"no person was detected in any of its {len(files)} frames",
            path=folder,
            fix="Run OpenPose with the body model on a clip that shows the runner",
        )
    notes = [f"read {len(files)} OpenPose BODY_25 frames from {folder.name}"]
    notes += _clip_note(n_clipped)
    max_people = max(len(p) for p in people)
    if max_people > 1:
        notes.append(f"up to {max_people} people per frame; runner kept by continuity")
    gaps = int(np.count_nonzero(np.diff(numbers) > 1))
    if gaps:
        notes.append(f"frame numbers skip {gaps} times; time follows the frame numbers")

    nominal = fps or DEFAULT_FPS
    if fps is None:
        notes.append(f"frame rate not stated; assumed {DEFAULT_FPS:g} fps")
    height = size.height_px or _assumed_extent(pos, axis=1)
    width = size.width_px or _assumed_extent(pos, axis=0)
    if size.height_px is None:
        notes.append(f"image height not stated; assumed {height} px (lowest point seen)")
    ds = make_pose_dataset(
        pos,
        conf,
        np.asarray(numbers, dtype=np.float64) / nominal,
        fps=nominal,
        source_software="openpose",
        source_file=str(folder.resolve()),
        image_width_px=width,
        image_height_px=height,
        y_up=False,
    )
    ds.attrs.update(
        source_format="openpose body_25 json",
        source_version=", ".join(sorted(versions)),
        fps_assumed=int(fps is None),
        image_size_assumed=int(size.height_px is None or size.width_px is None),
        max_people_seen=max_people,
    )
    return _log(ds, notes)


def _openpose_frame_files(folder: Path) -> tuple[list[int], list[Path]]:
    """Frame numbers and files of an OpenPose output folder, ordered by frame number."""
    try:
        candidates = [p for p in folder.iterdir() if p.name.endswith("_keypoints.json")]
    except OSError as exc:
        raise InputError(
            f"the folder cannot be listed: {exc.strerror or exc}",
            path=folder,
            fix="Check that you may read the folder",
        ) from exc
    if not candidates:
        raise InputError(
            "the folder holds no OpenPose *_keypoints.json files",
            path=folder,
            fix="Pass the folder OpenPose wrote with --write_json, or a GaitLab .json file",
        )
    frames: list[tuple[int, Path]] = []
    prefixes: set[str] = set()
    for file in candidates:
        match = _OPENPOSE_NAME.match(file.name)
        if match is None:
            raise InputError(
                f"cannot order the frames: '{file.name}' has no frame number",
                path=folder,
                fix="Keep OpenPose's file names (<video>_<frame number>_keypoints.json)",
            )
        prefixes.add(match["prefix"])
        frames.append((int(match["number"]), file))
    if len(prefixes) > 1:
        shown = ", ".join(repr(p) for p in sorted(prefixes)[:3])
        raise InputError(
            f"the folder mixes frames of several videos (names start {shown})",
            path=folder,
            fix="Put the keypoint files of each video in a folder of its own",
        )
    frames.sort()
    return [n for n, _ in frames], [f for _, f in frames]


def _read_openpose_frame(path: Path) -> tuple[list[FloatArray], str]:
    """Each detected person of one frame as a (25, 3) array, and the OpenPose version.

    A point OpenPose did not find, written (0, 0, 0), keeps score 0; a person with no
    point found at all is left out.
    """
    data = _load_json(path, "the OpenPose frame file")
    if not isinstance(data, dict) or not isinstance(data.get("people"), list):
        raise CorruptFileError(
            "the OpenPose frame file has no 'people' list", path=path, fix=_OPENPOSE_FIX
        )
    people: list[FloatArray] = []
    for i, person in enumerate(data["people"]):
        flat = (
            person.get("pose_keypoints_2d", person.get("pose_keypoints"))
            if isinstance(person, dict)
            else None
        )
        try:
            arr = np.asarray(flat, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise CorruptFileError(
                f"person {i}: 'pose_keypoints_2d' is not a list of numbers",
                path=path,
                fix=_OPENPOSE_FIX,
            ) from exc
        if arr.ndim != 1:
            raise CorruptFileError(
                f"person {i} has no 'pose_keypoints_2d' list", path=path, fix=_OPENPOSE_FIX
            )
        if arr.size == 0:
            continue
        if arr.size == 3 * _COCO18_SIZE:
            raise UnsupportedFormatError(
                "holds 18 keypoints per person (OpenPose COCO model); upright reads BODY_25",
                path=path,
                fix="Run OpenPose with --model_pose BODY_25 (its default)",
            )
        if arr.size != 3 * _BODY25_SIZE:
            raise CorruptFileError(
                f"person {i} has {arr.size} values in 'pose_keypoints_2d'; BODY_25 has 75 "
                "(25 keypoints x [x, y, score])",
                path=path,
                fix=_OPENPOSE_FIX,
            )
        kp = arr.reshape(_BODY25_SIZE, 3)
        if np.any(_found(kp)):
            people.append(kp)
    version = data.get("version")
    return people, "" if version is None else str(version)


def _found(kp: FloatArray) -> npt.NDArray[np.bool_]:
    """Which points of one person (25, 3) the detector found."""
    return np.asarray((kp[:, 2] > 0) & np.all(np.isfinite(kp[:, :2]), axis=1))


def _centre(kp: FloatArray) -> FloatArray:
    """Mean position of the points found."""
    return np.asarray(kp[_found(kp), :2].mean(axis=0), dtype=np.float64)


def _prominence(kp: FloatArray) -> tuple[float, float]:
    """Sum of confidence, then bounding-box area, of the points found."""
    found = kp[_found(kp)]
    extent = found[:, :2].max(axis=0) - found[:, :2].min(axis=0)
    return float(found[:, 2].sum()), float(extent[0] * extent[1])


def _select_runner(people_per_frame: Sequence[Sequence[FloatArray]]) -> list[int | None]:
    """Index of the runner among each frame's people (None when nobody is there).

    The first time anyone is seen, the runner is the most prominent person (most
    confident keypoints, then largest bounding box); after that, the person whose mean
    keypoint position is closest to where the runner was last seen.
    """
    choice: list[int | None] = []
    last: FloatArray | None = None
    for people in people_per_frame:
        if not people:
            choice.append(None)
            continue
        if last is None:
            idx = max(range(len(people)), key=lambda i: _prominence(people[i]))
        else:
            anchor = last
            idx = min(
                range(len(people)), key=lambda i: float(np.hypot(*(_centre(people[i]) - anchor)))
            )
        choice.append(idx)
        last = _centre(people[idx])
    return choice


# ----------------------------------------------------------------------------- netCDF


def _read_netcdf(path: Path, fps: float | None) -> xr.Dataset:
    """Read a pose file written by :func:`write_keypoints_netcdf`."""
    _check_hdf5(path)
    try:
        with xr.open_dataset(
            path, engine="h5netcdf", decode_times=False, decode_timedelta=False
        ) as src:
            ds = src.load()
    except (OSError, RuntimeError, ValueError, TypeError, KeyError) as exc:
        raise CorruptFileError(
            f"the netCDF file cannot be opened ({type(exc).__name__}: {exc}); it may be truncated",
            path=path,
            fix="Save the pose file again with write_keypoints_netcdf",
        ) from exc
    _check_pose_netcdf(ds, path)
    if ds.sizes["time"] == 0:
        raise InsufficientDataError(
            "holds zero frames", path=path, fix="Save a pose series with at least one frame"
        )
    time_s = np.asarray(ds["time"].values, dtype=np.float64)
    if not np.all(np.diff(time_s) > 0):
        raise CorruptFileError(
            "its 'time' is not strictly increasing",
            path=path,
            fix="Save the pose file again with write_keypoints_netcdf",
        )
    ds.attrs = {key: _plain(value) for key, value in ds.attrs.items()}
    if "fps" in ds.attrs:
        _check_agrees("fps", float(ds.attrs["fps"]), fps, path)
    if list(ds["keypoint"].values) != list(KEYPOINTS):
        ds = ds.reindex(keypoint=list(KEYPOINTS))
    return ds


def _check_hdf5(path: Path) -> None:
    """Refuse a file that is not HDF5-based netCDF-4, before handing it to h5netcdf."""
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise InputError(
            f"the file cannot be read: {exc.strerror or exc}",
            path=path,
            fix="Check that the file exists and that you may read it",
        ) from exc
    if head != _HDF5_SIGNATURE:
        kind = "a netCDF-3 file" if head.startswith(b"CDF") else "not a netCDF-4 (HDF5) file"
        raise UnsupportedFormatError(
            f"is {kind}, not an upright pose file", path=path, fix=_NETCDF_FIX
        )


def _check_pose_netcdf(ds: xr.Dataset, path: Path) -> None:
    """Name, in one error, everything that keeps ``ds`` from being an upright pose file."""
    wanted = {
        "position": ("time", "space", "keypoint", "individual"),
        "confidence": ("time", "keypoint", "individual"),
    }
    missing = [
        f"variable '{name}' with dims {', '.join(dims)}"
        for name, dims in wanted.items()
        if name not in ds or ds[name].dims != dims
    ]
    missing += [f"coordinate '{c}'" for c in wanted["position"] if c not in ds.coords]
    if "time" in ds.coords and not np.issubdtype(ds["time"].dtype, np.number):
        missing.append("numeric 'time' in seconds")
    if "space" in ds.coords and list(ds["space"].values) != ["x", "y"]:
        missing.append("space coordinate ['x', 'y']")
    if ds.attrs.get("y_axis") != "up":
        missing.append("attr y_axis='up'")
    if "keypoint" in ds.coords:
        names = [str(k) for k in ds["keypoint"].values]
        unknown = sorted(set(names) - set(KEYPOINTS))
        if unknown or len(set(names)) != len(names):
            missing.append(f"distinct canonical keypoint names (unknown: {', '.join(unknown[:5])})")
    if missing:
        raise UnsupportedFormatError(
            f"is not an upright pose file: it lacks {'; '.join(missing)}",
            path=path,
            fix=_NETCDF_FIX,
        )


def _plain(value: Any) -> Any:
    """A numpy scalar read from netCDF attrs, as the Python value that was written."""
    return value.item() if isinstance(value, np.generic) else value


def _is_netcdf_attr(value: Any) -> bool:
    """Whether netCDF can store ``value`` as an attribute and give it back unchanged."""
    if isinstance(value, bool | np.bool_):
        return False
    return isinstance(value, str | int | float | np.integer | np.floating)


def _write_atomically(ds: xr.Dataset, dest: Path) -> None:
    """Write to a temporary file next to ``dest``, then rename it over ``dest``."""
    tmp: Path | None = None
    try:
        fd, name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
        os.close(fd)
        tmp = Path(name)
        ds.to_netcdf(tmp, engine="h5netcdf")
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; give the file normal rights
        os.replace(tmp, dest)
    except (OSError, ValueError, TypeError) as exc:
        raise InputError(
            f"the pose file could not be written ({type(exc).__name__}: {exc})",
            path=dest,
            fix="Check that the folder is writable and has free space",
        ) from exc
    finally:
        if tmp is not None and tmp.exists():
            tmp.unlink()
