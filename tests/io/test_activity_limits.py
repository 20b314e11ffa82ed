"""Impossible times and values in watch files: refused with the reason, or dropped and
counted, the same way for FIT, GPX and TCX."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from activity_files import FIT_2020_S, fit_bytes, gpx_text, tcx_text
from upright.errors import CorruptFileError, InputError
from upright.io.activity import read_activity, read_run
from upright.limits import CADENCE_SPM, HEART_RATE_BPM, MAX_GAP_S
from upright.services.run_import import import_run

#: 2020-01-01 00:00:00 UTC as POSIX seconds.
T2020 = 1_577_836_800.0


def _steady(n: int = 60) -> list[dict[str, float]]:
    """FIT records of a steady run: one a second, 3 m/s, 85 strides/min, HR 150."""
    return [
        {"time_s": float(i), "distance": 3.0 * i, "heart_rate": 150, "cadence": 85}
        for i in range(n)
    ]


def _track(n: int = 60) -> list[dict[str, float]]:
    """GPX/TCX points: one a second, 3.0 m/s due north-ish (2.7e-5 deg of latitude)."""
    return [
        {"time_s": float(i), "lat": 52.0 + 2.7e-5 * i, "lon": 0.0, "distance_m": 3.0 * i}
        for i in range(n)
    ]


def _write_xml(tmp_path: Path, fmt: str, points: list[dict[str, float]], name: str = "a") -> Path:
    path = tmp_path / f"{name}.{fmt}"
    path.write_text((tcx_text if fmt == "tcx" else gpx_text)(points), encoding="utf-8")
    return path


def _retime(text: str, old_s: int, new_iso: str) -> str:
    minutes, seconds = divmod(old_s, 60)
    old = f"2020-01-01T00:{minutes:02d}:{seconds:02d}Z"
    assert old in text
    return text.replace(old, new_iso)


# ------------------------------------------------------------------ dates


@pytest.mark.parametrize("fmt", ["gpx", "tcx"])
@pytest.mark.parametrize("year", ["1900", "0001", "9999"])
def test_every_sample_dated_impossibly_is_refused(tmp_path: Path, fmt: str, year: str) -> None:
    path = _write_xml(tmp_path, fmt, _track(5))
    path.write_text(path.read_text("utf-8").replace("2020-01-01", f"{year}-01-01"), "utf-8")
    with pytest.raises(CorruptFileError, match=f"every sample is dated {year}-01-01") as info:
        read_activity(path)
    assert "before 1990 or in the future" in str(info.value)
    assert path.name in str(info.value)


@pytest.mark.parametrize("fmt", ["gpx", "tcx"])
def test_a_few_impossible_dates_are_dropped_and_counted(tmp_path: Path, fmt: str) -> None:
    path = _write_xml(tmp_path, fmt, _track(30))
    text = _retime(path.read_text("utf-8"), 10, "0001-01-01T00:00:10Z")
    text = _retime(text, 11, "1900-01-01T00:00:11Z")
    path.write_text(text, "utf-8")
    run = read_run(path)
    assert len(run.samples) == 28
    assert 11.0 not in run.samples["time_s"].tolist()
    assert (
        "2 samples dated 0001-01-01 00:00 to 1900-01-01 00:00 UTC (before 1990 or in the "
        "future) were dropped" in run.notes
    )


def test_fit_record_ten_years_later_is_split_off(tmp_path: Path) -> None:
    """One FIT record (in the middle of the file) 10 years after the rest of a run on 2009-12-31:
    the duration stays the run's (not 315 million s), and it is said."""
    records = _steady(120)
    records.insert(60, {"time_s": 10 * 365.25 * 86400, "distance": 180.0, "heart_rate": 150})
    path = tmp_path / "run.fit"
    path.write_bytes(fit_bytes(records, start_s=FIT_2020_S - 315_576_000))
    run = read_run(path)
    assert len(run.samples) == 120
    assert run.legs[0].duration_s == 119.0
    assert run.start_utc is not None and run.start_utc.year == 2009
    note = next(n for n in run.notes if n.startswith("the recording stops for 10.0 years"))
    assert "only the longest part (120 samples) is analysed and 1 sample was dropped" in note
    assert "the time goes back at 1 place in the file" in run.notes[0]


