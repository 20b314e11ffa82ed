"""Tests for upright.io.activity: every shared watch file, exact synthetic files, bad files."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from activity_files import FIT_2020_S, fit_bytes, gpx_text, tcx_text
from upright.errors import (
    CorruptFileError,
    InputError,
    InsufficientDataError,
    UnsupportedFormatError,
    UprightError,
)
from upright.io.activity import (
    SAMPLE_COLUMNS,
    compute_track_distance_m,
    read_activity,
    read_run,
)

# Every shared file and what reading its run must give: None = a run, else (error, match).
SHARED_FILES: dict[str, tuple[type[UprightError], str] | None] = {
    "fit/2013-02-06-12-11-14.fit": None,
    "fit/Activity.fit": None,
    "fit/LICENSE-MIT-fitparse.txt": (UnsupportedFormatError, "not '.txt'"),
    "fit/activity-settings-corruptheader.fit": (CorruptFileError, "FIT header is damaged"),
    "fit/activity-small-fenix2-run.fit": None,
    "fit/activity-unexpected-eof.fit": (CorruptFileError, "cut short"),
    "fit/compressed-speed-distance.fit": None,
    "fit/developer-types-sample.fit": None,
    "fit/garmin-fenix-5-run-records.csv": (UnsupportedFormatError, "not '.csv'"),
    "fit/garmin-fenix-5-run.fit": None,
    "fit/garmin-fenix-5-walk.fit": (InputError, r"is a walk \(the file's sport is 'walking'\)"),
    "fit/sample_mulitple_header.fit": None,
    "runlogs/11km.tcx": None,
    "runlogs/2020-12-02T06_08_29-300_Running.tcx": None,
    "runlogs/2020-12-20T05_50_47-300_Running.tcx": None,
    "runlogs/LICENSE-MIT-runpandas.txt": (UnsupportedFormatError, "not '.txt'"),
    "runlogs/nike_run.gpx": None,
    "runlogs/run.fit": None,
    "runlogs/run.gpx": None,
    "runlogs/run.tcx": None,
    "runlogs/run_garmin.tcx": None,
    "runlogs/strava_export.gpx": None,
}


def _write(path: Path, data: bytes | str) -> Path:
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8")
    return path


def _steady_run(n: int = 600, step_s: float = 2.0, **extra: float) -> list[dict[str, float]]:
    """Records of a steady run at 3 m/s, 85 strides/min, HR 150."""
    return [
        {"time_s": i * step_s, "distance": 3.0 * i * step_s, "heart_rate": 150, "cadence": 85}
        | extra
        for i in range(n)
    ]


# ------------------------------------------------------------------ the shared files


def test_every_shared_file_is_listed(shared_data: Path) -> None:
    present = {
        f"{folder}/{p.name}"
        for folder in ("fit", "runlogs")
        for p in (shared_data / folder).iterdir()
    }
    assert present == set(SHARED_FILES)


@pytest.mark.parametrize("name", sorted(SHARED_FILES))
def test_shared_file_imports_or_fails_clearly(shared_data: Path, name: str) -> None:
    path = shared_data / name
    expected = SHARED_FILES[name]
    if expected is None:
        run = read_run(path)
        assert run.sport in ("running", "not stated")
        assert len(run.samples) > 1
        assert list(run.samples.columns[: len(SAMPLE_COLUMNS)]) == list(SAMPLE_COLUMNS)
        assert run.samples["time_s"].iloc[0] == 0.0
        assert run.samples["time_s"].is_monotonic_increasing
        distance = run.samples["distance_m"]
        assert distance.iloc[0] == 0.0 and distance.is_monotonic_increasing
    else:
        error, match = expected
        with pytest.raises(error, match=match) as info:
            read_run(path)
        assert path.name in str(info.value)  # the message names the file


def test_fenix2_run_has_running_dynamics(shared_data: Path) -> None:
    """47 minutes, about 9 km (the session says 9008 m in 2832 s)."""
    run = read_run(shared_data / "fit" / "activity-small-fenix2-run.fit")
    s = run.samples
    assert run.device == "garmin fenix2"
    assert s["time_s"].iloc[-1] / 60 == pytest.approx(47.2, abs=0.2)
    assert s["distance_m"].iloc[-1] == pytest.approx(9008, abs=5)
    assert run.has("stance_time_ms") and run.has("vertical_oscillation_mm")
    assert 200 < s["stance_time_ms"].median() < 300
    assert 80 < s["vertical_oscillation_mm"].median() < 130
    assert 155 < s["cadence_spm"].median() < 180  # steps/min: the file's 81-84 doubled
    assert 120 < s["heart_rate_bpm"].median() < 190


def test_stryd_developer_fields(shared_data: Path) -> None:
    run = read_run(shared_data / "fit" / "developer-types-sample.fit")
    names = {f.name: f for f in run.developer_fields}
    assert {"Form Power", "Leg Spring Stiffness"} <= set(names)
    assert names["Leg Spring Stiffness"].column == "dev_leg_spring_stiffness_kn_m"
    assert names["Form Power"].units == "Watts"
    s = run.samples
    assert 5 < s["dev_leg_spring_stiffness_kn_m"].median() < 20
    assert 30 < s["dev_form_power_w"].median() < 150
    assert 150 < s["power_w"].median() < 350  # Stryd's running power, a FIT field
    assert run.device == "stryd"


def test_fenix5_records_match_the_reference_decoding(shared_data: Path) -> None:
    reference = pd.read_csv(shared_data / "fit" / "garmin-fenix-5-run-records.csv")
    s = read_run(shared_data / "fit" / "garmin-fenix-5-run.fit").samples
    assert len(s) == len(reference)
    # the reference prints Pacific daylight time (UTC-7)
    local = pd.to_datetime(
        reference["timestamp"].str.replace(" PDT", ""), format="%a %b %d %H:%M:%S %Y"
    )
    expected_utc = (local + pd.Timedelta(hours=7)).dt.tz_localize(UTC)
    assert (s["timestamp"].to_numpy() == expected_utc.to_numpy()).all()
    np.testing.assert_allclose(s["heart_rate_bpm"], reference["heart_rate"])
    np.testing.assert_allclose(s["distance_m"], reference["distance"])
    np.testing.assert_allclose(s["speed_m_s"], reference["speed"])
    np.testing.assert_allclose(s["altitude_m"], reference["altitude"], atol=1e-6)
    np.testing.assert_allclose(s["lat_deg"], reference["position_lat"] * 180 / 2**31)
    np.testing.assert_allclose(s["lon_deg"], reference["position_long"] * 180 / 2**31)
    # cadence: the reference is whole strides/min; upright adds fractional_cadence, x2
    np.testing.assert_allclose(s["cadence_spm"], 2 * reference["cadence"], atol=1.0)


def test_walk_is_read_but_refused_as_a_run(shared_data: Path) -> None:
    path = shared_data / "fit" / "garmin-fenix-5-walk.fit"
    activity = read_activity(path)
    assert [leg.sport for leg in activity.legs] == ["walking"]
    with pytest.raises(InputError, match=r"walk.*not a run.*running profile"):
        read_run(path)


def test_triathlon_yields_its_running_leg(shared_data: Path) -> None:
    path = shared_data / "fit" / "sample_mulitple_header.fit"
    activity = read_activity(path)
    sports = [leg.sport for leg in activity.legs]
    assert sports == ["swimming", "transition", "cycling", "transition", "running"]
    run = read_run(path)
    assert run.leg == 4 and run.sport == "running"
    # the run leg: 9806 m in 2851 s by its session message
    assert run.samples["distance_m"].iloc[-1] == pytest.approx(9806, abs=10)
    assert run.samples["time_s"].iloc[-1] == pytest.approx(2851, abs=5)
    assert run.start_utc == datetime(2018, 5, 27, 9, 23, 41, tzinfo=UTC)
    assert any("multisport" in note for note in run.notes)


def test_relative_fit_times_have_no_date(shared_data: Path) -> None:
    run = read_run(shared_data / "fit" / "compressed-speed-distance.fit")
    assert run.start_utc is None
    assert run.samples["timestamp"].isna().all()
    assert run.samples["distance_m"].iloc[-1] == pytest.approx(10249, abs=5)


def test_gpx_distance_agrees_with_the_same_run_as_tcx(shared_data: Path) -> None:
    """run.gpx and run.tcx are one TomTom run: the track length (haversine) is within 1%
    of the watch's distance."""
    gpx = read_run(shared_data / "runlogs" / "run.gpx")
    tcx = read_run(shared_data / "runlogs" / "run.tcx")
    assert gpx.legs[0].distance_source == "gps"
    assert gpx.samples["distance_m"].iloc[-1] == pytest.approx(
        tcx.samples["distance_m"].iloc[-1], rel=0.01
    )


