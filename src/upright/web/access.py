"""Who may use which route, decided in one place: :func:`require_access`, a dependency of
the whole app (so a router added later is covered without a line of its own).

Off in single-user mode (``upright serve`` without ``--clinic``): everything is allowed,
as before. In clinic mode every request finds its signed-in account (its
:class:`~upright.services.accounts.Viewer`, also in ``request.state.viewer`` for the
pages) and the rule of its route:

==================  ========================================================================
rule                who
==================  ========================================================================
``public``          anyone (sign-in, invitation links, static files)
``signed_in``       any signed-in account (the runner list shows only the runners it sees;
                    the live form check without a runner stores nothing)
``record``          admins; a therapist for the runners assigned to them; a runner for their
                    own record. Every route whose path takes ``{alias}`` has this rule
                    unless named otherwise below.
``record_manage``   as ``record``, without the runner themselves: deleting a record, and a
                    clinician's clearance (clearing a runner's red flags is a clinician's
                    act, so a runner's account may neither record nor open one)
``runner_optional`` as ``record`` when the request names a runner (the live form check's
                    WebSocket, by its ``alias`` query parameter), else ``signed_in``
``job``             a job's pages (``{job_id}``): as ``record`` for the job's runner; a job
                    for no runner, only the account that started it and admins
``new_runner``      admins and therapists; a name taken by a runner they do not see is
                    refused
``staff``           admins and therapists
``admin``           admins (restoring a backup, which may write any runner's record). A
                    route without ``{alias}`` that is not named below is admin-only until it
                    is named (closed by default).
==================  ========================================================================

Answers: no account -> the sign-in page (303) for a page, 401 for a form; a runner the
account may not see, or no runner of that name -> 404, the same page either way, so it
does not tell whether the runner exists; a route the role may not use -> 403 (the
account may know that the route exists, and for ``record_manage`` that its own record
does). A job the account may not see, or no job of that id, is a 404 alike. Every request
about a runner's record (a job's pages included) is written to the audit log: ``view``
(a page or the live WebSocket), ``change`` (a form) or ``refused``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final, Literal
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
    "may_use",
    "require_access",
    "route_rule",
    "rule_of",
    "viewer_of",
]

Rule = Literal[
    "public",
    "signed_in",
    "record",
    "record_manage",
    "runner_optional",
    "job",
    "new_runner",
    "staff",
    "admin",
]

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
    "backup_import_form": "admin",
    "backup_import": "admin",
    "clearance_form": "record_manage",
    "clearance_post": "record_manage",
    "live_form_any": "signed_in",
    "live_socket": "runner_optional",
    "job_page": "job",
    "job_progress": "job",
    "job_file": "job",
    "analysis_page": "job",
    "form_result": "job",
    "run_result": "job",
    "imu_result": "job",
}

_NOT_FOUND: Final = "No runner of that name among the runners you can see."
_NOT_FOUND_JOB: Final = "No job of that number among the jobs you can see."
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
    if rule == "runner_optional":
        if not _alias(conn):
            return
        rule = "record"
    if rule == "job":
        await _check_job(conn, clinic, viewer)
        return
    await _check_record(conn, clinic, viewer, rule)


def may_use(viewer: Viewer | None, rule: Rule) -> bool:
    """Whether the account's role may ever use a route of this rule (for a runner it
    sees): so pages leave out links that could only be refused. True without an account
    (single-user mode)."""
    if viewer is None or viewer.role == "admin":
        return True
    if rule == "admin":
        return False
    if viewer.role == "runner":
        return rule not in ("record_manage", "new_runner", "staff")
    return True


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


async def _check_job(conn: HTTPConnection, clinic: Clinic, viewer: Viewer) -> None:
    """The job's runner decides, as for ``record``; a job for no runner is its creator's
    (and the admins'). An unknown job is let through to its page's own 404 for admins,
    answered with the same 404 as a hidden job for everyone else."""
    try:
        job_id = int(conn.path_params.get("job_id", ""))
    except (TypeError, ValueError):
        job_id = -1
    ref = await run_in_threadpool(clinic.job_ref, job_id) if job_id >= 0 else None
    fields = _audit_fields(conn)
    if ref is None:
        seen = viewer.visible is None
    elif ref.runner_id is None:
        seen = viewer.role == "admin" or ref.created_by == viewer.account_id
    else:
        seen = viewer.sees(ref.runner_id)
    runner_id = ref.runner_id if ref is not None else None
    runner_alias = ref.runner_alias if ref is not None else None
    detail = f"job {job_id}" if job_id >= 0 else None
    action = ("view" if fields["method"] in ("GET", "HEAD") else "change") if seen else "refused"
    if runner_id is not None or not seen:  # a runner's record, or a refusal
        await run_in_threadpool(
            clinic.audit,
            viewer,
            action,
            runner_id=runner_id,
            runner_alias=runner_alias,
            detail=detail,
            **fields,
        )
    if not seen:
        raise _refuse(conn, 404, _NOT_FOUND_JOB)


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


def rule_of(app: Any, name: str) -> Rule | None:
    """The rule of the app's route called ``name`` (None when it has none); the table is
    built once per app."""
    rules: dict[str, Rule] | None = getattr(app.state, "route_rules", None)
    if rules is None:
        rules = {n: route_rule(route) for n, _path, route in app_routes(app.routes)}
        app.state.route_rules = rules
    return rules.get(name)


def sign_in_path(conn: HTTPConnection) -> str:
    """The sign-in page, coming back to this page afterwards."""
    target = conn.url.path + (f"?{conn.url.query}" if conn.url.query else "")
    return f"/login?next={quote(target, safe='')}"
