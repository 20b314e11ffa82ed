"""Tests for upright.io.keypoints: real files, exact synthetic cases, broken files."""

from __future__ import annotations

import gc
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import xarray as xr

from upright.errors import (
    CorruptFileError,
    InputError,
    InsufficientDataError,
    QualityError,
    UnsupportedFormatError,
)
from upright.io.keypoints import read_keypoints, write_keypoints_netcdf
from upright.skeleton import KEYPOINTS, make_pose_dataset

# ----------------------------------------------------------------------------- helpers


def _xy(ds: xr.Dataset, keypoint: str, frame: int) -> tuple[float, float]:
    """(x, y-up) of one keypoint of the runner in one frame."""
    values = ds["position"].isel(time=frame, individual=0).sel(keypoint=keypoint).values
    return float(values[0]), float(values[1])


def _conf(ds: xr.Dataset, keypoint: str, frame: int) -> float:
    return float(ds["confidence"].isel(time=frame, individual=0).sel(keypoint=keypoint))


def _person(cx: float, cy: float, score: float = 0.9) -> list[float]:
    """A BODY_25 person whose keypoint k sits at (cx + k, cy + 4k) in image pixels."""
    flat: list[float] = []
    for k in range(25):
        flat += [cx + k, cy + 4 * k, score]
    return flat


def _write_openpose(folder: Path, frames: dict[int, list[list[float]]], prefix: str = "clip_"):
    """Write one OpenPose JSON file per frame number, in scrambled order."""
    folder.mkdir(exist_ok=True)
    for number in sorted(frames, reverse=True):
        people = [{"person_id": [-1], "pose_keypoints_2d": p} for p in frames[number]]
        doc = {"version": 1.3, "people": people}
        (folder / f"{prefix}{number}_keypoints.json").write_text(json.dumps(doc))
    return folder


_GAITLAB_NAMES = ["nose", "head", "neck", "l_eye", "l_shoulder", "r_hip", "l_big_toe"]


def _gaitlab(**overrides: Any) -> dict[str, Any]:
    """A small GaitLab pose document: 3 frames, 7 keypoints, 100x200 image."""
    frames = [
        [[10.0 + i, 20.0 + 10 * k, 0.8] for k in range(len(_GAITLAB_NAMES))] for i in range(3)
    ]
    doc: dict[str, Any] = {
        "schema": "gaitlab.pose/v1",
        "source": "mediapipe-blazepose",
        "view": "side-right",
        "fps": 25.0,
        "width": 100,
        "height": 200,
        "keypoint_names": list(_GAITLAB_NAMES),
        "frames": frames,
        "timestamps": [0.0, 0.04, 0.08],
    }
    doc.update(overrides)
    return doc


def _write_json(path: Path, doc: Any) -> Path:
    path.write_text(json.dumps(doc))
    return path


def _pose_dataset(n_frames: int = 4) -> xr.Dataset:
    rng = np.random.default_rng(0)
    pos = rng.uniform(0, 500, size=(n_frames, 2, len(KEYPOINTS)))
    pos[:1, :, 3] = np.nan
    conf = rng.uniform(0, 1, size=(n_frames, len(KEYPOINTS)))
    ds = make_pose_dataset(
        pos, conf, np.arange(n_frames) / 50.0, fps=50.0, source_software="synthetic"
    )
    ds.attrs["fps_assumed"] = 0
    return ds


# ----------------------------------------------------------------------------- real files


@pytest.fixture(scope="module")
def rtmpose(shared_data: Path) -> xr.Dataset:
    return read_keypoints(shared_data / "video" / "male_side.rtmpose.json")


@pytest.fixture(scope="module")
def openpose_dir(shared_data: Path) -> Path:
    return shared_data / "keypoints" / "openpose_side_run"


