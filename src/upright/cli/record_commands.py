"""Commands about a runner's record: check-up, triage, endurance test, profile,
clearance, export and import of backups, plan, report and logs."""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from upright.cli._app import (
    _EXITS,
    HeightCm,
    JsonResult,
    PainOnsetKm,
    PainOnsetMin,
    PopulationChoice,
    RunnerAlias,
    SexChoice,
    _Group,
    app,
    console,
    err_console,
    run_guarded,
)

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


# `upright test` lives in its own module; imported here so the help keeps its order.
from upright.cli import test_command  # noqa: E402, F401

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


_CLIP_HELP = (
    "Filmed exercises: each clip shows one exercise of the session, given as KEY=FILE, or "
    "KEY:SIDE=FILE (left or right) for one done on each side, which needs a clip of each "
    "side. The form is checked in every clip as `upright form` does; an exercise logs the "
    "seconds (or reps) done with good form, summed over its clips (the lower side for a "
    "one-sided exercise), and the session's form is set from the clips: form is poor when "
    "a fault cost part of the dose (fewer good-form seconds than the dose asks and than "
    "were held), good otherwise. --form then covers only the exercises given with "
    "--exercise; when every exercise is filmed, a --form the clips contradict is "
    "overridden, and the output says so. If any clip cannot be used (a bad file, nobody "
    "in view, a different exercise) nothing is stored. "
)


@log_app.command("session", epilog=_CLIP_HELP + _LOG_HELP)
def log_session(
    runner: RequiredRunner,
    pain_during: PainDuring,
    exercise: Annotated[
        list[str] | None,
        typer.Option(
            "--exercise",
            help="KEY=N for each exercise done (repeat it): the plan's exercise key, and N "
            "in the unit the plan prescribes for it, as `upright plan` shows (log KEY=N): "
            "seconds held in all for holds, reps in all for the others, each side for "
            "one-sided exercises. The session counts as done in full only when every "
            "prescribed exercise reaches its dose.",
            show_default=False,
        ),
    ] = None,
    video: Annotated[
        list[str] | None,
        typer.Option(
            "--video",
            help="KEY=CLIP or KEY:SIDE=CLIP for each filmed exercise (repeat it), e.g. "
            "front_plank=plank.mp4, side_plank:left=left.mp4: its form is measured "
            "(see below).",
            show_default=False,
        ),
    ] = None,
    keypoints: Annotated[
        list[str] | None,
        typer.Option(
            "--keypoints",
            help="KEY=FILE or KEY:SIDE=FILE: a filmed exercise given as a keypoint file "
            "(as `upright form --keypoints` reads) instead of a video.",
            show_default=False,
        ),
    ] = None,
    form: Annotated[
        FormChoice | None,
        typer.Option(
            "--form",
            help="Form throughout, for the exercises given with --exercise (needed for "
            "them); filmed exercises have their form measured.",
            show_default=False,
        ),
    ] = None,
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
    moving up a stage; a partial session is stored as partial. Film exercises with
    --video to have their form measured. While a red flag is open the session is stored
    (as partial) but no decision is given (see below).
    """
    from upright.cli.log import exit_code_of, print_session_logged
    from upright.services.session_form import parse_clips
    from upright.services.training_log import log_session as store_session

    def action() -> None:
        result = store_session(
            runner,
            exercises=exercise or [],
            form=None if form is None else form.value,
            pain_during=pain_during,
            pain_next_morning=pain_next_morning,
            day=None if date is None else date.date(),
            completed=not incomplete,
            clips=parse_clips(video or [], keypoints or []),
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
