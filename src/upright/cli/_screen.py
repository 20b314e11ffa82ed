"""The red-flag screen on the terminal, and the exit codes of advice it holds back.

``upright checkup`` and ``triage`` show the screen first; ``plan``, ``log`` and ``test``
show it instead of their advice while it blocks the plan, and exit with
:func:`blocked_exit_code`.
"""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.panel import Panel

from upright.assessment.redflags import RedFlagScreen

__all__ = [
    "EXIT_BLOCKED",
    "EXIT_EMERGENCY",
    "blocked_exit_code",
    "print_emergency",
    "print_held_back",
    "print_screen",
]

#: Exit code of a check-up whose red-flag screen says: emergency care now.
EXIT_EMERGENCY = 3
#: Exit code of an advice path (plan, log, test) held back by an open same-day, review
#: or unanswered red flag.
EXIT_BLOCKED = 2

_SCREEN_COLOURS = {
    "emergency": "bold white on red",
    "same_day": "bold red",
    "review": "bold yellow",
    "incomplete": "yellow",
    "clear": "green",
}


def print_emergency(screen: RedFlagScreen, console: Console) -> None:
    """The emergency advice, impossible to miss."""
    reasons = "\n".join(f"- {escape(h.question)}" for h in screen.hits if h.level == "emergency")
    console.print(
        Panel(
            f"[bold]{escape(screen.advice)}[/bold]\n\nBecause you answered yes to:\n{reasons}",
            title="SEEK EMERGENCY CARE NOW",
            style="bold white on red",
        )
    )


def print_screen(screen: RedFlagScreen, console: Console) -> None:
    """The red-flag screen: status, each yes, the unanswered count, advice."""
    if screen.stop_everything:
        print_emergency(screen, console)
        return
    colour = _SCREEN_COLOURS[screen.status]
    console.print(f"[{colour}]Red-flag screen: {screen.status}[/{colour}]")
    for hit in screen.hits:
        console.print(f"  yes: {escape(hit.question)} [dim]({escape(hit.source)})[/dim]")
    if screen.unanswered:
        console.print(f"  unanswered: {', '.join(screen.unanswered)}")
    console.print(escape(screen.advice))
    if screen.plan_blocked:
        console.print("[bold]The exercise plan is blocked.[/bold]")


def blocked_exit_code(screen: RedFlagScreen) -> int:
    """The exit code of an advice path the screen holds back: 3 on an emergency, else 2."""
    return EXIT_EMERGENCY if screen.stop_everything else EXIT_BLOCKED


def print_held_back(
    screen: RedFlagScreen, console: Console, held: str, alias: str, stored: str = ""
) -> None:
    """The red-flag screen and its advice first, then what was stored and what is held
    back (``held``, e.g. "progression advice") until the flag is dealt with."""
    print_screen(screen, console)
    if stored:
        console.print(escape(stored))
    if screen.stop_everything:  # the emergency advice says one thing
        return
    if screen.status == "incomplete":
        until = f"every red-flag question is answered (upright checkup --runner {alias})"
    else:
        until = (
            "a clinician has cleared you and you record it "
            f"(upright clearance --runner {alias} --clinician NAME)"
        )
    console.print(f"[bold]No {escape(held)}[/bold] until {escape(until)}.")
