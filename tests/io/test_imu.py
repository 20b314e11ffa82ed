"""Reading accelerometer files: every format, units, absolute time, and bad files."""

from __future__ import annotations

import gzip
import zipfile
from pathlib import Path

import numpy as np
import pytest

from imu_traces import G, synthetic_run
from upright.errors import CorruptFileError, InputError, UnsupportedFormatError
from upright.io.imu import read_imu, start_datetime


@pytest.fixture()
def trace_csv(tmp_path: Path) -> Path:
    path = tmp_path / "trace.csv"
    synthetic_run(duration_s=40.0).to_csv(path, index=False)
    return path


def test_actigraph_csv_in_g_becomes_m_s2_with_unix_time(trace_csv: Path) -> None:
    rec = read_imu(trace_csv)
    assert rec.file_format == "actigraph_csv"
    assert rec.units_in_file == "g"
    assert rec.sampling_rate_hz == pytest.approx(100.0)
    assert rec.start_unix_s == pytest.approx(1.7e9)
    assert list(rec.samples.columns) == ["time_s", "ax", "ay", "az"]
    assert rec.samples["az"].iloc[0] == pytest.approx(G)
    assert rec.samples["time_s"].iloc[0] == 0.0


def test_gzip_is_read(trace_csv: Path, tmp_path: Path) -> None:
    gz = tmp_path / "trace.csv.gz"
    gz.write_bytes(gzip.compress(trace_csv.read_bytes()))
    assert len(read_imu(gz).samples) == len(read_imu(trace_csv).samples)


def test_generic_csv_units_from_magnitude_and_ms_epoch(tmp_path: Path) -> None:
    frame = synthetic_run(duration_s=40.0)
    out = frame.rename(columns={"unix_time_s": "timestamp", "x_g": "X", "y_g": "Y", "z_g": "Z"})
    out["timestamp"] = (out["timestamp"] * 1000).round()
    out[["X", "Y", "Z"]] *= G
    path = tmp_path / "watch.csv"
    out.to_csv(path, index=False, sep=";")
    rec = read_imu(path)
    assert rec.file_format == "generic_csv"
    assert rec.units_in_file == "m/s^2"
    assert rec.start_unix_s == pytest.approx(1.7e9)
    assert rec.samples["az"].iloc[0] == pytest.approx(G)


def test_phyphox_export(tmp_path: Path) -> None:
    frame = synthetic_run(duration_s=40.0)
    path = tmp_path / "Raw Data.csv"
    path.write_text(
        '"Time (s)","Acceleration x (m/s^2)","Acceleration y (m/s^2)","Acceleration z (m/s^2)"\n'
        + "\n".join(
            f"{t - 1.7e9:.3f},{x * G:.5f},{y * G:.5f},{z * G:.5f}"
            for t, x, y, z in frame.itertuples(index=False)
        ),
        encoding="utf-8",
    )
    rec = read_imu(path)
    assert rec.file_format == "phyphox_csv"
    assert rec.start_unix_s is None
    assert rec.has_gravity
    assert rec.samples["az"].iloc[0] == pytest.approx(G, abs=1e-4)


def test_phyphox_linear_acceleration_has_no_gravity(tmp_path: Path) -> None:
    path = tmp_path / "linear.csv"
    rows = [f"{i / 100:.2f},0.1,0.2,{np.sin(i / 10):.3f}" for i in range(5000)]
    head = '"Time (s)","Linear Acceleration x (m/s^2)","Linear Acceleration y (m/s^2)",'
    path.write_text(head + '"Linear Acceleration z (m/s^2)"\n' + "\n".join(rows), encoding="utf-8")
    rec = read_imu(path)
    assert not rec.has_gravity
    assert "posture cannot be measured" in rec.notes[0]


def _sensor_logger_files(frame_g: object, folder: Path) -> None:
    import pandas as pd

    assert isinstance(frame_g, pd.DataFrame)
    t_ns = (frame_g["unix_time_s"] * 1e9).round().astype("int64")
    acc = frame_g[["x_g", "y_g", "z_g"]].to_numpy() * G
    gravity = np.tile([0.0, 0.0, G], (len(frame_g), 1))
    folder.mkdir()
    for name, values in (("Accelerometer.csv", acc - gravity), ("Gravity.csv", gravity)):
        pd.DataFrame(
            {
                "time": t_ns,
                "seconds_elapsed": frame_g["unix_time_s"] - 1.7e9,
                "z": values[:, 2],
                "y": values[:, 1],
                "x": values[:, 0],
            }
        ).to_csv(folder / name, index=False)


