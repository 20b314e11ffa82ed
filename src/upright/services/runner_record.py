"""A runner's record in upright's database: what ``--runner ALIAS`` reads and stores.

Every function opens the store (``UPRIGHT_DATABASE_URL`` or the SQLite file in the data
folder), does its work in one session and commits only when all of it succeeded: an
error or Ctrl-C leaves nothing half-written. A same-day or review-level red flag lifts
when a clinician clearance with a real, not-future date and a named clinician is stored
for the runner; an emergency never lifts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final

from pydantic import BaseModel, ConfigDict
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from upright.assessment.answers import Answers, Clearance, check_clearance_day, parse_answers
from upright.assessment.endurance import EnduranceResults
from upright.assessment.questionnaires import OdiWording, StartBackWording
from upright.assessment.redflags import screen_red_flags
from upright.errors import AnswersError, InputError, StoreError
from upright.limits import HEIGHT_CM
from upright.services.checkup import CheckupResult, TriageReport, run_checkup, run_triage
from upright.services.endurance_test import EnduranceTestReport, run_endurance_test
from upright.services.evidence import is_evidence
from upright.services.runner_measures import (
    STORED_AS,
    Population,
    Sex,
    checked_norms,
    profile_norms,
    runner_answers,
    store_given,
    store_results,
)
from upright.store import (
    CLOCK_TOLERANCE,
    CheckUp,
    RecordKind,
    Runner,
    SessionLog,
    TimedClip,
    add_checkup,
    add_clearance,
    add_record,
    clip_result,
    export_runner,
    get_or_create_runner,
    get_runner,
    has_clearance,
    import_backup,
    latest_checkup,
    open_store,
    previous_endurance,
    read_backup,
    record_of_clip,
    records,
    write_backup,
)
from upright.store.models import utc_now

__all__ = [
    "DEFAULT_CLEARS",
    "ProfileReport",
    "check_runner",
    "checkup_for_runner",
    "clip_stored_at",
    "endurance_for_runner",
    "export_record",
    "import_record",
    "norms_for_runner",
    "record_clearance",
    "store_clip_summary",
    "store_summary",
    "triage_for_runner",
    "update_profile",
]

#: What a clearance clears when the runner does not say.
DEFAULT_CLEARS: Final = "exercise plan"


@contextmanager
def _session(what: str) -> Iterator[Session]:
    """One all-or-nothing unit of work; a database failure becomes a StoreError."""
    store = open_store()
    try:
        with store.session() as session:
            yield session
    except SQLAlchemyError as exc:
        raise StoreError(
            f"{what}: the database write failed ({str(exc).splitlines()[0]}); nothing was stored",
            fix="Check that the database is reachable and writable, then run it again",
        ) from exc
    finally:
        store.close()


def _stored_evidence(session: Session, runner: Runner) -> list[tuple[str, Mapping[str, Any]]]:
    """The runner's stored summaries of running, newest first: when two give the same
    evidence field, the latest measurement is the one used. Exercise form checks (and any
    other record that is not evidence about running) are left out."""
    return [
        (f"stored {r.kind} record {r.id} ({r.source_name or 'no file'})", r.summary)
        for r in reversed(records(session, runner))
        if is_evidence(r.kind, r.schema_version)
    ]


def _stored_clearance(runner: Runner) -> Clearance | None:
    """The runner's latest stored clearance that has a real, not-future date and a named
    clinician, as the answers file would give it; None when there is none."""
    now = utc_now() + CLOCK_TOLERANCE
    for row in reversed(runner.clearances):
        if row.given_at > now or not row.clinician.strip():
            continue  # stored before these checks existed: not a clearance
        return Clearance(
            recorded=True,
            date=min(row.given_at.astimezone().date(), dt.date.today()).isoformat(),
            clinician=row.clinician.strip(),
        )
    return None


def _stored_answers(checkup: CheckUp) -> Answers:
    """A stored check-up's answers. A clearance stored before clearances needed a real
    date and a named clinician is dropped (it is no clearance); other problems raise.

    Raises
    ------
    AnswersError
        The stored answers fail validation for another reason.
    """
    source = f"stored check-up {checkup.id}"
    try:
        return parse_answers(checkup.answers, source=source)
    except AnswersError:
        if checkup.answers.get("clearance") is None:
            raise
    without = {k: v for k, v in checkup.answers.items() if k != "clearance"}
    return parse_answers(without, source=source)


def _with_clearance(session: Session, runner: Runner, answers: Answers) -> Answers:
    if answers.clearance_recorded or not has_clearance(session, runner):
        return answers
    clearance = _stored_clearance(runner)
    if clearance is None:
        return answers
    return answers.model_copy(update={"clearance": clearance})


def _stops(answers: Answers) -> bool:
    """Whether the red-flag screen of these answers stops everything (an emergency)."""
    screen = screen_red_flags(answers.red_flags, clearance_recorded=answers.clearance_recorded)
    return screen.stop_everything


def checkup_for_runner(
    alias: str,
    answers: Answers,
    evidence_paths: list[Path],
    wording: StartBackWording | None = None,
    odi_wording: OdiWording | None = None,
    evidence_stills: Mapping[Path, bytes] | None = None,
) -> CheckupResult:
    """Run the check-up on the runner's record, and store it.

    Unless the screen is an emergency, the evidence files and the answers' endurance
    results are stored first (as ``analyze --runner`` and ``test --runner`` store them,
    never twice), so the check-up reads exactly what ``triage`` and ``report`` read
    later: the runner's records, the latest stored result of each endurance test and the
    norms of the runner's profile.
    """
    with _session("check-up") as session:
        runner = get_runner(session, alias)
        answers = _with_clearance(session, runner, answers)
        stored: list[str] = []
        if not _stops(answers):
            stored = store_given(session, runner, answers, evidence_paths, evidence_stills)
        judged, notes = runner_answers(session, runner, answers)
        result = run_checkup(judged, [], wording, _stored_evidence(session, runner), odi_wording)
        add_checkup(session, runner, answers, screen=result.red_flags, triage=result.triage)
        if result.notes is None:
            return result
        return result.model_copy(update={"notes": [*stored, *notes, *result.notes]})


def triage_for_runner(
    alias: str,
    answers: Answers | None,
    evidence_paths: list[Path],
    evidence_stills: Mapping[Path, bytes] | None = None,
) -> TriageReport:
    """Triage with the given answers, or the runner's latest stored check-up answers.

    Evidence files and the endurance results of answers given are stored first, as
    :func:`checkup_for_runner` stores them.
    """
    with _session("triage") as session:
        runner = get_runner(session, alias)
        given = answers
        if answers is None:
            latest = latest_checkup(session, runner)
            if latest is None:
                raise InputError(
                    f"runner {alias!r} has no stored check-up",
                    fix=f"Run upright checkup --runner {alias} first, or give --answers",
                )
            answers = _stored_answers(latest)
        answers = _with_clearance(session, runner, answers)
        stored: list[str] = []
        if not _stops(answers):
            stored = store_given(session, runner, given, evidence_paths, evidence_stills)
        judged, notes = runner_answers(session, runner, answers)
        report = run_triage(judged, [], _stored_evidence(session, runner))
        if report.triage is None:
            return report
        return report.model_copy(update={"notes": [*stored, *notes, *report.notes]})


def norms_for_runner(
    alias: str, sex: Sex | None, population: Population | None
) -> tuple[Sex | None, Population]:
    """The norms of the runner's profile; a ``sex`` or ``population`` given that differs
    is refused (see :func:`upright.services.runner_measures.checked_norms`)."""
    with _session("runner look-up") as session:
        return checked_norms(get_runner(session, alias), sex, population)


def endurance_for_runner(
    alias: str,
    results: EnduranceResults,
    previous: EnduranceResults | None,
    previous_file: Path | None = None,
    clips: Mapping[str, TimedClip] | None = None,
) -> EnduranceTestReport:
    """Judge against the norms of the runner's profile, compare with ``previous``
    (default: the runner's last stored result of each test), then store every result
    (those timed from a clip with ``clips``: results field -> clip).

    Raises
    ------
    InputError
        ``results`` name a sex other than the profile's, or athlete norms the profile
        does not choose ("general" is the results' default, so it gives way).
    """
    with _session("endurance test") as session:
        runner = get_runner(session, alias)
        asked: Population | None = "athlete" if results.population == "athlete" else None
        sex, population = checked_norms(runner, results.sex, asked)
        results = results.model_copy(update={"sex": sex, "population": population})
        if previous is None:
            previous = _previous_results(session, runner, results, clips or {})
        report = run_endurance_test(results, previous, previous_file)
        store_results(session, runner, results, clips=clips)
        return report


def _previous_results(
    session: Session,
    runner: Runner,
    current: EnduranceResults,
    clips: Mapping[str, TimedClip],
) -> EnduranceResults | None:
    """The latest stored result of each test; never one timed from the clip being timed
    now (a clip timed again is not its own previous test)."""
    data: dict[str, Any] = {}
    for field, (key, side) in STORED_AS.items():
        clip = clips.get(field)
        sha = None if clip is None else clip.sha256
        row = previous_endurance(session, runner, key, side=side, not_from_clip=sha)
        if row is None:
            continue
        data[field] = row.reps if field.endswith("_reps") else row.seconds
    if not data:
        return None
    return EnduranceResults.model_validate(
        data | {"sex": current.sex, "population": current.population}
    )


class ProfileReport(BaseModel):
    """``upright profile``: the runner's profile and how much is stored about them."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    schema_version: str = "upright.profile/1"
    alias: str
    sex: str | None
    population: str
    age_band: str | None
    height_cm: float | None
    running_history: str | None
    created_at: str
    checkups: int
    endurance_tests: int
    records: dict[str, int]
    clearances: int
    session_logs: int
    run_logs: int
    database: str
    measured_sessions: int = 0
    latest_measured: str | None = None
    form_checks: int = 0
    #: The latest form check of each exercise (and side), in words.
    latest_form_checks: list[str] = []


def _latest_measured(logs: list[SessionLog]) -> str | None:
    """The latest session with form measured from video, in words."""
    from upright.services.training_log import measured_note

    if not logs:
        return None
    last = logs[-1]
    return f"{last.day.isoformat()}: {last.form} form, {measured_note(last)}"


def update_profile(
    alias: str,
    *,
    sex: str | None = None,
    population: Population | None = None,
    age_band: str | None = None,
    height_cm: float | None = None,
    running_history: str | None = None,
) -> ProfileReport:
    """Create the runner, or update the profile fields given; report the history.

    ``sex`` and ``population`` choose the endurance norms of every command.

    Raises
    ------
    InputError
        A height outside the plausible range (:data:`upright.limits.HEIGHT_CM`).
    """
    from upright.services.form_record import form_check_rows, latest_form_checks

    lo, hi = HEIGHT_CM
    if height_cm is not None and not lo <= height_cm <= hi:
        raise InputError(
            f"a height of {height_cm:g} cm is not a runner's",
            fix=f"Give the height in centimetres, {lo:g} to {hi:g}",
        )
    with _session("profile") as session:
        runner = get_or_create_runner(session, alias, height_cm=height_cm)
        for field, value in (
            ("sex", sex),
            ("population", population),
            ("age_band", age_band),
            ("height_cm", height_cm),
            ("running_history", running_history),
        ):
            if value is not None:
                setattr(runner, field, value)
        session.flush()
        measured = [x for x in runner.session_logs if x.measured_form]
        checks = form_check_rows(session, runner)
        kinds: dict[str, int] = {}
        for record in runner.records:
            kinds[record.kind] = kinds.get(record.kind, 0) + 1
        return ProfileReport(
            alias=runner.alias,
            sex=runner.sex,
            population=profile_norms(runner)[1],
            age_band=runner.age_band,
            height_cm=runner.height_cm,
            running_history=runner.running_history,
            created_at=runner.created_at.isoformat(),
            checkups=len(runner.checkups),
            endurance_tests=len(runner.endurance_tests),
            records=kinds,
            clearances=len(runner.clearances),
            session_logs=len(runner.session_logs),
            run_logs=len(runner.run_logs),
            database=session.get_bind().engine.url.render_as_string(hide_password=True),
            measured_sessions=len(measured),
            latest_measured=_latest_measured(measured),
            form_checks=len(checks),
            latest_form_checks=[
                f"{row.label}, {row.when.astimezone():%Y-%m-%d}: {row.described()}"
                for row in latest_form_checks(checks)
            ],
        )


def record_clearance(
    alias: str,
    clinician: str,
    clears: str = DEFAULT_CLEARS,
    day: dt.date | None = None,
    *,
    today: dt.date | None = None,
) -> str:
    """Store a clinician's clearance given on ``day`` (default: now); returns the alias.

    Raises
    ------
    InputError
        Unknown runner, a blank clinician or scope, or a day in the future.
    """
    when = None
    if day is not None:
        try:
            check_clearance_day(day, today=today)
        except ValueError as exc:
            raise InputError(str(exc), fix="Give --date YYYY-MM-DD, today or earlier") from None
        if day != (today or dt.date.today()):
            # noon local time on that day: its date reads back the same in this time zone
            when = dt.datetime.combine(day, dt.time(12)).astimezone()
    with _session("clearance") as session:
        runner = get_runner(session, alias)
        add_clearance(session, runner, clinician, clears, when=when)
        return runner.alias


def export_record(alias: str, out: Path) -> dict[str, Any]:
    """Write everything stored about the runner to ``out`` (``upright.backup/1``)."""
    with _session("export") as session:
        doc = export_runner(session, alias)
    try:
        write_backup(out, doc)
    except OSError as exc:
        raise InputError(f"cannot write the backup ({exc.strerror})", path=out) from exc
    return doc


def import_record(path: Path, merge: bool) -> str:
    """Restore a backup file, all or nothing; returns the runner's alias."""
    doc = read_backup(path)
    with _session("import-backup") as session:
        return import_backup(session, doc, merge=merge).alias


def clip_stored_at(alias: str, field: str, sha256: str) -> dt.datetime | None:
    """When the runner's result of the test (results field) timed from the clip with
    ``sha256`` was stored; None when it is not."""
    key, side = STORED_AS[field]
    with _session("runner look-up") as session:
        row = clip_result(session, get_runner(session, alias), key, side, sha256)
        return None if row is None else row.taken_at


def check_runner(alias: str) -> None:
    """Fail early (before a long run) when the database or the runner is missing."""
    with _session("runner look-up") as session:
        get_runner(session, alias)


def store_summary(
    alias: str,
    kind: RecordKind,
    summary: BaseModel,
    source_name: str | None,
    out_dir: Path,
    still_jpeg: bytes | None = None,
) -> None:
    """Store a published summary (and an analysis's annotated still) as a runner's record.

    Called after the output folder was written: a failure here says so and names it.
    """
    try:
        with _session(f"storing the {kind} record") as session:
            add_record(
                session,
                get_runner(session, alias),
                kind,
                summary,
                source_name=source_name,
                still_jpeg=still_jpeg,
            )
    except StoreError as exc:
        raise StoreError(
            f"{exc.problem} (the output folder {out_dir} was written, but the record of "
            f"runner {alias!r} was not stored)",
            fix=exc.fix,
        ) from exc


def store_clip_summary(
    alias: str,
    kind: RecordKind,
    summary: BaseModel | Mapping[str, Any],
    source_name: str | None,
    source_sha256: str,
    still_jpeg: bytes | None = None,
) -> tuple[int, bool]:
    """Store a clip's summary as :func:`store_summary` does, once per runner and clip.

    A record of this kind already stored for the runner from the clip with this SHA-256
    is kept as it is and nothing is added, even when two processes store the same clip at
    once (the database's unique index decides).

    Returns
    -------
    record_id, stored
        The record of that clip, and whether this call stored it.
    """
    from sqlalchemy.exc import IntegrityError

    what = f"storing the {kind} record"
    try:
        with _session(what) as session:
            runner = get_runner(session, alias)
            kept = record_of_clip(session, runner, kind, source_sha256)
            if kept is not None:
                return kept.id, False
            record = add_record(
                session,
                runner,
                kind,
                summary,
                source_name=source_name,
                still_jpeg=still_jpeg,
                source_sha256=source_sha256,
            )
            return record.id, True
    except StoreError as exc:
        if not isinstance(exc.__cause__, IntegrityError):
            raise
    with _session(what) as session:  # stored by another process meanwhile
        kept = record_of_clip(session, get_runner(session, alias), kind, source_sha256)
        if kept is None:
            raise StoreError(
                f"{what}: the database refused the record of {source_name or 'the clip'}",
                fix="Run it again; if it happens again, report it with this message",
            )
        return kept.id, False
