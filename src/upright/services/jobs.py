"""Whole jobs behind the commands: a clip or keypoint file in, an output folder out."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
import xarray as xr

from upright.errors import InputError
from upright.report.annotate import Overlay
from upright.services.analyze import Analysis, AnalysisOptions, analyze_keypoints
from upright.services.outputs import staged_output, write_analysis_files
from upright.signal.filters import rotate_positions

__all__ = ["AnalyzeJob", "Progress", "build_overlay", "run_analyze_job"]


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
    options: AnalysisOptions = AnalysisOptions()


def build_overlay(analysis: Analysis, banner: str | None = None) -> Overlay:
    """Per-frame drawing data in the picture's own pixels (tilt put back, y down)."""
    tilt = analysis.summary.setup.tilt_deg
    ds = rotate_positions(analysis.clean, tilt) if tilt else analysis.clean
    height = int(ds.attrs.get("image_height_px", 0))
    xy = ds["position"].isel(individual=0).values.copy()  # time, space, keypoint
    xy[:, 1] = height - xy[:, 1]
    conf = analysis.raw["confidence"].isel(individual=0)
    legs = ["knee", "ankle"]
    left = float(conf.sel(keypoint=[f"left_{k}" for k in legs]).mean())
    right = float(conf.sel(keypoint=[f"right_{k}" for k in legs]).mean())
    contacts = {
        int(row.contact_frame): "L" if row.foot == "left" else "R"
        for row in analysis.events.contacts.itertuples()
    }
    return Overlay(
        time_s=analysis.frames["time_s"].to_numpy(),
        xy_image=xy,
        trunk_lean_deg=analysis.frames["trunk_lean_deg"].to_numpy(),
        head_trunk_deg=analysis.frames["head_trunk_deg"].to_numpy(),
        up_deg=tilt,
        video_width_px=int(ds.attrs.get("image_width_px", 0)),
        video_height_px=height,
        contacts=contacts,
        near_side="left" if left >= right else "right",
        banner=banner,
    )


def _load_pose(job: AnalyzeJob, progress: Progress) -> tuple[xr.Dataset, str]:
    if job.keypoints is not None:
        from upright.io.keypoints import read_keypoints

        progress.start("Reading keypoints", None)
        ds = read_keypoints(job.keypoints, fps=job.fps)
        return ds, "keypoints"
    if job.video is None:
        raise InputError(
            "no clip given",
            fix="Run `upright analyze CLIP.mp4`, or `upright demo` to try the synthetic run",
        )
    from upright.io.video import probe_video
    from upright.pose.runner import estimate_pose_video

    info = probe_video(job.video)
    progress.start("Pose estimation", info.n_frames)
    ds = estimate_pose_video(job.video, workers=job.workers, progress=progress.advance, info=info)
    return ds, "video"


def run_analyze_job(job: AnalyzeJob, progress: Progress | None = None) -> Analysis:
    """Analyse a clip (or keypoint file) and write every output into ``job.out_dir``.

    Nothing is written to ``job.out_dir`` unless every output succeeded.
    """
    progress = progress or _Silent()
    if job.video is not None:
        from upright.io.video import probe_video

        probe_video(job.video)  # fail early, before any work, on a bad clip
    ds, kind = _load_pose(job, progress)
    source = str(job.video if kind == "video" else job.keypoints)
    progress.start("Measuring", None)
    analysis = analyze_keypoints(ds, job.options, source_kind=kind, source_file=source)
    with staged_output(job.out_dir) as stage:
        progress.start("Writing results", None)
        write_analysis_files(analysis, stage)
        if job.annotate and job.video is not None:
            from upright.report.annotate import write_annotated_video

            progress.start("Annotated video", analysis.frames.shape[0])
            if not np.isclose(ds["time"].size, analysis.frames.shape[0]):
                raise InputError("the keypoints do not match the clip's frames",
                                 path=job.keypoints or job.video)
            write_annotated_video(job.video, build_overlay(analysis), stage / "annotated.mp4",
                                  progress=progress.advance)
    return analysis