def test_sensor_logger_folder_and_zip(tmp_path: Path) -> None:
    folder = tmp_path / "Run-2024"
    _sensor_logger_files(synthetic_run(duration_s=40.0), folder)
    rec = read_imu(folder)
    assert rec.file_format == "sensor_logger"
    assert rec.start_unix_s == pytest.approx(1.7e9)
    assert {"gx", "gy", "gz"} <= set(rec.samples.columns)
    assert rec.samples["az"].iloc[0] == pytest.approx(G)
    assert "Gravity.csv added" in rec.notes[0]
    archive = tmp_path / "Run-2024.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for f in folder.iterdir():
            zf.write(f, f"Run-2024/{f.name}")
    assert len(read_imu(archive).samples) == len(rec.samples)


def test_real_actigraph_hip(shared_data: Path) -> None:
    rec = read_imu(shared_data / "imu" / "acc_running_left_hip.csv.gz")
    assert rec.file_format == "actigraph_csv"
    assert len(rec.samples) == 150_000
    assert rec.duration_s == pytest.approx(1499.99)
    start = start_datetime(rec)
    assert start is not None and start.isoformat() == "2018-10-25T17:57:30+00:00"


def test_real_geneactiv_header_and_local_time(shared_data: Path) -> None:
    rec = read_imu(shared_data / "imu" / "gaitpy_lumbar_walk.csv")
    assert rec.file_format == "geneactiv_csv"
    assert rec.sampling_rate_hz == pytest.approx(50.0)
    start = start_datetime(rec)
    # Start Time 2019-08-06 10:25:50 local, Time Zone GMT -04 -> 14:25:50 UTC
    assert start is not None and start.isoformat() == "2019-08-06T14:25:50+00:00"
    assert "UTC-0400" in rec.notes[0]


# ------------------------------------------------------------------ bad files


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"nope.csv: file not found"):
        read_imu(tmp_path / "nope.csv")


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("", encoding="utf-8")
    with pytest.raises(CorruptFileError, match=r"empty.csv: the file is empty"):
        read_imu(path)


def test_header_only(tmp_path: Path) -> None:
    path = tmp_path / "head.csv"
    path.write_text("unix_time_s,x_g,y_g,z_g\n", encoding="utf-8")
    with pytest.raises(CorruptFileError, match=r"head.csv: the file has a header but no samples"):
        read_imu(path)


def test_wrong_columns(tmp_path: Path) -> None:
    path = tmp_path / "hr.csv"
    path.write_text("time,heart_rate\n0,120\n1,121\n", encoding="utf-8")
    with pytest.raises(UnsupportedFormatError, match=r"hr.csv: no time column and x, y, z"):
        read_imu(path)


def test_non_numeric_value_names_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("unix_time_s,x_g,y_g,z_g\n0,0,0,1\n0.01,0,abc,1\n", encoding="utf-8")
    with pytest.raises(CorruptFileError, match=r"column 'y_g' .* data row 2 \('abc'\)"):
        read_imu(path)


def test_time_not_increasing_names_row(tmp_path: Path) -> None:
    path = tmp_path / "back.csv"
    path.write_text("unix_time_s,x_g,y_g,z_g\n0,0,0,1\n0.02,0,0,1\n0.01,0,0,1\n", encoding="utf-8")
    with pytest.raises(CorruptFileError, match=r"time does not increase at data row 3"):
        read_imu(path)


def test_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "run.csv"
    path.write_bytes(bytes(range(256)) * 20)
    with pytest.raises(UnsupportedFormatError, match="binary file"):
        read_imu(path)


def test_linear_without_units_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "unknown.csv"
    rows = [f"{i / 100:.2f},0.01,0.02,{0.05 * np.sin(i / 10):.3f}" for i in range(500)]
    path.write_text("time,x,y,z\n" + "\n".join(rows), encoding="utf-8")
    with pytest.raises(UnsupportedFormatError, match="units of the acceleration are not stated"):
        read_imu(path)


def test_sensor_logger_without_accelerometer(tmp_path: Path) -> None:
    folder = tmp_path / "empty_export"
    folder.mkdir()
    (folder / "Gyroscope.csv").write_text("time,x,y,z\n1,0,0,0\n", encoding="utf-8")
    with pytest.raises(UnsupportedFormatError, match=r"no Accelerometer.csv"):
        read_imu(folder)
