"""``upright compare``: parse the clips and their points, run the job, print the result.

Wiring and rendering only: services compare, report writes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from upright.errors import InputError
from upright.report.compare_outputs import write_compare_files
from upright.report.outputs import staged_output
from upright.services.compare import ClipInput, CompareOptions, Comparison, compare_clips
from upright.summaries import DISCLAIMER, CompareSummary, MetricComparisonSummary

__all__ = ["CompareJob", "parse_clip_args", "print_comparison", "run_compare_command"]

_EXAMPLE = "`upright compare early.mp4@1 late.mp4@15` or `upright compare a.mp4 b.mp4 --at 1,15`"


def _point(text: str, where: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise InputError(
            f"{where}: '{text}' is not a number",
            fix=f"Give each clip's point as a number, e.g. {_EXAMPLE}",
        ) from None
    if not math.isfinite(value):
        raise InputError(f"{where}: '{text}' is not a finite number", fix=f"Use {_EXAMPLE}")
    return value


def _split(arg: str) -> tuple[Path, float | None]:
    """``CLIP@POINT`` -> (clip, point); a path that exists as written keeps any '@'."""
    if "@" in arg and not Path(arg).exists():
        path, point = arg.rsplit("@", 1)
        return Path(path), _point(point, f"clip '{arg}'")
    return Path(arg), None


def parse_clip_args(args: Sequence[str], at: str | None) -> list[ClipInput]:
    """Clips with their points, from ``CLIP@POINT`` arguments or ``--at P1,P2,...``.

    Raises
    ------
    InputError
        A point is missing or not a number, both forms are mixed, or ``--at`` has a
        different number of points than clips.
    """
    split = [_split(a) for a in args]
    given = [p for _, p in split if p is not None]
    if at is not None:
        if given:
            raise InputError(
                "points were given both with '@' and with --at",
                fix=f"Use one of the two forms: {_EXAMPLE}",
            )
        points = [_point(p.strip(), "--at") for p in at.split(",") if p.strip()]
        if len(points) != len(split):
            raise InputError(
                f"--at has {len(points)} points for {len(split)} clips",
                fix="Give one point per clip, in the same order",
            )
        return [ClipInput(path, pt) for (path, _), pt in zip(split, points, strict=True)]
    missing = [str(path) for path, p in split if p is None]
    if missing:
        raise InputError(
            f"no point given for {', '.join(missing)}",
            fix=f"Say where in the run each clip was filmed: {_EXAMPLE}",
        )
    return [ClipInput(path, p) for path, p in split if p is not None]


@dataclass(frozen=True)
class CompareJob:
    """What ``upright compare`` was asked to do."""

    clips: list[ClipInput]
    out_dir: Path
    options: CompareOptions


def run_compare_job(job: CompareJob, console: Console | None = None) -> Comparison:
    """Compare the clips and write every output into ``job.out_dir``, all or nothing."""
    status_console = console or Console(stderr=True)
    with status_console.status("Analysing clips") as status:
        comparison = compare_clips(job.clips, job.options, status=lambda text: status.update(text))
        status.update("Writing results")
        with staged_output(job.out_dir) as stage:
            write_compare_files(comparison.summary, stage)
    return comparison


def run_compare_command(job: CompareJob, json_out: bool, console: Console) -> CompareSummary:
    comparison = run_compare_job(job, Console(stderr=True))
    if json_out:
        print(comparison.summary.model_dump_json(indent=2))
    else:
        print_comparison(comparison.summary, job.out_dir, console)
    return comparison.summary


def _metric_table(m: MetricComparisonSummary, unit: Literal["km", "min"]) -> Table:
    table = Table(title=f"{m.description} ({m.unit})", title_justify="left")
    for col in (unit, "median [95% CI]", "SD", "strides", "change [95% CI]", "MDC", "flag"):
        table.add_column(col, justify="right")
    changes = {c.index: c for c in m.changes}
    for lv in m.levels:
        ch = changes.get(lv.index)
        table.add_row(
            f"{lv.point:g}",
            f"{lv.median:.1f} [{lv.ci95_low:.1f}, {lv.ci95_high:.1f}]",
            f"{lv.sd:.1f}",
            str(lv.n_strides),
            f"{ch.change:+.1f} [{ch.ci95_low:+.1f}, {ch.ci95_high:+.1f}]" if ch else "-",
            f"{ch.mdc95:.1f}" if ch else "-",
            ("[bold red]FLAG[/bold red]" if ch.flagged else "no") if ch else "-",
        )
    return table


def print_comparison(s: CompareSummary, out: Path, console: Console) -> None:
    """Clips and the pain onset, tables per metric, reasons, warnings and notes, then
    where the files are."""
    for clip in s.clips:
        cached = " (cached analysis)" if clip.from_cache else ""
        console.print(
            f"Clip {clip.index} at {clip.point:g} {s.unit}: [bold]{Path(clip.file).name}"
            f"[/bold]{cached}, {clip.n_strides} strides, tilt {clip.tilt_deg:+.1f} deg"
        )
    if s.pain_onset is not None:
        console.print(f"[bold magenta]Pain:[/bold magenta] {escape(s.pain_onset.description)}")
    for m in s.metrics:
        console.print(_metric_table(m, s.unit))
        for ch in m.changes:
            colour = "red" if ch.flagged else "green"
            console.print(f"[{colour}]{m.metric}[/{colour}]: {ch.reason}.")
        if m.trend is not None:
            colour = "red" if m.trend.flagged else "green"
            console.print(f"[{colour}]Trend of {m.metric}[/{colour}]: {m.trend.reason}.")
    for warning in s.setup_warnings:
        console.print(f"[yellow]Warning:[/yellow] {warning}")
    for item in s.withheld:
        console.print(f"[dim]Withheld {item.metric}: {item.reason}[/dim]")
    for note in s.notes:
        console.print(f"[dim]Note: {note}[/dim]")
    console.print(f"Results in [bold]{out}[/bold]")
    console.print(f"[italic]{DISCLAIMER}[/italic]")