def test_strava_gpx_type_9_is_a_run_with_cadence_doubled(shared_data: Path) -> None:
    run = read_run(shared_data / "runlogs" / "strava_export.gpx")
    assert run.sport == "running"
    assert 160 < run.samples["cadence_spm"].median() < 185  # the file's cad is about 85


# ------------------------------------------------------------------ synthetic files


def test_fit_records_are_converted(tmp_path: Path) -> None:
    recs = _steady_run(10, stance_time=245.5, vertical_oscillation=92.3)
    recs[3]["lat_semicircles"] = 2**30  # 90 deg
    recs[3]["lon_semicircles"] = -(2**29)
    run = read_run(_write(tmp_path / "run.fit", fit_bytes(recs)))
    s = run.samples
    assert s["time_s"].tolist() == [2.0 * i for i in range(10)]
    assert s["distance_m"].tolist() == pytest.approx([6.0 * i for i in range(10)])
    assert s["cadence_spm"].tolist() == [170.0] * 10
    assert s["stance_time_ms"].iloc[0] == pytest.approx(245.5)
    assert s["vertical_oscillation_mm"].iloc[0] == pytest.approx(92.3)
    assert (s.loc[3, "lat_deg"], s.loc[3, "lon_deg"]) == (90.0, -45.0)
    assert run.start_utc == datetime(2020, 1, 1, tzinfo=UTC)


