"""Typed reads and writes of runners, check-ups, endurance tests, clearances and records.

Every function takes an open :class:`~sqlalchemy.orm.Session` (from ``Store.session()``),
adds or reads rows and flushes; committing or rolling back is the session's business.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Final, Literal

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from upright import __version__
from upright.assessment.answers import Answers
from upright.assessment.redflags import RedFlagScreen
from upright.assessment.triage import TriageResult
from upright.errors import InputError
from upright.limits import HEIGHT_CM
from upright.store.models import (
    RECORD_KINDS,
    CheckUp,
    Clearance,
    EnduranceTest,
    MeasuredForm,
    Record,
    RecordKind,
    RunLog,
    Runner,
    SessionLog,
    utc_now,
)

__all__ = [
    "CLOCK_TOLERANCE",
    "Side",
    "TimedClip",
    "add_checkup",
    "add_clearance",
    "add_endurance_test",
    "add_measured_form",
    "add_record",
    "add_run_log",
    "add_session_log",
    "check_not_future",
    "clip_result",
    "find_runner",
    "get_or_create_runner",
    "get_runner",
    "has_clearance",
    "latest_checkup",
    "previous_endurance",
    "record_of_clip",
    "records",
    "run_logs",
    "session_logs",
]

Side = Literal["left", "right"]


@dataclass(frozen=True)
class TimedClip:
    """The clip an endurance hold was timed from: its file name and SHA-256, and when
    (seconds into the clip) and why the position was lost."""

    name: str
    sha256: str
    ended_at_s: float
    ended_reason: str


#: A time up to this far past the clock still counts as now, not as the future: the
#: clocks of two machines (a backup written on one, restored on another) differ a little
#: [design choice].
CLOCK_TOLERANCE: Final = timedelta(minutes=5)


def check_not_future(when: datetime, what: str) -> datetime:
    """``when`` (timezone-aware), refused when it lies in the future.

    Raises
    ------
    InputError
        ``when`` is more than :data:`CLOCK_TOLERANCE` after the current time.
    """
    if when > utc_now() + CLOCK_TOLERANCE:
        local = when.astimezone()
        raise InputError(
            f"the {what} date {local.date().isoformat()} is in the future",
            fix=f"Give the day the {what} was given: today or earlier",
        )
    return when


def _aware(when: datetime | None, what: str) -> datetime:
    if when is None:
        return utc_now()
    if when.tzinfo is None:
        raise InputError(
            f"the {what} time {when.isoformat()} has no timezone",
            fix="Give a timezone-aware time, for example datetime.now(UTC)",
        )
    return when


def find_runner(session: Session, alias: str) -> Runner | None:
    """The runner with this alias, or None."""
    return session.scalar(select(Runner).where(Runner.alias == alias))


def get_runner(session: Session, alias: str) -> Runner:
    """The runner with this alias.

    Raises
    ------
    InputError
        No runner has this alias.
    """
    runner = find_runner(session, alias)
    if runner is None:
        known = session.scalars(select(Runner.alias).order_by(Runner.alias)).all()
        raise InputError(
            f"unknown runner {alias!r}",
            fix=(f"Known runners: {', '.join(known)}" if known else "No runner is stored yet")
            + "; check the spelling or create the runner first",
        )
    return runner


def get_or_create_runner(
    session: Session,
    alias: str,
    *,
    sex: str | None = None,
    age_band: str | None = None,
    height_cm: float | None = None,
    running_history: str | None = None,
) -> Runner:
    """The runner with this alias, created with the given profile when new.

    An existing runner's profile is left as it is, except that fields it lacks are filled
    from the arguments.
    """
    alias = alias.strip()
    if not alias:
        raise InputError("the runner's alias is empty", fix="Give a name or a nickname")
    lo, hi = HEIGHT_CM
    if height_cm is not None and not lo <= height_cm <= hi:
        raise InputError(
            f"height {height_cm:g} cm is outside {lo:g}-{hi:g} cm",
            fix="Give the height in centimetres",
        )
    runner = find_runner(session, alias)
    if runner is None:
        runner = Runner(alias=alias, created_at=utc_now())
        session.add(runner)
    runner.sex = runner.sex or sex
    runner.age_band = runner.age_band or age_band
    runner.height_cm = runner.height_cm if runner.height_cm is not None else height_cm
    runner.running_history = runner.running_history or running_history
    session.flush()
    return runner


def add_checkup(
    session: Session,
    runner: Runner,
    answers: Answers,
    *,
    screen: RedFlagScreen | None = None,
    triage: TriageResult | None = None,
    when: datetime | None = None,
    upright_version: str = __version__,
) -> CheckUp:
    """Store one check-up: answers, red-flag screen and triage as JSON."""
    checkup = CheckUp(
        runner=runner,
        taken_at=_aware(when, "check-up"),
        answers=answers.model_dump(mode="json"),
        red_flag_screen=screen.model_dump(mode="json") if screen is not None else None,
        triage=triage.model_dump(mode="json") if triage is not None else None,
        upright_version=upright_version,
    )
    session.add(checkup)
    session.flush()
    return checkup


def latest_checkup(session: Session, runner: Runner) -> CheckUp | None:
    """The runner's most recent check-up, or None."""
    return session.scalar(
        select(CheckUp)
        .where(CheckUp.runner_id == runner.id)
        .order_by(CheckUp.taken_at.desc(), CheckUp.id.desc())
        .limit(1)
    )


