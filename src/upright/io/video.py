"""Read and write phone video: probe, decode frames upright, encode H.264.

PyAV is imported inside the functions so that importing this module (and so
``upright --help``) stays fast.

Rotation convention: ``rotation_deg`` is the clockwise rotation that turns the
stored picture into the displayed one, the same convention as the old ``rotate``
metadata tag (a phone filming in portrait usually stores landscape pictures with
``rotation_deg == 90``). FFmpeg reports the display matrix as a counter-clockwise
angle (``VideoFrame.rotation``), so ``rotation_deg == -VideoFrame.rotation mod 360``.
Flips in the display matrix are ignored.
"""

from __future__ import annotations

import bisect
import logging
from collections.abc import Generator, Iterator, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Literal

import numpy as np
import numpy.typing as npt

from upright.errors import CorruptFileError, InputError, UnsupportedFormatError
from upright.io.frame_rate import validate_video_timing
from upright.io.video_write import (
    _AVCOL_RANGE_MPEG,
    _AVCOL_SPC_BT470BG,
    _AVCOL_SPC_BT709,
    VideoWriter,
    X264Preset,
)

if TYPE_CHECKING:
    from av.container import InputContainer
    from av.packet import Packet
    from av.video.frame import VideoFrame
    from av.video.reformatter import VideoReformatter
    from av.video.stream import VideoStream

__all__ = [
    "ColourMatrix",
    "Frame",
    "FrameIterator",
    "VideoInfo",
    "VideoWriter",
    "X264Preset",
    "YUVFrame",
    "YUVPlanes",
    "iter_frames",
    "iter_frames_yuv420p",
    "probe_video",
    "rotate_upright",
]

logger = logging.getLogger(__name__)


# Demuxers and decoders that only ever hold still pictures.
_STILL_IMAGE_FORMATS = frozenset({"image2", "png_pipe", "jpeg_pipe", "webp_pipe", "bmp_pipe"})
_STILL_IMAGE_CODECS = frozenset({"png", "bmp", "webp", "tiff"})
# Top-level MP4/MOV boxes: a file starting with one is a (broken) MP4, not some other format.
_MP4_BOX_TYPES = frozenset({b"ftyp", b"moov", b"mdat", b"free", b"wide", b"skip"})
# Packets read beyond ``start_frame`` before trusting the order of presentation
# times; H.264/HEVC never reorder by more than 16 frames.
_REORDER_MARGIN = 32
_STILL_IMAGE = "this is a still image, not a video"
_STILL_IMAGE_FIX = "Film at least 10 s of running"

RGBImage = npt.NDArray[np.uint8]
#: The Y, U and V planes of a yuv420p picture: Y full size, U and V half size each way.
YUVPlanes = tuple[npt.NDArray[np.uint8], npt.NDArray[np.uint8], npt.NDArray[np.uint8]]
#: Matrix of limited-range YUV: BT.601 (SD, and FFmpeg's default) or BT.709 (HD).
ColourMatrix = Literal["bt601", "bt709"]
# OpenCV's rotateCode for each clockwise display rotation.
_CV2_ROTATE_CW = {90: 0, 180: 1, 270: 2}  # cv2.ROTATE_90_CLOCKWISE, _180, _90_COUNTERCLOCKWISE


@dataclass(frozen=True)
class VideoInfo:
    """What `probe_video` found out about a video file.

    Attributes
    ----------
    path
        The file probed.
    width_px, height_px
        Size of a frame as displayed, i.e. after applying ``rotation_deg``.
    rotation_deg
        Clockwise rotation (0, 90, 180 or 270) that turns the stored picture
        into the displayed one.
    n_frames
        Number of frames, counted exactly by reading (not decoding) every packet.
    duration_s
        Time from the start of the first frame to the end of the last one.
    fps_nominal
        Average frame rate.
    variable_frame_rate
        True when the frame timestamps are not evenly spaced; then only the
        per-frame ``Frame.time_s`` is exact.
    codec
        FFmpeg's name of the video codec (``"h264"``, ``"hevc"``...).
    """

    path: Path
    width_px: int
    height_px: int
    rotation_deg: int
    n_frames: int
    duration_s: float
    fps_nominal: float
    variable_frame_rate: bool
    codec: str


