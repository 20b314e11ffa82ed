"""Triage results and red-flag screens for the program tests (imported as program.factories)."""

from __future__ import annotations

from upright.assessment.redflags import RED_FLAG_KEYS, RedFlagScreen, screen_red_flags
from upright.assessment.triage import CAUSES, CauseVerdict, TriageResult, Verdict


def make_triage(**verdicts: Verdict) -> TriageResult:
    """A triage result with the given verdict per cause; others "not enough evidence"."""
    return TriageResult(
        stopped=False,
        stop_reason="",
        verdicts=[
            CauseVerdict(
                cause=cause,
                title=cause,
                verdict=verdicts.get(cause, "not enough evidence"),
                findings=[],
                record_next=[],
                caution="",
            )
            for cause in CAUSES
        ],
        endurance=None,
    )


def clear_screen() -> RedFlagScreen:
    return screen_red_flags(dict.fromkeys(RED_FLAG_KEYS, False))