def test_gaitlab_real_file_values(rtmpose: xr.Dataset) -> None:
    assert rtmpose.sizes["time"] == 360
    assert rtmpose.attrs["fps"] == 30.0
    assert rtmpose.attrs["fps_assumed"] == 0
    assert rtmpose.attrs["image_size_assumed"] == 0
    assert rtmpose.attrs["image_height_px"] == 1280
    assert rtmpose.attrs["image_width_px"] == 720
    assert rtmpose.attrs["source_software"] == "rtmpose via gaitlab"
    assert rtmpose.attrs["source_view"] == "side-left"
    assert rtmpose.attrs["source_file"].endswith("male_side.rtmpose.json")
    assert list(rtmpose["keypoint"].values) == list(KEYPOINTS)
    # First frame, straight from the file: nose [228.166, 674.599], head [229.715,
    # 629.653], l_big_toe [304.108, 1223.246].
    assert _xy(rtmpose, "nose", 0) == pytest.approx((228.166, 1280 - 674.599))
    assert _xy(rtmpose, "head_top", 0) == pytest.approx((229.715, 1280 - 629.653))
    assert _xy(rtmpose, "left_toe", 0) == pytest.approx((304.108, 1280 - 1223.246))
    # The file's own timestamps are kept (rounded to 0.1 ms in the file).
    assert float(rtmpose["time"][1]) == pytest.approx(0.0333)
    assert float(rtmpose["time"][-1]) == pytest.approx(11.9667)


def test_gaitlab_real_file_lacks_eyes_and_ears(rtmpose: xr.Dataset) -> None:
    for name in ("left_ear", "right_ear", "left_eye", "right_eye"):
        assert rtmpose["position"].sel(keypoint=name).isnull().all()
        assert rtmpose["confidence"].sel(keypoint=name).isnull().all()
    assert "neck" in rtmpose.attrs["source_keypoints_dropped"]


def test_gaitlab_real_file_confidence_clipped(rtmpose: xr.Dataset) -> None:
    # The file has scores up to 1.198 (1.035 for the first nose).
    conf = rtmpose["confidence"].values
    assert np.nanmax(conf) == 1.0
    assert np.nanmin(conf) >= 0.0
    assert _conf(rtmpose, "nose", 0) == 1.0
    assert "confidence clipped" in rtmpose.attrs["processing"]


def test_openpose_real_folder(openpose_dir: Path) -> None:
    ds = read_keypoints(openpose_dir)
    assert ds.sizes["time"] == 88
    assert ds.attrs["source_software"] == "openpose"
    assert ds.attrs["fps"] == 30.0
    assert ds.attrs["fps_assumed"] == 1
    assert ds.attrs["image_size_assumed"] == 1
    assert ds.attrs["max_people_seen"] == 1
    assert "assumed 30 fps" in ds.attrs["processing"]
    assert float(ds["time"][1]) == pytest.approx(1 / 30)
    # The runner crosses the frame and is gone from frame 63 on.
    for name in ("left_shoulder", "right_shoulder", "left_hip", "right_hip"):
        present = ds["position"].sel(keypoint=name, space="x").notnull().sum()
        assert int(present) >= 60
    assert ds["position"].isel(time=slice(63, None)).isnull().all()
    # Lowest point seen is at image y 921.671, so the assumed height is 922 px.
    assert ds.attrs["image_height_px"] == 922
    # Frame 10, from the file: nose (1575.09, 439.149), left ankle (1728.15, 821.611).
    assert _xy(ds, "nose", 10) == pytest.approx((1575.09, 922 - 439.149))
    assert _xy(ds, "left_ankle", 10) == pytest.approx((1728.15, 922 - 821.611))
    assert _xy(ds, "nose", 10)[1] > _xy(ds, "left_ankle", 10)[1]  # head above feet


def test_openpose_real_folder_with_stated_fps_and_height(openpose_dir: Path) -> None:
    ds = read_keypoints(openpose_dir, fps=25.0, image_height_px=1080, image_width_px=1920)
    assert ds.attrs["fps_assumed"] == 0
    assert ds.attrs["image_size_assumed"] == 0
    assert float(ds["time"][1]) == pytest.approx(0.04)
    assert _xy(ds, "nose", 10) == pytest.approx((1575.09, 1080 - 439.149))


