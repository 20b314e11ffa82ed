"""The whole jobs behind ``upright import`` (a watch file) and ``upright imu`` (a worn
sensor): the file in, the output folder out.

Wiring only: services measure, report writes. The file is read and measured before the
output folder is touched, so a file that cannot be used leaves no folder behind; the
folder is written all or nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from upright.kinematics.imu_posture import Placement
from upright.report.imu_outputs import IMU_OUTPUT_FILES, write_imu_files
from upright.report.outputs import staged_output
from upright.report.run_outputs import run_output_files, write_run_files
from upright.services.imu_import import ImuImport, import_imu
from upright.services.run_import import RunImport, import_run
from upright.workflows.progress import Progress, SilentProgress

__all__ = ["FIGURE_NAME", "ImportJob", "ImuJob", "run_import_job", "run_imu_job"]

#: The interactive figure as plotly JSON, written when a job asks for it (for a page).
FIGURE_NAME = "figure.json"


@dataclass(frozen=True)
class ImportJob:
    """What ``upright import`` was asked to do; ``figure_json`` also writes the figure
    of ``run.html`` as plotly JSON (:data:`FIGURE_NAME`), for a page to draw."""

    file: Path
    out_dir: Path
    pain_onset_km: float | None = None
    pain_onset_min: float | None = None
    figure_json: bool = False
    #: The name the file goes by in the summary and the plots (an upload's own name).
    shown_as: str | None = None


@dataclass(frozen=True)
class ImuJob:
    """What ``upright imu`` was asked to do; ``figure_json`` and ``shown_as`` as for
    :class:`ImportJob`."""

    file: Path
    out_dir: Path
    placement: Placement = "hip"
    activity_file: Path | None = None
    still_s: tuple[float, float] | None = None
    pain_onset_km: float | None = None
    pain_onset_min: float | None = None
    figure_json: bool = False
    shown_as: str | None = None


def run_import_job(job: ImportJob, progress: Progress | None = None) -> RunImport:
    """Import the run and write every output into ``job.out_dir``, all or nothing."""
    shown = progress or SilentProgress()
    run = import_run(
        job.file,
        pain_onset_km=job.pain_onset_km,
        pain_onset_min=job.pain_onset_min,
        step=lambda what: shown.start(what, None),
    )
    if job.shown_as is not None:
        source = run.summary.source.model_copy(update={"file": job.shown_as})
        run = replace(run, summary=run.summary.model_copy(update={"source": source}))
    with staged_output(job.out_dir) as stage:
        n_files = len(run_output_files(run)) + job.figure_json
        shown.start("Writing results", n_files, "files")
        write_run_files(run, stage, lambda name: shown.advance(1))
        if job.figure_json:
            from upright.report.run_plots import run_figure

            (stage / FIGURE_NAME).write_text(run_figure(run).to_json(), encoding="utf-8")
            shown.advance(1)
    return run


def run_imu_job(job: ImuJob, progress: Progress | None = None) -> ImuImport:
    """Analyse the recording and write every output into ``job.out_dir``, all or nothing."""
    shown = progress or SilentProgress()
    imu = import_imu(
        job.file,
        placement=job.placement,
        activity_file=job.activity_file,
        still_s=job.still_s,
        pain_onset_km=job.pain_onset_km,
        pain_onset_min=job.pain_onset_min,
        step=lambda what: shown.start(what, None),
    )
    if job.shown_as is not None:
        source = imu.summary.source.model_copy(update={"file": job.shown_as})
        imu = replace(imu, summary=imu.summary.model_copy(update={"source": source}))
    with staged_output(job.out_dir) as stage:
        shown.start("Writing results", len(IMU_OUTPUT_FILES) + job.figure_json, "files")
        write_imu_files(imu, stage, lambda name: shown.advance(1))
        if job.figure_json:
            from upright.report.imu_plots import imu_figure

            (stage / FIGURE_NAME).write_text(imu_figure(imu).to_json(), encoding="utf-8")
            shown.advance(1)
    return imu
