"""Who may use which route, decided in one place: :func:`require_access`, a dependency of
the whole app (so a router added later is covered without a line of its own).

Off in single-user mode (``upright serve`` without ``--clinic``): everything is allowed,
as before. In clinic mode every request finds its signed-in account (its
:class:`~upright.services.accounts.Viewer`, also in ``request.state.viewer`` for the
pages) and the rule of its route:

=================  =========================================================================
rule               who
=================  =========================================================================
``public``         anyone (sign-in, invitation links, static files)
``signed_in``      any signed-in account (the runner list shows only the runners it sees)
``record``         admins; a therapist for the runners assigned to them; a runner for their
                   own record. Every route whose path takes ``{alias}`` has this rule unless
                   named otherwise below.
``record_manage``  as ``record``, without the runner themselves (deleting a record)
``new_runner``     admins and therapists; a name taken by a runner they do not see is refused
``staff``          admins and therapists
``admin``          admins. A route without ``{alias}`` that is not named below is admin-only
                   until it is named (closed by default).
=================  =========================================================================

Answers: no account -> the sign-in page (303) for a page, 401 for a form; a runner the
account may not see, or no runner of that name -> 404, the same page either way, so it
does not tell whether the runner exists; a route the role may not use -> 403 (the
account may know that the route exists, and for ``record_manage`` that its own record
does). Every request about a runner's record is written to the audit log: ``view`` (a
page), ``change`` (a form) or ``refused``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final, Literal
from urllib.parse import quote

from fastapi import HTTPException, Request
from fastapi.exceptions import WebSocketException
from starlette.concurrency import run_in_threadpool
from starlette.requests import HTTPConnection
from starlette.routing import BaseRoute

from upright.services.accounts import Clinic, Viewer
from upright.web.security import connection_session

__all__ = [
    "ROUTE_RULES",
    "Rule",
    "SignInRequiredError",
    "app_routes",
    "require_access",
    "route_rule",
    "viewer_of",
]

Rule = Literal["public", "signed_in", "record", "record_manage", "new_runner", "staff", "admin"]

#: The rule of each route by name; see the module's table for routes not named here.
ROUTE_RULES: Final[dict[str, Rule]] = {
    "static": "public",
    "plotly_js": "public",
    "login_form": "public",
    "login": "public",
    "invite_form": "public",
    "invite_accept": "public",
    "home": "signed_in",
    "logout": "signed_in",
    "runner_list": "signed_in",
    "runner_create": "new_runner",
    "delete_confirm": "record_manage",
    "delete_runner": "record_manage",
    "admin_page": "admin",
    "admin_invite": "admin",
    "admin_assign": "admin",
    "audit_page": "admin",
    "clinic_export": "admin",
}

_NOT_FOUND: Final = "No runner of that name among the runners you can see."
_REFUSED: Final = "Your account may not do this."
_TAKEN: Final = (
    "Another runner of the clinic has this name. Choose another name (a nickname or "
    "initials will do)."
)


class SignInRequiredError(Exception):
    """The request needs a signed-in account (the app answers with the sign-in page)."""


def route_rule(route: BaseRoute | None) -> Rule:
    """The rule of ``route`` (see the module's table)."""
    name = getattr(route, "name", None)
    if name in ROUTE_RULES:
        return ROUTE_RULES[name]
    path = getattr(route, "path", "") or ""
    return "record" if "{alias" in path else "admin"


def viewer_of(request: Request) -> Viewer | None:
    """The signed-in account of the request (None in single-user mode or signed out)."""
    viewer: Viewer | None = getattr(request.state, "viewer", None)
    return viewer


def _refuse(conn: HTTPConnection, status: int, detail: str) -> Exception:
    if conn.scope["type"] == "websocket":
        return WebSocketException(code=1008, reason=detail)
    return HTTPException(status, detail)


def _audit_fields(conn: HTTPConnection) -> dict[str, str | None]:
    route = conn.scope.get("route")
    client = conn.client.host if conn.client else None
    return {
        "method": conn.scope.get("method", "WS"),
        "route": getattr(route, "name", None),
        "path": conn.url.path[:2000],
        "address": client,
    }


async def _new_runner_alias(conn: HTTPConnection) -> str:
    if not isinstance(conn, Request) or conn.method != "POST":
        return ""
    value = (await conn.form()).get("alias")
    return value.strip() if isinstance(value, str) else ""


async def require_access(conn: HTTPConnection) -> None:
    """Allow the request, or refuse it as the module's notes say (clinic mode only)."""
    clinic: Clinic | None = getattr(conn.app.state, "clinic", None)
    if clinic is None:
        return
    rule = route_rule(conn.scope.get("route"))
    sid = connection_session(conn)
    viewer = await run_in_threadpool(clinic.session_viewer, sid) if sid else None
    conn.state.viewer = viewer
    if rule == "public":
        return
    if viewer is None:
        if conn.scope["type"] == "websocket":
            raise WebSocketException(code=1008, reason="sign in first")
        raise SignInRequiredError
    if rule == "signed_in":
        return
    if rule in ("admin", "staff"):
        allowed = viewer.role == "admin" or (rule == "staff" and viewer.role == "therapist")
        if not allowed:
            raise _refuse(conn, 403, _REFUSED)
        return
    if rule == "new_runner":
        await _check_new_runner(conn, clinic, viewer)
        return
    await _check_record(conn, clinic, viewer, rule)


async def _check_new_runner(conn: HTTPConnection, clinic: Clinic, viewer: Viewer) -> None:
    if viewer.role == "runner":
        raise _refuse(conn, 403, _REFUSED)
    alias = await _new_runner_alias(conn)
    ref = await run_in_threadpool(clinic.runner_ref, alias) if alias else None
    if ref is not None and not viewer.sees(ref[0]):
        await run_in_threadpool(
            clinic.audit,
            viewer,
            "refused",
            runner_id=ref[0],
            runner_alias=ref[1],
            detail="name taken",
            **_audit_fields(conn),
        )
        raise _refuse(conn, 403, _TAKEN)


def _alias(conn: HTTPConnection) -> str:
    alias = conn.path_params.get("alias")
    if alias is None and conn.scope["type"] == "websocket":
        alias = conn.query_params.get("alias")
    return str(alias or "")


async def _check_record(conn: HTTPConnection, clinic: Clinic, viewer: Viewer, rule: Rule) -> None:
    alias = _alias(conn)
    ref = await run_in_threadpool(clinic.runner_ref, alias) if alias else None
    fields = _audit_fields(conn)
    seen = viewer.visible is None if ref is None else viewer.sees(ref[0])
    runner_id, runner_alias = ref if ref is not None else (None, alias[:100] or None)
    if not seen:
        await run_in_threadpool(
            clinic.audit,
            viewer,
            "refused",
            runner_id=runner_id,
            runner_alias=runner_alias,
            **fields,
        )
        raise _refuse(conn, 404, _NOT_FOUND)
    if rule == "record_manage" and viewer.role == "runner":
        await run_in_threadpool(
            clinic.audit,
            viewer,
            "refused",
            runner_id=runner_id,
            runner_alias=runner_alias,
            **fields,
        )
        raise _refuse(conn, 403, _REFUSED)
    action = "view" if fields["method"] in ("GET", "HEAD", "WS") else "change"
    await run_in_threadpool(
        clinic.audit, viewer, action, runner_id=runner_id, runner_alias=runner_alias, **fields
    )


def app_routes(routes: Sequence[BaseRoute], prefix: str = "") -> list[tuple[str, str, BaseRoute]]:
    """Every route of an app as (name, full path, route), routers included (also those
    FastAPI includes lazily), so the access rules can be checked against all of them."""
    out: list[tuple[str, str, BaseRoute]] = []
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            context = getattr(route, "include_context", None)
            out += app_routes(inner.routes, prefix + str(getattr(context, "prefix", "") or ""))
            continue
        out.append(
            (str(getattr(route, "name", "")), prefix + str(getattr(route, "path", "")), route)
        )
    return out


def sign_in_path(conn: HTTPConnection) -> str:
    """The sign-in page, coming back to this page afterwards."""
    target = conn.url.path + (f"?{conn.url.query}" if conn.url.query else "")
    return f"/login?next={quote(target, safe='')}"
