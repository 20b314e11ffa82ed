"""OpenPose BODY_25 JSON folder reader; keeps one runner by continuity."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
import xarray as xr

from upright.errors import (
    CorruptFileError,
    InputError,
    QualityError,
    UnsupportedFormatError,
)
from upright.io._kp_common import (
    _OPENPOSE_FIX,
    DEFAULT_FPS,
    _assumed_extent,
    _clip_note,
    _load_json,
    _log,
    _SizeHint,
    _to_canonical,
)
from upright.skeleton import (
    FloatArray,
    make_pose_dataset,
)

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
    with_others = sum(sum(_has_body(kp) for kp in frame) >= 2 for frame in people)
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
        frames_with_others=int(with_others),
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


#: BODY_25 indices of the shoulders and hips.
_SHOULDERS, _HIPS = (2, 5), (9, 12)


def _has_body(kp: FloatArray) -> bool:
    """Whether a detected person shows a trunk: a shoulder and a hip found."""
    found = _found(kp)
    return bool(found[list(_SHOULDERS)].any() and found[list(_HIPS)].any())


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
