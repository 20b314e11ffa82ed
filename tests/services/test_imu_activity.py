"""``import_imu`` with a watch file: distance by absolute time, on a synthetic pair.

The sensor trace (:func:`imu_traces.synthetic_run`, 15 min at 100 Hz) starts at
2020-01-01 00:00:00 UTC in unix time; the watch files (:mod:`activity_files`) cover the
same span with the distance growing at exactly ``SPEED`` m/s, so the distance at any
sensor instant is ``SPEED`` x the seconds since the watch started.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pytest

from activity_files import FIT_2020_S, fit_bytes, gpx_text, tcx_text
from imu_traces import synthetic_run
from upright.services.imu_import import ImuImport, import_imu

#: 2020-01-01 00:00:00 UTC, the day the watch-file writers use.
START_UNIX_S = 1_577_836_800.0
DURATION_S = 900
SPEED = 3.2  # m/s
TOL_M = 3.0
#: Metres in one degree of latitude on upright's sphere (R = 6,371,008.8 m).
M_PER_DEG_LAT = 6_371_008.8 * np.pi / 180.0


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("imu_activity")


@pytest.fixture(scope="module")
def trace(folder: Path) -> Path:
    frame = synthetic_run(duration_s=DURATION_S, lean_start_deg=2, lean_end_deg=8)
    frame["unix_time_s"] += START_UNIX_S - float(frame["unix_time_s"].iloc[0])
    path = folder / "run.csv"
    frame.to_csv(path, index=False)
    return path


def _points(start_s: int, end_s: int = DURATION_S, every_s: int = 5) -> list[dict[str, float]]:
    """Watch points from ``start_s`` to ``end_s`` (s after 00:00 UTC) at ``SPEED``."""
    return [
        {
            "time_s": t,
            "distance_m": SPEED * (t - start_s),
            "lat": 45.0 + SPEED * (t - start_s) / M_PER_DEG_LAT,
            "lon": 7.0,
        }
        for t in range(start_s, end_s + 1, every_s)
    ]


def _write(folder: Path, name: str, kind: str, start_s: int = 0) -> Path:
    points = _points(start_s)
    path = folder / f"{name}.{kind}"
    if kind == "tcx":
        path.write_text(tcx_text(points), encoding="utf-8")
    elif kind == "gpx":  # no distance in the file: measured along the track
        path.write_text(gpx_text(points), encoding="utf-8")
    else:
        records = [{"time_s": p["time_s"], "distance": p["distance_m"]} for p in points]
        path.write_bytes(fit_bytes(records, start_s=FIT_2020_S))
    return path


def _distance_at(imu: ImuImport, t_s: float) -> float:
    assert imu.distance_m is not None
    return float(np.interp(t_s, imu.posture.time_s, imu.distance_m))


@pytest.fixture(scope="module")
def full(trace: Path, folder: Path) -> ImuImport:
    return import_imu(trace, activity_file=_write(folder, "full", "tcx"))


def test_distance_is_speed_times_elapsed_time(full: ImuImport) -> None:
    assert full.distance_m is not None
    assert full.distance_m.shape == full.posture.time_s.shape
    assert np.isfinite(full.distance_m).all()
    assert np.all(np.diff(full.distance_m) >= 0)
    for t in (0.0, 60.0, 300.0, 450.5, 600.0, 899.0):
        assert _distance_at(full, t) == pytest.approx(SPEED * t, abs=TOL_M)
    s = full.summary
    assert s.source.start_utc == "2020-01-01T00:00:00+00:00"
    assert s.source.overlap_s == pytest.approx(DURATION_S, abs=0.1)
    assert s.distance_km == pytest.approx(SPEED * DURATION_S / 1000, abs=TOL_M / 1000)
    assert not any("covers" in n for n in s.notes)


def test_minutes_thirds_and_drift_are_in_km(full: ImuImport) -> None:
    f = full.fatigue
    assert f.axis == full.summary.axis == "distance"
    m = f.minutes
    km = SPEED / 1000
    np.testing.assert_allclose(m["start_km"], km * m["start_s"], atol=TOL_M / 1000)
    np.testing.assert_allclose(m["end_km"], km * m["end_s"], atol=TOL_M / 1000)
    np.testing.assert_allclose(m["x"], (m["start_km"] + m["end_km"]) / 2)
    # Thirds split the distance (2.88 km) in three equal parts.
    total = SPEED * DURATION_S / 1000
    third = f.thirds
    np.testing.assert_allclose(third["start_km"], [0, total / 3, 2 * total / 3], atol=0.01)
    np.testing.assert_allclose(third["end_km"], [total / 3, 2 * total / 3, total], atol=0.01)
    assert [t.start_km for t in full.summary.thirds] == pytest.approx(list(third["start_km"]))
    # The drift runs against km: its span is that of the running minutes' mid-points.
    running = m[m["activity"] == "running"]
    span_km = float(running["x"].max() - running["x"].min())
    assert span_km == pytest.approx(total - km * 60, abs=0.01)
    for sign in full.summary.fatigue_signs:
        assert sign.span_unit == "km"
        assert sign.span == pytest.approx(span_km)
    pitch = next(s for s in f.signs if s.name == "pitch_rising")
    assert pitch.drift is not None and pitch.status == "flagged"
    # 2 -> 8 deg over the run: about 6 deg / 2.9 km in total, whatever the axis.
    assert pitch.drift.change == pytest.approx(6.0, abs=1.0)
    assert "km" in pitch.reason


def test_pain_onset_in_km_maps_to_its_minute(trace: Path, folder: Path) -> None:
    imu = import_imu(trace, activity_file=folder / "full.tcx", pain_onset_km=1.6)
    onset = imu.summary.pain_onset
    assert onset is not None and onset.given_as == "km"
    assert onset.minute == pytest.approx(1600 / SPEED / 60, abs=0.02)
    assert onset.third == 2


@pytest.mark.parametrize("kind", ["fit", "tcx", "gpx"])
def test_every_watch_format_lines_up(trace: Path, folder: Path, kind: str) -> None:
    imu = import_imu(trace, activity_file=_write(folder, f"fmt_{kind}", kind))
    for t in (120.0, 600.0, 899.0):
        assert _distance_at(imu, t) == pytest.approx(SPEED * t, abs=TOL_M), kind


def test_watch_starting_later_carries_its_first_distance_back(trace: Path, folder: Path) -> None:
    """Documented in ``import_imu``: outside the watch file the nearest distance is carried
    (no extrapolation), and a note says how much of the recording the watch covers."""
    late_s = 300
    imu = import_imu(trace, activity_file=_write(folder, "late", "tcx", start_s=late_s))
    t = imu.posture.time_s
    assert imu.distance_m is not None and np.isfinite(imu.distance_m).all()
    # Distance counts from the watch's start (the running leg's first distance is 0).
    assert np.all(imu.distance_m[t <= late_s] == 0.0)
    for when in (late_s + 60.0, 600.0, 899.0):
        assert _distance_at(imu, when) == pytest.approx(SPEED * (when - late_s), abs=TOL_M)
    s = imu.summary
    assert s.source.overlap_s == pytest.approx(DURATION_S - late_s, abs=0.1)
    assert "the watch file covers 67% of the sensor recording" in s.notes
    assert s.distance_km == pytest.approx(SPEED * (DURATION_S - late_s) / 1000, abs=0.01)
    m = imu.fatigue.minutes
    before = m["end_s"] <= late_s
    assert before.sum() == late_s // 60
    assert (m.loc[before, ["start_km", "end_km", "x"]] == 0.0).all().all()
    assert imu.fatigue.axis == "distance"


def _shift_tcx_times(text: str, zone: timezone) -> str:
    """Write every trackpoint time as the same instant in local time ``zone``."""

    def local(match: re.Match[str]) -> str:
        instant = datetime.fromisoformat(match.group(1).replace("Z", "+00:00"))
        return f"<Time>{instant.astimezone(zone).isoformat()}</Time>"

    return re.sub(r"<Time>([^<]+)</Time>", local, text)


@pytest.fixture
def local_zone(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Run in a machine time zone far from UTC, so local-time mistakes show."""
    if not hasattr(time, "tzset"):
        pytest.skip("time.tzset is not available")
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.usefixtures("local_zone")
def test_watch_utc_and_offset_times_line_up_with_unix_time(trace: Path, folder: Path) -> None:
    utc = folder / "tz_utc.tcx"
    utc.write_text(tcx_text(_points(0)), encoding="utf-8")
    shifted = _shift_tcx_times(utc.read_text(encoding="utf-8"), timezone(timedelta(hours=5.5)))
    assert "<Time>2020-01-01T05:30:00+05:30</Time>" in shifted
    offset = folder / "tz_offset.tcx"
    offset.write_text(shifted, encoding="utf-8")
    a = import_imu(trace, activity_file=utc)
    b = import_imu(trace, activity_file=offset)
    assert a.summary.source.start_utc == b.summary.source.start_utc == "2020-01-01T00:00:00+00:00"
    assert a.distance_m is not None and b.distance_m is not None
    np.testing.assert_allclose(a.distance_m, b.distance_m)
    assert _distance_at(b, 600.0) == pytest.approx(SPEED * 600, abs=TOL_M)
