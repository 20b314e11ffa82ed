"""Load test of the clinic app on PostgreSQL, on this machine only.

Starts ``upright serve --clinic`` (uvicorn, one process) on 127.0.0.1 against a fresh
schema of the local PostgreSQL server, seeds one therapist with one runner per simulated
user, then runs USERS simulated users (threads, one httpx client each) for SECONDS:
each signs in, then loops over the runner list, their runner's home page, the run-log
form, logging a run (a record written), the plan, and now and then another therapist's
runner (which must answer 404). The loop stops by itself at the deadline.

Reports p50/p95 latency per page, errors (any other answer or a failed request), and the
runs logged (answered as stored) against the rows found in the database afterwards.

    python benchmarks/clinic_load.py [--users 20] [--seconds 120] [--database-url URL]
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from pathlib import Path
from urllib.parse import quote

import httpx
import sqlalchemy as sa

REPO = Path(__file__).resolve().parents[1]
PASSWORD = "load test password"
_TOKEN = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _schema_url(base: str) -> tuple[str, str]:
    schema = f"upright_load_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(base)
    with engine.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    sep = "&" if "?" in base else "?"
    return schema, f"{base}{sep}options={quote(f'-csearch_path={schema}')}"


def _seed(url: str, users: int) -> list[tuple[str, str]]:
    from upright.services.accounts import Clinic
    from upright.services.runner_record import update_profile
    from upright.store import open_store, using_database

    clinic = Clinic(open_store(url))
    pairs = []
    with using_database(url):
        for n in range(users):
            email, alias = f"pt{n:02d}@load.test", f"load-{n:02d}"
            update_profile(alias, sex=None, height_cm=None)
            clinic.create_account(email, PASSWORD, "therapist")
            clinic.assign(None, email, alias)
            pairs.append((email, alias))
    clinic.store.close()
    return pairs


class Tally:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.errors: list[str] = []
        self.written: dict[str, int] = defaultdict(int)

    def add(self, page: str, seconds: float) -> None:
        with self.lock:
            self.latency[page].append(seconds)

    def error(self, text: str) -> None:
        with self.lock:
            self.errors.append(text)


def _user(base: str, email: str, alias: str, other: str, deadline: float, tally: Tally) -> None:
    with httpx.Client(base_url=base, timeout=30.0) as client:

        def call(page: str, method: str, path: str, expect: int, **kw: object) -> httpx.Response:
            start = time.perf_counter()
            response = client.request(method, path, **kw)  # type: ignore[arg-type]
            tally.add(page, time.perf_counter() - start)
            if response.status_code != expect:
                tally.error(f"{method} {path}: {response.status_code} (expected {expect})")
            return response

        def token(page: httpx.Response) -> str:
            match = _TOKEN.search(page.text)
            return match.group(1) if match else ""

        try:
            login = call("sign-in form", "GET", "/login", 200)
            call(
                "sign-in",
                "POST",
                "/login",
                303,
                data={"email": email, "password": PASSWORD, "csrf_token": token(login)},
            )
            n = 0
            while time.monotonic() < deadline:
                call("runner list", "GET", "/runners", 200)
                call("runner home", "GET", f"/runner/{alias}", 200)
                form = call("run form", "GET", f"/log/run/{alias}", 200)
                logged = call(
                    "log a run",
                    "POST",
                    f"/log/run/{alias}",
                    200,
                    data={
                        "csrf_token": token(form),
                        "distance_km": f"{5 + n % 7}",
                        "pain_during": str(n % 4),
                    },
                )
                if logged.status_code == 200 and 'id="error"' not in logged.text:
                    with tally.lock:
                        tally.written[alias] += 1
                call("plan", "GET", f"/plan/{alias}", 200)
                if n % 5 == 0:
                    call("another's runner (404)", "GET", f"/runner/{other}", 404)
                n += 1
        except httpx.HTTPError as exc:
            tally.error(f"{email}: {type(exc).__name__}: {exc}")


def _wait_up(base: str, server: subprocess.Popen[bytes], timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit("the server stopped at start-up")
        try:
            if httpx.get(f"{base}/login", timeout=2.0).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.3)
    sys.exit("the server did not answer within a minute")


def _found(url: str) -> dict[str, int]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT r.alias, count(l.id) FROM runner r LEFT JOIN run_log l "
                "ON l.runner_id = r.id GROUP BY r.alias"
            )
        )
        out = {alias: int(count) for alias, count in rows}
    engine.dispose()
    return out


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "UPRIGHT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
        ),
    )
    args = parser.parse_args()
    if not 1 <= args.users <= 200 or not 0 < args.seconds <= 900:
        sys.exit("--users 1..200 and --seconds up to 900 (a bounded run)")
    schema, url = _schema_url(args.database_url)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = None
    try:
        pairs = _seed(url, args.users)
        with tempfile.TemporaryDirectory() as data_dir:
            env = {
                **os.environ,
                "UPRIGHT_DATABASE_URL": url,
                "UPRIGHT_DATA_DIR": data_dir,
                "PYTHONPATH": str(REPO / "src"),
                # every simulated user comes from 127.0.0.1: the per-address limit
                # would otherwise count them as one
                "UPRIGHT_LOGIN_MAX_FAILURES_PER_ADDRESS": "1000",
            }
            server = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "upright.cli.main",
                    "serve",
                    "--clinic",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                ],
                env=env,
                cwd=REPO,
            )
            _wait_up(base, server)
            tally = Tally()
            deadline = time.monotonic() + args.seconds
            threads = [
                threading.Thread(
                    target=_user,
                    args=(base, email, alias, pairs[(i + 1) % len(pairs)][1], deadline, tally),
                )
                for i, (email, alias) in enumerate(pairs)
            ]
            started = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join(args.seconds + 120)
            wall = time.perf_counter() - started
        found = _found(url)
        total = sum(len(v) for v in tally.latency.values())
        print(
            f"{args.users} users, {args.seconds:g} s on PostgreSQL, one uvicorn process: "
            f"{total} requests in {wall:.1f} s ({total / wall:.1f}/s)"
        )
        print(f"{'page':28s} {'n':>6s} {'p50 ms':>8s} {'p95 ms':>8s}")
        every: list[float] = []
        for page, values in sorted(tally.latency.items()):
            every += values
            print(
                f"{page:28s} {len(values):6d} {1000 * statistics.median(values):8.0f} "
                f"{1000 * _pct(values, 0.95):8.0f}"
            )
        print(
            f"{'all':28s} {len(every):6d} {1000 * statistics.median(every):8.0f} "
            f"{1000 * _pct(every, 0.95):8.0f}"
        )
        written = sum(tally.written.values())
        stored = sum(found.get(a, 0) for _, a in pairs)
        lost = [a for _, a in pairs if found.get(a, 0) != tally.written.get(a, 0)]
        print(
            f"errors: {len(tally.errors)}"
            + (f" (first: {tally.errors[0]})" if tally.errors else "")
        )
        print(f"runs logged: {written}; rows found: {stored}; runners with a mismatch: {len(lost)}")
    finally:
        if server is not None:
            server.terminate()
            server.wait(30)
        engine = sa.create_engine(args.database_url)
        with engine.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


if __name__ == "__main__":
    main()
