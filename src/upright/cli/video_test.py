"""``upright test --video CLIP --test KEY``: wiring and output of a hold timed from a clip.

The clip is checked and timed before anything is stored: a clip that cannot be timed
(nobody in view, another exercise, the position never reached, still held at the end)
stores nothing. With a runner whose red-flag screen blocks the plan, the time is stored
as measured, unjudged, exactly as typed results are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import typer
from rich.console import Console
from rich.markup import escape

from upright.cli._screen import blocked_exit_code, print_held_back
from upright.cli.checkup import print_endurance
from upright.errors import InputError
from upright.form.definitions import Side
from upright.services.endurance_test import PROTOCOLS, build_results
from upright.summaries import DISCLAIMER

if TYPE_CHECKING:
    from upright.services.video_test import VideoTiming

__all__ = ["VideoTestJob", "run_video_test_command"]

_FIELD_OF = {p.key: p.field for p in PROTOCOLS}
_ENDED_BY = {
    "stop rule": "the test's stop rule",
    "position lost": "the position lost",
    "time limit": "the protocol's time limit",
}


@dataclass(frozen=True)
class VideoTestJob:
    """What ``upright test --video/--keypoints --test KEY`` was asked to do."""

    test: str
    video: Path | None
    keypoints: Path | None
    side: Side | None = None
    fps: float | None = None
    tilt_deg: float | None = None
    workers: int | None = None
    sex: Literal["male", "female"] | None = None
    population: Literal["general", "athlete"] | None = None
    previous: Path | None = None
    runner: str | None = None
    also_given: list[str] = field(default_factory=list)  # typed or guided-timer options


def _check_job(job: VideoTestJob) -> tuple[Path, str]:
    """The clip (or keypoint file) and test key; a job that mixes modes is refused."""
    if job.also_given:
        raise InputError(
            f"a clip times one test; {', '.join(job.also_given)} cannot go with it",
            fix="Run the clip on its own: upright test --video CLIP --test KEY",
        )
    source = job.video or job.keypoints  # with both, the keypoints are the clip's
    if source is None:
        raise InputError(
            "--test, --side, --tilt-deg, --fps and --workers time a test from a clip, and "
            "no clip was given",
            fix="Add --video CLIP (or --keypoints FILE), or type the result: upright test "
            "KEY=SECONDS",
        )
    if not job.test:
        raise InputError(
            f"which test does {source.name} show?",
            fix="Add --test KEY: flexor, extensor, side_bridge_right, side_bridge_left, "
            "supine_bridge or front_plank",
        )
    return source, job.test


def run_video_test_command(job: VideoTestJob, json_out: bool, console: Console) -> None:
    """Time the hold, then judge and store it as a typed result would be."""
    from upright.cli.progress import RichProgress
    from upright.services.cache import hash_file
    from upright.services.endurance_test import read_previous, run_endurance_test
    from upright.services.load import load_pose
    from upright.services.video_test import VideoTestReport, resolve_video_test, time_test

    source, key = _check_job(job)
    test = resolve_video_test(key, job.side)
    sex, population = job.sex, job.population or "general"
    if job.runner is not None:  # a wrong alias or norms unlike the profile fail first
        from upright.services.runner_record import norms_for_runner

        sex, population = norms_for_runner(job.runner, job.sex, job.population)
    previous = read_previous(job.previous) if job.previous is not None else None
    with RichProgress(Console(stderr=True)) as bar:
        ds, kind = load_pose(
            job.video,
            job.keypoints,
            fps=job.fps,
            workers=job.workers,
            start=bar.start,
            advance=bar.advance,
        )
        bar.start("Timing the hold", None)
        timing = time_test(
            ds,
            test,
            source=source,
            source_kind="video" if kind == "video" or job.video is not None else "keypoints",
            sha256=hash_file(source),
            tilt_deg=job.tilt_deg,
        )
    results = build_results({timing.test: timing.held_s}, sex, population)
    clips = {_FIELD_OF[timing.test]: timing.clip()}
    stored_before = None
    if job.runner is not None:
        from upright.services.red_flag_gate import hold_back_test
        from upright.services.runner_record import clip_stored_at, endurance_for_runner

        field = _FIELD_OF[timing.test]
        stored_before = clip_stored_at(job.runner, field, timing.sha256)
        held = hold_back_test(job.runner, results, clips)
        if held is not None:
            if json_out:
                print(
                    VideoTestReport(timing=timing, result=None, held_back=held).model_dump_json(
                        indent=2
                    )
                )
            else:
                _print_timing(timing, console)
                what = "endurance test (the time is not judged)"
                stored = _stored_line(job.runner, timing, stored_before, judged=False)
                print_held_back(held.red_flags, console, what, job.runner, stored)
            raise typer.Exit(blocked_exit_code(held.red_flags))
        report = endurance_for_runner(job.runner, results, previous, job.previous, clips)
    else:
        report = run_endurance_test(results, previous, job.previous)
    if json_out:
        print(VideoTestReport(timing=timing, result=report).model_dump_json(indent=2))
        return
    _print_timing(timing, console)
    print_endurance(report.assessment, console)
    if job.runner is not None:
        console.print(escape(_stored_line(job.runner, timing, stored_before, judged=True)))
    console.print(f"[italic]{DISCLAIMER}[/italic]")


def _stored_line(
    alias: str, timing: VideoTiming, stored_before: datetime | None, *, judged: bool
) -> str:
    if stored_before is not None:
        return (
            f"This clip's {timing.test} was already stored for runner {alias} on "
            f"{stored_before.astimezone():%Y-%m-%d %H:%M}; it is not stored twice."
        )
    how = "" if judged else " as measured, not judged"
    return f"Stored for runner {alias}{how}, {timing.described()}."


def _print_timing(timing: VideoTiming, console: Console) -> None:
    if timing.synthetic:
        console.print("[bold yellow]SYNTHETIC FIGURE[/bold yellow] - not a real person.")
    console.print(
        f"[bold]{escape(timing.test_name)}[/bold], timed from {escape(timing.source_file)}: "
        f"[bold]{timing.held_s:.1f} s[/bold], from position reached at "
        f"{timing.reached_at_s:.1f} s to {timing.ended_at_s:.1f} s, ended by "
        f"{_ENDED_BY[timing.ended_by]}: {escape(timing.ended_reason)}."
    )
    for note in timing.notes:
        console.print(f"[dim]Note: {escape(note)}[/dim]")
