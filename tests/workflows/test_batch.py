"""upright batch: the same results as one-by-one analyze, on a local pool and on Ray;
a worker killed mid-batch loses nothing and stores nothing twice."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

import batch_test_tasks
from batch_test_tasks import crash_marker, crash_on
from upright.cli.main import app
from upright.io.keypoints import write_keypoints_netcdf
from upright.services.batch_manifest import read_batch_input
from upright.services.executors import RayExecutor, local_pool, ray_pool
from upright.store import Record, get_or_create_runner, open_store
from upright.synthetic.runner import RunnerSpec, simulate_run
from upright.workflows.batch import BatchResult, clip_tasks, run_batch, run_tasks

#: Three synthetic runners of known, different lean (deg), 8 s each.
LEANS_DEG = (5.0, 8.0, 11.0)


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of three keypoint files of synthetic runners."""
    folder = tmp_path_factory.mktemp("clips")
    for i, lean in enumerate(LEANS_DEG):
        spec = RunnerSpec(
            duration_s=8.0, trunk_lean_start_deg=lean, trunk_lean_end_deg=lean + 1.0, seed=i
        )
        write_keypoints_netcdf(simulate_run(spec).ds, folder / f"runner{i}.nc")
    return folder


@pytest.fixture(scope="module")
def one_by_one(clips: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each clip through ``upright analyze --keypoints``, one at a time."""
    out = tmp_path_factory.mktemp("one_by_one")
    folders = {}
    for clip in sorted(clips.glob("*.nc")):
        folder = out / clip.stem
        result = CliRunner().invoke(
            app, ["analyze", "--keypoints", str(clip), "--out", str(folder)]
        )
        assert result.exit_code == 0, result.output
        folders[clip.stem] = folder
    return folders


@pytest.fixture
def ana() -> None:
    """The runner 'ana' in the test's database."""
    store = open_store()
    with store.session() as session:
        get_or_create_runner(session, "ana")
    store.close()


@pytest.fixture(scope="module")
def ray_cluster() -> Iterator[Any]:
    """A local Ray of 2 CPUs for this module's tests."""
    ray = pytest.importorskip("ray", reason="Ray is not installed (pip install 'upright[ray]')")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    ray.cloudpickle.register_pickle_by_value(batch_test_tasks)
    yield ray
    ray.shutdown()


def _comparable(folder: Path) -> tuple[dict[str, Any], str]:
    """A clip's summary (without the time it was made) and its per-stride table."""
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    del summary["created_utc"]
    return summary, (folder / "strides.csv").read_text(encoding="utf-8")


def _assert_same_as_one_by_one(result: BatchResult, one_by_one: dict[str, Path]) -> None:
    assert [r.status for r in result.rows] == ["done"] * len(one_by_one)
    for row in result.rows:
        assert _comparable(result.out_dir / row.folder) == _comparable(one_by_one[row.folder])


def _records() -> list[Record]:
    store = open_store()
    try:
        with store.session() as session:
            return list(session.scalars(sa.select(Record).order_by(Record.id)))
    finally:
        store.close()


def test_local_pool_gives_what_analyze_gives(
    clips: Path, one_by_one: dict[str, Path], tmp_path: Path
) -> None:
    batch = read_batch_input(clips)
    result = run_batch(
        batch, tmp_path / "out", lambda: local_pool(2), slots=2, executor_name="pool"
    )
    _assert_same_as_one_by_one(result, one_by_one)
    leans = [r.trunk_lean_median_deg for r in result.rows]
    assert leans == sorted(leans)  # the runners lean more and more
    for row, lean in zip(result.rows, LEANS_DEG, strict=True):
        assert row.trunk_lean_median_deg == pytest.approx(lean + 0.5, abs=1.0)
        assert row.trunk_lean_iqr_deg is not None and 0 < row.trunk_lean_iqr_deg < 2.0
        assert row.cadence_spm == pytest.approx(170, abs=3)
    table = (result.out_dir / "results.csv").read_text(encoding="utf-8").splitlines()
    assert len(table) == 1 + len(LEANS_DEG)
    doc = json.loads((result.out_dir / "results.json").read_text(encoding="utf-8"))
    assert (doc["clips"], doc["done"], doc["failed"]) == (3, 3, 0)


def test_ray_gives_what_analyze_gives(
    ray_cluster: Any, clips: Path, one_by_one: dict[str, Path], tmp_path: Path
) -> None:
    ray = RayExecutor(num_cpus=1, max_retries=1)
    assert ray.cluster_cpus() == 2
    result = run_batch(
        read_batch_input(clips), tmp_path / "out", lambda: ray, slots=3, executor_name="ray"
    )
    _assert_same_as_one_by_one(result, one_by_one)


def test_a_killed_pool_worker_loses_nothing_and_stores_once(
    clips: Path, one_by_one: dict[str, Path], tmp_path: Path, ana: None
) -> None:
    batch = read_batch_input(clips, runner="ana")
    out = tmp_path / "out"
    task_fn = functools.partial(crash_on, {1})
    result = run_batch(
        batch, out, lambda: local_pool(2), slots=2, executor_name="pool", task_fn=task_fn
    )
    assert crash_marker(clip_tasks(batch, out, annotate=True, pose_threads=2)[1]).exists()
    _assert_same_as_one_by_one(result, one_by_one)
    assert result.rows[1].attempts == 2
    assert [r.stored for r in result.rows] == ["stored"] * 3
    assert sorted(r.source_name for r in _records()) == ["runner0.nc", "runner1.nc", "runner2.nc"]
    again = run_batch(batch, out, lambda: local_pool(2), slots=2, executor_name="pool")
    assert [r.stored for r in again.rows] == ["already stored"] * 3
    assert len(_records()) == 3


def test_a_killed_ray_worker_loses_nothing_and_stores_once(
    ray_cluster: Any, clips: Path, one_by_one: dict[str, Path], tmp_path: Path, ana: None
) -> None:
    batch = read_batch_input(clips, runner="ana")
    out = tmp_path / "out"
    ray = RayExecutor(num_cpus=1, max_retries=2)
    task_fn = functools.partial(crash_on, {0, 2})
    result = run_batch(batch, out, lambda: ray, slots=3, executor_name="ray", task_fn=task_fn)
    assert crash_marker(clip_tasks(batch, out, annotate=True, pose_threads=2)[2]).exists()
    _assert_same_as_one_by_one(result, one_by_one)
    assert [r.stored for r in result.rows] == ["stored"] * 3
    assert len(_records()) == 3


def test_a_clip_that_always_kills_its_worker_is_given_up_alone(clips: Path, tmp_path: Path) -> None:
    batch = read_batch_input(clips)
    tasks = clip_tasks(batch, tmp_path / "out", annotate=False, pose_threads=1)
    (tmp_path / "out").mkdir()
    ends = run_tasks(
        tasks,
        lambda: local_pool(2),
        slots=2,
        max_attempts=2,
        task_fn=functools.partial(crash_on, {0}, always=True),
    )
    assert [e.task.index for e in ends] == [0, 1, 2]
    assert ends[0].outcome is None and ends[0].attempts == 2
    assert ends[0].error is not None and "stopped before it ended, 2 times" in ends[0].error
    assert all(e.outcome is not None and e.outcome.ok for e in ends[1:])
    # the clip that ran beside it when it first died was started once more, never alone
    assert all(e.attempts <= 2 for e in ends[1:])
    assert len(crash_marker(tasks[0]).read_text().split()) == 2


def test_ray_gives_up_a_clip_after_its_retries(
    ray_cluster: Any, clips: Path, tmp_path: Path
) -> None:
    batch = read_batch_input(clips)[:2]
    tasks = clip_tasks(batch, tmp_path / "out", annotate=False, pose_threads=1)
    (tmp_path / "out").mkdir()
    ray = RayExecutor(num_cpus=1, max_retries=1)
    ends = run_tasks(
        tasks, lambda: ray, slots=2, task_fn=functools.partial(crash_on, {1}, always=True)
    )
    assert ends[0].outcome is not None and ends[0].outcome.ok
    assert ends[1].outcome is None and ends[1].attempts == 2
    assert len(crash_marker(tasks[1]).read_text().split()) == 2


def test_the_job_queue_runs_jobs_on_ray(ray_cluster: Any, clips: Path, tmp_path: Path) -> None:
    from upright.services.jobs import JobQueue

    url = f"sqlite:///{tmp_path / 'jobs.db'}"
    store = open_store(url)
    with store.session() as session:
        get_or_create_runner(session, "ana")
    store.close()
    with JobQueue(
        url, files_root=tmp_path / "jobs", executor_factory=ray_pool(num_cpus=1)
    ) as queue:
        job = queue.submit("analyze", {"keypoints": str(clips / "runner0.nc")}, runner="ana")
        done = queue.wait(job.id, timeout_s=300)
    assert done.status == "done", done.message
    assert done.result is not None and "summary.json" in done.result["files"]


def test_a_batch_joins_a_running_cluster_by_its_address(
    ray_cluster: Any, clips: Path, one_by_one: dict[str, Path], tmp_path: Path
) -> None:
    """``upright batch --ray HOST:PORT`` in another process runs on this test's Ray."""
    import subprocess
    import sys

    address = ray_cluster.get_runtime_context().gcs_address
    out = tmp_path / "out"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "upright.cli.main",
            "batch",
            str(clips),
            "--out",
            str(out),
            "--ray",
            address,
            "--pose-threads",
            "1",
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["executor"] == f"Ray ({address}: a Ray cluster, 2 CPUs, 1 per clip)"
    assert [r["status"] for r in doc["rows"]] == ["done"] * 3
    for row in doc["rows"]:
        assert _comparable(out / row["folder"]) == _comparable(one_by_one[row["folder"]])
