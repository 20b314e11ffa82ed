"""A fake terminal for the guided endurance timer: a clock that moves only when the timer
sleeps or waits, and lines "typed" at scripted seconds after each hold or rest begins."""

from __future__ import annotations

from upright.services.endurance_test import TimerIO


class FakeTerminal:
    """Scripted keys for :class:`~upright.services.endurance_test.TimerIO`.

    Parameters
    ----------
    holds
        For each hold in turn: (seconds after GO, line typed then), e.g. ``(87.3, "")``
        for Enter after 87.3 s, ``(12.0, "s")`` to skip at 12 s, ``(None, "")`` to type
        nothing (the protocol's cap stops it).
    rests
        For each rest in turn: seconds after it begins when Enter ends it, or None to let
        it run out.
    reps
        Replies to the single-leg bridge prompts, in turn.
    ahead
        Lines typed before anything asked for them (an extra Enter), read first.
    """

    def __init__(
        self,
        holds: list[tuple[float | None, str]],
        rests: list[float | None] | None = None,
        reps: list[str] | None = None,
        ahead: list[str] | None = None,
    ) -> None:
        self.now = 1000.0
        self.holds, self.rests, self.reps = list(holds), list(rests or []), list(reps or [])
        self.said: list[str] = []
        self.shown: list[str] = []
        self.slept: list[float] = []
        self.asked: list[str] = []
        self.ahead = list(ahead or [])
        self._due: float | None = None
        self._line = ""

    def io(self) -> TimerIO:
        return TimerIO(
            clock=lambda: self.now,
            sleep=self._sleep,
            wait_line=self._wait_line,
            say=self._say,
            ask=self._ask,
            show=self.shown.append,
        )

    def _sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds

    def _say(self, text: str) -> None:
        self.said.append(text)
        if text.startswith("GO."):
            delay, self._line = self.holds.pop(0)
            self._due = None if delay is None else self.now + delay
        elif text.startswith("Rest ") and "before the next test" in text:
            delay = self.rests.pop(0)
            self._due, self._line = (None if delay is None else self.now + delay), ""

    def _wait_line(self, timeout_s: float) -> str | None:
        assert timeout_s >= 0
        if self.ahead:
            return self.ahead.pop(0)
        if self._due is not None and self._due <= self.now + timeout_s:
            self.now, self._due = self._due, None
            return self._line
        self.now += timeout_s
        return None

    def _ask(self, prompt: str) -> str:
        self.asked.append(prompt)
        return self.reps.pop(0)
