"""upright pose netCDF (movement layout): checks, reading, atomic writing."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from upright.errors import (
    CorruptFileError,
    InputError,
    InsufficientDataError,
    UnsupportedFormatError,
)
from upright.io._kp_common import (
    _HDF5_SIGNATURE,
    _NETCDF_FIX,
    _check_agrees,
)
from upright.skeleton import (
    KEYPOINTS,
)


def _read_netcdf(path: Path, fps: float | None) -> xr.Dataset:
    """Read a pose file written by :func:`write_keypoints_netcdf`."""
    _check_hdf5(path)
    _check_hdf5_objects(path)
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
    _netcdf_fps(ds, fps, path)
    if list(ds["keypoint"].values) != list(KEYPOINTS):
        ds = ds.reindex(keypoint=list(KEYPOINTS))
    return ds


def _netcdf_fps(ds: xr.Dataset, fps: float | None, path: Path) -> None:
    """Check the file's frame rate against the caller's; take the caller's if none."""
    stated = ds.attrs.get("fps")
    if stated is None:
        if fps is None:
            raise CorruptFileError(
                "states no frame rate (attr 'fps')",
                path=path,
                fix="Give the clip's frame rate with --fps, or save the pose file again "
                "with write_keypoints_netcdf",
            )
        ds.attrs["fps"] = float(fps)
        return
    if isinstance(stated, bool) or not isinstance(stated, int | float):
        raise CorruptFileError(
            f"its frame rate (attr 'fps') is {stated!r}, not a number",
            path=path,
            fix="Save the pose file again with write_keypoints_netcdf",
        )
    _check_agrees("fps", float(stated), fps, path)


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


def _check_hdf5_objects(path: Path) -> None:
    """Read every object of the file with h5py, which fails cleanly on damage.

    h5netcdf, given a damaged file, raises and then prints a second error when the file
    object it could not finish building is discarded; reading the file here first keeps
    damaged files away from it.
    """
    import h5py

    def touch(_name: str, obj: Any) -> None:
        dict(obj.attrs)
        if isinstance(obj, h5py.Dataset):
            obj[()]

    try:
        with h5py.File(path, "r") as fh:
            dict(fh.attrs)
            fh.visititems(touch)
    except (OSError, RuntimeError, ValueError, TypeError, KeyError) as exc:
        detail = exc.args[0] if exc.args and isinstance(exc.args[0], str) else str(exc)
        raise CorruptFileError(
            f"the netCDF file cannot be opened ({detail}); it is damaged or truncated",
            path=path,
            fix="Save the pose file again with write_keypoints_netcdf",
        ) from exc


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
