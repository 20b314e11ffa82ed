"""Cleaning of keypoint series on signals whose answer is exact."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from upright.signal.filters import (
    DEFAULT_CONFIDENCE_THRESHOLD,
    default_cutoff_hz,
    fill_gaps,
    lowpass,
    mask_low_confidence,
    resample_uniform,
    rotate_positions,
)
from upright.skeleton import make_pose_dataset

FPS = 30.0


def _series_ds(x: np.ndarray, time_s: np.ndarray | None = None, fps: float = FPS) -> xr.Dataset:
    """One keypoint whose x follows ``x`` and whose y is ``-x`` (both channels filtered)."""
    t = np.arange(x.size) / fps if time_s is None else time_s
    pos = np.stack([x, -x], axis=1)[:, :, np.newaxis]  # time, space, keypoint
    return make_pose_dataset(
        pos, np.ones((x.size, 1)), t, keypoints=("nose",), fps=fps, source_software="test"
    )


def _x(ds: xr.Dataset) -> np.ndarray:
    return np.asarray(ds["position"].sel(space="x", keypoint="nose").isel(individual=0).values)


# ------------------------------------------------------------------ confidence mask


def test_mask_low_confidence_blanks_low_and_unknown_scores_only() -> None:
    x = np.arange(5, dtype=float)
    ds = _series_ds(x)
    conf = np.array([0.9, 0.29, 0.3, np.nan, 0.0])
    ds["confidence"] = (("time", "keypoint", "individual"), conf[:, None, None])
    before = ds.copy(deep=True)
    out = mask_low_confidence(ds, threshold=0.3)
    got = out["position"].isel(keypoint=0, individual=0).values  # time, space
    # kept: 0.9 and exactly the threshold; masked: below it, NaN, zero (both x and y)
    np.testing.assert_array_equal(np.isnan(got).all(axis=1), [False, True, False, True, True])
    np.testing.assert_array_equal(got[[0, 2], 0], [0.0, 2.0])
    xr.testing.assert_identical(ds, before)  # input untouched
    assert out.attrs["processing"] == "mask_low_confidence(threshold=0.3)"


def test_mask_uses_the_default_threshold() -> None:
    ds = _series_ds(np.zeros(2))
    below = DEFAULT_CONFIDENCE_THRESHOLD - 0.01
    ds["confidence"] = (("time", "keypoint", "individual"), np.array([1.0, below])[:, None, None])
    assert np.isnan(_x(mask_low_confidence(ds))).tolist() == [False, True]


# ------------------------------------------------------------------ gap filling


def test_short_gap_is_filled_exactly_linearly() -> None:
    # 2 missing frames at 30 fps: the valid neighbours are 0.1 s apart, the missing time
    # 0.067 s, so the gap is within 0.1 s whichever way it is counted.
    x = 5.0 + 3.0 * np.arange(12, dtype=float)
    x[4:6] = np.nan
    out = _x(fill_gaps(_series_ds(x), max_gap_s=0.1))
    np.testing.assert_allclose(out, 5.0 + 3.0 * np.arange(12), rtol=0, atol=1e-12)


def test_longer_gap_stays_nan_and_the_rest_is_untouched() -> None:
    # 4 missing frames: 0.133 s missing, neighbours 0.167 s apart, both > 0.1 s
    x = np.arange(20, dtype=float) ** 2
    x[5:9] = np.nan
    x[14:16] = np.nan  # a short gap in the same series is still filled
    out = _x(fill_gaps(_series_ds(x), max_gap_s=0.1))
    assert np.isnan(out[5:9]).all()
    np.testing.assert_array_equal(out[:5], np.arange(5.0) ** 2)
    np.testing.assert_array_equal(out[9:14], np.arange(9.0, 14.0) ** 2)
    # linear between 13**2 = 169 and 16**2 = 256 at one-third steps
    np.testing.assert_allclose(out[14:16], [169 + 87 / 3, 169 + 2 * 87 / 3], atol=1e-9)


def test_gap_length_is_in_seconds_not_frames() -> None:
    # the same 4-frame gap is short at 100 fps (0.04 s) and is filled there
    x = np.arange(20, dtype=float)
    x[5:9] = np.nan
    out = _x(fill_gaps(_series_ds(x, fps=100.0), max_gap_s=0.1))
    np.testing.assert_allclose(out, np.arange(20.0), atol=1e-12)


def test_leading_and_trailing_nan_are_never_extrapolated() -> None:
    x = np.arange(10, dtype=float)
    x[:1] = np.nan
    x[-2:] = np.nan
    out = _x(fill_gaps(_series_ds(x), max_gap_s=10.0))
    assert np.isnan(out[0]) and np.isnan(out[-2:]).all()
    np.testing.assert_array_equal(out[1:-2], np.arange(1.0, 8.0))


def test_fill_gaps_leaves_the_input_alone_and_logs_the_step() -> None:
    x = np.arange(10, dtype=float)
    x[3] = np.nan
    ds = _series_ds(x)
    before = ds.copy(deep=True)
    out = fill_gaps(ds, max_gap_s=0.1)
    xr.testing.assert_identical(ds, before)
    assert np.isnan(_x(ds)[3]) and _x(out)[3] == pytest.approx(3.0)
    assert out.attrs["processing"] == "fill_gaps(max_gap_s=0.1)"


# ------------------------------------------------------------------ low-pass


def _interior(n: int, fps: float = FPS, edge_s: float = 1.0) -> slice:
    k = int(edge_s * fps)
    return slice(k, n - k)


def test_default_cutoff_is_10_hz_at_most_a_quarter_of_the_rate() -> None:
    assert default_cutoff_hz(30.0) == 7.5
    assert default_cutoff_hz(25.0) == 6.25
    assert default_cutoff_hz(60.0) == 10.0
    assert default_cutoff_hz(240.0) == 10.0


def test_lowpass_keeps_a_2_hz_sine_in_amplitude_and_time() -> None:
    n = int(10 * FPS)
    t = np.arange(n) / FPS
    # peaks at t = 0.5 s + k * 0.5 s, every 15 frames, so they fall on samples
    x = 40.0 * np.cos(2 * np.pi * 2.0 * (t - 0.5))
    out = _x(lowpass(_series_ds(x)))
    mid = _interior(n)
    assert np.max(np.abs(out[mid])) == pytest.approx(40.0, rel=0.02)
    # zero lag: each filtered peak sits on the input's peak frame
    peaks_in = np.flatnonzero(np.isclose(x, 40.0))
    peaks_in = peaks_in[(peaks_in > mid.start) & (peaks_in < mid.stop - 1)]
    for k in peaks_in:
        assert out[k] > out[k - 1] and out[k] > out[k + 1], f"filtered peak moved from {k}"
    # and the phase of a fitted sinusoid is unchanged (lag under 1 ms)
    basis = np.stack([np.cos(2 * np.pi * 2.0 * t), np.sin(2 * np.pi * 2.0 * t)], axis=1)
    a_in, b_in = np.linalg.lstsq(basis[mid], x[mid], rcond=None)[0]
    a_out, b_out = np.linalg.lstsq(basis[mid], out[mid], rcond=None)[0]
    lag_s = (np.arctan2(b_in, a_in) - np.arctan2(b_out, a_out)) / (2 * np.pi * 2.0)
    assert abs(lag_s) < 1e-3


def test_lowpass_removes_a_12_hz_component() -> None:
    n = int(10 * FPS)
    t = np.arange(n) / FPS
    slow = 40.0 * np.sin(2 * np.pi * 2.0 * t)
    fast = 10.0 * np.sin(2 * np.pi * 12.0 * t + 0.3)
    out = _x(lowpass(_series_ds(slow + fast)))
    mid = _interior(n)
    # what is left of the 12 Hz part, less the (at most 2%) change of the 2 Hz part
    residual = np.max(np.abs(out[mid] - slow[mid]))
    assert residual < 0.1 * 10.0 + 0.02 * 40.0
    only_fast = _x(lowpass(_series_ds(fast)))
    assert np.max(np.abs(only_fast[mid])) < 0.1 * 10.0


def test_lowpass_keeps_nan_runs_exactly_where_they_were() -> None:
    n = 300
    t = np.arange(n) / FPS
    x = 40.0 * np.sin(2 * np.pi * 2.0 * t)
    x[100:110] = np.nan
    x[200] = np.nan
    x[250:252] = np.nan
    x[252:254] = [1.0, 2.0]  # a 2-sample run: too short to filter, kept as is
    x[254:260] = np.nan
    out = _x(lowpass(_series_ds(x)))
    np.testing.assert_array_equal(np.isnan(out), np.isnan(x))
    np.testing.assert_array_equal(out[252:254], [1.0, 2.0])


def test_lowpass_logs_its_parameters_and_leaves_input() -> None:
    ds = _series_ds(np.sin(np.arange(60) / 5.0))
    before = ds.copy(deep=True)
    out = lowpass(lowpass(ds), cutoff_hz=5.0)
    xr.testing.assert_identical(ds, before)
    steps = out.attrs["processing"].split("; ")
    assert steps == [
        "lowpass(butterworth order 4 zero-lag, cutoff_hz=7.5)",
        "lowpass(butterworth order 4 zero-lag, cutoff_hz=5.0)",
    ]


@pytest.mark.parametrize("cutoff", [0.0, 15.0, 20.0])
def test_lowpass_refuses_a_cutoff_outside_0_to_nyquist(cutoff: float) -> None:
    with pytest.raises(ValueError, match=r"must lie between 0 and half of 30.0 fps"):
        lowpass(_series_ds(np.zeros(30)), cutoff_hz=cutoff)


# ------------------------------------------------------------------ resampling


def test_resample_uniform_interpolates_irregular_frames_exactly() -> None:
    rng = np.random.default_rng(3)
    t = 0.2 + np.cumsum(rng.uniform(0.02, 0.05, 80))  # variable frame rate, 20-50 fps
    x = 7.0 + 2.5 * t  # linear in time: linear interpolation is exact
    ds = _series_ds(x, time_s=t)
    out = resample_uniform(ds, 30.0)
    grid = out["time"].values
    assert grid[0] == t[0]
    np.testing.assert_allclose(np.diff(grid), 1 / 30.0, rtol=0, atol=1e-12)
    assert grid[-1] <= t[-1] < grid[-1] + 1 / 30.0
    np.testing.assert_allclose(_x(out), 7.0 + 2.5 * grid, rtol=0, atol=1e-9)
    assert out.attrs["fps"] == 30.0
    assert out.attrs["processing"].endswith("resample_uniform(sampling_rate_hz=30.0)")
    assert ds.attrs["fps"] == FPS  # input attrs untouched


def test_resample_uniform_keeps_missing_samples_missing() -> None:
    t = np.array([0.0, 0.04, 0.07, 0.12, 0.15, 0.2])
    x = np.array([0.0, 1.0, np.nan, 3.0, 4.0, 5.0])
    out = resample_uniform(_series_ds(x, time_s=t), 50.0)
    grid, got = out["time"].values, _x(out)
    # grid samples strictly between the NaN's neighbours (0.04 and 0.12) are NaN
    between = (grid > 0.04) & (grid < 0.12)
    assert between.any() and np.isnan(got[between]).all()
    assert np.isfinite(got[~between & (grid <= 0.04)]).all()


# ------------------------------------------------------------------ rotation


def test_rotate_positions_turns_counter_clockwise_exactly() -> None:
    pos = np.array([[[1.0, 0.0, 3.0], [0.0, 1.0, 4.0]]])  # time 1, space 2, keypoint 3
    ds = make_pose_dataset(
        pos,
        np.ones((1, 3)),
        [0.0],
        keypoints=("nose", "head_top", "left_ear"),
        fps=30,
        source_software="test",
    )
    out = rotate_positions(ds, 90.0)
    got = out["position"].isel(time=0, individual=0).transpose("keypoint", "space").values
    np.testing.assert_allclose(got, [[0.0, 1.0], [-1.0, 0.0], [-4.0, 3.0]], atol=1e-12)
    back = rotate_positions(out, -90.0)
    np.testing.assert_allclose(back["position"].values, ds["position"].values, atol=1e-12)
    assert out["position"].dims == ds["position"].dims
    assert out.attrs["processing"] == "rotate_positions(angle_deg=90.000)"
