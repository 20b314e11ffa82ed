"""Uploaded files: streamed to disk, checked by content, kept unchanged under their hash.

An upload (a running clip, a watch file, a worn-sensor recording, a keypoint file) arrives
as a stream of byte chunks, never whole in memory. :class:`UploadWriter` writes each chunk
to a temporary ``.part`` file in the uploads folder while hashing and counting it, and

1. refuses the stream as soon as it passes the size limit of its kind;
2. checks the type from the first bytes (signatures, XML root, text), never from the
   name, and at the end from the whole file (a video must open and hold frames; a zip
   must list a CSV file);
3. renames the file into place as ``<uploads>/<kind>/<sha256>.<format>``. A second
   upload of the same bytes finds that file and reuses it.

Any failure removes the ``.part`` file; nothing half-written is ever left under a final
name. The name the user's browser sent is kept for messages only: no user text becomes a
path. ``<uploads>`` is ``uploads/`` in upright's data folder
(:func:`upright.store.data_dir`) unless given.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import errno
import hashlib
import os
import tempfile
import time
from collections.abc import AsyncIterable, Awaitable, Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any, BinaryIO, Final, NoReturn, Protocol, cast

from upright.errors import InputError, UnsupportedFormatError, UprightError
from upright.services.upload_types import (
    FIX,
    SNIFF_BYTES,
    UPLOAD_KINDS,
    WHAT,
    UploadKind,
    check_whole,
    sniff,
)

__all__ = [
    "CHUNK_BYTES",
    "DEFAULT_MAX_BYTES",
    "PART_SUFFIX",
    "STALE_PART_AGE_S",
    "StoredUpload",
    "UploadKind",
    "UploadWriter",
    "display_name",
    "remove_stale_parts",
    "store_upload",
    "store_upload_async",
    "uploads_dir",
    "used_bytes",
]


_MIB: Final = 1 << 20
#: The largest upload of each kind, in bytes, unless the caller sets another limit.
DEFAULT_MAX_BYTES: Final[dict[UploadKind, int]] = {
    "video": 2048 * _MIB,
    "activity": 100 * _MIB,
    "sensor": 500 * _MIB,
    "keypoints": 500 * _MIB,
}
#: Size of the chunks read from a file-like source.
CHUNK_BYTES: Final = _MIB
#: Suffix of a file still being received.
PART_SUFFIX: Final = ".part"
#: A ``.part`` file unchanged for this long was left by a process that is gone.
STALE_PART_AGE_S: Final = 3600.0

_WHAT: Final[dict[UploadKind, str]] = {
    "video": "a video (MP4, MOV, MKV, WebM or AVI)",
    "activity": "a watch activity file (FIT, GPX or TCX)",
    "sensor": "a sensor recording (CSV text, gzip-compressed CSV, or a Sensor Logger zip)",
    "keypoints": "a keypoint file (upright's netCDF keypoints.nc or pose JSON)",
}
_FIX: Final[dict[UploadKind, str]] = {
    "video": "Upload the clip as the phone recorded it (MP4 or MOV)",
    "activity": "Export the run from the watch's app as .fit (best), .gpx or .tcx and "
    "upload that file",
    "sensor": "Upload the CSV file the sensor app exported (or its Sensor Logger zip)",
    "keypoints": "Upload the keypoints.nc upright wrote, or a GaitLab or OpenPose JSON file",
}


def uploads_dir() -> Path:
    """Where uploads are kept: ``uploads/`` in upright's data folder."""
    from upright.store import data_dir

    return data_dir() / "uploads"


def display_name(original_name: str | None) -> str:
    """The upload's file name as sent, for messages only: last part, printable, short."""
    raw = original_name or ""
    base = PureWindowsPath(PurePosixPath(raw).name).name
    printable = "".join(ch for ch in base if ch.isprintable()).strip()
    if len(printable) > 120:
        printable = printable[:117] + "..."
    return printable or "the upload"


def _size_text(n_bytes: int) -> str:
    if n_bytes >= 1 << 30:
        return f"{n_bytes / (1 << 30):.1f} GB"
    if n_bytes >= _MIB:
        return f"{n_bytes / _MIB:.0f} MB"
    return f"{n_bytes / 1024:.0f} kB"


@dataclass(frozen=True)
class StoredUpload:
    """An upload kept on disk.

    Attributes
    ----------
    path
        The file, ``<uploads>/<kind>/<sha256>.<format>``.
    sha256
        Hex digest of its bytes.
    size_bytes
        Its size.
    kind
        What it was uploaded as.
    format
        What its content is (``mp4``, ``mov``, ``fit``, ``csv``...), also its suffix.
    original_name
        The name it was sent with (for display; see :func:`display_name`).
    reused
        True when the same bytes were uploaded before and that file was kept.
    """

    path: Path
    sha256: str
    size_bytes: int
    kind: UploadKind
    format: str
    original_name: str
    reused: bool


