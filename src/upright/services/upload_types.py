"""What an upload is, told from its content: signatures, XML roots, text, whole-file checks.

:func:`sniff` names the format from the first bytes (or None when they are not of the
kind); :func:`check_whole` checks what only the whole file shows (a video opens and holds
frames, a zip lists a CSV file, a gzip file decompresses to its end). Names are never
looked at.
"""

from __future__ import annotations

import gzip
import re
import zipfile
import zlib
from pathlib import Path
from typing import Final, Literal, get_args

from upright.errors import UnsupportedFormatError

__all__ = ["FIX", "SNIFF_BYTES", "UPLOAD_KINDS", "WHAT", "UploadKind", "check_whole", "sniff"]

UploadKind = Literal["video", "activity", "sensor", "keypoints"]
UPLOAD_KINDS: Final[tuple[UploadKind, ...]] = get_args(UploadKind)

#: How much of the start of a file :func:`sniff` reads.
SNIFF_BYTES: Final = 64 * 1024
_CHUNK_BYTES: Final = 1 << 20

WHAT: Final[dict[UploadKind, str]] = {
    "video": "a video (MP4, MOV, MKV, WebM or AVI)",
    "activity": "a watch activity file (FIT, GPX or TCX)",
    "sensor": "a sensor recording (CSV text, gzip-compressed CSV, or a Sensor Logger zip)",
    "keypoints": "a keypoint file (upright's netCDF keypoints.nc or pose JSON)",
}
FIX: Final[dict[UploadKind, str]] = {
    "video": "Upload the clip as the phone recorded it (MP4 or MOV)",
    "activity": "Export the run from the watch's app as .fit (best), .gpx or .tcx and "
    "upload that file",
    "sensor": "Upload the CSV file the sensor app exported (or its Sensor Logger zip)",
    "keypoints": "Upload the keypoints.nc upright wrote, or a GaitLab or OpenPose JSON file",
}


def _sniff_video(head: bytes) -> str | None:
    if len(head) >= 12 and head[4:8] == b"ftyp":
        return "mov" if head[8:12] == b"qt  " else "mp4"
    if len(head) >= 8 and head[4:8] in (b"moov", b"mdat", b"wide", b"free", b"skip"):
        return "mov"  # QuickTime files that begin without an ftyp box
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return "webm" if b"webm" in head[:64] else "mkv"
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return "avi"
    return None


_XML_ROOT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(gpx|TrainingCenterDatabase)[\s>/]")


def _sniff_activity(head: bytes) -> str | None:
    if len(head) >= 12 and head[0] in (12, 14) and head[8:12] == b".FIT":
        return "fit"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"<"):
        root = _XML_ROOT.search(head)
        if root is not None:
            return "gpx" if root.group(1) == b"gpx" else "tcx"
    return None


def _is_text(data: bytes) -> bool:
    """Mostly printable text: few control bytes (a few NULs pad some device headers)."""
    if not data.strip():
        return False
    control = sum(data.count(bytes([c])) for c in (*range(1, 9), *range(14, 32)))
    return control <= len(data) // 20


def _looks_like_csv(data: bytes) -> bool:
    if not _is_text(data):
        return False
    lines = [ln for ln in data.splitlines()[:20] if ln.strip()]
    return any(sep in ln for ln in lines for sep in (b",", b";", b"\t"))


def _gunzip_head(head: bytes) -> bytes:
    try:
        return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, SNIFF_BYTES)
    except zlib.error:
        return b""


def _sniff_sensor(head: bytes) -> str | None:
    if head[:2] == b"\x1f\x8b":
        return "csv.gz" if _looks_like_csv(_gunzip_head(head)) else None
    if head[:4] == b"PK\x03\x04":
        return "zip"
    return "csv" if _looks_like_csv(head) else None


def _sniff_keypoints(head: bytes) -> str | None:
    if head[:8] == b"\x89HDF\r\n\x1a\n" or head[:4] in (b"CDF\x01", b"CDF\x02"):
        return "nc"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text[:1] in (b"{", b"[") and _is_text(head):
        return "json"
    return None


_SNIFFERS: Final = {
    "video": _sniff_video,
    "activity": _sniff_activity,
    "sensor": _sniff_sensor,
    "keypoints": _sniff_keypoints,
}


def _check_whole_video(part: Path) -> None:
    from upright.io.video import probe_video

    probe_video(part)


def _check_whole_zip(part: Path) -> None:
    try:
        with zipfile.ZipFile(part) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError) as err:
        raise UnsupportedFormatError("the zip file is damaged or cut short") from err
    if not any(n.lower().endswith(".csv") for n in names):
        raise UnsupportedFormatError(
            "the zip file holds no CSV file, so it is not a Sensor Logger export",
            fix=FIX["sensor"],
        )


def _check_whole_gzip(part: Path) -> None:
    try:
        with gzip.open(part, "rb") as fh:
            while fh.read(_CHUNK_BYTES):
                pass
    except (OSError, EOFError, zlib.error) as err:
        raise UnsupportedFormatError("the gzip file is damaged or cut short") from err


def sniff(kind: UploadKind, head: bytes) -> str | None:
    """The format of an upload of ``kind`` from its first bytes (up to
    :data:`SNIFF_BYTES`): ``mp4``, ``mov``, ``mkv``, ``webm``, ``avi``, ``fit``, ``gpx``,
    ``tcx``, ``csv``, ``csv.gz``, ``zip``, ``nc`` or ``json``; None when it is not of the
    kind."""
    return _SNIFFERS[kind](head)


def check_whole(kind: UploadKind, file_format: str, path: Path) -> None:
    """The checks that need the whole file.

    Raises
    ------
    UprightError
        The file is damaged or not really of its kind (naming ``path``, or no file).
    """
    if kind == "video":
        _check_whole_video(path)
    elif file_format == "zip":
        _check_whole_zip(path)
    elif file_format == "csv.gz":
        _check_whole_gzip(path)
