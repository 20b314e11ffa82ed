"""The ``upright`` command line: thin Typer commands, Rich output, no analysis logic.

Errors raised on purpose (:class:`upright.errors.UprightError`) become a one-paragraph
message and exit code 2, never a traceback.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from typer.core import TyperGroup, TyperOption

from upright import __version__
from upright.errors import UprightError
from upright.limits import HEIGHT_CM


def _without_flag_types(command: Any, ctx: Any) -> None:
    """A flag takes no value, so its help shows no ``<bool>`` type (Typer shows one)."""
    options = [p for p in command.params if isinstance(p, TyperOption) and p.is_flag]
    help_option = command.get_help_option(ctx)
    for option in [*options, *([] if help_option is None else [help_option])]:
        if option.metavar is None:
            option.metavar = ""


class _Group(TyperGroup):
    """Typer's command group; the help of it and of each command shows flags untyped."""

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            _without_flag_types(command, ctx)
        return command

    def get_help(self, ctx: Any) -> str:
        _without_flag_types(self, ctx)
        help_text: str = super().get_help(ctx)
        return help_text


app = typer.Typer(
    cls=_Group,
    name="upright",
    help=(
        "Measured check-up of a runner's posture, on your own machine. "
        "A training and self-management aid, not a medical device."
    ),
    epilog="Each command's --help ends with its exit codes.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

console = Console()
err_console = Console(stderr=True)

T = TypeVar("T")

EXIT_INPUT = 2
EXIT_INTERRUPTED = 130

#: The exit codes every command has (see :func:`run_guarded`), for its help.
_EXITS = (
    "Exit codes: 0 done; 2 the input cannot be used (the message says why and what to do); "
    "130 stopped with Ctrl+C."
)


class SettingChoice(StrEnum):
    auto = "auto"
    treadmill = "treadmill"
    overground = "overground"


class PlacementChoice(StrEnum):
    chest = "chest"
    back = "back"
    hip = "hip"


class DirectionChoice(StrEnum):
    auto = "auto"
    left = "left"
    right = "right"


# Options that several commands share, spelled once.
JsonOut = Annotated[
    bool, typer.Option("--json", help="Print summary.json to stdout instead of tables.")
]
NoAnnotate = Annotated[bool, typer.Option("--no-annotate", help="Skip the annotated video.")]
HeightCm = Annotated[
    float | None,
    typer.Option(
        "--height-cm", min=HEIGHT_CM[0], max=HEIGHT_CM[1], help="Runner's height, for cm figures."
    ),
]
Workers = Annotated[int | None, typer.Option(min=1, max=64, help="Processes for pose estimation.")]
RunnerAlias = Annotated[
    str | None,
    typer.Option(
        "--runner",
        help="Runner's alias in upright's database (see `upright profile`): read and "
        "store this runner's record.",
    ),
]
JsonResult = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]
PainOnsetKm = Annotated[
    float | None,
    typer.Option("--pain-onset-km", min=0, help="Where in the run your back began to hurt."),
]
PainOnsetMin = Annotated[
    float | None,
    typer.Option("--pain-onset-min", min=0, help="When (minutes from the start) it began to hurt."),
]


def run_guarded(action: Callable[[], T]) -> T:
    """Run ``action``; an upright error becomes a message and exit code 2, Ctrl-C a true
    account of what was already written or stored and exit code 130."""
    from upright.cli.interrupted import interrupted_message
    from upright.ledger import keeping_ledger

    with keeping_ledger() as ledger:
        try:
            return action()
        except UprightError as err:
            err_console.print(
                f"[bold red]upright could not finish.[/bold red] {escape(err.message)}",
                highlight=False,
                soft_wrap=True,
            )
            raise typer.Exit(EXIT_INPUT) from None
        except KeyboardInterrupt:
            err_console.print(escape(interrupted_message(ledger)), highlight=False, soft_wrap=True)
            raise typer.Exit(EXIT_INTERRUPTED) from None


def _version(value: bool) -> None:
    if value:
        console.print(f"upright {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show version.")
    ] = False,
) -> None:
    """upright: why a runner's back hurts, measured."""


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


class SideChoice(StrEnum):
    left = "left"
    right = "right"


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
    json_out: JsonOut = False,
) -> None:
    """Check an exercise's form in a clip: hold, good-form seconds, faults, reps."""
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
    )
    run_guarded(lambda: run_form_command(job, json_out, console))


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


class SexChoice(StrEnum):
    male = "male"
    female = "female"


class PopulationChoice(StrEnum):
    general = "general"
    athlete = "athlete"


