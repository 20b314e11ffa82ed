"""The ``form`` use case: an exercise clip's keypoints in, per-second form and holds out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

import numpy as np
import pandas as pd
import xarray as xr

from upright import __version__
from upright.form.check import FormCheck, check_form_pose
from upright.form.definitions import ExerciseForm, Side, form_definition, with_stop_faults
from upright.form.geometry import required_keypoints
from upright.form.judge import FormJudgement
from upright.form.screen import (
    Check,
    check_frame_rate,
    screen_after,
    screen_before,
)
from upright.form.timing import GOOD
from upright.signal.filters import DEFAULT_CONFIDENCE_THRESHOLD
from upright.skeleton import validate_pose_dataset
from upright.summaries import (
    ExerciseSummary,
    FaultSeen,
    FormFirstFault,
    FormQualityCheck,
    FormSetupSummary,
    FormSummary,
    FormTotals,
    HoldSummary,
    RepSummary,
    SecondSummary,
    SourceSummary,
    ToleranceSummary,
)

__all__ = ["FormOptions", "FormResult", "check_form_keypoints"]

SourceKind = Literal["video", "keypoints", "synthetic"]


@dataclass(frozen=True)
class FormOptions:
    """What the user asked for and told us about the recording."""

    exercise: str
    side: Side | None = None
    tilt_deg: float | None = None
    confidence_threshold: float = DEFAULT_CONFIDENCE_THRESHOLD
    #: Faults that end the hold here (an endurance test's stop rule), besides those the
    #: exercise's definition says end it.
    stop_faults: tuple[str, ...] = ()


@dataclass(frozen=True)
class FormResult:
    """A form check in memory: the summary and the tables behind it."""

    summary: FormSummary
    raw: xr.Dataset
    check: FormCheck
    definition: ExerciseForm

    @property
    def frames(self) -> pd.DataFrame:
        """Per frame: time, every measure, in_position, fault_raw, phase, verdict."""
        return self.check.judgement.frames


def _r(x: float, digits: int = 3) -> float:
    return round(float(x), digits)


def _exercise_summary(d: ExerciseForm, side: Side | None) -> ExerciseSummary:
    judged = d.measure(d.judged)
    return ExerciseSummary(
        key=d.key,
        name=d.name,
        side=side,
        side_means=d.side,
        view=d.view,
        kind=d.kind,
        judged_measure=judged.name,
        judged_label=judged.label,
        judged_sign=judged.sign,
        reached=d.reached,
        lost=d.lost,
        tolerances=[
            ToleranceSummary(
                fault=f.name,
                label=f.label,
                measure=f.measure,
                below_deg=f.below.deg if f.below else None,
                above_deg=f.above.deg if f.above else None,
                source=f.limit.source,
                ends_hold=f.ends_hold,
                cue=f.cue,
            )
            for f in d.faults
        ],
    )


def _totals(j: FormJudgement, d: ExerciseForm) -> FormTotals:
    faults = {f.name: f for f in d.faults}
    first = None
    if j.first_fault is not None:
        f = faults[j.first_fault.fault]
        first = FormFirstFault(
            time_s=_r(j.first_fault.time_s),
            into_hold_s=_r(j.first_fault.into_hold_s),
            fault=f.name,
            label=f.label,
            cue=f.cue,
        )
    verdict = j.frames["verdict"]
    counts = verdict[(verdict != GOOD) & (verdict != "")].value_counts()
    seen = [
        FaultSeen(fault=str(name), label=faults[str(name)].label, seconds=_r(n * j.frame_s, 2))
        for name, n in zip(counts.index, counts.to_numpy(), strict=True)
    ]
    hold = j.holds[0] if j.holds else None
    reps = d.kind == "reps"
    return FormTotals(
        held_s=_r(j.held_s, 2),
        good_form_s=_r(j.good_form_s, 2),
        good_form_share=_r(j.good_form_s / j.held_s) if j.held_s > 0 else None,
        holds=len(j.holds),
        position_reached_s=_r(hold.start_s) if hold else None,
        position_lost_s=_r(hold.end_s) if hold and not hold.still_going else None,
        first_hold_s=_r(hold.duration_s, 2) if hold else None,
        first_fault=first,
        reps=len(j.reps) if reps else None,
        good_reps=sum(r.quality == GOOD for r in j.reps) if reps else None,
        partial_reps=j.partial_reps if reps else None,
        faults=seen,
    )


def _holds(j: FormJudgement) -> list[HoldSummary]:
    verdict = j.frames["verdict"].to_numpy()
    return [
        HoldSummary(
            start_s=_r(h.start_s),
            end_s=_r(h.end_s),
            duration_s=_r(h.duration_s, 2),
            good_form_s=_r(np.sum(verdict[h.start : h.end] == GOOD) * j.frame_s, 2),
            end_reason=h.end_reason,
            ended_by_fault=h.ended_by_fault,
            still_going=h.still_going,
            hit_limit=h.hit_limit,
        )
        for h in j.holds
    ]


def _seconds(j: FormJudgement, judged: str) -> list[SecondSummary]:
    table = j.seconds
    values = table[f"{judged}_median"].to_numpy(dtype=np.float64)
    return [
        SecondSummary(
            second=int(second),
            start_s=_r(start),
            phase=phase,
            verdict=str(verdict),
            judged_deg=_r(value, 2) if np.isfinite(value) else None,
        )
        for second, start, phase, verdict, value in zip(
            table["second"].to_numpy(dtype=np.int64),
            table["start_s"].to_numpy(dtype=np.float64),
            table["phase"].astype(str),
            table["verdict"].astype(str),
            values,
            strict=True,
        )
    ]


def _quality(checks: list[Check]) -> list[FormQualityCheck]:
    return [
        FormQualityCheck(
            name=c.name,
            passed=c.passed,
            value=c.value,
            limit=c.limit,
            message=c.message,
        )
        for c in checks
    ]


def _notes(ds: xr.Dataset, check: FormCheck, d: ExerciseForm) -> list[str]:
    notes = list(check.notes)
    if d.key == "front_plank":
        notes.append(
            "The plank's limits were chosen on labelled real planks: in those held "
            "correctly, the hip keypoint sits above the shoulder-ankle line, so hips "
            "dropping below the line count as a sag."
        )
    if int(ds.attrs.get("image_size_assumed", 0)):
        notes.append(
            "The source states no frame size; angles assume one, so their size (not the "
            "side of the line the hip is on) may be off."
        )
    if int(ds.attrs.get("fps_assumed", 0)):
        fps = float(ds.attrs["fps"])
        notes.append(f"The source states no frame rate; {fps:g} fps was assumed.")
    if check.judgement.holds and check.judgement.holds[-1].still_going:
        notes.append("The clip ended during the hold: the time held is a lower bound.")
    notes.append(
        "2-D keypoint angles carry several degrees of error (markerless angles: about "
        "5-8 deg against markers, Van Hooren 2023); a verdict close to a limit is uncertain."
    )
    return notes


def check_form_keypoints(
    ds: xr.Dataset,
    options: FormOptions,
    *,
    source_kind: SourceKind = "keypoints",
    source_file: str = "",
    source_sha256: str = "",
) -> FormResult:
    """Check an exercise's form in one clip's keypoints (y-up pixels).

    ``source_sha256`` is the SHA-256 of the clip or keypoint file read, kept in the
    summary so a stored check knows its clip.

    Raises
    ------
    InputError
        Unknown exercise, a missing or unwanted ``--side``, or keypoints that lack the
        body points the exercise needs.
    InsufficientDataError
        The clip is too short for a hold.
    QualityError
        Nobody in view, the body cut off, the wrong camera view, or the position never
        reached (a different exercise, standing, walking or running).
    """
    definition = with_stop_faults(
        form_definition(options.exercise, options.side), options.stop_faults
    )
    source_file = source_file or str(ds.attrs.get("source_file", ""))
    validate_pose_dataset(
        ds,
        required_keypoints=required_keypoints(definition, options.side),
        where=source_file or "pose data",
    )
    checks = screen_before(
        ds,
        definition,
        options.side,
        source_file=source_file,
        threshold=options.confidence_threshold,
    )
    check = check_form_pose(
        ds,
        definition,
        options.side,
        tilt_deg=options.tilt_deg,
        confidence_threshold=options.confidence_threshold,
    )
    reached = screen_after(
        check.judgement, definition, check.clean, options.side, source_file=source_file
    )
    fps = float(ds.attrs["fps"])
    checks = [check_frame_rate(fps), *checks, reached]
    t = ds["time"].values
    summary = FormSummary(
        upright_version=__version__,
        created_utc=datetime.now(UTC).isoformat(timespec="seconds"),
        synthetic=bool(ds.attrs.get("synthetic", 0)) or source_kind == "synthetic",
        source=SourceSummary(
            file=source_file,
            kind=source_kind,
            pose_source=str(ds.attrs.get("source_software", "")),
            fps=_r(fps),
            n_frames=int(ds.sizes["time"]),
            duration_s=_r(float(t[-1] - t[0])),
            width_px=int(ds.attrs.get("image_width_px", 0)),
            height_px=int(ds.attrs.get("image_height_px", 0)),
        ),
        clip_sha256=source_sha256,
        exercise=_exercise_summary(definition, options.side),
        setup=FormSetupSummary(
            head_direction="right" if check.head_direction > 0 else "left",
            tilt_deg=_r(check.tilt_deg),
            tilt_source=check.tilt_source,
            processing=str(check.clean.attrs.get("processing", "")),
        ),
        totals=_totals(check.judgement, definition),
        holds=_holds(check.judgement),
        reps=[
            RepSummary(
                number=k + 1,
                start_s=_r(r.start_s),
                top_s=_r(r.top_s),
                end_s=_r(r.end_s),
                peak_deg=_r(r.peak_deg, 2),
                quality=r.quality,
            )
            for k, r in enumerate(check.judgement.reps)
        ],
        seconds=_seconds(check.judgement, definition.judged),
        quality=_quality(checks),
        notes=_notes(ds, check, definition),
    )
    return FormResult(summary=summary, raw=ds, check=check, definition=definition)
