"""Form fields -> the values the services take, as the CLI's options give them.

A form sends text; each helper turns a field into a number, a date or a choice, or raises
the :class:`~upright.errors.InputError` a wrong value deserves (naming the field by the
CLI option it stands for). Range checks are left to the services, so a page refuses what
the CLI refuses with the same message.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Collection, Mapping
from typing import Any

from upright.errors import InputError

__all__ = ["FormData", "choice", "optional_date", "optional_float", "optional_int", "text"]

FormData = Mapping[str, Any]


def text(form: FormData, name: str) -> str:
    """The field's text, stripped; empty when absent (a file upload is no text)."""
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def optional_float(form: FormData, name: str, option: str) -> float | None:
    """A number, or None when the field is blank."""
    raw = text(form, name)
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise InputError(f"{option} {raw!r} is not a number", fix="Give a number") from None
    if not math.isfinite(value):
        raise InputError(f"{option} is {raw}", fix="Give a finite number")
    return value


def optional_int(form: FormData, name: str, option: str) -> int | None:
    """A whole number, or None when the field is blank."""
    raw = text(form, name)
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise InputError(
            f"{option} {raw!r} is not a whole number", fix="Give a whole number"
        ) from None


def optional_date(form: FormData, name: str, option: str) -> dt.date | None:
    """A day written YYYY-MM-DD (what a date field sends), or None when blank."""
    raw = text(form, name)
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise InputError(
            f"{option} {raw!r} is not a date", fix="Give the day as YYYY-MM-DD"
        ) from None


def choice(form: FormData, name: str, option: str, allowed: Collection[str]) -> str | None:
    """One of ``allowed``, or None when blank."""
    raw = text(form, name)
    if not raw:
        return None
    if raw not in allowed:
        raise InputError(
            f"{option} {raw!r} is not one of the choices",
            fix=f"Choose one of: {', '.join(allowed)}",
        )
    return raw
