"""The app factory: ``create_app(settings)`` wires settings, security, templates, static
files and the routes of each area (runners, check-up, plan, logs)."""

from __future__ import annotations

import asyncio
import gc
import importlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from upright import __version__
from upright.services.accounts import Clinic, ClinicPolicy
from upright.store import dispose_engines, open_store
from upright.web.access import SignInRequiredError, require_access, sign_in_path
from upright.web.job_queue import job_lifespan
from upright.web.pages import DatabaseMiddleware, make_templates, render
from upright.web.routes import (
    backup,
    checkup,
    clearance,
    clinic,
    data_rights,
    endurance,
    imports,
    live,
    log,
    plan,
    report,
    runners,
    video,
)
from upright.web.security import SecurityMiddleware, load_secret, require_csrf
from upright.web.settings import WebSettings

__all__ = ["create_app"]

_STATIC = Path(__file__).parent / "static"


def _plotly_js() -> Path:
    """plotly.js as the installed plotly package ships it (no copy, no CDN)."""
    import plotly

    return Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


def create_app(settings: WebSettings | None = None) -> FastAPI:
    """The web app for ``settings`` (default: from the environment, as the commands).

    Every request works on ``settings.database_url``; in clinic mode it is first let
    through or refused by :func:`upright.web.access.require_access` (the one place that
    decides who may use which route); every unsafe request needs the session's CSRF
    token (:func:`upright.web.security.require_csrf`); every response carries the
    security headers. The app's job queue runs while the app does
    (:func:`upright.web.job_queue.job_lifespan`).
    """
    settings = settings or WebSettings()
    accounts = _clinic(settings) if settings.clinic else None

    jobs = job_lifespan(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            async with jobs(app):
                await asyncio.to_thread(_settle_memory)
                yield
        finally:
            if accounts is not None:
                accounts.store.close()
            dispose_engines(settings.database_url)  # the pooled connections of the app

    app = FastAPI(
        title="upright",
        version=__version__,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        dependencies=[Depends(require_access), Depends(require_csrf)],
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.clinic = accounts
    same_site = "Lax" if settings.clinic else "Strict"
    app.state.cookie = {"secure": settings.secure_cookies, "same_site": same_site}
    app.state.secret = load_secret(settings.data_dir)
    app.state.templates = make_templates()

    app.mount("/static", StaticFiles(directory=_STATIC), name="static")
    plotly_js = _plotly_js()

    @app.get("/vendor/plotly.min.js", include_in_schema=False, name="plotly_js")
    def plotly_script() -> FileResponse:
        return FileResponse(plotly_js, media_type="text/javascript")

    @app.get("/", include_in_schema=False)
    def home() -> RedirectResponse:
        return RedirectResponse(app.url_path_for("runner_list"), status_code=303)

    for area in (
        runners,
        checkup,
        plan,
        log,
        report,
        backup,
        clearance,
        endurance,
        live,
        video,
        data_rights,
    ):
        app.include_router(area.router)
    app.include_router(backup.upload_router)
    app.include_router(video.upload_router)
    app.include_router(imports.router)
    app.include_router(imports.upload_router)
    if settings.clinic:
        app.include_router(clinic.router)
    # The video, exercise-form and upload pages (jobs and uploads services) are routers of
    # their own, included here; the runner's home links to them by route name
    # ("video_upload") as soon as they exist.

    @app.exception_handler(SignInRequiredError)
    async def sign_in_first(request: Request, exc: SignInRequiredError) -> Response:
        if request.method in ("GET", "HEAD"):
            return RedirectResponse(sign_in_path(request), status_code=303)
        return render(
            request,
            "error.html",
            {"status": 401, "detail": "Sign in first."},
            status_code=401,
        )

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if exc.status_code == 405:
            return HTMLResponse("Method not allowed", status_code=405)
        return render(
            request,
            "error.html",
            {"status": exc.status_code, "detail": exc.detail},
            status_code=exc.status_code,
        )

    app.add_middleware(DatabaseMiddleware, url=settings.database_url)
    app.add_middleware(
        SecurityMiddleware,
        secret=app.state.secret,
        secure_cookie=settings.secure_cookies,
        same_site=same_site,
    )
    return app


def _clinic(settings: WebSettings) -> Clinic:
    """Clinic mode's accounts on the app's database (opened and migrated once)."""
    policy = ClinicPolicy(
        session_hours=settings.session_hours,
        max_failures_per_account=settings.login_max_failures_per_account,
        max_failures_per_address=settings.login_max_failures_per_address,
        window_minutes=settings.login_window_minutes,
        invitation_days=settings.invitation_days,
    )
    return Clinic(open_store(settings.database_url), policy)


#: Modules the pages import on first use, imported at start-up instead (see
#: :func:`_settle_memory`).
_PAGE_MODULES = (
    "upright.services.report",
    "upright.report.report_charts",
    "upright.services.runner_program",
    "upright.services.runner_record",
)


_settled: list[bool] = []


def _settle_memory() -> None:
    """Import what the pages need, then exempt everything loaded so far from garbage
    collection (``gc.freeze``), once per process. The modules behind the analysis
    (MediaPipe, SciPy, plotly, pandas) hold millions of objects that live as long as the
    server; without this, every few requests a full collection walks them all (about
    0.13 s of a 0.04 s page here)."""
    if _settled:
        return
    for name in _PAGE_MODULES:
        importlib.import_module(name)
    gc.collect()
    gc.freeze()
    _settled.append(True)
