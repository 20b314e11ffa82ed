"""How a whole job reports progress (the command line draws it, the job queue stores it)."""

from __future__ import annotations

from typing import Protocol

from upright.report.outputs import FileDone

__all__ = ["Progress", "SilentProgress", "count_files"]


class Progress(Protocol):
    """How a job reports progress; the CLI draws it, tests may ignore it.

    ``start`` begins a step of ``total`` items (``unit``: frames, files), or of unknown
    length when ``total`` is None; ``advance`` counts items done.
    """

    def start(self, description: str, total: int | None, unit: str = "frames") -> None: ...

    def advance(self, n: int) -> None: ...


class SilentProgress:
    """Progress that shows nothing."""

    def start(self, description: str, total: int | None, unit: str = "frames") -> None:
        return None

    def advance(self, n: int) -> None:
        return None


def count_files(progress: Progress) -> FileDone:
    """A writer's ``done`` hook that advances ``progress`` by one file."""
    return lambda name: progress.advance(1)
