"""C3D motion capture as ground truth: side-view keypoints and force-plate contacts.

Real recording: RBDS001, a 30 s run at 3.5 m/s on an instrumented treadmill
(Fukuchi, Fukuchi & Duarte 2017, PeerJ 5:e3298), from ``../shared/data/mocap``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from upright.errors import CorruptFileError, InputError, UnsupportedFormatError
from upright.io.c3d import read_c3d_side_view, read_force_plate_contacts

RUN = "mocap/RBDS001runT35.c3d"
STATIC = "mocap/RBDS001static.c3d"


@pytest.fixture(scope="module")
def run_path(shared_data: Path) -> Path:
    return shared_data / RUN


@pytest.fixture(scope="module")
def contacts(run_path: Path) -> pd.DataFrame:
    return read_force_plate_contacts(run_path)


@pytest.fixture(scope="module")
def side_150(run_path: Path) -> xr.Dataset:
    return read_c3d_side_view(run_path)


def _y(ds: xr.Dataset, keypoint: str) -> np.ndarray:
    return np.asarray(ds["position"].sel(keypoint=keypoint, space="y").isel(individual=0))


def _x(ds: xr.Dataset, keypoint: str) -> np.ndarray:
    return np.asarray(ds["position"].sel(keypoint=keypoint, space="x").isel(individual=0))


# ------------------------------------------------------------------ force plate


def test_about_85_contacts_in_30_s(contacts: pd.DataFrame) -> None:
    assert 80 <= len(contacts) <= 90
    assert contacts["contact_s"].between(0.0, 30.0).all()
    assert contacts["contact_s"].is_monotonic_increasing
    assert contacts.attrs["body_weight_n"] == pytest.approx(62 * 9.81, rel=0.05)  # 62 kg


def test_contacts_alternate_feet(contacts: pd.DataFrame) -> None:
    feet = contacts["foot"].to_numpy()
    assert set(feet) == {"left", "right"}
    assert (feet[1:] != feet[:-1]).all()


def test_stance_and_step_times_are_those_of_running(contacts: pd.DataFrame) -> None:
    stance = contacts["toe_off_s"] - contacts["contact_s"]
    assert stance.between(0.18, 0.32).all()
    flight = contacts["contact_s"].to_numpy()[1:] - contacts["toe_off_s"].to_numpy()[:-1]
    assert (flight > 0).all()  # running: no double support
    step = np.diff(contacts["contact_s"].to_numpy())
    assert 0.30 < np.median(step) < 0.40  # 150-200 steps/min
    assert np.std(step) / np.mean(step) < 0.05


# ------------------------------------------------------------------- side view


def test_side_view_layout_and_axes(side_150: xr.Dataset) -> None:
    assert side_150.sizes["time"] == 4500
    np.testing.assert_allclose(np.diff(side_150["time"]), 1 / 150)
    assert side_150.attrs["units"] == "mm"
    assert side_150.attrs["lab_vertical_axis"] == "+Y"
    assert side_150.attrs["lab_anterior_axis"] == "+X"
    # right view: the runner faces +x, toes ahead of heels
    assert np.nanmedian(_x(side_150, "right_toe") - _x(side_150, "right_heel")) > 50
    assert np.nanmedian(_y(side_150, "left_hip") - _y(side_150, "left_heel")) > 600


def test_left_view_mirrors_x(run_path: Path, side_150: xr.Dataset) -> None:
    left = read_c3d_side_view(run_path, view="left")
    np.testing.assert_allclose(_x(left, "right_heel"), -_x(side_150, "right_heel"))
    np.testing.assert_allclose(_y(left, "right_heel"), _y(side_150, "right_heel"))
    assert np.nanmedian(_x(left, "left_toe") - _x(left, "left_heel")) < -50


def test_confidence_marks_missing_markers(side_150: xr.Dataset) -> None:
    conf = side_150["confidence"].isel(individual=0)
    for name in ("left_heel", "right_heel", "left_toe", "right_toe", "right_knee"):
        assert float(conf.sel(keypoint=name).min()) == 1.0
    # L.ASIS is missing (all-zero) in frames 900 and 4057: the hip centres need it
    hip = conf.sel(keypoint="left_hip").to_numpy()
    np.testing.assert_array_equal(np.flatnonzero(hip == 0), [900, 4057])
    assert np.isnan(_x(side_150, "left_hip")[900])
    # no shoulder or head markers in this marker set
    assert float(conf.sel(keypoint=["left_shoulder", "nose"]).max()) == 0.0
    assert np.isnan(_y(side_150, "left_shoulder")).all()


def test_30_fps_takes_every_5th_frame(run_path: Path, side_150: xr.Dataset) -> None:
    video_like = read_c3d_side_view(run_path, fps=30)
    assert video_like.sizes["time"] == side_150.sizes["time"] // 5
    np.testing.assert_array_equal(video_like["time"], side_150["time"][::5])
    np.testing.assert_array_equal(
        video_like["position"].to_numpy(), side_150["position"].to_numpy()[::5]
    )
    assert video_like.attrs["fps"] == 30.0


def test_non_integer_ratio_interpolates(run_path: Path, side_150: xr.Dataset) -> None:
    ds = read_c3d_side_view(run_path, fps=60)  # 150 / 60 = 2.5
    np.testing.assert_allclose(np.diff(ds["time"]), 1 / 60)
    t = side_150["time"].to_numpy()
    expected = np.interp(ds["time"].to_numpy(), t, _y(side_150, "right_heel"))
    np.testing.assert_allclose(_y(ds, "right_heel"), expected)


def test_heel_is_lowest_near_contact(contacts: pd.DataFrame, side_150: xr.Dataset) -> None:
    """The landing foot's heel is its lowest point and far below the swinging foot.

    RBDSinfo.txt lists this runner as a forefoot striker, yet at 3.5 m/s the markers
    show a flat landing with the heel marker lowest: the test follows the markers.
    """
    t = side_150["time"].to_numpy()
    for row in contacts.itertuples():
        other = "left" if row.foot == "right" else "right"
        heel = np.interp(row.contact_s, t, _y(side_150, f"{row.foot}_heel"))
        toe = np.interp(row.contact_s, t, _y(side_150, f"{row.foot}_toe"))
        swing_heel = np.interp(row.contact_s, t, _y(side_150, f"{other}_heel"))
        assert heel < toe
        assert swing_heel - heel > 200
        stance = (t >= row.contact_s - 0.05) & (t <= row.toe_off_s)
        lowest_at = t[stance][np.argmin(_y(side_150, f"{row.foot}_heel")[stance])]
        assert 0.0 <= lowest_at - row.contact_s <= 0.08


def test_static_trial_places_knee_and_ankle(shared_data: Path, side_150: xr.Dataset) -> None:
    ds = read_c3d_side_view(shared_data / RUN, static_path=shared_data / STATIC)
    assert "static-trial knee markers" in ds.attrs["keypoint_sources"]
    for side in ("left", "right"):
        knee, ankle, hip = (_y(ds, f"{side}_{k}") for k in ("knee", "ankle", "hip"))
        assert (np.nanmedian(ankle) < np.nanmedian(knee) < np.nanmedian(hip)).all()
        # the no-static estimates stay within a few cm of the calibrated points
        for joint in ("knee", "ankle"):
            name = f"{side}_{joint}"
            gap = np.hypot(_x(ds, name) - _x(side_150, name), _y(ds, name) - _y(side_150, name))
            assert np.nanmedian(gap) < 30


# ----------------------------------------------------------------------- errors


def test_missing_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "nope.c3d"
    with pytest.raises(InputError, match=r"nope\.c3d: file not found"):
        read_c3d_side_view(path)
    with pytest.raises(InputError, match=r"nope\.c3d: file not found"):
        read_force_plate_contacts(path)


def test_text_file_is_not_a_c3d(tmp_path: Path) -> None:
    path = tmp_path / "trial.c3d"
    path.write_text("frame,x,y\n1,2,3\n")
    with pytest.raises(UnsupportedFormatError, match=r"trial\.c3d: is not a C3D file"):
        read_c3d_side_view(path)
    empty = tmp_path / "empty.c3d"
    empty.write_bytes(b"")
    with pytest.raises(UnsupportedFormatError, match=r"empty\.c3d: is not a C3D file"):
        read_force_plate_contacts(empty)


def test_truncated_c3d_is_corrupt(run_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "cut.c3d"
    path.write_bytes(run_path.read_bytes()[:20_000])
    with pytest.raises(CorruptFileError, match=r"cut\.c3d: holds \d+ marker frames.*truncated"):
        read_c3d_side_view(path)


def test_static_trial_has_no_force_channel(shared_data: Path) -> None:
    with pytest.raises(InputError, match=r"RBDS001static\.c3d: has no vertical force channel"):
        read_force_plate_contacts(shared_data / STATIC)


def test_fps_above_marker_rate_is_refused(run_path: Path) -> None:
    with pytest.raises(InputError, match=r"cannot resample the 150 Hz markers to fps=200"):
        read_c3d_side_view(run_path, fps=200)


def test_missing_ezc3d_says_how_to_install(run_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ezc3d", None)
    with pytest.raises(InputError, match=r"pip install ezc3d"):
        read_force_plate_contacts(run_path)
