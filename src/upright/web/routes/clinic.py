"""Clinic mode's own pages: sign-in and sign-out, invitation links, the admin's page
(accounts, invitations, who treats whom), the audit log and the whole clinic's export.

Only served with ``--clinic``. Which account may open which page is decided by
:func:`upright.web.access.require_access` (the route names below are its table's).
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from upright.errors import InputError, UprightError
from upright.services.accounts import Clinic, RateLimitedError
from upright.services.data_rights import clinic_export_zip
from upright.store.clinic_models import ROLES
from upright.web.access import viewer_of
from upright.web.forms import text
from upright.web.pages import FormDep, guarded, render
from upright.web.security import new_session_cookie

__all__ = ["router"]

router = APIRouter()


def _clinic(request: Request) -> Clinic:
    clinic: Clinic = request.app.state.clinic
    return clinic


def _local_target(value: str) -> str:
    """Where to go after signing in: a path of this app only (never another site)."""
    if value.startswith("/") and not value.startswith(("//", "/\\")):
        return value
    return "/runners"


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.get("/login", name="login_form")
def login_form(request: Request) -> HTMLResponse:
    """The sign-in form."""
    target = _local_target(request.query_params.get("next", "/runners"))
    return render(request, "clinic/login.html", {"error": None, "email": "", "next": target})


@router.post("/login", name="login")
def login(request: Request, form: FormDep) -> Response:
    """Sign in: a new session id (the one from before is dropped), then the page asked for."""
    email, target = text(form, "email"), _local_target(text(form, "next"))
    password = form.get("password")
    password = password if isinstance(password, str) else ""
    sid = guarded(lambda: _clinic(request).sign_in(email, password, _address(request)))
    if isinstance(sid, UprightError):
        status = 429 if isinstance(sid, RateLimitedError) else 400
        context = {"error": sid, "email": email, "next": target}
        return render(request, "clinic/login.html", context, status_code=status)
    response = RedirectResponse(target, status_code=303)
    new_session_cookie(response, request, sid)
    return response


@router.post("/logout", name="logout")
def logout(request: Request) -> Response:
    """Sign out: the session ends, and the browser gets a fresh, signed-out one."""
    sid: str = request.scope["upright.session"]
    _clinic(request).sign_out(sid, viewer_of(request))
    response = RedirectResponse("/login", status_code=303)
    new_session_cookie(response, request, secrets.token_urlsafe(24))
    return response


@router.get("/invite/{token}", name="invite_form")
def invite_form(request: Request, token: str) -> HTMLResponse:
    """An invitation: choose a password (the link works once, until it expires)."""
    invitation = _clinic(request).invitation(token)
    status = 200 if invitation is not None else 404
    return render(
        request,
        "clinic/invite.html",
        {"invitation": invitation, "token": token, "error": None},
        status_code=status,
    )


def _accept(clinic: Clinic, token: str, form: Any) -> str:
    first, second = form.get("password"), form.get("password2")
    if not isinstance(first, str) or first != second:
        raise InputError("the two passwords differ", fix="Type the same password twice")
    return clinic.accept(token, first)


@router.post("/invite/{token}", name="invite_accept")
def invite_accept(request: Request, token: str, form: FormDep) -> Response:
    """Make the account and sign it in."""
    clinic = _clinic(request)
    sid = guarded(lambda: _accept(clinic, token, form))
    if isinstance(sid, UprightError):
        context = {"invitation": clinic.invitation(token), "token": token, "error": sid}
        return render(request, "clinic/invite.html", context, status_code=400)
    response = RedirectResponse("/runners", status_code=303)
    new_session_cookie(response, request, sid)
    return response


def _admin_page(
    request: Request, *, error: UprightError | None = None, link: str | None = None
) -> HTMLResponse:
    clinic = _clinic(request)
    return render(
        request,
        "clinic/admin.html",
        {
            "accounts": clinic.accounts(),
            "roles": ROLES,
            "error": error,
            "link": link,
            "invitation_days": clinic.policy.invitation_days,
        },
        status_code=200 if error is None else 400,
    )


@router.get("/admin", name="admin_page")
def admin_page(request: Request) -> HTMLResponse:
    """Accounts, who treats whom, and the forms to invite and assign."""
    return _admin_page(request)


@router.post("/admin/invite", name="admin_invite")
def admin_invite(request: Request, form: FormDep) -> HTMLResponse:
    """A one-time invitation link, shown once (only its hash is kept)."""
    viewer = viewer_of(request)
    assert viewer is not None  # the access rule lets admins only through
    token = guarded(
        lambda: _clinic(request).invite(
            viewer, text(form, "email"), text(form, "role"), text(form, "runner") or None
        )
    )
    if isinstance(token, UprightError):
        return _admin_page(request, error=token)
    link = str(request.url_for("invite_form", token=token))
    return _admin_page(request, link=link)


@router.post("/admin/assign", name="admin_assign")
def admin_assign(request: Request, form: FormDep) -> HTMLResponse:
    """Assign a runner to a therapist, or end the assignment."""
    on = text(form, "action") != "unassign"
    changed = guarded(
        lambda: _clinic(request).assign(
            viewer_of(request), text(form, "therapist"), text(form, "runner"), on=on
        )
    )
    if isinstance(changed, UprightError):
        return _admin_page(request, error=changed)
    return _admin_page(request)


@router.get("/admin/audit", name="audit_page")
def audit_page(request: Request) -> HTMLResponse:
    """The latest entries of the audit log, optionally about one runner."""
    alias = request.query_params.get("runner", "").strip()
    entries = _clinic(request).audit_log(alias or None)
    return render(request, "clinic/audit.html", {"entries": entries, "runner": alias})


@router.get("/admin/export", name="clinic_export")
def clinic_export(request: Request) -> Response:
    """Every runner's backup in one zip (``upright export-clinic``)."""
    viewer = viewer_of(request)
    data = clinic_export_zip()
    _clinic(request).audit(
        viewer, "export", route="clinic_export", path=request.url.path, detail="the whole clinic"
    )
    name = f"upright-clinic-{dt.date.today().isoformat()}.zip"
    return Response(
        data,
        media_type="application/zip",
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )
