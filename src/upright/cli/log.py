"""``upright log session`` and ``upright log run``: store, then print the advice."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape

from upright.program import load_catalogue
from upright.program.session_check import log_hint
from upright.services.training_log import RunLogged, SessionLogged

__all__ = ["print_run_logged", "print_session_logged"]

_ACTION_COLOURS = {"progress": "green", "hold": "yellow", "regress": "red"}
_ZONE_COLOURS = {"safe": "green", "acceptable": "yellow", "stop": "red"}


def print_session_logged(
    result: SessionLogged, console: Console, runner: str | None = None
) -> None:
    """The stored session, progress/hold/regress with the reason, then the next stage.

    ``runner`` is the alias put in the ``upright plan --runner`` hint (ALIAS when None).
    """
    catalogue = load_catalogue()
    done = ", ".join(
        f"{k} {v:g} {catalogue.get(k).dose.log_unit}" for k, v in result.exercises.items()
    )
    console.print(
        f"Session of {result.day.isoformat()} stored (stage {result.level}) as "
        f"[bold]{result.completion}[/bold]: {escape(done)}."
    )
    console.print(escape(result.check.reason))
    if result.completion == "partial":
        console.print("A partial session does not count towards moving up a stage.")
        for key in result.check.missing + [s.key for s in result.check.short]:
            console.print(f"  at its dose: --exercise {escape(log_hint(catalogue, key))}")
    d = result.decision
    colour = _ACTION_COLOURS[d.action]
    console.print(
        f"[bold {colour}]{d.action.upper()}[/bold {colour}] "
        f"(stage {d.current_level} -> {d.new_level}): {escape(d.advice)}"
    )
    alias = "ALIAS" if runner is None else runner
    console.print(
        f"Next sessions are at stage {d.new_level}: "
        f"upright plan --runner {escape(alias)} shows the updated schedule."
    )


def print_run_logged(result: RunLogged, console: Console) -> None:
    """The stored run, then the running-load advice."""
    parts = []
    if result.distance_km is not None:
        parts.append(f"{result.distance_km:g} km")
    if result.duration_min is not None:
        parts.append(f"{result.duration_min:g} min")
    source = f" from {escape(result.source_name)}" if result.source_name else ""
    console.print(f"Run of {result.day.isoformat()} stored{source}: {', '.join(parts)}.")
    console.print(
        f"Pain baseline {result.pain_baseline}/10: {escape(result.pain_baseline_source)}."
    )
    a = result.advice
    colour = _ZONE_COLOURS[a.zone]
    console.print(f"[bold {colour}]Pain zone: {a.zone}[/bold {colour}]. {escape(a.advice)}")
    if a.reduce_next_run:
        console.print("[bold]Reduce the next run.[/bold]")