def _named(err: UprightError, name: str, part: Path) -> UprightError:
    """``err`` (raised on the ``.part`` file) naming the upload instead."""
    named = copy.copy(err)
    named.path = Path(name)
    named.problem = err.problem.replace(str(part), name)
    named.args = (named.message,)
    return named


# ---------------------------------------------------------------- the writer


class UploadWriter:
    """Receive one upload chunk by chunk: :meth:`write` each, then :meth:`finish`.

    On any error the ``.part`` file is removed and the writer is closed; call
    :meth:`abort` when the stream itself failed (the client went away).

    Parameters
    ----------
    kind
        What the upload should be.
    original_name
        The name it was sent with, for messages.
    root
        The uploads folder; :func:`uploads_dir` when None.
    max_bytes
        The size limit; ``DEFAULT_MAX_BYTES[kind]`` when None.
    quota_bytes
        The most all uploads together may take (the clinic's storage quota); None for
        no quota. What the uploads folder holds already is counted when the writer opens.

    Raises
    ------
    InputError
        The uploads folder cannot be created or written.
    """

    def __init__(
        self,
        kind: UploadKind,
        original_name: str | None,
        *,
        root: Path | None = None,
        max_bytes: int | None = None,
        quota_bytes: int | None = None,
    ) -> None:
        if kind not in UPLOAD_KINDS:
            raise ValueError(f"unknown upload kind {kind!r}; one of {', '.join(UPLOAD_KINDS)}")
        self.kind: UploadKind = kind
        self.name = display_name(original_name)
        self.max_bytes = DEFAULT_MAX_BYTES[kind] if max_bytes is None else max_bytes
        base = root if root is not None else uploads_dir()
        self.folder = base / kind
        self.quota_bytes = quota_bytes
        self._used = used_bytes(base) if quota_bytes is not None else 0
        self._digest = hashlib.sha256()
        self._size = 0
        self._head = bytearray()
        self._format: str | None = None
        self._closed = False
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, part = tempfile.mkstemp(prefix=".upload-", suffix=PART_SUFFIX, dir=self.folder)
        except OSError as err:
            raise InputError(
                f"cannot save the upload ({err.strerror})",
                path=self.name,
                fix="Check that upright's data folder exists and is writable",
            ) from err
        self._part = Path(part)
        self._fh: BinaryIO = os.fdopen(fd, "wb")

    @property
    def size_bytes(self) -> int:
        """Bytes received so far."""
        return self._size

    def _error(self, problem: str, fix: str) -> InputError:
        return InputError(problem, path=self.name, fix=fix)

    def _fail(self, err: BaseException) -> NoReturn:
        self.abort()
        raise err

    def write(self, chunk: bytes) -> None:
        """Append one chunk (checked against the limit, and the type once known)."""
        if self._closed:
            raise ValueError("the upload was already finished or aborted")
        if not chunk:
            return
        self._size += len(chunk)
        if self._size > self.max_bytes:
            self._fail(
                self._error(
                    f"the upload is larger than the limit of {_size_text(self.max_bytes)} for "
                    f"{WHAT[self.kind]}; nothing was kept",
                    "Upload a shorter recording, or trim it first",
                )
            )
        if self.quota_bytes is not None and self._used + self._size > self.quota_bytes:
            self._fail(
                self._error(
                    f"the clinic's storage quota of {_size_text(self.quota_bytes)} is full "
                    f"({_size_text(self._used)} used); nothing was kept",
                    "Ask the clinic's admin to free space (upright retention) or raise the "
                    "quota (UPRIGHT_STORAGE_QUOTA_MB)",
                )
            )
        if self._format is None and len(self._head) < SNIFF_BYTES:
            self._head += chunk[: SNIFF_BYTES - len(self._head)]
            if len(self._head) >= SNIFF_BYTES:
                self._sniff()
        try:
            self._fh.write(chunk)
        except OSError as err:
            self._fail(self._disk_error(err))
        self._digest.update(chunk)

    def _disk_error(self, err: OSError) -> InputError:
        if err.errno == errno.ENOSPC:
            return self._error(
                "the disk filled up while saving the upload; nothing was kept",
                "Free some space and upload it again",
            )
        return self._error(
            f"cannot save the upload ({err.strerror})",
            "Check that upright's data folder is writable",
        )

    def _sniff(self) -> None:
        found = sniff(self.kind, bytes(self._head))
        if found is None:
            self._fail(
                UnsupportedFormatError(
                    f"the content is not {WHAT[self.kind]} (whatever its name says); "
                    "nothing was kept",
                    path=self.name,
                    fix=FIX[self.kind],
                )
            )
        self._format = found

    def _check_whole(self) -> None:
        """The checks that need the whole file."""
        assert self._format is not None
        try:
            check_whole(self.kind, self._format, self._part)
        except UprightError as err:
            self._fail(_named(err, self.name, self._part))

    def finish(self) -> StoredUpload:
        """Check the whole upload and move it into place (or reuse the same bytes' file).

        Raises
        ------
        InputError
            The upload is empty, its content is not of its kind, it is damaged, or the
            disk is full; the ``.part`` file is removed.
        """
        if self._closed:
            raise ValueError("the upload was already finished or aborted")
        if self._size == 0:
            self._fail(
                self._error("the upload is empty (0 bytes)", "Choose the file again and upload it")
            )
        if self._format is None:
            self._sniff()
        try:
            self._fh.flush()
            os.fsync(self._fh.fileno())
            self._fh.close()
        except OSError as err:
            self._fail(self._disk_error(err))
        self._check_whole()
        sha = self._digest.hexdigest()
        assert self._format is not None
        final = self.folder / f"{sha}.{self._format}"
        reused = final.is_file() and final.stat().st_size == self._size
        try:
            if reused:
                self._part.unlink()
            else:
                os.replace(self._part, final)
        except OSError as err:
            self._fail(self._disk_error(err))
        self._closed = True
        return StoredUpload(
            path=final,
            sha256=sha,
            size_bytes=self._size,
            kind=self.kind,
            format=self._format,
            original_name=self.name,
            reused=reused,
        )

    def abort(self) -> None:
        """Stop receiving and remove the ``.part`` file (safe to call more than once)."""
        if self._closed:
            return
        self._closed = True
        with contextlib.suppress(OSError):
            self._fh.close()
        self._part.unlink(missing_ok=True)


