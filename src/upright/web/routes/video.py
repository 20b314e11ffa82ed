"""Clips of a runner: upload a running clip (``upright analyze``) or an exercise clip
(``upright form``) -> a job with a live progress bar -> its result page, with the
annotated video playing in the page; clips of one run compared by distance
(``upright compare``).

The upload is streamed to disk as it arrives (:mod:`upright.web.streamed_upload`); the
work runs in the app's job queue, never in the request. A job's page is found again
after a reload or a restart (the job lives in the database); a failed job shows the
paragraph the command line prints.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from upright.errors import InputError, UprightError
from upright.services.job_kinds import check_settings
from upright.services.job_outputs import (
    compare_analyses,
    job_file,
    read_analysis_outputs,
    read_form_outputs,
)
from upright.services.jobs import JobQueue, JobView
from upright.services.runner_index import runner_screen
from upright.web.forms import choice, optional_float, text
from upright.web.job_queue import QueueDep
from upright.web.pages import FormDep, guarded, render, runner_path
from upright.web.streamed_upload import StreamedUploadRoute
from upright.web.upload_job import upload_and_submit

__all__ = ["router", "upload_router"]

router = APIRouter()
upload_router = APIRouter(route_class=StreamedUploadRoute)

_SETTINGS = ("auto", "treadmill", "overground")
_DIRECTIONS = ("auto", "left", "right")
_SIDES = ("left", "right")
_RESULT_ROUTE = {
    "analyze": "analysis_page",
    "form": "form_result",
    "run": "run_result",  # upright.web.routes.imports
    "imu": "imu_result",
}


def _error_page(request: Request, status: int, detail: str) -> HTMLResponse:
    return render(request, "error.html", {"status": status, "detail": detail}, status_code=status)


# ---------------------------------------------------------------- settings from the form


def analyze_params(fields: Mapping[str, Any]) -> dict[str, Any]:
    """The ``analyze`` job's settings from the form, as ``upright analyze``'s options."""
    params: dict[str, Any] = {
        "setting": choice(fields, "setting", "--setting", _SETTINGS) or "auto",
        "direction": choice(fields, "direction", "--direction", _DIRECTIONS) or "auto",
        "height_cm": optional_float(fields, "height_cm", "--height-cm"),
        "tilt_deg": optional_float(fields, "tilt_deg", "--tilt-deg"),
    }
    check_settings("analyze", params)
    return params


def form_params(fields: Mapping[str, Any]) -> dict[str, Any]:
    """The ``form`` job's settings from the form, as ``upright form``'s options."""
    exercise = text(fields, "exercise")
    if not exercise:
        raise InputError("no exercise chosen", fix="Choose the exercise filmed in the clip")
    params: dict[str, Any] = {
        "exercise": exercise,
        "side": choice(fields, "side", "--side", _SIDES),
        "tilt_deg": optional_float(fields, "tilt_deg", "--tilt-deg"),
    }
    check_settings("form", params)
    return params


# ---------------------------------------------------------------- upload pages


def _upload_page(
    request: Request,
    queue: JobQueue,
    alias: str,
    kind: Literal["analyze", "form"],
    *,
    values: Mapping[str, Any] | None = None,
    error: UprightError | None = None,
    status: int | None = None,
) -> HTMLResponse:
    screen = guarded(lambda: runner_screen(alias))
    if isinstance(screen, UprightError):
        return _error_page(request, 404, screen.message)
    jobs = [j for j in queue.list_jobs(runner=alias) if j.kind == kind]
    context: dict[str, Any] = {
        "alias": alias,
        "screen": screen,
        "jobs": jobs,
        "values": values or {},
        "error": error,
        "result_route": _RESULT_ROUTE,
    }
    if kind == "form":
        from upright.form.definitions import form_definition, form_keys

        def name(key: str) -> str:
            try:
                return form_definition(key).name
            except InputError:  # a one-sided exercise: its name is the same either side
                return form_definition(key, "left").name

        context["exercises"] = [(k, name(k)) for k in form_keys()]
        template = "video/form_upload.html"
    else:
        context["done"] = [j for j in jobs if j.status == "done"]
        template = "video/upload.html"
    code = status or (200 if error is None else 400)
    return render(request, template, context, status_code=code)


@router.get("/video/{alias:path}", name="video_upload")
def video_page(request: Request, alias: str, queue: QueueDep) -> HTMLResponse:
    """Upload a running clip; the runner's analyses so far, to open or compare."""
    return _upload_page(request, queue, alias, "analyze")


