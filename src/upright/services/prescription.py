"""The plan a stored runner follows, built inside an open database session.

``upright plan`` shows it; ``upright log session`` judges each logged session against
the sessions it prescribes at the session's stage, so "done in full" means what the plan
asked for.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from upright.assessment.redflags import RedFlagScreen
from upright.assessment.triage import Evidence, TriageResult, triage
from upright.program import Plan, build_plan
from upright.services.checkup import run_triage
from upright.services.red_flag_gate import screen_of
from upright.services.runner_measures import runner_answers
from upright.services.runner_record import _stored_answers, _stored_evidence, _with_clearance
from upright.store import Runner, latest_checkup

__all__ = ["StoredPlan", "plan_in_session", "prescribed_sessions"]


@dataclass(frozen=True)
class StoredPlan:
    """The plan built from the runner's latest stored check-up, the red-flag screen that
    decides whether it is blocked, and the check-up (None when none is stored)."""

    plan: Plan
    screen: RedFlagScreen
    checkup_id: int | None


def plan_in_session(
    session: Session,
    runner: Runner,
    *,
    stage: int,
    stage_reason: str | None,
    sessions_per_week: int,
    weeks: int,
    start_date: dt.date,
) -> StoredPlan:
    """The plan from the latest stored check-up (with the runner's clearances, records,
    endurance results and norms), at ``stage``.

    The plan is blocked, and holds no sessions, while the runner's red-flag screen
    (:func:`upright.services.red_flag_gate.screen_of`) blocks it; a runner with no stored
    check-up has an incomplete screen.

    Raises
    ------
    InputError
        Bad plan arguments, or a stored check-up that no longer validates.
    """
    screen = screen_of(session, runner)
    latest = latest_checkup(session, runner)
    result: TriageResult | None = None
    if latest is not None and not screen.plan_blocked:
        answers = _with_clearance(session, runner, _stored_answers(latest))
        answers, _ = runner_answers(session, runner, answers)
        result = run_triage(answers, [], _stored_evidence(session, runner)).triage
    if result is None:  # blocked: the plan says why and holds no sessions
        result = triage(Evidence(), screen)
    plan = build_plan(
        result,
        screen,
        sessions_per_week=sessions_per_week,
        weeks=weeks,
        start_date=start_date,
        stage=stage,
        stage_reason=stage_reason,
    )
    return StoredPlan(plan=plan, screen=screen, checkup_id=None if latest is None else latest.id)


def prescribed_sessions(
    session: Session, runner: Runner, stage: int, day: dt.date
) -> tuple[list[list[str]], str]:
    """The exercise keys of each distinct session the runner's plan prescribes at
    ``stage``, or no session and why (no check-up stored, or the plan is blocked)."""
    built = plan_in_session(
        session,
        runner,
        stage=stage,
        stage_reason=None,
        sessions_per_week=3,
        weeks=1,
        start_date=day,
    )
    if built.checkup_id is None:
        return [], (
            "no check-up is stored, so no plan prescribes the session "
            f"(upright checkup --runner {runner.alias}, then upright plan)"
        )
    if built.plan.blocked:
        return [], "the plan is blocked while a red flag is open, so no session is prescribed"
    distinct: list[list[str]] = []
    for planned in built.plan.sessions:
        keys = [p.key for p in planned.exercises]
        if keys not in distinct:
            distinct.append(keys)
    return distinct, ""
