"""The whole job behind ``upright form``: a clip (or keypoint file) in, the form check's
folder out.

Wiring only: the service judges, report writes. Nothing is written to the output folder
unless every output succeeded, and nothing at all when the clip is refused.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from upright.errors import InputError
from upright.form.definitions import Side
from upright.summaries import FormSummary
from upright.workflows.progress import Progress, SilentProgress

if TYPE_CHECKING:
    from upright.services.form import FormResult

__all__ = ["FormJob", "run_form_job"]


@dataclass(frozen=True)
class FormJob:
    """What ``upright form`` was asked to do."""

    exercise: str
    out_dir: Path
    video: Path | None = None
    keypoints: Path | None = None
    side: Side | None = None
    fps: float | None = None
    tilt_deg: float | None = None
    annotate: bool = True
    workers: int | None = None
    runner: str | None = None


def run_form_job(
    job: FormJob, progress: Progress | None = None, *, cues: bool = True
) -> FormSummary:
    """Check the exercise in a clip (or keypoint file) and write every output; with
    ``cues`` False the summary written and returned has no cues (the measurement only)."""
    from upright.report.form_outputs import write_form_files
    from upright.report.outputs import staged_output
    from upright.services.cache import hash_file
    from upright.services.form import FormOptions, check_form_keypoints
    from upright.services.form_record import without_cues
    from upright.services.load import load_pose

    if job.video is None and job.keypoints is None:
        raise InputError(
            "no clip given",
            fix="Run `upright form CLIP.mp4 --exercise KEY`, or give --keypoints FILE",
        )
    bar = progress or SilentProgress()
    ds, kind = load_pose(
        job.video,
        job.keypoints,
        fps=job.fps,
        workers=job.workers,
        start=bar.start,
        advance=bar.advance,
    )
    source = str(job.video if kind == "video" else job.keypoints)
    bar.start("Judging form", None)
    options = FormOptions(exercise=job.exercise, side=job.side, tilt_deg=job.tilt_deg)
    result = check_form_keypoints(
        ds,
        options,
        source_kind="video" if kind == "video" else "keypoints",
        source_file=source,
        source_sha256=hash_file(Path(source)) if Path(source).is_file() else "",
    )
    if not cues:
        result = replace(result, summary=without_cues(result.summary))
    with staged_output(job.out_dir) as stage:
        bar.start("Writing results", None, "files")
        write_form_files(result, stage)
        if job.video is not None:
            _write_pictures(job.video, result, stage, job.annotate, bar)
    return result.summary


def _write_pictures(
    video: Path, result: FormResult, stage: Path, annotate: bool, bar: Progress
) -> None:
    """frame.jpg, and annotated.mp4 unless asked not to."""
    from upright.io.video import iter_frames, probe_video
    from upright.report.form_annotate import (
        FORM_STILL_NAME,
        build_form_overlay,
        form_still_index,
        write_form_still,
        write_form_video,
    )

    overlay = build_form_overlay(result)
    index = form_still_index(result)
    still = iter_frames(video, start_frame=index, stop_frame=index + 1)
    write_form_still(((f.index, f.rgb) for f in still), overlay, index, stage / FORM_STILL_NAME)
    if annotate:
        info = probe_video(video)
        bar.start("Annotated video", len(result.frames))
        frames = iter_frames(video, stop_frame=len(result.frames), info=info)
        write_form_video(
            ((f.index, f.rgb) for f in frames),
            overlay,
            stage / "annotated.mp4",
            fps=info.fps_nominal,
            progress=bar.advance,
        )
