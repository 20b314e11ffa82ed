"""Staging folders: all or nothing, Ctrl-C held back while moving, stale ones removed.

The kill tests run a real child process that writes into a staging folder and waits
there, then kill it with SIGKILL: the folder it leaves is removed by the next write only
once its owner is gone.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from upright.ledger import keeping_ledger, note_landed
from upright.report import staging
from upright.report.staging import (
    OWNER_LOCK,
    STAGING_PREFIX,
    STALE_GRACE_S,
    STALE_UNLOCKED_AGE_S,
    remove_stale_staging,
    staged_output,
)

DAY_S = 24 * 3600.0

_CHILD = textwrap.dedent(
    """
    import os, sys, time
    from pathlib import Path
    from upright.report.staging import staged_output

    with staged_output(Path(sys.argv[1])) as stage:
        (stage / "summary.json").write_text("{}", encoding="utf-8")
        Path(sys.argv[2] + ".tmp").write_text(str(stage.resolve()), encoding="utf-8")
        os.replace(sys.argv[2] + ".tmp", sys.argv[2])  # whole, or not there
        time.sleep(600)
    """
)


def _stages(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.name.startswith(STAGING_PREFIX))


def _age(path: Path, seconds: float) -> None:
    """Set the modification time of ``path`` and everything in it ``seconds`` back."""
    then = time.time() - seconds
    for p in [path, *path.rglob("*")]:
        os.utime(p, (then, then), follow_symlinks=False)


@pytest.fixture
def writer(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], Path, Path]]:
    """A live child process in the middle of writing ``tmp_path / 'out'``."""
    out, flag = tmp_path / "out", tmp_path / "flag"
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(out), str(flag)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 120
    while not flag.exists():
        if child.poll() is not None or time.monotonic() > deadline:
            child.kill()
            _out, err = child.communicate()
            pytest.fail(f"the writer did not start: {err.decode()}")
        time.sleep(0.01)
    yield child, out, Path(flag.read_text("utf-8"))
    if child.poll() is None:
        child.kill()
    child.communicate()


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_folder_of_a_killed_writer_is_removed_by_the_next_run(
    writer: tuple[subprocess.Popen[bytes], Path, Path],
) -> None:
    child, out, stage = writer
    _age(stage, 2 * DAY_S)  # old, but its writer is alive: never touched
    assert remove_stale_staging(out) == []
    assert (stage / "summary.json").is_file()
    child.send_signal(signal.SIGKILL)
    child.communicate(timeout=30)
    assert _stages(out) == [stage]  # left behind by the kill
    with staged_output(out) as new:
        (new / "summary.json").write_text('{"new": true}', encoding="utf-8")
    assert _stages(out) == []
    assert (out / "summary.json").read_text("utf-8") == '{"new": true}'


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_a_killed_writers_folder_waits_out_the_grace_period(
    writer: tuple[subprocess.Popen[bytes], Path, Path],
) -> None:
    child, out, stage = writer
    child.send_signal(signal.SIGKILL)
    child.communicate(timeout=30)
    assert remove_stale_staging(out) == []  # lock file just made: perhaps not locked yet
    assert remove_stale_staging(out, now=time.time() + STALE_GRACE_S + 1) == [stage]


def test_live_writer_in_this_process_is_not_removed(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with staged_output(out) as stage:
        _age(stage, 2 * DAY_S)
        assert remove_stale_staging(out) == []
        assert stage.is_dir()
    assert _stages(out) == []


def test_folder_without_lock_is_removed_only_when_unchanged_for_a_day(tmp_path: Path) -> None:
    """What an older upright left: no lock file, so only age tells."""
    old = tmp_path / f"{STAGING_PREFIX}old1"
    (old / "sub").mkdir(parents=True)
    (old / "sub" / "keypoints.nc").write_bytes(b"x")
    _age(old, STALE_UNLOCKED_AGE_S + 60)
    recent = tmp_path / f"{STAGING_PREFIX}old2"
    recent.mkdir()
    (recent / "annotated.mp4").write_bytes(b"x")
    _age(recent, STALE_UNLOCKED_AGE_S + 60)
    os.utime(recent / "annotated.mp4")  # still growing: written just now
    assert remove_stale_staging(tmp_path) == [old]
    assert not old.exists() and recent.is_dir()


def test_only_staging_folders_are_ever_removed(tmp_path: Path) -> None:
    keep = [
        tmp_path / "summary.json",
        tmp_path / "upright-staging-no-dot",
        tmp_path / f"{STAGING_PREFIX}a-file",
    ]
    keep[0].write_text("{}", encoding="utf-8")
    keep[1].mkdir()
    keep[2].write_text("a file, not a folder", encoding="utf-8")
    target = tmp_path / "elsewhere"
    target.mkdir()
    (target / "precious.txt").write_text("mine", encoding="utf-8")
    link = tmp_path / f"{STAGING_PREFIX}link"
    link.symlink_to(target, target_is_directory=True)
    for path in [*keep, target, link]:
        os.utime(path, (0, 0), follow_symlinks=False)
    assert remove_stale_staging(tmp_path) == []
    assert all(p.exists() for p in keep)
    assert (target / "precious.txt").read_text("utf-8") == "mine"


def test_missing_output_folder_has_nothing_to_remove(tmp_path: Path) -> None:
    assert remove_stale_staging(tmp_path / "not-there") == []


def test_without_os_locks_the_folder_falls_under_the_day_rule(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a file system that refuses locks, no lock file is left to be misread."""

    def refuse(fd: int) -> None:
        raise OSError(37, "No locks available")

    monkeypatch.setattr(staging, "_lock", refuse)
    out = tmp_path / "out"
    with staged_output(out) as stage:
        assert not (stage / OWNER_LOCK).exists()
        (stage / "summary.json").write_text("{}", encoding="utf-8")
        assert remove_stale_staging(out, now=time.time() + STALE_GRACE_S + 1) == []
    assert sorted(p.name for p in out.iterdir()) == ["summary.json"]


