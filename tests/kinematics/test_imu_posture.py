"""Posture, steps and drift from a worn accelerometer: synthetic traces with exact answers,
the real 25-minute hip run against its ankle sensor, known tilts put into real data, and a
real walk."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import signal

from imu_traces import G, lean, synthetic_run
from upright.errors import CorruptFileError, InputError, InsufficientDataError
from upright.fatigue.imu import compute_imu_fatigue
from upright.io.imu import ImuRecording, read_imu
from upright.kinematics.imu_posture import ImuPosture, compute_imu_posture


def _recording(frame: pd.DataFrame, tmp_path: Path) -> ImuRecording:
    path = tmp_path / "trace.csv"
    frame.to_csv(path, index=False)
    return read_imu(path)


# ------------------------------------------------------------------ synthetic, exact


def test_synthetic_constant_lean_and_cadence_are_exact(tmp_path: Path) -> None:
    rec = _recording(synthetic_run(lean_start_deg=6.0, lean_end_deg=6.0), tmp_path)
    p = compute_imu_posture(rec, placement="back")
    assert p.reference is not None and p.reference.method == "still"
    assert p.reference.start_s < 1.0 and 9.0 < p.reference.end_s <= 10.0
    assert p.forward_axis is not None
    assert np.allclose(p.forward_axis, [1.0, 0.0, 0.0], atol=0.01)  # +x, sign from braking
    run = p.minutes[p.minutes["activity"] == "running"]
    assert len(run) == 10
    assert np.allclose(run["cadence_spm"], 156.0, atol=0.1)
    assert np.allclose(run["pitch_deg"], 6.0, atol=0.1)
    assert (run["step_regularity"] > 0.99).all()
    assert p.activity == "running"


def test_synthetic_growing_lean_is_flagged_and_steady_is_not(tmp_path: Path) -> None:
    growing = compute_imu_posture(
        _recording(synthetic_run(duration_s=900, lean_start_deg=2, lean_end_deg=8), tmp_path)
    )
    sign = compute_imu_fatigue(growing).signs[0]
    assert sign.name == "pitch_rising" and sign.status == "flagged"
    assert sign.drift is not None
    # the fit runs over minute midpoints 1.5..14.5 of a lean growing 6 deg over 14.83 min
    expected = 6.0 * sign.drift.span * 60 / (900 - 10)
    assert sign.drift.change == pytest.approx(expected, abs=0.1)
    steady = compute_imu_posture(_recording(synthetic_run(duration_s=900), tmp_path))
    assert compute_imu_fatigue(steady).signs[0].status == "not flagged"


def test_leaning_back_is_negative(tmp_path: Path) -> None:
    p = compute_imu_posture(_recording(synthetic_run(lean_start_deg=-4, lean_end_deg=-4), tmp_path))
    run = p.minutes[p.minutes["activity"] == "running"]
    assert np.allclose(run["pitch_deg"], -4.0, atol=0.1)


def test_no_still_interval_falls_back_to_early_running(tmp_path: Path) -> None:
    rec = _recording(synthetic_run(still_s=0.0, lean_start_deg=5, lean_end_deg=5), tmp_path)
    p = compute_imu_posture(rec)
    assert p.reference is not None and p.reference.method == "early_running"
    assert "only its change is meaningful" in p.reference.description
    run = p.minutes[p.minutes["activity"] == "running"]
    assert np.allclose(run["pitch_deg"], 0.0, atol=0.1)


def test_given_still_interval_and_bad_one(tmp_path: Path) -> None:
    rec = _recording(synthetic_run(lean_start_deg=5, lean_end_deg=5), tmp_path)
    p = compute_imu_posture(rec, still_s=(2.0, 8.0))
    assert p.reference is not None and p.reference.method == "given"
    with pytest.raises(InputError, match=r"trace.csv: the still interval 700-800 s is not within"):
        compute_imu_posture(rec, still_s=(700.0, 800.0))


def test_too_short(tmp_path: Path) -> None:
    rec = _recording(synthetic_run(duration_s=20.0), tmp_path)
    with pytest.raises(InsufficientDataError, match=r"lasts 20.0 s; at least 30 s"):
        compute_imu_posture(rec)


def test_constant_signal_is_refused(tmp_path: Path) -> None:
    frame = synthetic_run(duration_s=60.0)
    frame[["x_g", "y_g", "z_g"]] = [0.0, 0.0, 1.0]
    with pytest.raises(InsufficientDataError, match=r"trace.csv: the acceleration is the same"):
        compute_imu_posture(_recording(frame, tmp_path))


@pytest.mark.parametrize(
    ("value_m_s2", "shown"),
    [
        (300 * G, r"2.94e\+03 m/s\^2 \(300 g\)"),
        (1e308, r"1e\+308 m/s\^2"),
        (np.inf, "values too large to compute with"),
    ],
)
def test_acceleration_beyond_any_sensor_is_refused(
    value_m_s2: float, shown: str, tmp_path: Path
) -> None:
    rec = _recording(synthetic_run(duration_s=60.0), tmp_path)
    samples = rec.samples.copy()
    samples.loc[samples.index[100:], ["ax", "ay", "az"]] = value_m_s2
    bad = dataclasses.replace(rec, samples=samples)
    with pytest.raises(CorruptFileError, match=rf"trace.csv: the acceleration reaches {shown}"):
        compute_imu_posture(bad)


def test_linear_acceleration_withholds_pitch(tmp_path: Path) -> None:
    frame = synthetic_run(duration_s=120.0)
    frame["z_g"] -= 1.0
    frame = frame.rename(columns={"x_g": "lin_x_g", "y_g": "lin_y_g", "z_g": "lin_z_g"})
    rec = dataclasses.replace(_recording(frame, tmp_path), has_gravity=False)
    p = compute_imu_posture(rec)
    assert p.pitch_deg is None
    assert p.pitch_withheld is not None and "no gravity" in p.pitch_withheld
    assert compute_imu_fatigue(p).signs[0].status == "withheld"


# ------------------------------------------------------------------ real recordings


@pytest.fixture(scope="module")
def hip(shared_data: Path) -> ImuRecording:
    return read_imu(shared_data / "imu" / "acc_running_left_hip.csv.gz")


@pytest.fixture(scope="module")
def hip_posture(hip: ImuRecording) -> ImuPosture:
    return compute_imu_posture(hip, placement="hip")


def _ankle_cadence_per_minute(path: Path) -> pd.DataFrame:
    """Independent of upright: one peak of acceleration magnitude per stride of the left
    leg (at least 0.5 s apart); steps/min = 2 x strides per minute of striding."""
    frame = pd.read_csv(path)
    t = frame["unix_time_s"].to_numpy() - frame["unix_time_s"].iloc[0]
    mag = np.linalg.norm(frame[["x_g", "y_g", "z_g"]].to_numpy() * G, axis=1)
    b, a = signal.butter(2, 5.0 / 50.0)
    peaks, _ = signal.find_peaks(signal.filtfilt(b, a, mag), distance=50, prominence=10.0)
    times = t[peaks]
    stride = np.diff(times)
    rows = []
    for m in range(25):
        sel = (times[:-1] >= 60 * m) & (times[:-1] < 60 * (m + 1)) & (stride < 2.0)
        s = stride[sel]
        rows.append(
            {"minute": m + 1, "ankle_spm": 120 * s.size / s.sum() if s.size > 3 else np.nan}
        )
    return pd.DataFrame(rows)


def test_hip_steps_found_through_the_whole_run(hip_posture: ImuPosture) -> None:
    steps = hip_posture.steps["time_s"].to_numpy()
    assert steps.size > 3000
    m = hip_posture.minutes
    # every minute has steps except minute 8, when the runner stood still
    assert (m.loc[m["minute"] != 8, "steps"] >= 20).all()
    assert m.loc[m["minute"] == 8, "steps"].item() == 0
    assert hip_posture.activity == "running"
    assert (m["activity"] == "running").sum() >= 18


def test_hip_cadence_agrees_with_the_ankle(shared_data: Path, hip_posture: ImuPosture) -> None:
    ankle = _ankle_cadence_per_minute(shared_data / "imu" / "acc_running_left_ankle.csv.gz")
    both = hip_posture.minutes.merge(ankle, on="minute").dropna(subset=["cadence_spm", "ankle_spm"])
    diff = (both["cadence_spm"] - both["ankle_spm"]).abs()
    print("\nminute hip_spm ankle_spm diff")
    for row, d in zip(both.itertuples(), diff, strict=True):
        print(f"{row.minute:4d} {row.cadence_spm:7.1f} {row.ankle_spm:7.1f} {d:5.1f}")
    assert len(both) >= 22
    assert (diff <= 3.0).mean() >= 0.8  # within 3 steps/min in most minutes
    running = both["activity"] == "running"
    assert diff[running].median() < 1.0


def _hip_with_tilt(hip: ImuRecording, p: ImuPosture, end_deg: float) -> ImuRecording:
    """The real hip trace leaned forward by a pitch growing from 0 to end_deg over the run
    (a rotation about the sensor's lateral axis found on the untouched trace)."""
    assert p.reference is not None and p.forward_axis is not None
    s = hip.samples
    t = s["time_s"].to_numpy()
    acc = s[["ax", "ay", "az"]].to_numpy()
    tilted = lean(acc, np.array(p.reference.up), np.array(p.forward_axis), end_deg * t / t[-1])
    out = s.copy()
    out[["ax", "ay", "az"]] = tilted
    return dataclasses.replace(hip, samples=out)


def test_known_tilt_in_real_data_is_recovered_and_flagged(
    hip: ImuRecording, hip_posture: ImuPosture
) -> None:
    tilted = compute_imu_posture(_hip_with_tilt(hip, hip_posture, 8.0))
    sign = compute_imu_fatigue(tilted).signs[0]
    assert sign.drift is not None
    put_in = 8.0 * sign.drift.span * 60 / hip.duration_s  # over the fitted span
    print(f"\ntilt put in 0->8 deg: {put_in:.2f} deg over the fit, found {sign.drift.change:+.2f}")
    assert sign.drift.change == pytest.approx(8.0, abs=1.5)
    assert sign.drift.change == pytest.approx(put_in, abs=1.0)
    assert sign.status == "flagged"


def test_untouched_real_run_is_not_flagged(hip_posture: ImuPosture) -> None:
    signs = {s.name: s for s in compute_imu_fatigue(hip_posture).signs}
    pitch = signs["pitch_rising"]
    assert pitch.status == "not flagged"
    assert pitch.drift is not None and abs(pitch.drift.change) < 1.5
    assert signs["cadence_falling"].status == "not flagged"


def test_real_walk_is_recognised_as_walking(shared_data: Path) -> None:
    rec = read_imu(shared_data / "imu" / "gaitpy_lumbar_walk.csv")
    p = compute_imu_posture(rec, placement="back")
    assert p.activity == "walking"
    assert "not running" in p.activity_reason
    moving = p.minutes[p.minutes["activity"] != "still"]
    assert (moving["cadence_spm"] < 140).all()
    assert (moving["impact_g"] < 0.5).all()
