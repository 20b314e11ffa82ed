"""Rendering of the commands' results in the terminal (Rich). No analysis logic here."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TypeVar

from rich.console import Console
from rich.panel import Panel
from rich.table import Table

from upright.cli.progress import RichProgress
from upright.services.analyze import Analysis, AnalysisOptions
from upright.summaries import DISCLAIMER, AnalysisSummary

__all__ = ["AnalyzeRequest", "RichProgress", "print_analysis", "run_analyze", "run_demo"]

_C = TypeVar("_C", bound=str)

#: The CLI's choices, as the literal types of :class:`AnalysisOptions`.
_SETTINGS: dict[str, Literal["auto", "treadmill", "overground"]] = {
    "auto": "auto",
    "treadmill": "treadmill",
    "overground": "overground",
}
_DIRECTIONS: dict[str, Literal["auto", "left", "right"]] = {
    "auto": "auto",
    "left": "left",
    "right": "right",
}


def _choice(option: str, value: str, choices: Mapping[str, _C]) -> _C:
    """``value`` as one of ``choices``; anything else is a programming error."""
    if value not in choices:
        raise ValueError(f"--{option} must be one of {', '.join(choices)}, not {value!r}")
    return choices[value]


@dataclass(frozen=True)
class AnalyzeRequest:
    video: Path | None
    keypoints: Path | None
    out: Path | None
    fps: float | None
    annotate: bool
    tilt_deg: float | None
    setting: str
    direction: str
    height_cm: float | None
    workers: int | None
    json_out: bool


def default_out(request: AnalyzeRequest) -> Path:
    if request.out is not None:
        return request.out
    src = request.video or request.keypoints or Path("upright")
    return Path.cwd() / f"{src.stem or src.name}-upright"


def run_analyze(request: AnalyzeRequest, console: Console) -> AnalysisSummary:
    from upright.cli.jobs import AnalyzeJob, run_analyze_job

    options = AnalysisOptions(
        tilt_deg=request.tilt_deg,
        setting=_choice("setting", request.setting, _SETTINGS),
        direction=_choice("direction", request.direction, _DIRECTIONS),
        height_cm=request.height_cm,
    )
    out = default_out(request)
    job = AnalyzeJob(
        out_dir=out,
        video=request.video,
        keypoints=request.keypoints,
        fps=request.fps,
        annotate=request.annotate,
        workers=request.workers,
        options=options,
    )
    with RichProgress(Console(stderr=True)) as progress:
        analysis = run_analyze_job(job, progress)
    if request.json_out:
        print(analysis.summary.model_dump_json(indent=2))
    else:
        print_analysis(analysis, out, console)
    return analysis.summary


def run_demo(
    out: Path, duration_s: float, annotate: bool, json_out: bool, console: Console
) -> None:
    from upright.cli.jobs import run_demo_job
    from upright.cli.report import print_report_glance

    with RichProgress(Console(stderr=True)) as progress:
        result = run_demo_job(out, duration_s=duration_s, annotate=annotate, progress=progress)
    if json_out:
        print(result.analysis.summary.model_dump_json(indent=2))
        return
    banner = Panel(
        "[bold yellow]SYNTHETIC DEMO RUNNER[/bold yellow] - a kinematic model and made-up "
        "logs, not a real person. Its true lean grows from 6 to 11 deg on day 1; see "
        "TRUTH.txt in the output folder.",
        expand=False,
    )
    console.print(banner)
    console.print("[bold]Day 1: the runner's clip[/bold]")
    print_analysis(result.analysis, out, console)
    console.print(
        "[bold]Three weeks later[/bold] (check-up, endurance tests, plan, 10 sessions and "
        "6 runs logged, a second clip in later-clip/):"
    )
    print_report_glance(result.report, out, result.files, console)
    console.print(banner)


def _fmt(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def print_analysis(analysis: Analysis, out: Path, console: Console) -> None:
    """Tables of metrics, drift and checks, then where the files are."""
    s = analysis.summary
    console.print(
        f"[bold]{Path(s.source.file).name or 'keypoints'}[/bold]: {s.source.n_frames} frames at "
        f"{s.source.fps:g} fps; running {s.setup.direction} ({s.setup.direction_source}), "
        f"{s.setup.setting} ({s.setup.setting_source}); camera tilt {s.setup.tilt_deg:+.1f} deg "
        f"({s.setup.tilt_source}); cadence {_fmt(s.cadence_spm, 0)} steps/min"
    )
    table = Table(title="Per stride (median, SD across strides)", title_justify="left")
    for col in ("metric", "value", "SD", "strides", "unit"):
        table.add_column(col, justify="left" if col == "metric" else "right")
    for m in s.metrics.values():
        table.add_row(m.description, f"{m.value:.2f}", f"{m.spread:.2f}", str(m.n_strides), m.unit)
    console.print(table)
    for d in s.drift:
        colour = "red" if d.flagged else "green"
        console.print(f"[{colour}]Drift of {d.metric}[/{colour}]: {d.reason}.")
    bad = [q for q in s.quality if not q.passed]
    for q in bad:
        console.print(f"[yellow]Check {q.name}:[/yellow] {q.message}")
    if not bad:
        console.print("[green]All quality checks passed.[/green]")
    for w in s.withheld:
        console.print(f"[dim]Withheld {w.metric}: {w.reason}[/dim]")
    for note in s.notes:
        console.print(f"[dim]Note: {note}[/dim]")
    console.print(f"Results in [bold]{out}[/bold]")
    console.print(f"[italic]{DISCLAIMER}[/italic]")
