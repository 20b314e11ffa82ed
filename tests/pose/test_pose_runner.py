"""Pose estimation over a video: round-robin workers, order, scaling, errors."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import ClassVar

import numpy as np
import numpy.typing as npt
import pytest

from upright.io.video import VideoWriter, iter_frames
from upright.pose.backend import PoseResult
from upright.pose.mediapipe_backend import MEDIAPIPE_TO_CANONICAL, MediaPipePose
from upright.pose.runner import estimate_pose_video
from upright.skeleton import KEYPOINTS

N_FRAMES = 24
WIDTH, HEIGHT = 64, 96


@pytest.fixture(scope="module")
def numbered_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A clip whose frame i has brightness 8 * i, so a backend can read its index."""
    path = tmp_path_factory.mktemp("clips") / "numbered.mp4"
    with VideoWriter(path, width_px=WIDTH, height_px=HEIGHT, fps=30, crf=0) as writer:
        for i in range(N_FRAMES):
            writer.write(np.full((HEIGHT, WIDTH, 3), 8 * i, dtype=np.uint8))
    return path


class IndexBackend:
    """Puts every keypoint at (frame index, brightness) and records its thread."""

    name = "index-backend"
    threads: ClassVar[set[int]] = set()

    def estimate(self, rgb: npt.NDArray[np.uint8]) -> PoseResult:
        IndexBackend.threads.add(threading.get_ident())
        index = round(float(rgb.mean()) / 8.0)
        xy = np.tile([float(index), float(rgb.shape[0])], (len(KEYPOINTS), 1))
        return xy, np.ones(len(KEYPOINTS))

    def close(self) -> None:
        return None


def test_frames_come_back_in_order_from_every_worker(numbered_clip: Path) -> None:
    IndexBackend.threads = set()
    done: list[int] = []
    ds = estimate_pose_video(
        numbered_clip, workers=2, backend_factory=IndexBackend, progress=done.append
    )
    x = ds["position"].sel(space="x", keypoint="nose").isel(individual=0).values
    assert x.tolist() == [float(i) for i in range(N_FRAMES)]
    assert np.allclose(np.diff(ds["time"].values), 1 / 30, atol=1e-3)
    assert len(IndexBackend.threads) == 2
    assert sum(done) == N_FRAMES
    assert ds.attrs["source_software"] == "index-backend"


def test_positions_are_scaled_back_to_the_video_and_flipped(numbered_clip: Path) -> None:
    # frames are shrunk to 48 px on the long side before the backend; the backend puts
    # y at the bottom row of what it saw, which must come back as y = 0 (y up) in video px
    ds = estimate_pose_video(numbered_clip, workers=1, backend_factory=IndexBackend, max_side_px=48)
    y = ds["position"].sel(space="y", keypoint="nose").isel(individual=0).values
    assert np.allclose(y, 0.0)
    assert ds.attrs["image_height_px"] == HEIGHT


class FailingBackend(IndexBackend):
    def estimate(self, rgb: npt.NDArray[np.uint8]) -> PoseResult:
        raise RuntimeError("model crashed")


def test_a_worker_error_reaches_the_caller(numbered_clip: Path) -> None:
    with pytest.raises(RuntimeError, match="model crashed"):
        estimate_pose_video(numbered_clip, workers=2, backend_factory=FailingBackend)


def test_mediapipe_finds_the_runner_in_a_real_frame(shared_data: Path) -> None:
    clip = shared_data / "video" / "male_side.mp4"
    frame = next(iter(iter_frames(clip, start_frame=100, stop_frame=101)))
    pose = MediaPipePose()
    try:
        xy, conf = pose.estimate(frame.rgb)
    finally:
        pose.close()
    assert set(MEDIAPIPE_TO_CANONICAL) <= set(KEYPOINTS)
    assert "head_top" not in MEDIAPIPE_TO_CANONICAL  # BlazePose has none: stays missing
    assert np.isnan(xy[KEYPOINTS.index("head_top")]).all()
    nose, hip = xy[KEYPOINTS.index("nose")], xy[KEYPOINTS.index("left_hip")]
    ankle = xy[KEYPOINTS.index("left_ankle")]
    # image y down: head above hip above ankle, all inside the 720 x 1280 frame
    assert nose[1] < hip[1] < ankle[1]
    xs = xy[:, 0][~np.isnan(xy[:, 0])]
    assert xs.min() >= 0 and xs.max() <= 720
    assert conf[KEYPOINTS.index("left_hip")] > 0.5
