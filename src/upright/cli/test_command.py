"""``upright test``: the endurance tests typed, guided by the timer, or timed from a clip
(``--video CLIP --test KEY``). Options and dispatch only; the work is in
:mod:`upright.cli.checkup` and :mod:`upright.cli.video_test`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

from upright.cli._app import (
    JsonResult,
    PopulationChoice,
    RunnerAlias,
    SexChoice,
    SideChoice,
    Workers,
    app,
    console,
    run_guarded,
)

_TEST_HELP = (
    "With --runner, the runner's latest stored check-up (and a stored clearance) decides, "
    "as for `upright plan`: while it has an open same-day, review-level or unanswered red "
    "flag, or no check-up is stored (never answered is never clear), no timer is started "
    "and no result judged; typed results are stored as given. Exit codes: 0 done; 2 bad "
    "input, or held back by such a flag; 3 EMERGENCY: the latest check-up answered an "
    "emergency red flag, seek emergency care now; 130 stopped with Ctrl+C. Without --runner "
    "no stored screen is read. A hold timed from a clip (--video) is measured first: a clip "
    "that cannot be timed stores nothing; while a flag is open the time is stored as "
    "measured, not judged, as typed results are."
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
    video: Annotated[
        Path | None,
        typer.Option(
            "--video",
            help="Time one test from a clip (MP4/MOV) by the test's stop rule: from position "
            "reached to position lost. Needs --test. Film as for `upright form`.",
            show_default=False,
        ),
    ] = None,
    keypoints: Annotated[
        Path | None,
        typer.Option(
            "--keypoints",
            help="Keypoints made elsewhere (as for `upright form`): alone, or with --video "
            "for that clip's keypoints.",
            show_default=False,
        ),
    ] = None,
    test_key: Annotated[
        str | None,
        typer.Option(
            "--test",
            help="The test the clip shows: flexor, extensor, side_bridge_right, "
            "side_bridge_left (or side_bridge with --side), supine_bridge, front_plank.",
            show_default=False,
        ),
    ] = None,
    side: Annotated[
        SideChoice | None,
        typer.Option(help="With --test side_bridge: the side down (the forearm on the floor)."),
    ] = None,
    fps: Annotated[
        float | None, typer.Option(help="Frame rate of keypoint files that do not state it.")
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
    workers: Workers = None,
    runner: RunnerAlias = None,
    json_out: JsonResult = False,
) -> None:
    """Endurance tests (McGill battery): protocols, norms, ratios, change vs last time.

    Without results, a guided timer takes you through every test in a random order with
    about 5 minutes' rest between two tests, as the protocol asks (McGill 1999): get ready
    5 s, then the seconds held are shown; press Enter the moment position is lost, or type
    s and Enter to skip a test (recorded as not done). Enter ends a rest early. The
    single-leg bridge reps are typed at the prompt.

    With --video CLIP --test KEY the clip times the hold: from the moment the position is
    reached to the moment it is lost by the test's stop rule (a side bridge's hip
    dropping), stored with the clip's name and when and why it ended.
    """
    sex_given: Literal["male", "female"] | None = (
        None if sex is None else ("male" if sex == SexChoice.male else "female")
    )
    population_given: Literal["general", "athlete"] | None = (
        None
        if population is None
        else ("athlete" if population == PopulationChoice.athlete else "general")
    )
    clip_options = (video, keypoints, test_key, side, fps, tilt_deg, workers)
    if any(option is not None for option in clip_options):
        from upright.cli.video_test import VideoTestJob, run_video_test_command

        video_job = VideoTestJob(
            test=test_key or "",
            video=video,
            keypoints=keypoints,
            side=None if side is None else ("left" if side == SideChoice.left else "right"),
            fps=fps,
            tilt_deg=tilt_deg,
            workers=workers,
            sex=sex_given,
            population=population_given,
            previous=previous,
            runner=runner,
            also_given=[
                name
                for name, given in (
                    ("typed results", bool(results) or typed),
                    ("--seed", seed is not None),
                    ("--in-order", in_order),
                )
                if given
            ],
        )
        run_guarded(lambda: run_video_test_command(video_job, json_out, console))
        return
    from upright.cli.checkup import EnduranceJob, run_test_command

    job = EnduranceJob(
        times=_split_times(results or []),
        typed=typed,
        sex=sex_given,
        population=population_given,
        previous=previous,
        runner=runner,
        seed=seed,
        in_order=in_order,
    )
    run_guarded(lambda: run_test_command(job, json_out, console))


def _split_times(items: list[str]) -> list[str]:
    """``--times "flexor=1 extensor=2"`` or repeated ``--times`` both work."""
    return [part for item in items for part in item.replace(",", " ").split()]
