"""``upright plan``: the weekly exercise schedule from the runner's latest check-up."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from upright.cli._screen import EXIT_BLOCKED, blocked_exit_code
from upright.program import Plan, plan_to_ics
from upright.program.plan import STAGE_SOURCE, STAGE_TITLES

__all__ = ["EXIT_BLOCKED", "print_plan", "run_plan_command"]


def run_plan_command(
    runner: str,
    sessions_per_week: int,
    weeks: int,
    start: dt.date | None,
    ics: Path | None,
    json_out: bool,
    console: Console,
) -> None:
    """Build, print and optionally export the plan; exit 3/2 when it is blocked (the same
    rule and codes as ``upright log`` and ``upright test``)."""
    from upright.services.runner_program import plan_for_runner, write_text_atomic

    built = plan_for_runner(
        runner,
        sessions_per_week=sessions_per_week,
        weeks=weeks,
        start_date=start or dt.date.today(),
    )
    plan = built.plan
    if json_out:
        print(plan.model_dump_json(indent=2))
    else:
        print_plan(plan, console)
    if plan.blocked:
        raise typer.Exit(blocked_exit_code(built.screen))
    if ics is not None:
        write_text_atomic(ics, plan_to_ics(plan))
        if not json_out:
            console.print(f"Calendar written: {escape(str(ics))}")


def print_plan(plan: Plan, console: Console) -> None:
    """The stage and why, the schedule table and the choices behind it; or the block."""
    if plan.blocked:
        console.print("[bold red]The exercise plan is blocked.[/bold red]")
        console.print(escape(plan.blocked_reason))
        return
    console.print(
        f"[bold]Exercise plan[/bold]: {plan.weeks} weeks, {plan.sessions_per_week} sessions "
        f"a week from {plan.start_date.isoformat()}, stage {plan.stage} "
        f"({STAGE_TITLES[plan.stage]})."
    )
    for choice in plan.choices:
        if choice.source == STAGE_SOURCE:
            console.print(f"Why stage {plan.stage}: {escape(choice.reason)}")
    table = Table(title="Schedule", title_justify="left", show_lines=True)
    for col in ("week", "date", "exercises (dose)", "min"):
        table.add_column(col, justify="right" if col in ("week", "min") else "left")
    for s in plan.sessions:
        exercises = "\n".join(f"{escape(p.name)}: {escape(p.dose)}" for p in s.exercises)
        table.add_row(
            str(s.week),
            f"{s.date.isoformat()} ({s.date.strftime('%a')})",
            exercises,
            f"{s.duration_min:g}",
        )
    console.print(table)
    for choice in plan.choices:
        if choice.source == STAGE_SOURCE:
            continue
        console.print(
            f"- {escape(choice.what)}: {escape(choice.reason)} [dim]({escape(choice.source)})[/dim]"
        )
    if plan.posture_cues:
        console.print("[bold]Posture cues[/bold]")
        for cue in plan.posture_cues:
            console.print(f"  {escape(cue)}")
    if plan.running_load_advice:
        console.print(f"[bold]Running load[/bold]: {escape(plan.running_load_advice)}")
    console.print(f"[bold]Progression[/bold]: {escape(plan.progression_rule)}")
