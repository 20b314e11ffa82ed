"""``upright import``: the whole job (:mod:`upright.workflows.imports`) with a Rich
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
from upright.summaries import RunSummary
from upright.workflows.imports import ImportJob, run_import_job

__all__ = ["ImportJob", "default_out_dir", "print_run", "run_import_command", "run_import_job"]


def default_out_dir(file: Path) -> Path:
    """``./<file stem>-upright-run``."""
    return Path.cwd() / f"{file.stem or file.name}-upright-run"


def run_import_command(job: ImportJob, json_out: bool, console: Console) -> RunSummary:
    """Run the job, then print the summary (JSON to stdout with ``json_out``)."""
    with RichProgress(Console(stderr=True)) as progress:
        run = run_import_job(job, progress)
    if json_out:
        print(run.summary.model_dump_json(indent=2))
    else:
        print_run(run.summary, job.out_dir, console)
    return run.summary


def _duration(seconds: float) -> str:
    h, rest = divmod(round(seconds), 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


#: Rows of the thirds table: metric key -> (label, digits).
_THIRD_ROWS = {
    "heart_rate_bpm": ("heart rate (bpm)", 0),
    "cadence_spm": ("cadence (steps/min)", 1),
    "stance_time_ms": ("stance time (ms)", 0),
    "vertical_oscillation_mm": ("vertical oscillation (mm)", 1),
    "vertical_ratio_pct": ("vertical ratio (%)", 1),
    "step_length_mm": ("step length (mm)", 0),
    "power_w": ("power (W)", 0),
}


def _header(s: RunSummary) -> str:
    src = s.source
    sport = "sport not stated" if src.sport == "not stated" else src.sport
    parts = [f"[bold]{escape(Path(src.file).name)}[/bold]: {sport}"]
    if src.start_utc:
        parts.append(f"on {src.start_utc[:16].replace('T', ' ')} UTC")
    if src.device:
        parts.append(f"recorded by {escape(src.device)}")
    line = " ".join(parts)
    dist = f"{s.distance_km:.2f} km in " if s.distance_km is not None else ""
    pace = f", pace {s.pace}/km" if s.pace else ""
    return f"{line}\n{dist}{_duration(s.duration_s)} (moving {_duration(s.moving_time_s)}){pace}"


def _thirds_table(s: RunSummary) -> Table:
    unit = "km" if s.axis == "distance" else "min"
    digits = 1 if (s.distance_km or 0.0) >= 3.0 else 2
    table = Table(title="Per third of the run (means over running samples)", title_justify="left")
    table.add_column("")
    for t in s.thirds:
        span = (
            f"{t.start_km:.{digits}f}-{t.end_km:.{digits}f} km"
            if t.start_km is not None and t.end_km is not None
            else f"{t.start_min:.0f}-{t.end_min:.0f} {unit}"
        )
        table.add_column(span, justify="right")
    if s.axis == "distance":
        table.add_row("pace (min/km)", *[t.pace or "-" for t in s.thirds])
    keys = list(s.thirds[0].metrics) if s.thirds else []
    for key in keys:
        label, digits = _THIRD_ROWS.get(key, (key, 1))
        table.add_row(escape(label), *[fmt(t.metrics.get(key), digits) for t in s.thirds])
    return table


def _signs_table(s: RunSummary) -> Table:
    table = Table(title="Fatigue signs (trend over the run)", title_justify="left")
    for col in ("sign", "verdict", "first -> last third", "change [95% CI]", "MDC", "flag at"):
        table.add_column(col, justify="left" if col in ("sign", "verdict") else "right")
    for sign in s.fatigue_signs:
        colour = SIGN_COLOURS[sign.status]
        thirds = (
            f"{sign.first_third:.0f} -> {sign.last_third:.0f} {sign.value_unit}"
            if sign.first_third is not None
            and sign.last_third is not None
            and sign.status != "withheld"  # a withheld sign shows no figure to misread
            else "-"
        )
        change = change_text(sign.change, sign.ci95_low, sign.ci95_high, sign.change_unit)
        direction = "-" if sign.fatigue_direction == "falling" else "+"
        table.add_row(
            sign.label,
            f"[{colour}]{sign.status}[/{colour}]",
            thirds,
            change,
            fmt(sign.mdc95),
            f"{direction}{sign.threshold:g} {sign.change_unit}",
        )
    return table


def print_run(s: RunSummary, out: Path, console: Console) -> None:
    """The run at a glance: header, thirds, fatigue signs with reasons, files."""
    console.print(_header(s), highlight=False)
    print_pain(s.pain_onset, console)
    console.print(_thirds_table(s))
    console.print(_signs_table(s))
    print_reasons(s.fatigue_signs, console)
    if s.pace_note and not any(s.pace_note in sign.reason for sign in s.fatigue_signs):
        console.print(f"[dim]Pace: {escape(s.pace_note)}.[/dim]")
    print_closing(s.notes, out, console)
