"""Fatigue signs of a watch-recorded run: synthetic runs whose drifts are known exactly,
plus the real fenix2 and triathlon runs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd
import pytest

from upright.errors import InputError, InsufficientDataError
from upright.fatigue.running import (
    CADENCE_DROP_SPM,
    HR_WARMUP_S,
    FatigueSign,
    RunningFatigue,
    compute_running_fatigue,
)
from upright.io.activity import SAMPLE_COLUMNS, read_run

Profile = Callable[[npt.NDArray[np.float64]], npt.NDArray[np.float64]]
SPEED_M_S = 3.0
DISTANCE_M = 10_000.0


def _flat(value: float) -> Profile:
    return lambda frac: np.full(frac.size, value)


def _ramp(start: float, change: float) -> Profile:
    """``start`` at the start, ``start + change`` at the end, linear in distance."""
    return lambda frac: start + change * frac


CADENCE = _flat(172.0)
STANCE = _flat(240.0)
VO = _flat(90.0)
HR = _flat(150.0)
SPEED = _flat(SPEED_M_S)


def synthetic_run(
    *,
    cadence: Profile = CADENCE,
    stance: Profile = STANCE,
    vo: Profile = VO,
    hr: Profile = HR,
    speed: Profile = SPEED,
    distance_m: float = DISTANCE_M,
    noise: float = 1.0,
    with_distance: bool = True,
    seed: int = 7,
) -> pd.DataFrame:
    """A 1 Hz run: each measure follows its profile over the fraction of distance run,
    plus Gaussian noise (SD ``noise`` x 1.5 spm, 5 ms, 2 mm, 2 bpm)."""
    rng = np.random.default_rng(seed)
    t = [0.0]
    d = [0.0]
    while d[-1] < distance_m:
        v = float(speed(np.array([d[-1] / distance_m]))[0])
        t.append(t[-1] + 1.0)
        d.append(d[-1] + v)
    time_s = np.array(t)
    dist = np.minimum(np.array(d), distance_m)
    frac = dist / distance_m
    n = time_s.size

    def noisy(profile: Profile, sd: float) -> npt.NDArray[np.float64]:
        return profile(frac) + rng.normal(0.0, sd * noise, n)

    frame = pd.DataFrame({c: np.nan for c in SAMPLE_COLUMNS}, index=range(n))
    frame["leg"] = 0
    frame["time_s"] = time_s
    frame["timestamp"] = pd.NaT
    frame["distance_m"] = dist if with_distance else np.nan
    frame["speed_m_s"] = np.gradient(dist, time_s) if with_distance else np.nan
    frame["cadence_spm"] = noisy(cadence, 1.5)
    frame["stance_time_ms"] = noisy(stance, 5.0)
    frame["vertical_oscillation_mm"] = noisy(vo, 2.0)
    frame["heart_rate_bpm"] = noisy(hr, 2.0)
    return frame


def sign(result: RunningFatigue, name: str) -> FatigueSign:
    return next(s for s in result.signs if s.name == name)


# ------------------------------------------------------------------ signs


def test_cadence_falling_6_spm_is_flagged() -> None:
    result = compute_running_fatigue(synthetic_run(cadence=_ramp(172.0, -6.0)))
    cad = sign(result, "cadence_falling")
    assert cad.status == "flagged", cad.reason
    assert cad.drift is not None
    # the trend spans block centres (10 km less one block): the change is -6 x span/10
    expected = -6.0 * cad.drift.span / 10.0
    assert cad.drift.ci95_low <= expected <= cad.drift.ci95_high
    assert cad.drift.change == pytest.approx(expected, abs=0.5)
    assert cad.drift.mdc95 < abs(cad.drift.change)
    assert cad.first_third is not None and cad.last_third is not None
    assert cad.first_third - cad.last_third == pytest.approx(4.0, abs=0.3)  # thirds 1/6 -> 5/6
    for other in ("stance_time_rising", "vertical_oscillation_rising", "cardiac_drift"):
        assert sign(result, other).status == "not flagged", sign(result, other).reason


def test_constant_run_flags_nothing() -> None:
    result = compute_running_fatigue(synthetic_run())
    assert [s.status for s in result.signs] == ["not flagged"] * 4
    assert result.pace_steady is True
    cad = sign(result, "cadence_falling")
    assert cad.drift is not None and abs(cad.drift.change) < CADENCE_DROP_SPM


def test_a_fall_within_the_threshold_is_not_flagged() -> None:
    result = compute_running_fatigue(synthetic_run(cadence=_ramp(172.0, -2.0), noise=0.2))
    cad = sign(result, "cadence_falling")
    assert cad.status == "not flagged"
    assert "below the flag level" in cad.reason


def test_a_fall_hidden_in_noise_is_not_flagged() -> None:
    """-4 spm with a sample SD of 40 spm: beyond the 3 spm threshold, not beyond noise."""
    result = compute_running_fatigue(synthetic_run(cadence=_ramp(172.0, -4.0), noise=40.0))
    cad = sign(result, "cadence_falling")
    assert cad.status == "not flagged", cad.reason


def test_rising_cadence_is_not_a_fatigue_sign() -> None:
    result = compute_running_fatigue(synthetic_run(cadence=_ramp(166.0, 8.0)))
    cad = sign(result, "cadence_falling")
    assert cad.status == "not flagged"
    assert "opposite of what fatigue does" in cad.reason


def test_stance_time_and_vertical_oscillation_rising_are_flagged() -> None:
    result = compute_running_fatigue(synthetic_run(stance=_ramp(230.0, 25.0), vo=_ramp(85.0, 10.0)))
    assert sign(result, "stance_time_rising").status == "flagged"
    assert sign(result, "vertical_oscillation_rising").status == "flagged"
    assert sign(result, "cadence_falling").status == "not flagged"


def test_cardiac_drift_at_steady_pace_is_flagged() -> None:
    """HR 150 -> 165 bpm (+10%) at a constant 3 m/s: beats per km rise by about 10%
    after the warm-up (a little less: the first post-warm-up blocks are the baseline)."""
    result = compute_running_fatigue(synthetic_run(hr=_ramp(150.0, 15.0)))
    cardiac = sign(result, "cardiac_drift")
    assert result.pace_steady is True
    assert cardiac.status == "flagged", cardiac.reason
    assert cardiac.change_unit == "%"
    assert cardiac.drift is not None
    assert 5.0 < cardiac.drift.change < 10.0
    assert cardiac.first_third is not None and cardiac.last_third is not None
    # beats per km = HR x pace (333.3 s/km) / 60
    assert cardiac.first_third == pytest.approx(152.5 * 1000 / SPEED_M_S / 60, rel=0.01)


def test_cardiac_drift_is_withheld_when_pace_is_not_steady() -> None:
    result = compute_running_fatigue(synthetic_run(hr=_ramp(150.0, 15.0), speed=_ramp(3.3, -1.0)))
    cardiac = sign(result, "cardiac_drift")
    assert result.pace_steady is False
    assert cardiac.status == "withheld"
    assert "pace not steady" in cardiac.reason
    assert "pace was not steady" in sign(result, "cadence_falling").reason


def test_warm_up_rise_is_not_cardiac_drift() -> None:
    """HR climbs 120 -> 150 in the first 10 minutes, then holds: no drift."""

    def warm(frac: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        t = frac * DISTANCE_M / SPEED_M_S
        return np.where(t < HR_WARMUP_S, 120.0 + 30.0 * t / HR_WARMUP_S, 150.0)

    result = compute_running_fatigue(synthetic_run(hr=warm))
    assert sign(result, "cardiac_drift").status == "not flagged"


def test_missing_dynamics_are_withheld_with_the_reason() -> None:
    samples = synthetic_run()
    samples["stance_time_ms"] = np.nan
    samples["vertical_oscillation_mm"] = np.nan
    result = compute_running_fatigue(samples)
    stance = sign(result, "stance_time_rising")
    assert stance.status == "withheld"
    assert "no stance time" in stance.reason and "running-dynamics sensor" in stance.reason
    assert sign(result, "vertical_oscillation_rising").status == "withheld"
    assert sign(result, "cadence_falling").status == "not flagged"


def test_short_run_withholds_every_sign() -> None:
    result = compute_running_fatigue(synthetic_run(distance_m=1000.0))
    assert {s.status for s in result.signs} == {"withheld"}
    assert "needs at least 2 km" in sign(result, "cadence_falling").reason


def test_walking_samples_are_left_out() -> None:
    """A 2-minute walk (cadence 110, 1.3 m/s) at 5 km changes no running mean."""
    samples = synthetic_run(noise=0.0)
    walk = (samples["distance_m"] > 5000) & (samples["distance_m"] <= 5156)
    samples.loc[walk, "cadence_spm"] = 110.0
    result = compute_running_fatigue(samples)
    assert result.thirds["cadence_spm"].tolist() == pytest.approx([172.0] * 3)
    assert sign(result, "cadence_falling").status == "not flagged"


# ------------------------------------------------------------------ tables


def test_splits_and_thirds_of_a_steady_run() -> None:
    result = compute_running_fatigue(synthetic_run(cadence=_ramp(172.0, -6.0), noise=0.0))
    splits = result.splits
    assert splits["split"].tolist() == list(range(1, 11))
    assert splits["distance_m"].tolist() == pytest.approx([1000.0] * 10)
    assert splits["pace_s_per_km"].to_numpy() == pytest.approx(1000 / SPEED_M_S, abs=1.5)
    assert splits["pace"].iloc[0] == "5:33"
    assert not splits["partial"].any()
    # mean cadence of km k is 172 - 6 x (k - 0.5) / 10
    expected = 172.0 - 6.0 * (np.arange(10) + 0.5) / 10
    np.testing.assert_allclose(splits["cadence_spm"], expected, atol=0.01)
    thirds = result.thirds
    assert thirds["end_km"].tolist() == pytest.approx([10 / 3, 20 / 3, 10.0])
    np.testing.assert_allclose(thirds["cadence_spm"], [171.0, 169.0, 167.0], atol=0.01)
    assert result.distance_m == pytest.approx(DISTANCE_M)
    assert result.duration_s == pytest.approx(DISTANCE_M / SPEED_M_S, abs=1.0)


def test_last_sliver_joins_the_last_split() -> None:
    result = compute_running_fatigue(synthetic_run(distance_m=5050.0))
    assert len(result.splits) == 5
    assert result.splits["distance_m"].iloc[-1] == pytest.approx(1050.0)
    assert bool(result.splits["partial"].iloc[-1])


def test_stops_are_not_moving_time() -> None:
    """A 120 s stop at 5 km adds to elapsed time, not to moving time or pace. (Where in
    the gap the runner stood is unknown: elapsed time at the 5 km mark is interpolated,
    so the stop is shared between km 5 and km 6.)"""
    samples = synthetic_run(noise=0.0)
    later = samples["distance_m"] > 5000
    samples.loc[later, "time_s"] += 120.0
    result = compute_running_fatigue(samples)
    assert result.duration_s - result.moving_time_s == pytest.approx(120.0, abs=1.0)
    km5_6 = result.splits.iloc[4:6]
    stopped = km5_6["elapsed_s"] - km5_6["moving_s"]
    assert stopped.sum() == pytest.approx(120.0, abs=1.0)
    assert km5_6["pace_s_per_km"].to_numpy() == pytest.approx(1000 / SPEED_M_S, abs=1.5)


def test_run_without_distance_uses_time() -> None:
    samples = synthetic_run(cadence=_ramp(172.0, -6.0), with_distance=False)
    result = compute_running_fatigue(samples)
    assert result.axis == "time" and result.distance_m is None
    assert result.splits["end_min"].iloc[0] == pytest.approx(5.0)
    assert result.thirds["pace_s_per_km"].isna().all()
    assert sign(result, "cadence_falling").status == "flagged"
    cardiac = sign(result, "cardiac_drift")
    assert cardiac.status == "withheld" and "no distance" in cardiac.reason


def test_input_is_not_modified() -> None:
    samples = synthetic_run()
    before = samples.copy()
    compute_running_fatigue(samples)
    pd.testing.assert_frame_equal(samples, before)


def test_missing_columns_are_all_named() -> None:
    samples = synthetic_run().drop(columns=["cadence_spm", "heart_rate_bpm"])
    with pytest.raises(InputError, match="lacks the column\\(s\\) heart_rate_bpm, cadence_spm"):
        compute_running_fatigue(samples)


def test_a_single_sample_is_too_little() -> None:
    with pytest.raises(InsufficientDataError, match="1 sample"):
        compute_running_fatigue(synthetic_run().iloc[:1])


# ------------------------------------------------------------------ real runs


def test_fenix2_run(shared_data: Path) -> None:
    run = read_run(shared_data / "fit" / "activity-small-fenix2-run.fit")
    result = compute_running_fatigue(run.samples)
    assert result.axis == "distance"
    assert len(result.splits) == 9  # 9.007 km: the last 7 m join km 9
    assert result.thirds["stance_time_ms"].notna().all()
    stance = sign(result, "stance_time_rising")
    assert stance.drift is not None and stance.status != "withheld"
    # the runner slowed to a jog over the last 2 km: pace is not steady
    assert result.pace_steady is False
    assert sign(result, "cardiac_drift").status == "withheld"


def test_triathlon_run_shows_fatigue(shared_data: Path) -> None:
    """The run after a 40 km ride: cadence falls, vertical oscillation and beats per
    km rise at a steady pace."""
    run = read_run(shared_data / "fit" / "sample_mulitple_header.fit")
    result = compute_running_fatigue(run.samples)
    assert result.pace_steady is True
    assert sign(result, "cadence_falling").status == "flagged"
    assert sign(result, "cardiac_drift").status == "flagged"
