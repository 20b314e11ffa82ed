"""Camera tilt from the ground line, on synthetic runs filmed with a known camera roll.

Sign conventions, which differ and must not be confused:

- ``RunnerSpec.camera_tilt_deg`` (synthetic): + = the scene, ground included, is rotated
  clockwise on screen (the camera was rolled counter-clockwise).
- ``estimate_tilt_deg`` (kinematics/tilt.py): the angle of the ground line
  counter-clockwise from +x, y up.

A clockwise turn by ``a`` takes the level ground to the angle ``-a``, so the estimate
must equal ``-camera_tilt_deg`` (the synthetic says the same: ``ground_angle_deg``).
"""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from upright.errors import InsufficientDataError
from upright.kinematics.body import Setting, estimate_leg_length_px, estimate_step_period_s
from upright.kinematics.tilt import MAX_TILT_DEG, estimate_tilt_deg
from upright.signal.filters import lowpass
from upright.synthetic.runner import RunnerSpec, SyntheticRun, simulate_run

TOLERANCE_DEG = 0.7

#: Overground, the runner covers about 1 000 px/s: a wide frame keeps the whole
#: 4 s run (about a dozen steps) inside the image.
OVERGROUND = {"treadmill": False, "duration_s": 4.0, "image_width_px": 6000}
TREADMILL = {"treadmill": True, "duration_s": 10.0}


def _run(setting: Setting, **kwargs: float | int) -> SyntheticRun:
    base = TREADMILL if setting == "treadmill" else OVERGROUND
    return simulate_run(RunnerSpec(**{**base, **kwargs}))  # type: ignore[arg-type]


def _estimate(ds: xr.Dataset, setting: Setting) -> float:
    """The tilt as ``analyze_keypoints`` asks for it: filtered data, step and leg from
    the clip itself (both unaffected by a camera roll)."""
    clean = lowpass(ds)
    return estimate_tilt_deg(
        clean,
        setting,
        step_s=estimate_step_period_s(clean),
        leg_length_px=estimate_leg_length_px(clean),
    )


@pytest.mark.parametrize("direction", [1, -1], ids=["to+x", "to-x"])
@pytest.mark.parametrize("setting", ["treadmill", "overground"])
@pytest.mark.parametrize("camera_tilt", [-5.0, 0.0, 5.0])
def test_tilt_is_the_ground_line_angle(camera_tilt: float, setting: Setting, direction: int) -> None:
    run = _run(setting, camera_tilt_deg=camera_tilt, direction=direction)
    assert run.ground_angle_deg == -camera_tilt  # the synthetic's own statement of the sign
    tilt = _estimate(run.ds, setting)
    assert tilt == pytest.approx(-camera_tilt, abs=TOLERANCE_DEG), (
        f"{setting}, direction {direction:+d}, camera tilt {camera_tilt:+g}: "
        f"estimate {tilt:+.2f} deg, expected {-camera_tilt:+.2f}"
    )


@pytest.mark.parametrize("setting", ["treadmill", "overground"])
def test_tilt_tolerates_missing_foot_frames(setting: Setting) -> None:
    run = _run(setting, camera_tilt_deg=3.0)
    ds = run.ds.copy(deep=True)
    pos = ds["position"].values
    kp = list(ds["keypoint"].values)
    frames = np.arange(3, ds.sizes["time"], 9)  # both feet lost in every 9th frame
    for k in ("left_heel", "left_toe", "right_heel", "right_toe"):
        pos[frames, :, kp.index(k)] = np.nan
    ds["position"] = (ds["position"].dims, pos)
    assert _estimate(ds, setting) == pytest.approx(-3.0, abs=TOLERANCE_DEG)


def test_too_few_treadmill_stances_is_insufficient_data() -> None:
    ds = _run("treadmill", duration_s=10.0).ds.isel(time=slice(0, 18))  # 0.6 s, < 2 steps
    with pytest.raises(InsufficientDataError, match=r"stances trace the ground line; 3 are needed"):
        estimate_tilt_deg(lowpass(ds), "treadmill", step_s=60 / 170, leg_length_px=294.6)


def test_too_few_overground_stances_is_insufficient_data() -> None:
    ds = _run("overground").ds.isel(time=slice(0, 18))
    with pytest.raises(InsufficientDataError, match=r"too few foot contacts spread along"):
        estimate_tilt_deg(lowpass(ds), "overground", step_s=60 / 170, leg_length_px=294.6)


def test_a_ground_line_steeper_than_a_camera_roll_is_refused() -> None:
    run = _run("treadmill", camera_tilt_deg=40.0)
    assert MAX_TILT_DEG < 40.0
    with pytest.raises(InsufficientDataError, match=r"beyond a camera roll"):
        _estimate(run.ds, "treadmill")
