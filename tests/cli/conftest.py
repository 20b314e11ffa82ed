"""Fixtures of the CLI tests: known-bad inputs, built once per session in a temp folder.

The clips cut from the shared recording ``video/male_side.mp4`` (720 x 1280 portrait,
30 fps, a runner on a treadmill) rely on where the runner is in its picture. MediaPipe
on the full clip puts, over its first 90 frames, nose and ears at y = 649-702 px, knees
at 990-1053 px and ankles, heels and toes at 1057-1226 px (y down).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import av
import cv2
import numpy as np
import numpy.typing as npt
import pytest

RGB = npt.NDArray[np.uint8]

#: First frames of male_side.mp4 used for the cropped clips (3 s at 30 fps).
CROP_FRAMES = 90
#: Keeping rows above this cuts off the feet (ankles, heels and toes all lie below it).
FEET_CUT_Y = 1000
#: Keeping rows from this one down cuts off the head (nose and ears all lie above it).
HEAD_CUT_Y = 704


def write_clip(path: Path, frames: Sequence[RGB], fps: int = 30) -> Path:
    """Encode RGB frames to H.264 yuv420p with PyAV directly (independent of upright)."""
    height, width = frames[0].shape[:2]
    with av.open(str(path), mode="w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.codec_context.options = {"preset": "ultrafast"}
        for rgb in frames:
            frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb), format="rgb24")
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return path


def read_first_frames(path: Path, n: int) -> list[RGB]:
    """The first ``n`` frames of a clip as RGB arrays."""
    frames: list[RGB] = []
    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            frames.append(frame.to_ndarray(format="rgb24"))
            if len(frames) == n:
                break
    return frames


@pytest.fixture(scope="session")
def bad_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("bad_inputs")


@pytest.fixture(scope="session")
def real_clip(shared_data: Path) -> Path:
    """The shared real side-view clip (12 s, 360 frames at 30 fps)."""
    return shared_data / "video" / "male_side.mp4"


@pytest.fixture(scope="session")
def missing_clip(bad_dir: Path) -> Path:
    return bad_dir / "no_such_clip.mp4"


@pytest.fixture(scope="session")
def text_clip(bad_dir: Path) -> Path:
    """A text file with a video's name."""
    path = bad_dir / "clip.mp4"
    path.write_text("these are my running notes, not a video\n", encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def empty_clip(bad_dir: Path) -> Path:
    path = bad_dir / "empty.mp4"
    path.write_bytes(b"")
    return path


@pytest.fixture(scope="session")
def truncated_clip(bad_dir: Path, real_clip: Path) -> Path:
    """The first half of male_side.mp4's bytes: its index ('moov') is at the end, so
    it is lost."""
    data = real_clip.read_bytes()
    path = bad_dir / "truncated.mp4"
    path.write_bytes(data[: len(data) // 2])
    return path


@pytest.fixture(scope="session")
def still_image(bad_dir: Path) -> Path:
    """A PNG picture (a grey figure on white)."""
    img = np.full((568, 320, 3), 255, dtype=np.uint8)
    img[100:450, 140:180] = 90
    path = bad_dir / "still.png"
    assert cv2.imwrite(str(path), img)
    return path


@pytest.fixture(scope="session")
def no_person_clip(bad_dir: Path) -> Path:
    """Two seconds of plain grey, 320 x 568: nobody in view."""
    grey = np.full((568, 320, 3), 128, dtype=np.uint8)
    return write_clip(bad_dir / "no_person.mp4", [grey] * 60)


@pytest.fixture(scope="session")
def real_frames(real_clip: Path) -> list[RGB]:
    return read_first_frames(real_clip, CROP_FRAMES)


@pytest.fixture(scope="session")
def feet_out_clip(bad_dir: Path, real_frames: list[RGB]) -> Path:
    """male_side.mp4 with the bottom cut off below y = 1000: the feet are out of frame."""
    return write_clip(bad_dir / "feet_out.mp4", [f[:FEET_CUT_Y] for f in real_frames])


@pytest.fixture(scope="session")
def head_out_clip(bad_dir: Path, real_frames: list[RGB]) -> Path:
    """male_side.mp4 with the top cut off above y = 704: the head is out of frame."""
    return write_clip(bad_dir / "head_out.mp4", [f[HEAD_CUT_Y:] for f in real_frames])


@pytest.fixture(scope="session")
def broken_keypoints(bad_dir: Path) -> Path:
    """A GaitLab pose JSON cut off in the middle."""
    path = bad_dir / "broken.rtmpose.json"
    path.write_text(
        '{"format": "gaitlab.pose/v1", "fps": 30, "keypoints": [[1, 2', encoding="utf-8"
    )
    return path
