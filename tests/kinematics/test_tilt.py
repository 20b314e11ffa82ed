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

from dataclasses import replace

import numpy as np
import pytest
import xarray as xr
from _pytest.mark.structures import ParameterSet

from upright.errors import InsufficientDataError
from upright.kinematics.body import Setting
from upright.kinematics.events import GaitEvents, detect_gait_events
from upright.kinematics.tilt import (
    estimate_tilt,
    estimate_tilt_deg,
    level_by_ground_line,
    support_line_deg,
)
from upright.signal.filters import lowpass
from upright.synthetic.runner import RunnerSpec, SyntheticRun, simulate_run

TOLERANCE_DEG = 0.7

#: Overground the runner covers about 1 000 px/s: a wide frame keeps the whole 4 s run
#: (about a dozen steps) inside the image.
OVERGROUND = {"treadmill": False, "duration_s": 4.0, "image_width_px": 6000}
TREADMILL = {"treadmill": True, "duration_s": 10.0}


def _run(setting: Setting, **kwargs: float | int) -> SyntheticRun:
    base = TREADMILL if setting == "treadmill" else OVERGROUND
    return simulate_run(RunnerSpec(**{**base, **kwargs}))  # type: ignore[arg-type]


def _clean_and_events(ds: xr.Dataset) -> tuple[xr.Dataset, GaitEvents]:
    """As ``analyze_keypoints`` does: filter, then find events on the unlevelled clip."""
    clean = lowpass(ds)
    return clean, detect_gait_events(clean)


def _cases() -> list[ParameterSet]:
    cases = []
    for setting in ("treadmill", "overground"):
        for tilt in (-5.0, 0.0, 5.0):
            for direction in (1, -1):
                marks: list[pytest.MarkDecorator] = []
                cases.append(
                    pytest.param(
                        setting,
                        tilt,
                        direction,
                        marks=marks,
                        id=f"{setting}-{tilt:+g}-{direction:+d}",
                    )
                )
    return cases


@pytest.mark.parametrize(("setting", "camera_tilt", "direction"), _cases())
def test_tilt_is_minus_the_camera_tilt(
    setting: Setting, camera_tilt: float, direction: int
) -> None:
    run = _run(setting, camera_tilt_deg=camera_tilt, direction=direction)
    assert run.ground_angle_deg == -camera_tilt  # the synthetic's own statement of the sign
    clean, events = _clean_and_events(run.ds)
    tilt = estimate_tilt_deg(clean, events, setting)
    assert tilt == pytest.approx(-camera_tilt, abs=TOLERANCE_DEG), (
        f"{setting}, direction {direction:+d}, camera tilt {camera_tilt:+g}: "
        f"estimate {tilt:+.2f} deg, expected {-camera_tilt:+.2f}"
    )


@pytest.mark.parametrize(
    ("setting", "camera_tilt"),
    [
        ("treadmill", -5.0),
        ("treadmill", 5.0),
        pytest.param("overground", 5.0),
    ],
)
def test_levelling_removes_the_tilt(setting: Setting, camera_tilt: float) -> None:
    run = _run(setting, camera_tilt_deg=camera_tilt)
    clean, events = _clean_and_events(run.ds)
    found, levelled, levelled_events = level_by_ground_line(clean, events, setting)
    assert found.tilt_deg == pytest.approx(-camera_tilt, abs=TOLERANCE_DEG)
    assert found.se_deg < 0.5 and found.n >= 10
    # what is left in the levelled scene is no tilt at all
    assert estimate_tilt_deg(levelled, levelled_events, setting) == pytest.approx(0.0, abs=0.1)


def test_tilt_estimate_reports_agreement_of_the_stances() -> None:
    clean, events = _clean_and_events(_run("treadmill", camera_tilt_deg=3.0).ds)
    est = estimate_tilt(clean, events, "treadmill")
    assert est.tilt_deg == estimate_tilt_deg(clean, events, "treadmill")
    assert est.n == len(events.contacts)
    assert 0 <= est.se_deg < 0.3  # a noise-free ground line: the stances agree


def test_tilt_tolerates_missing_foot_frames() -> None:
    run = _run("treadmill", camera_tilt_deg=3.0)
    ds = run.ds.copy(deep=True)
    pos = ds["position"].values
    kp = list(ds["keypoint"].values)
    frames = np.arange(3, ds.sizes["time"], 9)  # heel and toe lost in every 9th frame
    for k in ("left_heel", "left_toe", "right_heel", "right_toe"):
        pos[frames, :, kp.index(k)] = np.nan
    ds["position"] = (ds["position"].dims, pos)
    clean, events = _clean_and_events(ds)
    assert estimate_tilt_deg(clean, events, "treadmill") == pytest.approx(-3.0, abs=TOLERANCE_DEG)


def _resting_points(angle_deg: float) -> np.ndarray:
    """Six points on a 100 px line at ``angle_deg`` and 30 points above it."""
    a = np.radians(angle_deg)
    along = np.array([np.cos(a), np.sin(a)])
    up = np.array([-np.sin(a), np.cos(a)])
    rng = np.random.default_rng(1)
    on_line = np.outer(np.linspace(0.0, 100.0, 6), along)
    above = np.outer(rng.uniform(0, 100, 30), along) + np.outer(rng.uniform(1, 40, 30), up)
    return np.concatenate([on_line, above])


@pytest.mark.parametrize("angle", [-20.0, 0.0, 7.5])
def test_support_line_is_the_line_the_points_rest_on(angle: float) -> None:
    got, span = support_line_deg(_resting_points(angle))
    assert got == pytest.approx(angle, abs=1e-9)
    assert 0 < span <= 100.0 * np.cos(np.radians(angle)) + 1e-9


def test_support_line_span_is_the_whole_resting_line() -> None:
    _, span = support_line_deg(_resting_points(-20.0))
    assert span == pytest.approx(100.0 * np.cos(np.radians(-20.0)), rel=1e-9)


def test_too_few_treadmill_stances_is_insufficient_data() -> None:
    clean, events = _clean_and_events(_run("treadmill").ds)
    few = replace(events, contacts=events.contacts.iloc[:2])
    with pytest.raises(InsufficientDataError, match=r"only 2 stances trace the ground line; 3"):
        estimate_tilt_deg(clean, few, "treadmill")


def test_too_few_overground_stances_is_insufficient_data() -> None:
    clean, events = _clean_and_events(_run("overground").ds)
    few = replace(events, contacts=events.contacts.iloc[:2])
    with pytest.raises(InsufficientDataError, match=r"too few foot contacts spread along"):
        estimate_tilt_deg(clean, few, "overground")
