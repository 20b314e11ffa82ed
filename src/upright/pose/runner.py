"""Pose estimation over a whole video, on every core, with flat memory.

One thread decodes the clip in order and deals the frames round-robin to one pose
thread per core (frame i goes to worker ``i % n``), each with its own model instance;
MediaPipe releases the GIL while it runs, so the threads really run side by side. Queues
between the decoder and the workers are short, so only a handful of frames are ever in
memory whatever the clip's length. Dealing frames round-robin (rather than cutting the
clip into chunks) means no worker has to decode frames it does not use, and each model
still sees a steady stream of frames to track the runner through (at 1/n of the rate).
"""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np
import numpy.typing as npt
import xarray as xr

from upright.errors import QualityError
from upright.io.video import VideoInfo, iter_frames, probe_video
from upright.pose.backend import PoseBackend
from upright.skeleton import KEYPOINTS, make_pose_dataset

__all__ = ["DEFAULT_MAX_SIDE_PX", "default_backend", "estimate_pose_video"]

#: Frames are scaled in the decoder so the longer side is at most this many pixels before
#: pose estimation. BlazePose works on a 256 x 256 crop of the person, so this costs no
#: accuracy for a runner filling a phone frame.
DEFAULT_MAX_SIDE_PX = 1280

#: Frames waiting per worker; bounds memory.
QUEUE_FRAMES = 4

ProgressCallback = Callable[[int], None]
BackendFactory = Callable[[], PoseBackend]

_STOP = None


def default_backend() -> PoseBackend:
    """MediaPipe BlazePose full, the offline default."""
    from upright.pose.mediapipe_backend import MediaPipePose

    return MediaPipePose()


class _Worker(threading.Thread):
    def __init__(
        self,
        factory: BackendFactory,
        xy: npt.NDArray[np.float64],
        conf: npt.NDArray[np.float64],
        done: Callable[[], None],
    ) -> None:
        super().__init__(daemon=True)
        self.inbox: queue.Queue[tuple[int, npt.NDArray[np.uint8], float, float] | None] = (
            queue.Queue(maxsize=QUEUE_FRAMES)
        )
        self._factory, self._xy, self._conf, self._done = factory, xy, conf, done
        self.error: BaseException | None = None
        self.name_of_backend = ""

    def run(self) -> None:
        backend: PoseBackend | None = None
        try:
            backend = self._factory()
            self.name_of_backend = backend.name
            while (item := self.inbox.get()) is not _STOP:
                index, rgb, sx, sy = item
                xy, conf = backend.estimate(rgb)
                self._xy[index] = (xy * np.array([sx, sy])).T
                self._conf[index] = conf
                self._done()
        except BaseException as err:  # handed to the decoding thread, which re-raises it
            self.error = err
            while self.inbox.get() is not _STOP:  # drain so the decoder never blocks
                pass
        finally:
            if backend is not None:
                backend.close()


def estimate_pose_video(
    path: str | Path,
    *,
    workers: int | None = None,
    max_side_px: int | None = DEFAULT_MAX_SIDE_PX,
    progress: ProgressCallback | None = None,
    info: VideoInfo | None = None,
    backend_factory: BackendFactory = default_backend,
) -> xr.Dataset:
    """Keypoints of the runner in every frame of a video, as a pose Dataset (y up).

    Parameters
    ----------
    workers
        Pose threads; defaults to the number of cores.
    progress
        Called with the number of frames finished since the last call.
    backend_factory
        Builds one pose backend per worker.
    """
    path = str(path)
    info = probe_video(path) if info is None else info
    n_workers = max(1, workers or os.cpu_count() or 1)
    n = info.n_frames
    xy = np.full((n, 2, len(KEYPOINTS)), np.nan)
    conf = np.zeros((n, len(KEYPOINTS)))
    times = np.full(n, np.nan)
    lock = threading.Lock()
    finished = [0]

    def done() -> None:
        with lock:
            finished[0] += 1

    pool = [_Worker(backend_factory, xy, conf, done) for _ in range(n_workers)]
    for w in pool:
        w.start()
    reported = 0
    try:
        frames = iter_frames(path, max_side_px=max_side_px, info=info)
        for frame in frames:
            if frame.index >= n:
                break
            h, w_px = frame.rgb.shape[:2]
            times[frame.index] = frame.time_s
            worker = pool[frame.index % n_workers]
            if worker.error is not None:
                break
            worker.inbox.put((frame.index, frame.rgb, info.width_px / w_px, info.height_px / h))
            if progress is not None and finished[0] - reported >= 10:
                progress(finished[0] - reported)
                reported = finished[0]
    finally:
        for w in pool:
            w.inbox.put(_STOP)
        for w in pool:
            w.join()
    for w in pool:
        if w.error is not None:
            raise w.error
    if progress is not None and finished[0] > reported:
        progress(finished[0] - reported)
    keep = ~np.isnan(times)
    if not keep.any():
        raise QualityError("no frame could be decoded", path=path, fix="Check the video plays")
    ds = make_pose_dataset(
        xy[keep],
        conf[keep],
        times[keep],
        fps=info.fps_nominal,
        source_software=pool[0].name_of_backend,
        source_file=path,
        image_width_px=info.width_px,
        image_height_px=info.height_px,
        y_up=False,
    )
    ds.attrs["pose_input_max_side_px"] = int(max_side_px or 0)
    ds.attrs["pose_workers"] = int(n_workers)
    ds.attrs["rotation_deg"] = int(info.rotation_deg)
    return ds
