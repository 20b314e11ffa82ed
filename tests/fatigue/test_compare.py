"""Comparison of clips: exact statistics on known values, and synthetic runners whose
lean per clip is known (6, 7, 11 deg)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from compare_clips import write_synthetic_clip
from upright.errors import InputError, InsufficientDataError
from upright.fatigue.compare import (
    ClipValues,
    compare_metric,
    compute_clip_change,
    compute_clip_level,
)
from upright.fatigue.drift import DRIFT_THRESHOLD_DEG
from upright.io.keypoints import read_keypoints, write_keypoints_netcdf
from upright.report.compare_plots import compare_figure, pain_label
from upright.services.compare import (
    ClipInput,
    CompareOptions,
    Comparison,
    compare_clips,
    place_pain_onset,
)
from upright.summaries import MetricSummary

LEAN = "trunk_lean_stance_deg"
RNG_VALUES = np.random.default_rng(7).normal(0.0, 1.0, 30)


def _values(mean: float, sd: float = 1.0) -> np.ndarray:
    """30 values with exactly this mean and SD."""
    z = (RNG_VALUES - RNG_VALUES.mean()) / RNG_VALUES.std(ddof=1)
    return mean + sd * z


# ------------------------------------------------------------------ statistics


def test_level_is_the_median_with_a_bootstrap_interval_around_it() -> None:
    v = _values(8.0, 1.0)
    level = compute_clip_level(np.append(v, np.nan), label="clip 1", point=2.0)
    assert level.n == 30
    assert level.median == pytest.approx(float(np.median(v)))
    assert level.mean == pytest.approx(8.0)
    assert level.sd == pytest.approx(1.0)
    assert level.ci95_low < level.median < level.ci95_high
    # about 1.96 * 1.25 * SD / sqrt(n) either side for a normal sample
    assert 0.2 < level.ci95_high - level.ci95_low < 1.5
    assert compute_clip_level(v) == compute_clip_level(v)  # seeded: reproducible


def test_change_uses_welch_and_the_mdc_formula() -> None:
    a, b = _values(6.0, 1.0), _values(11.0, 2.0)[:20]
    first, later = compute_clip_level(a, label="clip 1"), compute_clip_level(b, label="clip 2")
    change = compute_clip_change(first, later)
    ci = stats.ttest_ind(b, a, equal_var=False).confidence_interval(0.95)
    assert change.change == pytest.approx(b.mean() - a.mean())
    assert (change.ci95_low, change.ci95_high) == pytest.approx((ci.low, ci.high))
    sd1, sd2 = a.std(ddof=1), b.std(ddof=1)
    assert change.mdc95 == pytest.approx(1.96 * np.sqrt(sd1**2 / a.size + sd2**2 / b.size))
    assert change.flagged
    assert change.reason.startswith("rose by +")


@pytest.mark.parametrize(
    ("delta", "sd", "flagged", "reason"),
    [
        (5.0, 1.0, True, "rose by"),
        (-5.0, 1.0, True, "fell by"),
        (0.0, 1.0, False, "includes 0"),
        (2.0, 1.0, False, "below the flag level"),  # real, but under 3 deg
        (3.5, 8.0, False, "includes 0"),  # over 3 deg, but within the noise
    ],
)
def test_flag_needs_threshold_mdc_and_an_interval_off_zero(
    delta: float, sd: float, flagged: bool, reason: str
) -> None:
    first = compute_clip_level(_values(8.0, sd))
    later = compute_clip_level(_values(8.0 + delta, sd))
    change = compute_clip_change(first, later)
    assert change.change == pytest.approx(delta)
    assert change.flagged is flagged
    assert reason in change.reason


def test_change_above_threshold_but_below_mdc_is_not_flagged() -> None:
    first = compute_clip_level(_values(8.0, 6.0)[:10])
    later = compute_clip_level(_values(11.6, 6.0)[:10])
    change = compute_clip_change(first, later)
    assert change.change > DRIFT_THRESHOLD_DEG
    assert change.mdc95 > change.change
    assert not change.flagged


def test_noise_free_clips_have_zero_width() -> None:
    change = compute_clip_change(
        compute_clip_level([8.0] * 5), compute_clip_level([8.0] * 5, label="b")
    )
    assert (change.change, change.ci95_low, change.ci95_high, change.mdc95) == (0, 0, 0, 0)
    assert not change.flagged


def test_trend_over_three_clips_follows_the_points() -> None:
    clips = [
        ClipValues("clip 1", 1.0, _values(6.0, 0.5)),
        ClipValues("clip 2", 8.0, _values(7.0, 0.5)),
        ClipValues("clip 3", 15.0, _values(11.0, 0.5)),
    ]
    result = compare_metric(clips)
    assert [c.change for c in result.changes] == pytest.approx([1.0, 5.0])
    assert [c.flagged for c in result.changes] == [False, True]
    assert result.trend is not None
    fit = stats.linregress([1.0, 8.0, 15.0], [6.0, 7.0, 11.0])  # equal n: fit of the means
    assert result.trend.slope_per_unit == pytest.approx(fit.slope)
    assert result.trend.change == pytest.approx(fit.slope * 14.0)
    assert compare_metric(clips[:2]).trend is None


def test_too_few_clips_or_strides_are_refused() -> None:
    with pytest.raises(InsufficientDataError, match="1 clip given; a comparison needs at least 2"):
        compare_metric([ClipValues("clip 1", 0.0, [1.0, 2.0, 3.0])])
    with pytest.raises(InsufficientDataError, match="clip 2 has 2 measurable strides"):
        compare_metric(
            [ClipValues("clip 1", 0.0, [1.0, 2.0, 3.0]), ClipValues("clip 2", 1.0, [1, np.nan, 2])]
        )


# ------------------------------------------------------------------ synthetic runners


@pytest.fixture(scope="module")
def runner_clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Synthetic runners of known constant lean, saved as keypoint files."""
    folder = tmp_path_factory.mktemp("synthetic_clips")
    leans = {
        "early": (6.0, 1),
        "mid": (7.0, 2),
        "late": (11.0, 3),
        "early_again": (6.0, 4),
        "plus2": (8.0, 5),
    }
    return {k: write_synthetic_clip(folder / f"{k}.nc", v, s) for k, (v, s) in leans.items()}