def test_fit_without_distance_integrates_speed(tmp_path: Path) -> None:
    recs = [{"time_s": float(t), "speed": 2.5} for t in range(0, 101)]
    run = read_run(_write(tmp_path / "run.fit", fit_bytes(recs)))
    assert run.legs[0].distance_source == "speed"
    assert run.samples["distance_m"].iloc[-1] == pytest.approx(250.0)


def test_fit_without_distance_speed_or_gps_has_no_distance(tmp_path: Path) -> None:
    recs = [{"time_s": float(t), "heart_rate": 140} for t in range(0, 100)]
    run = read_run(_write(tmp_path / "run.fit", fit_bytes(recs)))
    assert run.legs[0].distance_source == "none"
    assert run.samples["distance_m"].isna().all()


def test_fit_without_sport_is_analysed_as_a_run_with_a_note(tmp_path: Path) -> None:
    run = read_run(_write(tmp_path / "run.fit", fit_bytes(_steady_run(5), sport=None)))
    assert run.sport == "not stated"
    assert any("does not say which sport" in n for n in run.notes)


def test_ride_is_refused_naming_the_sport(tmp_path: Path) -> None:
    path = _write(tmp_path / "ride.fit", fit_bytes(_steady_run(5), sport="cycling"))
    with pytest.raises(InputError, match="not a run: the file's sport is 'cycling'"):
        read_run(path)


def test_zero_sensor_values_are_missing(tmp_path: Path) -> None:
    recs = _steady_run(4, stance_time=0, vertical_oscillation=0)
    recs[0]["heart_rate"] = 0
    s = read_run(_write(tmp_path / "run.fit", fit_bytes(recs))).samples
    assert s["stance_time_ms"].isna().all() and s["vertical_oscillation_mm"].isna().all()
    assert np.isnan(s["heart_rate_bpm"].iloc[0]) and s["heart_rate_bpm"].iloc[1] == 150


