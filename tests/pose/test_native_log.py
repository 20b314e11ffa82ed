"""MediaPipe's native log lines stay off the terminal; everything else still shows."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from upright.pose.native_log import NativeLogFilter, is_native_noise

SRC = Path(__file__).resolve().parents[2] / "src"

#: Lines MediaPipe 0.10.21 writes on a first pose call (copied from a real run).
XNNPACK = b"INFO: Created TensorFlow Lite XNNPACK delegate for CPU."
ABSL_NOTICE = (
    b"WARNING: All log messages before absl::InitializeLog() is called are written to STDERR"
)
FEEDBACK = (
    b"W0000 00:00:1796305573.497119   12401 inference_feedback_manager.cc:114] Feedback "
    b"manager requires a model with a single signature inference. Disabling support for "
    b"feedback tensors."
)
INFO_LINE = b"I0000 00:00:1796305573.100000   12401 gl_context.cc:369] GL version: 3.2"
ERROR_LINE = b"E0000 00:00:1796305573.851710   12400 calculator_graph.cc:887] graph failed"


@pytest.mark.parametrize("line", [XNNPACK, ABSL_NOTICE, FEEDBACK, INFO_LINE])
def test_mediapipe_info_and_warning_lines_are_noise(line: bytes) -> None:
    assert is_native_noise(line)


@pytest.mark.parametrize(
    "line",
    [
        ERROR_LINE,  # a native error is kept
        b"upright could not finish. The clip has no frames.",
        b"WARNING:root:a Python logging warning",
        b"Traceback (most recent call last):",
        b"W1 is not a log line",
    ],
)
def test_other_lines_are_kept(line: bytes) -> None:
    assert not is_native_noise(line)


def test_filter_drops_noise_keeps_the_rest_in_order() -> None:
    keep = NativeLogFilter()
    stream = b"\n".join([b"first", XNNPACK, FEEDBACK, ERROR_LINE, b"last"]) + b"\n"
    assert keep.feed(stream) + keep.flush() == b"first\n" + ERROR_LINE + b"\nlast\n"


def test_filter_judges_lines_split_across_writes() -> None:
    keep = NativeLogFilter()
    half = len(FEEDBACK) // 2
    out = keep.feed(FEEDBACK[:half])
    assert out == b""  # could still be noise: held back
    out += keep.feed(FEEDBACK[half:] + b"\nreal")
    assert out == b"real"
    assert keep.flush() == b""


def test_filter_passes_a_progress_redraw_at_once() -> None:
    keep = NativeLogFilter()
    redraw = b"\r\x1b[2KPose estimation  40/360 frames"
    assert keep.feed(redraw) == redraw  # no newline, and still not held back


def test_filter_releases_a_held_tail_that_is_not_noise() -> None:
    keep = NativeLogFilter()
    assert keep.feed(b"Interrupted") == b""
    assert keep.flush() == b"Interrupted"


def _run(script: str) -> subprocess.CompletedProcess[bytes]:
    env = {"PYTHONPATH": str(SRC), "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        capture_output=True,
        env=env,
        timeout=300,
        check=False,
    )


def test_native_writes_are_filtered_and_python_output_still_shows() -> None:
    noise, kept = XNNPACK + b"\n" + FEEDBACK + b"\n", ERROR_LINE + b"\n" + INFO_LINE + b"\n"
    script = f"""
        import os, sys
        from upright.pose.native_log import filtered_native_stderr
        print("before", file=sys.stderr, flush=True)
        with filtered_native_stderr():
            with filtered_native_stderr():  # a second model alive at the same time
                os.write(2, {noise!r})
                print("upright's own message", file=sys.stderr, flush=True)
            os.write(2, {kept!r})
        os.write(2, b"after\\n")
    """
    done = _run(script)
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines() == [b"before", b"upright's own message", ERROR_LINE, b"after"]


def test_a_real_pose_call_prints_no_mediapipe_lines(shared_data: Path) -> None:
    clip = shared_data / "video" / "male_side.mp4"
    script = f"""
        import sys
        from upright.io.video import iter_frames
        from upright.pose.mediapipe_backend import MediaPipePose
        pose = MediaPipePose()
        found = 0
        for frame in iter_frames({str(clip)!r}, start_frame=100, stop_frame=104):
            xy, conf = pose.estimate(frame.rgb)
            found += int(conf.max() > 0.5)
        print("frames with a runner:", found, file=sys.stderr, flush=True)
        pose.close()
        raise SystemExit("upright's own error after the model closed")
    """
    done = _run(script)
    err = done.stderr.decode()
    assert done.returncode == 1
    assert "frames with a runner: 4" in err  # the model really ran
    assert "upright's own error after the model closed" in err
    for noise in ("XNNPACK", "W0000", "I0000", "INFO:", "absl::InitializeLog"):
        assert noise not in err, err