def _compare(clips: dict[str, Path], names: list[str], points: list[float]) -> Comparison:
    inputs = [ClipInput(clips[n], p) for n, p in zip(names, points, strict=True)]
    return compare_clips(inputs, CompareOptions(use_cache=False))


def _lean(comparison: Comparison) -> tuple[list[float], list[bool]]:
    metric = next(m for m in comparison.summary.metrics if m.metric == LEAN)
    return [c.change for c in metric.changes], [c.flagged for c in metric.changes]


def test_synthetic_runner_leaning_5_deg_more_late_is_flagged(runner_clips: dict[str, Path]) -> None:
    comparison = _compare(runner_clips, ["early", "mid", "late"], [1.0, 8.0, 15.0])
    changes, flags = _lean(comparison)
    assert changes[0] == pytest.approx(1.0, abs=0.5)
    assert changes[1] == pytest.approx(5.0, abs=0.5)
    assert flags == [False, True]
    lean = next(m for m in comparison.summary.metrics if m.metric == LEAN)
    assert lean.flagged
    assert lean.trend is not None and lean.trend.flagged
    assert lean.trend.change == pytest.approx(5.0, abs=0.7)
    assert [c.from_cache for c in comparison.summary.clips] == [False] * 3
    assert comparison.summary.synthetic
    assert comparison.summary.setup_warnings == []
    head = next(m for m in comparison.summary.metrics if m.metric == "head_trunk_deg")
    assert not head.flagged


def test_unchanged_runner_is_not_flagged(runner_clips: dict[str, Path]) -> None:
    changes, flags = _lean(_compare(runner_clips, ["early", "early_again"], [1.0, 12.0]))
    assert changes[0] == pytest.approx(0.0, abs=0.5)
    assert flags == [False]


def test_two_degrees_more_is_not_flagged(runner_clips: dict[str, Path]) -> None:
    changes, flags = _lean(_compare(runner_clips, ["early", "plus2"], [1.0, 12.0]))
    assert changes[0] == pytest.approx(2.0, abs=0.5)
    assert flags == [False]


