"""Job kinds for the job-queue tests, run in the queue's worker processes.

``count``: counts four items; after the first it waits until the file ``go-<job id>``
appears beside the job's folder, so a test can look at a job half-way. It returns a
small record for the job's runner. ``crash``: the worker process dies outright.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from upright.services.jobs import JobContext, JobKind, JobOutcome, RecordDraft

COUNT = JobKind("count", run="job_test_kinds:run_count")
CRASH = JobKind("crash", run="job_test_kinds:run_crash")


class CountSummary(BaseModel):
    schema_version: str = "upright.run/1"
    counted: int


def go_file(ctx_out_dir: os.PathLike[str] | str, job_id: int) -> str:
    return os.path.join(os.path.dirname(ctx_out_dir), f"go-{job_id}")


def pid_file(files_root: os.PathLike[str] | str, job_id: int, attempt: int) -> str:
    return os.path.join(files_root, f"pid-{job_id}-{attempt}")


def run_count(params: Mapping[str, Any], ctx: JobContext) -> JobOutcome:
    os.makedirs(ctx.out_dir.parent, exist_ok=True)
    with open(pid_file(ctx.out_dir.parent, ctx.job_id, ctx.attempt), "w") as fh:
        fh.write(str(os.getpid()))
    ctx.plan({"Counting": 1.0})
    ctx.progress.start("Counting", 4, "items")
    ctx.progress.advance(1)
    deadline = time.monotonic() + float(params.get("wait_s", 30.0))
    while not os.path.exists(go_file(ctx.out_dir, ctx.job_id)):
        if time.monotonic() > deadline:
            raise TimeoutError("nobody said go")
        time.sleep(0.02)
    ctx.progress.advance(3)
    return JobOutcome(
        result={"counted": 4, "attempt": ctx.attempt},
        record=RecordDraft("run", CountSummary(counted=4), source_name="count"),
    )


def run_crash(params: Mapping[str, Any], ctx: JobContext) -> JobOutcome:
    os._exit(3)