def add_endurance_test(
    session: Session,
    runner: Runner,
    test_key: str,
    *,
    seconds: float | None = None,
    reps: int | None = None,
    side: Side | None = None,
    notes: str | None = None,
    when: datetime | None = None,
    clip: TimedClip | None = None,
) -> EnduranceTest:
    """Store one endurance test: exactly one of ``seconds`` (a hold) or ``reps``; with
    ``clip``, a hold timed from that clip (source "video"), else typed."""
    if (seconds is None) == (reps is None):
        raise InputError(
            f"endurance test {test_key!r} needs exactly one of seconds or reps",
            fix="Give the hold time in seconds, or the count of repetitions",
        )
    if (seconds is not None and seconds < 0) or (reps is not None and reps < 0):
        raise InputError(f"endurance test {test_key!r} has a negative result")
    if side not in (None, "left", "right"):
        raise InputError(f"endurance test side {side!r} is not 'left' or 'right'")
    if clip is not None and seconds is None:
        raise InputError(f"endurance test {test_key!r}: only holds are timed from a clip")
    test = EnduranceTest(
        runner=runner,
        taken_at=_aware(when, "endurance test"),
        test_key=test_key,
        seconds=seconds,
        reps=reps,
        side=side,
        notes=notes,
        source="typed" if clip is None else "video",
        source_name=None if clip is None else clip.name,
        source_sha256=None if clip is None else clip.sha256,
        ended_at_s=None if clip is None else clip.ended_at_s,
        ended_reason=None if clip is None else clip.ended_reason,
    )
    session.add(test)
    session.flush()
    return test


def previous_endurance(
    session: Session,
    runner: Runner,
    test_key: str,
    *,
    side: Side | None = None,
    before: datetime | None = None,
    not_from_clip: str | None = None,
) -> EnduranceTest | None:
    """The runner's most recent result of this test (on this side), optionally before a
    time, optionally leaving out results timed from the clip with SHA-256
    ``not_from_clip``."""
    query = select(EnduranceTest).where(
        EnduranceTest.runner_id == runner.id,
        EnduranceTest.test_key == test_key,
        EnduranceTest.side.is_(None) if side is None else EnduranceTest.side == side,
    )
    if not_from_clip is not None:
        query = query.where(
            EnduranceTest.source_sha256.is_(None) | (EnduranceTest.source_sha256 != not_from_clip)
        )
    if before is not None:
        query = query.where(EnduranceTest.taken_at < _aware(before, "cut-off"))
    query = query.order_by(EnduranceTest.taken_at.desc(), EnduranceTest.id.desc()).limit(1)
    return session.scalar(query)


