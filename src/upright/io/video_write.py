"""Write H.264 video that plays in a browser, all or nothing.

:class:`VideoWriter` is re-exported by :mod:`upright.io.video`; PyAV is imported inside
its methods so that importing this module stays fast.
"""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Mapping
from fractions import Fraction
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Literal

import numpy as np

from upright.errors import InputError

if TYPE_CHECKING:
    from av.container import OutputContainer
    from av.video.stream import VideoStream

    from upright.io.video import ColourMatrix, RGBImage, YUVFrame

__all__ = ["VideoWriter", "X264Preset"]

logger = logging.getLogger(__name__)

X264Preset = Literal[
    "ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow"
]

# Time base used by VideoWriter: 90 kHz holds every common frame rate exactly.
_WRITER_TIME_BASE = Fraction(1, 90_000)
# FFmpeg's AVColorSpace (the YUV matrix) and AVColorRange values.
_AVCOL_SPC_BT709 = 1
_AVCOL_SPC_BT470BG = 5  # BT.601 (625 lines)
_AVCOL_SPC_SMPTE170M = 6  # BT.601 (525 lines), what libx264 tags as BT.601
_AVCOL_RANGE_MPEG = 1  # limited range


# --------------------------------------------------------------------- writing


class VideoWriter:
    """Write RGB frames to an H.264 MP4 that plays in a browser.

    Frames go to a hidden temporary file in the same folder, which replaces
    ``path`` only when the ``with`` block ends without an exception; otherwise
    it is deleted, so no half-written video is ever left behind.

    Parameters
    ----------
    path
        Output file, ``.mp4``, ``.m4v`` or ``.mov``.
    width_px, height_px
        Size of the frames given to `write`. Odd sizes are padded by one pixel
        (repeating the last column or row), since yuv420p needs even sizes.
    fps
        Frame rate, used for frames written without ``time_s``.
    crf
        libx264 constant rate factor: 0 lossless, 23 default, 51 worst.
    preset
        libx264 speed preset.
    threads
        libx264 threads; 0 lets libx264 choose.
    colour_matrix
        The YUV matrix tagged in the file, for frames given to `write_yuv420p` in that
        matrix; None leaves it untagged (`write` gives BT.601 frames).

    Examples
    --------
    >>> with VideoWriter("out.mp4", width_px=640, height_px=360, fps=30) as writer:
    ...     for rgb in frames:
    ...         writer.write(rgb)
    """

    _FORMATS: Mapping[str, str] = {".mp4": "mp4", ".m4v": "mp4", ".mov": "mov"}

    def __init__(
        self,
        path: str | Path,
        *,
        width_px: int,
        height_px: int,
        fps: float,
        crf: int = 23,
        preset: X264Preset = "veryfast",
        threads: int = 0,
        colour_matrix: ColourMatrix | None = None,
    ) -> None:
        self.path = Path(path)
        container_format = self._FORMATS.get(self.path.suffix.lower())
        if container_format is None:
            raise InputError(
                "VideoWriter writes .mp4, .m4v or .mov files only",
                path=self.path,
                fix="Give the output file a .mp4 extension",
            )
        if not self.path.parent.is_dir():
            raise InputError(
                "the output folder does not exist", path=self.path, fix="Create the folder first"
            )
        if width_px < 2 or height_px < 2 or fps <= 0:
            raise InputError(
                f"cannot write {width_px}x{height_px} px frames at {fps} fps",
                path=self.path,
                fix="Give a size of at least 2x2 px and a positive frame rate",
            )
        self.width_px = width_px
        self.height_px = height_px
        self.encoded_width_px = width_px + width_px % 2
        self.encoded_height_px = height_px + height_px % 2
        self.fps = fps
        self.n_written = 0
        self._format = container_format
        self._options = {"crf": str(crf), "preset": preset}
        self._threads = threads
        self._colour_matrix = colour_matrix
        self._tmp_path = self.path.with_name(f".{self.path.name}.{secrets.token_hex(4)}.part")
        self._container: OutputContainer | None = None
        self._stream: VideoStream | None = None
        self._last_pts = -1

    def __enter__(self) -> VideoWriter:
        import av

        try:
            container = av.open(
                str(self._tmp_path),
                mode="w",
                format=self._format,
                options={"movflags": "+faststart"},
            )
        except (av.FFmpegError, OSError) as exc:
            raise InputError(
                f"cannot create the video file ({exc})",
                path=self.path,
                fix="Check that the folder is writable",
            ) from exc
        try:
            stream = container.add_stream(
                "libx264", rate=Fraction(self.fps).limit_denominator(1001)
            )
            stream.width = self.encoded_width_px
            stream.height = self.encoded_height_px
            stream.pix_fmt = "yuv420p"
            stream.time_base = _WRITER_TIME_BASE
            stream.codec_context.time_base = _WRITER_TIME_BASE
            stream.codec_context.options = self._options
            stream.codec_context.thread_type = "FRAME"
            stream.codec_context.thread_count = self._threads
            if self._colour_matrix is not None:
                stream.codec_context.colorspace = self._av_colorspace()
                stream.codec_context.color_range = _AVCOL_RANGE_MPEG
        except BaseException:
            container.close()
            self._tmp_path.unlink(missing_ok=True)
            raise
        self._container, self._stream = container, stream
        return self

    def write(self, rgb: RGBImage, time_s: float | None = None) -> None:
        """Encode one frame.

        Parameters
        ----------
        rgb
            ``(height_px, width_px, 3)`` uint8 RGB picture.
        time_s
            Presentation time; None places the frame ``1 / fps`` after the previous one.
            Times must increase.
        """
        import av

        if self._container is None or self._stream is None:
            raise RuntimeError("use VideoWriter in a with block before writing")
        expected = (self.height_px, self.width_px, 3)
        if rgb.shape != expected or rgb.dtype != np.uint8:
            raise InputError(
                f"frame {self.n_written} has shape {rgb.shape} and dtype {rgb.dtype}, "
                f"expected shape {expected} and dtype uint8",
                path=self.path,
                fix="Give frames of the size the writer was opened with",
            )
        pts = self._next_pts(time_s)
        pad = (
            (0, self.encoded_height_px - self.height_px),
            (0, self.encoded_width_px - self.width_px),
        )
        if pad != ((0, 0), (0, 0)):
            rgb = np.pad(rgb, (*pad, (0, 0)), mode="edge")
        frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb), format="rgb24")
        frame.pts = pts
        frame.time_base = _WRITER_TIME_BASE
        self._container.mux(self._stream.encode(frame))
        self._last_pts = pts
        self.n_written += 1

    def write_yuv420p(self, frame: YUVFrame, time_s: float | None = None) -> None:
        """Encode a frame from `iter_frames_yuv420p` (drawn on or not) as it is.

        No colour conversion: the file is tagged with the frame's matrix.

        Parameters
        ----------
        frame
            A frame of the (even) size the writer was opened with, in its
            ``colour_matrix``.
        time_s
            As in `write`.
        """
        if self._container is None or self._stream is None:
            raise RuntimeError("use VideoWriter in a with block before writing")
        picture = frame.picture
        size = (picture.width, picture.height)
        if size != (self.width_px, self.height_px) or size != (
            self.encoded_width_px,
            self.encoded_height_px,
        ):
            raise InputError(
                f"frame {self.n_written} is {size[0]}x{size[1]} px, expected "
                f"{self.width_px}x{self.height_px} px (even)",
                path=self.path,
                fix="Give yuv420p frames of the (even) size the writer was opened with",
            )
        if frame.colour_matrix != self._colour_matrix:
            raise InputError(
                f"frame {self.n_written} is in {frame.colour_matrix}, but the writer tags the "
                f"file {self._colour_matrix or 'with no matrix'}",
                path=self.path,
                fix="Open the writer with the frames' colour_matrix",
            )
        pts = self._next_pts(time_s)
        picture.colorspace = self._av_colorspace()
        picture.color_range = _AVCOL_RANGE_MPEG
        picture.pts = pts
        picture.time_base = _WRITER_TIME_BASE
        self._container.mux(self._stream.encode(picture))
        self._last_pts = pts
        self.n_written += 1

    def _next_pts(self, time_s: float | None) -> int:
        if time_s is None:
            pts = round(self.n_written / self.fps / _WRITER_TIME_BASE)
        else:
            pts = round(time_s / _WRITER_TIME_BASE)
        if pts <= self._last_pts:
            raise InputError(
                f"frame {self.n_written} at time_s={time_s} does not come after the previous one",
                path=self.path,
                fix="Give increasing times",
            )
        return pts

    def _av_colorspace(self) -> int:
        return _AVCOL_SPC_BT709 if self._colour_matrix == "bt709" else _AVCOL_SPC_SMPTE170M

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is not None:
            self._abort()
            return
        if self.n_written == 0:
            self._abort()
            raise InputError(
                "no frames were written, so no video was created",
                path=self.path,
                fix="Write at least one frame",
            )
        if self._container is None or self._stream is None:
            raise RuntimeError("VideoWriter.__exit__ called without __enter__")
        try:
            self._container.mux(self._stream.encode(None))
            self._container.close()
        except BaseException:
            self._abort()
            raise
        self._container = None
        os.replace(self._tmp_path, self.path)

    def _abort(self) -> None:
        """Close the container, ignoring errors, and delete the temporary file."""
        if self._container is not None:
            try:
                self._container.close()
            except Exception:  # already failing; the file is deleted anyway
                logger.debug("closing %s after a failure also failed", self._tmp_path)
            self._container = None
        self._tmp_path.unlink(missing_ok=True)
