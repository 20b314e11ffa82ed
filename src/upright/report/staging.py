"""All-or-nothing output folders: write into a hidden staging folder, then move into place.

A command writes its files into ``.upright-staging-*`` inside the output folder; only
when every file succeeded are they moved into the output folder (Ctrl-C is held back
for those few renames), and the staging folder is removed. A failure or Ctrl-C removes
it and leaves the output folder as it was.

A process killed outright (``kill -9``, a crash, a power cut) cannot clean up, so each
new write into an output folder first removes the staging folders left there, by a rule
that never touches one a live process is writing:

* The writing process holds an operating-system lock on ``.owner.lock`` inside its
  staging folder (``flock`` on Linux, macOS and WSL; ``msvcrt.locking`` on Windows).
  The system drops the lock when the process ends, however it ends. A staging folder
  whose lock can be taken, and whose lock file is older than :data:`STALE_GRACE_S`
  (so that one just made and not yet locked is left alone), is removed.
* A staging folder without a lock file (made by an upright older than this rule, or on a
  file system without locks) is removed only when nothing in it has changed for
  :data:`STALE_UNLOCKED_AGE_S`.
"""

from __future__ import annotations

import errno
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Final

from upright.errors import InputError
from upright.ledger import forget_under, interrupts_deferred, note_landed

__all__ = [
    "OWNER_LOCK",
    "STAGING_PREFIX",
    "STALE_GRACE_S",
    "STALE_UNLOCKED_AGE_S",
    "remove_stale_staging",
    "staged_output",
]

STAGING_PREFIX: Final = ".upright-staging-"
OWNER_LOCK: Final = ".owner.lock"
#: A lock-free staging folder younger than this may be one whose owner has not locked yet.
STALE_GRACE_S: Final = 60.0
#: A staging folder without a lock file is left alone until unchanged for this long.
STALE_UNLOCKED_AGE_S: Final = 24 * 3600.0

if sys.platform == "win32":
    import msvcrt

    def _lock(fd: int) -> None:
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)

    def _unlock(fd: int) -> None:
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


class _OwnerLock:
    """An exclusive OS lock on a file, taken without waiting."""

    def __init__(self, fd: int) -> None:
        self._fd = fd

    @classmethod
    def take(cls, path: Path, *, create: bool) -> _OwnerLock | None:
        """The lock, or None when another process holds it or it cannot be taken here."""
        flags = os.O_RDWR | (os.O_CREAT | os.O_EXCL if create else 0)
        try:
            fd = os.open(path, flags, 0o600)
        except FileNotFoundError:
            return None
        try:
            _lock(fd)
        except OSError:
            os.close(fd)
            return None
        return cls(fd)

    def release(self) -> None:
        """Drop the lock and close the file."""
        try:
            _unlock(self._fd)
        finally:
            os.close(self._fd)


def _newest_change(folder: Path) -> float:
    """The latest modification time of ``folder`` and of anything in it."""
    newest = folder.lstat().st_mtime
    for root, dirs, files in os.walk(folder):
        for name in (*dirs, *files):
            with suppress(OSError):
                newest = max(newest, os.lstat(os.path.join(root, name)).st_mtime)
    return newest


def _is_stale(stage: Path, now: float) -> bool:
    """True when ``stage`` was left by a process that is gone (see the module's rule)."""
    lock_path = stage / OWNER_LOCK
    try:
        locked_at = lock_path.stat().st_mtime
    except FileNotFoundError:
        try:
            return now - _newest_change(stage) > STALE_UNLOCKED_AGE_S
        except OSError:
            return False
    except OSError:
        return False
    if now - locked_at < STALE_GRACE_S:
        return False
    lock = _OwnerLock.take(lock_path, create=False)
    if lock is None:
        return False  # held: its process is alive and writing
    lock.release()
    return True


def remove_stale_staging(out_dir: Path, *, now: float | None = None) -> list[Path]:
    """Remove the staging folders in ``out_dir`` that their writers left behind.

    Only folders named ``.upright-staging-*`` are looked at, and only those that the
    module's rule calls stale are removed; one being written is never touched.

    Returns
    -------
    list of Path
        The folders removed.
    """
    now = time.time() if now is None else now
    try:
        entries = sorted(out_dir.iterdir())
    except OSError:
        return []
    removed: list[Path] = []
    for entry in entries:
        if not entry.name.startswith(STAGING_PREFIX) or entry.is_symlink() or not entry.is_dir():
            continue
        if _is_stale(entry, now):
            shutil.rmtree(entry, ignore_errors=True)
            if not entry.exists():
                removed.append(entry)
    return removed


def _prepare(out_dir: Path) -> None:
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise InputError(
            f"cannot create the output folder ({err.strerror})",
            path=out_dir,
            fix="Choose a folder you can write to with --out",
        ) from err
    if not os.access(out_dir, os.W_OK):
        raise InputError(
            "the output folder is not writable",
            path=out_dir,
            fix="Choose a folder you can write to with --out",
        )


def _claim(stage: Path) -> _OwnerLock | None:
    """Lock ``stage`` as ours; on a file system without locks, leave it unlocked."""
    lock_path = stage / OWNER_LOCK
    lock = _OwnerLock.take(lock_path, create=True)
    if lock is None:
        # An unlockable lock file would read as "owner gone": without it, the folder
        # falls under the 24-hour rule instead.
        lock_path.unlink(missing_ok=True)
    return lock


def _move_into_place(stage: Path, out_dir: Path) -> None:
    for item in sorted(stage.iterdir()):
        if item.name == OWNER_LOCK:
            continue
        target = out_dir / item.name
        if item.is_dir() and target.is_dir():
            shutil.rmtree(target)  # a sub-folder of an earlier run of the same job
        os.replace(item, target)


@contextmanager
def staged_output(out_dir: Path) -> Iterator[Path]:
    """Yield a staging folder; on success move its files into ``out_dir``.

    Stale staging folders in ``out_dir`` are removed first (see the module's rule). On
    failure the staging folder is removed, and so is ``out_dir`` if this call created it
    and it is still empty. On success the folder is noted in the command's ledger
    (:mod:`upright.ledger`); whatever was noted inside the staging folder is forgotten.

    Raises
    ------
    InputError
        ``out_dir`` cannot be created or is not writable, or the disk filled up
        (``ENOSPC``) while writing.
    """
    created = not out_dir.exists()
    _prepare(out_dir)
    remove_stale_staging(out_dir)
    stage = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=out_dir))
    owner = _claim(stage)
    ok = False
    try:
        yield stage
        with interrupts_deferred():
            _move_into_place(stage, out_dir)
            forget_under(stage)
            note_landed("folder", str(out_dir), out_dir.resolve())
            ok = True
    except OSError as err:
        if err.errno == errno.ENOSPC and not ok:
            raise InputError(
                "disk full while writing the results; nothing was written",
                path=out_dir,
                fix="Free space and run again",
            ) from err
        raise
    finally:
        forget_under(stage)
        if owner is not None:
            owner.release()
        shutil.rmtree(stage, ignore_errors=True)
        if not ok and created and not any(out_dir.iterdir()):
            out_dir.rmdir()
