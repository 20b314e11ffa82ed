"""How long the form check takes: the judging alone, and the whole command on a clip.

1. Judging (pose estimation aside): cleaning, levelling, geometry, judgement and
   summary, then the per-frame table and plots, on a synthetic plank of several lengths
   at 30 fps.
2. The whole ``upright form CLIP --exercise front_plank`` command (a child process, wall
   clock, interpreter start, pose estimation and outputs included), with and without
   the annotated video, against the raw one-process MediaPipe loop of
   ``benchmarks/speed.py`` (PyAV decode + BlazePose full) on the same clip. The clip is
   the synthetic plank rendered as a filled body (1280 x 720, 30 fps), which the pose
   model detects once the figure is off the floor; ``--clip`` times another clip.

Run: python benchmarks/form_speed.py [--skip-judge] [--skip-command] [--seconds 30]
     (the command part runs the pose model twice on the clip: about a minute on 2 cores)
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from speed import raw_loop, run_command
from upright.report.form_outputs import write_form_files
from upright.services.form import FormOptions, check_form_keypoints
from upright.synthetic.exercise import ExerciseSpec, simulate_exercise


def judging() -> None:
    print(f"{'clip':>8} {'frames':>7} {'judge (s)':>10} {'x real time':>12} {'outputs (s)':>12}")
    for minutes in (0.5, 2.0, 5.0):
        duration = 60.0 * minutes
        spec = ExerciseSpec(
            duration_s=duration,
            hold_end_s=duration - 3.0,
            offset_knots=((0.0, 15.0), (duration, -10.0)),
        )
        ds = simulate_exercise(spec).ds
        start = time.perf_counter()
        result = check_form_keypoints(ds, FormOptions("front_plank"), source_kind="synthetic")
        judge_s = time.perf_counter() - start
        with tempfile.TemporaryDirectory() as folder:
            start = time.perf_counter()
            write_form_files(result, Path(folder))
            write_s = time.perf_counter() - start
        n = int(ds.sizes["time"])
        print(
            f"{minutes:>6.1f} m {n:>7d} {judge_s:>10.2f} {duration / judge_s:>11.0f}x "
            f"{write_s:>12.2f}"
        )


def rendered_plank(path: Path, seconds: float) -> Path:
    """The synthetic plank drawn as a filled body: held from 2.6 s, sagging from the
    middle, lowered 2 s before the end."""
    from upright.io.video import VideoWriter
    from upright.synthetic.exercise_render import render_exercise_frames

    spec = ExerciseSpec(
        duration_s=seconds,
        hold_end_s=seconds - 2.0,
        offset_knots=((4.0, 12.0), (seconds - 2.0, -12.0)),
    )
    ex = simulate_exercise(spec)
    size = {"width_px": spec.image_width_px, "height_px": spec.image_height_px}
    with VideoWriter(path, **size, fps=spec.fps, crf=18, preset="veryfast") as writer:
        for _, rgb in render_exercise_frames(ex):
            writer.write(rgb)
    return path


def whole_command(clip: Path, exercise: str) -> None:
    n, loop_s, loop_all_s = raw_loop(clip)
    raw_fps = n / loop_s
    load = os.getloadavg()[0]
    print(f"\n{clip.name}: {n} frames; load average {load:.1f} on {os.cpu_count()} cores")
    print(
        f"  raw MediaPipe loop, one process: {loop_s:6.2f} s  {raw_fps:6.1f} fps "
        f"({n / loop_all_s:.1f} fps counting import and model set-up)"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for label, extra in (("--no-annotate", ["--no-annotate"]), ("(annotated)", [])):
            args = ["form", str(clip), "--exercise", exercise, "--out", f"{tmp}/{len(extra)}"]
            wall, mem = run_command([*args, *extra])
            fps = n / wall
            print(
                f"  upright form {label:<14} {wall:6.2f} s  {fps:6.1f} fps  "
                f"x{fps / raw_fps:.2f} of the raw loop  peak {mem:.0f} MB"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-judge", action="store_true", help="skip the judging table")
    parser.add_argument("--skip-command", action="store_true", help="skip the whole command")
    parser.add_argument("--seconds", type=float, default=30.0, help="rendered clip length")
    parser.add_argument("--clip", type=Path, help="time this clip instead of the rendered one")
    parser.add_argument("--exercise", default="front_plank", help="--exercise for the clip")
    args = parser.parse_args()
    if not args.skip_judge:
        judging()
    if args.skip_command:
        return
    with tempfile.TemporaryDirectory() as tmp:
        clip = args.clip or rendered_plank(Path(tmp) / "rendered_plank.mp4", args.seconds)
        whole_command(clip, args.exercise)


if __name__ == "__main__":
    main()
