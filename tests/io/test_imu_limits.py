"""Impossible accelerometer data: wrong units refused, extreme samples dropped and
counted, long gaps never bridged."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from imu_traces import G, synthetic_run
from upright.errors import CorruptFileError, UnsupportedFormatError
from upright.io.imu import read_imu
from upright.limits import IMU_ACCELERATION_G_MAX, IMU_GAP_S_MAX


def _write(frame: pd.DataFrame, path: Path) -> Path:
    frame.to_csv(path, index=False)
    return path


def test_m_s2_in_a_g_column_is_refused(tmp_path: Path) -> None:
    """The trace in m/s^2 under x_g, y_g, z_g would read as steps of about 9 g."""
    frame = synthetic_run(duration_s=30.0)
    frame[["x_g", "y_g", "z_g"]] *= G
    with pytest.raises(
        UnsupportedFormatError,
        match=r"in g according to the column names \(x_g, y_g, z_g\), but its typical size is "
        r"9\.\d\d, which is gravity in m/s\^2",
    ) as info:
        read_imu(_write(frame, tmp_path / "trace.csv"))
    assert "trace.csv" in str(info.value)


def test_g_in_a_m_s2_column_is_refused(tmp_path: Path) -> None:
    frame = synthetic_run(duration_s=30.0)
    frame = frame.rename(columns={"x_g": "x_m_s2", "y_g": "y_m_s2", "z_g": "z_m_s2"})
    with pytest.raises(UnsupportedFormatError, match=r"in m/s\^2 according to the column"):
        read_imu(_write(frame, tmp_path / "trace.csv"))


def test_real_ankle_trace_in_g_is_not_taken_for_m_s2(shared_data: Path) -> None:
    """The ankle swings harder than the hip (median about 1.8 g), still in g."""
    rec = read_imu(shared_data / "imu" / "acc_running_left_ankle.csv.gz")
    assert rec.units_in_file == "g" and len(rec.samples) == 150_000
    assert not rec.notes


def test_samples_beyond_a_worn_sensor_are_dropped_and_counted(tmp_path: Path) -> None:
    frame = synthetic_run(duration_s=30.0)
    frame.loc[[500, 900, 901], "z_g"] = [1e308, 40.0, -1e6]
    rec = read_imu(_write(frame, tmp_path / "trace.csv"))
    assert len(rec.samples) == len(frame) - 3
    peak = np.linalg.norm(rec.samples[["ax", "ay", "az"]].to_numpy(), axis=1).max() / G
    assert peak < IMU_ACCELERATION_G_MAX
    assert rec.notes == (
        f"3 samples beyond {IMU_ACCELERATION_G_MAX:g} g (up to 1e+308 g, not possible for a "
        "body-worn sensor) were dropped",
    )


def test_mostly_impossible_samples_are_refused(tmp_path: Path) -> None:
    frame = synthetic_run(duration_s=30.0)
    frame["z_g"] = 100.0
    frame[["x_g", "y_g"]] = 0.0
    frame.loc[:10, "z_g"] = 1.0  # the magnitude check sees a median of 100, not 9.8
    with pytest.raises(CorruptFileError, match=r"samples read more than 32 g \(up to 100 g\)"):
        read_imu(_write(frame, tmp_path / "trace.csv"))


def test_an_hour_long_gap_is_not_bridged(tmp_path: Path) -> None:
    frame = synthetic_run(duration_s=60.0)
    frame.loc[2000:, "unix_time_s"] += 3600.0  # the last 40 s an hour later
    rec = read_imu(_write(frame, tmp_path / "trace.csv"))
    assert len(rec.samples) == 4000
    assert rec.start_unix_s == pytest.approx(frame["unix_time_s"].iloc[2000])
    assert rec.duration_s == pytest.approx(39.99)
    assert np.diff(rec.samples["time_s"]).max() < IMU_GAP_S_MAX
    (note,) = rec.notes
    assert note.startswith(
        f"the recording has a gap longer than {IMU_GAP_S_MAX:g} s (the longest 3600 s, after "
        "20 s), not bridged: only the longest part without one (3620-3660 s of the file, "
        "4000 samples) is analysed and 2000 samples were dropped"
    )


def test_a_short_gap_is_left_for_resampling(tmp_path: Path) -> None:
    frame = synthetic_run(duration_s=30.0)
    frame = frame.drop(index=range(1000, 1000 + int(IMU_GAP_S_MAX * 100) - 50))
    rec = read_imu(_write(frame, tmp_path / "trace.csv"))
    assert len(rec.samples) == len(frame) and not rec.notes


@pytest.mark.parametrize(("start_s", "year"), [(2e9, "2033"), (1.5e8, "1974")])
def test_start_dates_out_of_the_window_are_refused(
    tmp_path: Path, start_s: float, year: str
) -> None:
    frame = synthetic_run(duration_s=20.0)
    frame["unix_time_s"] += start_s - frame["unix_time_s"].iloc[0]
    with pytest.raises(CorruptFileError, match=f"the recording starts on {year}-"):
        read_imu(_write(frame, tmp_path / "trace.csv"))
