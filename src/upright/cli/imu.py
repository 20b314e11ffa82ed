"""``upright imu``: the whole job (:mod:`upright.workflows.imports`) with a Rich
progress bar, and its Rich output."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from upright.cli._render import (
    SIGN_COLOURS,
    change_text,
    fmt,
    print_closing,
    print_pain,
    print_reasons,
)
from upright.cli.progress import RichProgress
from upright.summaries import ImuSummary
from upright.workflows.imports import ImuJob, run_imu_job

__all__ = ["ImuJob", "default_imu_out_dir", "print_imu", "run_imu_command", "run_imu_job"]


def default_imu_out_dir(file: Path) -> Path:
    """``./<file stem>-upright-imu``."""
    stem = file.name.split(".")[0] or file.name
    return Path.cwd() / f"{stem}-upright-imu"


def run_imu_command(job: ImuJob, json_out: bool, console: Console) -> ImuSummary:
    """Run the job, then print the summary (JSON to stdout with ``json_out``)."""
    with RichProgress(Console(stderr=True)) as progress:
        imu = run_imu_job(job, progress)
    if json_out:
        print(imu.summary.model_dump_json(indent=2))
    else:
        print_imu(imu.summary, job.out_dir, console)
    return imu.summary


def _header(s: ImuSummary) -> str:
    src = s.source
    when = f" on {src.start_utc[:16].replace('T', ' ')} UTC" if src.start_utc else ""
    dist = f", {s.distance_km:.2f} km" if s.distance_km is not None else ""
    colour = "green" if s.is_running else "yellow"
    return (
        f"[bold]{escape(Path(src.file).name)}[/bold]{when}: {s.duration_s / 60:.1f} min{dist}, "
        f"{src.sampling_rate_hz:.0f} Hz, sensor at the {src.placement}\n"
        f"[{colour}]{s.activity}[/{colour}]: {escape(s.activity_reason)}"
    )


def _thirds_table(s: ImuSummary) -> Table:
    table = Table(title="Per third of the recording (running minutes)", title_justify="left")
    table.add_column("")
    for t in s.thirds:
        span = (
            f"{t.start_km:.1f}-{t.end_km:.1f} km"
            if t.start_km is not None and t.end_km is not None
            else f"{fmt(t.start_min, 0)}-{fmt(t.end_min, 0)} min"
        )
        table.add_column(span, justify="right")
    table.add_row("running minutes", *[str(t.running_minutes) for t in s.thirds])
    table.add_row("cadence (steps/min)", *[fmt(t.cadence_spm) for t in s.thirds])
    table.add_row(
        "step regularity (%)",
        *[fmt(None if t.step_regularity is None else 100 * t.step_regularity, 0) for t in s.thirds],
    )
    table.add_row(f"{s.pitch_measures} pitch (deg)", *[fmt(t.pitch_deg) for t in s.thirds])
    return table


def _signs_table(s: ImuSummary) -> Table:
    table = Table(title="Fatigue signs (trend over the running minutes)", title_justify="left")
    for col in ("sign", "verdict", "change [95% CI]", "MDC", "flag at"):
        table.add_column(col, justify="left" if col in ("sign", "verdict") else "right")
    for sign in s.fatigue_signs:
        colour = SIGN_COLOURS[sign.status]
        change = change_text(sign.change, sign.ci95_low, sign.ci95_high, sign.unit)
        direction = "+" if sign.sign == "pitch_rising" else "-"
        table.add_row(
            sign.label,
            f"[{colour}]{sign.status}[/{colour}]",
            change,
            fmt(sign.mdc95),
            f"{direction}{sign.threshold:g} {sign.unit}",
        )
    return table


def print_imu(s: ImuSummary, out: Path, console: Console) -> None:
    """The recording at a glance: header, thirds, fatigue signs with reasons, files."""
    console.print(_header(s), highlight=False)
    if s.reference is not None:
        console.print(f"Upright reference: {escape(s.reference.description)}", highlight=False)
    print_pain(s.pain_onset, console)
    console.print(_thirds_table(s))
    console.print(_signs_table(s))
    print_reasons(s.fatigue_signs, console)
    print_closing(s.notes, out, console)
