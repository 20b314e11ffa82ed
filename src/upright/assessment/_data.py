"""Load the rule and norm tables shipped in ``upright/assessment/data``.

The tables are JSON so a clinician can read and review them without reading code.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

__all__ = ["load_table"]


@cache
def load_table(name: str) -> dict[str, Any]:
    """Return the parsed JSON table ``data/<name>.json`` (cached, do not modify)."""
    folder = resources.files("upright.assessment").joinpath("data")
    text = folder.joinpath(f"{name}.json").read_text("utf-8")
    table: dict[str, Any] = json.loads(text)
    return table
