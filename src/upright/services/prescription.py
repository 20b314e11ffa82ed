"""The plan a stored runner follows, built inside an open database session.

``upright plan`` shows it; ``upright log session`` judges each logged session against
the sessions it prescribes at the session's stage, so "done in full" means what the plan
asked for.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from upright.assessment.answers import parse_answers
from upright.assessment.redflags import RedFlagScreen
from upright.assessment.triage import evidence_from_answers, triage
from upright.program import Plan, build_plan
from upright.services.checkup import run_triage
from upright.services.runner_measures import runner_answers
from upright.services.runner_record import _stored_evidence, _with_clearance
from upright.store import Runner, latest_checkup

__all__ = ["StoredPlan", "plan_in_session", "prescribed_sessions"]


@dataclass(frozen=True)
class StoredPlan:
    """The plan built from the runner's latest stored check-up, its screen and check-up."""

    plan: Plan
    screen: RedFlagScreen
    checkup_id: int


def plan_in_session(
    session: Session,
    runner: Runner,
    *,
    stage: int,
    stage_reason: str | None,
    sessions_per_week: int,
    weeks: int,
    start_date: dt.date,
) -> StoredPlan | None:
    """The plan from the latest stored check-up (with the runner's clearances, records,
    endurance results and norms), at ``stage``; None without a stored check-up.

    Raises
    ------
    InputError
        Bad plan arguments, or a stored check-up that no longer validates.
    """
    latest = latest_checkup(session, runner)
    if latest is None:
        return None
    answers = parse_answers(latest.answers, source=f"stored check-up {latest.id}")
    answers, _ = runner_answers(session, runner, _with_clearance(session, runner, answers))
    report = run_triage(answers, [], _stored_evidence(session, runner))
    screen = report.red_flags
    result = report.triage
    if result is None:
        result = triage(evidence_from_answers(answers), screen)
    plan = build_plan(
        result,
        screen,
        sessions_per_week=sessions_per_week,
        weeks=weeks,
        start_date=start_date,
        stage=stage,
        stage_reason=stage_reason,
    )
    return StoredPlan(plan=plan, screen=screen, checkup_id=latest.id)


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
    if built is None:
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
