"""A clinician's clearance (``upright clearance --runner``): who cleared the runner, what
it clears and on which day (today or earlier). It lifts the plan block of same-day and
review-level red flags, never an emergency and never an unanswered screen."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from upright.errors import UprightError
from upright.services.runner_index import runner_screen
from upright.services.runner_record import DEFAULT_CLEARS, record_clearance
from upright.web.forms import FormData, optional_date, text
from upright.web.pages import FormDep, guarded, render

router = APIRouter()


def _page(
    request: Request,
    alias: str,
    values: FormData,
    *,
    error: UprightError | None = None,
    stored: str | None = None,
) -> HTMLResponse:
    screen = guarded(lambda: runner_screen(alias))
    if isinstance(screen, UprightError):
        return render(
            request, "error.html", {"status": 404, "detail": screen.message}, status_code=404
        )
    return render(
        request,
        "clearance/clearance.html",
        {
            "alias": alias,
            "screen": screen,
            "values": values,
            "error": error,
            "stored": stored,
            "default_clears": DEFAULT_CLEARS,
            "today": dt.date.today().isoformat(),
        },
        status_code=200 if error is None else 400,
    )


@router.get("/clearance/{alias:path}", name="clearance_form")
def clearance_form(request: Request, alias: str) -> HTMLResponse:
    """The clearance form, under the runner's current red-flag screen."""
    return _page(request, alias, {})


def _record(alias: str, form: FormData) -> str:
    """What the command prints once the clearance is stored."""
    clinician = text(form, "clinician")
    clears = text(form, "clears") or DEFAULT_CLEARS
    day = optional_date(form, "date", "--date")
    record_clearance(alias, clinician, clears, day)
    return (
        f"Stored: {clinician} cleared {alias} ({clears}). Same-day and review-level red "
        "flags no longer block the plan; an emergency always does."
    )


@router.post("/clearance/{alias:path}", name="clearance_post")
def clearance_post(request: Request, alias: str, form: FormDep) -> HTMLResponse:
    """Store the clearance (nothing on bad input), then the screen it gives."""
    result = guarded(lambda: _record(alias, form))
    if isinstance(result, UprightError):
        return _page(request, alias, form, error=result)
    return _page(request, alias, {}, stored=result)
