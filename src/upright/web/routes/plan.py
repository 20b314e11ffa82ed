"""The plan (``upright plan --runner``): stage, exercises with doses and cues, the
calendar download; blocked, exactly as the CLI blocks it, while a red flag is open."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from upright.errors import InputError, UprightError
from upright.program import load_catalogue, plan_to_ics
from upright.program.plan import STAGE_SOURCE, STAGE_TITLES
from upright.program.session_check import log_hint
from upright.services.runner_program import RunnerPlan, plan_for_runner
from upright.web.forms import optional_date, optional_int
from upright.web.pages import guarded, render, runner_path

router = APIRouter()

#: The CLI's bounds of --sessions-per-week and --weeks.
SESSIONS_PER_WEEK = (3, 5)
WEEKS = (1, 52)


def _bounded(value: int | None, default: int, bounds: tuple[int, int], option: str) -> int:
    if value is None:
        return default
    lo, hi = bounds
    if not lo <= value <= hi:
        raise InputError(f"{option} is {value}", fix=f"Give a whole number from {lo} to {hi}")
    return value


def _plan(alias: str, query: dict[str, str]) -> RunnerPlan:
    sessions = optional_int(query, "sessions_per_week", "--sessions-per-week")
    weeks = optional_int(query, "weeks", "--weeks")
    start = optional_date(query, "start", "--start")
    return plan_for_runner(
        alias,
        sessions_per_week=_bounded(sessions, 3, SESSIONS_PER_WEEK, "--sessions-per-week"),
        weeks=_bounded(weeks, 7, WEEKS, "--weeks"),
        start_date=start or dt.date.today(),
    )


@router.get("/plan/{alias:path}", name="plan_page")
def plan_page(request: Request, alias: str) -> Response:
    """The plan, or the red-flag screen that blocks it (the stop page on an emergency)."""
    query = dict(request.query_params)
    built = guarded(lambda: _plan(alias, query))
    if isinstance(built, UprightError):
        return render(
            request,
            "plan/plan.html",
            {"alias": alias, "built": None, "error": built, "query": query},
            status_code=400,
        )
    if built.emergency:
        return RedirectResponse(runner_path(request, "checkup_stop", alias), status_code=303)
    catalogue = load_catalogue()
    plan = built.plan
    keys = list(dict.fromkeys(p.key for s in plan.sessions for p in s.exercises))
    return render(
        request,
        "plan/plan.html",
        {
            "alias": alias,
            "built": built,
            "plan": plan,
            "error": None,
            "query": query,
            "stage_title": STAGE_TITLES.get(plan.stage, ""),
            "stage_reasons": [c.reason for c in plan.choices if c.source == STAGE_SOURCE],
            "choices": [c for c in plan.choices if c.source != STAGE_SOURCE],
            "exercises": [catalogue.get(k) for k in keys],
            "log_hints": {k: log_hint(catalogue, k) for k in keys},
            "first_week": [s for s in plan.sessions if s.week == 1],
            "without_disclaimer": lambda t: t.replace(plan.disclaimer, "").strip(),
        },
    )


@router.get("/plan-calendar/{alias:path}", name="plan_ics")
def plan_ics(request: Request, alias: str) -> Response:
    """The plan as an iCalendar file (``upright plan --ics``); refused while blocked."""
    built = guarded(lambda: _plan(alias, dict(request.query_params)))
    if isinstance(built, UprightError):
        return render(
            request, "error.html", {"status": 400, "detail": built.message}, status_code=400
        )
    if built.plan.blocked:
        return RedirectResponse(runner_path(request, "plan_page", alias), status_code=303)
    name = quote(f"upright-plan-{alias}.ics", safe="")
    return Response(
        plan_to_ics(built.plan),
        media_type="text/calendar; charset=utf-8",
        headers={"content-disposition": f"attachment; filename*=UTF-8''{name}"},
    )
