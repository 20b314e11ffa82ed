"""A second person in view: refused when it would mix two people, reported when brief.

Keypoint files with two individuals, OpenPose folders with two trunks per frame, and a
single tracked body that switches to someone else (what a one-person video pose model
does when a second person steps in) are built from the synthetic plank, whose truth is
known.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from click.testing import Result
from typer.testing import CliRunner

from form_cases import plank, save
from upright.cli.main import app
from upright.errors import QualityError
from upright.form.definitions import form_definition
from upright.form.people import MAX_OTHERS_SHARE, people_seen
from upright.form.screen import screen_before
from upright.io._kp_openpose import _BODY25_INDEX
from upright.skeleton import KEYPOINTS, make_pose_dataset

PLANK = form_definition("front_plank")


def invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args])


def refused(result: Result, out: Path, *parts: str) -> None:
    assert result.exit_code == 2, result.output
    text = " ".join(result.output.split())
    assert "upright could not finish" in text and "Traceback" not in text
    for part in parts:
        assert part in text, text
    assert not out.exists()


def shifted(ds: xr.Dataset, dx: float) -> np.ndarray:
    """The plank's positions (time, 2, keypoint) moved ``dx`` pixels along x."""
    pos = ds["position"].isel(individual=0).values.copy()
    pos[:, 0] += dx
    return pos


def two_people(share: float) -> xr.Dataset:
    """The plank and a second person 500 px to the left in the first ``share`` of frames."""
    one = plank()
    n = one.sizes["time"]
    other = shifted(one, -500.0)
    other[int(share * n) :] = np.nan
    pos = np.stack([one["position"].isel(individual=0).values, other], axis=-1)
    conf = np.where(np.isnan(pos[:, 0]), 0.0, 1.0)
    ds = make_pose_dataset(
        pos,
        conf,
        one["time"].values,
        fps=float(one.attrs["fps"]),
        individuals=("person_0", "person_1"),
        source_software="test",
        image_width_px=1280,
        image_height_px=720,
    )
    ds.attrs["synthetic"] = 1
    return ds


def switched(start_s: float, stop_s: float) -> xr.Dataset:
    """The one tracked body is someone else (400 px to the left, a smaller figure)
    from ``start_s`` to ``stop_s``."""
    ds = plank()
    t = ds["time"].values
    other = shifted(ds, -400.0) * np.array([1.0, 0.9])[None, :, None]
    rows = (t >= start_s) & (t < stop_s)
    ds["position"].values[rows, :, :, 0] = other[rows]
    return ds


def test_a_file_with_two_people_is_refused(tmp_path: Path) -> None:
    path = save(two_people(1.0), tmp_path / "two.nc")
    out = tmp_path / "out"
    result = invoke("form", "--keypoints", path, "--exercise", "front_plank", "--out", out)
    refused(result, out, "two.nc:", "2 people are in view", "100% of the frames", "one person")


def test_someone_passing_briefly_is_reported_not_refused() -> None:
    ds = two_people(0.05)
    checks = screen_before(ds, PLANK, None)
    (one,) = [c for c in checks if c.name == "one_person"]
    assert not one.passed
    assert "second person was in view in 5% of the frames" in one.message
    assert people_seen(ds).others_share == pytest.approx(0.05, abs=0.01)
    assert people_seen(two_people(2 * MAX_OTHERS_SHARE)).others_share > MAX_OTHERS_SHARE


def test_one_person_passes() -> None:
    (one,) = [c for c in screen_before(plank(), PLANK, None) if c.name == "one_person"]
    assert one.passed and one.message == "one person tracked throughout"


def write_openpose(ds_list: list[xr.Dataset], folder: Path) -> Path:
    """OpenPose BODY_25 frame files (image y down, 720 px high) with one person per
    dataset in every frame."""
    folder.mkdir()
    for i in range(ds_list[0].sizes["time"]):
        people = []
        for ds in ds_list:
            flat = np.zeros((25, 3))
            for name, k in _BODY25_INDEX.items():
                xy = ds["position"].isel(time=i, individual=0).sel(keypoint=name).values
                if np.isfinite(xy).all():
                    flat[k] = [xy[0], 720.0 - xy[1], 0.9]
            people.append({"pose_keypoints_2d": flat.ravel().tolist()})
        doc = {"version": 1.3, "people": people}
        (folder / f"clip_{i:06d}_keypoints.json").write_text(json.dumps(doc))
    return folder


def test_an_openpose_folder_with_two_people_is_refused(tmp_path: Path) -> None:
    one = plank().isel(time=slice(0, 150))
    other = one.copy(deep=True)
    other["position"].values[:, 0] -= 500.0
    folder = write_openpose([one, other], tmp_path / "op")
    out = tmp_path / "out"
    result = invoke(
        "form",
        "--keypoints",
        folder,
        "--exercise",
        "front_plank",
        "--fps",
        "30",
        "--out",
        out,
    )
    refused(result, out, "op:", "2 people are in view")


def test_a_count_without_frames_is_refused() -> None:
    ds = plank()
    ds.attrs["max_people_seen"] = 3
    with pytest.raises(QualityError, match="up to 3 people were in view"):
        screen_before(ds, PLANK, None)


def test_a_switch_of_the_tracked_body_is_refused(tmp_path: Path) -> None:
    path = save(switched(9.0, 20.0), tmp_path / "switch.nc")
    out = tmp_path / "out"
    result = invoke("form", "--keypoints", path, "--exercise", "front_plank", "--out", out)
    refused(result, out, "switch.nc:", "jumped to another place", "at 9.0 s", "mix the two")


def test_a_switch_and_back_is_refused_but_a_glitch_is_reported() -> None:
    with pytest.raises(QualityError, match=r"2 time\(s\), at 6.0 s, 8.0 s"):
        screen_before(switched(6.0, 8.0), PLANK, None)
    glitch = switched(6.0, 6.1)
    seen = people_seen(glitch)
    assert (seen.switches, seen.glitches) == (0, 1)
    (one,) = [c for c in screen_before(glitch, PLANK, None) if c.name == "one_person"]
    assert not one.passed and "jumped away and back 1 time(s)" in one.message


def test_rising_into_the_plank_is_not_a_jump() -> None:
    """The figure's own fastest move (rising in 0.6 s, lowering in 0.6 s) is no jump."""
    seen = people_seen(plank())
    assert (seen.switches, seen.glitches, seen.others_share) == (0, 0, 0.0)


def test_every_keypoint_is_mapped() -> None:
    assert set(_BODY25_INDEX) <= set(KEYPOINTS)
