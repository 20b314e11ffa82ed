"""Runners: the list, a new runner (``upright profile``), and a runner's home page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from upright.errors import InputError, UprightError
from upright.services.runner_index import list_runners, runner_screen
from upright.services.runner_record import update_profile
from upright.web.access import viewer_of
from upright.web.forms import FormData, choice, optional_float, text
from upright.web.home import home_context
from upright.web.pages import FormDep, guarded, render, runner_path

router = APIRouter()

_SEXES = ("male", "female")


@router.get("/runners", name="runner_list")
def runner_list(request: Request) -> HTMLResponse:
    """Every stored runner, and the form for a new one."""
    return _list_page(request, {}, None)


def _list_page(request: Request, values: FormData, error: UprightError | None) -> HTMLResponse:
    viewer = viewer_of(request)
    only = viewer.visible if viewer is not None else None
    runners = guarded(lambda: list_runners(only))
    if isinstance(runners, UprightError):
        error, runners = error or runners, []
    return render(
        request,
        "runners/list.html",
        {"runners": runners, "values": values, "error": error},
        status_code=200 if error is None else 400,
    )


def _create(form: FormData) -> str:
    """``upright profile --runner ALIAS [--sex] [--height-cm]``: the stored alias."""
    alias = text(form, "alias")
    if not alias:
        raise InputError("the runner's alias is empty", fix="Give a name or a nickname")
    sex = choice(form, "sex", "--sex", _SEXES)
    height = optional_float(form, "height_cm", "--height-cm")
    return update_profile(alias, sex=sex, height_cm=height).alias


@router.post("/runners", name="runner_create")
def runner_create(request: Request, form: FormDep) -> Response:
    """Create (or update, as ``upright profile`` does) a runner, then open their page."""
    result = guarded(lambda: _create(form))
    if isinstance(result, UprightError):
        return _list_page(request, form, result)
    viewer = viewer_of(request)
    if viewer is not None:  # clinic mode: a therapist treats the runner they add
        request.app.state.clinic.claim_new_runner(viewer, result)
    return RedirectResponse(runner_path(request, "runner_home", result), status_code=303)


@router.get("/runner/{alias:path}", name="runner_home")
def runner_home(request: Request, alias: str) -> HTMLResponse:
    """Red-flag status first, then causes, plan, posture, endurance, pain, what is missing."""
    screen = guarded(lambda: runner_screen(alias))
    if isinstance(screen, UprightError):
        return render(
            request, "error.html", {"status": 404, "detail": screen.message}, status_code=404
        )
    context = guarded(lambda: home_context(alias, screen))
    if isinstance(context, UprightError):
        return render(
            request, "error.html", {"status": 400, "detail": context.message}, status_code=400
        )
    return render(request, "runners/home.html", context, charts=context["pain_figure"] is not None)
