"""``upright plan``: the weekly exercise schedule from the runner's latest check-up."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from upright.cli._screen import EXIT_BLOCKED, blocked_exit_code
from upright.program import Catalogue, Plan, load_catalogue, plan_to_ics
from upright.program.catalogue import form_guide
from upright.program.plan import STAGE_SOURCE, STAGE_TITLES, Session
from upright.program.session_check import log_hint

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


def _without(text: str, disclaimer: str) -> str:
    """``text`` without the disclaimer, which the plan prints once at its end."""
    return text.replace(disclaimer, "").strip()


def _count(n: int, thing: str) -> str:
    return f"{n} {thing}" + ("" if n == 1 else "s")


def _day(date: dt.date) -> str:
    return f"{date.strftime('%a')} {date.isoformat()}"


def _session_labels(plan: Plan) -> list[str]:
    """A letter per session: sessions with the same exercises and doses share it."""
    letters: dict[tuple[object, ...], str] = {}
    labels = []
    for s in plan.sessions:
        content = (s.duration_min, *((p.name, p.dose) for p in s.exercises))
        labels.append(letters.setdefault(content, chr(ord("A") + len(letters))))
    return labels


def _weeks(plan: Plan, labels: list[str]) -> list[list[tuple[int, str, Session]]]:
    """Each week's sessions as (weekday, label, session)."""
    weeks: list[list[tuple[int, str, Session]]] = [[] for _ in range(plan.weeks)]
    for label, s in zip(labels, plan.sessions, strict=True):
        weeks[s.week - 1].append((s.date.weekday(), label, s))
    return weeks


def _period_weeks(weeks: list[list[tuple[int, str, Session]]]) -> int:
    """The fewest weeks after which the days and sessions repeat (the plan's length when
    they never do)."""
    pattern = [[(day, label) for day, label, _ in week] for week in weeks]
    for period in range(1, len(pattern)):
        if all(pattern[w] == pattern[w - period] for w in range(period, len(pattern))):
            return period
    return len(pattern)


def _first_week_table(
    week: list[tuple[int, str, Session]], catalogue: Catalogue, lettered: bool
) -> Table:
    """Week 1, each exercise with its dose and how to log it (``log KEY=N``)."""
    table = Table(title="Week 1", title_justify="left", show_lines=True)
    columns = (
        ("day", "session", "exercises (dose)", "min")
        if lettered
        else ("day", "exercises (dose)", "min")
    )
    for col in columns:
        table.add_column(col, justify="right" if col == "min" else "left")
    first_day: dict[str, str] = {}
    for _, label, s in week:
        if label in first_day:
            exercises = f"as on {first_day[label]}"
        else:
            first_day[label] = s.date.strftime("%a")
            exercises = "\n".join(
                f"{escape(p.name)}: {escape(p.dose)} [dim](log {p.key}="
                f"{catalogue.get(p.key).dose.log_target:g})[/dim]"
                for p in s.exercises
            )
        cells = [_day(s.date), *([label] if lettered else []), exercises, f"{s.duration_min:g}"]
        table.add_row(*cells)
    return table


def _repeat_lines(plan: Plan, weeks: list[list[tuple[int, str, Session]]]) -> list[str]:
    """The weeks after the first, in as few lines as they repeat."""
    period = _period_weeks(weeks)
    lines = [
        f"Week {w + 1}: "
        + ", ".join(f"{s.date.strftime('%a')} {label}" for _, label, s in weeks[w])
        + "."
        for w in range(1, period)
    ]
    if period < plan.weeks:
        first = "week 1" if period == 1 else f"weeks 1-{period} in turn"
        lines.append(f"Weeks {period + 1}-{plan.weeks} repeat {first}, on the same days.")
    last = plan.sessions[-1].date
    lines.append(
        f"{_count(plan.weeks, 'week')}, {_count(len(plan.sessions), 'session')}, the last on "
        f"{_day(last)}; "
        "every date: upright plan --ics FILE or --json."
    )
    return lines


def print_plan(plan: Plan, console: Console) -> None:
    """The stage and why, the first week and how the weeks repeat, the choices behind
    them, cues, running load and progression; or the block. The disclaimer once, last."""
    if plan.blocked:
        console.print("[bold red]The exercise plan is blocked.[/bold red]")
        console.print(escape(_without(plan.blocked_reason, plan.disclaimer)))
        console.print(f"[italic]{escape(plan.disclaimer)}[/italic]")
        return
    console.print(
        f"[bold]Exercise plan[/bold]: {plan.weeks} weeks, {plan.sessions_per_week} sessions "
        f"a week from {plan.start_date.isoformat()}, stage {plan.stage} "
        f"({STAGE_TITLES[plan.stage]})."
    )
    for choice in plan.choices:
        if choice.source == STAGE_SOURCE:
            console.print(f"Why stage {plan.stage}: {escape(choice.reason)}")
    catalogue = load_catalogue()
    labels = _session_labels(plan)
    weeks = _weeks(plan, labels)
    console.print(_first_week_table(weeks[0], catalogue, lettered=len(set(labels)) > 1))
    for line in _repeat_lines(plan, weeks):
        console.print(escape(line), highlight=False)
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
        advice = _without(plan.running_load_advice, plan.disclaimer)
        console.print(f"[bold]Running load[/bold]: {escape(advice)}")
    rule = _without(plan.progression_rule, plan.disclaimer)
    console.print(f"[bold]Progression[/bold]: {escape(rule)}")
    _print_log_units(plan, catalogue, console)
    _print_form_guides(plan, catalogue, console)
    console.print(f"[italic]{escape(plan.disclaimer)}[/italic]")


def _print_log_units(plan: Plan, catalogue: Catalogue, console: Console) -> None:
    """What N counts in ``upright log session --exercise KEY=N``, per exercise planned."""
    keys = list(dict.fromkeys(p.key for s in plan.sessions for p in s.exercises))
    console.print(
        "[bold]Logging a session[/bold]: upright log session --exercise KEY=N for each "
        "exercise; it counts as done in full when each N reaches the plan's dose:"
    )
    for key in keys:
        console.print(f"  {escape(log_hint(catalogue, key))}")


def _print_form_guides(plan: Plan, catalogue: Catalogue, console: Console) -> None:
    """How to film each planned exercise for ``upright form`` and what the check looks at."""
    keys = list(dict.fromkeys(p.key for s in plan.sessions for p in s.exercises))
    console.print("[bold]Check your form on video[/bold] (upright form):")
    for key in keys:
        exercise = catalogue.get(key)
        guide = form_guide(exercise)
        if guide is None:
            console.print(f"  {escape(exercise.name)}: no video check for this exercise.")
            continue
        console.print(f"  {escape(exercise.name)}: {escape(guide.command)}", highlight=False)
        console.print(f"    Film it: {escape(guide.film)}", highlight=False)
        console.print(f"    The check looks at: {escape(guide.looks_at)}", highlight=False)
