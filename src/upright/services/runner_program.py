"""The exercise plan of a stored runner: built from the latest stored check-up.

The plan is built at the stage the runner's stored session logs lead to (the progression
rule, a design heuristic; stage 1 before any log), so it updates after each logged session.
The plan is blocked by the one red-flag rule of :mod:`upright.services.red_flag_gate`
(the rule ``upright log`` and ``upright test`` follow too): a stored clinician clearance
lifts the block of a same-day or review-level red flag; an emergency never lifts, and a
runner with no stored check-up has an incomplete screen.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Final

from upright.assessment.redflags import RedFlagScreen
from upright.errors import InputError
from upright.ledger import interrupts_deferred, note_landed
from upright.program import Plan
from upright.services.prescription import plan_in_session
from upright.services.runner_record import _session
from upright.services.training_log import decision_after, level_after
from upright.store import SessionLog, get_runner, session_logs

__all__ = [
    "NO_LOGS_REASON",
    "RunnerPlan",
    "plan_for_runner",
    "stage_from_logs",
    "write_text_atomic",
]

#: Why a runner without session logs is at stage 1.
NO_LOGS_REASON: Final = "No sessions logged yet: start at stage 1"


class RunnerPlan:
    """The plan, the red-flag screen that decides whether it is blocked, and the level."""

    def __init__(
        self,
        plan: Plan,
        screen: RedFlagScreen,
        checkup_id: int | None,
        *,
        level: int,
        level_reason: str,
    ) -> None:
        self.plan = plan
        self.screen = screen
        self.emergency = screen.stop_everything
        self.checkup_id = checkup_id
        self.level = level
        self.level_reason = level_reason


def stage_from_logs(logs: Sequence[SessionLog]) -> tuple[int, str]:
    """The stage of the next session and why, from the stored logs (oldest first)."""
    if not logs:
        return 1, NO_LOGS_REASON
    n = len(logs)
    reason = decision_after(logs).reason
    return level_after(logs), f"After {n} logged session{'s' if n != 1 else ''}: {reason}"


def plan_for_runner(
    alias: str, *, sessions_per_week: int, weeks: int, start_date: dt.date
) -> RunnerPlan:
    """Build the plan from the latest stored check-up, at the level the logs lead to.

    A stored clearance is applied to the check-up; the stage is the one the stored
    session logs lead to, and the plan's first Choice says why.

    Raises
    ------
    InputError
        Unknown runner, or bad plan arguments. A runner with no stored check-up gets a
        plan blocked by an incomplete screen.
    """
    with _session("plan") as session:
        runner = get_runner(session, alias)
        level, level_reason = stage_from_logs(session_logs(session, runner))
        built = plan_in_session(
            session,
            runner,
            stage=level,
            stage_reason=level_reason,
            sessions_per_week=sessions_per_week,
            weeks=weeks,
            start_date=start_date,
        )
    return RunnerPlan(
        built.plan,
        built.screen,
        checkup_id=built.checkup_id,
        level=level,
        level_reason=level_reason,
    )


def write_text_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder."""
    folder = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=folder)
    except OSError as exc:
        raise InputError(f"cannot write the file ({exc.strerror})", path=path) from exc
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        with interrupts_deferred():
            os.replace(tmp, path)
            note_landed("file", str(path), path.resolve())
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise InputError(f"cannot write the file ({exc.strerror})", path=path) from exc
