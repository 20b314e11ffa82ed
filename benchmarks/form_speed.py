"""How long the form check takes once the keypoints exist (pose estimation aside).

The pose pass is the one ``upright analyze`` uses (``upright.pose.runner``), measured by
``benchmarks/speed.py``; this script times what ``upright form`` adds: cleaning,
levelling, geometry, judgement and summary, then the per-frame table and plots, on a
synthetic plank of several lengths at 30 fps.

Run: python benchmarks/form_speed.py   (under a minute)
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from upright.report.form_outputs import write_form_files
from upright.services.form import FormOptions, check_form_keypoints
from upright.synthetic.exercise import ExerciseSpec, simulate_exercise


def main() -> None:
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


if __name__ == "__main__":
    main()