@dataclass(frozen=True, eq=False)
class Frame:
    """One decoded frame, upright.

    Attributes
    ----------
    index
        Position of the frame in presentation order, 0 for the first frame.
    time_s
        Presentation time relative to the first frame of the file.
    rgb
        The picture, ``(height, width, 3)`` uint8 RGB, already rotated upright.
    """

    index: int
    time_s: float
    rgb: RGBImage


# --------------------------------------------------------------------- probing


def probe_video(path: str | Path) -> VideoInfo:
    """Check that a file is a usable video and describe it.

    Reads every packet once (cheap, nothing is decoded but the first frame).

    Parameters
    ----------
    path
        The video file.

    Returns
    -------
    VideoInfo
        Size as displayed, rotation, exact frame count, timing and codec.

    Raises
    ------
    InputError
        The file does not exist, is a directory, cannot be read, or is a still image.
    UnsupportedFormatError
        The file is not a video container FFmpeg can read, or holds no video stream.
    CorruptFileError
        The file is empty, its index is missing (a cut-short MP4), it holds no
        frame, no frame decodes, frames share a timestamp, or the frame rate is
        over 1000 fps.
    QualityError
        The frame rate is under 10 fps.

    Notes
    -----
    A truncated file that still decodes some frames is accepted: ``n_frames``
    counts the packets present, and `iter_frames` stops cleanly at the last good
    frame, reporting ``truncated``.
    """
    path = _check_path(path)
    with _open_input(path) as container:
        stream = _video_stream(container, path)
        if container.format.name in _STILL_IMAGE_FORMATS or stream.codec_context.name in (
            _STILL_IMAGE_CODECS
        ):
            raise InputError(_STILL_IMAGE, path=path, fix=_STILL_IMAGE_FIX)
        scan = _scan_packets(container, stream)
        header_frames = stream.frames
        time_base = stream.time_base or Fraction(1, 1)
        metadata = dict(stream.metadata)
        codec = stream.codec_context.name
        average_rate = stream.average_rate

    n_frames, pts, first = scan.n_frames, scan.pts_sorted, scan.first_frame
    if n_frames == 0:
        raise CorruptFileError(
            "the video stream holds no frames",
            path=path,
            fix="Record or export the video again",
        )
    if first is None:
        raise CorruptFileError(
            f"no frame decodes ({n_frames} read); the file is truncated or damaged",
            path=path,
            fix="Copy the original video from the phone again",
        )
    if n_frames == 1:
        raise InputError(_STILL_IMAGE, path=path, fix=_STILL_IMAGE_FIX)
    if header_frames and header_frames != n_frames:
        logger.warning(
            "%s: header says %d frames but %d are present; the file may be truncated",
            path,
            header_frames,
            n_frames,
        )

    rotation = _display_rotation_deg(first.rotation, metadata)
    width, height = first.width, first.height
    if rotation in (90, 270):
        width, height = height, width
    duration_s = _duration_s(pts, scan.end_pts, time_base)
    fps = float(average_rate or 0) or (n_frames / duration_s if duration_s > 0 else 0.0)
    validate_video_timing(pts, fps, path)
    return VideoInfo(
        path=path,
        width_px=width,
        height_px=height,
        rotation_deg=rotation,
        n_frames=n_frames,
        duration_s=duration_s,
        fps_nominal=fps,
        variable_frame_rate=_is_uneven(pts),
        codec=codec,
    )


@dataclass
class _PacketScan:
    n_frames: int = 0
    pts_sorted: list[int] = field(default_factory=list)
    end_pts: list[int] = field(default_factory=list)
    first_frame: VideoFrame | None = None


def _scan_packets(container: InputContainer, stream: VideoStream) -> _PacketScan:
    """Count the frames and collect their timestamps by reading every packet.

    Only the first frame is decoded. A read error ends the scan, as in a
    truncated file: the packets before it are counted.
    """
    import av

    scan = _PacketScan()
    packets = container.demux(stream)
    while True:
        try:
            packet = next(packets)
        except StopIteration:
            break
        except av.FFmpegError as exc:
            logger.warning(
                "%s: reading stopped after %d frames: %s", container.name, scan.n_frames, exc
            )
            break
        if packet.size == 0 or packet.is_discard:
            continue
        scan.n_frames += 1
        if packet.pts is not None:
            scan.pts_sorted.append(packet.pts)
            scan.end_pts.append(packet.pts + (packet.duration or 0))
        if scan.first_frame is None:
            scan.first_frame = _first_decoded(stream, packet)
    if scan.first_frame is None and scan.n_frames > 0:
        scan.first_frame = _first_decoded(stream, None)
    scan.pts_sorted.sort()
    return scan