def test_metric_withheld_in_a_clip_is_withheld_in_the_comparison(
    runner_clips: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    import upright.services.analyze as analyze

    original = analyze._metric_summaries

    def no_head(*args: object, **kwargs: object) -> tuple[dict[str, MetricSummary], list[object]]:
        metrics, withheld = original(*args, **kwargs)  # type: ignore[arg-type]
        metrics.pop("head_trunk_deg")
        return metrics, [*withheld]

    monkeypatch.setattr(analyze, "_metric_summaries", no_head)
    comparison = _compare(runner_clips, ["early", "late"], [1.0, 15.0])
    assert [m.metric for m in comparison.summary.metrics] == [LEAN]
    assert comparison.summary.withheld[0].metric == "head_trunk_deg"
    assert "withheld in clip 1" in comparison.summary.withheld[0].reason


def test_points_must_increase(runner_clips: dict[str, Path]) -> None:
    with pytest.raises(InputError, match="clip 2 is at 1, not after clip 1 at 5"):
        _compare(runner_clips, ["early", "late"], [5.0, 1.0])
    with pytest.raises(InputError, match="clip 1 has point -1"):
        _compare(runner_clips, ["early", "late"], [-1.0, 1.0])


# ------------------------------------------------------------------ pain onset

POINTS = [ClipInput(Path("a.nc"), 1.0), ClipInput(Path("b.nc"), 8.0), ClipInput(Path("c.nc"), 15)]


@pytest.mark.parametrize(
    ("km", "before", "where"),
    [
        (0.5, [], "before clip 1 (1 km)"),
        (8.0, [1], "where clip 2 was filmed"),
        (10.0, [1, 2], "between clip 2 (8 km) and clip 3 (15 km)"),
        (18.0, [1, 2, 3], "after the last clip (clip 3, 15 km)"),
    ],
)
def test_pain_onset_is_placed_among_the_clips(km: float, before: list[int], where: str) -> None:
    onset, notes = place_pain_onset(POINTS, "km", km=km)
    assert onset is not None and notes == []
    assert (onset.given_as, onset.km, onset.minute, onset.on_axis) == ("km", km, None, True)
    assert onset.clips_before == before
    assert onset.description == f"pain started at {km:g} km, {where}"


def test_pain_onset_in_minutes_on_a_time_axis() -> None:
    onset, notes = place_pain_onset(POINTS, "min", minute=10.0)
    assert onset is not None and notes == [] and onset.on_axis
    assert (
        onset.description
        == "pain started at minute 10, between clip 2 (minute 8) and clip 3 (minute 15)"
    )


def test_pain_onset_in_the_other_unit_is_kept_with_a_note() -> None:
    onset, notes = place_pain_onset(POINTS, "min", km=6.5)
    assert onset is not None
    assert (onset.given_as, onset.km, onset.minute) == ("km", 6.5, None)
    assert not onset.on_axis and onset.clips_before is None
    assert len(notes) == 1 and "cannot be placed on the time axis" in notes[0]
    assert "--pain-onset-min" in notes[0]
    assert place_pain_onset(POINTS, "km") == (None, [])


@pytest.mark.parametrize(
    ("km", "minute", "match"),
    [
        (3.0, 20.0, "given both in km and in minutes"),
        (-1.0, None, "the pain onset -1 km is not a distance"),
        (None, float("inf"), "the pain onset minute inf is not a time"),
        (float("nan"), None, "is not a distance"),
    ],
)
def test_bad_pain_onset_is_refused(km: float | None, minute: float | None, match: str) -> None:
    with pytest.raises(InputError, match=match):
        place_pain_onset(POINTS, "km", km=km, minute=minute)


def test_bad_pain_onset_is_refused_before_any_clip_is_analysed(
    runner_clips: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    import upright.services.compare as service

    def refuse(*args: object, **kwargs: object) -> object:
        raise AssertionError("a clip was analysed")

    monkeypatch.setattr(service, "analyse_clip", refuse)
    inputs = [ClipInput(runner_clips["early"], 1.0), ClipInput(runner_clips["late"], 15.0)]
    options = CompareOptions(use_cache=False, pain_onset_km=3.0, pain_onset_min=20.0)
    with pytest.raises(InputError, match="both in km and in minutes"):
        compare_clips(inputs, options)


def test_pain_onset_reaches_the_summary_and_the_png(runner_clips: dict[str, Path]) -> None:
    import matplotlib.pyplot as plt

    inputs = [ClipInput(runner_clips["early"], 1.0), ClipInput(runner_clips["late"], 15.0)]
    summary = compare_clips(inputs, CompareOptions(use_cache=False, pain_onset_km=9.0)).summary
    assert summary.pain_onset is not None and summary.pain_onset.km == 9.0
    assert pain_label(summary) == "pain starts 9 km"
    fig = compare_figure(summary)
    try:
        for ax in fig.axes:
            dashed = [ln for ln in ax.get_lines() if ln.get_linestyle() == "--"]
            assert [list(ln.get_xdata()) for ln in dashed] == [[9.0, 9.0]]
        assert "pain starts 9 km" in [t.get_text() for t in fig.axes[0].texts]
    finally:
        plt.close(fig)
    minutes = compare_clips(inputs, CompareOptions(use_cache=False, pain_onset_min=50.0)).summary
    assert pain_label(minutes) == "pain starts min 50 - not on this distance axis"
    fig = compare_figure(minutes)
    try:
        assert not any(ln.get_linestyle() == "--" for ax in fig.axes for ln in ax.get_lines())
        assert fig.axes[0].get_title() == "pain starts min 50 - not on this distance axis"
    finally:
        plt.close(fig)


def test_clips_from_different_pose_models_are_never_flagged(
    runner_clips: dict[str, Path], tmp_path: Path
) -> None:
    # the late clip's keypoints claim another pose model: its +5 deg is not comparable
    other = read_keypoints(runner_clips["late"])
    other.attrs["source_software"] = "another pose model"
    late_other = tmp_path / "late_other.nc"
    write_keypoints_netcdf(other, late_other)
    clips = {**runner_clips, "late_other": late_other}
    comparison = _compare(clips, ["early", "late_other"], [1.0, 15.0])
    changes, flags = _lean(comparison)
    assert changes[0] == pytest.approx(5.0, abs=0.5)
    assert flags == [False]
    metric = next(m for m in comparison.summary.metrics if m.metric == LEAN)
    assert "not comparable" in metric.changes[0].reason
    assert any("pose source" in w for w in comparison.summary.setup_warnings)


def test_the_same_recording_twice_is_warned_about(runner_clips: dict[str, Path]) -> None:
    comparison = _compare(runner_clips, ["early", "early"], [1.0, 8.0])
    assert any("same recording" in w for w in comparison.summary.setup_warnings)
