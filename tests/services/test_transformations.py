"""Known transformations of real keypoints, whose effect on the lean is exact.

The RTMPose keypoints of the real treadmill clip are rotated, mirrored, or looped with a
slowly growing rotation (as if the camera rolled, the clip were filmed from the other
side, or the runner leaned further and further). The frame-level versions of these
checks, which re-run pose estimation on transformed video, are in
benchmarks/transformations.py.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from upright.io.keypoints import read_keypoints
from upright.kinematics.events import detect_gait_events
from upright.kinematics.tilt import level_by_ground_line
from upright.services.analyze import Analysis, AnalysisOptions, analyze_keypoints
from upright.signal.filters import fill_gaps, lowpass, mask_low_confidence


@pytest.fixture(scope="module")
def rtmpose(shared_data: Path) -> xr.Dataset:
    return read_keypoints(shared_data / "video" / "male_side.rtmpose.json")


def _rotated(ds: xr.Dataset, angle_deg: np.ndarray | float) -> xr.Dataset:
    """Rotate every frame counter-clockwise (y up, so also on screen) about the image
    centre by ``angle_deg`` (one angle, or one per frame)."""
    out = ds.copy(deep=True)
    cx, cy = ds.attrs["image_width_px"] / 2, ds.attrs["image_height_px"] / 2
    a = np.deg2rad(np.broadcast_to(angle_deg, ds.sizes["time"]))[:, None, None]
    x = ds["position"].sel(space="x").values - cx
    y = ds["position"].sel(space="y").values - cy
    out["position"].loc[{"space": "x"}] = cx + np.cos(a) * x - np.sin(a) * y
    out["position"].loc[{"space": "y"}] = cy + np.sin(a) * x + np.cos(a) * y
    return out


def _lean(a: Analysis) -> float:
    return a.summary.metrics["trunk_lean_stance_deg"].value


def _looped(ds: xr.Dataset, loops: int) -> xr.Dataset:
    dt = 1.0 / ds.attrs["fps"]
    span = float(ds["time"].values[-1] - ds["time"].values[0]) + dt
    parts = [ds.assign_coords(time=ds["time"].values + k * span) for k in range(loops)]
    out = xr.concat(parts, dim="time")
    out.attrs = dict(ds.attrs)
    return out


@pytest.mark.parametrize("angle", [-8.0, -4.0, 4.0, 8.0])
def test_rotation_changes_lean_by_the_angle_without_correction(
    rtmpose: xr.Dataset, angle: float
) -> None:
    level = analyze_keypoints(rtmpose, AnalysisOptions(tilt_deg=0.0))
    rotated = analyze_keypoints(_rotated(rtmpose, angle), AnalysisOptions(tilt_deg=0.0))
    # the runner faces image-left (-x): a counter-clockwise turn tips the trunk forward.
    # Per frame the lean changes by exactly the angle; per stride a little more or less,
    # because the uncorrected tilt also moves where the stances begin and end.
    assert level.summary.setup.direction == "left"
    assert np.nanmedian(rotated.frames["trunk_lean_deg"] - level.frames["trunk_lean_deg"]) == (
        pytest.approx(angle, abs=1e-6)
    )
    assert _lean(rotated) - _lean(level) == pytest.approx(angle, abs=1.0)


def _levelled_tilt(ds: xr.Dataset) -> float:
    clean = lowpass(fill_gaps(mask_low_confidence(ds)))
    found, _, _ = level_by_ground_line(clean, detect_gait_events(clean), "treadmill")
    return found.tilt_deg


@pytest.mark.parametrize("angle", [-8.0, -4.0, 4.0, 8.0])
def test_ground_line_turns_with_the_picture(rtmpose: xr.Dataset, angle: float) -> None:
    base = _levelled_tilt(rtmpose)
    assert _levelled_tilt(_rotated(rtmpose, angle)) - base == pytest.approx(angle, abs=0.7)


def test_unclear_ground_line_is_not_used_and_said_so(rtmpose: xr.Dataset) -> None:
    # On this clip the stance lines of the feet spread widely (the far foot is hidden
    # by the treadmill console), so the ground line is not trusted: the camera is taken
    # as level and the summary says why.
    a = analyze_keypoints(rtmpose)
    assert a.summary.setup.tilt_source == "not corrected"
    assert a.summary.setup.tilt_deg == 0.0
    assert any("ground line" in note and "--tilt-deg" in note for note in a.summary.notes)


def test_mirrored_clip_gives_same_lean_and_reversed_direction(rtmpose: xr.Dataset) -> None:
    mirrored = rtmpose.copy(deep=True)
    width = rtmpose.attrs["image_width_px"]
    mirrored["position"].loc[{"space": "x"}] = width - rtmpose["position"].sel(space="x").values
    a, b = analyze_keypoints(rtmpose), analyze_keypoints(mirrored)
    assert (a.summary.setup.direction, b.summary.setup.direction) == ("left", "right")
    assert _lean(b) == pytest.approx(_lean(a), abs=0.3)
    assert b.summary.metrics["head_trunk_deg"].value == pytest.approx(
        a.summary.metrics["head_trunk_deg"].value, abs=0.3
    )
    assert b.summary.cadence_spm == pytest.approx(a.summary.cadence_spm, rel=0.01)


def _drift(a: Analysis) -> tuple[float, bool, float]:
    d = next(x for x in a.summary.drift if x.metric == "trunk_lean_stance_deg")
    return d.change, d.flagged, d.span_s


def test_looped_clip_with_growing_rotation_shows_the_drift_put_in(rtmpose: xr.Dataset) -> None:
    loops, grow_deg = 5, 6.0
    looped = _looped(rtmpose, loops)
    t = looped["time"].values
    duration = float(t[-1] - t[0])
    growing = _rotated(looped, grow_deg * (t - t[0]) / duration)
    change, flagged, span = _drift(analyze_keypoints(growing, AnalysisOptions(tilt_deg=0.0)))
    expected = grow_deg * span / duration
    assert change == pytest.approx(expected, abs=1.0)
    assert flagged


def test_looped_clip_without_rotation_is_not_flagged(rtmpose: xr.Dataset) -> None:
    change, flagged, _ = _drift(
        analyze_keypoints(_looped(rtmpose, 5), AnalysisOptions(tilt_deg=0.0))
    )
    assert abs(change) < 1.5
    assert not flagged
