"""The synthetic runner: every quantity it claims holds exactly in its keypoints."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from upright.skeleton import KEYPOINTS, FloatArray, point
from upright.synthetic.runner import (
    BANNER,
    RunnerSpec,
    SyntheticRun,
    keypoints_at,
    render_frames,
    simulate_run,
)

EXACT = 1e-9
SHORT_S = 6.0  # seconds: long enough for a dozen steps


def _mid(run: SyntheticRun, name: str) -> FloatArray:
    return (point(run.ds, f"left_{name}") + point(run.ds, f"right_{name}")) / 2


def _lean_deg(vec: FloatArray, direction: int) -> FloatArray:
    """Angle of (n, 2) vectors (y up) from vertical, + toward the running direction."""
    return np.asarray(np.degrees(np.arctan2(direction * vec[:, 0], vec[:, 1])), dtype=np.float64)


def _at(spec: RunnerSpec, t: FloatArray, name: str) -> FloatArray:
    return keypoints_at(spec, t)[:, :, KEYPOINTS.index(name)]


def _in_stance(contacts: pd.DataFrame, foot: str, t: FloatArray) -> FloatArray:
    rows = contacts[contacts["foot"] == foot]
    on = np.zeros(t.shape, dtype=bool)
    for start, end in zip(rows["contact_s"], rows["toe_off_s"].fillna(np.inf), strict=True):
        on |= (t >= start) & (t <= end)
    return on


@pytest.mark.parametrize("treadmill", [True, False])
@pytest.mark.parametrize("direction", [1, -1])
def test_trunk_lean_is_exact_every_frame(direction: int, treadmill: bool) -> None:
    run = simulate_run(RunnerSpec(direction=direction, treadmill=treadmill, duration_s=SHORT_S))
    lean = _lean_deg(_mid(run, "shoulder") - _mid(run, "hip"), direction)
    np.testing.assert_allclose(lean, run.trunk_lean_deg, rtol=0, atol=EXACT)


def test_lean_without_noise_is_the_linear_drift() -> None:
    spec = RunnerSpec(lean_noise_deg=0.0, trunk_lean_start_deg=4.0, trunk_lean_end_deg=10.0)
    run = simulate_run(spec)
    expected = 4.0 + 6.0 * run.time_s / spec.duration_s
    np.testing.assert_allclose(run.trunk_lean_deg, expected, rtol=0, atol=EXACT)
    lean = _lean_deg(_mid(run, "shoulder") - _mid(run, "hip"), 1)
    np.testing.assert_allclose(lean, expected, rtol=0, atol=EXACT)


def test_lean_noise_varies_stride_to_stride_and_is_seeded() -> None:
    a = simulate_run(RunnerSpec(lean_noise_deg=1.0, seed=3, duration_s=SHORT_S))
    b = simulate_run(RunnerSpec(lean_noise_deg=1.0, seed=3, duration_s=SHORT_S))
    c = simulate_run(RunnerSpec(lean_noise_deg=1.0, seed=4, duration_s=SHORT_S))
    np.testing.assert_array_equal(a.trunk_lean_deg, b.trunk_lean_deg)
    assert not np.allclose(a.trunk_lean_deg, c.trunk_lean_deg)
    per_stride = a.true_strides["trunk_lean_deg"].to_numpy()
    assert np.std(np.diff(per_stride)) > 0.1


@pytest.mark.parametrize("direction", [1, -1])
def test_camera_tilt_adds_to_lean_toward_plus_x(direction: int) -> None:
    """Positive tilt = scene rotated clockwise on screen: lean +tilt running right."""
    level = simulate_run(RunnerSpec(direction=direction, duration_s=SHORT_S))
    tilted = simulate_run(RunnerSpec(direction=direction, camera_tilt_deg=5.0, duration_s=SHORT_S))
    lean = _lean_deg(_mid(tilted, "shoulder") - _mid(tilted, "hip"), direction)
    np.testing.assert_allclose(lean, level.trunk_lean_deg + 5.0 * direction, rtol=0, atol=EXACT)
    np.testing.assert_array_equal(tilted.trunk_lean_deg, level.trunk_lean_deg)
    assert tilted.ground_angle_deg == -5.0


@pytest.mark.parametrize("tilt", [0.0, 5.0])
@pytest.mark.parametrize("direction", [1, -1])
def test_head_trunk_angle_is_exact(direction: int, tilt: float) -> None:
    run = simulate_run(RunnerSpec(direction=direction, camera_tilt_deg=tilt, duration_s=SHORT_S))
    trunk = _mid(run, "shoulder") - _mid(run, "hip")
    neck = _mid(run, "ear") - _mid(run, "shoulder")
    # + = the ear line is rotated backward (against the running direction) from the trunk
    angle = _lean_deg(trunk, direction) - _lean_deg(neck, direction)
    np.testing.assert_allclose(angle, run.head_trunk_deg, rtol=0, atol=EXACT)
    expected = 8.0 + 6.0 * run.time_s / 6.0
    np.testing.assert_allclose(run.head_trunk_deg, expected, rtol=0, atol=EXACT)


def test_left_and_right_nearly_overlap_with_exact_mid_points() -> None:
    spec = RunnerSpec(duration_s=SHORT_S)
    run = simulate_run(spec)
    for name in ("shoulder", "hip", "ear", "eye"):
        gap = np.linalg.norm(point(run.ds, f"left_{name}") - point(run.ds, f"right_{name}"), axis=1)
        assert np.all(gap > 0.5)
        assert np.all(gap < 0.02 * spec.height_px)


def test_dataset_layout_and_provenance() -> None:
    spec = RunnerSpec(duration_s=2.0, fps=50.0)
    run = simulate_run(spec)
    ds = run.ds
    assert ds["position"].shape == (100, 2, len(KEYPOINTS), 1)
    assert list(ds["keypoint"].values) == list(KEYPOINTS)
    assert not np.isnan(ds["position"].values).any()
    assert np.all(ds["confidence"].values == 1.0)
    np.testing.assert_allclose(ds["time"].values, np.arange(100) / 50.0)
    assert ds.attrs["fps"] == 50.0
    assert ds.attrs["source_software"] == "upright synthetic runner (demo)"
    assert ds.attrs["synthetic"] == 1
    assert ds.attrs["y_axis"] == "up"
    assert run.trunk_lean_deg.shape == run.head_trunk_deg.shape == (100,)


@pytest.mark.parametrize("cadence", [150.0, 170.0, 185.0])
def test_contacts_alternate_with_the_right_count_and_timing(cadence: float) -> None:
    spec = RunnerSpec(cadence_spm=cadence, duration_s=20.0, duty_factor=0.3)
    contacts = simulate_run(spec).true_contacts
    assert list(contacts.columns) == ["foot", "contact_s", "toe_off_s"]
    feet = contacts["foot"].tolist()
    assert all(a != b for a, b in itertools.pairwise(feet))
    assert abs(len(contacts) - spec.duration_s * cadence / 60) <= 1
    np.testing.assert_allclose(np.diff(contacts["contact_s"]), 60 / cadence, atol=EXACT)
    stance = (contacts["toe_off_s"] - contacts["contact_s"]).dropna()
    np.testing.assert_allclose(stance, 0.3 * 120 / cadence, atol=EXACT)


@pytest.mark.parametrize("tilt", [0.0, 5.0])
@pytest.mark.parametrize("treadmill", [True, False])
def test_foot_is_on_the_ground_in_stance_and_above_it_in_flight(
    treadmill: bool, tilt: float
) -> None:
    spec = RunnerSpec(treadmill=treadmill, camera_tilt_deg=tilt, duration_s=SHORT_S)
    run = simulate_run(spec)
    t = np.linspace(0.0, run.time_s[-1], 20_001)
    for foot in ("left", "right"):
        heel = run.height_above_ground_px(_at(spec, t, f"{foot}_heel"))
        toe = run.height_above_ground_px(_at(spec, t, f"{foot}_toe"))
        lowest = np.minimum(heel, toe)
        stance = _in_stance(run.true_contacts, foot, t)
        np.testing.assert_array_equal(stance, run.in_stance(foot, t))
        assert stance.mean() == pytest.approx(spec.duty_factor, abs=0.03)  # 6 s: partial strides
        np.testing.assert_allclose(lowest[stance], 0.0, atol=EXACT)
        assert np.all(lowest[~stance] > 0)
        # the same on the sampled frames
        on = _in_stance(run.true_contacts, foot, run.time_s)
        sampled = np.minimum(
            run.height_above_ground_px(point(run.ds, f"{foot}_heel")),
            run.height_above_ground_px(point(run.ds, f"{foot}_toe")),
        )
        assert 0 < on.sum() < on.size
        np.testing.assert_allclose(sampled[on], 0.0, atol=EXACT)
        assert np.all(sampled[~on] > 0)


def test_heel_lands_first_and_toe_leaves_last() -> None:
    spec = RunnerSpec(duration_s=SHORT_S)
    run = simulate_run(spec)
    row = run.true_contacts.iloc[2]
    t = np.array([row.contact_s, row.toe_off_s])
    heel = run.height_above_ground_px(_at(spec, t, f"{row.foot}_heel"))
    toe = run.height_above_ground_px(_at(spec, t, f"{row.foot}_toe"))
    assert heel[0] == pytest.approx(0.0, abs=EXACT) and toe[0] > 1.0
    assert toe[1] == pytest.approx(0.0, abs=EXACT) and heel[1] > 1.0


@pytest.mark.parametrize("direction", [1, -1])
@pytest.mark.parametrize(("overstride", "knee"), [(0.25, 15.0), (0.1, 25.0), (0.4, 5.0)])
def test_overstride_and_knee_flexion_at_contact_are_exact(
    direction: int, overstride: float, knee: float
) -> None:
    spec = RunnerSpec(
        direction=direction,
        overstride_leg=overstride,
        knee_flexion_contact_deg=knee,
        duration_s=SHORT_S,
    )
    run = simulate_run(spec)
    assert run.leg_length_px == pytest.approx(0.530 * spec.height_px)
    for row in run.true_contacts.itertuples():
        t = np.array([row.contact_s])
        hip, knee_pt, ankle = (_at(spec, t, f"{row.foot}_{k}")[0] for k in ("hip", "knee", "ankle"))
        mid_hip = (_at(spec, t, "left_hip")[0] + _at(spec, t, "right_hip")[0]) / 2
        ahead = direction * (ankle[0] - mid_hip[0]) / run.leg_length_px
        assert ahead == pytest.approx(overstride, abs=EXACT)
        thigh, shank = hip - knee_pt, ankle - knee_pt
        cos = thigh @ shank / np.linalg.norm(thigh) / np.linalg.norm(shank)
        assert 180.0 - np.degrees(np.arccos(cos)) == pytest.approx(knee, abs=1e-6)
    strides = run.true_strides
    assert np.all(strides["overstride_leg"] == overstride)
    assert np.all(strides["knee_flexion_contact_deg"] == knee)


def test_segment_lengths_stay_constant() -> None:
    spec = RunnerSpec(duration_s=SHORT_S)
    run = simulate_run(spec)
    h = spec.height_px
    for side in ("left", "right"):
        for a, b, length in (
            ("hip", "knee", 0.245),
            ("knee", "ankle", 0.246),
            ("shoulder", "elbow", 0.186),
            ("elbow", "wrist", 0.146),
        ):
            seg = point(run.ds, f"{side}_{b}") - point(run.ds, f"{side}_{a}")
            np.testing.assert_allclose(np.linalg.norm(seg, axis=1), length * h, rtol=1e-9)


@pytest.mark.parametrize("vertical", [0.05, 0.09, 0.15])
def test_pelvis_oscillates_with_the_given_peak_to_peak_lowest_at_midstance(
    vertical: float,
) -> None:
    spec = RunnerSpec(vertical_oscillation_leg=vertical, duration_s=SHORT_S)
    run = simulate_run(spec)
    row = run.true_contacts.iloc[3]
    step = 60 / spec.cadence_spm
    t = np.linspace(row.contact_s, row.contact_s + step, 4001)
    pelvis = (_at(spec, t, "left_hip") + _at(spec, t, "right_hip")) / 2
    height = pelvis[:, 1]
    assert np.ptp(height) == pytest.approx(vertical * run.leg_length_px, rel=1e-6)
    assert t[np.argmin(height)] == pytest.approx((row.contact_s + row.toe_off_s) / 2, abs=1e-3)
    assert np.all(run.true_strides["vertical_oscillation_leg"] == vertical)


@pytest.mark.parametrize("direction", [1, -1])
def test_treadmill_pelvis_stays_and_the_stance_foot_moves_back_at_belt_speed(
    direction: int,
) -> None:
    spec = RunnerSpec(direction=direction, treadmill=True, duration_s=SHORT_S)
    run = simulate_run(spec)
    assert np.ptp(_mid(run, "hip")[:, 0]) < EXACT
    row = run.true_contacts.iloc[2]
    # foot flat between 15 % and 50 % of stance: heel and toe slide together
    t = row.contact_s + np.array([0.2, 0.45]) * (row.toe_off_s - row.contact_s)
    for name in ("heel", "toe"):
        x = _at(spec, t, f"{row.foot}_{name}")[:, 0]
        speed = (x[1] - x[0]) / (t[1] - t[0])
        assert speed == pytest.approx(-direction * run.speed_px_s, rel=1e-9)


@pytest.mark.parametrize("direction", [1, -1])
def test_overground_pelvis_moves_and_the_stance_foot_stays(direction: int) -> None:
    spec = RunnerSpec(direction=direction, treadmill=False, duration_s=SHORT_S)
    run = simulate_run(spec)
    x = _mid(run, "hip")[:, 0]
    np.testing.assert_allclose(np.diff(x), direction * run.speed_px_s / spec.fps, rtol=1e-9)
    row = run.true_contacts.iloc[2]
    t = row.contact_s + np.array([0.2, 0.45]) * (row.toe_off_s - row.contact_s)
    heel = _at(spec, t, f"{row.foot}_heel")
    assert heel[1, 0] == pytest.approx(heel[0, 0], abs=1e-9)


def test_true_strides_hold_the_model_values() -> None:
    spec = RunnerSpec(duration_s=10.0)
    run = simulate_run(spec)
    strides = run.true_strides
    assert len(strides) >= len(run.true_contacts) - 3
    first = strides.iloc[0]
    frames = (run.time_s >= first.start_s) & (run.time_s < first.end_s)
    assert first.trunk_lean_deg == pytest.approx(np.mean(run.trunk_lean_deg[frames]))
    assert first.head_trunk_deg == pytest.approx(np.mean(run.head_trunk_deg[frames]))
    assert first.stride_time_s == pytest.approx(120 / spec.cadence_spm)
    assert first.contact_time_s == pytest.approx(spec.duty_factor * 120 / spec.cadence_spm)
    assert first.cadence_spm == spec.cadence_spm
    assert np.all(np.diff(strides["trunk_lean_deg"].to_numpy()[::2]) > -3.0)
    assert strides["trunk_lean_deg"].iloc[-1] > strides["trunk_lean_deg"].iloc[0]


def test_render_frames_draws_a_labelled_figure() -> None:
    run = simulate_run(RunnerSpec(duration_s=1.0))
    frames = list(itertools.islice(render_frames(run), 3))
    assert [t for t, _ in frames] == pytest.approx(list(run.time_s[:3]))
    for _, frame in frames:
        assert frame.shape == (1280, 720, 3)
        assert frame.dtype == np.uint8
        assert len(np.unique(frame.reshape(-1, 3), axis=0)) > 10
        banner = frame[:60, :200].astype(int)
        red = (banner[..., 0] > 150) & (banner[..., 1] < 80) & (banner[..., 2] < 80)
        assert red.mean() > 0.2
    assert not np.array_equal(frames[0][1], frames[2][1])
    assert "SYNTHETIC" in BANNER


def test_render_frames_at_another_size() -> None:
    run = simulate_run(RunnerSpec(duration_s=0.5, direction=-1, camera_tilt_deg=5.0))
    _, frame = next(render_frames(run, width=480, height=360))
    assert frame.shape == (360, 480, 3)
    assert frame.std() > 5
    with pytest.raises(ValueError, match="frame size must be positive"):
        next(render_frames(run, width=0))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"fps": 0}, "fps must be > 0"),
        ({"fps": -30}, "fps must be > 0"),
        ({"duration_s": 0}, "duration_s must be > 0"),
        ({"duration_s": -1}, "duration_s must be > 0"),
        ({"duty_factor": 0.1}, r"duty_factor must be in \(0.1, 0.6\)"),
        ({"duty_factor": 0.6}, r"duty_factor must be in \(0.1, 0.6\)"),
        ({"duty_factor": 0.05}, r"duty_factor must be in \(0.1, 0.6\)"),
        ({"cadence_spm": 0}, "cadence_spm must be > 0"),
        ({"direction": 0}, "direction must be"),
        ({"height_px": 2000}, "image_height_px must be >= height_px"),
        ({"overstride_leg": 0.9}, "overstride_leg must be in"),
    ],
)
def test_invalid_specs_are_refused(kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        RunnerSpec(**kwargs)  # type: ignore[arg-type]


def test_all_problems_are_named_at_once() -> None:
    with pytest.raises(ValueError, match=r"fps must be > 0.*duty_factor"):
        RunnerSpec(fps=0, duty_factor=0.9, duration_s=0)
