"""Exercise form checks in a runner's record: what ``upright form --runner ALIAS`` stores
and what ``profile`` and ``report`` read back.

A form check is stored as a record of kind "form" holding its ``upright.form/1`` summary
(the exercise, side, seconds held, good-form seconds, reps, first fault and when) and the
clip's file name; the clip's SHA-256 is in the summary. The same clip checked again for
the same exercise and side is one check: it is stored once.

The measurement is not advice, the cues are: while the runner's red-flag screen blocks
the plan (:mod:`upright.services.red_flag_gate`) the check is stored and written without
its cues (:func:`without_cues`), and the screen is shown instead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError
from sqlalchemy.orm import Session

from upright.assessment.redflags import RedFlagScreen
from upright.errors import StoreError
from upright.services.red_flag_gate import screen_of
from upright.services.runner_record import _session
from upright.store import Record, Runner, add_record, get_runner, records
from upright.summaries import FormSummary

__all__ = [
    "FormCheckRow",
    "StoredFormCheck",
    "form_check_rows",
    "form_screen",
    "latest_form_checks",
    "store_form_check",
    "without_cues",
]


class FormCheckRow(BaseModel):
    """One stored form check, as the profile and the report show it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    when: dt.datetime
    exercise: str
    name: str
    side: str | None
    held_s: float
    good_form_s: float
    reps: int | None
    good_reps: int | None
    first_fault: str | None
    first_fault_s: float | None
    clip_name: str | None
    synthetic: bool

    @property
    def label(self) -> str:
        """``Side plank (left side)`` or ``Front plank``."""
        return self.name if self.side is None else f"{self.name} ({self.side} side)"

    def described(self) -> str:
        """``40.0 s of 52.0 s held with good form; form first lost at 21.3 s (hips sag)``."""
        text = f"{self.good_form_s:.1f} s of {self.held_s:.1f} s held with good form"
        if self.reps is not None:
            text += f"; {self.reps} reps, {self.good_reps} with good form"
        if self.first_fault is not None and self.first_fault_s is not None:
            text += f"; form first lost at {self.first_fault_s:.1f} s ({self.first_fault})"
        else:
            text += "; no fault"
        return text


class StoredFormCheck(BaseModel):
    """What ``store_form_check`` did: a new record, or the clip's earlier one kept."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    record_id: int
    stored_at: dt.datetime
    already_stored: bool


def without_cues(summary: FormSummary) -> FormSummary:
    """The summary with every cue emptied: the measurement without the advice."""
    exercise = summary.exercise.model_copy(
        update={
            "tolerances": [t.model_copy(update={"cue": ""}) for t in summary.exercise.tolerances]
        }
    )
    first = summary.totals.first_fault
    totals = summary.totals.model_copy(
        update={"first_fault": None if first is None else first.model_copy(update={"cue": ""})}
    )
    return summary.model_copy(update={"exercise": exercise, "totals": totals})


def form_screen(alias: str) -> RedFlagScreen:
    """The runner's red-flag screen (an unknown alias raises InputError)."""
    with _session("red-flag screen") as session:
        return screen_of(session, get_runner(session, alias))


def _same_clip(record: Record, summary: FormSummary) -> bool:
    data = record.summary
    exercise = data.get("exercise") if isinstance(data, dict) else None
    if not summary.clip_sha256 or not isinstance(exercise, dict):
        return False
    return (
        data.get("clip_sha256") == summary.clip_sha256
        and exercise.get("key") == summary.exercise.key
        and exercise.get("side") == summary.exercise.side
    )


def store_form_check(
    alias: str, summary: FormSummary, source_name: str | None, out_dir: Path
) -> StoredFormCheck:
    """Store the check as a "form" record of the runner, unless this clip is already
    stored for this exercise and side (then the earlier record is kept and returned).

    Called after the output folder was written: a failure here says so and names it.

    Raises
    ------
    InputError
        No runner has this alias.
    StoreError
        The database cannot be written (the folder stays, the record is not stored).
    """
    try:
        with _session("storing the form record") as session:
            runner = get_runner(session, alias)
            twin = next(
                (r for r in records(session, runner, "form") if _same_clip(r, summary)), None
            )
            if twin is not None:
                return StoredFormCheck(
                    record_id=twin.id, stored_at=twin.created_at, already_stored=True
                )
            record = add_record(session, runner, "form", summary, source_name=source_name)
            return StoredFormCheck(
                record_id=record.id, stored_at=record.created_at, already_stored=False
            )
    except StoreError as exc:
        raise StoreError(
            f"{exc.problem} (the output folder {out_dir} was written, but the form check of "
            f"runner {alias!r} was not stored)",
            fix=exc.fix,
        ) from exc


def _row(record: Record) -> FormCheckRow | None:
    """The record read back; None for one that no longer validates as ``upright.form/1``."""
    try:
        s = FormSummary.model_validate(record.summary)
    except ValidationError:
        return None
    first = s.totals.first_fault
    return FormCheckRow(
        when=record.created_at,
        exercise=s.exercise.key,
        name=s.exercise.name,
        side=s.exercise.side,
        held_s=s.totals.held_s,
        good_form_s=s.totals.good_form_s,
        reps=s.totals.reps,
        good_reps=s.totals.good_reps,
        first_fault=None if first is None else first.label,
        first_fault_s=None if first is None else first.time_s,
        clip_name=record.source_name,
        synthetic=s.synthetic,
    )


def form_check_rows(session: Session, runner: Runner) -> list[FormCheckRow]:
    """Every stored form check of the runner that reads back, oldest first."""
    return [row for r in records(session, runner, "form") if (row := _row(r)) is not None]


def latest_form_checks(rows: Sequence[FormCheckRow]) -> list[FormCheckRow]:
    """The latest check of each exercise (and side), in the order first checked."""
    latest: dict[tuple[str, str | None], FormCheckRow] = {}
    for row in rows:  # oldest first: a later one replaces it
        latest[(row.exercise, row.side)] = row
    return list(latest.values())
