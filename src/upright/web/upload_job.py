"""An upload that becomes a job: the one path the clip, watch-file and sensor pages share.

The file is streamed in (its form fields checked before any byte is kept), the job is
queued for the runner with the account that sent it, and the browser goes to the job's
page. Anything refused shows the upload page again with the message, and an upload kept
only for this job is removed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from upright.errors import UprightError
from upright.services.jobs import JobQueue
from upright.services.runner_index import runner_screen
from upright.services.uploads import UploadKind
from upright.web.access import viewer_of
from upright.web.pages import guarded
from upright.web.streamed_upload import receive_upload

__all__ = ["upload_and_submit"]

#: The upload page again: ``values`` (the fields sent) and ``error`` (what was refused).
ShowForm = Callable[[dict[str, Any], UprightError], Response]


async def upload_and_submit(
    request: Request,
    queue: JobQueue,
    alias: str,
    kind: str,
    *,
    upload_kind: UploadKind,
    to_params: Callable[[Mapping[str, str]], dict[str, Any]],
    file_param: str,
    show_form: ShowForm,
    not_found: Callable[[str], Response],
) -> Response:
    """Stream the file in, queue a ``kind`` job for ``alias`` and go to the job's page.

    ``to_params`` turns the form's fields into the job's parameters (raising an
    :class:`UprightError` on a bad field); the stored file's path goes in ``file_param``.
    """
    screen = await asyncio.to_thread(guarded, lambda: runner_screen(alias))
    if isinstance(screen, UprightError):
        return not_found(screen.message)
    settings = request.app.state.settings
    fields: dict[str, Any] = {}

    def check_fields(received: Mapping[str, str]) -> None:
        fields.update(received)  # shown again in the form if anything is refused
        to_params(received)

    try:
        form = await receive_upload(
            request,
            upload_kind,
            root=settings.uploads_dir,
            **settings.upload_limits(),
            check_fields=check_fields,
        )
    except UprightError as err:
        return await asyncio.to_thread(show_form, fields, err)
    upload = form.upload
    params = {
        **to_params(form.fields),
        file_param: str(upload.path),
        "source_name": upload.original_name,
    }
    viewer = viewer_of(request)
    creator = viewer.account_id if viewer is not None else None
    job = await asyncio.to_thread(
        guarded, lambda: queue.submit(kind, params, runner=alias, created_by=creator)
    )
    if isinstance(job, UprightError):
        if not upload.reused:
            upload.path.unlink(missing_ok=True)
        return await asyncio.to_thread(show_form, dict(form.fields), job)
    url = request.app.url_path_for("job_page", job_id=str(job.id))
    return RedirectResponse(str(url), status_code=303)