EvidenceFiles = Annotated[
    list[Path] | None,
    typer.Option(
        "--evidence",
        help="summary.json of upright analyze, compare, import or imu (repeat for several).",
    ),
]
_EXIT_HELP = (
    "Exit codes: 0 done; 2 bad input; 3 EMERGENCY: a red-flag answer means seek "
    "emergency care now (the advice is printed and nothing else is done); 130 stopped "
    "with Ctrl+C."
)


@app.command(epilog=_EXIT_HELP)
def checkup(
    answers: Annotated[
        Path | None,
        typer.Option("--answers", help="Answers file (YAML or JSON); see --template."),
    ] = None,
    evidence: EvidenceFiles = None,
    template: Annotated[
        bool, typer.Option("--template", help="Print an answers file with every key explained.")
    ] = False,
    start_back_wording: Annotated[
        Path | None,
        typer.Option(
            "--start-back-wording",
            help="Licensed STarT Back wording (JSON); default: a marked paraphrase.",
        ),
    ] = None,
    odi_wording: Annotated[
        Path | None,
        typer.Option(
            "--odi-wording",
            help="Licensed Oswestry Disability Index wording (JSON). The ODI is proprietary: "
            "without this file its answers are kept but not scored.",
        ),
    ] = None,
    runner: RunnerAlias = None,
    json_out: JsonResult = False,
) -> None:
    """Check-up: red flags first, symptoms, STarT Back, endurance, evidence, triage.

    Without --answers or --template it asks the questions, red flags first, and stops at
    once on an emergency answer. Exit 3 = seek emergency care now. With --runner the
    check-up is stored, the runner's records are evidence, and a stored clearance lifts
    the plan block of a same-day or review-level flag (never of an emergency).
    """
    from upright.cli.checkup import CheckupJob, run_checkup_command

    job = CheckupJob(
        answers=answers,
        evidence=list(evidence or []),
        start_back_wording=start_back_wording,
        odi_wording=odi_wording,
        template=template,
        runner=runner,
    )
    run_guarded(lambda: run_checkup_command(job, json_out, console))


@app.command(epilog=_EXIT_HELP)
def triage(
    answers: Annotated[
        Path | None,
        typer.Option(
            "--answers",
            help="Answers file (YAML or JSON). "
            "\\[default with --runner: the latest stored check-up]",
            show_default=False,
        ),
    ] = None,
    evidence: EvidenceFiles = None,
    runner: RunnerAlias = None,
    json_out: JsonResult = False,
) -> None:
    """Each cause (weakness, posture, fatigue): likely/possible/unlikely, with reasons.

    The red-flag screen runs first; exit 3 = seek emergency care now. With --runner the
    runner's stored records are evidence too.
    """
    from upright.cli.checkup import run_triage_command

    run_guarded(
        lambda: run_triage_command(answers, list(evidence or []), json_out, console, runner)
    )


_TEST_HELP = (
    "With --runner, the runner's latest stored check-up (and a stored clearance) decides, "
    "as for `upright plan`: while it has an open same-day, review-level or unanswered red "
    "flag, or no check-up is stored (never answered is never clear), no timer is started "
    "and no result judged; typed results are stored as given. Exit codes: 0 done; 2 bad "
    "input, or held back by such a flag; 3 EMERGENCY: the latest check-up answered an "
    "emergency red flag, seek emergency care now; 130 stopped with Ctrl+C. Without --runner "
    "no stored screen is read."
)


