"""``upright log``: store an exercise session or a run, then advise from the stored logs.

Every value is checked before anything is stored: a bad value stores nothing. While the
runner's red-flag screen blocks the plan (:mod:`upright.services.red_flag_gate`, the rule
``upright plan`` follows), the session or run is stored but no advice is drawn from it:
no progression decision (the stage stays where it was), no running-load advice.

Session logs feed the progression rule (:func:`upright.program.progression.decide`):
each log is done at the level the previous logs led to (stage 1 at first). A session
counts as a next-morning flare when the pain next morning is above the pain during the
session [design heuristic: no pre-session baseline is recorded]; without a next-morning
value the flare is unknown, which never counts as "no flare".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict

from upright.assessment.redflags import RedFlagScreen
from upright.errors import InputError
from upright.limits import HOLD_S_MAX, RUN_DISTANCE_KM_MAX, RUN_DURATION_MIN_MAX
from upright.program import Decision, RunningLoadAdvice, decide, load_catalogue, running_load_advice
from upright.program.progression import SessionLog as ProgressLog
from upright.services.red_flag_gate import screen_of
from upright.services.runner_record import _session
from upright.store import (
    SessionLog,
    add_run_log,
    add_session_log,
    get_runner,
    session_logs,
)

__all__ = [
    "RunLogged",
    "SessionLogged",
    "decision_after",
    "level_after",
    "log_run",
    "log_session",
    "parse_exercises",
]

Form = Literal["good", "poor"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SessionLogged(_Model):
    """What was stored and the progression decision drawn from all stored logs.

    ``decision`` is None while ``red_flags`` blocks the plan: the session is stored, and
    no advice is given.
    """

    day: dt.date
    level: int
    exercises: dict[str, float]
    decision: Decision | None
    red_flags: RedFlagScreen


class RunLogged(_Model):
    """What was stored and the running-load advice (None while ``red_flags`` blocks the
    plan: the run is stored, and no advice is given)."""

    day: dt.date
    distance_km: float | None
    duration_min: float | None
    source_name: str | None
    advice: RunningLoadAdvice | None
    red_flags: RedFlagScreen


def _pain(name: str, value: int | None) -> None:
    if value is not None and not 0 <= value <= 10:
        raise InputError(f"{name} is {value}", fix="Give pain as a whole number from 0 to 10")


def _not_negative(name: str, value: float | None, most: float = HOLD_S_MAX) -> None:
    """Refuse a negative number, or one above ``most`` (upright.limits), or not finite."""
    if value is not None and not 0 <= value <= most:
        raise InputError(f"{name} is {value:g}", fix=f"Give a number from 0 to {most:g}")


def _day(day: dt.date | None, today: dt.date) -> dt.date:
    if day is None:
        return today
    if day > today:
        raise InputError(
            f"the date {day.isoformat()} is in the future",
            fix=f"Give today ({today.isoformat()}) or an earlier date",
        )
    return day


def parse_exercises(items: Sequence[str]) -> dict[str, float]:
    """``KEY=HOLDS_OR_REPS`` pairs -> {key: value}; keys must be in the catalogue.

    Raises
    ------
    InputError
        No pair, a malformed pair, an unknown key, a repeated key or a negative value.
    """
    if not items:
        raise InputError(
            "no exercise given", fix="Add --exercise KEY=HOLDS_OR_REPS for each exercise done"
        )
    catalogue = load_catalogue()
    known = sorted(catalogue.exercises)
    out: dict[str, float] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise InputError(
                f"--exercise {item!r} is not KEY=HOLDS_OR_REPS", fix="Write e.g. side_plank=30"
            )
        if key not in known:
            raise InputError(f"unknown exercise {key!r}", fix=f"Use one of: {', '.join(known)}")
        try:
            value = float(raw)
        except ValueError:
            raise InputError(
                f"--exercise {key}: {raw!r} is not a number",
                fix="Give the seconds held or the reps done, e.g. side_plank=30",
            ) from None
        _not_negative(f"--exercise {key}", value)
        if key in out:
            raise InputError(f"exercise {key!r} given twice", fix="Give each exercise once")
        out[key] = value
    return out


def _as_progress_log(log: SessionLog) -> ProgressLog:
    flare = None if log.pain_next_morning is None else log.pain_next_morning > log.pain_during
    return ProgressLog(
        completed=log.completed,
        good_form=log.form == "good",
        pain_during=log.pain_during,
        next_morning_flare=flare,
    )


def decision_after(logs: Sequence[SessionLog]) -> Decision:
    """The decision after ``logs`` (oldest first), from the latest unbroken run of logs at
    the latest level: sessions before a move to another level do not count towards
    "two in a row"."""
    level = logs[-1].level if logs else 1
    run: list[ProgressLog] = []
    for log in reversed(logs):
        if log.level != level:
            break
        run.append(_as_progress_log(log))
    return decide(run[::-1], level)


def level_after(logs: Sequence[SessionLog]) -> int:
    """The level the next session is done at, after ``logs`` (stage 1 at first)."""
    return decision_after(logs).new_level if logs else 1


def log_session(
    alias: str,
    *,
    exercises: Sequence[str],
    form: Form,
    pain_during: int,
    pain_next_morning: int | None = None,
    day: dt.date | None = None,
    completed: bool = True,
    today: dt.date | None = None,
) -> SessionLogged:
    """Check, store one exercise session and decide progress, hold or regress."""
    today = today or dt.date.today()
    _pain("--pain-during", pain_during)
    _pain("--pain-next-morning", pain_next_morning)
    when = _day(day, today)
    done = parse_exercises(exercises)
    with _session("session log") as session:
        runner = get_runner(session, alias)
        before = list(session_logs(session, runner))
        screen = screen_of(session, runner)
        # while a red flag is open the stage neither progresses nor regresses: the session
        # is stored at the stage of the last one
        level = (before[-1].level if before else 1) if screen.plan_blocked else level_after(before)
        add_session_log(
            session,
            runner,
            day=when,
            level=level,
            exercises=done,
            completed=completed,
            form=form,
            pain_during=pain_during,
            pain_next_morning=pain_next_morning,
        )
        decision = None
        if not screen.plan_blocked:
            decision = decision_after(list(session_logs(session, runner)))
    return SessionLogged(day=when, level=level, exercises=done, decision=decision, red_flags=screen)


def log_run(
    alias: str,
    *,
    pain_during: int,
    file: Path | None = None,
    distance_km: float | None = None,
    duration_min: float | None = None,
    pain_after: int | None = None,
    pain_next_morning: int | None = None,
    pain_onset_km: float | None = None,
    pain_onset_min: float | None = None,
    day: dt.date | None = None,
    today: dt.date | None = None,
) -> RunLogged:
    """Check, store one run (typed, or read from a FIT/GPX/TCX file) and advise."""
    today = today or dt.date.today()
    for name, pain in (
        ("--pain-during", pain_during),
        ("--pain-after", pain_after),
        ("--pain-next-morning", pain_next_morning),
    ):
        _pain(name, pain)
    for name, number, most in (
        ("--distance-km", distance_km, RUN_DISTANCE_KM_MAX),
        ("--duration-min", duration_min, RUN_DURATION_MIN_MAX),
        ("--pain-onset-km", pain_onset_km, RUN_DISTANCE_KM_MAX),
        ("--pain-onset-min", pain_onset_min, RUN_DURATION_MIN_MAX),
    ):
        _not_negative(name, number, most)
    if pain_onset_km is not None and pain_onset_min is not None:
        raise InputError("both --pain-onset-km and --pain-onset-min given", fix="Give one of them")
    _day(day, today)
    source_name = None
    if file is not None:
        file_km, file_min, file_day = _from_file(file)
        distance_km = file_km if distance_km is None else distance_km
        duration_min = file_min if duration_min is None else duration_min
        day = day or file_day
        source_name = file.name
    elif distance_km is None and duration_min is None:
        raise InputError(
            "no run given",
            fix="Give a FIT, GPX or TCX file, or --distance-km and/or --duration-min",
        )
    when = _day(day, today)
    advice = running_load_advice(pain_during, pain_next_morning)
    with _session("run log") as session:
        runner = get_runner(session, alias)
        screen = screen_of(session, runner)
        add_run_log(
            session,
            runner,
            day=when,
            distance_km=distance_km,
            duration_min=duration_min,
            pain_during=pain_during,
            pain_after=pain_after,
            pain_next_morning=pain_next_morning,
            pain_onset_km=pain_onset_km,
            pain_onset_min=pain_onset_min,
            source_name=source_name,
        )
    return RunLogged(
        day=when,
        distance_km=distance_km,
        duration_min=duration_min,
        source_name=source_name,
        advice=None if screen.plan_blocked else advice,
        red_flags=screen,
    )


def _from_file(path: Path) -> tuple[float | None, float | None, dt.date | None]:
    """Distance (km), duration (min) and local start date of the running leg."""
    from upright.io.activity import read_activity, select_running_leg

    activity = select_running_leg(read_activity(path))
    samples = activity.samples
    km = None
    if activity.has("distance_m"):
        km = round(float(samples["distance_m"].max() - samples["distance_m"].min()) / 1000, 3)
    minutes = None
    if activity.has("time_s"):
        minutes = round(float(samples["time_s"].max() - samples["time_s"].min()) / 60, 2)
    start = activity.start_utc.date() if activity.start_utc is not None else None
    return km, minutes, start
