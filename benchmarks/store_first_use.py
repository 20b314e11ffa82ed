"""First use of the database: how long the first migration takes, and whether it holds up.

Three measurements, on SQLite (a fresh file each time) and, when one answers, on the
local PostgreSQL server (a fresh schema each time; ``UPRIGHT_TEST_POSTGRES_URL`` or
``postgresql+psycopg://postgres@127.0.0.1:5432/test``):

1. First migration: ``open_store`` on an empty database, in a warm process (median,
   min, max of several), and an already-migrated open for comparison.
2. Concurrency: four processes start together on a fresh database and each stores
   ``--writes`` runners; every runner must be found afterwards.
3. Kill during first use (SQLite): ``upright profile --runner r1`` on an empty data
   folder, killed with SIGKILL after a random delay (0-1.5 s from the start, as in the
   report; then 0-150 ms after the database file appears, to land in the migration);
   then the same command again must work.

    python benchmarks/store_first_use.py [--rounds 5] [--writes 10] [--kills 20]
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import sqlalchemy as sa

from upright.store import Runner, open_store

PROCESSES = 4
POSTGRES_URL = os.environ.get(
    "UPRIGHT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
WRITER = """
import sys, time
from pathlib import Path
from upright.store import add_endurance_test, get_or_create_runner, open_store
url, prefix, count, go = sys.argv[1], sys.argv[2], int(sys.argv[3]), Path(sys.argv[4])
Path(f"{go}.{prefix}").touch()  # imported: ready at the start line
while not go.exists():
    time.sleep(0.01)
start = time.perf_counter()
for i in range(count):
    store = open_store(url)
    try:
        with store.session() as session:
            runner = get_or_create_runner(session, f"{prefix}-{i}")
            add_endurance_test(session, runner, "flexor", seconds=float(i))
    finally:
        store.close()
print(time.perf_counter() - start)
"""


def _postgres_answers() -> bool:
    try:
        engine = sa.create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        engine.dispose()
    except (ImportError, sa.exc.SQLAlchemyError):
        return False
    return True


@contextmanager
def _fresh(backend: str, folder: Path) -> Iterator[str]:
    """A URL to an empty database of ``backend``."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / uuid.uuid4().hex / 'upright.db'}"
        return
    schema = f"upright_bench_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in POSTGRES_URL else "?"
    try:
        yield f"{POSTGRES_URL}{separator}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def first_migration(backend: str, folder: Path, rounds: int) -> None:
    with _fresh(backend, folder) as url:  # warm up imports and the migration scripts
        open_store(url).close()
    first, again = [], []
    for _ in range(rounds):
        with _fresh(backend, folder) as url:
            start = time.perf_counter()
            store = open_store(url)
            first.append(time.perf_counter() - start)
            store.close()
            start = time.perf_counter()
            open_store(url).close()
            again.append(time.perf_counter() - start)
    print(
        f"{backend:10s} first migration: median {statistics.median(first) * 1e3:.0f} ms "
        f"(min {min(first) * 1e3:.0f}, max {max(first) * 1e3:.0f}, n={rounds}); "
        f"open when migrated: median {statistics.median(again) * 1e3:.0f} ms"
    )


def concurrency(backend: str, folder: Path, rounds: int, writes: int) -> None:
    lost_total, failed_total, walls = 0, 0, []
    for _ in range(rounds):
        go = folder / f"go-{uuid.uuid4().hex}"
        with _fresh(backend, folder) as url:
            procs = [
                subprocess.Popen(
                    [sys.executable, "-c", WRITER, url, f"p{n}", str(writes), str(go)],
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )
                for n in range(PROCESSES)
            ]
            while not all(Path(f"{go}.p{n}").exists() for n in range(PROCESSES)):
                if any(p.poll() is not None for p in procs):
                    go.touch()  # one died before the start: let the others go, count it
                    break
                time.sleep(0.01)
            go.touch()
            outputs = [p.communicate() for p in procs]
            failed = sum(p.returncode != 0 for p in procs)
            for p, (_out, err) in zip(procs, outputs, strict=True):
                if p.returncode != 0:
                    print(f"  a writer failed: {err.strip().splitlines()[-1:]}")
            walls.append(max(float(out) for out, _err in outputs if out.strip()))
            store = open_store(url)
            with store.session() as session:
                found = len(list(session.scalars(sa.select(Runner.alias))))
            store.close()
        lost_total += PROCESSES * writes - found
        failed_total += failed
    total = PROCESSES * writes * rounds
    print(
        f"{backend:10s} {PROCESSES} processes x {writes} writes, {rounds} fresh databases: "
        f"{total - lost_total}/{total} writes found, {failed_total} processes failed; "
        f"all {PROCESSES * writes} writes done in a median {statistics.median(walls):.1f} s "
        f"(max {max(walls):.1f} s) from the start signal"
    )


def _kill_then_retry(
    folder: Path, cmd: list[str], env: dict[str, str], delay_s: float, in_migration: bool
) -> tuple[bool, bool]:
    """Start ``cmd``, SIGKILL it; then run it again. (second run worked, journal left)"""
    db = Path(env["UPRIGHT_DATA_DIR"]) / "upright.db"
    child = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if in_migration:
        deadline = time.monotonic() + 60
        while not db.exists() and child.poll() is None and time.monotonic() < deadline:
            time.sleep(0.0005)
    time.sleep(delay_s)
    child.send_signal(signal.SIGKILL)
    child.wait()
    journal = Path(f"{db}-journal").exists()
    after = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    return after.returncode == 0 and "Runner r1" in after.stdout, journal


def kills(folder: Path, count: int) -> None:
    env_base = {k: v for k, v in os.environ.items() if k != "UPRIGHT_DATABASE_URL"}
    cmd = [sys.executable, "-m", "upright.cli.main", "profile", "--runner", "r1"]
    rng = random.Random(15)
    for label, in_migration, low, high in (
        ("0-1.5 s after the start", False, 0.0, 1.5),
        ("0-150 ms after the file appears", True, 0.0, 0.15),
    ):
        ok = journals = 0
        for i in range(count):
            env = env_base | {"UPRIGHT_DATA_DIR": str(folder / f"kill-{in_migration}-{i}")}
            worked, journal = _kill_then_retry(
                folder, cmd, env, rng.uniform(low, high), in_migration
            )
            ok += worked
            journals += journal
        print(
            f"sqlite     kill -9 of `upright profile` on an empty folder, {label}: the next "
            f"command worked {ok}/{count} times ({journals} kills caught a migration "
            "half-done, left in the journal)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--writes", type=int, default=10)
    parser.add_argument("--kills", type=int, default=20)
    args = parser.parse_args()
    backends = ["sqlite", *(["postgresql"] if _postgres_answers() else [])]
    if "postgresql" not in backends:
        print(f"PostgreSQL at {POSTGRES_URL} does not answer: SQLite only")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for backend in backends:
            first_migration(backend, folder, max(args.rounds, 5))
        for backend in backends:
            concurrency(backend, folder, args.rounds, args.writes)
        kills(folder, args.kills)


if __name__ == "__main__":
    main()