def test_netcdf_round_trip_real(rtmpose: xr.Dataset, tmp_path: Path) -> None:
    path = tmp_path / "pose.nc"
    write_keypoints_netcdf(rtmpose, path)
    back = read_keypoints(path)
    xr.testing.assert_identical(back, rtmpose)
    assert back.attrs == rtmpose.attrs
    assert all(type(back.attrs[k]) is type(v) for k, v in rtmpose.attrs.items())


# ----------------------------------------------------------------------------- netCDF


def test_netcdf_is_movement_style(tmp_path: Path) -> None:
    ds = _pose_dataset()
    path = tmp_path / "pose.nc"
    write_keypoints_netcdf(ds, path)
    with xr.open_dataset(path, engine="h5netcdf") as raw:
        assert raw["position"].dims == ("time", "space", "keypoint", "individual")
        assert raw["confidence"].dims == ("time", "keypoint", "individual")
        assert raw.attrs["ds_type"] == "poses"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pose.nc"]  # no temp file left


def test_netcdf_round_trip_synthetic(tmp_path: Path) -> None:
    ds = _pose_dataset()
    before = ds.copy(deep=True)
    write_keypoints_netcdf(ds, tmp_path / "a.nc")
    back = read_keypoints(tmp_path / "a.nc", fps=50.0)
    xr.testing.assert_identical(back, ds)
    xr.testing.assert_identical(ds, before)  # input not modified
    assert np.isnan(back["position"].values[0, 0, 3])


def test_netcdf_overwrites_existing_file(tmp_path: Path) -> None:
    path = tmp_path / "a.nc"
    write_keypoints_netcdf(_pose_dataset(3), path)
    write_keypoints_netcdf(_pose_dataset(5), path)
    assert read_keypoints(path).sizes["time"] == 5


def test_netcdf_with_fewer_keypoints_is_completed(tmp_path: Path) -> None:
    ds = make_pose_dataset(
        np.ones((2, 2, 2)),
        np.ones((2, 2)),
        [0.0, 0.1],
        keypoints=("left_hip", "nose"),
        fps=10.0,
        source_software="x",
    )
    write_keypoints_netcdf(ds, tmp_path / "few.nc")
    back = read_keypoints(tmp_path / "few.nc")
    assert list(back["keypoint"].values) == list(KEYPOINTS)
    assert back["position"].sel(keypoint="left_hip").notnull().all()
    assert back["position"].sel(keypoint="right_hip").isnull().all()


def test_write_failure_leaves_old_file_and_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "pose.nc"
    write_keypoints_netcdf(_pose_dataset(3), path)
    old = path.read_bytes()

    def fail(self: xr.Dataset, target: Path, **kwargs: Any) -> None:
        Path(target).write_bytes(b"half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(xr.Dataset, "to_netcdf", fail)
    with pytest.raises(InputError, match=r"could not be written.*No space left"):
        write_keypoints_netcdf(_pose_dataset(5), path)
    assert path.read_bytes() == old
    assert [p.name for p in tmp_path.iterdir()] == ["pose.nc"]


def test_write_needs_nc_suffix(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"must end in '\.nc'"):
        write_keypoints_netcdf(_pose_dataset(), tmp_path / "pose.h5")


def test_write_needs_existing_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"folder to save into does not exist"):
        write_keypoints_netcdf(_pose_dataset(), tmp_path / "nope" / "pose.nc")


def test_write_refuses_attrs_netcdf_cannot_hold(tmp_path: Path) -> None:
    ds = _pose_dataset()
    ds.attrs["flag"] = True
    ds.attrs["meta"] = {"a": 1}
    with pytest.raises(InputError, match=r"'flag', 'meta' cannot be stored"):
        write_keypoints_netcdf(ds, tmp_path / "pose.nc")
    assert list(tmp_path.iterdir()) == []


def test_write_refuses_non_pose_dataset(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"lacks variable 'position'"):
        write_keypoints_netcdf(xr.Dataset({"a": ("x", [1, 2])}), tmp_path / "pose.nc")


# ----------------------------------------------------------------------------- GaitLab