def test_success_is_noted_in_the_ledger_and_inner_notes_forgotten(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with keeping_ledger() as ledger:
        with staged_output(out) as stage:
            (stage / "demo.db").write_bytes(b"")
            note_landed("database", "sqlite:///demo.db", stage / "demo.db")
        assert [(x.kind, x.path) for x in ledger.landed] == [("folder", out.resolve())]
        assert not (out / OWNER_LOCK).exists()


def test_failure_notes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with keeping_ledger() as ledger:
        with pytest.raises(OSError, match="disk full"), staged_output(out) as stage:
            (stage / "demo.db").write_bytes(b"")
            note_landed("database", "sqlite:///demo.db", stage / "demo.db")
            raise OSError("disk full")
        assert ledger.landed == []
    assert not out.exists()


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to oneself is POSIX")
def test_ctrl_c_while_moving_lands_the_whole_folder_then_interrupts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C during the renames is held back: the folder is complete, then it stops."""
    replace = os.replace
    moved: list[str] = []

    def replace_with_ctrl_c(src: Path, dst: Path) -> None:
        if not moved:
            os.kill(os.getpid(), signal.SIGINT)
        replace(src, dst)
        moved.append(Path(dst).name)

    monkeypatch.setattr(staging.os, "replace", replace_with_ctrl_c)
    out = tmp_path / "out"
    with keeping_ledger() as ledger:
        with pytest.raises(KeyboardInterrupt), staged_output(out) as stage:
            for name in ("a.csv", "b.json", "c.png"):
                (stage / name).write_text(name, encoding="utf-8")
        assert [x.kind for x in ledger.landed] == ["folder"]
    assert moved == ["a.csv", "b.json", "c.png"]
    assert sorted(p.name for p in out.iterdir()) == ["a.csv", "b.json", "c.png"]
