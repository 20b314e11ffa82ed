"""Pose estimation over a whole video, on every core, with flat memory.

The clip is cut into one contiguous chunk of frames per worker process. Each worker
opens the video itself, seeks to its chunk, decodes and estimates frame by frame, and
sends back only keypoints, so no frame ever crosses a process boundary and memory does
not grow with the clip's length. Progress flows back through a queue.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import queue
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from upright.errors import QualityError
from upright.io.video import VideoInfo, iter_frames, probe_video
from upright.pose.backend import PoseBackend
from upright.skeleton import KEYPOINTS, make_pose_dataset

__all__ = ["DEFAULT_MAX_SIDE_PX", "estimate_pose_video", "pose_chunk"]

#: Frames are scaled in the decoder so the longer side is at most this many pixels before
#: pose estimation. BlazePose works on a 256 x 256 crop of the person, so this costs no
#: accuracy for a runner filling a phone frame and saves colour conversion time.
DEFAULT_MAX_SIDE_PX = 960

ProgressCallback = Callable[[int], None]

_progress_queue: Any = None


def _init_worker(progress_queue: Any) -> None:
    global _progress_queue
    _progress_queue = progress_queue


def _default_backend() -> PoseBackend:
    from upright.pose.mediapipe_backend import MediaPipePose

    return MediaPipePose()


def pose_chunk(
    path: str,
    start_frame: int,
    stop_frame: int,
    max_side_px: int | None,
    backend_factory: Callable[[], PoseBackend] = _default_backend,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, tuple[int, int]]:
    """Estimate poses for frames [start_frame, stop_frame) of one video.

    Returns image-pixel positions scaled back to the displayed video size,
    (frame, 2, keypoint); confidences (frame, keypoint); timestamps; and the frame size
    the backend saw.
    """
    backend = backend_factory()
    info = probe_video(path)
    xy_list, conf_list, t_list = [], [], []
    size = (info.width_px, info.height_px)
    since_report = 0
    try:
        for frame in iter_frames(
            path, start_frame=start_frame, stop_frame=stop_frame, max_side_px=max_side_px
        ):
            h, w = frame.rgb.shape[:2]
            size = (w, h)
            xy, conf = backend.estimate(frame.rgb)
            xy = xy * np.array([info.width_px / w, info.height_px / h])
            xy_list.append(xy.T)
            conf_list.append(conf)
            t_list.append(frame.time_s)
            since_report += 1
            if _progress_queue is not None and since_report >= 10:
                _progress_queue.put(since_report)
                since_report = 0
    finally:
        backend.close()
        if _progress_queue is not None and since_report:
            _progress_queue.put(since_report)
    n = len(t_list)
    if n == 0:
        empty = np.zeros((0, 2, len(KEYPOINTS)))
        return empty, np.zeros((0, len(KEYPOINTS))), np.zeros(0), size
    return np.stack(xy_list), np.stack(conf_list), np.asarray(t_list), size


def _chunks(n_frames: int, n_workers: int) -> list[tuple[int, int]]:
    edges = np.linspace(0, n_frames, n_workers + 1).round().astype(int)
    return [(int(a), int(b)) for a, b in zip(edges[:-1], edges[1:], strict=True) if b > a]


def estimate_pose_video(
    path: str | Path,
    *,
    workers: int | None = None,
    max_side_px: int | None = DEFAULT_MAX_SIDE_PX,
    progress: ProgressCallback | None = None,
    info: VideoInfo | None = None,
) -> xr.Dataset:
    """Keypoints of the runner in every frame of a video, as a pose Dataset (y up).

    Parameters
    ----------
    workers
        Processes to use; defaults to the number of cores (at most one per 30 frames).
    progress
        Called with the number of frames finished since the last call.
    """
    path = str(path)
    info = probe_video(path) if info is None else info
    n_workers = workers or os.cpu_count() or 1
    n_workers = max(1, min(n_workers, info.n_frames // 30 or 1))
    chunks = _chunks(info.n_frames, n_workers)
    if n_workers == 1:
        parts = [pose_chunk(path, a, b, max_side_px) for a, b in chunks]
        if progress is not None:
            progress(info.n_frames)
    else:
        ctx = mp.get_context("fork")
        progress_queue = ctx.Queue()
        with ProcessPoolExecutor(
            max_workers=n_workers,
            mp_context=ctx,
            initializer=_init_worker,
            initargs=(progress_queue,),
        ) as pool:
            futures = [pool.submit(pose_chunk, path, a, b, max_side_px) for a, b in chunks]
            while not all(f.done() for f in futures):
                try:
                    done = progress_queue.get(timeout=0.1)
                except queue.Empty:
                    continue
                if progress is not None:
                    progress(int(done))
            parts = [f.result() for f in futures]
            while progress is not None:
                try:
                    progress(int(progress_queue.get_nowait()))
                except queue.Empty:
                    break
    xy = np.concatenate([p[0] for p in parts if p[0].size])
    conf = np.concatenate([p[1] for p in parts if p[1].size])
    t = np.concatenate([p[2] for p in parts if p[2].size])
    if t.size == 0:
        raise QualityError("no frame could be decoded", path=path, fix="Check the video plays")
    keep = np.concatenate([[True], np.diff(t) > 0])  # chunk seams never repeat a frame
    ds = make_pose_dataset(
        xy[keep],
        conf[keep],
        t[keep],
        fps=info.fps_nominal,
        source_software=_default_backend_name(),
        source_file=path,
        image_width_px=info.width_px,
        image_height_px=info.height_px,
        y_up=False,
    )
    ds.attrs["pose_input_max_side_px"] = int(max_side_px or 0)
    ds.attrs["rotation_deg"] = int(info.rotation_deg)
    return ds


def _default_backend_name() -> str:
    from upright.pose.mediapipe_backend import MediaPipePose

    return MediaPipePose.name
