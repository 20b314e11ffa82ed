"""Clips per minute of ``upright batch``: one process, the local pool, and Ray, on this machine.

Usage: python benchmarks/batch.py [--clips 4] [--no-annotate] [--skip-ray]

The clips are copies of the shared recording ``video/male_side.mp4`` (12 s, 360 frames,
720 x 1280), each remuxed with its own comment tag so that their bytes (and SHA-256)
differ while their frames are the same. Each configuration analyses all of them once:

* ``one process``: :func:`upright.workflows.batch_task.analyze_clip` called in this
  process, one clip after another (``upright analyze`` in a loop, without the start-up
  of a new process for each);
* ``pool AxB``: the local process pool, A clips at once with B pose threads each;
* ``ray``: a local Ray started with every core, each clip a task of B CPUs.

Printed and written to ``benchmarks/out/batch.json``: wall time, clips per minute, the
mean time a clip took inside its worker, and the load average before and after (the
machine is shared: other people's work slows every figure).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import Executor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import CLIP, OUT, require_data


def copies(folder: Path, n: int) -> list[Path]:
    """``n`` copies of the clip with distinct bytes (remuxed, comment tag), same frames."""
    import av

    paths = []
    for i in range(n):
        dst = folder / f"runner{i + 1}.mp4"
        with av.open(str(CLIP)) as src, av.open(str(dst), mode="w", format="mp4") as out:
            out.metadata["comment"] = f"benchmark copy {i + 1}"
            stream = out.add_stream_from_template(src.streams.video[0])
            for packet in src.demux(src.streams.video[0]):
                if packet.dts is None:
                    continue
                packet.stream = stream
                out.mux(packet)
        paths.append(dst)
    return paths


def one_process(clips: list[Path], out: Path, annotate: bool, threads: int) -> dict[str, Any]:
    from upright.services.batch_manifest import read_batch_input
    from upright.workflows.batch import clip_tasks
    from upright.workflows.batch_task import analyze_clip

    batch = [c for c in read_batch_input(clips[0].parent) if c.path in clips]
    tasks = clip_tasks(batch, out, annotate=annotate, pose_threads=threads)
    started = time.perf_counter()
    outcomes = [analyze_clip(t) for t in tasks]
    wall = time.perf_counter() - started
    assert all(o.ok for o in outcomes), [o.error for o in outcomes]
    return _figures(wall, [o.seconds for o in outcomes], len(clips))


def batched(
    folder: Path,
    out: Path,
    factory: Callable[[], Executor],
    slots: int,
    annotate: bool,
    threads: int,
) -> dict[str, Any]:
    from upright.services.batch_manifest import read_batch_input
    from upright.workflows.batch import run_batch

    batch = read_batch_input(folder)
    started = time.perf_counter()
    result = run_batch(
        batch,
        out,
        factory,
        slots=slots,
        executor_name="benchmark",
        annotate=annotate,
        pose_threads=threads,
    )
    wall = time.perf_counter() - started
    assert not result.failed, [r.error for r in result.failed]
    return _figures(wall, [r.seconds or 0.0 for r in result.rows], len(batch))


def _figures(wall_s: float, per_clip_s: list[float], n: int) -> dict[str, Any]:
    return {
        "clips": n,
        "wall_s": round(wall_s, 1),
        "clips_per_min": round(n / wall_s * 60, 2),
        "mean_clip_s_in_worker": round(sum(per_clip_s) / len(per_clip_s), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=4)
    parser.add_argument("--no-annotate", action="store_true")
    parser.add_argument("--skip-ray", action="store_true")
    args = parser.parse_args()
    require_data()
    annotate = not args.no_annotate
    cores = os.cpu_count() or 1
    from upright.services.executors import RayExecutor, local_pool

    report: dict[str, Any] = {
        "cores": cores,
        "clip": f"{CLIP.name} (12 s, 360 frames, 720 x 1280)",
        "annotate": annotate,
        "load_before": os.getloadavg(),
        "runs": {},
    }
    with tempfile.TemporaryDirectory(prefix="upright-batch-bench-") as tmp:
        folder = Path(tmp) / "clips"
        folder.mkdir()
        clips = copies(folder, args.clips)
        runs: list[tuple[str, Callable[[Path], dict[str, Any]]]] = [
            ("one process, 2 pose threads", lambda o: one_process(clips, o, annotate, 2)),
            (
                "pool 1x2 (1 clip at once, 2 pose threads)",
                lambda o: batched(folder, o, lambda: local_pool(1), 1, annotate, 2),
            ),
            (
                "pool 2x1 (2 clips at once, 1 pose thread)",
                lambda o: batched(folder, o, lambda: local_pool(2), 2, annotate, 1),
            ),
        ]
        if not args.skip_ray:
            ray_run = _ray_run(folder, annotate, cores, RayExecutor)
            runs.append(("ray local, tasks of 1 CPU (2 at once), 1 pose thread", ray_run))
        for name, run in runs:
            out = Path(tmp) / f"out-{len(report['runs'])}"
            out.mkdir()
            load = os.getloadavg()[0]
            figures = run(out)
            figures["load_1min_at_start"] = round(load, 2)
            report["runs"][name] = figures
            print(f"{name}: {json.dumps(figures)}", flush=True)
    report["load_after"] = os.getloadavg()
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "batch.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2))


def _ray_run(
    folder: Path, annotate: bool, cores: int, executor: Any
) -> Callable[[Path], dict[str, Any]]:
    def run(out: Path) -> dict[str, Any]:
        import ray

        started = time.perf_counter()
        ray.init(num_cpus=cores, include_dashboard=False, log_to_driver=False)
        ray_start_s = time.perf_counter() - started
        try:
            pool = executor(num_cpus=1, max_retries=2)
            figures = batched(folder, out, lambda: pool, args_slots(folder), annotate, 1)
        finally:
            ray.shutdown()
        figures["ray_start_s"] = round(ray_start_s, 1)
        return figures

    return run


def args_slots(folder: Path) -> int:
    """On Ray every clip is handed over at once; Ray runs as many as the CPUs allow."""
    return max(1, len(list(folder.glob("*.mp4"))))


if __name__ == "__main__":
    main()
