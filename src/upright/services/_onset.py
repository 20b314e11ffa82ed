"""Helpers the ``import`` and ``imu`` use cases share: where pain began, finite numbers."""

from __future__ import annotations

import math
from typing import Literal, cast

import numpy as np

from upright.errors import InputError
from upright.summaries import PainOnset

__all__ = ["check_one_onset", "finite_number", "pain_onset_summary"]

_THIRD_WORDS = {1: "first", 2: "middle", 3: "last"}


def check_one_onset(km: float | None, minute: float | None) -> None:
    """Refuse a pain onset given both in km and in minutes.

    Raises
    ------
    InputError
        Both are given.
    """
    if km is not None and minute is not None:
        raise InputError(
            "the pain onset was given both in km and in minutes",
            fix="Give one of --pain-onset-km and --pain-onset-min",
        )


def finite_number(value: object) -> float | None:
    """A finite float, or None for None and NaN."""
    if not isinstance(value, int | float | np.integer | np.floating):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def pain_onset_summary(
    given: Literal["km", "minute"],
    km: float | None,
    minute: float,
    *,
    total_m: float | None,
    duration_s: float,
) -> PainOnset:
    """The onset as both km and minute, with the third of the run it falls in.

    The third is found by distance when the onset has a km and the run a positive
    ``total_m``, otherwise by time over ``duration_s``.
    """
    if km is not None and total_m:
        fraction = km * 1000.0 / total_m
        where = f"{km:.2f} km (minute {minute:.1f})"
    else:
        fraction = minute * 60.0 / duration_s
        where = f"minute {minute:.1f}"
    third = cast(Literal[1, 2, 3], min(3, int(fraction * 3) + 1))
    return PainOnset(
        given_as=given,
        km=km,
        minute=minute,
        third=third,
        description=f"pain started at {where}, in the {_THIRD_WORDS[third]} third of the run",
    )
