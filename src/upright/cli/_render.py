"""Rich rendering pieces the command outputs share: numbers, sign colours, closing lines."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

from rich.console import Console
from rich.markup import escape

from upright.summaries import DISCLAIMER, PainOnset

__all__ = ["SIGN_COLOURS", "change_text", "fmt", "print_closing", "print_pain", "print_reasons"]

#: Colour of a fatigue sign's verdict.
SIGN_COLOURS = {"flagged": "red", "not flagged": "green", "withheld": "yellow"}


class _Reasoned(Protocol):
    @property
    def flagged(self) -> bool: ...

    @property
    def reason(self) -> str: ...


def fmt(value: float | None, digits: int = 1) -> str:
    """``value`` to ``digits`` decimals, or ``-`` when there is none."""
    return "-" if value is None else f"{value:.{digits}f}"


def change_text(change: float | None, low: float | None, high: float | None, unit: str) -> str:
    """``+1.2 [+0.4, +2.0] unit``, or ``-`` when the change or its interval is missing."""
    if change is None or low is None or high is None:
        return "-"
    return f"{change:+.1f} [{low:+.1f}, {high:+.1f}] {unit}"


def print_pain(onset: PainOnset | None, console: Console) -> None:
    """The pain onset line, when one was given."""
    if onset is not None:
        console.print(f"[bold magenta]Pain:[/bold magenta] {onset.description}")


def print_reasons(signs: Iterable[_Reasoned], console: Console) -> None:
    """Each sign's reason as a sentence: red when flagged, dim otherwise."""
    for sign in signs:
        colour = "red" if sign.flagged else "dim"
        reason = sign.reason[:1].upper() + sign.reason[1:]
        console.print(f"[{colour}]{escape(reason)}.[/{colour}]")


def print_closing(notes: Iterable[str], out: Path, console: Console) -> None:
    """The notes, where the results are, and the disclaimer."""
    for note in notes:
        console.print(f"[dim]Note: {escape(note)}.[/dim]")
    console.print(f"Results in [bold]{escape(str(out))}[/bold]")
    console.print(f"[italic]{DISCLAIMER}[/italic]")
