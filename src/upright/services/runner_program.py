"""The exercise plan of a stored runner: built from the latest stored check-up.

A stored clinician clearance lifts the block of a same-day or review-level red flag;
an emergency never lifts.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path

from upright.assessment.answers import parse_answers
from upright.assessment.triage import evidence_from_answers, triage
from upright.errors import InputError
from upright.program import Plan, build_plan
from upright.services.checkup import run_triage
from upright.services.runner_record import _session, _stored_evidence, _with_clearance
from upright.store import get_runner, latest_checkup

__all__ = ["RunnerPlan", "plan_for_runner", "write_text_atomic"]


class RunnerPlan:
    """The plan and whether its block (if any) is an emergency."""

    def __init__(self, plan: Plan, emergency: bool, checkup_id: int) -> None:
        self.plan = plan
        self.emergency = emergency
        self.checkup_id = checkup_id


def plan_for_runner(
    alias: str, *, sessions_per_week: int, weeks: int, start_date: dt.date
) -> RunnerPlan:
    """Build the plan from the runner's latest stored check-up (with any clearance).

    Raises
    ------
    InputError
        Unknown runner, no stored check-up, or bad plan arguments.
    """
    with _session("plan") as session:
        runner = get_runner(session, alias)
        latest = latest_checkup(session, runner)
        if latest is None:
            raise InputError(
                f"runner {alias!r} has no stored check-up",
                fix=f"Run upright checkup --runner {alias} first",
            )
        answers = parse_answers(latest.answers, source=f"stored check-up {latest.id}")
        answers = _with_clearance(session, runner, answers)
        report = run_triage(answers, [], _stored_evidence(session, runner))
        checkup_id = latest.id
    screen = report.red_flags
    result = report.triage
    if result is None:
        result = triage(evidence_from_answers(answers), screen)
    plan = build_plan(
        result, screen, sessions_per_week=sessions_per_week, weeks=weeks, start_date=start_date
    )
    return RunnerPlan(plan, emergency=screen.stop_everything, checkup_id=checkup_id)


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
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise InputError(f"cannot write the file ({exc.strerror})", path=path) from exc
