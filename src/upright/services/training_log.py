"""``upright log``: store an exercise session or a run, then advise from the stored logs.

Every value is checked before anything is stored: a bad value stores nothing. While the
runner's red-flag screen blocks the plan (:mod:`upright.services.red_flag_gate`, the rule
``upright plan`` follows), the session or run is stored but no advice is drawn from it:
no progression decision (the stage stays where it was), no running-load advice.

A session's exercises can be filmed (``--video KEY[:SIDE]=FILE``, or keypoint files): the
form is then measured in each clip (:mod:`upright.services.session_form`), the good-form
seconds (or reps) are what the filmed exercise logs towards its dose, and the session's
form follows the measurement; a typed form covers only the exercises not filmed
(:func:`upright.program.measured_form.session_form`). Every clip is checked before
anything is stored: one bad clip stores nothing.

Session logs feed the progression rule (:func:`upright.program.progression.decide`):
each log is done at the level the previous logs led to (stage 1 at first). A session is
done in full only when every exercise of a session the runner's plan prescribes at that
level is logged at its dose (:func:`upright.program.session_check.check_session`);
otherwise it is stored as partial and does not count towards moving up. A session logged
before doses were checked (``completion`` None) never counts as done in full. A session
counts as a next-morning flare when the pain next morning is above the pain during the
session [design heuristic: no pre-session baseline is recorded]; without a next-morning
value the flare is unknown, which never counts as "no flare".

A run's next-morning pain must settle back to the runner's baseline: the "pain right now"
answer of the latest stored check-up, or 0 when none is stored; the result says which.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import Session

from upright.assessment.redflags import RedFlagScreen
from upright.errors import InputError
from upright.limits import HOLD_S_MAX, RUN_DISTANCE_KM_MAX, RUN_DURATION_MIN_MAX
from upright.program import Decision, RunningLoadAdvice, decide, load_catalogue, running_load_advice
from upright.program.measured_form import ClipForm, form_for_typed, judge_measured, session_form
from upright.program.progression import SessionLog as ProgressLog
from upright.program.session_check import SessionCheck, check_session, log_hint
from upright.services.prescription import prescribed_sessions
from upright.services.red_flag_gate import screen_of
from upright.services.runner_record import _session
from upright.services.session_form import ClipArg, measure_clips
from upright.store import (
    MeasuredForm,
    Runner,
    SessionLog,
    add_measured_form,
    add_run_log,
    add_session_log,
    get_runner,
    latest_checkup,
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
    """What was stored, whether it was done in full and why, and the progression
    decision drawn from all stored logs.

    ``decision`` is None while ``red_flags`` blocks the plan: the session is stored (as
    partial, since no plan prescribes it), and no advice is given.
    """

    day: dt.date
    level: int
    exercises: dict[str, float]
    completion: Literal["full", "partial"]
    check: SessionCheck
    decision: Decision | None
    red_flags: RedFlagScreen
    form: Form = "good"
    measured: list[ClipForm] = []
    form_note: str = ""


class RunLogged(_Model):
    """What was stored, the pain baseline the next morning is judged against and where it
    came from, and the running-load advice (None while ``red_flags`` blocks the plan: the
    run is stored, and no advice is given)."""

    day: dt.date
    distance_km: float | None
    duration_min: float | None
    source_name: str | None
    pain_baseline: int
    pain_baseline_source: str
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


def parse_exercises(items: Sequence[str], *, allow_none: bool = False) -> dict[str, float]:
    """``KEY=N`` pairs -> {key: N}; keys are the catalogue's, N is in the unit of the
    exercise's dose (seconds held in all, or reps in all; each side when one-sided).

    Raises
    ------
    InputError
        No pair, a malformed pair, an unknown key, a repeated key or a negative value.
    """
    if not items and not allow_none:
        raise InputError(
            "no exercise given",
            fix="Add --exercise KEY=N for each exercise done (upright plan shows KEY=N), or "
            "film it: --video KEY=CLIP",
        )
    catalogue = load_catalogue()
    known = sorted(catalogue.exercises)
    out: dict[str, float] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise InputError(
                f"--exercise {item!r} is not KEY=N",
                fix=f"Write e.g. --exercise {log_hint(catalogue, 'side_plank')}",
            )
        if key not in known:
            raise InputError(f"unknown exercise {key!r}", fix=f"Use one of: {', '.join(known)}")
        try:
            value = float(raw)
        except ValueError:
            raise InputError(
                f"--exercise {key}: {raw!r} is not a number",
                fix=f"Give {catalogue.get(key).dose.log_note}, e.g. {log_hint(catalogue, key)}",
            ) from None
        _not_negative(f"--exercise {key}", value)
        if key in out:
            raise InputError(f"exercise {key!r} given twice", fix="Give each exercise once")
        out[key] = value
    return out


def _clip_form(row: MeasuredForm) -> ClipForm:
    return ClipForm(
        exercise=row.exercise_key,
        side="left" if row.side == "left" else "right" if row.side == "right" else None,
        held_s=row.held_s,
        good_form_s=row.good_form_s,
        reps=row.reps,
        good_reps=row.good_reps,
        first_fault=row.first_fault,
        first_fault_s=row.first_fault_s,
        clip_name=row.clip_name,
        clip_sha256=row.clip_sha256,
    )


def measured_note(log: SessionLog) -> str | None:
    """The session's form measured from video, in words; None when it was typed."""
    if not log.measured_form:
        return None
    clips = [_clip_form(m) for m in log.measured_form]
    return judge_measured(clips, load_catalogue()).note


