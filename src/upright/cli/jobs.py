"""Whole jobs behind the commands: input in, an output folder out.

Wiring only: services analyse, report writes. Nothing is written to the output folder
unless every output succeeded. ``upright analyze``'s job is shared with the web app's job
queue, so it lives in :mod:`upright.workflows` (re-exported here).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from upright.report.annotate import Overlay, annotate_frames, build_overlay
from upright.report.outputs import OUTPUT_FILES, staged_output, write_analysis_files
from upright.report.still import STILL_NAME, still_frame_index, write_still
from upright.services.analyze import Analysis
from upright.services.demo import DEMO_AFTER_SPEC, analyze_demo_runner, truth_text
from upright.services.report import ReportData
from upright.synthetic.runner import BANNER, SyntheticRun, render_frames
from upright.workflows import (
    AnalyzeJob,
    Progress,
    SilentProgress,
    count_files,
    run_analyze_job,
)

__all__ = [
    "DEMO_DATABASE",
    "DEMO_LATER_CLIP",
    "AnalyzeJob",
    "DemoResult",
    "Progress",
    "run_analyze_job",
    "run_demo_job",
    "run_report_job",
]

#: The demo's own database and its second (day-21) clip, inside the demo folder.
DEMO_DATABASE = "upright-demo.db"
DEMO_LATER_CLIP = "later-clip"


#: Files of one demo clip: the analysis files, TRUTH.txt and the annotated still.
_DEMO_CLIP_FILES = len(OUTPUT_FILES) + 2


def _write_demo_clip(
    run: SyntheticRun, analysis: Analysis, folder: Path, progress: Progress
) -> Overlay:
    """A demo clip's analysis files, TRUTH.txt and annotated still; returns its overlay."""
    write_analysis_files(analysis, folder, count_files(progress))
    (folder / "TRUTH.txt").write_text(truth_text(run.spec), encoding="utf-8")
    progress.advance(1)
    overlay = build_overlay(analysis, banner=BANNER)
    index = still_frame_index(analysis, overlay.near_side)
    drawn = ((i, rgb) for i, (_, rgb) in enumerate(render_frames(run)))
    write_still(drawn, overlay, index, folder / STILL_NAME)
    progress.advance(1)
    return overlay


@dataclass(frozen=True)
class DemoResult:
    """The demo's first-day analysis and the report of its whole journey."""

    analysis: Analysis
    report: ReportData
    files: list[str]


def run_demo_job(
    out_dir: Path,
    *,
    duration_s: float = 60.0,
    annotate: bool = True,
    progress: Progress | None = None,
    today: dt.date | None = None,
) -> DemoResult:
    """The whole journey of the SYNTHETIC demo runner, written into ``out_dir``.

    Day 1: analysis of the runner's clip (files at the top of ``out_dir``, as
    ``upright analyze`` writes them, and TRUTH.txt), check-up, endurance test, triage
    and plan; then three weeks of logged sessions and runs; on the last day a second
    endurance test and a second clip (``later-clip/``); finally the report (HTML, PDF)
    and the plan's calendar. Everything is stored in the demo's own database
    (``upright-demo.db`` in ``out_dir``), never in the user's.
    """
    from upright.report.report_outputs import report_file_names, write_report_files
    from upright.services.demo_journey import store_demo_journey
    from upright.services.report import gather_report, latest_analysis_still
    from upright.store import using_database

    progress = progress or SilentProgress()
    today = today or dt.date.today()
    progress.start("Building the synthetic runner", None)
    run, analysis = analyze_demo_runner(duration_s)
    later_run, later = analyze_demo_runner(duration_s, DEMO_AFTER_SPEC)
    with staged_output(out_dir) as stage:
        progress.start("Writing results", 2 * _DEMO_CLIP_FILES, "files")
        overlay = _write_demo_clip(run, analysis, stage, progress)
        later_dir = stage / DEMO_LATER_CLIP
        later_dir.mkdir()
        _write_demo_clip(later_run, later, later_dir, progress)
        progress.start("Three weeks of the demo runner's program", None)
        stills = ((stage / STILL_NAME).read_bytes(), (later_dir / STILL_NAME).read_bytes())
        with using_database(f"sqlite:///{stage / DEMO_DATABASE}"):
            history = store_demo_journey(analysis, later, today, stills=stills)
            report = gather_report(history.alias, today=today)
            still = latest_analysis_still(history.alias)
        progress.start("Writing the report", len(report_file_names(report)), "files")
        files = write_report_files(report, stage, still_jpeg=still, done=count_files(progress))
        if annotate:
            progress.start("Annotated video (synthetic)", int(run.ds.sizes["time"]))
            frames = ((i, rgb) for i, (_, rgb) in enumerate(render_frames(run)))
            annotate_frames(
                frames,
                overlay,
                stage / "annotated.mp4",
                fps=run.spec.fps,
                progress=progress.advance,
            )
    return DemoResult(analysis=analysis, report=report, files=files)


def run_report_job(
    alias: str,
    out_dir: Path,
    *,
    analysis_dir: Path | None = None,
    sessions_per_week: int = 3,
    weeks: int = 7,
    today: dt.date | None = None,
    progress: Progress | None = None,
) -> tuple[ReportData, list[str]]:
    """Gather the runner's stored record and write the report's files into ``out_dir``.

    The annotated still is the one stored with the latest analysis, or ``frame.jpg`` of
    ``analysis_dir`` (a folder ``upright analyze`` wrote) when given.
    """
    from upright.errors import InputError
    from upright.report.report_outputs import report_file_names, write_report_files
    from upright.services.report import gather_report, latest_analysis_still

    progress = progress or SilentProgress()
    progress.start("Reading the runner's record", None)
    still: bytes | None = None
    if analysis_dir is None:
        still = latest_analysis_still(alias)
    else:
        if not analysis_dir.is_dir():
            raise InputError(
                "no such analysis folder",
                path=analysis_dir,
                fix="Give the folder upright analyze wrote (it holds summary.json)",
            )
        frame = analysis_dir / STILL_NAME
        if not frame.is_file():
            raise InputError(
                f"the analysis folder has no {STILL_NAME}",
                path=analysis_dir,
                fix="Analyse the video again with this version of upright, or leave out --analysis",
            )
        still = frame.read_bytes()
    data = gather_report(alias, sessions_per_week=sessions_per_week, weeks=weeks, today=today)
    with staged_output(out_dir) as stage:
        progress.start("Writing the report", len(report_file_names(data)), "files")
        files = write_report_files(data, stage, still_jpeg=still, done=count_files(progress))
    return data, files
