"""The ``upright`` command line: thin Typer commands, Rich output, no analysis logic.

The analysis commands live here; the record commands (check-up to logs) in
:mod:`upright.cli.record_commands`; the app and shared options in :mod:`upright.cli._app`.

Errors raised on purpose (:class:`upright.errors.UprightError`) become a one-paragraph
message and exit code 2, never a traceback.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from upright.cli._app import (
    _EXITS,
    DirectionChoice,
    HeightCm,
    JsonOut,
    NoAnnotate,
    PainOnsetKm,
    PainOnsetMin,
    PlacementChoice,
    RunnerAlias,
    SettingChoice,
    SideChoice,
    Workers,
    app,
    console,
    run_guarded,
)


@app.command(epilog=_EXITS)
def analyze(
    video: Annotated[
        Path | None,
        typer.Argument(help="Side-view running clip (MP4/MOV from a phone).", show_default=False),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Output folder. \\[default: ./<clip>-upright]")
    ] = None,
    keypoints: Annotated[
        Path | None,
        typer.Option(
            "--keypoints",
            help="Use keypoints made elsewhere instead of pose estimation: GaitLab pose "
            "JSON, an OpenPose JSON folder, or upright's keypoints.nc.",
        ),
    ] = None,
    fps: Annotated[
        float | None, typer.Option(help="Frame rate of keypoint files that do not state it.")
    ] = None,
    no_annotate: NoAnnotate = False,
    tilt_deg: Annotated[
        float | None,
        typer.Option(
            "--tilt-deg",
            min=-30.0,
            max=30.0,
            help="Camera tilt: the angle of the ground line in the picture, + when it rises "
            "to the right. 0 = level camera, no correction. Default: found from the feet.",
        ),
    ] = None,
    setting: Annotated[
        SettingChoice, typer.Option(help="Treadmill or overground (auto: detected).")
    ] = SettingChoice.auto,
    direction: Annotated[
        DirectionChoice, typer.Option(help="Running direction in the picture (auto: detected).")
    ] = DirectionChoice.auto,
    height_cm: HeightCm = None,
    workers: Workers = None,
    runner: RunnerAlias = None,
    json_out: JsonOut = False,
) -> None:
    """Analyse a side-view running clip: trunk lean, head-trunk angle, gait, drift.

    With --runner the summary is stored as an analysis record after the output folder is
    written; if that store write fails, the folder stays and the command exits 2.
    """
    from upright.cli.commands import AnalyzeRequest, default_out, run_analyze
    from upright.cli.record import stored_run

    request = AnalyzeRequest(
        video=video,
        keypoints=keypoints,
        out=out,
        fps=fps,
        annotate=not no_annotate,
        tilt_deg=tilt_deg,
        setting=setting.value,
        direction=direction.value,
        height_cm=height_cm,
        workers=workers,
        json_out=json_out,
    )
    run_guarded(
        lambda: stored_run(
            runner,
            "analysis",
            video or keypoints,
            default_out(request),
            lambda: run_analyze(request, console),
        )
    )


@app.command(epilog=_EXITS)
def form(
    exercise: Annotated[
        str,
        typer.Option(
            "--exercise",
            help="front_plank, side_plank, glute_bridge, single_leg_bridge, bird_dog, "
            "dead_bug, curl_up, extensor (Biering-Sorensen) or flexor (McGill).",
            show_default=False,
        ),
    ],
    clip: Annotated[
        Path | None,
        typer.Argument(help="Clip of one exercise (MP4/MOV from a phone).", show_default=False),
    ] = None,
    side: Annotated[
        SideChoice | None,
        typer.Option(
            help="Side plank: the side on the floor; single-leg bridge: the working "
            "leg; bird dog: the lifted leg."
        ),
    ] = None,
    keypoints: Annotated[
        Path | None,
        typer.Option("--keypoints", help="Use keypoints made elsewhere (as for analyze)."),
    ] = None,
    fps: Annotated[
        float | None, typer.Option(help="Frame rate of keypoint files that do not state it.")
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Output folder. \\[default: ./<clip>-form-<key>]")
    ] = None,
    tilt_deg: Annotated[
        float | None,
        typer.Option(
            "--tilt-deg",
            min=-30.0,
            max=30.0,
            help="Camera tilt: the floor line's angle in the picture, + rising to the right. "
            "Default: found from the body points resting on the floor.",
        ),
    ] = None,
    no_annotate: NoAnnotate = False,
    workers: Workers = None,
    runner: RunnerAlias = None,
    json_out: JsonOut = False,
) -> None:
    """Check an exercise's form in a clip: hold, good-form seconds, faults, reps.

    With --runner the check is stored for the runner (once per clip, exercise and side)
    after the output folder is written; profile and report then show it. While the
    runner's red-flag screen blocks the plan, the check is stored without its cues and
    the screen is shown instead (exit 2, or 3 on an emergency).
    """
    from upright.cli.form import FormJob, default_form_out, run_form_command

    job = FormJob(
        exercise=exercise,
        out_dir=out or default_form_out(clip, keypoints, exercise),
        video=clip,
        keypoints=keypoints,
        side=None if side is None else ("left" if side == SideChoice.left else "right"),
        fps=fps,
        tilt_deg=tilt_deg,
        annotate=not no_annotate,
        workers=workers,
        runner=runner,
    )
    code = run_guarded(lambda: run_form_command(job, json_out, console))
    if code:
        raise typer.Exit(code)


@app.command(epilog=_EXITS)
def demo(
    out: Annotated[Path, typer.Option("--out", help="Output folder.")] = Path("upright-demo"),
    duration_s: Annotated[
        float, typer.Option("--duration-s", min=10, max=600, help="Length of the demo run.")
    ] = 60.0,
    no_annotate: NoAnnotate = False,
    json_out: Annotated[bool, typer.Option("--json", help="Print summary.json.")] = False,
) -> None:
    """Run the analysis on a built-in SYNTHETIC runner (no file needed)."""
    from upright.cli.commands import run_demo

    run_guarded(lambda: run_demo(out, duration_s, not no_annotate, json_out, console))


@app.command("import", epilog=_EXITS)
def import_activity(
    file: Annotated[
        Path,
        typer.Argument(
            help="A run from a watch: .fit (best: keeps running dynamics), .gpx or .tcx.",
            show_default=False,
        ),
    ],
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Output folder. \\[default: ./<file>-upright-run]"),
    ] = None,
    pain_onset_km: PainOnsetKm = None,
    pain_onset_min: PainOnsetMin = None,
    runner: RunnerAlias = None,
    json_out: JsonOut = False,
) -> None:
    """Import a run from a watch file (FIT, GPX, TCX): splits, thirds, fatigue signs.

    With --runner the summary is stored as a run record after the output folder is written.
    """
    from upright.cli.record import stored_run
    from upright.cli.run_import import ImportJob, default_out_dir, run_import_command

    job = ImportJob(
        file=file,
        out_dir=out or default_out_dir(file),
        pain_onset_km=pain_onset_km,
        pain_onset_min=pain_onset_min,
    )
    run_guarded(
        lambda: stored_run(
            runner, "run", file, job.out_dir, lambda: run_import_command(job, json_out, console)
        )
    )


class UnitChoice(StrEnum):
    km = "km"
    min = "min"


@app.command(epilog=_EXITS)
def compare(
    clips: Annotated[
        list[str],
        typer.Argument(
            help="Clips of one run as CLIP@POINT (e.g. early.mp4@1 late.mp4@15), in the "
            "order filmed. A clip may also be a keypoint file (GaitLab JSON, OpenPose "
            "folder, upright .nc).",
            show_default=False,
        ),
    ],
    at: Annotated[
        str | None,
        typer.Option("--at", help="The clips' points instead of @ suffixes, e.g. 1,8,15."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Output folder. \\[default: ./upright-compare]")
    ] = None,
    unit: Annotated[
        UnitChoice, typer.Option("--unit", help="Points are distance (km) or time (min).")
    ] = UnitChoice.km,
    height_cm: HeightCm = None,
    tilt_deg: Annotated[
        float | None,
        typer.Option(
            "--tilt-deg",
            min=-30.0,
            max=30.0,
            help="Camera tilt for every clip (ground line angle, + rising to the right). "
            "Default: found from the feet in each clip.",
        ),
    ] = None,
    workers: Workers = None,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Do not reuse or store clip analyses.")
    ] = False,
    pain_onset_km: Annotated[
        float | None,
        typer.Option(
            "--pain-onset-km",
            min=0,
            help="Where in the run your back began to hurt (marked on the plots with --unit km).",
        ),
    ] = None,
    pain_onset_min: Annotated[
        float | None,
        typer.Option(
            "--pain-onset-min",
            min=0,
            help="When (minutes from the start) it began to hurt (marked with --unit min).",
        ),
    ] = None,
    runner: RunnerAlias = None,
    json_out: JsonOut = False,
) -> None:
    """Compare clips filmed at known points of one run: change of trunk lean and head.

    With --runner the summary is stored as a compare record after the output folder is
    written.
    """
    from upright.cli.compare import CompareJob, parse_clip_args, run_compare_command
    from upright.cli.record import stored_run
    from upright.services.analyze import AnalysisOptions
    from upright.services.compare import CompareOptions

    def action() -> None:
        options = CompareOptions(
            unit="km" if unit == UnitChoice.km else "min",
            analysis=AnalysisOptions(tilt_deg=tilt_deg, height_cm=height_cm),
            workers=workers,
            use_cache=not no_cache,
            pain_onset_km=pain_onset_km,
            pain_onset_min=pain_onset_min,
        )
        job = CompareJob(
            clips=parse_clip_args(clips, at),
            out_dir=out or Path.cwd() / "upright-compare",
            options=options,
        )
        stored_run(
            runner,
            "compare",
            None,
            job.out_dir,
            lambda: run_compare_command(job, json_out, console),
        )

    run_guarded(action)


@app.command(epilog=_EXITS)
def imu(
    file: Annotated[
        Path,
        typer.Argument(
            help="Accelerometer recording: ActiGraph-style or generic CSV (.csv/.csv.gz), "
            "phyphox CSV, GENEActiv CSV, or a Sensor Logger folder or zip.",
            show_default=False,
        ),
    ],
    placement: Annotated[
        PlacementChoice,
        typer.Option(help="Where the sensor was worn (hip: measures the pelvis, not the trunk)."),
    ] = PlacementChoice.hip,
    activity: Annotated[
        Path | None,
        typer.Option("--activity", help="Watch file of the same run (FIT/GPX/TCX) for distance."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Output folder. \\[default: ./<file>-upright-imu]")
    ] = None,
    still_from: Annotated[
        float | None,
        typer.Option("--still-from", min=0, help="Start (s) of a standing interval: upright."),
    ] = None,
    still_to: Annotated[
        float | None, typer.Option("--still-to", min=0, help="End (s) of that interval.")
    ] = None,
    pain_onset_km: PainOnsetKm = None,
    pain_onset_min: PainOnsetMin = None,
    runner: RunnerAlias = None,
    json_out: JsonOut = False,
) -> None:
    """Whole-run trunk (or pelvis) pitch, cadence and regularity from a worn sensor.

    With --runner the summary is stored as an imu record after the output folder is written.
    """
    from upright.cli.imu import ImuJob, default_imu_out_dir, run_imu_command
    from upright.cli.record import stored_run
    from upright.errors import InputError

    def action() -> None:
        if (still_from is None) != (still_to is None):
            raise InputError(
                "a still interval needs both ends", fix="Give both --still-from and --still-to"
            )
        still = None if still_from is None or still_to is None else (still_from, still_to)
        job = ImuJob(
            file=file,
            out_dir=out or default_imu_out_dir(file),
            placement=placement.value,
            activity_file=activity,
            still_s=still,
            pain_onset_km=pain_onset_km,
            pain_onset_min=pain_onset_min,
        )
        stored_run(
            runner, "imu", file, job.out_dir, lambda: run_imu_command(job, json_out, console)
        )

    run_guarded(action)


# The record commands register after the analysis ones, so --help lists them in that order.
from upright.cli import batch as _batch  # noqa: E402, F401
from upright.cli import clinic as _clinic  # noqa: E402, F401
from upright.cli import record_commands  # noqa: E402, F401
from upright.cli import serve as _serve  # noqa: E402, F401

if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
