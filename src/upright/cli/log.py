"""``upright log session`` and ``upright log run``: store, then print the advice.

While the runner's red-flag screen blocks the plan the log is stored, the screen and its
advice are printed instead of any progression or running-load advice, and the command
exits as ``upright plan`` does (:func:`exit_code_of`).
"""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape

from upright.cli._screen import blocked_exit_code, print_held_back
from upright.services.training_log import RunLogged, SessionLogged

__all__ = ["exit_code_of", "print_run_logged", "print_session_logged"]

_ACTION_COLOURS = {"progress": "green", "hold": "yellow", "regress": "red"}
_ZONE_COLOURS = {"safe": "green", "acceptable": "yellow", "stop": "red"}


def print_session_logged(
    result: SessionLogged, console: Console, runner: str | None = None
) -> None:
    """The stored session, progress/hold/regress with the reason, then the next stage.

    ``runner`` is the alias put in the ``upright plan --runner`` hint (ALIAS when None).
    """
    done = ", ".join(f"{k} {v:g}" for k, v in result.exercises.items())
    stored = f"Session of {result.day.isoformat()} stored (stage {result.level}): {done}."
    alias = "ALIAS" if runner is None else runner
    d = result.decision
    if d is None:  # an open red flag: its advice, and no progression decision
        print_held_back(result.red_flags, console, "progression advice", alias, stored)
        return
    console.print(escape(stored))
    colour = _ACTION_COLOURS[d.action]
    console.print(
        f"[bold {colour}]{d.action.upper()}[/bold {colour}] "
        f"(stage {d.current_level} -> {d.new_level}): {escape(d.advice)}"
    )
    console.print(
        f"Next sessions are at stage {d.new_level}: "
        f"upright plan --runner {escape(alias)} shows the updated schedule."
    )


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
    colour = _ZONE_COLOURS[a.zone]
    console.print(f"[bold {colour}]Pain zone: {a.zone}[/bold {colour}]. {escape(a.advice)}")
    if a.reduce_next_run:
        console.print("[bold]Reduce the next run.[/bold]")


def exit_code_of(result: SessionLogged | RunLogged) -> int:
    """0 when advice was given; else the plan's exit code for the open red flag."""
    held = result.decision is None if isinstance(result, SessionLogged) else result.advice is None
    return blocked_exit_code(result.red_flags) if held else 0
