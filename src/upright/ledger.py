"""What a command has written or stored so far, so that an interrupt is reported truly.

The command line keeps a ledger around each command (:func:`keeping_ledger`); library
code notes each result the moment it has landed for good (:func:`note_landed`): an
output folder moved into place, a database transaction committed, a file written.
Without an open ledger the notes go nowhere. :func:`interrupts_deferred` holds Ctrl-C
back for the instant in which a result lands and is noted, so the two never disagree.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Literal

__all__ = [
    "Landed",
    "LandedKind",
    "Ledger",
    "current_ledger",
    "forget_under",
    "interrupts_deferred",
    "keeping_ledger",
    "note_landed",
    "note_not_done",
]

LandedKind = Literal["folder", "file", "database"]


@dataclass(frozen=True)
class Landed:
    """One result that is in place for good.

    Parameters
    ----------
    kind
        An output folder, a single file, or a committed database transaction.
    where
        What to show the user: the path, or the database URL (password hidden).
    path
        The file or folder on disk (a SQLite database's file), if any.
    """

    kind: LandedKind
    where: str
    path: Path | None = None


@dataclass
class Ledger:
    """The results one command has landed, in order, and what it could not finish."""

    landed: list[Landed] = field(default_factory=list)
    not_done: list[str] = field(default_factory=list)

    def since(self, mark: int, kind: LandedKind | None = None) -> list[Landed]:
        """Results landed after the first ``mark`` ones, of ``kind`` if given."""
        return [x for x in self.landed[mark:] if kind is None or x.kind == kind]


_LEDGER: ContextVar[Ledger | None] = ContextVar("upright_ledger", default=None)


@contextmanager
def keeping_ledger() -> Iterator[Ledger]:
    """Record, within the block, every result that lands."""
    ledger = Ledger()
    token = _LEDGER.set(ledger)
    try:
        yield ledger
    finally:
        _LEDGER.reset(token)


def current_ledger() -> Ledger | None:
    """The ledger of the running command, if one is kept."""
    return _LEDGER.get()


def note_landed(kind: LandedKind, where: str, path: Path | None = None) -> None:
    """Note that a result is now in place for good."""
    if (ledger := _LEDGER.get()) is not None:
        ledger.landed.append(Landed(kind, where, path))


def note_not_done(what: str) -> None:
    """Note a step the command meant to take and did not (said after an interrupt)."""
    if (ledger := _LEDGER.get()) is not None:
        ledger.not_done.append(what)


def forget_under(folder: Path) -> None:
    """Forget results inside ``folder`` (a staging folder about to move or vanish)."""
    if (ledger := _LEDGER.get()) is None:
        return
    folder = folder.resolve()
    ledger.landed[:] = [
        x for x in ledger.landed if x.path is None or not x.path.resolve().is_relative_to(folder)
    ]


@contextmanager
def interrupts_deferred() -> Iterator[None]:
    """Hold Ctrl-C (SIGINT) back until the block ends, then raise it.

    For the few instructions that put a result in place and note it. Only in the main
    thread and while Python's own SIGINT handler is installed; otherwise a no-op.
    """
    if (
        threading.current_thread() is not threading.main_thread()
        or signal.getsignal(signal.SIGINT) is not signal.default_int_handler
    ):
        yield
        return
    pending: list[int] = []

    def hold(signum: int, _frame: FrameType | None) -> None:
        pending.append(signum)

    previous = signal.signal(signal.SIGINT, hold)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if pending:
        raise KeyboardInterrupt
