"""The guided endurance tests at the terminal: the order of the day, the real clock, the
keyboard read in the background so the seconds held tick while waiting for Enter."""

from __future__ import annotations

import queue
import secrets
import sys
import threading
import time

from rich.console import Console
from rich.markup import escape

from upright.errors import InputError
from upright.services.endurance_test import (
    PROTOCOLS,
    REP_SIDES,
    TimerIO,
    guided_order,
    run_guided_tests,
)

__all__ = ["guided_tests", "terminal_timer"]

#: Seeds drawn for the random order are short, so they are easy to type again.
_SEED_RANGE = 10_000
#: The line of the live status (seconds held, rest left) is redrawn in place.
_CLEAR_LINE = "\r\x1b[2K"


def _test_names() -> dict[str, str]:
    names = {p.key: p.name for p in PROTOCOLS}
    names.update({key: f"Single-leg bridge, {side} leg (reps)" for key, side in REP_SIDES})
    return names


def guided_tests(io: TimerIO, seed: int | None, in_order: bool) -> dict[str, float | int]:
    """Guide the whole battery: in a random order (drawn from ``seed``, or from a new seed
    that is shown so the order can be repeated), or in the listed order with ``in_order``;
    about 5 minutes' rest between two tests (McGill, Childs & Liebenson 1999)."""
    if in_order:
        order, how = guided_order(None), "in the listed order"
    else:
        seed = secrets.randbelow(_SEED_RANGE) if seed is None else seed
        order, how = guided_order(seed), f"in a random order (--seed {seed} repeats it)"
    names = _test_names()
    io.say(f"Today's tests, {how}:")
    for number, key in enumerate(order, start=1):
        io.say(f"  {number}. {names[key]}")
    return run_guided_tests(io, order)


class _Keyboard:
    """Lines typed at the terminal, read by a background thread so the clock can tick
    while nobody types."""

    def __init__(self) -> None:
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._reader: threading.Thread | None = None

    def _read(self) -> None:
        while line := sys.stdin.readline():
            self._lines.put(line.rstrip("\r\n"))
        self._lines.put(None)  # the input ended

    def line(self, timeout_s: float | None) -> str | None:
        """The next line typed, waiting at most ``timeout_s`` (None: as long as it takes);
        None when nothing came in time."""
        if self._reader is None:
            self._reader = threading.Thread(target=self._read, name="upright-keys", daemon=True)
            self._reader.start()
        try:
            line = self._lines.get(timeout=None if timeout_s is None else max(timeout_s, 0.0))
        except queue.Empty:
            return None
        if line is None:
            self._lines.put(None)  # every later read sees the end too
            raise InputError(
                "the guided timer reads Enter from a terminal, and the input ended before "
                "the tests were done; nothing was stored",
                fix="Run upright test in a terminal, or type the results, e.g. "
                "upright test flexor=120 extensor=95",
            )
        return line


def terminal_timer(console: Console) -> TimerIO:
    """The real clock and sleep, the keyboard, and a live status line on a terminal."""
    keyboard = _Keyboard()
    live = [False]  # a status line is on screen, to be cleared before the next line

    def show(status: str) -> None:
        if console.is_terminal:
            console.file.write(f"{_CLEAR_LINE}{status}")
            console.file.flush()
            live[0] = True

    def clear() -> None:
        if live[0]:
            console.file.write(_CLEAR_LINE)
            live[0] = False

    def say(text: str) -> None:
        clear()
        console.print(escape(text), highlight=False)

    def ask(prompt: str) -> str:
        clear()
        console.print(f"{escape(prompt)}: ", end="", highlight=False)
        return keyboard.line(None) or ""

    def wait_line(timeout_s: float) -> str | None:
        return keyboard.line(timeout_s)

    return TimerIO(
        clock=time.monotonic, sleep=time.sleep, wait_line=wait_line, say=say, ask=ask, show=show
    )
