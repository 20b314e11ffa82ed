"""Where clips are analysed: a local process pool, or a Ray cluster behind the same face.

Both are :class:`concurrent.futures.Executor`, so ``upright batch`` and the web app's job
queue (:class:`upright.services.jobs.JobQueue`, through ``executor_factory``) take either.

* :func:`local_pool`: fresh processes on this machine (spawned, so nothing of the parent's
  threads or models is copied). A worker that dies breaks the whole pool
  (``BrokenProcessPool``); the caller replaces it and starts the lost work again.
* :class:`RayExecutor`: each call is a Ray task (``ray.remote`` with ``num_cpus`` and
  ``max_retries``), so a cluster of machines shares the work. Ray starts a task again
  by itself when its worker or machine dies, up to ``max_retries`` times; after that the
  future raises :class:`WorkerLostError`. An error raised by the function itself comes
  out as that error, as from a local pool.

Ray is an optional extra (``pip install "upright[ray]"``); :func:`require_ray` says how
to get it. On a cluster of several machines every machine needs upright installed, and
the clips and the output folder must be on a folder they all see at the same path.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import threading
from collections.abc import Callable
from concurrent.futures import CancelledError, Executor, Future, ProcessPoolExecutor
from typing import Any, Final, Literal, ParamSpec, TypeVar

from upright.errors import InputError

__all__ = [
    "RAY_ADDRESS_ENV",
    "RAY_JOB_CPUS",
    "RayExecutor",
    "RayMissingError",
    "WorkerLostError",
    "local_pool",
    "ray_address",
    "ray_pool",
    "require_ray",
]

logger = logging.getLogger(__name__)

#: The environment variable naming the Ray cluster when ``--ray`` is not given.
RAY_ADDRESS_ENV: Final = "UPRIGHT_RAY_ADDRESS"
#: CPUs a job of the web app's queue reserves on Ray (its pose threads: analyze's default
#: on a 2-core machine).
RAY_JOB_CPUS: Final = 2
_INSTALL_HINT: Final = (
    'Install the Ray extra into upright\'s environment: pip install "upright[ray]" '
    '(or pip install "ray>=2.9,<3"), or leave out --ray to use this machine\'s cores'
)

_P = ParamSpec("_P")
_T = TypeVar("_T")


class RayMissingError(InputError):
    """Ray was asked for but is not installed."""


class WorkerLostError(RuntimeError):
    """The process (or machine) running a task died, every time it was started.

    Attributes
    ----------
    attempts
        How many times the task was started.
    """

    def __init__(self, message: str, attempts: int = 1) -> None:
        super().__init__(message)
        self.attempts = attempts


def local_pool(max_workers: int) -> Executor:
    """``max_workers`` fresh (spawned) processes on this machine."""
    return ProcessPoolExecutor(max_workers, mp_context=multiprocessing.get_context("spawn"))


def ray_address(given: str | None) -> str | None:
    """The Ray address asked for: ``given`` (``--ray``), else ``UPRIGHT_RAY_ADDRESS``."""
    if given is not None and given.strip():
        return given.strip()
    env = os.environ.get(RAY_ADDRESS_ENV, "").strip()
    return env or None


def require_ray() -> Any:
    """The ``ray`` module.

    Raises
    ------
    RayMissingError
        Ray is not installed.
    """
    try:
        import ray
    except ImportError:
        raise RayMissingError("Ray is not installed", fix=_INSTALL_HINT) from None
    return ray


_Connection = Literal["already", "joined", "started"]


def _connect(address: str) -> _Connection:
    """Connect this process to Ray: ``already`` connected (left as it is), ``joined`` a
    running cluster, or ``started`` Ray on this machine (either of the last two is ended by
    :meth:`RayExecutor.shutdown`).

    ``auto`` joins the cluster this machine is part of (``ray start`` ran here), or else
    starts Ray on this machine alone; ``local`` always starts it here; anything else is a
    cluster's address (``HOST:PORT`` or ``ray://HOST:PORT``).
    """
    ray = require_ray()
    if ray.is_initialized():
        return "already"
    quiet: dict[str, Any] = {"log_to_driver": False, "logging_level": logging.WARNING}
    local: dict[str, Any] = {**quiet, "include_dashboard": False}
    if address == "local":
        ray.init(**local)
        return "started"
    if address != "auto":
        _check_answers(address)
    try:
        ray.init(address=address, **quiet)
    except ConnectionError:
        if address != "auto":
            raise InputError(
                f"no Ray cluster answers at {address}",
                fix="Check the address (the head machine prints it after `ray start --head`), "
                "or use --ray auto to run on this machine",
            ) from None
        logger.info("no Ray cluster found on this machine; starting Ray here")
        ray.init(**local)
        return "started"
    return "joined"


def _call(fn: Callable[..., _T], *args: Any, **kwargs: Any) -> _T:
    """The one Ray task: call ``fn`` (sent with its arguments; any callable that pickles)."""
    return fn(*args, **kwargs)


def _check_answers(address: str, timeout_s: float = 5.0) -> None:
    """Fail fast when nothing listens at a cluster's ``HOST:PORT`` (Ray itself keeps
    trying for minutes)."""
    import socket

    host, _, port = address.removeprefix("ray://").rpartition(":")
    if not host or not port.isdigit():
        raise InputError(
            f"{address!r} is not a Ray cluster's address",
            fix="Give HOST:PORT (or ray://HOST:PORT) of the head machine, or auto",
        )
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=timeout_s):
            pass
    except OSError as exc:
        raise InputError(
            f"no Ray cluster answers at {address} ({exc.strerror or exc})",
            fix="Check the address (the head machine prints it after `ray start --head`) and "
            "that this machine can reach it, or use --ray auto to run on this machine",
        ) from None


class RayExecutor(Executor):
    """Run each submitted call as a Ray task.

    Parameters
    ----------
    address
        ``auto``, ``local`` or a cluster's address (see :func:`_connect`). Ray already
        started in this process (``ray.init``) is used as it is, and not stopped.
    num_cpus
        CPUs Ray reserves for each task (a clip's pose threads).
    max_retries
        Times Ray starts a task again when its worker dies.
    """

    def __init__(self, address: str = "auto", *, num_cpus: float = 1, max_retries: int = 2):
        if num_cpus <= 0 or max_retries < 0:
            raise ValueError("num_cpus must be above 0 and max_retries at least 0")
        self._ray = require_ray()
        self._connection = _connect(address)
        self._owned = self._connection != "already"
        self.num_cpus = num_cpus
        self.max_retries = max_retries
        self._task = self._ray.remote(
            num_cpus=num_cpus, max_retries=max_retries, retry_exceptions=False
        )(_call)
        self._pending: dict[Future[Any], Any] = {}
        self._lock = threading.Lock()
        self._closed = False

    @property
    def where(self) -> str:
        """Where the tasks run, for people: the cluster joined, or this machine."""
        return "Ray started on this machine" if self._connection == "started" else "a Ray cluster"

    def cluster_cpus(self) -> int:
        """The CPUs of the cluster now (every machine that has joined)."""
        return int(self._ray.cluster_resources().get("CPU", 0))

    def submit(self, fn: Callable[_P, _T], /, *args: _P.args, **kwargs: _P.kwargs) -> Future[_T]:
        """Start ``fn(*args, **kwargs)`` as a Ray task; its future ends as the task does."""
        with self._lock:
            if self._closed:
                raise RuntimeError("cannot submit to a Ray executor that was shut down")
            ref = self._task.remote(fn, *args, **kwargs)
            future: Future[_T] = Future()
            future.set_running_or_notify_cancel()
            self._pending[future] = ref
        ref.future().add_done_callback(lambda done: self._settle(future, done))
        return future

    def _settle(self, future: Future[Any], done: Future[Any]) -> None:
        with self._lock:
            self._pending.pop(future, None)
        try:
            future.set_result(done.result())
        except BaseException as err:
            future.set_exception(self._plain(err))

    def _plain(self, err: BaseException) -> BaseException:
        """A Ray error as a local pool would give it."""
        exc = self._ray.exceptions
        if isinstance(err, exc.TaskCancelledError | CancelledError):
            return CancelledError()
        if isinstance(err, exc.RayTaskError):
            cause = getattr(err, "cause", None)
            return cause if isinstance(cause, BaseException) else err
        lost = (
            exc.WorkerCrashedError,
            exc.NodeDiedError,
            exc.ObjectLostError,
            exc.OwnerDiedError,
            exc.RaySystemError,
        )
        if isinstance(err, lost):
            first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
            return WorkerLostError(
                f"the Ray worker running it died ({first})", attempts=self.max_retries + 1
            )
        return err

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Stop taking work; optionally cancel the tasks not finished; let go of Ray."""
        with self._lock:
            self._closed = True
            pending = dict(self._pending)
        if cancel_futures:
            for ref in pending.values():
                try:
                    self._ray.cancel(ref, force=True)
                except Exception:  # already finished or gone
                    logger.debug("could not cancel a Ray task", exc_info=True)
        if wait:
            for future in pending:
                with contextlib.suppress(CancelledError):
                    future.exception()
        if self._owned and self._ray.is_initialized():
            self._ray.shutdown()
            self._owned = False


def ray_pool(
    address: str = "auto", *, num_cpus: float = 1, max_retries: int = 0
) -> Callable[[int], Executor]:
    """An ``executor_factory`` for :class:`upright.services.jobs.JobQueue` running each
    job as a Ray task. The queue counts and repeats the attempts of a job itself, so Ray
    does not retry by default (``max_retries=0``); the number of workers the queue asks
    for is ignored: the cluster's size decides."""

    def factory(_max_workers: int) -> Executor:
        return RayExecutor(address, num_cpus=num_cpus, max_retries=max_retries)

    return factory