def test_gaitlab_synthetic_exact(tmp_path: Path) -> None:
    doc = _gaitlab()
    doc["frames"][1][0] = [55.0, 66.0, 0.0]  # nose not found in frame 1
    doc["frames"][2][4] = [40.0, 50.0, 1.2]  # score above 1
    ds = read_keypoints(_write_json(tmp_path / "pose.json", doc))
    assert ds.attrs["source_software"] == "mediapipe via gaitlab"
    assert ds.attrs["source_view"] == "side-right"
    assert ds.attrs["fps"] == 25.0
    assert list(ds["time"].values) == [0.0, 0.04, 0.08]
    assert _xy(ds, "nose", 0) == (10.0, 200.0 - 20.0)
    assert _xy(ds, "head_top", 0) == (10.0, 200.0 - 30.0)
    assert _xy(ds, "left_eye", 2) == (12.0, 200.0 - 50.0)
    assert _xy(ds, "left_toe", 0) == (10.0, 200.0 - 80.0)
    assert np.isnan(_xy(ds, "nose", 1)).all()
    assert _conf(ds, "nose", 1) == 0.0
    assert _conf(ds, "left_shoulder", 2) == 1.0
    assert np.isnan(_conf(ds, "right_ear", 0))


def test_gaitlab_bad_timestamps_derived_from_fps(tmp_path: Path) -> None:
    doc = _gaitlab(timestamps=[0.0, 0.04, 0.04])
    ds = read_keypoints(_write_json(tmp_path / "pose.json", doc))
    assert ds["time"].values == pytest.approx([0.0, 0.04, 0.08])
    assert "timestamps unusable" in ds.attrs["processing"]
    assert ds.attrs["fps_assumed"] == 0


def test_gaitlab_no_timestamps_no_fps_assumes_30(tmp_path: Path) -> None:
    doc = _gaitlab()
    del doc["timestamps"], doc["fps"]
    ds = read_keypoints(_write_json(tmp_path / "pose.json", doc))
    assert ds["time"].values == pytest.approx([0.0, 1 / 30, 2 / 30])
    assert ds.attrs["fps_assumed"] == 1
    assert "timestamps missing" in ds.attrs["processing"]


def test_gaitlab_fps_from_caller_when_file_lacks_it(tmp_path: Path) -> None:
    doc = _gaitlab()
    del doc["timestamps"], doc["fps"]
    ds = read_keypoints(_write_json(tmp_path / "pose.json", doc), fps=50.0)
    assert ds["time"].values == pytest.approx([0.0, 0.02, 0.04])
    assert ds.attrs["fps_assumed"] == 0


def test_gaitlab_empty_frame_is_nan(tmp_path: Path) -> None:
    doc = _gaitlab()
    doc["frames"][1] = []
    ds = read_keypoints(_write_json(tmp_path / "pose.json", doc))
    assert ds["position"].isel(time=1).isnull().all()
    assert ds["position"].isel(time=0).sel(keypoint="nose").notnull().all()


def test_gaitlab_without_image_size_assumes_lowest_point(tmp_path: Path) -> None:
    doc = _gaitlab()
    del doc["width"], doc["height"]
    ds = read_keypoints(_write_json(tmp_path / "pose.json", doc))
    assert ds.attrs["image_height_px"] == 80  # lowest point: l_big_toe at y=80
    assert ds.attrs["image_size_assumed"] == 1
    assert _xy(ds, "nose", 0) == (10.0, 60.0)


# ----------------------------------------------------------------------------- OpenPose


