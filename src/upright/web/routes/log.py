"""Log an exercise session or a run (``upright log session|run --runner``): the same
checks and messages, nothing stored on bad input; while a red flag is open the log is
stored and the screen is shown instead of any advice, as the CLI does."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from upright.errors import InputError, UprightError
from upright.program import load_catalogue
from upright.services.runner_index import runner_screen
from upright.services.runner_program import plan_for_runner
from upright.services.training_log import RunLogged, SessionLogged, log_run, log_session
from upright.web.forms import FormData, choice, optional_date, optional_float, optional_int, text
from upright.web.pages import FormDep, guarded, render

router = APIRouter()

_FORMS = ("good", "poor")


def _exercise_keys(alias: str) -> list[str]:
    """The exercises of the runner's plan at the current stage; every exercise of the
    catalogue while the plan is blocked (the log is stored all the same)."""
    built = plan_for_runner(alias, sessions_per_week=3, weeks=1, start_date=dt.date.today())
    if built.plan.blocked:
        return sorted(load_catalogue().exercises)
    return list(dict.fromkeys(p.key for s in built.plan.sessions for p in s.exercises))


def _page(
    request: Request,
    template: str,
    alias: str,
    values: FormData,
    *,
    error: UprightError | None = None,
    result: SessionLogged | RunLogged | None = None,
) -> HTMLResponse:
    screen = guarded(lambda: runner_screen(alias))
    if isinstance(screen, UprightError):
        return render(
            request, "error.html", {"status": 404, "detail": screen.message}, status_code=404
        )
    context: dict[str, Any] = {
        "alias": alias,
        "screen": screen,
        "values": values,
        "error": error,
        "result": result,
        "today": dt.date.today().isoformat(),
    }
    if template == "log/session.html":
        catalogue = load_catalogue()
        keys = guarded(lambda: _exercise_keys(alias))
        keys = sorted(catalogue.exercises) if isinstance(keys, UprightError) else keys
        context["exercises"] = [catalogue.get(k) for k in keys]
    return render(request, template, context, status_code=200 if error is None else 400)


@router.get("/log/session/{alias:path}", name="log_session")
def session_form(request: Request, alias: str) -> HTMLResponse:
    """The session form: each exercise of the plan with its dose and log unit."""
    return _page(request, "log/session.html", alias, {})


def _required(value: int | None, option: str) -> int:
    if value is None:
        raise InputError(f"{option} is missing", fix="Give pain as a whole number from 0 to 10")
    return value


def _session(alias: str, form: FormData) -> SessionLogged:
    catalogue = load_catalogue()
    items = [
        f"{key}={text(form, f'ex.{key}')}" for key in catalogue.exercises if text(form, f"ex.{key}")
    ]
    form_value = choice(form, "form", "--form", _FORMS)
    if form_value is None:
        raise InputError("--form is missing", fix="Say whether your form was good or poor")
    return log_session(
        alias,
        exercises=items,
        form="good" if form_value == "good" else "poor",
        pain_during=_required(optional_int(form, "pain_during", "--pain-during"), "--pain-during"),
        pain_next_morning=optional_int(form, "pain_next_morning", "--pain-next-morning"),
        day=optional_date(form, "date", "--date"),
        completed=text(form, "incomplete") != "yes",
    )


@router.post("/log/session/{alias:path}", name="log_session_post")
def session_post(request: Request, alias: str, form: FormDep) -> HTMLResponse:
    """Store the session, then the decision (or the open red flag's screen)."""
    result = guarded(lambda: _session(alias, form))
    if isinstance(result, UprightError):
        return _page(request, "log/session.html", alias, form, error=result)
    return _page(request, "log/session.html", alias, {}, result=result)


@router.get("/log/run/{alias:path}", name="log_run")
def run_form(request: Request, alias: str) -> HTMLResponse:
    """The run form: distance or duration, pain during, after and the next morning."""
    return _page(request, "log/run.html", alias, {})


def _run(alias: str, form: FormData) -> RunLogged:
    onset = optional_float(form, "pain_onset", "--pain-onset")
    unit = choice(form, "pain_onset_unit", "--pain-onset unit", ("km", "min")) or "km"
    return log_run(
        alias,
        pain_during=_required(optional_int(form, "pain_during", "--pain-during"), "--pain-during"),
        distance_km=optional_float(form, "distance_km", "--distance-km"),
        duration_min=optional_float(form, "duration_min", "--duration-min"),
        pain_after=optional_int(form, "pain_after", "--pain-after"),
        pain_next_morning=optional_int(form, "pain_next_morning", "--pain-next-morning"),
        pain_onset_km=onset if unit == "km" else None,
        pain_onset_min=onset if unit == "min" else None,
        day=optional_date(form, "date", "--date"),
    )


@router.post("/log/run/{alias:path}", name="log_run_post")
def run_post(request: Request, alias: str, form: FormDep) -> HTMLResponse:
    """Store the run, then the running-load advice (or the open red flag's screen)."""
    result = guarded(lambda: _run(alias, form))
    if isinstance(result, UprightError):
        return _page(request, "log/run.html", alias, form, error=result)
    return _page(request, "log/run.html", alias, {}, result=result)
