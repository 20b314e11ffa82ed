"""Delete a runner's whole record (``upright delete-runner``), after a confirmation form
on which the runner's name is typed again. In clinic mode admins and the runner's
therapists may (see :mod:`upright.web.access`); the audit log keeps who did it."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from upright.errors import InputError, UprightError
from upright.services.data_rights import DeletedRunner, delete_runner
from upright.services.runner_index import runner_screen
from upright.web.access import viewer_of
from upright.web.forms import text
from upright.web.pages import FormDep, guarded, render

__all__ = ["router"]

router = APIRouter()


def _page(request: Request, alias: str, error: UprightError | None) -> HTMLResponse:
    known = guarded(lambda: runner_screen(alias))
    if isinstance(known, UprightError):
        return render(
            request, "error.html", {"status": 404, "detail": known.message}, status_code=404
        )
    return render(
        request,
        "clinic/delete.html",
        {"alias": alias, "error": error},
        status_code=200 if error is None else 400,
    )


@router.get("/delete/{alias:path}", name="delete_confirm")
def delete_confirm(request: Request, alias: str) -> HTMLResponse:
    """What deleting removes, and the form that confirms it."""
    return _page(request, alias, None)


def _delete(request: Request, alias: str, typed: str) -> DeletedRunner:
    if typed != alias:
        raise InputError(
            "the name typed does not match the runner's",
            fix=f"Type {alias} exactly to confirm; nothing was deleted",
        )
    viewer = viewer_of(request)
    audit = {
        "account_id": viewer.account_id if viewer else None,
        "actor": viewer.email if viewer else "this computer's user",
        "method": "POST",
        "route": "delete_runner",
        "path": request.url.path,
        "address": request.client.host if request.client else None,
    }
    folder = request.app.state.settings.data_dir
    return delete_runner(
        alias, uploads_root=folder / "uploads", jobs_root=folder / "jobs", audit=audit
    )


@router.post("/delete/{alias:path}", name="delete_runner")
def delete_post(request: Request, alias: str, form: FormDep) -> Response:
    """Delete, then the runner list."""
    done = guarded(lambda: _delete(request, alias, text(form, "confirm")))
    if isinstance(done, UprightError):
        return _page(request, alias, done)
    return RedirectResponse("/runners", status_code=303)
