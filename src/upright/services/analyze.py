"""The ``analyze`` use case: keypoints in, per-stride metrics, drift and quality out."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

import numpy as np
import pandas as pd
import xarray as xr

from upright import __version__
from upright.errors import InsufficientDataError, QualityError, UprightError
from upright.fatigue.drift import DRIFT_THRESHOLD_DEG, DriftResult, compute_drift
from upright.io.frame_rate import validate_fps
from upright.kinematics import quality
from upright.kinematics.angles import compute_head_trunk_deg, compute_trunk_lean_deg
from upright.kinematics.body import detect_direction, detect_setting
from upright.kinematics.events import GaitEvents, detect_gait_events
from upright.kinematics.strides import MIN_CONTACT_TIME_FPS, compute_stride_table
from upright.kinematics.tilt import MAX_TILT_SE_DEG, level_by_ground_line
from upright.signal.clean import clean_pose
from upright.signal.filters import (
    DEFAULT_CONFIDENCE_THRESHOLD,
    DEFAULT_MAX_GAP_S,
    rotate_positions,
)
from upright.skeleton import validate_pose_dataset
from upright.summaries import (
    AnalysisSummary,
    DriftSummary,
    MetricSummary,
    QualityCheck,
    SetupSummary,
    SourceSummary,
    StridePoint,
    Withheld,
)

__all__ = ["METRICS", "Analysis", "AnalysisOptions", "analyze_keypoints"]

#: Reported metrics: stride-table column -> (unit, description).
METRICS: dict[str, tuple[str, str]] = {
    "trunk_lean_stance_deg": ("deg", "Trunk lean from vertical, mean over stance, + forward"),
    "trunk_lean_midstance_deg": ("deg", "Trunk lean from vertical at midstance, + forward"),
    "head_trunk_deg": ("deg", "Head line against trunk line, + head extended back"),
    "overstride_leg": ("leg lengths", "Ankle ahead of the pelvis at contact"),
    "knee_flexion_contact_deg": ("deg", "Knee flexion at foot contact, 0 = straight"),
    "vertical_oscillation_leg": ("leg lengths", "Pelvis rise and fall over a stride"),
    "vertical_oscillation_cm": ("cm", "Pelvis rise and fall over a stride"),
    "ground_contact_ms": ("ms", "Ground contact time of a foot"),
    "stride_time_s": ("s", "Time from a foot's contact to its next contact"),
}

_LEG_METRICS = ("overstride_leg", "knee_flexion_contact_deg")
_ANGLE_METRICS = ("trunk_lean_stance_deg", "trunk_lean_midstance_deg", "head_trunk_deg")
_REQUIRED = (
    "left_shoulder",
    "right_shoulder",
    "left_hip",
    "right_hip",
    "left_knee",
    "right_knee",
    "left_ankle",
    "right_ankle",
)


@dataclass(frozen=True)
class AnalysisOptions:
    """What the user told us about the recording, and the cleaning parameters."""

    tilt_deg: float | None = None
    setting: Literal["auto", "treadmill", "overground"] = "auto"
    direction: Literal["auto", "left", "right"] = "auto"
    height_cm: float | None = None
    confidence_threshold: float = DEFAULT_CONFIDENCE_THRESHOLD
    max_gap_s: float = DEFAULT_MAX_GAP_S
    cutoff_hz: float | None = None
    drift_threshold_deg: float = DRIFT_THRESHOLD_DEG


@dataclass(frozen=True)
class Analysis:
    """An analysis in memory: the summary and the tables behind it."""

    summary: AnalysisSummary
    raw: xr.Dataset
    clean: xr.Dataset
    frames: pd.DataFrame
    events: GaitEvents
    strides: pd.DataFrame
    extra: dict[str, float] = field(default_factory=dict)


def _refuse_frozen(ds: xr.Dataset, source_file: str) -> None:
    """Refuse a series whose frames all hold exactly the same keypoints."""
    pos = np.asarray(ds["position"].values, dtype=np.float64)
    if pos.shape[0] < 2 or not np.isfinite(pos).any():
        return  # one frame, or nobody seen: the screen says so in its own words
    same = (pos == pos[:1]) | (np.isnan(pos) & np.isnan(pos[:1]))
    if same.all():
        raise QualityError(
            f"all {pos.shape[0]} frames hold exactly the same keypoints: nothing moves, "
            "so this is not a recording of running (a frozen or repeated frame?)",
            path=source_file or None,
            fix="Extract the keypoints again from the running clip, or film it again",
        )


def _screen(ds: xr.Dataset, source_file: str, threshold: float) -> None:
    """Refuse recordings with no runner, frozen ones, or with the head or feet out of frame."""
    _refuse_frozen(ds, source_file)
    if quality.person_fraction(ds, threshold) < 0.5:
        raise QualityError(
            "no runner was found in most of the frames",
            path=source_file or None,
            fix="Film one runner from the side, the whole body in view, in good light",
        )
    parts = quality.whole_body_fractions(ds, threshold)
    for part in ("head", "feet"):
        if parts[part] < 0.5:
            raise QualityError(
                f"the runner's {part} are out of frame or hidden in {1 - parts[part]:.0%} "
                "of the frames"
                if part == "feet"
                else f"the runner's head is out of frame or hidden in {1 - parts[part]:.0%} "
                "of the frames",
                path=source_file or None,
                fix="Step the camera back so the runner fits from head to feet, with margin",
            )


def _clean(ds: xr.Dataset, options: AnalysisOptions) -> xr.Dataset:
    return clean_pose(
        ds,
        confidence_threshold=options.confidence_threshold,
        max_gap_s=options.max_gap_s,
        cutoff_hz=options.cutoff_hz,
    )


def _metric_summaries(
    strides: pd.DataFrame, fps: float, side_ok: bool, height_cm: float | None
) -> tuple[dict[str, MetricSummary], list[Withheld]]:
    metrics: dict[str, MetricSummary] = {}
    withheld: list[Withheld] = []
    for name, (unit, desc) in METRICS.items():
        if name == "ground_contact_ms" and fps < MIN_CONTACT_TIME_FPS:
            withheld.append(
                Withheld(
                    metric=name,
                    reason=(
                        f"the video has {fps:.0f} fps; contact time needs at least "
                        f"{MIN_CONTACT_TIME_FPS:.0f} fps (one frame is {1000 / fps:.0f} ms, "
                        "close to the differences that matter)"
                    ),
                )
            )
            continue
        if name == "vertical_oscillation_cm" and not height_cm:
            withheld.append(Withheld(metric=name, reason="give --height-cm to convert to cm"))
            continue
        if name in _ANGLE_METRICS and not side_ok:
            withheld.append(
                Withheld(
                    metric=name,
                    reason=(
                        "the camera is not square to the running direction, so angles are distorted"
                    ),
                )
            )
            continue
        values = strides[name]
        if name in _LEG_METRICS:
            values = values[strides["leg_visible"].astype(bool)]
        values = values.dropna()
        if len(values) < quality.MIN_STRIDES:
            withheld.append(
                Withheld(
                    metric=name,
                    reason=(
                        f"only {len(values)} strides had it measurable; "
                        f"{quality.MIN_STRIDES} needed"
                    ),
                )
            )
            continue
        metrics[name] = MetricSummary(
            value=round(float(np.median(values)), 3),
            spread=round(float(np.std(values, ddof=1)), 3),
            n_strides=len(values),
            unit=unit,
            description=desc,
        )
    return metrics, withheld


def _drift_summary(name: str, unit: str, result: DriftResult) -> DriftSummary:
    return DriftSummary(
        metric=name,
        unit=unit,
        n_strides=result.n,
        span_s=round(result.span, 3),
        change=round(result.change, 3),
        ci95_low=round(result.ci95_low, 3),
        ci95_high=round(result.ci95_high, 3),
        noise_sd=round(result.noise_sd, 3),
        mdc95=round(result.mdc95, 3),
        threshold=result.threshold,
        flagged=result.flagged,
        reason=result.reason,
    )


#: A within-clip trend needs strides spread over at least this long; a shorter clip
#: mostly shows the runner settling in (the README asks for 20 s of steady running).
MIN_DRIFT_SPAN_S = 15.0


def _drift_summaries(
    strides: pd.DataFrame, metrics: dict[str, MetricSummary], threshold_deg: float
) -> tuple[list[DriftSummary], list[Withheld]]:
    """Trend of trunk lean (flagged by the fatigue rule, Koblbauer 2014) and of the
    head-trunk angle (shown, never flagged: no published threshold exists for it)."""
    drift: list[DriftSummary] = []
    withheld: list[Withheld] = []
    span = float(strides["start_s"].max() - strides["start_s"].min()) if len(strides) else 0.0
    for name in ("trunk_lean_stance_deg", "head_trunk_deg"):
        if name not in metrics:
            continue
        if span < MIN_DRIFT_SPAN_S:
            withheld.append(
                Withheld(
                    metric=f"drift of {name}",
                    reason=(
                        f"the strides span {span:.1f} s; a trend needs at least "
                        f"{MIN_DRIFT_SPAN_S:g} s of steady running (film 20 s or more)"
                    ),
                )
            )
            continue
        result = compute_drift(strides["start_s"], strides[name], threshold=threshold_deg)
        if result is None:
            withheld.append(
                Withheld(
                    metric=f"drift of {name}",
                    reason="at least 6 strides are needed for a trend; film 20 s or more",
                )
            )
            continue
        summary = _drift_summary(name, "deg", result)
        if name == "head_trunk_deg":
            summary = summary.model_copy(
                update={
                    "flagged": False,
                    "reason": (
                        f"shown, not flagged: changed by {result.change:+.1f} deg (95% CI "
                        f"{result.ci95_low:+.1f} to {result.ci95_high:+.1f}); no published "
                        "threshold exists for this angle, only for trunk lean"
                    ),
                }
            )
        drift.append(summary)
    return drift, withheld


def analyze_keypoints(
    ds: xr.Dataset,
    options: AnalysisOptions | None = None,
    *,
    source_kind: Literal["video", "keypoints", "synthetic"] = "keypoints",
    source_file: str = "",
) -> Analysis:
    """Analyse a pose series (y-up pixels) of one side-view running clip.

    Steps: screen (runner, head and feet in view), clean (confidence mask, gaps up to
    ``max_gap_s``, zero-lag low-pass), decide direction and setting, detect events, remove
    camera tilt from the ground line, detect events again, compute per-frame angles,
    per-stride metrics, drift, and quality checks.

    Raises
    ------
    QualityError
        No runner, or head or feet out of frame in most frames.
    InsufficientDataError
        Too little of the runner to measure anything.

    Every error names the source file (``source_file``, else ``attrs["source_file"]``).
    """
    options = options or AnalysisOptions()
    source_file = source_file or str(ds.attrs.get("source_file", ""))
    try:
        return _analyze(ds, options, source_kind, source_file)
    except UprightError as err:
        named = err.with_path(source_file) if source_file else err
        if named is err:
            raise
        raise named from err


def _analyze(
    ds: xr.Dataset,
    options: AnalysisOptions,
    source_kind: Literal["video", "keypoints", "synthetic"],
    source_file: str,
) -> Analysis:
    """The steps of :func:`analyze_keypoints`; errors from the layers below may not yet
    name the file."""
    validate_pose_dataset(ds, required_keypoints=_REQUIRED, where=source_file or "pose data")
    fps = validate_fps(
        float(ds.attrs.get("fps", math.nan)),
        source_file or None,
        fix="Give the frame rate of the clip the keypoints came from",
    )
    _screen(ds, source_file, options.confidence_threshold)
    clean = _clean(ds, options)
    notes: list[str] = []
    detected_direction = detect_direction(clean)
    direction = {"left": -1, "right": 1}.get(options.direction) or detected_direction
    if direction != detected_direction:
        notes.append(
            f"You gave --direction {options.direction}, but the runner appears to run "
            f"{'right' if detected_direction > 0 else 'left'} in the picture; check the option."
        )
    setting_source: Literal["detected", "given"] = "given"
    if options.setting == "auto":
        setting = detect_setting(clean)
        setting_source = "detected"
    else:
        setting = options.setting
    events = detect_gait_events(clean, direction=direction)
    tilt_source: Literal["ground line", "given", "not corrected"] = "given"
    if options.tilt_deg is None:
        try:
            found, levelled, levelled_events = level_by_ground_line(clean, events, setting)
        except InsufficientDataError as err:
            tilt, tilt_source = 0.0, "not corrected"
            notes.append(
                f"Camera tilt not corrected: {err.problem}; the camera is taken "
                "as level. Give --tilt-deg if it was not."
            )
        else:
            if found.se_deg <= MAX_TILT_SE_DEG:
                tilt, tilt_source = found.tilt_deg, "ground line"
                clean, events = levelled, levelled_events
            else:
                tilt, tilt_source = 0.0, "not corrected"
                notes.append(
                    f"Camera tilt not corrected: the feet do not trace a clear ground line "
                    f"(found {found.tilt_deg:+.1f} deg, but its standard error over "
                    f"{found.n} stances is {found.se_deg:.2f} deg, {MAX_TILT_SE_DEG:g} "
                    "allowed). The camera is taken as level; give --tilt-deg if it was not."
                )
    else:
        tilt = float(options.tilt_deg)
        if tilt != 0.0:
            clean = rotate_positions(clean, -tilt)
            events = detect_gait_events(
                clean, direction=direction, step_period_s=events.step_period_s
            )
    lean = compute_trunk_lean_deg(clean, direction)
    head_trunk, head_name = compute_head_trunk_deg(clean, direction)
    frames = pd.DataFrame(
        {"time_s": clean["time"].values, "trunk_lean_deg": lean, "head_trunk_deg": head_trunk}
    )
    strides = compute_stride_table(clean, events, lean, head_trunk, height_cm=options.height_cm)
    if strides.empty:
        raise InsufficientDataError(
            "no complete stride was found (a foot's contact and its next contact)",
            path=source_file or None,
            fix="Film at least 20 s of steady running from the side, feet in view; if you "
            "gave --direction or --setting, check them",
        )
    checks: list[QualityCheck] = [
        quality.check_frame_rate(fps),
        quality.check_person_found(ds, options.confidence_threshold),
        quality.check_whole_body(ds, options.confidence_threshold),
        quality.check_side_view(clean),
        quality.check_one_runner(clean, events.leg_length_px),
        quality.check_strides(len(strides)),
    ]
    side_ok = next(c for c in checks if c.name == "side_view").passed
    metrics, withheld = _metric_summaries(strides, fps, side_ok, options.height_cm)
    drift, drift_withheld = _drift_summaries(strides, metrics, options.drift_threshold_deg)
    withheld += drift_withheld
    if fps < 60:
        notes.append(
            f"At {fps:.0f} fps foot-contact timing is good to about one frame "
            f"({1000 / fps:.0f} ms)."
        )
    notes.append(
        "Absolute trunk lean carries a pose-model offset of several degrees (2-D markerless "
        "angles: about 5-8 deg RMSE against markers, Van Hooren 2023); changes within a "
        "runner, such as drift or before/after, are more trustworthy than the absolute value."
    )
    if "vertical_oscillation_cm" in metrics:
        notes.append(
            "Vertical oscillation is the rise and fall of the hip keypoints over a stride; "
            "it reads higher than a watch's figure, which follows the trunk."
        )
    if head_name != "mid_ear":
        notes.append(f"Head-trunk angle uses the {head_name} (no ears in this pose source).")
    if fps_assumed := int(ds.attrs.get("fps_assumed", 0)):
        del fps_assumed
        notes.append(f"The source states no frame rate; {fps:g} fps was assumed.")
    summary = AnalysisSummary(
        upright_version=__version__,
        created_utc=datetime.now(UTC).isoformat(timespec="seconds"),
        synthetic=bool(ds.attrs.get("synthetic", 0)) or source_kind == "synthetic",
        source=SourceSummary(
            file=source_file,
            kind=source_kind,
            pose_source=str(ds.attrs.get("source_software", "")),
            fps=round(fps, 3),
            n_frames=int(ds.sizes["time"]),
            duration_s=round(float(ds["time"].values[-1] - ds["time"].values[0]), 3),
            width_px=int(ds.attrs.get("image_width_px", 0)),
            height_px=int(ds.attrs.get("image_height_px", 0)),
        ),
        setup=SetupSummary(
            direction="right" if direction > 0 else "left",
            direction_source="detected" if options.direction == "auto" else "given",
            setting=setting,
            setting_source=setting_source,
            tilt_deg=round(tilt, 3),
            tilt_source=tilt_source,
            head_point=head_name,
            leg_length_px=round(events.leg_length_px, 2),
            height_cm=options.height_cm,
            step_period_s=round(events.step_period_s, 4),
            processing=str(clean.attrs.get("processing", "")),
        ),
        cadence_spm=round(events.cadence_spm, 2),
        metrics=metrics,
        drift=drift,
        quality=checks,
        withheld=withheld,
        notes=notes,
        strides=_stride_points(strides),
    )
    return Analysis(summary, ds, clean, frames, events, strides)


def _stride_points(strides: pd.DataFrame) -> list[StridePoint]:
    def numbers(column: str, digits: int) -> list[float | None]:
        values = strides[column].to_numpy(dtype=float)
        return [round(float(x), digits) if np.isfinite(x) else None for x in values]

    return [
        StridePoint(
            start_s=start if start is not None else float("nan"),
            trunk_lean_stance_deg=lean,
            head_trunk_deg=head,
        )
        for start, lean, head in zip(
            numbers("start_s", 4),
            numbers("trunk_lean_stance_deg", 3),
            numbers("head_trunk_deg", 3),
            strict=True,
        )
    ]
