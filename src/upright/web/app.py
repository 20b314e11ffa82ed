"""The app factory: ``create_app(settings)`` wires settings, security, templates, static
files and the routes of each area (runners, check-up, plan, logs)."""

from __future__ import annotations

from pathlib import Path

from fastapi import Depends, FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from upright import __version__
from upright.web.job_queue import job_lifespan
from upright.web.pages import DatabaseMiddleware, make_templates, render
from upright.web.routes import (
    backup,
    checkup,
    clearance,
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

    Every request works on ``settings.database_url``; every unsafe request needs the
    session's CSRF token (:func:`upright.web.security.require_csrf`); every response
    carries the security headers. The app's job queue runs while the app does
    (:func:`upright.web.job_queue.job_lifespan`).
    """
    settings = settings or WebSettings()
    app = FastAPI(
        title="upright",
        version=__version__,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        dependencies=[Depends(require_csrf)],
        lifespan=job_lifespan(settings),
    )
    app.state.settings = settings
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

    for area in (runners, checkup, plan, log, report, backup, clearance, endurance, live, video):
        app.include_router(area.router)
    app.include_router(backup.upload_router)
    app.include_router(video.upload_router)
    app.include_router(imports.router)
    app.include_router(imports.upload_router)
    # The video, exercise-form and upload pages (jobs and uploads services) are routers of
    # their own, included here; the runner's home links to them by route name
    # ("video_upload") as soon as they exist.

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
    app.add_middleware(SecurityMiddleware, secret=app.state.secret)
    return app