@app.command("test", epilog=_TEST_HELP)
def endurance_test(
    results: Annotated[
        list[str] | None,
        typer.Argument(
            help="Typed results KEY=VALUE: flexor, extensor, side_bridge_right, "
            "side_bridge_left, supine_bridge, front_plank (seconds held); "
            "single_leg_bridge_left, single_leg_bridge_right (reps).",
            show_default=False,
        ),
    ] = None,
    typed: Annotated[
        bool,
        typer.Option(
            "--times",
            help="Take typed results (e.g. --times flexor=120 extensor=95 "
            "side_bridge_right=58 side_bridge_left=60). Without results: the guided timer "
            "(see above).",
        ),
    ] = False,
    seed: Annotated[
        int | None,
        typer.Option(
            "--seed",
            min=0,
            help="Guided timer: the seed of a random order of the tests, to repeat one. "
            "\\[default: a new order, its seed shown]",
            show_default=False,
        ),
    ] = None,
    in_order: Annotated[
        bool,
        typer.Option("--in-order", help="Guided timer: the tests in the listed order."),
    ] = False,
    sex: Annotated[
        SexChoice | None,
        typer.Option(
            help="Chooses the norms by sex. With --runner the runner's profile chooses "
            "(`upright profile --sex`), so every command judges alike."
        ),
    ] = None,
    population: Annotated[
        PopulationChoice | None,
        typer.Option(
            help="General or athlete norms \\[default: general; with --runner the runner's "
            "profile chooses (`upright profile --population`)].",
            show_default=False,
        ),
    ] = None,
    previous: Annotated[
        Path | None,
        typer.Option(
            "--previous",
            help="A previous `upright test --json` saved to a file. \\[default with --runner: "
            "the runner's last stored result of each test]",
        ),
    ] = None,
    runner: RunnerAlias = None,
    json_out: JsonResult = False,
) -> None:
    """Endurance tests (McGill battery): protocols, norms, ratios, change vs last time.

    Without results, a guided timer takes you through every test in a random order with
    about 5 minutes' rest between two tests, as the protocol asks (McGill 1999): get ready
    5 s, then the seconds held are shown; press Enter the moment position is lost, or type
    s and Enter to skip a test (recorded as not done). Enter ends a rest early. The
    single-leg bridge reps are typed at the prompt.
    """
    from upright.cli.checkup import EnduranceJob, run_test_command

    job = EnduranceJob(
        times=_split_times(results or []),
        typed=typed,
        sex=None if sex is None else ("male" if sex == SexChoice.male else "female"),
        population=None
        if population is None
        else ("athlete" if population == PopulationChoice.athlete else "general"),
        previous=previous,
        runner=runner,
        seed=seed,
        in_order=in_order,
    )
    run_guarded(lambda: run_test_command(job, json_out, console))


def _split_times(items: list[str]) -> list[str]:
    """``--times "flexor=1 extensor=2"`` or repeated ``--times`` both work."""
    return [part for item in items for part in item.replace(",", " ").split()]


_STORE_HELP = (
    "The database is UPRIGHT_DATABASE_URL, or upright.db in UPRIGHT_DATA_DIR "
    "(default ~/.local/share/upright)."
)
_STORE_EXITS = _EXITS + " " + _STORE_HELP
RequiredRunner = Annotated[
    str, typer.Option("--runner", help="Runner's alias (a name or nickname).", show_default=False)
]


