"""The synthetic demo runner's journey in a database of its own, for ``upright serve --demo``.

The same journey ``upright demo`` stores (:mod:`upright.services.demo_journey`), ending
today, built in a temporary file beside the target and moved into place only when all of
it is stored: the demo never touches the user's own database, and a failed build leaves
the previous demo database as it was.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path
from typing import Final

from upright.errors import StoreError
from upright.services.demo import DEMO_AFTER_SPEC, analyze_demo_runner
from upright.services.demo_journey import store_demo_journey
from upright.store import using_database

__all__ = ["DEMO_DATABASE_NAME", "build_demo_database"]

DEMO_DATABASE_NAME: Final = "upright-demo.db"


def build_demo_database(
    folder: Path, *, duration_s: float = 60.0, today: dt.date | None = None
) -> Path:
    """Store the demo runner's three weeks (ending ``today``) in ``folder``'s demo
    database, replacing an older one; return its path.

    Raises
    ------
    StoreError
        The folder cannot be created or written.
    """
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=".upright-demo-", suffix=".db", dir=folder)
    except OSError as exc:
        raise StoreError(
            f"cannot write the demo database in {folder} ({exc.strerror})",
            fix="Set UPRIGHT_DATA_DIR to a folder you can write to",
        ) from exc
    os.close(fd)
    tmp = Path(tmp_name)
    target = folder / DEMO_DATABASE_NAME
    try:
        tmp.unlink()  # an empty file is no SQLite database: let the store create it
        _, before = analyze_demo_runner(duration_s)
        _, after = analyze_demo_runner(duration_s, DEMO_AFTER_SPEC)
        with using_database(f"sqlite:///{tmp}"):
            store_demo_journey(before, after, today or dt.date.today())
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target
