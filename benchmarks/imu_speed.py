"""Speed and memory of ``upright imu`` on a three-hour 100 Hz trace, and of ``upright
import`` on the longest watch file.

The three-hour trace is the real 25-minute hip run (adeptdata, ActiGraph, 100 Hz)
repeated with time offsets into one CSV (gzip), 1.08 million samples. Aim: analysis under
1 s per 3 h of data and under 300 MB.

    /work/venv/bin/python benchmarks/imu_speed.py
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

from upright.fatigue.imu import compute_imu_fatigue
from upright.io.imu import read_imu
from upright.kinematics.imu_posture import compute_imu_posture
from upright.services.run_import import import_run

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
HIP = DATA / "imu" / "acc_running_left_hip.csv.gz"
LONGEST_WATCH = DATA / "runlogs" / "2020-12-20T05_50_47-300_Running.tcx"
HOURS = 3.0


def make_long_trace(dst: Path) -> int:
    """The hip run repeated back to back (each copy shifted by the run's length)."""
    run = pd.read_csv(HIP)
    period = float(run["unix_time_s"].iloc[-1] - run["unix_time_s"].iloc[0]) + 0.01
    copies = int(np.ceil(HOURS * 3600 / period))
    parts = []
    for k in range(copies):
        part = run.copy()
        part["unix_time_s"] = part["unix_time_s"] + k * period
        parts.append(part)
    long = pd.concat(parts, ignore_index=True)
    long = long[long["unix_time_s"] < long["unix_time_s"].iloc[0] + HOURS * 3600]
    long.to_csv(dst, index=False, float_format="%.3f")
    return len(long)


def timed(label: str, action: object) -> object:
    assert callable(action)
    t0 = time.perf_counter()
    result = action()
    print(f"{label:<48s} {time.perf_counter() - t0:7.2f} s")
    return result


def main() -> None:
    if not HIP.exists():
        sys.exit(f"benchmark needs the shared recordings; {HIP} is missing")
    with tempfile.TemporaryDirectory() as tmp:
        trace = Path(tmp) / "three_hours.csv.gz"
        n = make_long_trace(trace)
        size_mb = trace.stat().st_size / 1e6
        print(f"trace: {n} samples ({n / 100 / 3600:.2f} h at 100 Hz), {size_mb:.1f} MB gz")
        rec = timed("read_imu (parse gzip CSV)", lambda: read_imu(trace))
        posture = timed("compute_imu_posture", lambda: compute_imu_posture(rec, placement="hip"))  # type: ignore[arg-type]
        timed("compute_imu_fatigue", lambda: compute_imu_fatigue(posture))  # type: ignore[arg-type]
        tracemalloc.start()
        t0 = time.perf_counter()
        compute_imu_fatigue(compute_imu_posture(rec, placement="hip"))  # type: ignore[arg-type]
        elapsed = time.perf_counter() - t0
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"analysis under tracemalloc: {elapsed:.2f} s, peak traced {peak / 1e6:.0f} MB")
    if LONGEST_WATCH.exists():
        run = timed(f"import_run({LONGEST_WATCH.name})", lambda: import_run(LONGEST_WATCH))
        print(f"  ({run.summary.duration_s / 3600:.2f} h, {run.summary.source.n_samples} samples)")  # type: ignore[attr-defined]
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory of the whole benchmark process: {rss:.0f} MB")


if __name__ == "__main__":
    main()