def test_openpose_runner_kept_by_continuity(tmp_path: Path) -> None:
    runner = [_person(1000.0 - 50 * i, 300.0) for i in range(6)]
    bystander = _person(700.0, 320.0, score=0.95)
    frames = {
        0: [runner[0], _person(200.0, 320.0, score=0.3)],  # runner most confident
        1: [bystander, runner[1]],  # bystander listed first and more confident
        2: [runner[2], bystander],
        3: [],  # nobody
        4: [bystander, runner[4]],  # runner keeps identity across the empty frame
        10: [runner[5]],  # numbered 10: must come after 4 (not sorted as text)
    }
    ds = read_keypoints(_write_openpose(tmp_path / "op", frames), image_height_px=1000)
    assert ds.attrs["max_people_seen"] == 2
    assert ds.attrs["frames_with_others"] == 4  # frames 0, 1, 2 and 4 show two trunks
    assert "runner kept by continuity" in ds.attrs["processing"]
    assert ds["time"].values == pytest.approx(np.array([0, 1, 2, 3, 4, 10]) / 30)
    nose_x = ds["position"].sel(keypoint="nose", space="x", individual="runner").values
    assert nose_x[[0, 1, 2, 4, 5]] == pytest.approx([1000, 950, 900, 800, 750])
    assert np.isnan(nose_x[3])
    # BODY_25 index 14 is LAnkle at (cx + 14, cy + 56).
    assert _xy(ds, "left_ankle", 0) == (1014.0, 1000.0 - 356.0)
    assert ds["position"].sel(keypoint="head_top").isnull().all()


def test_openpose_first_frame_picks_most_confident_person(tmp_path: Path) -> None:
    frames = {0: [_person(100.0, 100.0, score=0.2), _person(800.0, 100.0, score=0.9)]}
    ds = read_keypoints(_write_openpose(tmp_path / "op", frames), image_height_px=500)
    assert _xy(ds, "nose", 0)[0] == 800.0


def test_openpose_missing_point_is_nan(tmp_path: Path) -> None:
    person = _person(500.0, 100.0)
    person[5 * 3 : 5 * 3 + 3] = [0.0, 0.0, 0.0]  # LShoulder not found
    ds = read_keypoints(_write_openpose(tmp_path / "op", {0: [person], 1: [person]}))
    assert np.isnan(_xy(ds, "left_shoulder", 0)).all()
    assert _conf(ds, "left_shoulder", 0) == 0.0
    assert ds.attrs["image_height_px"] == 100 + 4 * 24  # lowest point: RHeel


# ----------------------------------------------------------------------------- errors


@pytest.mark.parametrize("value", [0, -1.0, float("nan")])
def test_invalid_fps_argument(tmp_path: Path, value: float) -> None:
    with pytest.raises(InputError, match=r"fps must be a positive number"):
        read_keypoints(_write_json(tmp_path / "pose.json", _gaitlab()), fps=value)


def test_missing_path() -> None:
    with pytest.raises(InputError, match=r"nope\.json: no such file or folder"):
        read_keypoints("/definitely/not/here/nope.json")


def test_empty_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"holds no OpenPose \*_keypoints\.json files"):
        read_keypoints(tmp_path)