def clip_result(
    session: Session, runner: Runner, test_key: str, side: Side | None, sha256: str
) -> EnduranceTest | None:
    """The runner's result of this test already timed from the clip with ``sha256``."""
    query = select(EnduranceTest).where(
        EnduranceTest.runner_id == runner.id,
        EnduranceTest.test_key == test_key,
        EnduranceTest.side.is_(None) if side is None else EnduranceTest.side == side,
        EnduranceTest.source_sha256 == sha256,
    )
    return session.scalar(query.order_by(EnduranceTest.taken_at).limit(1))


def add_clearance(
    session: Session,
    runner: Runner,
    clinician: str,
    clears: str,
    *,
    when: datetime | None = None,
) -> Clearance:
    """Store a clinician's clearance (who, and what it clears, in the runner's words).

    Raises
    ------
    InputError
        The clinician or what it clears is blank, or ``when`` is in the future.
    """
    if not clinician.strip() or not clears.strip():
        raise InputError(
            "a clearance needs the clinician and what it clears",
            fix="For example clinician='Dr Lee, GP', clears='return to running'",
        )
    clearance = Clearance(
        runner=runner,
        given_at=check_not_future(_aware(when, "clearance"), "clearance"),
        clinician=clinician.strip(),
        clears=clears.strip(),
    )
    session.add(clearance)
    session.flush()
    return clearance


def has_clearance(
    session: Session,
    runner: Runner,
    *,
    clears: str | None = None,
    since: datetime | None = None,
) -> bool:
    """Whether the runner has a clearance, optionally for ``clears`` (exact) given since a time."""
    query = select(Clearance.id).where(Clearance.runner_id == runner.id)
    if clears is not None:
        query = query.where(Clearance.clears == clears.strip())
    if since is not None:
        query = query.where(Clearance.given_at >= _aware(since, "cut-off"))
    return session.scalar(query.limit(1)) is not None


def _check_kind(kind: str) -> RecordKind:
    for known in RECORD_KINDS:
        if kind == known:
            return known
    raise InputError(f"record kind {kind!r} is not one of {', '.join(RECORD_KINDS)}")


def add_record(
    session: Session,
    runner: Runner,
    kind: RecordKind,
    summary: BaseModel | Mapping[str, Any],
    *,
    source_name: str | None = None,
    when: datetime | None = None,
    still_jpeg: bytes | None = None,
    source_sha256: str | None = None,
) -> Record:
    """Store a published summary (``upright.analysis/1``, ``.compare/1``, ``.run/1``, ``.imu/1``).

    The schema version is read from the summary's ``schema_version`` field; ``still_jpeg``
    is an annotated picture of the runner kept with an analysis; ``source_sha256`` the
    SHA-256 of the clip measured (a runner has at most one record of a kind per hash: see
    :func:`record_of_clip`).
    """
    _check_kind(kind)
    data = summary.model_dump(mode="json") if isinstance(summary, BaseModel) else dict(summary)
    version = data.get("schema_version")
    if not isinstance(version, str) or not version.startswith("upright."):
        raise InputError(
            f"the {kind} summary has no upright schema_version (found {version!r})",
            fix="Store a summary built by upright (AnalysisSummary, CompareSummary, ...)",
        )
    record = Record(
        runner=runner,
        kind=kind,
        created_at=_aware(when, "record"),
        source_name=source_name,
        summary=data,
        schema_version=version,
        still_jpeg=still_jpeg,
        source_sha256=source_sha256,
    )
    session.add(record)
    session.flush()
    return record


