"""Uploads: streamed to disk in chunks, checked by content, kept once under their hash."""

from __future__ import annotations

import asyncio
import io
import os
import time
import tracemalloc
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from upload_streams import MIB, padded_video, small_clip
from upright.errors import InputError, UnsupportedFormatError
from upright.services.uploads import (
    STALE_PART_AGE_S,
    UploadWriter,
    remove_stale_parts,
    store_upload,
    store_upload_async,
    uploads_dir,
)

GPX = b"""<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="watch" xmlns="http://www.topografix.com/GPX/1/1">
<trk><trkseg><trkpt lat="48.1" lon="11.5"><time>2024-05-01T07:00:00Z</time></trkpt>
</trkseg></trk></gpx>
"""
CSV = b"time_s,x,y,z\n0.00,0.1,9.8,0.2\n0.01,0.1,9.7,0.3\n"


@pytest.fixture(scope="module")
def clip_bytes(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return small_clip(tmp_path_factory.mktemp("clip") / "clip.mp4").read_bytes()


def _files(root: Path) -> list[Path]:
    """Every file under ``root`` (``.part`` files included)."""
    return sorted(p for p in root.rglob("*") if p.is_file())


def test_a_200_mb_video_streams_in_chunks_with_flat_memory(
    tmp_path: Path, clip_bytes: bytes
) -> None:
    total = 200 * MIB
    tracemalloc.start()
    try:
        stored = store_upload(padded_video(clip_bytes, total), "video", "run.mp4", root=tmp_path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert stored.size_bytes == total == stored.path.stat().st_size
    assert stored.format == "mp4"
    assert stored.path.parent == tmp_path / "video"
    assert stored.path.name == f"{stored.sha256}.mp4"
    # A chunk (1 MiB) in flight plus the 64 kB head: far below the 200 MB streamed.
    assert peak < 8 * MIB, f"peak Python memory {peak / MIB:.1f} MB while streaming"
    assert _files(tmp_path) == [stored.path]


def test_the_original_is_kept_byte_for_byte(tmp_path: Path, clip_bytes: bytes) -> None:
    stored = store_upload(io.BytesIO(clip_bytes), "video", "clip.mov", root=tmp_path)
    assert stored.path.read_bytes() == clip_bytes
    assert stored.format == "mp4"  # from the content, not from the name's .mov


def test_same_bytes_twice_make_one_file(tmp_path: Path, clip_bytes: bytes) -> None:
    first = store_upload([clip_bytes], "video", "monday.mp4", root=tmp_path)
    second = store_upload([clip_bytes[:1000], clip_bytes[1000:]], "video", "b.mp4", root=tmp_path)
    assert (first.reused, second.reused) == (False, True)
    assert second.path == first.path
    assert second.original_name == "b.mp4"
    assert _files(tmp_path) == [first.path]


def test_text_named_mp4_is_refused_and_nothing_kept(tmp_path: Path) -> None:
    with pytest.raises(UnsupportedFormatError, match=r"^notes\.mp4: the content is not a video"):
        store_upload([b"just some notes\n" * 100], "video", "notes.mp4", root=tmp_path)
    assert _files(tmp_path) == []


def test_a_long_non_video_is_refused_before_the_end(tmp_path: Path) -> None:
    """The type is known from the first 64 kB: the rest of the stream is not read."""
    sent = 0

    def chunks() -> Iterator[bytes]:
        nonlocal sent
        for _ in range(1000):
            sent += 1
            yield b"a,b,c\n" * 20_000

    with pytest.raises(UnsupportedFormatError, match="not a video"):
        store_upload(chunks(), "video", "table.mp4", root=tmp_path)
    assert sent == 1
    assert _files(tmp_path) == []


def test_empty_upload_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"^clip\.mp4: the upload is empty \(0 bytes\)"):
        store_upload(io.BytesIO(b""), "video", "clip.mp4", root=tmp_path)
    assert _files(tmp_path) == []


def test_over_the_limit_is_refused_while_streaming(tmp_path: Path, clip_bytes: bytes) -> None:
    received = 0

    def counted() -> Iterator[bytes]:
        nonlocal received
        for chunk in padded_video(clip_bytes, 50 * MIB):
            received += len(chunk)
            yield chunk

    with pytest.raises(
        InputError, match=r"^long\.mp4: the upload is larger than the limit of 3 MB"
    ):
        store_upload(counted(), "video", "long.mp4", root=tmp_path, max_bytes=3 * MIB)
    assert received <= 4 * MIB + len(clip_bytes) + 16
    assert _files(tmp_path) == []


def test_a_cut_short_video_is_refused_naming_the_upload(tmp_path: Path, clip_bytes: bytes) -> None:
    """Right signature, broken body: refused by the whole-file check, the message names
    the upload and not the file it was received into."""
    with pytest.raises(InputError, match=r"^cut\.mp4: ") as caught:
        store_upload([clip_bytes[:600]], "video", "cut.mp4", root=tmp_path)
    assert ".part" not in caught.value.message
    assert str(tmp_path) not in caught.value.message
    assert _files(tmp_path) == []


def test_a_failing_stream_leaves_nothing(tmp_path: Path, clip_bytes: bytes) -> None:
    def broken() -> Iterator[bytes]:
        yield clip_bytes
        raise ConnectionResetError("client went away")

    with pytest.raises(ConnectionResetError):
        store_upload(broken(), "video", "clip.mp4", root=tmp_path)
    assert _files(tmp_path) == []


def test_the_name_sent_never_becomes_a_path(tmp_path: Path, clip_bytes: bytes) -> None:
    stored = store_upload([clip_bytes], "video", "../../etc/\x00passwd.mp4", root=tmp_path)
    assert stored.path.parent == tmp_path / "video"
    assert stored.original_name == "passwd.mp4"
    with pytest.raises(InputError, match=r"^evil\.txt: "):
        store_upload([b"x"], "video", "C:\\Users\\me\\..\\evil.txt", root=tmp_path)


@pytest.mark.parametrize(
    ("content", "fmt"),
    [
        (GPX, "gpx"),
        (
            b'<?xml version="1.0"?>\n<TrainingCenterDatabase xmlns="x"></TrainingCenterDatabase>',
            "tcx",
        ),
        (bytes([14, 0x10]) + b"\x00\x00\x00\x00\x00\x00.FIT" + b"\x00" * 20, "fit"),
    ],
)
def test_watch_files_are_known_by_content(tmp_path: Path, content: bytes, fmt: str) -> None:
    stored = store_upload([content], "activity", "run.dat", root=tmp_path)
    assert stored.format == fmt
    assert stored.path.suffix == f".{fmt}"


def test_a_real_fit_file_is_accepted(tmp_path: Path, shared_data: Path) -> None:
    fit = shared_data / "fit" / "garmin-fenix-5-run.fit"
    with fit.open("rb") as fh:
        stored = store_upload(fh, "activity", fit.name, root=tmp_path)
    assert stored.format == "fit"
    assert stored.path.read_bytes() == fit.read_bytes()


def test_a_csv_is_not_a_watch_file(tmp_path: Path) -> None:
    with pytest.raises(UnsupportedFormatError, match=r"^run\.fit: the content is not a watch"):
        store_upload([CSV], "activity", "run.fit", root=tmp_path)
    assert _files(tmp_path) == []


def test_sensor_recordings_csv_and_gzip(tmp_path: Path) -> None:
    import gzip

    assert store_upload([CSV], "sensor", "acc", root=tmp_path).format == "csv"
    assert store_upload([gzip.compress(CSV)], "sensor", "acc.gz", root=tmp_path).format == "csv.gz"
    with pytest.raises(UnsupportedFormatError, match="not a sensor recording"):
        store_upload([bytes(range(256)) * 10], "sensor", "acc.csv", root=tmp_path)
    broken = gzip.compress(CSV * 2000)[:-200]
    with pytest.raises(UnsupportedFormatError, match=r"^acc\.csv\.gz: the gzip file is damaged"):
        store_upload([broken], "sensor", "acc.csv.gz", root=tmp_path)
    assert len(_files(tmp_path)) == 2


def test_a_zip_without_csv_is_refused(tmp_path: Path) -> None:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("photo.jpg", b"\xff\xd8")
    with pytest.raises(UnsupportedFormatError, match="holds no CSV file"):
        store_upload([buffer.getvalue()], "sensor", "export.zip", root=tmp_path)
    assert _files(tmp_path) == []


def test_async_stream(tmp_path: Path, clip_bytes: bytes) -> None:
    async def body() -> AsyncIterator[bytes]:
        for chunk in padded_video(clip_bytes, 5 * MIB, chunk_bytes=64 * 1024):
            yield chunk

    stored = asyncio.run(store_upload_async(body(), "video", "phone.mp4", root=tmp_path))
    assert stored.size_bytes == 5 * MIB
    assert _files(tmp_path) == [stored.path]


def test_async_file_object_and_refusal(tmp_path: Path) -> None:
    class AsyncFile:
        def __init__(self, data: bytes) -> None:
            self._fh = io.BytesIO(data)

        async def read(self, size: int = -1) -> bytes:
            return self._fh.read(size)

    stored = asyncio.run(store_upload_async(AsyncFile(GPX), "activity", "a.gpx", root=tmp_path))
    assert stored.format == "gpx"
    with pytest.raises(UnsupportedFormatError, match=r"^b\.gpx: the content is not a watch"):
        asyncio.run(store_upload_async(AsyncFile(b"hello"), "activity", "b.gpx", root=tmp_path))
    assert _files(tmp_path) == [stored.path]


def test_two_uploads_at_once_both_finish(tmp_path: Path, clip_bytes: bytes) -> None:
    async def body(size: int) -> AsyncIterator[bytes]:
        for chunk in padded_video(clip_bytes, size, chunk_bytes=256 * 1024):
            yield chunk
            await asyncio.sleep(0)

    async def both() -> list[int]:
        done = await asyncio.gather(
            store_upload_async(body(20 * MIB), "video", "a.mp4", root=tmp_path),
            store_upload_async(body(30 * MIB), "video", "b.mp4", root=tmp_path),
        )
        return [d.size_bytes for d in done]

    assert asyncio.run(both()) == [20 * MIB, 30 * MIB]
    assert len(_files(tmp_path)) == 2


def test_default_folder_is_in_the_data_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("UPRIGHT_DATA_DIR", str(tmp_path / "data"))
    assert uploads_dir() == tmp_path / "data" / "uploads"
    stored = store_upload([GPX], "activity", "a.gpx")
    assert stored.path.is_relative_to(tmp_path / "data" / "uploads" / "activity")


def test_stale_part_files_are_removed_live_ones_kept(tmp_path: Path) -> None:
    writer = UploadWriter("activity", "a.gpx", root=tmp_path)
    writer.write(GPX[:50])
    live = _files(tmp_path)
    assert len(live) == 1 and live[0].name.endswith(".part")
    stale = tmp_path / "activity" / ".upload-old.part"
    stale.write_bytes(b"abc")
    old = time.time() - STALE_PART_AGE_S - 10
    os.utime(stale, (old, old))
    assert remove_stale_parts(tmp_path) == [stale]
    assert _files(tmp_path) == live
    writer.abort()
    assert _files(tmp_path) == []
