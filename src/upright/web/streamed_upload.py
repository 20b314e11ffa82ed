"""A form with one file, read as it arrives: the file goes straight to the uploads
service, never whole in memory and never spooled elsewhere first.

A browser sends a form's fields in the order of the page, so the upload forms put the
CSRF token and the settings before the file. :func:`receive_upload` reads the text
fields, and when the file begins it first checks the token (unless the request carried
it in the ``X-CSRF-Token`` header) and the settings (``check_fields``), so a forged or
wrongly filled form is refused before a byte of the file is kept. The file's bytes then
stream into :class:`upright.services.uploads.UploadWriter`, which checks the content,
the size limit and the whole file, and keeps it under its hash, or keeps nothing.

Routes that read their body this way are :class:`StreamedUploadRoute` routes: the app's
CSRF check leaves the token of such a request to this reader (it still refuses a request
without a valid session or from another site).
"""

from __future__ import annotations

import asyncio
import codecs
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from fastapi import HTTPException, Request
from fastapi.routing import APIRoute
from python_multipart.multipart import MultipartParser, parse_options_header

from upright.errors import InputError
from upright.services.uploads import StoredUpload, UploadKind, UploadWriter
from upright.web.security import CSRF_FIELD, CSRF_HEADER, csrf_matches

__all__ = ["StreamedUploadRoute", "UploadedForm", "receive_upload"]

#: Text fields of an upload form: at most this many, each at most this long.
MAX_FIELDS: Final = 40
MAX_FIELD_BYTES: Final = 4096
#: Bytes of the body read and dropped after a refusal, so the browser gets the page.
_DRAIN_LIMIT: Final = 64 << 30
_FORBIDDEN: Final = "This form has expired or comes from elsewhere."


class StreamedUploadRoute(APIRoute):
    """A route that reads its own body with :func:`receive_upload`."""

    reads_own_body = True


@dataclass(frozen=True)
class UploadedForm:
    """The text fields of the form and the stored file."""

    fields: dict[str, str]
    upload: StoredUpload


class _Parts:
    """python-multipart's callbacks, turned into a list of events to act on."""

    def __init__(self, charset: str) -> None:
        self.charset = charset
        self.events: list[tuple[str, Any]] = []
        self._header_name = b""
        self._header_value = b""
        self._disposition = b""
        self._field_bytes = 0
        self._fields = 0
        self._text: bytearray | None = None
        self._name = ""

    def _decode(self, raw: bytes) -> str:
        return raw.decode(self.charset, errors="replace")

    def on_part_begin(self) -> None:
        self._disposition = b""
        self._text = None

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def on_header_end(self) -> None:
        if self._header_name.lower() == b"content-disposition":
            self._disposition = self._header_value
        self._header_name = self._header_value = b""

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self._disposition)
        self._name = self._decode(options.get(b"name", b""))
        if b"filename" in options:
            self.events.append(("file", (self._name, self._decode(options[b"filename"]))))
        else:
            self._fields += 1
            if self._fields > MAX_FIELDS:
                raise InputError("the form has too many fields", fix="Send the page's own form")
            self._text = bytearray()

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self._text is None:
            self.events.append(("data", data[start:end]))
            return
        self._text += data[start:end]
        if len(self._text) > MAX_FIELD_BYTES:
            raise InputError(
                f"the form field {self._name!r} is too long", fix="Send the page's own form"
            )

    def on_part_end(self) -> None:
        if self._text is None:
            self.events.append(("end", None))
        else:
            self.events.append(("field", (self._name, self._decode(bytes(self._text)))))
            self._text = None


def _boundary(request: Request) -> tuple[bytes, str]:
    content_type, params = parse_options_header(request.headers.get("content-type", ""))
    if content_type != b"multipart/form-data" or b"boundary" not in params:
        raise InputError("no file was sent", fix="Choose the file in the page's form and send it")
    charset = params.get(b"charset", b"utf-8").decode("latin-1")
    try:
        charset = codecs.lookup(charset).name
    except LookupError:
        charset = "latin-1"
    return params[b"boundary"], charset


async def _drain(request: Request, stream: object) -> None:
    """Read and drop the rest of the body (the browser then shows the page)."""
    dropped = 0
    try:
        async for chunk in stream:  # type: ignore[attr-defined]
            dropped += len(chunk)
            if dropped > _DRAIN_LIMIT:
                break
    except Exception:  # the client went away: nothing more to read
        return


async def receive_upload(
    request: Request,
    kind: UploadKind,
    *,
    root: Path,
    max_bytes: int | None = None,
    quota_bytes: int | None = None,
    check_fields: Callable[[Mapping[str, str]], object] | None = None,
) -> UploadedForm:
    """Read a multipart form whose one file is an upload of ``kind``, storing the file.

    Raises
    ------
    HTTPException
        403: no valid CSRF token came before the file.
    InputError
        The form is not a file upload, ``check_fields`` refused its settings, no file
        came, or the uploads service refused the file (too large, empty, not of its kind
        by its content, damaged); nothing is kept.
    """
    boundary, charset = _boundary(request)
    header_token = request.headers.get(CSRF_HEADER)
    if header_token is not None and not csrf_matches(request, header_token):
        raise HTTPException(403, _FORBIDDEN)
    parts = _Parts(charset)
    parser = MultipartParser(
        boundary,
        {
            "on_part_begin": parts.on_part_begin,
            "on_part_data": parts.on_part_data,
            "on_part_end": parts.on_part_end,
            "on_header_field": parts.on_header_field,
            "on_header_value": parts.on_header_value,
            "on_header_end": parts.on_header_end,
            "on_headers_finished": parts.on_headers_finished,
        },
    )
    fields: dict[str, str] = {}
    writer: UploadWriter | None = None
    stored: StoredUpload | None = None
    stream = request.stream()
    try:
        async for chunk in stream:
            parser.write(chunk)
            for event, value in parts.events:
                if event == "field":
                    fields.setdefault(str(value[0]), str(value[1]))
                elif event == "file":
                    if writer is not None or stored is not None:
                        raise InputError("more than one file was sent", fix="Send one file")
                    token = header_token or fields.get(CSRF_FIELD)
                    if token is None or not csrf_matches(request, token):
                        raise HTTPException(403, _FORBIDDEN)
                    if check_fields is not None:
                        check_fields(fields)
                    writer = await asyncio.to_thread(
                        UploadWriter,
                        kind,
                        str(value[1]),
                        root=root,
                        max_bytes=max_bytes,
                        quota_bytes=quota_bytes,
                    )
                elif event == "data" and writer is not None:
                    await asyncio.to_thread(writer.write, value)
                elif event == "end" and writer is not None:
                    stored = await asyncio.to_thread(writer.finish)
                    writer = None
            parts.events.clear()
        parser.finalize()
    except BaseException:
        if writer is not None:
            writer.abort()
        await _drain(request, stream)
        raise
    if writer is not None:  # the body ended inside the file: a cut-short upload
        writer.abort()
        raise InputError("the upload was cut short", fix="Upload the file again")
    if stored is None:
        token = header_token or fields.get(CSRF_FIELD)
        if token is None or not csrf_matches(request, token):
            raise HTTPException(403, _FORBIDDEN)
        raise InputError("no file was chosen", fix="Choose the file and send the form again")
    return UploadedForm(fields=fields, upload=stored)
