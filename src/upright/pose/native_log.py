"""Keep MediaPipe's native log lines off the terminal, and everything else on it.

MediaPipe, TensorFlow Lite and absl write from C++ straight to file descriptor 2
("INFO: Created TensorFlow Lite XNNPACK delegate for CPU.", "W0000 00:00:... ]
Feedback manager requires ..."). Python's logging settings never see them, and absl
writes warnings before its logging is initialised whatever ``GLOG_minloglevel`` says.
While a MediaPipe model is alive, :func:`filtered_native_stderr` therefore points fd 2
at a pipe; a thread passes on everything written to it except those informational and
warning lines. Errors (absl ``E``/``F`` lines), Python tracebacks, warnings and Rich's
progress bar still reach the real stderr. The pipe is closed and the thread drained
when the last model closes, so nothing written before that is lost.
"""

from __future__ import annotations

import os
import re
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["NativeLogFilter", "filtered_native_stderr", "is_native_noise"]

#: absl/glog informational and warning lines, ``W0000 00:00:1796305573.497119  12401
#: file.cc:114] ...`` (the date and time read 0000 00:00:<epoch> before absl is set up).
_ABSL_NOISE = re.compile(rb"^[IW]\d{4} \d\d:\d\d:\d+\.\d+\s+\d+ [^\]\s]+:\d+\] ")
#: TensorFlow Lite's own INFO lines and absl's notice that it logs to stderr.
_PLAIN_NOISE = (
    b"INFO: ",
    b"WARNING: All log messages before absl::InitializeLog() is called are written to STDERR",
)
#: How long closing waits for the forwarding thread to drain the pipe.
_JOIN_TIMEOUT_S = 5.0


def is_native_noise(line: bytes) -> bool:
    """Whether one line (without its newline) is a MediaPipe/TFLite info or warning line."""
    text = line.rstrip(b"\r")
    return bool(_ABSL_NOISE.match(text)) or text.startswith(_PLAIN_NOISE)


def _may_become_noise(partial: bytes) -> bool:
    """Whether an incomplete line could still turn out to be noise (all noise starts
    with I or W; a progress bar's redraw starts with a carriage return or an escape)."""
    return partial[:1] in (b"I", b"W")


class NativeLogFilter:
    """Split a byte stream into what to pass on and native log noise to drop.

    Complete lines are judged one by one; an incomplete tail is passed on at once unless
    it could still turn into a noise line (progress bars redraw with ``\\r`` and no
    newline, and must not wait for one).
    """

    def __init__(self) -> None:
        self._held = b""

    def feed(self, data: bytes) -> bytes:
        """The part of ``data`` (after anything held back) to write out now."""
        data = self._held + data
        self._held = b""
        out: list[bytes] = []
        *lines, tail = data.split(b"\n")
        for line in lines:
            if not is_native_noise(line):
                out.append(line + b"\n")
        if tail:
            if _may_become_noise(tail):
                self._held = tail
            else:
                out.append(tail)
        return b"".join(out)

    def flush(self) -> bytes:
        """Whatever is still held back, when the stream ends."""
        held, self._held = self._held, b""
        return b"" if is_native_noise(held) else held


class _Redirect:
    """fd 2 -> pipe -> filter -> the real stderr, shared by every model alive."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._users = 0
        self._saved_fd: int | None = None
        self._thread: threading.Thread | None = None

    def acquire(self) -> None:
        with self._lock:
            self._users += 1
            if self._users == 1:
                self._start()

    def release(self) -> None:
        with self._lock:
            self._users -= 1
            if self._users == 0:
                self._stop()

    def _start(self) -> None:
        _flush_python_stderr()
        try:
            saved = os.dup(2)
        except OSError:  # no stderr at all (a windowed app): nothing to protect
            return
        read_fd, write_fd = os.pipe()
        os.dup2(write_fd, 2)
        os.close(write_fd)
        self._saved_fd = saved
        self._thread = threading.Thread(
            target=_forward, args=(read_fd, saved), name="upright-native-stderr", daemon=True
        )
        self._thread.start()

    def _stop(self) -> None:
        if self._saved_fd is None or self._thread is None:
            return
        _flush_python_stderr()
        os.dup2(self._saved_fd, 2)  # the pipe's last writer goes: the thread sees its end
        self._thread.join(_JOIN_TIMEOUT_S)
        if not self._thread.is_alive():
            os.close(self._saved_fd)
        self._saved_fd, self._thread = None, None


def _flush_python_stderr() -> None:
    stream = sys.stderr
    if stream is not None:
        stream.flush()


def _forward(read_fd: int, out_fd: int) -> None:
    """Copy the pipe to ``out_fd`` without the noise lines, until the pipe is closed."""
    keep = NativeLogFilter()
    try:
        while chunk := os.read(read_fd, 65536):
            _write_all(out_fd, keep.feed(chunk))
        _write_all(out_fd, keep.flush())
    finally:
        os.close(read_fd)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


_REDIRECT = _Redirect()


@contextmanager
def filtered_native_stderr() -> Iterator[None]:
    """While inside, MediaPipe's native info and warning lines never reach stderr.

    Re-entrant and thread-safe: the filter stays on until the last user leaves.
    """
    _REDIRECT.acquire()
    try:
        yield
    finally:
        _REDIRECT.release()