@router.get("/form-check/{alias:path}", name="form_upload")
def form_page(request: Request, alias: str, queue: QueueDep) -> HTMLResponse:
    """Upload an exercise clip; the runner's form checks so far."""
    return _upload_page(request, queue, alias, "form")


async def _receive_and_submit(
    request: Request, queue: JobQueue, alias: str, kind: Literal["analyze", "form"]
) -> Response:
    """Stream the clip in, then queue its job and go to the job's page."""
    return await upload_and_submit(
        request,
        queue,
        alias,
        kind,
        upload_kind="video",
        to_params=analyze_params if kind == "analyze" else form_params,
        file_param="video",
        show_form=lambda values, error: _upload_page(
            request, queue, alias, kind, values=values, error=error
        ),
        not_found=lambda detail: _error_page(request, 404, detail),
    )


@upload_router.post("/video/{alias:path}", name="video_upload_post")
async def video_upload(request: Request, alias: str, queue: QueueDep) -> Response:
    """The clip, streamed to disk; an ``analyze`` job for the runner."""
    return await _receive_and_submit(request, queue, alias, "analyze")


@upload_router.post("/form-check/{alias:path}", name="form_upload_post")
async def form_upload(request: Request, alias: str, queue: QueueDep) -> Response:
    """The clip, streamed to disk; a ``form`` job for the runner."""
    return await _receive_and_submit(request, queue, alias, "form")


# ---------------------------------------------------------------- jobs


def _job(queue: JobQueue, job_id: int, kind: str | None = None) -> JobView | UprightError:
    job = guarded(lambda: queue.get(job_id))
    if not isinstance(job, UprightError) and kind is not None and job.kind != kind:
        return InputError(f"job {job_id} is not of this kind", fix="Open the job's own page")
    return job


def _result_url(request: Request, job: JobView) -> str:
    return str(request.app.url_path_for(_RESULT_ROUTE[job.kind], job_id=str(job.id)))


@router.get("/jobs/{job_id:int}", name="job_page")
def job_page(request: Request, job_id: int, queue: QueueDep) -> Response:
    """The job: its progress while queued or running, its paragraph if it failed; the
    result page once done."""
    job = _job(queue, job_id)
    if isinstance(job, UprightError):
        return _error_page(request, 404, job.message)
    if job.status == "done" and job.kind in _RESULT_ROUTE:
        return RedirectResponse(_result_url(request, job), status_code=303)
    return render(request, "video/job.html", {"job": job, "alias": job.runner})


@router.get("/jobs/{job_id:int}/progress", name="job_progress")
def job_progress(request: Request, job_id: int, queue: QueueDep) -> Response:
    """The progress bar alone (the job page asks for it every second); once the job is
    done the page is sent to the result (``HX-Redirect``), once failed it is reloaded."""
    job = _job(queue, job_id)
    if isinstance(job, UprightError):
        return _error_page(request, 404, job.message)
    if job.status == "done" and job.kind in _RESULT_ROUTE:
        return Response(status_code=204, headers={"hx-redirect": _result_url(request, job)})
    if job.status == "failed":
        url = str(request.app.url_path_for("job_page", job_id=str(job.id)))
        return Response(status_code=204, headers={"hx-redirect": url})
    return render(request, "video/_progress.html", {"job": job})


def _folder(job: JobView) -> Path:
    out = (job.result or {}).get("out_dir")
    if job.status != "done" or not isinstance(out, str):
        raise InputError(f"job {job.id} has no results yet", fix="Open the job's page")
    return Path(out)


@router.get("/jobs/{job_id:int}/files/{name}", name="job_file")
def job_file_route(request: Request, job_id: int, name: str, queue: QueueDep) -> Response:
    """A file of a finished job (the annotated video with HTTP range requests, so the
    page's player can seek)."""
    job = _job(queue, job_id)
    found = guarded(lambda: job_file(_folder(job), name)) if isinstance(job, JobView) else job
    if isinstance(found, UprightError):
        return _error_page(request, 404, found.message)
    path, media_type = found
    return FileResponse(path, media_type=media_type, headers={"cache-control": "no-cache"})


def _figure_json(figure: Any) -> str:
    data: str = figure.to_json()
    return data


