"""The app's job queue: started with the app, stopped with it.

At start-up the queue recovers what an earlier run of the app left (jobs running then go
back to the queue, or are given up after too many starts) and the upload ``.part`` files
a stopped upload left are removed. At shutdown the dispatcher stops; a job still running
has its worker stopped and goes back to the queue for the next start, so closing the
app never waits for a long pose estimation and never leaves a worker process behind.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Executor
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, Request

from upright.services.jobs import JobQueue
from upright.services.uploads import remove_stale_parts
from upright.web.settings import WebSettings

__all__ = ["QueueDep", "executor_factory", "job_lifespan"]


def executor_factory(settings: WebSettings) -> Callable[[int], Executor]:
    """The queue's pool: this machine's processes, or Ray tasks with ``ray_address``.

    Raises
    ------
    RayMissingError
        A Ray address is set but Ray is not installed (said at start, not at the first job).
    """
    from upright.services.executors import RAY_JOB_CPUS, ray_pool, require_ray
    from upright.services.jobs import process_pool

    if not settings.ray_address:
        return process_pool
    require_ray()
    return ray_pool(settings.ray_address, num_cpus=RAY_JOB_CPUS)


def _start(settings: WebSettings) -> JobQueue:
    remove_stale_parts(settings.uploads_dir)
    queue = JobQueue(
        settings.database_url,
        files_root=settings.jobs_dir,
        max_workers=settings.job_workers,
        executor_factory=executor_factory(settings),
    )
    queue.start()
    return queue


def job_lifespan(
    settings: WebSettings,
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """The lifespan of an app on ``settings``: its queue is ``app.state.jobs``."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        queue = await asyncio.to_thread(_start, settings)
        app.state.jobs = queue
        try:
            yield
        finally:
            await asyncio.to_thread(queue.shutdown, False)

    return lifespan


def _queue(request: Request) -> JobQueue:
    queue: JobQueue = request.app.state.jobs
    return queue


#: The app's job queue, for a route.
QueueDep = Annotated[JobQueue, Depends(_queue)]
