"""Fixtures of the CLI tests: known-bad inputs, built once per session in a temp folder.

The clips cut from the shared recording ``video/male_side.mp4`` (720 x 1280 portrait,
30 fps, a runner on a treadmill) rely on where the runner is in its picture. MediaPipe
on the full clip puts, over its first 90 frames, nose and ears at y = 649-702 px, knees
at 990-1053 px and ankles, heels and toes at 1057-1226 px (y down).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import av
import cv2
import numpy as np
import numpy.typing as npt
import pytest

from upright.io.keypoints import read_keypoints

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


# ------------------------------------------------ clips and keypoints no step can measure


@pytest.fixture(scope="session")
def two_fps_clip(bad_dir: Path, real_frames: list[RGB]) -> Path:
    """Every 15th frame of male_side.mp4's first 3 s, played at 2 fps."""
    return write_clip(bad_dir / "two_fps.mp4", real_frames[::15], fps=2)


@pytest.fixture(scope="session")
def paired_timestamps_clip(bad_dir: Path, real_frames: list[RGB]) -> Path:
    """male_side.mp4's first 30 frames, their timestamps repeating in pairs (0, 0, 2, 2...)."""
    clip = write_clip(bad_dir / "paired_source.mp4", real_frames[:30])
    paired = bad_dir / "paired.mkv"
    with av.open(str(clip)) as src, av.open(str(paired), mode="w", format="matroska") as dst:
        stream = dst.add_stream_from_template(src.streams.video[0])
        packets = [p for p in src.demux(src.streams.video[0]) if p.size]
        step = packets[1].pts - packets[0].pts
        for i, packet in enumerate(packets):
            packet.pts = packet.dts = (i // 2) * 2 * step
            packet.stream = stream
            dst.mux(packet)
    return paired


def _real_pose_json(shared_data: Path) -> dict[str, Any]:
    text = (shared_data / "video" / "male_side.rtmpose.json").read_text(encoding="utf-8")
    doc: dict[str, Any] = json.loads(text)
    return doc


@pytest.fixture(scope="session")
def frozen_keypoints(bad_dir: Path, shared_data: Path) -> Path:
    """male_side.rtmpose.json with its first frame repeated in all 360 frames."""
    doc = _real_pose_json(shared_data)
    doc["frames"] = [doc["frames"][0]] * len(doc["frames"])
    path = bad_dir / "frozen.rtmpose.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def billion_fps_keypoints(bad_dir: Path, shared_data: Path) -> Path:
    """male_side.rtmpose.json stating 1e9 fps (its timestamps removed)."""
    doc = _real_pose_json(shared_data)
    doc["fps"] = 1e9
    del doc["timestamps"]
    path = bad_dir / "billion_fps.rtmpose.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def short_keypoints(bad_dir: Path, shared_data: Path) -> Path:
    """The first 20 frames (0.67 s) of male_side.rtmpose.json: under two strides."""
    doc = _real_pose_json(shared_data)
    doc["frames"] = doc["frames"][:20]
    doc["timestamps"] = doc["timestamps"][:20]
    path = bad_dir / "short.rtmpose.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def negative_fps_netcdf(bad_dir: Path, shared_data: Path) -> Path:
    """male_side's keypoints saved as netCDF with fps = -30 in its attrs."""
    ds = read_keypoints(shared_data / "video" / "male_side.rtmpose.json")
    ds.attrs["fps"] = -30.0
    path = bad_dir / "negative_fps.nc"
    ds.to_netcdf(path, engine="h5netcdf")
    return path
