"""A runner's watch files and worn-sensor recordings: upload a FIT/GPX/TCX file
(``upright import --runner``) or an accelerometer recording (``upright imu --runner``) ->
a job -> its result page with the plots and the drift of the running measures.

The upload is streamed to disk as it arrives (:mod:`upright.web.streamed_upload`); the
file is read once when the job is submitted, so a damaged file is refused with the
command line's message and nothing is kept; the measuring and the plots run in the
app's job queue. A finished job has stored its record for the runner, as the command
does.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from upright.errors import UprightError
from upright.services.import_kinds import check_imu_settings, check_run_settings
from upright.services.import_outputs import read_imu_outputs, read_run_outputs
from upright.services.jobs import JobQueue, JobView
from upright.services.runner_index import runner_screen
from upright.services.uploads import UploadKind
from upright.web.forms import choice, optional_float
from upright.web.job_queue import QueueDep
from upright.web.pages import guarded, render
from upright.web.streamed_upload import StreamedUploadRoute
from upright.web.upload_job import upload_and_submit

__all__ = ["router", "upload_router"]

router = APIRouter()
upload_router = APIRouter(route_class=StreamedUploadRoute)

Kind = Literal["run", "imu"]
_PLACEMENTS = ("hip", "back", "chest")


def run_params(fields: Mapping[str, Any]) -> dict[str, Any]:
    """The ``run`` job's settings from the form, as ``upright import``'s options."""
    params = {
        "pain_onset_km": optional_float(fields, "pain_onset_km", "--pain-onset-km"),
        "pain_onset_min": optional_float(fields, "pain_onset_min", "--pain-onset-min"),
    }
    check_run_settings(params)
    return params


def imu_params(fields: Mapping[str, Any]) -> dict[str, Any]:
    """The ``imu`` job's settings from the form, as ``upright imu``'s options."""
    params = {
        "placement": choice(fields, "placement", "--placement", _PLACEMENTS) or "hip",
        "still_from": optional_float(fields, "still_from", "--still-from"),
        "still_to": optional_float(fields, "still_to", "--still-to"),
        "pain_onset_km": optional_float(fields, "pain_onset_km", "--pain-onset-km"),
        "pain_onset_min": optional_float(fields, "pain_onset_min", "--pain-onset-min"),
    }
    check_imu_settings(params)
    return params


@dataclass(frozen=True)
class _Page:
    upload: UploadKind
    template: str
    post_route: str
    params: Callable[[Mapping[str, Any]], dict[str, Any]]


_PAGES: dict[Kind, _Page] = {
    "run": _Page("activity", "imports/watch_upload.html", "watch_upload_post", run_params),
    "imu": _Page("sensor", "imports/sensor_upload.html", "sensor_upload_post", imu_params),
}
_RESULT_ROUTE = {"run": "run_result", "imu": "imu_result"}


def _error_page(request: Request, status: int, detail: str) -> HTMLResponse:
    return render(request, "error.html", {"status": status, "detail": detail}, status_code=status)


def _upload_page(
    request: Request,
    queue: JobQueue,
    alias: str,
    kind: Kind,
    *,
    values: Mapping[str, Any] | None = None,
    error: UprightError | None = None,
) -> HTMLResponse:
    screen = guarded(lambda: runner_screen(alias))
    if isinstance(screen, UprightError):
        return _error_page(request, 404, screen.message)
    context = {
        "alias": alias,
        "screen": screen,
        "jobs": [j for j in queue.list_jobs(runner=alias) if j.kind == kind],
        "values": values or {},
        "error": error,
        "result_route": _RESULT_ROUTE,
    }
    page = _PAGES[kind]
    return render(request, page.template, context, status_code=200 if error is None else 400)


@router.get("/watch-file/{alias:path}", name="watch_upload")
def watch_page(request: Request, alias: str, queue: QueueDep) -> HTMLResponse:
    """Upload a run from a watch (FIT, GPX or TCX); the runner's watch files so far."""
    return _upload_page(request, queue, alias, "run")


@router.get("/sensor/{alias:path}", name="sensor_upload")
def sensor_page(request: Request, alias: str, queue: QueueDep) -> HTMLResponse:
    """Upload a worn sensor's recording; the runner's recordings so far."""
    return _upload_page(request, queue, alias, "imu")


async def _receive_and_submit(
    request: Request, queue: JobQueue, alias: str, kind: Kind
) -> Response:
    """Stream the file in, read it once (refusing it with nothing kept), queue its job
    and go to the job's page."""
    page = _PAGES[kind]
    return await upload_and_submit(
        request,
        queue,
        alias,
        kind,
        upload_kind=page.upload,
        to_params=page.params,
        file_param="file",
        show_form=lambda values, error: _upload_page(
            request, queue, alias, kind, values=values, error=error
        ),
        not_found=lambda detail: _error_page(request, 404, detail),
    )


@upload_router.post("/watch-file/{alias:path}", name="watch_upload_post")
async def watch_upload(request: Request, alias: str, queue: QueueDep) -> Response:
    """The watch file, streamed to disk and read; a ``run`` job for the runner."""
    return await _receive_and_submit(request, queue, alias, "run")


@upload_router.post("/sensor/{alias:path}", name="sensor_upload_post")
async def sensor_upload(request: Request, alias: str, queue: QueueDep) -> Response:
    """The recording, streamed to disk and read; an ``imu`` job for the runner."""
    return await _receive_and_submit(request, queue, alias, "imu")


def _done_job(request: Request, queue: JobQueue, job_id: int, kind: Kind) -> JobView | Response:
    """The finished job of ``kind``, or the page to show instead (not found, not done)."""
    job = guarded(lambda: queue.get(job_id))
    if isinstance(job, UprightError) or job.kind != kind:
        detail = job.message if isinstance(job, UprightError) else f"job {job_id} is not a {kind}"
        return _error_page(request, 404, detail)
    if job.status != "done":
        return RedirectResponse(str(request.app.url_path_for("job_page", job_id=str(job_id))), 303)
    return job


def _out_dir(job: JobView) -> Path:
    return Path(str((job.result or {}).get("out_dir", "")))


def _result_page(
    request: Request,
    queue: JobQueue,
    job_id: int,
    kind: Kind,
    read: Callable[[Path], Any],
    unnamed: str,
) -> Response:
    """The page of a finished ``kind`` job, from the outputs ``read`` finds in its folder."""
    job = _done_job(request, queue, job_id, kind)
    if not isinstance(job, JobView):
        return job
    outputs = guarded(lambda: read(_out_dir(job)))
    if isinstance(outputs, UprightError):
        return _error_page(request, 410, outputs.message)
    context = {
        "job": job,
        "alias": job.runner,
        "s": outputs.summary,
        "figure": outputs.figure_json,
        "source_name": job.params.get("source_name") or unnamed,
    }
    return render(request, f"imports/{kind}_result.html", context, charts=True)


@router.get("/run-result/{job_id:int}", name="run_result")
def run_result(request: Request, job_id: int, queue: QueueDep) -> Response:
    """The run: pace, heart rate, cadence and running dynamics over the run, per third,
    and their drift (the fatigue signs) with the reasons."""
    return _result_page(request, queue, job_id, "run", read_run_outputs, "the watch file")


@router.get("/sensor-result/{job_id:int}", name="imu_result")
def imu_result(request: Request, job_id: int, queue: QueueDep) -> Response:
    """The recording: pitch, cadence and step regularity over the run, per third, and
    their drift with the reasons."""
    return _result_page(request, queue, job_id, "imu", read_imu_outputs, "the recording")
