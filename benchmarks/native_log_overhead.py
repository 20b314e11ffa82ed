"""Cost of keeping MediaPipe's native log lines off stderr during pose estimation.

Runs the whole of ``male_side.mp4`` (360 frames, 2 pose threads) with the stderr filter
(:func:`upright.pose.native_log.filtered_native_stderr`) and without it, alternately, in
fresh processes, and prints the time and the number of lines each run wrote to stderr.

    python benchmarks/native_log_overhead.py [rounds]
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time

from _common import CLIP, REPO, require_data

_RUN = """
    import contextlib, sys
    import upright.pose.mediapipe_backend as backend
    if sys.argv[1] == "off":
        backend.filtered_native_stderr = contextlib.nullcontext
    from upright.pose.runner import estimate_pose_video
    estimate_pose_video(sys.argv[2], workers=2)
"""


def one_run(mode: str) -> tuple[float, int]:
    """Seconds taken and stderr lines written by one pose run in a fresh process."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(_RUN), mode, str(CLIP)],
        capture_output=True,
        check=True,
        env={"PYTHONPATH": str(REPO / "src"), "PATH": "/usr/bin:/bin"},
    )
    return time.perf_counter() - start, len(done.stderr.splitlines())


def main() -> None:
    require_data()
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    for _ in range(rounds):
        for mode in ("off", "on"):
            seconds, lines = one_run(mode)
            print(f"filter {mode:3}: {seconds:5.1f} s, {lines} stderr lines")


if __name__ == "__main__":
    main()
