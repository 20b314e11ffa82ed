"""The ``compare`` use case: clips filmed at known points of one run -> change of posture.

Each clip is analysed as ``upright analyze`` does (pose estimation or a keypoint file,
then :func:`~upright.services.analyze.analyze_keypoints`); video analyses are kept in the
user's cache (:mod:`upright.services.cache`), so a clip seen before skips pose
estimation. The per-stride trunk lean and head-trunk angle of the clips are then
compared (:mod:`upright.fatigue.compare`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from upright import __version__
from upright.errors import InputError, UprightError
from upright.fatigue.compare import ClipValues, MetricComparison, compare_metric
from upright.services.analyze import METRICS, AnalysisOptions, analyze_keypoints
from upright.services.cache import AnalysisCache, hash_file
from upright.services.load import load_pose
from upright.summaries import (
    AnalysisSummary,
    ChangeSummary,
    ClipLevelSummary,
    CompareClip,
    ComparePainOnset,
    CompareSummary,
    MetricComparisonSummary,
    TrendSummary,
    Withheld,
)

__all__ = [
    "COMPARED_METRICS",
    "ClipInput",
    "ClipResult",
    "CompareOptions",
    "Comparison",
    "analyse_clip",
    "compare_clips",
    "place_pain_onset",
    "validate_clips",
]

#: Metrics compared across clips (stride-table columns).
COMPARED_METRICS = ("trunk_lean_stance_deg", "head_trunk_deg")
_KEYPOINT_SUFFIXES = (".json", ".nc")
#: Camera tilts differing by more than this between clips are reported.
TILT_MISMATCH_DEG = 1.0

Status = Callable[[str], None]


@dataclass(frozen=True)
class ClipInput:
    """A clip (video, or keypoint file or folder) and where in the run it was filmed."""

    path: Path
    point: float


@dataclass(frozen=True)
class CompareOptions:
    """How to analyse the clips, the unit of their points, and where the pain began
    (at most one of ``pain_onset_km`` and ``pain_onset_min``)."""

    unit: Literal["km", "min"] = "km"
    analysis: AnalysisOptions = field(default_factory=AnalysisOptions)
    workers: int | None = None
    use_cache: bool = True
    pain_onset_km: float | None = None
    pain_onset_min: float | None = None


@dataclass(frozen=True)
class ClipResult:
    """One analysed clip."""

    clip: ClipInput
    kind: Literal["video", "keypoints"]
    summary: AnalysisSummary
    strides: pd.DataFrame
    from_cache: bool
    sha256: str


@dataclass(frozen=True)
class Comparison:
    """A comparison in memory: the summary and the per-clip analyses behind it."""

    summary: CompareSummary
    clips: list[ClipResult]


def _kind(path: Path) -> Literal["video", "keypoints"]:
    return "keypoints" if path.is_dir() or path.suffix.lower() in _KEYPOINT_SUFFIXES else "video"


def validate_clips(clips: Sequence[ClipInput]) -> None:
    """Check the clips before any work: two or more, present, points increasing, >= 0.

    Raises
    ------
    InputError
        Fewer than two clips, a missing clip, or points negative or not increasing.
    """
    if len(clips) < 2:
        raise InputError(
            f"{len(clips)} clip given; a comparison needs at least 2",
            fix="Give an early and a later clip of the same run, e.g. "
            "`upright compare early.mp4@1 late.mp4@15`",
        )
    for i, clip in enumerate(clips, start=1):
        if not np.isfinite(clip.point) or clip.point < 0:
            raise InputError(
                f"clip {i} has point {clip.point:g}; points must be 0 or more",
                path=clip.path,
                fix="Give where in the run each clip was filmed, from the start",
            )
        if not clip.path.exists():
            raise InputError(
                f"clip {i} does not exist",
                path=clip.path,
                fix="Check the path of each clip",
            )
    for i, (a, b) in enumerate(pairwise(clips), start=2):
        if not b.point > a.point:
            raise InputError(
                f"clip {i} is at {b.point:g}, not after clip {i - 1} at {a.point:g}; the "
                "points must increase",
                path=b.path,
                fix="List the clips in the order they were filmed, each at a later point",
            )


def _at(value: float, unit: Literal["km", "min"]) -> str:
    return f"{value:g} km" if unit == "km" else f"minute {value:g}"


def place_pain_onset(
    clips: Sequence[ClipInput],
    unit: Literal["km", "min"],
    *,
    km: float | None = None,
    minute: float | None = None,
) -> tuple[ComparePainOnset | None, list[str]]:
    """The pain onset placed among the clips, and a note when it cannot be.

    An onset in the clips' unit is placed among them; one in the other unit is kept as
    given, with a note that it cannot be placed on this axis (there is no pace to
    convert with). None, and no note, when neither is given.

    Raises
    ------
    InputError
        Both given, or an onset negative or not finite.
    """
    if km is not None and minute is not None:
        raise InputError(
            "the pain onset was given both in km and in minutes",
            fix="Give one of --pain-onset-km and --pain-onset-min",
        )
    if km is not None:
        given: Literal["km", "min"] = "km"
        value = km
    elif minute is not None:
        given, value = "min", minute
    else:
        return None, []
    if not np.isfinite(value) or value < 0:
        what = "distance" if given == "km" else "time"
        raise InputError(
            f"the pain onset {_at(value, given)} is not a {what} from the start",
            fix="Give 0 or more",
        )
    axis = "distance" if unit == "km" else "time"
    onset_at = _at(value, given)
    notes: list[str] = []
    clips_before: list[int] | None = None
    if given != unit:
        other = "--pain-onset-km" if unit == "km" else "--pain-onset-min"
        description = f"pain started at {onset_at} (not marked: the clips' points are in {unit})"
        notes.append(
            f"The pain onset was given as {onset_at}, but the clips' points are in {unit}: "
            f"without the run's pace it cannot be placed on the {axis} axis, so the plots do "
            f"not mark it. Give it with {other} to see it among the clips."
        )
    else:
        clips_before = [i for i, c in enumerate(clips, start=1) if c.point < value]
        at_clip = next((i for i, c in enumerate(clips, start=1) if c.point == value), None)
        if at_clip is not None:
            where = f"where clip {at_clip} was filmed"
        elif not clips_before:
            where = f"before clip 1 ({_at(clips[0].point, unit)})"
        elif len(clips_before) == len(clips):
            where = f"after the last clip (clip {len(clips)}, {_at(clips[-1].point, unit)})"
        else:
            i = clips_before[-1]
            where = (
                f"between clip {i} ({_at(clips[i - 1].point, unit)}) and clip {i + 1} "
                f"({_at(clips[i].point, unit)})"
            )
        description = f"pain started at {onset_at}, {where}"
    onset = ComparePainOnset(
        given_as="km" if given == "km" else "minute",
        km=km,
        minute=minute,
        on_axis=given == unit,
        clips_before=clips_before,
        description=description,
    )
    return onset, notes


def _clip_error(err: UprightError, index: int, clip: ClipInput) -> UprightError:
    """The same error, naming the clip that failed."""
    problem = f"clip {index} ({clip.path.name} at {clip.point:g}) could not be analysed: "
    return type(err)(problem + err.problem, path=clip.path, fix=err.fix)


def analyse_clip(
    clip: ClipInput,
    options: CompareOptions,
    cache: AnalysisCache | None,
    notes: list[str],
) -> ClipResult:
    """Analyse one clip, reusing and filling the cache for videos.

    A failure to store into the cache does not stop the comparison; it is added to
    ``notes``.
    """
    kind = _kind(clip.path)
    if kind == "keypoints":
        ds, _ = load_pose(None, clip.path)
        analysis = analyze_keypoints(
            ds, options.analysis, source_kind="keypoints", source_file=str(clip.path)
        )
        digest = hash_file(clip.path) if clip.path.is_file() else ""
        return ClipResult(clip, kind, analysis.summary, analysis.strides, False, digest)
    digest = hash_file(clip.path)
    if cache is not None:
        stored = cache.load_analysis(digest, options.analysis)
        if stored is not None:
            return ClipResult(clip, kind, stored.summary, stored.strides, True, digest)
    pose = cache.load_pose(digest) if cache is not None else None
    if pose is None:
        pose, _ = load_pose(clip.path, None, workers=options.workers)
    analysis = analyze_keypoints(
        pose, options.analysis, source_kind="video", source_file=str(clip.path)
    )
    if cache is not None:
        try:
            cache.store(digest, analysis, options.analysis)
        except (OSError, UprightError) as err:
            notes.append(f"The analysis of {clip.path.name} could not be cached: {err}.")
    return ClipResult(clip, kind, analysis.summary, analysis.strides, False, digest)


def _clip_summary(index: int, r: ClipResult) -> CompareClip:
    s = r.summary
    side = next((q for q in s.quality if q.name == "side_view"), None)
    return CompareClip(
        index=index,
        file=str(r.clip.path),
        point=r.clip.point,
        kind=r.kind,
        from_cache=r.from_cache,
        clip_sha256=r.sha256,
        pose_source=s.source.pose_source,
        fps=s.source.fps,
        duration_s=s.source.duration_s,
        direction=s.setup.direction,
        setting=s.setup.setting,
        tilt_deg=s.setup.tilt_deg,
        tilt_source=s.setup.tilt_source,
        head_point=s.setup.head_point,
        n_strides=len(r.strides),
        side_view_ok=side.passed if side is not None else False,
        synthetic=s.synthetic,
    )


def _setup_warnings(clips: Sequence[CompareClip]) -> list[str]:
    """Differences in filming or analysis that make a change between clips suspect."""
    warnings: list[str] = []
    for attr, what in (
        ("pose_source", "pose source"),
        ("direction", "running direction"),
        ("setting", "setting (treadmill or overground)"),
        ("head_point", "head point"),
        ("tilt_source", "source of the camera tilt"),
    ):
        values = [str(getattr(c, attr)) for c in clips]
        if len(set(values)) > 1:
            listed = ", ".join(f"clip {c.index}: {v}" for c, v in zip(clips, values, strict=True))
            warnings.append(
                f"The clips differ in {what} ({listed}); film and analyse every clip the "
                "same way, or the change may come from the set-up rather than the runner."
            )
    tilts = [c.tilt_deg for c in clips]
    if max(tilts) - min(tilts) > TILT_MISMATCH_DEG:
        listed = ", ".join(f"clip {c.index}: {c.tilt_deg:+.1f} deg" for c in clips)
        warnings.append(
            f"The camera tilt differs between clips ({listed}); it was corrected, but a "
            "camera placed differently also sees the trunk from a different angle. Keep the "
            "camera in the same place for every clip."
        )
    return warnings


def _incomparable(clips: Sequence[CompareClip]) -> str:
    """Why the clips' angles cannot be compared at all, or "" when they can.

    Different pose models (or head points) place hips, shoulders and the head
    differently by several degrees (4.6 deg of lean on the same clip between BlazePose
    and RTMPose): a change between such clips is the models', not the runner's.
    """
    for attr, what in (("pose_source", "pose models"), ("head_point", "head points")):
        values = {str(getattr(c, attr)) for c in clips}
        if len(values) > 1:
            return f"the clips were measured with different {what} ({', '.join(sorted(values))})"
    return ""


def _unflag(metric: MetricComparisonSummary, why: str) -> MetricComparisonSummary:
    """The same comparison with every flag taken down, saying why."""
    prefix = f"not comparable, not flagged: {why}; "
    changes = [
        c.model_copy(update={"flagged": False, "reason": prefix + c.reason}) for c in metric.changes
    ]
    trend = metric.trend
    if trend is not None:
        trend = trend.model_copy(update={"flagged": False, "reason": prefix + trend.reason})
    return metric.model_copy(update={"changes": changes, "trend": trend, "flagged": False})


def _duplicate_warnings(results: Sequence[ClipResult]) -> list[str]:
    """The same recording given twice is almost always a mistake."""
    seen: dict[str, int] = {}
    warnings = []
    for i, r in enumerate(results, start=1):
        if r.sha256 and r.sha256 in seen:
            warnings.append(
                f"Clips {seen[r.sha256]} and {i} are the same recording "
                f"({r.clip.path.name}); a change between them says nothing about the run."
            )
        seen.setdefault(r.sha256, i)
    return warnings


def _metric_summary(name: str, result: MetricComparison) -> MetricComparisonSummary:
    unit, desc = METRICS[name]
    trend = None
    if (t := result.trend) is not None:
        trend = TrendSummary(
            n_clips=len(result.levels),
            n_strides=t.n,
            span=round(t.span, 4),
            slope_per_unit=round(t.slope_per_unit, 4),
            change=round(t.change, 3),
            ci95_low=round(t.ci95_low, 3),
            ci95_high=round(t.ci95_high, 3),
            noise_sd=round(t.noise_sd, 3),
            mdc95=round(t.mdc95, 3),
            threshold=t.threshold,
            flagged=t.flagged,
            reason=t.reason,
        )
    levels = [
        ClipLevelSummary(
            index=i,
            point=lv.point,
            n_strides=lv.n,
            median=round(lv.median, 3),
            ci95_low=round(lv.ci95_low, 3),
            ci95_high=round(lv.ci95_high, 3),
            mean=round(lv.mean, 3),
            sd=round(lv.sd, 3),
        )
        for i, lv in enumerate(result.levels, start=1)
    ]
    changes = [
        ChangeSummary(
            index=i,
            point=ch.point,
            change=round(ch.change, 3),
            ci95_low=round(ch.ci95_low, 3),
            ci95_high=round(ch.ci95_high, 3),
            mdc95=round(ch.mdc95, 3),
            threshold=ch.threshold,
            flagged=ch.flagged,
            reason=ch.reason,
        )
        for i, ch in enumerate(result.changes, start=2)
    ]
    flagged = any(c.flagged for c in changes) or (trend is not None and trend.flagged)
    return MetricComparisonSummary(
        metric=name,
        unit=unit,
        description=desc,
        levels=levels,
        changes=changes,
        trend=trend,
        flagged=flagged,
    )


def _compare(
    name: str, results: Sequence[ClipResult], threshold: float
) -> MetricComparisonSummary | Withheld:
    """One metric across the clips, or why it is withheld."""
    for i, r in enumerate(results, start=1):
        if name not in r.summary.metrics:
            reason = next(
                (w.reason for w in r.summary.withheld if w.metric == name), "not measured"
            )
            return Withheld(
                metric=name, reason=f"withheld in clip {i} ({r.clip.path.name}): {reason}"
            )
    clips = [
        ClipValues(label=f"clip {i}", point=r.clip.point, values=r.strides[name].to_numpy(float))
        for i, r in enumerate(results, start=1)
    ]
    return _metric_summary(name, compare_metric(clips, threshold=threshold))


def _notes(unit: str, n_clips: int) -> list[str]:
    notes = [
        "Absolute trunk lean carries a pose-model offset of several degrees (2-D markerless "
        "angles: about 5-8 deg RMSE against markers, Van Hooren 2023); the changes between "
        "clips filmed with the same camera set-up (place, height, distance, level, the same "
        "side of the runner) are what count.",
        "A change is flagged only when it exceeds both "
        "3 deg (Koblbauer 2014: about 4 deg more trunk flexion when running to exhaustion) "
        "and the minimum detectable change from the two clips' stride-to-stride noise, and "
        "its 95% interval excludes 0.",
        "Intervals come from the strides within each clip; they do not include differences "
        "between recordings, so keep the set-up identical.",
    ]
    if n_clips < 3:
        notes.append(
            f"A trend against {'distance' if unit == 'km' else 'time'} needs 3 clips or more."
        )
    return notes


def compare_clips(
    clips: Sequence[ClipInput],
    options: CompareOptions | None = None,
    *,
    cache: AnalysisCache | None = None,
    status: Status | None = None,
) -> Comparison:
    """Analyse every clip and compare trunk lean and head-trunk angle across them.

    Parameters
    ----------
    clips
        Two or more clips in the order filmed, points increasing.
    options
        Analysis options (the same for every clip) and the unit of the points.
    cache
        Where to reuse and store video analyses; a cache in :func:`user_cache_dir`
        when None and ``options.use_cache`` is true.
    status
        Called with a short description before each clip.

    Raises
    ------
    UprightError
        Bad clips or points (:func:`validate_clips`), a bad pain onset
        (:func:`place_pain_onset`), both checked before any clip is analysed, or a clip
        that cannot be analysed; the message names the clip.
    """
    options = options or CompareOptions()
    validate_clips(clips)
    onset, onset_notes = place_pain_onset(
        clips, options.unit, km=options.pain_onset_km, minute=options.pain_onset_min
    )
    if cache is None and options.use_cache:
        cache = AnalysisCache()
    notes: list[str] = []
    results: list[ClipResult] = []
    for i, clip in enumerate(clips, start=1):
        if status is not None:
            status(f"Clip {i} of {len(clips)}: {clip.path.name}")
        try:
            results.append(analyse_clip(clip, options, cache if options.use_cache else None, notes))
        except UprightError as err:
            raise _clip_error(err, i, clip) from err
    clip_summaries = [_clip_summary(i, r) for i, r in enumerate(results, start=1)]
    metrics: list[MetricComparisonSummary] = []
    withheld: list[Withheld] = []
    for name in COMPARED_METRICS:
        try:
            outcome = _compare(name, results, options.analysis.drift_threshold_deg)
        except UprightError as err:
            outcome = Withheld(metric=name, reason=err.problem)
        if isinstance(outcome, Withheld):
            withheld.append(outcome)
        else:
            metrics.append(outcome)
    warnings = _setup_warnings(clip_summaries) + _duplicate_warnings(results)
    incomparable = _incomparable(clip_summaries)
    if incomparable:
        metrics = [_unflag(m, incomparable) for m in metrics]
    summary = CompareSummary(
        upright_version=__version__,
        created_utc=datetime.now(UTC).isoformat(timespec="seconds"),
        synthetic=any(c.synthetic for c in clip_summaries),
        unit=options.unit,
        clips=clip_summaries,
        pain_onset=onset,
        metrics=metrics,
        setup_warnings=warnings,
        withheld=withheld,
        notes=[*_notes(options.unit, len(clips)), *onset_notes, *notes],
    )
    return Comparison(summary, results)
