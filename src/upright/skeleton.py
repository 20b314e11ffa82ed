"""The canonical keypoint set and the pose Dataset every layer works on.

A pose series is an :class:`xarray.Dataset` in the layout of the *movement* toolbox:

- dims ``time, space, keypoint, individual`` (singular names);
- ``position`` (time, space, keypoint, individual) in **pixels, y pointing up**
  (image rows are flipped once, at load; see ``docs/conventions.md``);
- ``confidence`` (time, keypoint, individual) in 0..1, NaN where unknown;
- coords: ``time`` in seconds (exact per-frame timestamps, so variable frame rate is
  kept), ``space = ["x", "y"]``, ``keypoint`` from :data:`KEYPOINTS`, ``individual``;
- attrs: ``fps`` (nominal), ``source_software``, ``source_file``, ``image_width_px``,
  ``image_height_px``, ``y_axis = "up"``, and ``processing``, a log of the steps applied.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import xarray as xr

from upright.errors import InputError

__all__ = [
    "KEYPOINTS",
    "FloatArray",
    "add_processing_step",
    "make_pose_dataset",
    "validate_pose_dataset",
]

FloatArray = npt.NDArray[np.float64]

#: One canonical list of keypoint names, in snake_case. Sources that lack a point
#: (RTMPose Halpe-26 has no ears) leave it NaN.
KEYPOINTS: tuple[str, ...] = (
    "nose",
    "head_top",
    "left_eye",
    "right_eye",
    "left_ear",
    "right_ear",
    "left_shoulder",
    "right_shoulder",
    "left_elbow",
    "right_elbow",
    "left_wrist",
    "right_wrist",
    "left_hip",
    "right_hip",
    "left_knee",
    "right_knee",
    "left_ankle",
    "right_ankle",
    "left_heel",
    "right_heel",
    "left_toe",
    "right_toe",
)

#: Bones drawn in the annotated video and plots.
BONES: tuple[tuple[str, str], ...] = (
    ("left_shoulder", "right_shoulder"),
    ("left_hip", "right_hip"),
    ("left_shoulder", "left_elbow"),
    ("left_elbow", "left_wrist"),
    ("right_shoulder", "right_elbow"),
    ("right_elbow", "right_wrist"),
    ("left_shoulder", "left_hip"),
    ("right_shoulder", "right_hip"),
    ("left_hip", "left_knee"),
    ("left_knee", "left_ankle"),
    ("right_hip", "right_knee"),
    ("right_knee", "right_ankle"),
    ("left_ankle", "left_heel"),
    ("left_heel", "left_toe"),
    ("left_ankle", "left_toe"),
    ("right_ankle", "right_heel"),
    ("right_heel", "right_toe"),
    ("right_ankle", "right_toe"),
)


def make_pose_dataset(
    position_px: npt.ArrayLike,
    confidence: npt.ArrayLike,
    time_s: npt.ArrayLike,
    *,
    keypoints: Sequence[str] = KEYPOINTS,
    fps: float,
    source_software: str,
    source_file: str = "",
    image_width_px: int = 0,
    image_height_px: int = 0,
    individuals: Sequence[str] = ("runner",),
    y_up: bool = True,
) -> xr.Dataset:
    """Build a pose Dataset from arrays.

    Parameters
    ----------
    position_px
        Shape (time, 2, keypoint) or (time, 2, keypoint, individual), pixels.
    confidence
        Shape (time, keypoint) or (time, keypoint, individual), 0..1.
    time_s
        Timestamp of each frame in seconds, strictly increasing.
    y_up
        Whether ``position_px`` already has y pointing up. When False (image
        coordinates) y is flipped here, once: ``y_up = image_height_px - y_image``.
    """
    pos = np.asarray(position_px, dtype=np.float64)
    conf = np.asarray(confidence, dtype=np.float64)
    t = np.asarray(time_s, dtype=np.float64)
    if pos.ndim == 3:
        pos = pos[..., np.newaxis]
    if conf.ndim == 2:
        conf = conf[..., np.newaxis]
    n_t, n_k, n_i = t.size, len(keypoints), len(individuals)
    if pos.shape != (n_t, 2, n_k, n_i) or conf.shape != (n_t, n_k, n_i):
        raise ValueError(
            f"position {pos.shape} / confidence {conf.shape} do not match "
            f"(time={n_t}, space=2, keypoint={n_k}, individual={n_i})"
        )
    if n_t > 1 and not np.all(np.diff(t) > 0):
        raise ValueError("timestamps must be strictly increasing")
    if not y_up:
        if image_height_px <= 0:
            raise ValueError("image_height_px is needed to flip image y to y-up")
        pos = pos.copy()
        pos[:, 1] = image_height_px - pos[:, 1]
    ds = xr.Dataset(
        data_vars={
            "position": (("time", "space", "keypoint", "individual"), pos),
            "confidence": (("time", "keypoint", "individual"), conf),
        },
        coords={
            "time": t,
            "space": ["x", "y"],
            "keypoint": list(keypoints),
            "individual": list(individuals),
        },
        attrs={
            "fps": float(fps),
            "time_unit": "seconds",
            "source_software": source_software,
            "source_file": source_file,
            "image_width_px": int(image_width_px),
            "image_height_px": int(image_height_px),
            "y_axis": "up",
            "ds_type": "poses",
            "processing": "",
        },
    )
    return ds


def validate_pose_dataset(
    ds: xr.Dataset, *, required_keypoints: Iterable[str] = (), where: str = "pose data"
) -> None:
    """Check that ``ds`` has the dims, variables and keypoints a function needs.

    Every missing item is named in one :class:`~upright.errors.InputError`.
    """
    missing: list[str] = []
    for var in ("position", "confidence"):
        if var not in ds:
            missing.append(f"variable '{var}'")
    for dim in ("time", "space", "keypoint", "individual"):
        if dim not in ds.dims:
            missing.append(f"dimension '{dim}'")
    if "keypoint" in ds.coords:
        have = set(ds.coords["keypoint"].values.tolist())
        missing += [f"keypoint '{k}'" for k in required_keypoints if k not in have]
    if missing:
        raise InputError(
            f"{where} lacks {', '.join(missing)}",
            fix="Use a pose file with the full body keypoints (see docs/conventions.md)",
        )


def add_processing_step(ds: xr.Dataset, step: str) -> xr.Dataset:
    """Return ``ds`` with ``step`` appended to its ``processing`` log attribute."""
    out = ds.copy()
    log = str(out.attrs.get("processing", ""))
    out.attrs["processing"] = f"{log}; {step}" if log else step
    return out


def point(ds: xr.Dataset, name: str, individual: int = 0) -> FloatArray:
    """Position of one keypoint as a (time, 2) array (x, y-up, pixels)."""
    arr: Any = ds["position"].sel(keypoint=name).isel(individual=individual).values
    return np.asarray(arr, dtype=np.float64).copy()
