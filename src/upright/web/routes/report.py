"""The report (``upright report --runner``): the HTML report shown in the page, the PDF
to download. Both are built by the report service from the stored record, exactly as
the command builds them: the red-flag status comes first, a blocked plan is shown as
blocked, and the disclaimer closes the report."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from upright.errors import UprightError
from upright.report.report_html import render_report_html
from upright.report.report_pdf import to_report_pdf
from upright.services.report import ReportData, gather_report, latest_analysis_still
from upright.services.runner_index import runner_screen
from upright.web.forms import optional_int
from upright.web.pages import guarded, render
from upright.web.routes.plan import SESSIONS_PER_WEEK, WEEKS, _bounded
from upright.web.security import REPORT_FRAME_CSP

router = APIRouter()


def _options(query: dict[str, str]) -> tuple[int, int]:
    """``--sessions-per-week`` and ``--weeks`` of the report's plan, checked as the CLI
    checks them."""
    sessions = optional_int(query, "sessions_per_week", "--sessions-per-week")
    weeks = optional_int(query, "weeks", "--weeks")
    return (
        _bounded(sessions, 3, SESSIONS_PER_WEEK, "--sessions-per-week"),
        _bounded(weeks, 7, WEEKS, "--weeks"),
    )


def _report(alias: str, query: dict[str, str]) -> tuple[ReportData, bytes | None]:
    sessions, weeks = _options(query)
    still = latest_analysis_still(alias)
    return gather_report(alias, sessions_per_week=sessions, weeks=weeks), still


def _error_page(request: Request, alias: str, err: UprightError) -> HTMLResponse:
    """404 for a runner that is not stored, else 400: the error's one paragraph."""
    status = 404 if isinstance(guarded(lambda: runner_screen(alias)), UprightError) else 400
    return render(
        request, "error.html", {"status": status, "detail": err.message}, status_code=status
    )


@router.get("/report/{alias:path}", name="report_page")
def report_page(request: Request, alias: str) -> HTMLResponse:
    """The report in a frame, the PDF link, and the plan options the report uses."""
    screen = guarded(lambda: runner_screen(alias))
    if isinstance(screen, UprightError):
        return _error_page(request, alias, screen)
    query = dict(request.query_params)
    options = guarded(lambda: _options(query))
    error = options if isinstance(options, UprightError) else None
    return render(
        request,
        "report/report.html",
        {
            "alias": alias,
            "screen": screen,
            "error": error,
            "query": {k: v for k, v in query.items() if k in ("sessions_per_week", "weeks")},
        },
        status_code=200 if error is None else 400,
    )


@router.get("/report-frame/{alias:path}", name="report_frame")
def report_frame(request: Request, alias: str) -> Response:
    """The self-contained HTML report (``report.html``), sandboxed: its inline plotly.js
    runs, but it can reach nothing, not even this server."""
    built = guarded(lambda: _report(alias, dict(request.query_params)))
    if isinstance(built, UprightError):
        return _error_page(request, alias, built)
    data, still = built
    return HTMLResponse(
        render_report_html(data, still_jpeg=still),
        headers={"content-security-policy": REPORT_FRAME_CSP, "cache-control": "no-store"},
    )


@router.get("/report-pdf/{alias:path}", name="report_pdf")
def report_pdf(request: Request, alias: str) -> Response:
    """The report as a PDF download (``report.pdf``)."""
    built = guarded(lambda: _report(alias, dict(request.query_params)))
    if isinstance(built, UprightError):
        return _error_page(request, alias, built)
    data, still = built
    pdf = guarded(lambda: to_report_pdf(data, still_jpeg=still))
    if isinstance(pdf, UprightError):
        return _error_page(request, alias, pdf)
    name = quote(f"upright-report-{alias}.pdf", safe="")
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "content-disposition": f"attachment; filename*=UTF-8''{name}",
            "cache-control": "no-store",
        },
    )
