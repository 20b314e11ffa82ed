"""``upright report`` and the demo's closing lines: what the report found, where it is."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.markup import escape

from upright.report._plotting import test_name
from upright.services.report import ReportData, latest_timed_from_video

__all__ = ["print_report_glance"]


def print_report_glance(data: ReportData, out: Path, files: list[str], console: Console) -> None:
    """A few lines: red flags, likely causes, lean change, endurance, stage, and the files."""
    if data.red_flags is None:
        console.print("Red flags: [yellow]not screened yet[/yellow] (run upright checkup).")
    else:
        screen = data.red_flags
        colour = "green" if screen.status == "clear" else "red"
        console.print(f"Red flags: [{colour}]{escape(screen.status.replace('_', ' '))}[/{colour}].")
        if screen.hits or screen.plan_blocked:
            advice = screen.advice.replace(screen.disclaimer, "").strip()
            console.print(f"[bold red]{escape(advice)}[/bold red]")
    if data.triage is not None and not data.triage.stopped:
        verdicts = ", ".join(f"{v.cause} {v.verdict}" for v in data.triage.verdicts)
        console.print(f"Triage: {escape(verdicts)}.")
    if data.lean_change is not None:
        c = data.lean_change
        noise = "beyond noise" if c.beyond_noise else "within noise"
        console.print(
            f"Trunk lean since the first clip: {c.change_deg:+.1f} deg ({noise}, "
            f"MDC {c.mdc95_deg:.1f} deg)."
        )
    if data.endurance is not None:
        if not data.endurance.changes:
            console.print("Endurance: first test stored; the next test shows the change.")
        for change in data.endurance.changes:
            name = test_name(change.test)
            console.print(
                f"Endurance, {escape(name)}: {change.change_s:+.0f} s ({escape(change.verdict)})."
            )
        for key, mark in latest_timed_from_video(data.endurance_history).items():
            console.print(f"Endurance, {escape(test_name(key))}: {escape(mark)}.")
    if data.plan is not None:
        if data.plan.blocked:
            console.print("[bold red]The exercise plan is blocked[/bold red] (see the report).")
        else:
            console.print(
                f"Plan: stage {data.plan.stage}, {data.plan.sessions_per_week} sessions a week."
            )
    elif data.plan_note:
        console.print(f"Plan: {escape(data.plan_note)}")
    written = ", ".join(files)
    console.print(f"Report written to [bold]{escape(str(out))}[/bold]: {escape(written)}")