def record_of_clip(
    session: Session, runner: Runner, kind: RecordKind, source_sha256: str
) -> Record | None:
    """The runner's record of this kind measured from the clip with this SHA-256, if any."""
    query = select(Record).where(
        Record.runner_id == runner.id,
        Record.kind == _check_kind(kind),
        Record.source_sha256 == source_sha256,
    )
    return session.scalars(query).first()


def records(session: Session, runner: Runner, kind: RecordKind | None = None) -> Sequence[Record]:
    """The runner's records, oldest first, optionally of one kind."""
    query = select(Record).where(Record.runner_id == runner.id)
    if kind is not None:
        query = query.where(Record.kind == _check_kind(kind))
    return session.scalars(query.order_by(Record.created_at, Record.id)).all()


def add_session_log(
    session: Session,
    runner: Runner,
    *,
    day: date,
    level: int,
    exercises: Mapping[str, float],
    completed: bool,
    form: Literal["good", "poor"],
    pain_during: int,
    pain_next_morning: int | None = None,
    when: datetime | None = None,
    completion: Literal["full", "partial"] | None = None,
) -> SessionLog:
    """Store one exercise session log (values are checked by the caller).

    ``completion`` is "full" when every prescribed exercise was logged at its dose,
    "partial" otherwise; None (not judged) never counts as done in full.
    """
    log = SessionLog(
        runner=runner,
        day=day,
        level=level,
        exercises=dict(exercises),
        completed=completed,
        completion=completion,
        form=form,
        pain_during=pain_during,
        pain_next_morning=pain_next_morning,
        logged_at=_aware(when, "session log"),
    )
    session.add(log)
    session.flush()
    return log


def add_measured_form(
    session: Session,
    log: SessionLog,
    *,
    exercise_key: str,
    side: Literal["left", "right"] | None,
    held_s: float,
    good_form_s: float,
    reps: int | None,
    good_reps: int | None,
    first_fault: str | None,
    first_fault_s: float | None,
    clip_name: str,
    clip_sha256: str,
) -> MeasuredForm:
    """Store the form of one exercise of ``log`` measured from one clip (values are
    checked by the caller)."""
    row = MeasuredForm(
        exercise_key=exercise_key,
        side=side,
        held_s=held_s,
        good_form_s=good_form_s,
        reps=reps,
        good_reps=good_reps,
        first_fault=first_fault,
        first_fault_s=first_fault_s,
        clip_name=clip_name,
        clip_sha256=clip_sha256,
    )
    log.measured_form.append(row)
    session.flush()
    return row


def session_logs(session: Session, runner: Runner) -> Sequence[SessionLog]:
    """The runner's exercise session logs, oldest first."""
    query = select(SessionLog).where(SessionLog.runner_id == runner.id)
    return session.scalars(query.order_by(SessionLog.day, SessionLog.id)).all()


def add_run_log(
    session: Session,
    runner: Runner,
    *,
    day: date,
    pain_during: int,
    distance_km: float | None = None,
    duration_min: float | None = None,
    pain_after: int | None = None,
    pain_next_morning: int | None = None,
    pain_onset_km: float | None = None,
    pain_onset_min: float | None = None,
    source_name: str | None = None,
    when: datetime | None = None,
) -> RunLog:
    """Store one run log (values are checked by the caller)."""
    log = RunLog(
        runner=runner,
        day=day,
        distance_km=distance_km,
        duration_min=duration_min,
        pain_during=pain_during,
        pain_after=pain_after,
        pain_next_morning=pain_next_morning,
        pain_onset_km=pain_onset_km,
        pain_onset_min=pain_onset_min,
        source_name=source_name,
        logged_at=_aware(when, "run log"),
    )
    session.add(log)
    session.flush()
    return log


def run_logs(session: Session, runner: Runner) -> Sequence[RunLog]:
    """The runner's run logs, oldest first."""
    query = select(RunLog).where(RunLog.runner_id == runner.id)
    return session.scalars(query.order_by(RunLog.day, RunLog.id)).all()
