"""Backups: one runner's whole record to download (``upright export --runner``), and a
backup file uploaded to restore (``upright import-backup``), all or nothing.

The upload is refused past :data:`MAX_BACKUP_BYTES` while it is still arriving (before
the form is read), and read as a backup by its content, whatever its name: the name the
browser sent is used in messages only, never as a path.
"""

from __future__ import annotations

import copy
import shutil
import tempfile
from collections.abc import Callable, Coroutine
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any, Final
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.routing import APIRoute
from starlette.datastructures import UploadFile
from starlette.types import Message

from upright.errors import InputError, UprightError
from upright.services.runner_index import runner_screen
from upright.services.runner_record import export_record, import_record
from upright.web.forms import FormData, text
from upright.web.pages import FormDep, guarded, render

__all__ = ["MAX_BACKUP_BYTES", "router"]

#: The largest backup upload, in bytes (a year of records with their stills is a few MB).
MAX_BACKUP_BYTES: Final = 32 * 1024 * 1024
_CHUNK: Final = 1 << 20


class _TooLargeError(Exception):
    """The request body passed the limit while it was arriving."""


def _too_large() -> InputError:
    return InputError(
        f"the uploaded file is larger than {MAX_BACKUP_BYTES // (1024 * 1024)} MB, more than "
        "any backup upright writes",
        fix="Choose a file written by upright's backup export",
    )


class LimitedUpload(APIRoute):
    """A route whose request body may not pass :data:`MAX_BACKUP_BYTES`: counted as it
    arrives, before the CSRF check reads the form, so an oversized upload is never
    spooled whole; the route's page then shows the refusal."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def limited(request: Request) -> Response:
            length = request.headers.get("content-length", "")
            if length.isdigit() and int(length) > MAX_BACKUP_BYTES:
                return _import_page(request, {}, error=_too_large(), status=413)
            received = 0
            receive = request.receive

            async def counted() -> Message:
                nonlocal received
                message = await receive()
                if message["type"] == "http.request":
                    received += len(message.get("body", b""))
                    if received > MAX_BACKUP_BYTES:
                        raise _TooLargeError
                return message

            counted_request = Request(request.scope, counted)
            try:
                return await handler(counted_request)
            except _TooLargeError:
                return _import_page(request, {}, error=_too_large(), status=413)
            finally:
                await counted_request.close()  # the spooled upload, also when refused (403)

        return limited


router = APIRouter()
upload_router = APIRouter(route_class=LimitedUpload)


def _not_found(request: Request, err: UprightError) -> HTMLResponse:
    return render(request, "error.html", {"status": 404, "detail": err.message}, status_code=404)


@router.get("/backup/{alias:path}", name="backup_page")
def backup_page(request: Request, alias: str) -> HTMLResponse:
    """The runner's backup to download, and the form that restores one."""
    screen = guarded(lambda: runner_screen(alias))
    if isinstance(screen, UprightError):
        return _not_found(request, screen)
    return render(request, "backup/backup.html", {"alias": alias, "values": {}, "error": None})


def _export(alias: str) -> bytes:
    """The backup file ``upright export --runner ALIAS --out FILE`` writes, as bytes."""
    with tempfile.TemporaryDirectory(prefix="upright-export-") as folder:
        out = Path(folder) / "backup.json"
        export_record(alias, out)
        return out.read_bytes()


@router.get("/backup-file/{alias:path}", name="backup_export")
def backup_export(request: Request, alias: str) -> Response:
    """The runner's whole record as one JSON file (``upright.backup/1``)."""
    body = guarded(lambda: _export(alias))
    if isinstance(body, UprightError):
        status = 404 if isinstance(guarded(lambda: runner_screen(alias)), UprightError) else 400
        return render(
            request, "error.html", {"status": status, "detail": body.message}, status_code=status
        )
    name = quote(f"upright-backup-{alias}.json", safe="")
    return Response(
        body,
        media_type="application/json",
        headers={
            "content-disposition": f"attachment; filename*=UTF-8''{name}",
            "cache-control": "no-store",
        },
    )


def _import_page(
    request: Request,
    values: FormData,
    *,
    error: UprightError | None = None,
    restored: tuple[str, str] | None = None,
    status: int | None = None,
) -> HTMLResponse:
    return render(
        request,
        "backup/import.html",
        {"values": values, "error": error, "restored": restored},
        status_code=status or (200 if error is None else 400),
    )


@router.get("/import-backup", name="backup_import_form")
def import_form(request: Request) -> HTMLResponse:
    """The form that restores a runner from a backup file."""
    return _import_page(request, {})


def display_name(filename: str | None) -> str:
    """The uploaded file's name as the browser gave it, for messages only: its last part
    (either kind of slash), or a stand-in when there is none."""
    name = PureWindowsPath(PurePosixPath(filename or "").name).name.strip()
    return name[:120] or "the uploaded file"


def _restore(form: FormData) -> tuple[str, str]:
    """``upright import-backup FILE [--merge]`` on the uploaded file: (alias, file name).

    The upload is copied to a temporary file of upright's own naming; an error names the
    file as the browser named it, as the command names the path it was given.
    """
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not (upload.filename or upload.size):
        raise InputError(
            "no backup file was chosen", fix="Choose a file written by upright's backup export"
        )
    name = display_name(upload.filename)
    merge = text(form, "merge") == "yes"
    with tempfile.TemporaryDirectory(prefix="upright-import-") as folder:
        path = Path(folder) / "backup.json"
        upload.file.seek(0)
        with path.open("wb") as out:
            shutil.copyfileobj(upload.file, out, _CHUNK)
        try:
            return import_record(path, merge), name
        except UprightError as err:
            if err.path != path:
                raise
            named: Any = copy.copy(err)
            named.path = Path(name)
            named.args = (named.message,)
            raise named from None


@upload_router.post("/import-backup", name="backup_import")
def import_post(request: Request, form: FormDep) -> HTMLResponse:
    """Restore the runner, all or nothing; the CLI's message when the file is refused."""
    result = guarded(lambda: _restore(form))
    values = {"merge": text(form, "merge")}
    if isinstance(result, UprightError):
        return _import_page(request, values, error=result)
    return _import_page(request, {}, restored=result)