def test_folder_without_keypoint_files(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello")
    (tmp_path / "frame_0001.json").write_text("{}")
    with pytest.raises(InputError, match=r"holds no OpenPose \*_keypoints\.json files"):
        read_keypoints(tmp_path)


def test_openpose_truncated_frame_named(tmp_path: Path) -> None:
    folder = _write_openpose(tmp_path / "op", {0: [_person(1, 1)], 1: [_person(2, 2)]})
    bad = folder / "clip_1_keypoints.json"
    bad.write_text(bad.read_text()[:40])
    with pytest.raises(CorruptFileError, match=r"clip_1_keypoints\.json: .*not valid JSON"):
        read_keypoints(folder)


def test_openpose_frame_without_people(tmp_path: Path) -> None:
    folder = _write_openpose(tmp_path / "op", {0: [_person(1, 1)]})
    (folder / "clip_1_keypoints.json").write_text('{"version": 1.3}')
    with pytest.raises(CorruptFileError, match=r"clip_1_keypoints\.json: .*no 'people' list"):
        read_keypoints(folder)


def test_openpose_wrong_keypoint_count(tmp_path: Path) -> None:
    folder = _write_openpose(tmp_path / "op", {0: [_person(1, 1)[:60]]})
    with pytest.raises(CorruptFileError, match=r"person 0 has 60 values.*BODY_25 has 75"):
        read_keypoints(folder)


def test_openpose_non_numeric_keypoints(tmp_path: Path) -> None:
    folder = _write_openpose(tmp_path / "op", {0: [["a", "b", "c"]]})
    with pytest.raises(CorruptFileError, match=r"person 0: 'pose_keypoints_2d' is not a list"):
        read_keypoints(folder)


def test_openpose_coco_model_unsupported(tmp_path: Path) -> None:
    folder = _write_openpose(tmp_path / "op", {0: [_person(1, 1)[:54]]})
    with pytest.raises(UnsupportedFormatError, match=r"COCO model.*BODY_25"):
        read_keypoints(folder)


def test_openpose_mixed_videos(tmp_path: Path) -> None:
    folder = _write_openpose(tmp_path / "op", {0: [_person(1, 1)]}, prefix="a_")
    _write_openpose(folder, {0: [_person(1, 1)]}, prefix="b_")
    with pytest.raises(InputError, match=r"mixes frames of several videos"):
        read_keypoints(folder)


def test_openpose_file_without_frame_number(tmp_path: Path) -> None:
    (tmp_path / "frame_keypoints.json").write_text('{"people": []}')
    with pytest.raises(InputError, match=r"'frame_keypoints.json' has no frame number"):
        read_keypoints(tmp_path)


def test_openpose_nobody_in_any_frame(tmp_path: Path) -> None:
    folder = _write_openpose(tmp_path / "op", {0: [], 1: [[0.0] * 75]})
    with pytest.raises(QualityError, match=r"no person was detected in any of its 2 frames"):
        read_keypoints(folder)


def test_single_openpose_file_passed(tmp_path: Path) -> None:
    folder = _write_openpose(tmp_path / "op", {0: [_person(1, 1)]})
    with pytest.raises(UnsupportedFormatError, match=r"single OpenPose frame.*folder"):
        read_keypoints(folder / "clip_0_keypoints.json")


def test_gaitlab_truncated(tmp_path: Path) -> None:
    path = tmp_path / "pose.json"
    path.write_text(json.dumps(_gaitlab())[:100])
    with pytest.raises(CorruptFileError, match=r"pose\.json: .*not valid JSON.*truncated"):
        read_keypoints(path)


def test_gaitlab_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "pose.json"
    path.write_bytes(b"\xff\xfe\x00\x81garbage")
    with pytest.raises(CorruptFileError, match=r"not UTF-8 text"):
        read_keypoints(path)


@pytest.mark.parametrize("key", ["keypoint_names", "frames"])
def test_gaitlab_missing_key(tmp_path: Path, key: str) -> None:
    doc = _gaitlab()
    del doc[key]
    with pytest.raises(CorruptFileError, match=f"lacks the required key '{key}'"):
        read_keypoints(_write_json(tmp_path / "pose.json", doc))


def test_gaitlab_frame_wrong_shape(tmp_path: Path) -> None:
    doc = _gaitlab()
    doc["frames"][1] = doc["frames"][1][:-1]
    with pytest.raises(CorruptFileError, match=r"frame 1 has shape \(6, 3\); expected \(7, 3\)"):
        read_keypoints(_write_json(tmp_path / "pose.json", doc))


def test_gaitlab_frame_not_numbers(tmp_path: Path) -> None:
    doc = _gaitlab()
    doc["frames"][2][0] = ["x", "y", "z"]
    with pytest.raises(CorruptFileError, match=r"frame 2 is not a list of \[x, y, score\]"):
        read_keypoints(_write_json(tmp_path / "pose.json", doc))


def test_gaitlab_bad_fps_in_file(tmp_path: Path) -> None:
    with pytest.raises(CorruptFileError, match=r"key 'fps' must be a positive number"):
        read_keypoints(_write_json(tmp_path / "pose.json", _gaitlab(fps=-30)))


def test_gaitlab_fps_argument_contradicts_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"fps=60.0 contradicts the file.*fps=25.0"):
        read_keypoints(_write_json(tmp_path / "pose.json", _gaitlab()), fps=60.0)


