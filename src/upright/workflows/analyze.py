"""The whole job behind ``upright analyze``: a clip (or keypoint file) in, the analysis
folder out.

Wiring only: services analyse, report writes. Nothing is written to the output folder
unless every output succeeded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from upright.report.annotate import build_overlay, write_annotated_video
from upright.report.outputs import OUTPUT_FILES, staged_output, write_analysis_files
from upright.report.still import STILL_NAME, still_frame_index, write_still
from upright.services.analyze import Analysis, AnalysisOptions, analyze_keypoints
from upright.services.load import load_pose
from upright.workflows.progress import Progress, SilentProgress, count_files

__all__ = ["AnalyzeJob", "run_analyze_job"]


@dataclass(frozen=True)
class AnalyzeJob:
    """What ``upright analyze`` was asked to do."""

    out_dir: Path
    video: Path | None = None
    keypoints: Path | None = None
    fps: float | None = None
    annotate: bool = True
    workers: int | None = None
    options: AnalysisOptions = field(default_factory=AnalysisOptions)


def run_analyze_job(job: AnalyzeJob, progress: Progress | None = None) -> Analysis:
    """Analyse a clip (or keypoint file) and write every output into ``job.out_dir``."""
    progress = progress or SilentProgress()
    ds, kind = load_pose(
        job.video,
        job.keypoints,
        fps=job.fps,
        workers=job.workers,
        start=progress.start,
        advance=progress.advance,
    )
    source = str(job.video if kind == "video" else job.keypoints)
    progress.start("Measuring", None)
    source_kind: Literal["video", "keypoints"] = "video" if kind == "video" else "keypoints"
    analysis = analyze_keypoints(ds, job.options, source_kind=source_kind, source_file=source)
    with staged_output(job.out_dir) as stage:
        n_files = len(OUTPUT_FILES) + (job.video is not None)  # + the annotated still
        progress.start("Writing results", n_files, "files")
        write_analysis_files(analysis, stage, count_files(progress))
        if job.video is not None:
            from upright.io.video import iter_frames

            overlay = build_overlay(analysis)
            index = still_frame_index(analysis, overlay.near_side)
            frames = iter_frames(job.video, start_frame=index, stop_frame=index + 1)
            write_still(((f.index, f.rgb) for f in frames), overlay, index, stage / STILL_NAME)
            progress.advance(1)
        if job.annotate and job.video is not None:
            progress.start("Annotated video", analysis.frames.shape[0])
            write_annotated_video(
                job.video,
                overlay,
                stage / "annotated.mp4",
                progress=progress.advance,
            )
    return analysis