def _check_path(path: str | Path) -> Path:
    path = Path(path)
    if not path.exists():
        raise InputError("the file does not exist", path=path, fix="Check the path")
    if path.is_dir():
        raise InputError(
            "this is a directory, not a video file", path=path, fix="Give the path of a video file"
        )
    if path.stat().st_size == 0:
        raise CorruptFileError(
            "the file is empty (0 bytes)",
            path=path,
            fix="The copy or upload was probably cut short; copy the video again",
        )
    return path


def _open_input(path: Path) -> InputContainer:
    import av

    try:
        return av.open(str(path), mode="r")
    except av.error.PermissionError as exc:
        raise InputError(
            "the file cannot be read (permission denied)",
            path=path,
            fix="Check the file's permissions",
        ) from exc
    except av.error.InvalidDataError as exc:
        with path.open("rb") as fh:
            head = fh.read(8)
        if head[4:8] in _MP4_BOX_TYPES:
            raise CorruptFileError(
                "this MP4/MOV file has no readable index ('moov' box); "
                "the recording or copy was cut short",
                path=path,
                fix="Copy the original video from the phone again",
            ) from exc
        raise UnsupportedFormatError(
            "this is not a video file FFmpeg can read",
            path=path,
            fix="Give an MP4 or MOV video as recorded by the phone",
        ) from exc
    except (av.FFmpegError, OSError) as exc:
        raise UnsupportedFormatError(
            f"the file cannot be opened as a video ({exc})",
            path=path,
            fix="Give an MP4 or MOV video as recorded by the phone",
        ) from exc


def _video_stream(container: InputContainer, path: Path) -> VideoStream:
    if not container.streams.video:
        kinds = ", ".join(sorted({s.type for s in container.streams})) or "nothing"
        raise UnsupportedFormatError(
            f"the file holds no video stream (only {kinds})",
            path=path,
            fix="Give the video file, not an audio or data file",
        )
    return container.streams.video[0]


def _first_decoded(stream: VideoStream, packet: Packet[VideoStream] | None) -> VideoFrame | None:
    """Feed one packet (None: flush) to the decoder, return a frame if one comes out."""
    import av

    try:
        frames = stream.decode(packet)
    except av.FFmpegError:  # a damaged packet: the caller tries the next one
        return None
    return frames[0] if frames else None


def _display_rotation_deg(frame_rotation_ccw: int, metadata: Mapping[str, str]) -> int:
    """Clockwise display rotation from a frame's display matrix or the ``rotate`` tag.

    Parameters
    ----------
    frame_rotation_ccw
        ``VideoFrame.rotation``: the display matrix's counter-clockwise angle, 0 if none.
    metadata
        Stream metadata; its ``rotate`` tag (clockwise degrees) is used when the
        frame carries no display matrix.

    Returns
    -------
    int
        0, 90, 180 or 270.
    """
    degrees = -float(frame_rotation_ccw)
    if frame_rotation_ccw == 0:
        try:
            degrees = float(metadata.get("rotate", "0"))
        except ValueError:
            degrees = 0.0
    return round(degrees / 90.0) % 4 * 90


def _duration_s(pts_sorted: list[int], end_pts: list[int], time_base: Fraction) -> float:
    if not pts_sorted:
        return 0.0
    end = max(end_pts)
    if end <= pts_sorted[-1] and len(pts_sorted) > 1:  # packets carry no duration
        end = pts_sorted[-1] + int(np.median(np.diff(pts_sorted)))
    return float((end - pts_sorted[0]) * time_base)


def _is_uneven(pts_sorted: list[int]) -> bool:
    """True if any frame interval differs from the median by over 1 tick and over 1 %."""
    if len(pts_sorted) < 3:
        return False
    intervals = np.diff(np.asarray(pts_sorted, dtype=np.int64))
    median = float(np.median(intervals))
    tolerance = max(1.0, 0.01 * median)
    return bool(np.any(np.abs(intervals - median) > tolerance))


# -------------------------------------------------------------------- decoding


