"""Speed and memory of pose estimation and ``upright analyze`` on the real clip.

Figures printed:
- the raw one-process MediaPipe loop (PyAV decode + BlazePose full, nothing else): the
  per-core ceiling, in frames per second;
- upright's pose stage alone (both cores, model set-up included);
- ``upright analyze --no-annotate`` and ``upright analyze`` (whole command, wall clock,
  interpreter start included) and their frames per second, the ratio to the raw loop,
  and how much the annotated video adds;
- peak resident memory of each command, on the 12 s clip and on a 2-minute clip made by
  looping it 10 times (memory must not grow with the clip's length).

Run: python benchmarks/speed.py [--loops 10] [--skip-long]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import CLIP, OUT, make_clip, require_data


def raw_loop(path: Path) -> tuple[int, float, float]:
    """Frames, seconds without model set-up, seconds with it."""
    t_start = time.perf_counter()
    import av
    import mediapipe as mp

    pose = mp.solutions.pose.Pose(static_image_mode=False, model_complexity=1)
    t0 = time.perf_counter()
    n = 0
    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            pose.process(frame.to_ndarray(format="rgb24"))
            n += 1
    t1 = time.perf_counter()
    pose.close()
    return n, t1 - t0, t1 - t_start


def pose_stage(path: Path) -> tuple[int, float]:
    """Frames and seconds of upright's pose stage alone (both cores), in this process."""
    from upright.pose.runner import estimate_pose_video

    t0 = time.perf_counter()
    ds = estimate_pose_video(path)
    return int(ds.sizes["time"]), time.perf_counter() - t0


def run_command(args: list[str]) -> tuple[float, float]:
    """Wall seconds and peak memory (MB) of an upright command in a child process."""
    upright = Path(sys.executable).with_name("upright")
    t0 = time.perf_counter()
    child = subprocess.Popen(
        [str(upright), *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - t0
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"upright {' '.join(args)} failed with exit code {child.returncode}")
    return wall, usage.ru_maxrss / 1024.0


def measure(clip: Path, n_frames: int, raw_fps: float) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        plain, mem_plain = run_command(["analyze", str(clip), "--out", f"{tmp}/a", "--no-annotate"])
        full, mem_full = run_command(["analyze", str(clip), "--out", f"{tmp}/b"])
    fps_plain, fps_full = n_frames / plain, n_frames / full
    print(
        f"  upright analyze --no-annotate: {plain:6.2f} s  {fps_plain:6.1f} fps  "
        f"x{fps_plain / raw_fps:.2f} of the raw loop  peak {mem_plain:.0f} MB"
    )
    print(
        f"  upright analyze (annotated):   {full:6.2f} s  {fps_full:6.1f} fps  "
        f"x{fps_full / raw_fps:.2f} of the raw loop  peak {mem_full:.0f} MB"
    )
    print(f"  the annotated video adds {100 * (full / plain - 1):.0f}% to the run time")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loops", type=int, default=10, help="loops of the clip for the long run")
    parser.add_argument("--skip-long", action="store_true", help="only the 12 s clip")
    args = parser.parse_args()
    require_data()
    clips = [(CLIP, "real clip, 12 s")]
    if not args.skip_long:
        long_clip = make_clip(OUT / f"male_side_x{args.loops}.mp4", loops=args.loops)
        clips.append((long_clip, f"looped x{args.loops}"))
    print("machine: 2 cores; figures are wall-clock on an otherwise idle machine\n")
    for clip, label in clips:
        n, loop_s, loop_all_s = raw_loop(clip)
        raw_fps = n / loop_s
        print(f"{label}: {n} frames")
        print(
            f"  raw MediaPipe loop, one process: {loop_s:6.2f} s  {raw_fps:6.1f} fps "
            f"({n / loop_all_s:.1f} fps counting import and model set-up)"
        )
        n_pose, pose_s = pose_stage(clip)
        print(
            f"  upright pose stage alone:       {pose_s:6.2f} s  {n_pose / pose_s:6.1f} fps  "
            f"x{n_pose / pose_s / raw_fps:.2f} of the raw loop (model set-up included)"
        )
        measure(clip, n, raw_fps)
        print()


if __name__ == "__main__":
    main()
