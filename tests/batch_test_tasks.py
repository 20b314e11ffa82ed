"""Clip tasks for the batch tests, run in worker processes (a local pool or Ray).

``crash_on(indices, task)``: the worker process dies outright (``os._exit``) the first
time it is given a task whose index is in ``indices`` (a marker file beside the clip's
output folder remembers that it did), or every time with ``always``; otherwise, and
after that, the clip is analysed as usual.
"""

from __future__ import annotations

import os
from collections.abc import Collection
from pathlib import Path

from upright.workflows.batch_task import ClipOutcome, ClipTask, analyze_clip


def crash_marker(task: ClipTask) -> Path:
    return Path(task.out_dir).parent / f".crashed-{task.index}"


def crash_on(indices: Collection[int], task: ClipTask, always: bool = False) -> ClipOutcome:
    if task.index in indices:
        marker = crash_marker(task)
        if always or not marker.exists():
            with marker.open("a") as fh:
                fh.write(f"{os.getpid()}\n")
            os._exit(9)
    return analyze_clip(task)