def rotate_upright(rgb: RGBImage, rotation_deg: int) -> RGBImage:
    """Rotate a stored picture clockwise by ``rotation_deg`` so it displays upright.

    Parameters
    ----------
    rgb
        ``(height, width, channels)`` picture as stored in the file.
    rotation_deg
        Clockwise display rotation, a multiple of 90 (`VideoInfo.rotation_deg`).

    Returns
    -------
    numpy.ndarray
        A C-contiguous rotated copy, or ``rgb`` itself when ``rotation_deg`` is 0.
    """
    if rotation_deg % 90:
        raise InputError(f"rotation_deg must be a multiple of 90, got {rotation_deg}")
    quarter_turns_cw = (rotation_deg // 90) % 4
    if quarter_turns_cw == 0:
        return rgb
    # np.rot90 turns counter-clockwise for positive k.
    return np.ascontiguousarray(np.rot90(rgb, k=-quarter_turns_cw))


class FrameIterator(Iterator[Frame]):
    """Frames of one video, decoded one at a time (see `iter_frames`).

    Attributes
    ----------
    info
        The probe of the file.
    decoded
        Number of frames yielded so far.
    truncated
        True when a read or decode error ended the iteration early (a truncated
        or damaged file); the frames yielded before it are good.
    error
        The error that ended the iteration, or None.
    """

    def __init__(
        self,
        info: VideoInfo,
        *,
        start_frame: int,
        stop_frame: int,
        max_side_px: int | None,
    ) -> None:
        self.info = info
        self.decoded = 0
        self.truncated = False
        self.error: str | None = None
        self._frames = self._generate(start_frame, stop_frame, max_side_px)

    def __next__(self) -> Frame:
        return next(self._frames)

    def close(self) -> None:
        """Stop decoding and close the file (also done on exhaustion)."""
        self._frames.close()

    def __enter__(self) -> FrameIterator:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _generate(
        self, start_frame: int, stop_frame: int, max_side_px: int | None
    ) -> Generator[Frame, None, None]:
        info = self.info
        with _open_input(info.path) as container:
            stream = _video_stream(container, info.path)
            time_base = stream.time_base or Fraction(1, 1)
            size = _scaled_size(stream.width, stream.height, max_side_px)
            known_pts = _seek_before(container, stream, start_frame)
            first_pts = known_pts[0] if known_pts else None
            target_pts = known_pts[start_frame] if known_pts else None
            index = 0
            for video_frame in self._decode(container, stream):
                pts = video_frame.pts
                if target_pts is not None:  # just seeked to a keyframe before start_frame
                    if pts is not None and pts < target_pts:
                        continue
                    index = start_frame if pts is None else bisect.bisect_left(known_pts, pts)
                    target_pts = None
                if first_pts is None:
                    first_pts = 0 if pts is None else pts
                if index >= stop_frame:
                    return
                if index >= start_frame:
                    if pts is None:  # no timestamp: place the frame at the nominal rate
                        time_s = index / info.fps_nominal
                    else:
                        time_s = float((pts - first_pts) * time_base)
                    rgb = rotate_upright(_to_rgb(video_frame, size), info.rotation_deg)
                    self.decoded += 1
                    yield Frame(index=index, time_s=time_s, rgb=rgb)
                index += 1

    def _decode(self, container: InputContainer, stream: VideoStream) -> Iterator[VideoFrame]:
        """Decoded frames in presentation order; a read or decode error ends them cleanly."""
        import av

        packets = container.demux(stream)
        while True:
            try:
                packet = next(packets)
                frames = stream.decode(packet)
            except StopIteration:
                return
            except av.FFmpegError as exc:
                self.truncated = True
                self.error = str(exc)
                break
            yield from frames
        logger.warning(
            "%s: decoding stopped after %d frames: %s", self.info.path, self.decoded, self.error
        )
        try:  # frames already inside the decoder are still good
            frames = stream.decode(None)
        except av.FFmpegError:
            return
        yield from frames


def _seek_before(container: InputContainer, stream: VideoStream, start_frame: int) -> list[int]:
    """Seek to the keyframe at or before ``start_frame``.

    Returns the sorted presentation times of the leading frames (read from the
    packets, nothing decoded), or ``[]`` when nothing was seeked: ``start_frame``
    is 0, or the packets lack the timestamps to find it by, and then decoding
    starts from the first frame.
    """
    if start_frame == 0:
        return []
    pts: list[int] = []
    for packet in container.demux(stream):
        if packet.size == 0 or packet.is_discard or packet.pts is None:
            continue
        pts.append(packet.pts)
        if len(pts) >= start_frame + _REORDER_MARGIN:
            break
    pts.sort()
    if len(pts) <= start_frame:
        container.seek(0)
        return []
    container.seek(pts[start_frame], stream=stream, backward=True, any_frame=False)
    return pts


def _scaled_size(width: int, height: int, max_side_px: int | None) -> tuple[int, int] | None:
    """Decoded size so that the longer side is at most ``max_side_px``; None: keep size."""
    if max_side_px is None or max(width, height) <= max_side_px:
        return None
    scale = max_side_px / max(width, height)
    return max(1, round(width * scale)), max(1, round(height * scale))


def _to_rgb(video_frame: VideoFrame, size: tuple[int, int] | None) -> RGBImage:
    if size is None:
        array = video_frame.to_ndarray(format="rgb24")
    else:
        array = video_frame.to_ndarray(
            format="rgb24", width=size[0], height=size[1], interpolation="AREA"
        )
    return np.asarray(array, dtype=np.uint8)


def iter_frames(
    path: str | Path,
    *,
    start_frame: int = 0,
    stop_frame: int | None = None,
    max_side_px: int | None = None,
    info: VideoInfo | None = None,
) -> FrameIterator:
    """Decode a video's frames one at a time, upright, with exact timestamps.

    Parameters
    ----------
    path
        The video file.
    start_frame
        Index of the first frame to yield. The decoder seeks to the keyframe
        before it and decodes forward, so indices and pixels are exactly those
        of a full decode.
    stop_frame
        Index one past the last frame to yield; None for the end of the video.
    max_side_px
        If given, frames are scaled down in the decoder so that their longer
        side is at most this, keeping the aspect ratio.
    info
        The result of `probe_video` for ``path``, to skip probing it again.

    Returns
    -------
    FrameIterator
        Iterator of `Frame`; only the current frame is held in memory. Its
        ``decoded`` attribute counts the frames yielded, and ``truncated`` tells
        whether a damaged or truncated file ended the iteration early. Close it
        (or use it as a context manager) when stopping early.

    Raises
    ------
    InputError
        As `probe_video`; also for a negative or out-of-range ``start_frame``,
        ``stop_frame`` before ``start_frame``, or ``max_side_px`` below 1.

    Notes
    -----
    ``time_s`` is ``(pts - pts_first) * time_base`` of each frame, so it is
    exact for variable frame rate video. Indices follow presentation order.
    """
    if info is None:
        info = probe_video(path)
    if not 0 <= start_frame < info.n_frames:
        raise InputError(
            f"start_frame={start_frame} is outside the video, which has {info.n_frames} frames",
            path=info.path,
            fix=f"Give a start_frame from 0 to {info.n_frames - 1}",
        )
    if stop_frame is not None and stop_frame < start_frame:
        raise InputError(
            f"stop_frame={stop_frame} comes before start_frame={start_frame}",
            path=info.path,
            fix="Give a stop_frame after start_frame, or None for the end",
        )
    if max_side_px is not None and max_side_px < 1:
        raise InputError(
            f"max_side_px={max_side_px} is not a size", fix="Give at least 1 pixel, or None"
        )
    return FrameIterator(
        info,
        start_frame=start_frame,
        stop_frame=info.n_frames if stop_frame is None else stop_frame,
        max_side_px=max_side_px,
    )


@dataclass(frozen=True, eq=False)
class YUVFrame:
    """One decoded frame, upright, as limited-range yuv420p (see `iter_frames_yuv420p`).

    Attributes
    ----------
    index
        Position of the frame in presentation order, 0 for the first frame.
    planes
        Writable views of the Y plane, ``(height, width)`` uint8, and of the U and V
        planes, ``(height // 2, width // 2)``: drawing on them draws on ``picture``.
    colour_matrix
        The matrix of the YUV values, the same for every frame of a video.
    picture
        The PyAV frame holding the planes, which `VideoWriter.write_yuv420p` encodes as
        it is. It is the frame's own copy, never the decoder's.
    """

    index: int
    planes: YUVPlanes
    colour_matrix: ColourMatrix
    picture: VideoFrame


def iter_frames_yuv420p(
    path: str | Path,
    *,
    width_px: int,
    height_px: int,
    stop_frame: int | None = None,
    info: VideoInfo | None = None,
) -> Iterator[YUVFrame]:
    """Decode a video's frames one at a time, upright and scaled, as yuv420p: no RGB.

    For encoding the frames again cheaply (the annotated video). One swscale pass
    scales each frame (bilinear); 8-bit limited-range yuv420p frames in the matrix of
    the first frame keep their YUV values, any other frame (10-bit, 4:2:2, full range,
    another matrix) is converted to that matrix: BT.709 if the first frame is tagged
    BT.709, else BT.601 (FFmpeg's default). Rotated frames are then turned upright.

    Parameters
    ----------
    path
        The video file.
    width_px, height_px
        Size of the frames yielded, as displayed (after rotation); both even.
    stop_frame
        Index one past the last frame to yield; None for the end of the video.
    info
        The result of `probe_video` for ``path``, to skip probing it again.

    Returns
    -------
    Iterator of YUVFrame
        From the first frame; a read or decode error ends them cleanly, as in
        `iter_frames`.
    """
    if info is None:
        info = probe_video(path)
    if width_px < 2 or height_px < 2 or width_px % 2 or height_px % 2:
        raise InputError(
            f"cannot decode to {width_px}x{height_px} px yuv420p frames",
            path=info.path,
            fix="Give an even width and height of at least 2 px",
        )
    stop = info.n_frames if stop_frame is None else stop_frame
    frames = FrameIterator(info, start_frame=0, stop_frame=stop, max_side_px=None)
    return _generate_yuv420p(frames, width_px, height_px, stop)


def _generate_yuv420p(
    frames: FrameIterator, width_px: int, height_px: int, stop_frame: int
) -> Generator[YUVFrame, None, None]:
    from av.video.reformatter import VideoReformatter

    info = frames.info
    reformatter = VideoReformatter()
    matrix: ColourMatrix | None = None
    with _open_input(info.path) as container:
        stream = _video_stream(container, info.path)
        # FrameIterator's decoding loop, for its handling of damaged files.
        for index, video_frame in enumerate(frames._decode(container, stream)):
            if index >= stop_frame:
                return
            if matrix is None:
                is_709 = video_frame.colorspace == _AVCOL_SPC_BT709
                matrix = "bt709" if is_709 else "bt601"
            picture = _to_yuv420p(
                video_frame, width_px, height_px, info.rotation_deg, matrix, reformatter
            )
            frames.decoded += 1
            yield YUVFrame(index, _plane_views(picture), matrix, picture)


def _to_yuv420p(
    video_frame: VideoFrame,
    width_px: int,
    height_px: int,
    rotation_deg: int,
    matrix: ColourMatrix,
    reformatter: VideoReformatter,
) -> VideoFrame:
    """A new yuv420p frame of the displayed size ``width_px x height_px``, upright."""
    import av
    import cv2

    turned = rotation_deg in (90, 270)
    scaled = reformatter.reformat(
        video_frame,
        width=height_px if turned else width_px,
        height=width_px if turned else height_px,
        format="yuv420p",
        dst_colorspace=_AVCOL_SPC_BT709 if matrix == "bt709" else _AVCOL_SPC_BT470BG,
        interpolation="BILINEAR",
        src_color_range=video_frame.color_range,
        dst_color_range=_AVCOL_RANGE_MPEG,
        threads=1,
    )
    if scaled is not video_frame and not rotation_deg:
        return scaled  # swscale's own new frame
    # The decoder's frame (nothing to scale) may be a reference for the next ones: copy.
    picture = av.VideoFrame(width_px, height_px, "yuv420p")
    for src, out in zip(_plane_views(scaled), _plane_views(picture), strict=True):
        if rotation_deg:
            cv2.rotate(src, _CV2_ROTATE_CW[rotation_deg], dst=out)
        else:
            out[...] = src
    return picture


def _plane_views(picture: VideoFrame) -> YUVPlanes:
    """Writable views of the Y, U and V planes of a yuv420p PyAV frame."""
    y, u, v = (
        np.frombuffer(memoryview(p), dtype=np.uint8).reshape(p.height, p.line_size)[:, : p.width]
        for p in picture.planes
    )
    return y, u, v
