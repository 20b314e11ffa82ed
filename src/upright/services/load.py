"""Getting a pose series for analysis: from a clip by pose estimation, or from a file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import xarray as xr

from upright.errors import InputError
from upright.io.video import VideoInfo, probe_video

__all__ = ["check_keypoints_match_video", "load_pose"]

ProgressStart = Callable[[str, int | None], None]
ProgressAdvance = Callable[[int], None]


def check_keypoints_match_video(ds: xr.Dataset, info: VideoInfo, keypoints: Path) -> None:
    """Keypoints drawn on a clip must come from that clip: same frame count and length."""
    n = int(ds.sizes["time"])
    duration = float(ds["time"].values[-1] - ds["time"].values[0]) if n > 1 else 0.0
    clip_duration = (info.n_frames - 1) / info.fps_nominal if info.fps_nominal else 0.0
    if n != info.n_frames or not np.isclose(duration, clip_duration, rtol=0.02, atol=0.1):
        raise InputError(
            f"the keypoints ({n} frames, {duration:.1f} s) do not match the clip "
            f"{info.path.name} ({info.n_frames} frames, {clip_duration:.1f} s)",
            path=keypoints,
            fix="Give the keypoints made from this clip, or leave out the clip (or use "
            "--no-annotate)",
        )


def load_pose(
    video: Path | None,
    keypoints: Path | None,
    *,
    fps: float | None = None,
    workers: int | None = None,
    start: ProgressStart | None = None,
    advance: ProgressAdvance | None = None,
) -> tuple[xr.Dataset, str]:
    """The pose series to analyse and its kind ('video' or 'keypoints').

    With ``keypoints`` the file is read and pose estimation is skipped; with a ``video``
    as well, the two must match. Otherwise the clip goes through pose estimation.
    """
    info = probe_video(video) if video is not None else None  # fail early on a bad clip
    if keypoints is not None:
        from upright.io.keypoints import read_keypoints

        if start is not None:
            start("Reading keypoints", None)
        ds = read_keypoints(keypoints, fps=fps)
        if info is not None:
            check_keypoints_match_video(ds, info, keypoints)
        return ds, "keypoints"
    if video is None or info is None:
        raise InputError(
            "no clip given",
            fix="Run `upright analyze CLIP.mp4`, or `upright demo` to try the synthetic run",
        )
    from upright.pose.runner import estimate_pose_video

    if start is not None:
        start("Pose estimation", info.n_frames)
    ds = estimate_pose_video(video, workers=workers, progress=advance, info=info)
    return ds, "video"
