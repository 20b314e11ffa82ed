"""Whole jobs behind the commands: input in, an output folder out.

Wiring only: services analyse, report writes. Nothing is written to the output folder
unless every output succeeded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol

from upright.report.annotate import annotate_frames, build_overlay, write_annotated_video
from upright.report.outputs import staged_output, write_analysis_files
from upright.services.analyze import Analysis, AnalysisOptions, analyze_keypoints
from upright.services.demo import analyze_demo_runner, truth_text
from upright.services.load import load_pose
from upright.synthetic.runner import BANNER, render_frames

__all__ = ["AnalyzeJob", "Progress", "run_analyze_job", "run_demo_job"]


class Progress(Protocol):
    """How a job reports progress; the CLI draws it, tests may ignore it."""

    def start(self, description: str, total: int | None) -> None: ...

    def advance(self, n: int) -> None: ...


class _Silent:
    def start(self, description: str, total: int | None) -> None:
        return None

    def advance(self, n: int) -> None:
        return None


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
    progress = progress or _Silent()
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
        progress.start("Writing results", None)
        write_analysis_files(analysis, stage)
        if job.annotate and job.video is not None:
            progress.start("Annotated video", analysis.frames.shape[0])
            write_annotated_video(
                job.video,
                build_overlay(analysis),
                stage / "annotated.mp4",
                progress=progress.advance,
            )
    return analysis


def run_demo_job(
    out_dir: Path,
    *,
    duration_s: float = 60.0,
    annotate: bool = True,
    progress: Progress | None = None,
) -> Analysis:
    """Simulate the demo runner, analyse it, and write every output into ``out_dir``."""
    progress = progress or _Silent()
    progress.start("Building the synthetic runner", None)
    run, analysis = analyze_demo_runner(duration_s)
    with staged_output(out_dir) as stage:
        progress.start("Writing results", None)
        write_analysis_files(analysis, stage)
        (stage / "TRUTH.txt").write_text(truth_text(run.spec), encoding="utf-8")
        if annotate:
            progress.start("Annotated video (synthetic)", int(run.ds.sizes["time"]))
            frames = ((i, rgb) for i, (_, rgb) in enumerate(render_frames(run)))
            annotate_frames(
                frames,
                build_overlay(analysis, banner=BANNER),
                stage / "annotated.mp4",
                fps=run.spec.fps,
                progress=progress.advance,
            )
    return analysis
