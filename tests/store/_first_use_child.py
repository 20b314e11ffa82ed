"""Child processes for the first-use tests (run as scripts, never collected by pytest).

``halt URL FLAG``: open the store, but stop half-way through the first migration (after
its second CREATE TABLE), write FLAG and sleep until killed.

``write URL PREFIX COUNT GO``: wait for the file GO to appear, then COUNT times open the
store and store runner PREFIX-i with one endurance result, each in its own session.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from alembic.operations import Operations


def halt(url: str, flag: Path) -> None:
    create_table = Operations.create_table
    created: list[str] = []

    def create_then_halt(self: Operations, name: str, *args: Any, **kwargs: Any) -> Any:
        table = create_table(self, name, *args, **kwargs)
        created.append(name)
        if len(created) == 2:
            partial = flag.with_name(flag.name + ".tmp")
            partial.write_text(",".join(created), encoding="utf-8")
            partial.replace(flag)  # whole, or not there
            time.sleep(600)
        return table

    Operations.create_table = create_then_halt  # type: ignore[method-assign]
    from upright.store import open_store

    open_store(url)


def write(url: str, prefix: str, count: int, go: Path) -> None:
    from upright.store import add_endurance_test, get_or_create_runner, open_store

    deadline = time.monotonic() + 120
    while not go.exists():
        if time.monotonic() > deadline:
            raise SystemExit("the go file never appeared")
        time.sleep(0.005)
    for i in range(count):
        store = open_store(url)
        try:
            with store.session() as session:
                runner = get_or_create_runner(session, f"{prefix}-{i}")
                add_endurance_test(session, runner, "flexor", seconds=float(i))
        finally:
            store.close()


if __name__ == "__main__":
    if sys.argv[1] == "halt":
        halt(sys.argv[2], Path(sys.argv[3]))
    else:
        write(sys.argv[2], sys.argv[3], int(sys.argv[4]), Path(sys.argv[5]))