@pytest.mark.parametrize("fmt", ["gpx", "tcx"])
def test_an_hour_long_gap_keeps_the_longest_part(tmp_path: Path, fmt: str) -> None:
    first = _track(40)
    later = [
        p | {"time_s": p["time_s"] + MAX_GAP_S + 100.0, "distance_m": 500.0 + p["distance_m"]}
        for p in _track(10)
    ]
    run = read_run(_write_xml(tmp_path, fmt, first + later))
    assert run.samples["time_s"].tolist() == [float(i) for i in range(40)]
    assert any(
        n.startswith("the recording stops for 1.0 h (from 2020-01-01 00:00 to 2020-01-01 01:01")
        and "10 samples were dropped" in n
        for n in run.notes
    )


def test_a_gap_shorter_than_the_limit_is_kept(tmp_path: Path) -> None:
    first, later = _track(40), _track(10)
    later = [p | {"time_s": p["time_s"] + MAX_GAP_S - 60.0} for p in later]
    run = read_run(_write_xml(tmp_path, "tcx", first + later))
    assert len(run.samples) == 50
    assert not any("stops for" in n for n in run.notes)


# ------------------------------------------------------------------ time order


@pytest.mark.parametrize("fmt", ["gpx", "tcx"])
def test_every_time_used_twice_is_refused(tmp_path: Path, fmt: str) -> None:
    """Each time written twice: a clock running at half speed, pace twice as fast."""
    points = [p | {"time_s": float(i // 2)} for i, p in enumerate(_track(60))]
    with pytest.raises(CorruptFileError, match=r"30 of 60 samples \(50%\) repeat the time"):
        read_activity(_write_xml(tmp_path, fmt, points))


def test_every_time_used_twice_in_fit_is_refused(tmp_path: Path) -> None:
    records = [r | {"time_s": float(i // 2)} for i, r in enumerate(_steady(60))]
    path = tmp_path / "run.fit"
    path.write_bytes(fit_bytes(records))
    with pytest.raises(CorruptFileError, match="the file's clock cannot be trusted"):
        read_run(path)


@pytest.mark.parametrize("fmt", ["gpx", "tcx"])
def test_backward_times_are_put_in_order_and_said(tmp_path: Path, fmt: str) -> None:
    points = _track(30)
    points[10], points[11] = points[11], points[10]
    run = read_run(_write_xml(tmp_path, fmt, points))
    assert run.samples["time_s"].tolist() == [float(i) for i in range(30)]
    assert "the time goes back at 1 place in the file; the samples were put in time order" in (
        run.notes
    )


@pytest.mark.parametrize("fmt", ["gpx", "tcx"])
def test_a_file_out_of_order_in_many_places_is_refused(tmp_path: Path, fmt: str) -> None:
    """Reversed: the time goes back at every sample; sorting would be a guess."""
    with pytest.raises(CorruptFileError, match="the time goes back at 29 places among 30"):
        read_run(_write_xml(tmp_path, fmt, _track(30)[::-1]))


# ------------------------------------------------------------------ values


def test_impossible_heart_rate_and_cadence_are_dropped_and_counted(tmp_path: Path) -> None:
    records = _steady(60)
    records[5]["heart_rate"] = 254  # what a FIT "invalid" byte reads as, one short of 0xFF
    records[6]["heart_rate"] = 20
    records[7]["cadence"] = 254
    path = tmp_path / "run.fit"
    path.write_bytes(fit_bytes(records))
    run = read_run(path)
    hr = run.samples["heart_rate_bpm"]
    assert hr.isna().sum() == 2 and hr.dropna().eq(150).all()
    cadence = run.samples["cadence_spm"]
    assert np.isnan(cadence.iloc[7]) and cadence.dropna().eq(170).all()
    lo, hi = HEART_RATE_BPM
    assert (
        f"2 samples with a heart rate outside {lo:g} to {hi:g} bpm (not possible; e.g. 254) "
        "were dropped" in run.notes
    )
    assert (
        f"1 sample with a cadence outside {CADENCE_SPM[0]:g} to {CADENCE_SPM[1]:g} steps/min "
        "(not possible; e.g. 508) was dropped" in run.notes
    )


def test_invalid_marker_cadence_everywhere_is_not_taken_for_steps(tmp_path: Path) -> None:
    """Every cadence 254: the unit is not decided by it, and no cadence survives."""
    records = [r | {"cadence": 254} for r in _steady(30)]
    path = tmp_path / "run.fit"
    path.write_bytes(fit_bytes(records))
    run = read_run(path)
    assert run.samples["cadence_spm"].isna().all()
    assert any(n.startswith("30 samples with a cadence outside") for n in run.notes)


def test_heart_rate_in_the_millions_in_gpx(tmp_path: Path) -> None:
    points = [p | {"hr": 150.0} for p in _track(30)]
    points[3]["hr"] = 9_999_999.0
    run = read_run(_write_xml(tmp_path, "gpx", points))
    assert run.samples["heart_rate_bpm"].max() == 150.0
    assert any("e.g. 1e+07" in n and n.startswith("1 sample with a heart rate") for n in run.notes)


@pytest.mark.parametrize("fmt", ["gpx", "tcx"])
@pytest.mark.parametrize(("lat", "lon"), [(999.0, 0.0), (1e308, 1e308), (52.0, -181.0)])
def test_positions_off_the_globe_are_dropped(
    tmp_path: Path, fmt: str, lat: float, lon: float
) -> None:
    points = [p | {"distance_m": 0.0} for p in _track(30)]
    if fmt == "gpx":
        points = _track(30)
    points[12] = points[12] | {"lat": lat, "lon": lon}
    run = read_run(_write_xml(tmp_path, fmt, points))
    s = run.samples
    assert np.isnan(s["lat_deg"].iloc[12]) and s["lat_deg"].notna().sum() == 29
    if fmt == "gpx":
        # 29 steps of 2.7e-5 deg latitude; the missing fix only merges two of them
        step = np.radians(2.7e-5) * 6_371_008.8
        assert s["distance_m"].iloc[-1] == pytest.approx(29 * step, rel=1e-6)
    assert any("with a position off the globe" in n for n in run.notes)


def test_gps_jump_within_the_globe_is_dropped(tmp_path: Path) -> None:
    """A fix at (0, 0) in the middle of a run in England: 5,800 km in one second."""
    points = _track(30)
    points[15] = points[15] | {"lat": 0.0, "lon": 0.0}
    run = read_run(_write_xml(tmp_path, "gpx", points))
    step = np.radians(2.7e-5) * 6_371_008.8
    assert run.samples["distance_m"].iloc[-1] == pytest.approx(29 * step, rel=1e-6)
    assert (
        "1 sample whose GPS position jumps further than a runner can run (12.5 m/s) lost "
        "that position" in run.notes
    )


def test_gps_jump_on_the_first_fix_is_dropped(tmp_path: Path) -> None:
    points = _track(30)
    points[0] = points[0] | {"lat": -33.9, "lon": 151.2}
    run = read_run(_write_xml(tmp_path, "gpx", points))
    step = np.radians(2.7e-5) * 6_371_008.8
    assert run.samples["distance_m"].iloc[-1] == pytest.approx(28 * step, rel=1e-6)


def test_device_distance_spike_is_dropped(tmp_path: Path) -> None:
    records = _steady(60)
    records[20]["distance"] = 1e7
    path = tmp_path / "run.fit"
    path.write_bytes(fit_bytes(records))
    run = read_run(path)
    assert run.samples["distance_m"].iloc[-1] == pytest.approx(3.0 * 59)
    assert any(n.startswith("1 sample whose distance jumps") for n in run.notes)


def test_speed_faster_than_any_runner_is_dropped(tmp_path: Path) -> None:
    records = [r | {"speed": 3.0} for r in _steady(30)]
    records[4]["speed"] = 65.0
    path = tmp_path / "run.fit"
    path.write_bytes(fit_bytes(records))
    run = read_run(path)
    assert run.samples["speed_m_s"].max() == 3.0
    assert any(n.startswith("1 sample with a speed outside 0 to 12.5 m/s") for n in run.notes)


def test_clean_real_file_gets_no_cleaning_note(shared_data: Path) -> None:
    run = read_run(shared_data / "fit" / "activity-small-fenix2-run.fit")
    words = ("dropped", "lost", "merged", "time order", "stops for", "left out")
    assert not [n for n in run.notes if any(w in n for w in words)]


def test_real_file_with_repeated_times_says_how_many(shared_data: Path) -> None:
    run = read_run(shared_data / "fit" / "2013-02-06-12-11-14.fit")
    assert "7 samples repeated the time of the sample before and were merged into it" in (run.notes)


# ------------------------------------------------------------------ the run as a whole


def test_run_faster_than_the_world_record_is_refused(tmp_path: Path) -> None:
    """Every step 12 m/s (each allowed alone) for 10 minutes: 1:23/km."""
    records = [{"time_s": float(i), "distance": 12.0 * i, "heart_rate": 150} for i in range(600)]
    path = tmp_path / "run.fit"
    path.write_bytes(fit_bytes(records))
    with pytest.raises(InputError, match=r"average pace of 1:23/km over 7.19 km") as info:
        import_run(path)
    assert "faster than the 1500 m world record" in str(info.value)
