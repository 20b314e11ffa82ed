"""Which runners are stored, and a runner's red-flag screen as every advice path reads it.

The runner list is what the web app's first page shows; :func:`runner_screen` is the
screen of :func:`upright.services.red_flag_gate.screen_of` (latest stored check-up with a
stored clearance; no check-up = incomplete) for one alias.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select

from upright.assessment.redflags import RedFlagScreen
from upright.services.red_flag_gate import screen_of
from upright.services.runner_record import _session
from upright.store import Runner, get_runner

__all__ = ["RunnerRow", "list_runners", "runner_screen"]


class RunnerRow(BaseModel):
    """One stored runner, for a list."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    alias: str
    created_at: dt.datetime
    sex: str | None
    height_cm: float | None
    checkups: int
    last_checkup: dt.datetime | None


def list_runners(only_ids: Collection[int] | None = None) -> list[RunnerRow]:
    """Every stored runner, by alias; with ``only_ids``, only the runners of those ids
    (the ones a clinic account may see).

    Raises
    ------
    StoreError
        The database cannot be opened or read.
    """
    with _session("runner list") as session:
        query = select(Runner).order_by(Runner.alias)
        if only_ids is not None:
            query = query.where(Runner.id.in_(list(only_ids)))
        runners = session.scalars(query).all()
        return [
            RunnerRow(
                alias=r.alias,
                created_at=r.created_at,
                sex=r.sex,
                height_cm=r.height_cm,
                checkups=len(r.checkups),
                last_checkup=r.checkups[-1].taken_at if r.checkups else None,
            )
            for r in runners
        ]


def runner_screen(alias: str) -> RedFlagScreen:
    """The runner's red-flag screen, as plan, log and test read it.

    Raises
    ------
    InputError
        No runner has this alias.
    """
    with _session("red-flag screen") as session:
        return screen_of(session, get_runner(session, alias))