def test_tcx_with_namespaces_and_run_cadence(tmp_path: Path) -> None:
    points = [
        {"time_s": t, "lat": 52.0 + t * 1e-5, "lon": 0.0, "hr": 150, "run_cadence": 88}
        for t in range(0, 60, 5)
    ]
    run = read_run(_write(tmp_path / "run.tcx", tcx_text(points)))
    s = run.samples
    assert run.sport == "running"
    assert s["cadence_spm"].tolist() == [176.0] * len(points)
    assert run.legs[0].distance_source == "gps"
    # 55e-5 deg of latitude on a 6371.0088 km sphere
    assert s["distance_m"].iloc[-1] == pytest.approx(np.radians(55e-5) * 6_371_008.8, rel=1e-9)


def test_tcx_biking_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path / "ride.tcx", tcx_text([{"time_s": 0, "distance_m": 0}], sport="Biking"))
    with pytest.raises(InputError, match="'cycling'"):
        read_run(path)


def test_gpx_extensions(tmp_path: Path) -> None:
    points = [
        {"time_s": t, "lat": 10.0, "lon": 20.0 + t * 1e-5, "hr": 140, "cad": 86} for t in range(30)
    ]
    run = read_run(_write(tmp_path / "run.gpx", gpx_text(points, sport="9")))
    assert run.sport == "running"
    assert run.samples["heart_rate_bpm"].tolist() == [140.0] * 30
    assert run.samples["cadence_spm"].tolist() == [172.0] * 30


def test_cadence_already_in_steps_is_not_doubled(tmp_path: Path) -> None:
    points = [{"time_s": t, "lat": 10.0, "lon": 20.0 + t * 1e-5, "cad": 172} for t in range(30)]
    run = read_run(_write(tmp_path / "run.gpx", gpx_text(points)))
    assert run.samples["cadence_spm"].tolist() == [172.0] * 30
    assert any("already in steps per minute" in n for n in run.notes)


def test_duplicate_times_are_merged(tmp_path: Path) -> None:
    recs = [
        {"time_s": 0.0, "heart_rate": 140},
        {"time_s": 0.0, "distance": 0.0},
        *({"time_s": float(t), "heart_rate": 141, "distance": 3.0 * t} for t in range(1, 6)),
    ]
    run = read_run(_write(tmp_path / "run.fit", fit_bytes(recs)))
    s = run.samples
    assert len(s) == 6
    assert s.loc[0, "heart_rate_bpm"] == 140 and s.loc[0, "distance_m"] == 0.0
    assert "1 sample repeated the time of the sample before and was merged into it" in run.notes


def test_track_distance_skips_missing_fixes() -> None:
    lat = pd.Series([0.0, np.nan, 0.0, 0.0])
    lon = pd.Series([0.0, np.nan, 1e-3, 2e-3])
    d = compute_track_distance_m(lat, lon)
    step = np.radians(1e-3) * 6_371_008.8
    np.testing.assert_allclose(d, [0.0, 0.0, step, 2 * step])


# ------------------------------------------------------------------ bad files


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_activity(tmp_path / "nothing.fit")


def test_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="folder, not an activity file"):
        read_activity(_make_dir(tmp_path / "run.fit"))


def _make_dir(path: Path) -> Path:
    path.mkdir()
    return path


def test_unknown_extension(tmp_path: Path) -> None:
    with pytest.raises(UnsupportedFormatError, match=r"reads FIT, GPX and TCX.*not '\.csv'"):
        read_activity(_write(tmp_path / "run.csv", "time,hr\n0,140\n"))


@pytest.mark.parametrize("name", ["empty.fit", "empty.gpx", "empty.tcx"])
def test_empty_file(tmp_path: Path, name: str) -> None:
    with pytest.raises(InsufficientDataError, match=r"empty \(0 bytes\)"):
        read_activity(_write(tmp_path / name, b""))


def test_fit_with_no_records(tmp_path: Path) -> None:
    with pytest.raises(InsufficientDataError, match="no timed samples"):
        read_activity(_write(tmp_path / "none.fit", fit_bytes([])))