@app.command(epilog=_STORE_EXITS)
def profile(
    runner: RequiredRunner,
    sex: Annotated[
        SexChoice | None,
        typer.Option(help="Sex: chooses the endurance norms of test, checkup, triage, report."),
    ] = None,
    population: Annotated[
        PopulationChoice | None,
        typer.Option(
            help="general or athlete endurance norms, for every command \\[default: general].",
            show_default=False,
        ),
    ] = None,
    age_band: Annotated[
        str | None, typer.Option("--age-band", help="Age band, e.g. 30-39.")
    ] = None,
    height_cm: HeightCm = None,
    history: Annotated[
        str | None, typer.Option("--history", help="Running history in your own words.")
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print the profile as JSON.")] = False,
) -> None:
    """Create or update a runner's profile; show it with a summary of what is stored."""
    from upright.cli.record import run_profile_command

    run_guarded(
        lambda: run_profile_command(
            runner,
            sex=None if sex is None else sex.value,
            population=None
            if population is None
            else ("athlete" if population == PopulationChoice.athlete else "general"),
            age_band=age_band,
            height_cm=height_cm,
            history=history,
            json_out=json_out,
            console=console,
        )
    )


@app.command(epilog=_STORE_EXITS)
def clearance(
    runner: RequiredRunner,
    clinician: Annotated[
        str,
        typer.Option("--clinician", help="Who cleared you, e.g. 'Dr Lee, GP'.", show_default=False),
    ],
    clears: Annotated[
        str | None,
        typer.Option("--clears", help="What it clears, in your words. \\[default: exercise plan]"),
    ] = None,
    date: Annotated[
        datetime | None,
        typer.Option(
            "--date",
            formats=["%Y-%m-%d"],
            help="Day the clinician cleared you, today or earlier. \\[default: today]",
        ),
    ] = None,
) -> None:
    """Record that a clinician has cleared the runner to exercise.

    It lifts the plan block of same-day and review-level red flags; never an emergency.
    A clearance needs the clinician's name and a date that is not in the future.
    """
    from upright.cli.record import run_clearance_command

    day = None if date is None else date.date()
    run_guarded(lambda: run_clearance_command(runner, clinician, clears, console, day))


@app.command(epilog=_STORE_EXITS)
def export(
    runner: RequiredRunner,
    out: Annotated[
        Path, typer.Option("--out", help="Backup file to write (JSON).", show_default=False)
    ],
) -> None:
    """Write a runner's whole record to one JSON file (upright.backup/1)."""
    from upright.cli.record import run_export_command

    run_guarded(lambda: run_export_command(runner, out, console))


@app.command("import-backup", epilog=_STORE_EXITS)
def import_backup(
    file: Annotated[
        Path, typer.Argument(help="A backup written by `upright export`.", show_default=False)
    ],
    merge: Annotated[
        bool,
        typer.Option("--merge", help="Add to an existing runner of that alias (else refuse)."),
    ] = False,
) -> None:
    """Restore a runner from a backup file, all or nothing."""
    from upright.cli.record import run_import_backup_command

    run_guarded(lambda: run_import_backup_command(file, merge, console))


_PLAN_HELP = (
    "Exit codes: 0 done; 2 bad input, no stored check-up, or the plan is blocked by an open "
    "same-day, review-level or unanswered red flag (a clinician clearance, `upright "
    "clearance`, lifts same-day and review blocks); 3 EMERGENCY: the latest check-up "
    "answered an emergency red flag, seek emergency care now; 130 stopped with Ctrl+C. "
    + _STORE_HELP
)


@app.command(epilog=_PLAN_HELP)
def plan(
    runner: RequiredRunner,
    sessions_per_week: Annotated[
        int, typer.Option("--sessions-per-week", min=3, max=5, help="Sessions a week.")
    ] = 3,
    weeks: Annotated[int, typer.Option("--weeks", min=1, max=52, help="Weeks of the plan.")] = 7,
    start: Annotated[
        datetime | None,
        typer.Option(
            "--start", formats=["%Y-%m-%d"], help="Date of the first session. \\[default: today]"
        ),
    ] = None,
    ics: Annotated[
        Path | None, typer.Option("--ics", help="Also write the plan as an iCalendar file.")
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print the plan as JSON.")] = False,
) -> None:
    """Weekly exercise plan from the runner's latest stored check-up.

    Exit 2 while a red flag blocks it (until `upright clearance`), exit 3 on an emergency.
    """
    from upright.cli.plan import run_plan_command

    run_guarded(
        lambda: run_plan_command(
            runner,
            sessions_per_week,
            weeks,
            None if start is None else start.date(),
            ics,
            json_out,
            console,
        )
    )


@app.command(epilog=_STORE_EXITS)
def report(
    runner: RequiredRunner,
    out: Annotated[
        Path | None, typer.Option("--out", help="Output folder. \\[default: ./ALIAS-report]")
    ] = None,
    analysis: Annotated[
        Path | None,
        typer.Option(
            "--analysis",
            help="A folder upright analyze wrote: its frame.jpg goes into the report. "
            "\\[default: the frame stored with the latest analysis]",
        ),
    ] = None,
    sessions_per_week: Annotated[
        int, typer.Option("--sessions-per-week", min=3, max=5, help="Sessions a week.")
    ] = 3,
    weeks: Annotated[int, typer.Option("--weeks", min=1, max=52, help="Weeks of the plan.")] = 7,
    json_out: Annotated[bool, typer.Option("--json", help="Print report.json.")] = False,
) -> None:
    """One report of the runner's record: HTML (works offline) and PDF, plus plan.ics.

    Red flags, triage with its reasons, posture, endurance against norms, the plan at the
    current stage, and pain, endurance and lean over time.
    """
    from upright.cli.jobs import run_report_job
    from upright.cli.progress import RichProgress
    from upright.cli.report import print_report_glance

    safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", runner.strip()).strip("-.") or "runner"
    folder = out or Path(f"{safe}-report")

    def action() -> None:
        with RichProgress(err_console) as progress:
            data, files = run_report_job(
                runner,
                folder,
                analysis_dir=analysis,
                sessions_per_week=sessions_per_week,
                weeks=weeks,
                progress=progress,
            )
        if json_out:
            print(data.model_dump_json(indent=2))
        else:
            print_report_glance(data, folder, files, console)

    run_guarded(action)


log_app = typer.Typer(
    cls=_Group,
    help="Log an exercise session or a run, then get the progression or running advice.",
    no_args_is_help=True,
)
app.add_typer(log_app, name="log")


class FormChoice(StrEnum):
    good = "good"
    poor = "poor"


LogDate = Annotated[
    datetime | None,
    typer.Option("--date", formats=["%Y-%m-%d"], help="Day it was done. \\[default: today]"),
]
PainDuring = Annotated[
    int,
    typer.Option(
        "--pain-during",
        min=0,
        max=10,
        help="Worst back pain during it (0 none, 10 worst imaginable).",
        show_default=False,
    ),
]
PainNextMorning = Annotated[
    int | None,
    typer.Option("--pain-next-morning", min=0, max=10, help="Back pain the next morning."),
]
_LOG_HELP = (
    "Exit codes: 0 stored and advised; 2 bad input, nothing stored; or stored without advice "
    "because the runner's latest check-up has an open same-day, review-level or unanswered "
    "red flag (a runner with no stored check-up has never answered the screen: "
    "incomplete); 3 stored without advice: the latest check-up answered an emergency red "
    "flag, seek emergency care now; 130 stopped with Ctrl+C. The same rule and codes as "
    "`upright plan`. " + _STORE_HELP
)


@log_app.command("session", epilog=_LOG_HELP)
def log_session(
    runner: RequiredRunner,
    exercise: Annotated[
        list[str],
        typer.Option(
            "--exercise",
            help="KEY=N for each exercise done (repeat it): the plan's exercise key, and N "
            "in the unit the plan prescribes for it, as `upright plan` shows (log KEY=N): "
            "seconds held in all for holds, reps in all for the others, each side for "
            "one-sided exercises. The session counts as done in full only when every "
            "prescribed exercise reaches its dose.",
            show_default=False,
        ),
    ],
    form: Annotated[
        FormChoice, typer.Option("--form", help="Form throughout.", show_default=False)
    ],
    pain_during: PainDuring,
    pain_next_morning: PainNextMorning = None,
    date: LogDate = None,
    incomplete: Annotated[
        bool,
        typer.Option(
            "--incomplete",
            help="The session was cut short: store it as partial whatever was logged.",
        ),
    ] = False,
    json_out: JsonResult = False,
) -> None:
    """Log an exercise session, then: progress, hold or regress, and why.

    Only a session done in full (every prescribed exercise at its dose) counts towards
    moving up a stage; a partial session is stored as partial. While a red flag is open
    the session is stored (as partial) but no decision is given (see below).
    """
    from upright.cli.log import exit_code_of, print_session_logged
    from upright.services.training_log import log_session as store_session

    def action() -> None:
        result = store_session(
            runner,
            exercises=exercise,
            form=form.value,
            pain_during=pain_during,
            pain_next_morning=pain_next_morning,
            day=None if date is None else date.date(),
            completed=not incomplete,
        )
        if json_out:
            print(result.model_dump_json(indent=2))
        else:
            print_session_logged(result, console, runner=runner)
        if code := exit_code_of(result):
            raise typer.Exit(code)

    run_guarded(action)


@log_app.command("run", epilog=_LOG_HELP)
def log_run(
    runner: RequiredRunner,
    pain_during: PainDuring,
    file: Annotated[
        Path | None,
        typer.Argument(help="The run's FIT, GPX or TCX file (else type the distance/duration)."),
    ] = None,
    distance_km: Annotated[
        float | None,
        typer.Option("--distance-km", min=0, help="Distance run (overrides the file)."),
    ] = None,
    duration_min: Annotated[
        float | None,
        typer.Option("--duration-min", min=0, help="Minutes run (overrides the file)."),
    ] = None,
    pain_after: Annotated[
        int | None,
        typer.Option("--pain-after", min=0, max=10, help="Back pain just after the run."),
    ] = None,
    pain_next_morning: PainNextMorning = None,
    pain_onset_km: PainOnsetKm = None,
    pain_onset_min: PainOnsetMin = None,
    date: LogDate = None,
    json_out: JsonResult = False,
) -> None:
    """Log a run, then the running-load advice (pain-monitoring model).

    While a red flag is open the run is stored but no advice is given (see below).
    """
    from upright.cli.log import exit_code_of, print_run_logged
    from upright.services.training_log import log_run as store_run

    def action() -> None:
        result = store_run(
            runner,
            pain_during=pain_during,
            file=file,
            distance_km=distance_km,
            duration_min=duration_min,
            pain_after=pain_after,
            pain_next_morning=pain_next_morning,
            pain_onset_km=pain_onset_km,
            pain_onset_min=pain_onset_min,
            day=None if date is None else date.date(),
        )
        if json_out:
            print(result.model_dump_json(indent=2))
        else:
            print_run_logged(result, console, runner=runner)
        if code := exit_code_of(result):
            raise typer.Exit(code)

    run_guarded(action)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