# ---------------------------------------------------------------- front ends


class _AsyncReader(Protocol):
    def read(self, size: int = -1, /) -> Awaitable[bytes]: ...


UploadSource = Iterable[bytes] | BinaryIO
AsyncUploadSource = AsyncIterable[bytes] | _AsyncReader


def _chunks(source: UploadSource) -> Iterable[bytes]:
    if not hasattr(source, "read"):
        yield from source  # a file object is read in chunks below, never by lines
        return
    reader = cast(BinaryIO, source)
    while chunk := reader.read(CHUNK_BYTES):
        yield chunk


def store_upload(
    source: UploadSource,
    kind: UploadKind,
    original_name: str | None,
    *,
    root: Path | None = None,
    max_bytes: int | None = None,
    quota_bytes: int | None = None,
) -> StoredUpload:
    """Stream ``source`` (byte chunks, or a binary file object) into the uploads folder.

    Raises
    ------
    InputError
        Over the size limit, empty, not of ``kind`` by its content, damaged, or the disk
        is full; nothing is left on disk. Any error of the source also removes what was
        received.
    """
    writer = UploadWriter(
        kind, original_name, root=root, max_bytes=max_bytes, quota_bytes=quota_bytes
    )
    try:
        for chunk in _chunks(source):
            writer.write(chunk)
        return writer.finish()
    except BaseException:
        writer.abort()
        raise


async def _async_chunks(source: AsyncUploadSource) -> AsyncIterable[bytes]:
    if hasattr(source, "__aiter__"):
        async for chunk in source:
            yield chunk
        return
    reader: Any = source
    while chunk := await reader.read(CHUNK_BYTES):
        yield chunk


async def store_upload_async(
    source: AsyncUploadSource,
    kind: UploadKind,
    original_name: str | None,
    *,
    root: Path | None = None,
    max_bytes: int | None = None,
    quota_bytes: int | None = None,
) -> StoredUpload:
    """:func:`store_upload` for an async source (a request body stream, an async file
    object such as Starlette's ``UploadFile``); disk work runs off the event loop."""
    writer = await asyncio.to_thread(
        UploadWriter, kind, original_name, root=root, max_bytes=max_bytes, quota_bytes=quota_bytes
    )
    try:
        async for chunk in _async_chunks(source):
            await asyncio.to_thread(writer.write, chunk)
        return await asyncio.to_thread(writer.finish)
    except BaseException:
        writer.abort()
        raise


def used_bytes(root: Path | None = None) -> int:
    """Bytes the uploads folder holds (every kind, files being received included)."""
    base = root if root is not None else uploads_dir()
    total = 0
    for kind in UPLOAD_KINDS:
        folder = base / kind
        if not folder.is_dir():
            continue
        for path in folder.iterdir():
            with contextlib.suppress(OSError):
                total += path.stat().st_size
    return total


def remove_stale_parts(root: Path | None = None, *, now: float | None = None) -> list[Path]:
    """Remove ``.part`` files that a process which is gone left behind.

    A file being received changes all the time; one unchanged for
    :data:`STALE_PART_AGE_S` is stale. Call at start-up.
    """
    base = root if root is not None else uploads_dir()
    now = time.time() if now is None else now
    removed: list[Path] = []
    for kind in UPLOAD_KINDS:
        for part in (base / kind).glob(f".upload-*{PART_SUFFIX}"):
            try:
                if now - part.stat().st_mtime > STALE_PART_AGE_S:
                    part.unlink()
                    removed.append(part)
            except OSError:
                continue
    return removed