def test_fit_with_a_wrong_checksum(tmp_path: Path) -> None:
    path = _write(tmp_path / "bad.fit", fit_bytes(_steady_run(5), break_crc=True))
    with pytest.raises(CorruptFileError, match="checksum does not match"):
        read_activity(path)


def test_fit_cut_short(tmp_path: Path) -> None:
    data = fit_bytes(_steady_run(50))
    path = _write(tmp_path / "cut.fit", data[: len(data) // 2])
    with pytest.raises(CorruptFileError, match="cut short"):
        read_activity(path)


def test_text_named_fit(tmp_path: Path) -> None:
    path = _write(tmp_path / "notes.fit", "my run was great\n")
    with pytest.raises(UnsupportedFormatError, match="not a FIT file"):
        read_activity(path)


def test_broken_xml(tmp_path: Path) -> None:
    text = tcx_text([{"time_s": 0, "distance_m": 0}])
    with pytest.raises(CorruptFileError, match="TCX XML is broken at line"):
        read_activity(_write(tmp_path / "cut.tcx", text[: len(text) // 2]))
    with pytest.raises(CorruptFileError, match=r"GPX cannot be read \(Error parsing XML.*line 1"):
        read_activity(_write(tmp_path / "cut.gpx", "<gpx><trk>"))


def test_gpx_named_tcx_and_tcx_named_gpx(tmp_path: Path) -> None:
    gpx = gpx_text([{"time_s": 0, "lat": 1.0, "lon": 2.0}])
    with pytest.raises(UnsupportedFormatError, match="not a TCX file: its XML root is <gpx>"):
        read_activity(_write(tmp_path / "a.tcx", gpx))
    tcx = tcx_text([{"time_s": 0, "distance_m": 0}])
    with pytest.raises(UnsupportedFormatError, match="not a GPX file: its XML root is <Train"):
        read_activity(_write(tmp_path / "a.gpx", tcx))


def test_xml_without_points(tmp_path: Path) -> None:
    with pytest.raises(InsufficientDataError, match="no timed samples"):
        read_activity(_write(tmp_path / "a.tcx", tcx_text([])))
    with pytest.raises(InsufficientDataError, match="no timed samples"):
        read_activity(_write(tmp_path / "a.gpx", gpx_text([])))


def test_bad_numbers_name_the_point(tmp_path: Path) -> None:
    text = tcx_text([{"time_s": 0, "distance_m": 0}, {"time_s": 1, "distance_m": 3}])
    text = text.replace(
        "<DistanceMeters>3</DistanceMeters>", "<DistanceMeters>three</DistanceMeters>"
    )
    with pytest.raises(CorruptFileError, match="Trackpoint 2 has DistanceMeters 'three'"):
        read_activity(_write(tmp_path / "a.tcx", text))


@pytest.mark.parametrize("fmt", ["tcx", "gpx"])
def test_points_without_a_readable_time_are_left_out_and_counted(tmp_path: Path, fmt: str) -> None:
    points = [{"time_s": t, "lat": 10.0, "lon": 20.0 + t * 1e-5, "distance_m": t} for t in range(4)]
    text = (tcx_text if fmt == "tcx" else gpx_text)(points)
    text = text.replace("2020-01-01T00:00:01Z", "yesterday").replace(
        "2020-01-01T00:00:02Z", "2020-13-45T00:00:00Z"
    )
    run = read_activity(_write(tmp_path / f"a.{fmt}", text))
    assert run.samples["time_s"].tolist() == [0.0, 3.0]
    assert "2 track points without a readable date and time were left out" in run.notes
    only_bad = (tcx_text if fmt == "tcx" else gpx_text)(points[1:2]).replace(
        "2020-01-01T00:00:01Z", "yesterday"
    )
    with pytest.raises(InsufficientDataError, match="no timed samples"):
        read_activity(_write(tmp_path / f"b.{fmt}", only_bad))


def test_fit_start_constant_is_2020() -> None:
    assert (
        datetime(1989, 12, 31, tzinfo=UTC).timestamp() + FIT_2020_S
        == datetime(2020, 1, 1, tzinfo=UTC).timestamp()
    )