@router.get("/analysis/{job_id:int}", name="analysis_page")
def analysis_page(request: Request, job_id: int, queue: QueueDep) -> Response:
    """The analysis: annotated video, lean and head-trunk per stride, drift, quality
    checks, withheld metrics and why."""
    from upright.report.plots import posture_figure

    job = _job(queue, job_id, "analyze")
    if isinstance(job, UprightError):
        return _error_page(request, 404, job.message)
    if job.status != "done":
        return RedirectResponse(str(request.app.url_path_for("job_page", job_id=str(job_id))), 303)
    outputs = guarded(lambda: read_analysis_outputs(_folder(job)))
    if isinstance(outputs, UprightError):
        return _error_page(request, 410, outputs.message)
    figure = posture_figure(outputs.summary, None, outputs.strides)
    context = {
        "job": job,
        "alias": job.runner,
        "out": outputs,
        "s": outputs.summary,
        "figure": _figure_json(figure),
        "source_name": job.params.get("source_name") or "the clip",
    }
    return render(request, "video/analysis.html", context, charts=True)


@router.get("/form-result/{job_id:int}", name="form_result")
def form_result(request: Request, job_id: int, queue: QueueDep) -> Response:
    """The form check: annotated video, per-second verdicts, good-form seconds, angles."""
    from upright.form.definitions import form_definition
    from upright.report.form_plots import FORM_FIGURE_NOTE, form_figure

    job = _job(queue, job_id, "form")
    if isinstance(job, UprightError):
        return _error_page(request, 404, job.message)
    if job.status != "done":
        return RedirectResponse(str(request.app.url_path_for("job_page", job_id=str(job_id))), 303)
    outputs = guarded(lambda: read_form_outputs(_folder(job)))
    if isinstance(outputs, UprightError):
        return _error_page(request, 410, outputs.message)
    ex = outputs.summary.exercise
    figure = form_figure(outputs.summary, form_definition(ex.key, ex.side), outputs.frames)
    owner = job.runner
    screen = guarded(lambda: runner_screen(owner)) if owner is not None else None
    blocked = screen is None or isinstance(screen, UprightError) or screen.plan_blocked
    labels = {t.fault: t.label for t in ex.tolerances}
    context = {
        "job": job,
        "alias": job.runner,
        "out": outputs,
        "s": outputs.summary,
        "figure": _figure_json(figure),
        "figure_note": FORM_FIGURE_NOTE,
        "labels": labels,
        "cues": not blocked,
        "source_name": job.params.get("source_name") or "the clip",
    }
    return render(request, "video/form_result.html", context, charts=True)


# ---------------------------------------------------------------- compare


def _compare(queue: JobQueue, alias: str, form: Mapping[str, Any]) -> Any:
    """The chosen analyses at their points, compared (``upright compare``)."""
    unit = choice(form, "unit", "--at unit", ("km", "min")) or "km"
    chosen = []
    for job in queue.list_jobs(runner=alias):
        if job.kind != "analyze" or job.status != "done" or text(form, f"use.{job.id}") != "yes":
            continue
        point = optional_float(form, f"at.{job.id}", f"the point of job {job.id}")
        name = str(job.params.get("source_name") or f"clip of job {job.id}")
        if point is None:
            raise InputError(
                f"no point of the run given for {name}",
                fix=f"Give where in the run ({unit}) each chosen clip was filmed",
            )
        chosen.append((point, _folder(job), name))
    chosen.sort(key=lambda c: c[0])
    folders = [(folder, point, name) for point, folder, name in chosen]
    return compare_analyses(folders, unit="km" if unit == "km" else "min"), folders


@router.post("/compare/{alias:path}", name="compare_post")
def compare_post(request: Request, alias: str, form: FormDep, queue: QueueDep) -> Response:
    """Drift across the chosen clips of one run, by distance (or time)."""
    from upright.report.compare_plots import compare_plotly_figure

    result = guarded(lambda: _compare(queue, alias, form))
    if isinstance(result, UprightError):
        return _upload_page(request, queue, alias, "analyze", values=form, error=result)
    comparison, folders = result
    summary = comparison.summary
    names = [name for _f, _p, name in folders]
    context = {
        "alias": alias,
        "c": summary,
        "names": names,
        "figure": _figure_json(compare_plotly_figure(summary)),
        "back": runner_path(request, "video_upload", alias),
    }
    return render(request, "video/compare.html", context, charts=True)