def test_gaitlab_zero_frames(tmp_path: Path) -> None:
    with pytest.raises(InsufficientDataError, match=r"holds zero frames"):
        read_keypoints(_write_json(tmp_path / "pose.json", _gaitlab(frames=[])))


def test_gaitlab_unknown_keypoint_names(tmp_path: Path) -> None:
    doc = _gaitlab(keypoint_names=[f"kp{i}" for i in range(7)])
    with pytest.raises(UnsupportedFormatError, match=r"none of its keypoint names"):
        read_keypoints(_write_json(tmp_path / "pose.json", doc))


def test_json_array_is_corrupt(tmp_path: Path) -> None:
    with pytest.raises(CorruptFileError, match=r"holds a JSON list"):
        read_keypoints(_write_json(tmp_path / "pose.json", [1, 2, 3]))


def test_unrelated_json_unsupported(tmp_path: Path) -> None:
    with pytest.raises(UnsupportedFormatError, match=r"not GaitLab pose JSON"):
        read_keypoints(_write_json(tmp_path / "config.json", {"name": "x"}))


def test_video_passed_as_keypoints(tmp_path: Path) -> None:
    path = tmp_path / "run.mp4"
    path.write_bytes(b"\x00\x00\x00\x18ftypmp42")
    with pytest.raises(UnsupportedFormatError, match=r"run\.mp4: .*suffix '\.mp4'.*video"):
        read_keypoints(path)


def test_other_suffix_lists_accepted_formats(tmp_path: Path) -> None:
    path = tmp_path / "pose.csv"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(UnsupportedFormatError, match=r"OpenPose.*GaitLab.*upright pose .nc"):
        read_keypoints(path)


def test_random_bytes_nc(tmp_path: Path) -> None:
    path = tmp_path / "random.nc"
    path.write_bytes(np.random.default_rng(1).bytes(256))
    with pytest.raises(UnsupportedFormatError, match=r"not a netCDF-4.*not an upright pose"):
        read_keypoints(path)


def test_netcdf3_file(tmp_path: Path) -> None:
    path = tmp_path / "old.nc"
    path.write_bytes(b"CDF\x01" + bytes(60))
    with pytest.raises(UnsupportedFormatError, match=r"netCDF-3 file"):
        read_keypoints(path)


def test_netcdf_that_is_not_a_pose_file(tmp_path: Path) -> None:
    path = tmp_path / "other.nc"
    xr.Dataset({"temperature": ("x", [1.0, 2.0])}).to_netcdf(path, engine="h5netcdf")
    with pytest.raises(
        UnsupportedFormatError, match=r"not an upright pose file: it lacks variable 'position'"
    ):
        read_keypoints(path)


def test_netcdf_with_y_down_is_refused(tmp_path: Path) -> None:
    ds = _pose_dataset()
    ds.attrs["y_axis"] = "down"
    path = tmp_path / "down.nc"
    write_keypoints_netcdf(ds, path)
    with pytest.raises(UnsupportedFormatError, match=r"attr y_axis='up'"):
        read_keypoints(path)


def test_truncated_netcdf(tmp_path: Path) -> None:
    path = tmp_path / "pose.nc"
    write_keypoints_netcdf(_pose_dataset(), path)
    path.write_bytes(path.read_bytes()[:600])
    with pytest.raises(CorruptFileError, match=r"cannot be opened.*truncated"):
        read_keypoints(path)


def test_netcdf_zero_frames(tmp_path: Path) -> None:
    path = tmp_path / "empty.nc"
    write_keypoints_netcdf(_pose_dataset(0), path)
    with pytest.raises(InsufficientDataError, match=r"holds zero frames"):
        read_keypoints(path)


def test_netcdf_fps_argument_contradicts_file(tmp_path: Path) -> None:
    path = tmp_path / "pose.nc"
    write_keypoints_netcdf(_pose_dataset(), path)
    with pytest.raises(InputError, match=r"fps=30.0 contradicts the file"):
        read_keypoints(path, fps=30.0)


# ------------------------------------------------------------ impossible values, damage


