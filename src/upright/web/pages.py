"""Rendering: the Jinja2 templates (every value escaped), the page context, the message
of an upright error, and the database each request works on."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Annotated, Any, TypeVar
from urllib.parse import quote, urlencode

import jinja2
from fastapi import Depends, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from starlette.routing import NoMatchFound
from starlette.types import ASGIApp, Receive, Scope, Send

from upright import __version__
from upright.errors import UprightError
from upright.store.engine import using_database
from upright.summaries import DISCLAIMER
from upright.web.security import CHART_CSP, CSRF_FIELD, csrf_token

__all__ = ["DatabaseMiddleware", "FormDep", "guarded", "make_templates", "render", "runner_path"]

T = TypeVar("T")

_HERE = Path(__file__).parent


async def _form(request: Request) -> Mapping[str, Any]:
    return await request.form()


#: A route's form fields (parsed once; the CSRF check read the same copy). A route that
#: takes it can be a plain ``def``, so the services run in the thread pool.
FormDep = Annotated[Mapping[str, Any], Depends(_form)]


def make_templates() -> Jinja2Templates:
    """The templates, with autoescape on for every file (user text is never markup)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(_HERE / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return Jinja2Templates(env=env)


def runner_path(request: Request, name: str, alias: str, **query: str) -> str:
    """The path of a runner's page: the alias is any text, so it is percent-encoded (a
    route takes it as its last part, ``{alias:path}``)."""
    path = str(request.app.url_path_for(name, alias=quote(alias, safe="")))
    return path + ("?" + urlencode(query) if query else "")


def _has_route(request: Request) -> Callable[[str], bool]:
    """Whether a page of that name is served (the job and upload pages may be absent)
    and the signed-in account's role may use it (clinic mode); a runner's page is probed
    with a stand-in alias."""
    from upright.web.access import may_use, rule_of

    viewer = getattr(request.state, "viewer", None)

    def has(name: str) -> bool:
        rule = rule_of(request.app, name) if viewer is not None else None
        if rule is not None and not may_use(viewer, rule):
            return False
        for params in ({"alias": "x"}, {}):
            try:
                request.app.url_path_for(name, **params)
            except NoMatchFound:
                continue
            return True
        return False

    return has


def render(
    request: Request,
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    status_code: int = 200,
    charts: bool = False,
) -> HTMLResponse:
    """Render ``template`` with the context every page needs (CSRF token, demo flag).

    ``charts``: the page draws plotly charts, and gets :data:`CHART_CSP`.
    """
    templates: Jinja2Templates = request.app.state.templates
    full = {
        "csrf_field": CSRF_FIELD,
        "csrf_token": csrf_token(request),
        "demo": request.app.state.settings.demo,
        "disclaimer": DISCLAIMER,
        "version": __version__,
        "viewer": getattr(request.state, "viewer", None),
        "has_route": _has_route(request),
        "runner_url": lambda name, alias, **query: runner_path(request, name, alias, **query),
        **(context or {}),
    }
    headers = {"content-security-policy": CHART_CSP} if charts else None
    return templates.TemplateResponse(
        request, template, full, status_code=status_code, headers=headers
    )


def guarded(action: Callable[[], T]) -> T | UprightError:
    """``action()``, or the upright error it raised (its one-paragraph ``message`` is what
    the CLI prints after "upright could not finish."). Nothing is stored on an error: every
    service commits only when all of its work succeeded."""
    try:
        return action()
    except UprightError as err:
        return err


class DatabaseMiddleware:
    """Every request works on the app's database (the services open it by URL)."""

    def __init__(self, app: ASGIApp, url: str) -> None:
        self.app = app
        self.url = url

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        with using_database(self.url):
            await self.app(scope, receive, send)