def _as_progress_log(log: SessionLog) -> ProgressLog:
    flare = None if log.pain_next_morning is None else log.pain_next_morning > log.pain_during
    return ProgressLog(
        completed=log.completion == "full",
        good_form=log.form == "good",
        pain_during=log.pain_during,
        next_morning_flare=flare,
        form_measured=measured_note(log),
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
    form: Form | None,
    pain_during: int,
    pain_next_morning: int | None = None,
    day: dt.date | None = None,
    completed: bool = True,
    today: dt.date | None = None,
    clips: Sequence[ClipArg] = (),
    fps: float | None = None,
) -> SessionLogged:
    """Check, store one exercise session and decide progress, hold or regress.

    The session is done in full when every exercise of a session the runner's plan
    prescribes at its level is logged at its dose, and ``completed`` (the runner did not
    say it was cut short); otherwise it is stored as partial. While the runner's red-flag
    screen blocks the plan no plan prescribes a session: it is stored as partial, at the
    stage of the last one, and no decision is drawn (``decision`` None).

    ``clips`` are the session's filmed exercises: each is judged (all before anything is
    stored), logs its good-form seconds or reps, and sets the session's form
    (:func:`upright.program.measured_form.session_form`); each clip's measurement is
    stored with the session.
    """
    today = today or dt.date.today()
    _pain("--pain-during", pain_during)
    _pain("--pain-next-morning", pain_next_morning)
    when = _day(day, today)
    done = parse_exercises(exercises, allow_none=bool(clips))
    for clip in clips:
        if clip.exercise in done:
            raise InputError(
                f"{clip.exercise} is given both with --exercise and as a clip",
                fix=f"Give it once: the clip ({clip.path.name}) measures it",
            )
    typed_keys = list(done)
    measured: list[ClipForm] = []
    verdict = None
    if clips:
        if typed_keys:  # a typed form is needed: check it before the (slow) clips
            form_for_typed(form, typed_keys)
        measured = measure_clips(clips, fps=fps)
        verdict = judge_measured(measured, load_catalogue())
        done |= {e.key: e.logged for e in verdict.exercises}
    stored_form, form_note = session_form(form, verdict, typed_keys)
    with _session("session log") as session:
        runner = get_runner(session, alias)
        before = list(session_logs(session, runner))
        screen = screen_of(session, runner)
        # while a red flag is open the stage neither progresses nor regresses: the session
        # is stored at the stage of the last one, and as partial (no plan prescribes it)
        level = (before[-1].level if before else 1) if screen.plan_blocked else level_after(before)
        planned, no_plan = prescribed_sessions(session, runner, level, when)
        check = check_session(done, planned, load_catalogue(), no_plan_reason=no_plan)
        if check.in_full and not completed:
            check = check.model_copy(
                update={
                    "in_full": False,
                    "reason": "Not done in full: you said the session was cut short.",
                }
            )
        completion: Literal["full", "partial"] = "full" if check.in_full else "partial"
        log = add_session_log(
            session,
            runner,
            day=when,
            level=level,
            exercises=done,
            completed=check.in_full,
            completion=completion,
            form=stored_form,
            pain_during=pain_during,
            pain_next_morning=pain_next_morning,
        )
        for m in measured:
            add_measured_form(
                session,
                log,
                exercise_key=m.exercise,
                side=m.side,
                held_s=m.held_s,
                good_form_s=m.good_form_s,
                reps=m.reps,
                good_reps=m.good_reps,
                first_fault=m.first_fault,
                first_fault_s=m.first_fault_s,
                clip_name=m.clip_name,
                clip_sha256=m.clip_sha256,
            )
        decision = None
        if not screen.plan_blocked:
            decision = decision_after(list(session_logs(session, runner)))
    return SessionLogged(
        day=when,
        level=level,
        exercises=done,
        completion=completion,
        check=check,
        decision=decision,
        red_flags=screen,
        form=stored_form,
        measured=measured,
        form_note=form_note,
    )


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
    with _session("run log") as session:
        runner = get_runner(session, alias)
        screen = screen_of(session, runner)
        baseline, baseline_source = _pain_baseline(session, runner)
        advice = running_load_advice(pain_during, pain_next_morning, pain_before=baseline)
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
        pain_baseline=baseline,
        pain_baseline_source=baseline_source,
        advice=None if screen.plan_blocked else advice,
        red_flags=screen,
    )


def _pain_baseline(session: Session, runner: Runner) -> tuple[int, str]:
    """The back pain the next morning must settle back to, and where it came from: the
    "pain right now" answer of the runner's latest check-up, else 0 (none recorded)."""
    latest = latest_checkup(session, runner)
    if latest is not None:
        symptoms = latest.answers.get("symptoms") or {}
        pain_now = symptoms.get("pain_now")
        if isinstance(pain_now, int) and not isinstance(pain_now, bool) and 0 <= pain_now <= 10:
            when = latest.taken_at.date().isoformat()
            return pain_now, f'your "pain right now" answer at the check-up of {when}'
    return 0, (
        "none stored, so 0/10 is used (a check-up records your pain right now: "
        f"upright checkup --runner {runner.alias})"
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
