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

from pathlib import Path
from typing import NoReturn

import xarray as xr

from upright.errors import (
    InputError,
    UnsupportedFormatError,
)
from upright.io._kp_checks import _check_series
from upright.io._kp_common import (
    _VIDEO_SUFFIXES,
    ACCEPTED_FORMATS,
    DEFAULT_FPS,
    _check_positive,
    _SizeHint,
)
from upright.io._kp_gaitlab import _read_gaitlab_json
from upright.io._kp_netcdf import _is_netcdf_attr, _read_netcdf, _write_atomically
from upright.io._kp_openpose import _read_openpose_folder
from upright.skeleton import (
    validate_pose_dataset,
)

__all__ = ["ACCEPTED_FORMATS", "DEFAULT_FPS", "read_keypoints", "write_keypoints_netcdf"]


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
        source ``source_view`` (GaitLab) or ``max_people_seen`` and
        ``frames_with_others`` (OpenPose: frames in which two or more people show a
        trunk).

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
    _check_positive("fps", fps, src)
    _check_positive("image_width_px", image_width_px, src)
    _check_positive("image_height_px", image_height_px, src)
    if not src.exists():
        raise InputError(
            "no such file or folder",
            path=src,
            fix=f"Check the path; upright reads {ACCEPTED_FORMATS}",
        )
    size = _SizeHint(image_width_px, image_height_px)
    suffix = src.suffix.lower()
    if src.is_dir():
        ds = _read_openpose_folder(src, fps, size)
    elif suffix == ".json":
        ds = _read_gaitlab_json(src, fps, size)
    elif suffix == ".nc":
        ds = _read_netcdf(src, fps)
    else:
        _refuse_suffix(src)
    _check_series(ds, src)
    return ds


def _refuse_suffix(src: Path) -> NoReturn:
    """Refuse a file that is none of the keypoint formats, with a hint for a video."""
    suffix = src.suffix.lower()
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
