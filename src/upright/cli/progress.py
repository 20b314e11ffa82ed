"""Rich progress for long commands: each step's name, items done and time left.

The :class:`Progress` protocol a job reports to lives with the jobs
(:mod:`upright.workflows.progress`); it is re-exported here."""

from __future__ import annotations

from types import TracebackType

import rich.progress
from rich.console import Console
from rich.progress import (
    BarColumn,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from upright.workflows.progress import Progress, SilentProgress

__all__ = ["Progress", "RichProgress", "SilentProgress"]


class _CountColumn(ProgressColumn):
    """``12/360 frames`` for a counted step; nothing for a step of unknown length."""

    def render(self, task: Task) -> Text:
        if task.total is None:
            return Text("")
        unit = str(task.fields.get("unit", ""))
        count = f"{task.completed:.0f}/{task.total:.0f} {unit}".rstrip()
        return Text(count, style="progress.download")


class _LeftColumn(TimeRemainingColumn):
    """Time left, only for a counted step."""

    def render(self, task: Task) -> Text:
        if task.total is None:
            return Text("")
        return Text.assemble("left ", super().render(task))


class RichProgress:
    """A Rich progress bar: each step's name, items done of how many (frames, files) and
    time left for counted steps; a spinner and the time taken for the others."""

    def __init__(self, console: Console) -> None:
        self._progress = rich.progress.Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            _CountColumn(),
            TimeElapsedColumn(),
            _LeftColumn(),
            console=console,
            transient=True,
        )
        self._task: TaskID | None = None

    def __enter__(self) -> RichProgress:
        self._progress.start()
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._progress.stop()

    def start(self, description: str, total: int | None, unit: str = "frames") -> None:
        if self._task is not None:
            self._progress.update(self._task, visible=False)
        self._task = self._progress.add_task(description, total=total, unit=unit)

    def advance(self, n: int) -> None:
        if self._task is not None:
            self._progress.advance(self._task, n)
