"""JSON and YAML documents a user writes or keeps (answers, backups), read strictly.

Both formats let a key appear twice in one object, and both parsers then keep the last
value without a word: a second ``symptoms:`` block silently replaces the first, and the
answers in it become "not answered". Both also read numbers no answer can hold
(``.inf``, ``NaN``, ``1e400``). :func:`load_yaml` and :func:`load_json` refuse both,
naming the key (and, for YAML, the line).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode

from upright.errors import InputError

__all__ = ["load_json", "load_yaml"]


class _DuplicateKeyError(ValueError):
    def __init__(self, key: str, line: int | None) -> None:
        super().__init__(key)
        self.key = key
        self.line = line


class _StrictLoader(yaml.SafeLoader):
    """A safe YAML loader that refuses a key repeated in one mapping."""

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                repeated = key in seen
            except TypeError:  # an unhashable key: the base class names it
                break
            if repeated:
                raise _DuplicateKeyError(str(key), key_node.start_mark.line + 1)
            seen.add(key)
        mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        return mapping


_NESTED_FIX = "Give the file upright wrote, or start again from its template"


def _duplicate_fix(kind: str) -> str:
    return (
        f"Give each key once: merge the two blocks into one (a {kind} reader keeps only the last)"
    )


def load_yaml(text: str, path: Path) -> object:
    """The document in ``text`` (YAML, safe subset).

    Raises
    ------
    InputError
        Not valid YAML, a key repeated in one mapping (named with its line), or a number
        that is infinite or not a number (named by its key).
    """
    try:
        data: object = yaml.load(text, Loader=_StrictLoader)  # a SafeLoader subclass
    except RecursionError:
        raise InputError("the YAML is nested too deeply", path=path, fix=_NESTED_FIX) from None
    except _DuplicateKeyError as exc:
        raise InputError(
            f"the key '{exc.key}' appears twice in the same block (line {exc.line})",
            path=path,
            fix=_duplicate_fix("YAML"),
        ) from None
    except (yaml.YAMLError, ConstructorError) as exc:
        raise InputError(
            f"not valid YAML ({exc})".replace("\n", " "),
            path=path,
            fix="Check the indentation and brackets, or start again from "
            "upright checkup --template",
        ) from None
    _check_finite(data, path)
    return data


def load_json(text: str, path: Path) -> object:
    """The document in ``text`` (JSON).

    Raises
    ------
    InputError
        Not valid JSON (line and column named), a key repeated in one object, or a
        number that is infinite or not a number (named by its key).
    """

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in items:
            if key in out:
                raise _DuplicateKeyError(key, None)
            out[key] = value
        return out

    try:
        data: object = json.loads(text, object_pairs_hook=pairs)
    except RecursionError:
        raise InputError("the JSON is nested too deeply", path=path, fix=_NESTED_FIX) from None
    except _DuplicateKeyError as exc:
        raise InputError(
            f"the key '{exc.key}' appears twice in the same object",
            path=path,
            fix=_duplicate_fix("JSON"),
        ) from None
    except json.JSONDecodeError as exc:
        raise InputError(
            f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})",
            path=path,
            fix="Check the file is complete and saved as JSON",
        ) from None
    _check_finite(data, path)
    return data


def _check_finite(data: object, path: Path, where: str = "") -> None:
    """Refuse infinite and not-a-number floats anywhere in the document."""
    if isinstance(data, float) and not math.isfinite(data):
        raise InputError(
            f"{where or '(top level)'} is {data}, not a number an answer or a record can hold",
            path=path,
            fix="Give a finite number",
        )
    if isinstance(data, dict):
        for key, value in data.items():
            _check_finite(value, path, f"{where}.{key}" if where else str(key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            _check_finite(value, path, f"{where}[{i}]")