def _nc_with(tmp_path: Path, name: str = "pose.nc", **attrs: Any) -> Path:
    """A pose netCDF of 4 frames at 50 fps whose attrs are changed (None removes one)."""
    ds = _pose_dataset()
    for key, value in attrs.items():
        if value is None:
            del ds.attrs[key]
        else:
            ds.attrs[key] = value
    path = tmp_path / name
    ds.to_netcdf(path, engine="h5netcdf")
    return path


@pytest.mark.parametrize(
    ("fps", "error", "message"),
    [
        (-30.0, CorruptFileError, r"frame rate is -30 fps; a frame rate must be a positive"),
        (float("nan"), CorruptFileError, r"frame rate is nan fps; a frame rate must be"),
        (1e9, CorruptFileError, r"frame rate is 1e\+09 fps; no camera films a runner at over"),
        (2.0, QualityError, r"frame rate is 2 fps; .* at least 10 frames per second"),
    ],
)
def test_netcdf_frame_rate_no_camera_films_at(
    tmp_path: Path, fps: float, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=rf"pose.nc: its {message}"):
        read_keypoints(_nc_with(tmp_path, fps=fps))


def test_gaitlab_frame_rate_of_1e9_is_named_as_the_cause(tmp_path: Path) -> None:
    path = _write_json(tmp_path / "fast.json", _gaitlab(fps=1e9))
    with pytest.raises(CorruptFileError, match=r"fast.json: its frame rate is 1e\+09 fps"):
        read_keypoints(path)


def test_netcdf_frame_rate_contradicting_its_timestamps(tmp_path: Path) -> None:
    with pytest.raises(
        CorruptFileError,
        match=r"pose.nc: it states a frame rate of 100 fps, but its timestamps are 0.02 s "
        r"apart \(50 fps\)",
    ):
        read_keypoints(_nc_with(tmp_path, fps=100.0))


def test_netcdf_without_frame_rate(tmp_path: Path) -> None:
    path = _nc_with(tmp_path, fps=None)
    with pytest.raises(CorruptFileError, match=r"pose.nc: states no frame rate"):
        read_keypoints(path)
    assert read_keypoints(path, fps=50.0).attrs["fps"] == 50.0


def test_netcdf_positions_far_outside_the_picture(tmp_path: Path) -> None:
    ds = _pose_dataset()
    ds.attrs.update(image_width_px=640, image_height_px=480)
    ds["position"].values[2, 0, 5, 0] = 1.5e307
    ds["position"].values[3, 1, 6, 0] = -2000.0  # 2480 px below the picture's top edge
    path = tmp_path / "far.nc"
    ds.to_netcdf(path, engine="h5netcdf")
    with pytest.raises(
        CorruptFileError,
        match=r"far.nc: 2 keypoint positions lie far outside the 640 x 480 px picture "
        r"\(the first in frame 2, up to 1.5e\+307 px\); the file is damaged",
    ):
        read_keypoints(path)


def test_netcdf_confidence_outside_0_to_1(tmp_path: Path) -> None:
    ds = _pose_dataset()
    ds["confidence"].values[1, 4, 0] = 7.0
    path = tmp_path / "conf.nc"
    ds.to_netcdf(path, engine="h5netcdf")
    with pytest.raises(CorruptFileError, match=r"conf.nc: 1 confidence values lie outside 0 to 1"):
        read_keypoints(path)


def test_damaged_netcdf_prints_nothing_after_the_error(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """Garbled object headers: h5netcdf, left to open such a file, prints a second error
    when the file object it could not finish is discarded."""
    path = tmp_path / "pose.nc"
    write_keypoints_netcdf(_pose_dataset(), path)
    data = bytearray(path.read_bytes())
    data[100:200] = np.random.default_rng(1).bytes(100)
    path.write_bytes(bytes(data))
    with pytest.raises(CorruptFileError, match=r"pose.nc: the netCDF file cannot be opened"):
        read_keypoints(path)
    gc.collect()
    assert "Exception ignored" not in capfd.readouterr().err
