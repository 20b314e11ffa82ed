"""``upright log session`` and ``upright log run``: store, then print the advice.

While the runner's red-flag screen blocks the plan the log is stored, the screen and its
advice are printed instead of any progression or running-load advice, and the command
exits as ``upright plan`` does (:func:`exit_code_of`).
"""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape

from upright.cli._screen import blocked_exit_code, print_held_back
from upright.program import load_catalogue
from upright.program.session_check import log_hint
from upright.services.training_log import RunLogged, SessionLogged

__all__ = ["exit_code_of", "print_run_logged", "print_session_logged"]

_ACTION_COLOURS = {"progress": "green", "hold": "yellow", "regress": "red"}
_ZONE_COLOURS = {"safe": "green", "acceptable": "yellow", "stop": "red"}


def print_session_logged(
    result: SessionLogged, console: Console, runner: str | None = None
) -> None:
    """The stored session (done in full or partial, and why), progress/hold/regress with
    the reason, then the next stage; while a red flag is open, its advice instead.

    ``runner`` is the alias put in the ``upright plan --runner`` hint (ALIAS when None).
    """
    catalogue = load_catalogue()
    done = ", ".join(
        f"{k} {v:g} {catalogue.get(k).dose.log_unit}" for k, v in result.exercises.items()
    )
    stored = f"Session of {result.day.isoformat()} stored (stage {result.level})"
    alias = "ALIAS" if runner is None else runner
    d = result.decision
    if d is None:  # an open red flag: its advice, and no progression decision
        clips = f" Clips stored: {len(result.measured)}." if result.measured else ""
        held = f"{stored} as {result.completion}: {done}. {result.check.reason}{clips}"
        print_held_back(result.red_flags, console, "progression advice", alias, held)
        return
    console.print(f"{escape(stored)} as [bold]{result.completion}[/bold]: {escape(done)}.")
    _print_measured(result, console)
    console.print(escape(result.check.reason))
    if result.completion == "partial":
        console.print("A partial session does not count towards moving up a stage.")
        for key in result.check.missing + [s.key for s in result.check.short]:
            console.print(f"  at its dose: --exercise {escape(log_hint(catalogue, key))}")
    colour = _ACTION_COLOURS[d.action]
    console.print(
        f"[bold {colour}]{d.action.upper()}[/bold {colour}] "
        f"(stage {d.current_level} -> {d.new_level}): {escape(d.advice)}"
    )
    console.print(
        f"Next sessions are at stage {d.new_level}: "
        f"upright plan --runner {escape(alias)} shows the updated schedule."
    )


def _print_measured(result: SessionLogged, console: Console) -> None:
    """Each clip's measurement, then how the session's form was decided."""
    for m in result.measured:
        name = m.exercise if m.side is None else f"{m.exercise} ({m.side} side)"
        line = (
            f"  {name}, {m.clip_name}: held {m.held_s:.1f} s, {m.good_form_s:.1f} s with good form"
        )
        if m.reps is not None:
            line += f"; {m.reps} reps, {m.good_reps} with good form"
        if m.first_fault is not None and m.first_fault_s is not None:
            line += f"; form first lost at {m.first_fault_s:.1f} s ({m.first_fault})"
        console.print(escape(line + "."))
    if result.form_note:
        colour = "green" if result.form == "good" else "yellow"
        console.print(f"[{colour}]{escape(result.form_note)}[/{colour}]")


def print_run_logged(result: RunLogged, console: Console, runner: str | None = None) -> None:
    """The stored run, then the running-load advice (or the open red flag's advice)."""
    parts = []
    if result.distance_km is not None:
        parts.append(f"{result.distance_km:g} km")
    if result.duration_min is not None:
        parts.append(f"{result.duration_min:g} min")
    source = f" from {result.source_name}" if result.source_name else ""
    stored = f"Run of {result.day.isoformat()} stored{source}: {', '.join(parts)}."
    a = result.advice
    if a is None:  # an open red flag: its advice, and no running-load advice
        alias = "ALIAS" if runner is None else runner
        print_held_back(result.red_flags, console, "running-load advice", alias, stored)
        return
    console.print(escape(stored))
    console.print(
        f"Pain baseline {result.pain_baseline}/10: {escape(result.pain_baseline_source)}."
    )
    colour = _ZONE_COLOURS[a.zone]
    console.print(f"[bold {colour}]Pain zone: {a.zone}[/bold {colour}]. {escape(a.advice)}")
    if a.reduce_next_run:
        console.print("[bold]Reduce the next run.[/bold]")


def exit_code_of(result: SessionLogged | RunLogged) -> int:
    """0 when advice was given; else the plan's exit code for the open red flag."""
    held = result.decision is None if isinstance(result, SessionLogged) else result.advice is None
    return blocked_exit_code(result.red_flags) if held else 0
