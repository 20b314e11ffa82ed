"""Regenerate the published JSON schemas: ``python -m upright.summaries [FOLDER]``.

Writes one ``<schema>.schema.json`` per summary into FOLDER (default: the package's
``schemas`` folder, where they are published); ``make schema`` runs it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from upright.summaries import analysis, compare, form, imu, run

PUBLISHED: dict[str, Callable[[], str]] = {
    "upright.analysis-1.schema.json": analysis.schema_json,
    "upright.run-1.schema.json": run.schema_json,
    "upright.imu-1.schema.json": imu.schema_json,
    "upright.compare-1.schema.json": compare.schema_json,
    "upright.form-1.schema.json": form.schema_json,
}


def main(argv: list[str]) -> int:
    folder = Path(argv[0]) if argv else Path(__file__).resolve().parent.parent / "schemas"
    for name, generate in PUBLISHED.items():
        (folder / name).write_text(generate(), encoding="utf-8")
        print(folder / name)
    return 0


if __name__ == "__main__":  # pragma: no cover - regenerates the published schemas
    raise SystemExit(main(sys.argv[1:]))
