"""``upright batch``: many clips, each analysed as ``upright analyze`` does, one table.

Wiring and output only: :mod:`upright.workflows.batch` does the work.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from upright.cli._app import NoAnnotate, RunnerAlias, app, console, run_guarded
from upright.workflows.batch import (
    DEFAULT_MAX_ATTEMPTS,
    DEFAULT_POSE_THREADS,
    BatchResult,
    ClipRow,
)

__all__ = ["BatchJob", "batch", "run_batch_command"]

#: Exit code when the batch ran but some clips were not analysed (or not stored).
EXIT_SOME_FAILED = 1

_BATCH_EXITS = (
    "Exit codes: 0 every clip analysed (and stored, with runners); 1 some clips failed "
    "(results.csv says which and why); 2 the input cannot be used, nothing was analysed "
    "(the message says why); 130 stopped with Ctrl+C."
)


@dataclass(frozen=True)
class BatchJob:
    """What ``upright batch`` was asked to do."""

    source: Path
    out_dir: Path
    runner: str | None = None
    workers: int | None = None
    pose_threads: int = DEFAULT_POSE_THREADS
    ray: str | None = None
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    annotate: bool = True


def _executor(job: BatchJob, n_clips: int) -> tuple[Callable[[], Executor], int, str]:
    """The executor factory, the clips run at once, and a description for the table."""
    from upright.errors import InputError
    from upright.services.executors import RayExecutor, local_pool, ray_address
    from upright.workflows.batch import default_workers

    address = ray_address(job.ray)
    if address is None:
        workers = job.workers or default_workers(job.pose_threads)
        return (
            lambda: local_pool(workers),
            workers,
            f"local pool of {workers} process{'es' if workers > 1 else ''}, "
            f"{job.pose_threads} pose thread{'s' if job.pose_threads > 1 else ''} each",
        )
    if job.workers is not None:
        raise InputError(
            "--workers sets this machine's pool, and --ray (or UPRIGHT_RAY_ADDRESS) asks for Ray",
            fix="Leave out --workers: on Ray the cluster's CPUs decide how many clips run at once",
        )
    ray = RayExecutor(address, num_cpus=job.pose_threads, max_retries=job.max_attempts - 1)
    name = f"Ray ({address}: {ray.where}, {ray.cluster_cpus()} CPUs, {job.pose_threads} per clip)"
    return (lambda: ray), max(1, n_clips), name


def run_batch_command(job: BatchJob, json_out: bool, out: Console) -> BatchResult:
    """Check the input, run the batch, print each clip as it ends and the totals."""
    from upright.services.batch_manifest import read_batch_input
    from upright.workflows.batch import check_runners, run_batch

    clips = read_batch_input(job.source, job.runner)
    check_runners(clips, job.source)
    factory, slots, name = _executor(job, len(clips))
    err = Console(stderr=True)
    err.print(f"Analysing {len(clips)} clip{'s' if len(clips) > 1 else ''} on {escape(name)}.")
    result = run_batch(
        clips,
        job.out_dir,
        factory,
        slots=slots,
        executor_name=name,
        annotate=job.annotate,
        pose_threads=job.pose_threads,
        max_attempts=job.max_attempts,
        on_row=lambda row: _print_row(row, err),
    )
    if json_out:
        print((job.out_dir / "results.json").read_text(encoding="utf-8"), end="")
    else:
        _print_totals(result, out)
    return result


def _fmt(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _print_row(row: ClipRow, console: Console) -> None:
    who = f" ({escape(row.runner)})" if row.runner else ""
    if row.status != "done":
        console.print(f"[red]failed[/red] {escape(row.folder)}{who}: {escape(row.error or '')}")
        return
    stored = f"; {row.stored}" if row.stored else ""
    console.print(
        f"[green]done[/green] {escape(row.folder)}{who}: trunk lean "
        f"{_fmt(row.trunk_lean_median_deg)} deg (IQR {_fmt(row.trunk_lean_iqr_deg)}), "
        f"cadence {_fmt(row.cadence_spm, 0)} steps/min, {_fmt(row.seconds)} s{stored}"
    )
    if row.error:
        console.print(f"  [red]{escape(row.error)}[/red]")


def _print_totals(result: BatchResult, console: Console) -> None:
    done = sum(r.status == "done" for r in result.rows)
    minutes = result.seconds / 60
    rate = f", {done / minutes:.1f} clips per minute" if done and minutes > 0 else ""
    console.print(
        f"{done} of {len(result.rows)} clips analysed in {result.seconds:.0f} s{rate}. "
        f"Table: [bold]{escape(str(result.out_dir / 'results.csv'))}[/bold] (and results.json); "
        "each clip's files in its own folder beside it."
    )
    if result.failed:
        console.print(
            f"[red]{len(result.failed)} clip{'s' if len(result.failed) > 1 else ''} failed[/red]"
            ": the table's error column says why."
        )


@app.command(epilog=_BATCH_EXITS)
def batch(
    source: Annotated[
        Path,
        typer.Argument(
            help="A folder of clips (video files and upright .nc keypoint files), or a "
            "manifest (.csv or .yaml) with the columns clip, runner, km, min, tilt_deg, "
            "setting, direction, height_cm, fps: one row per clip.",
            show_default=False,
        ),
    ],
    out: Annotated[
        Path, typer.Option("--out", help="Output folder: one folder per clip and the table.")
    ] = Path("upright-batch"),
    runner: RunnerAlias = None,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            min=1,
            max=64,
            help="Clips analysed at once on this machine. \\[default: cores / pose threads]",
        ),
    ] = None,
    pose_threads: Annotated[
        int,
        typer.Option(
            "--pose-threads",
            min=1,
            max=16,
            help="Pose estimation threads of each clip (upright analyze --workers).",
        ),
    ] = DEFAULT_POSE_THREADS,
    ray: Annotated[
        str | None,
        typer.Option(
            "--ray",
            help="Run each clip as a task on a Ray cluster: auto (the cluster this machine "
            "joined, else Ray on this machine) or the head's address. Default: "
            "UPRIGHT_RAY_ADDRESS, else this machine's cores without Ray.",
        ),
    ] = None,
    max_attempts: Annotated[
        int,
        typer.Option(
            "--max-attempts",
            min=1,
            max=10,
            help="Starts of a clip whose worker process dies, before it is given up.",
        ),
    ] = DEFAULT_MAX_ATTEMPTS,
    no_annotate: NoAnnotate = False,
    json_out: Annotated[
        bool, typer.Option("--json", help="Print results.json to stdout instead of totals.")
    ] = False,
) -> None:
    """Analyse many clips as upright analyze does; one table of all results.

    With runners (--runner, or a manifest's runner column) each analysis is stored as an
    analysis record, once per runner and clip. A clip that fails does not stop the others.
    """
    job = BatchJob(
        source=source,
        out_dir=out,
        runner=runner,
        workers=workers,
        pose_threads=pose_threads,
        ray=ray,
        max_attempts=max_attempts,
        annotate=not no_annotate,
    )
    result = run_guarded(lambda: run_batch_command(job, json_out, console))
    if result.failed:
        raise typer.Exit(EXIT_SOME_FAILED)
