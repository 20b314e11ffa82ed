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
from upright.errors import AnswersError, InputError, StoreError
from upright.limits import HEIGHT_CM
from upright.services.checkup import CheckupResult, TriageReport, run_checkup, run_triage
from upright.services.endurance_test import EnduranceTestReport, run_endurance_test
from upright.store import (
    CLOCK_TOLERANCE,
    CheckUp,
    RecordKind,
    Runner,
    Side,
    add_checkup,
    add_clearance,
    add_endurance_test,
    add_record,
    export_runner,
    get_or_create_runner,
    get_runner,
    has_clearance,
    import_backup,
    latest_checkup,
    open_store,
    previous_endurance,
    read_backup,
    records,
    write_backup,
)
from upright.store.models import utc_now

__all__ = [
    "DEFAULT_CLEARS",
    "ProfileReport",
    "check_runner",
    "checkup_for_runner",
    "endurance_for_runner",
    "export_record",
    "import_record",
    "record_clearance",
    "store_summary",
    "triage_for_runner",
    "update_profile",
]

#: What a clearance clears when the runner does not say.
DEFAULT_CLEARS: Final = "exercise plan"

#: EnduranceResults field -> (stored test key, side).
_STORED_AS: Final[dict[str, tuple[str, Side | None]]] = {
    "flexor_s": ("flexor", None),
    "extensor_s": ("extensor", None),
    "side_bridge_right_s": ("side_bridge", "right"),
    "side_bridge_left_s": ("side_bridge", "left"),
    "supine_bridge_s": ("supine_bridge", None),
    "prone_plank_s": ("prone_plank", None),
    "single_leg_bridge_left_reps": ("single_leg_bridge", "left"),
    "single_leg_bridge_right_reps": ("single_leg_bridge", "right"),
}


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
    """The runner's stored summaries, newest first: when two give the same evidence field,
    the latest measurement is the one used."""
    return [
        (f"stored {r.kind} record {r.id} ({r.source_name or 'no file'})", r.summary)
        for r in reversed(records(session, runner))
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


def checkup_for_runner(
    alias: str,
    answers: Answers,
    evidence_paths: list[Path],
    wording: StartBackWording | None = None,
    odi_wording: OdiWording | None = None,
) -> CheckupResult:
    """Run the check-up with the runner's clearances and records, and store it."""
    with _session("check-up") as session:
        runner = get_runner(session, alias)
        answers = _with_clearance(session, runner, answers)
        result = run_checkup(
            answers, evidence_paths, wording, _stored_evidence(session, runner), odi_wording
        )
        add_checkup(session, runner, answers, screen=result.red_flags, triage=result.triage)
        return result


def triage_for_runner(
    alias: str, answers: Answers | None, evidence_paths: list[Path]
) -> TriageReport:
    """Triage with the given answers, or the runner's latest stored check-up answers."""
    with _session("triage") as session:
        runner = get_runner(session, alias)
        if answers is None:
            latest = latest_checkup(session, runner)
            if latest is None:
                raise InputError(
                    f"runner {alias!r} has no stored check-up",
                    fix=f"Run upright checkup --runner {alias} first, or give --answers",
                )
            answers = _stored_answers(latest)
        answers = _with_clearance(session, runner, answers)
        return run_triage(answers, evidence_paths, _stored_evidence(session, runner))


def endurance_for_runner(
    alias: str,
    results: EnduranceResults,
    previous: EnduranceResults | None,
    previous_file: Path | None = None,
) -> EnduranceTestReport:
    """Compare with ``previous`` (default: the runner's last stored result of each test),
    then store every result."""
    with _session("endurance test") as session:
        runner = get_runner(session, alias)
        if previous is None:
            previous = _previous_results(session, runner, results)
        report = run_endurance_test(results, previous, previous_file)
        _store_results(session, runner, results)
        return report


def _store_results(session: Session, runner: Runner, results: EnduranceResults) -> None:
    """Store every result given, one row per test (and side)."""
    for field, (key, side) in _STORED_AS.items():
        value = getattr(results, field)
        if value is None:
            continue
        if field.endswith("_reps"):
            add_endurance_test(session, runner, key, reps=int(value), side=side)
        else:
            add_endurance_test(session, runner, key, seconds=float(value), side=side)


def _previous_results(
    session: Session, runner: Runner, current: EnduranceResults
) -> EnduranceResults | None:
    data: dict[str, Any] = {}
    for field, (key, side) in _STORED_AS.items():
        row = previous_endurance(session, runner, key, side=side)
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
    age_band: str | None
    height_cm: float | None
    running_history: str | None
    created_at: str
    checkups: int
    endurance_tests: int
    records: dict[str, int]
    clearances: int
    database: str


def update_profile(
    alias: str,
    *,
    sex: str | None = None,
    age_band: str | None = None,
    height_cm: float | None = None,
    running_history: str | None = None,
) -> ProfileReport:
    """Create the runner, or update the profile fields given; report the history.

    Raises
    ------
    InputError
        A height outside the plausible range (:data:`upright.limits.HEIGHT_CM`).
    """
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
            ("age_band", age_band),
            ("height_cm", height_cm),
            ("running_history", running_history),
        ):
            if value is not None:
                setattr(runner, field, value)
        session.flush()
        kinds: dict[str, int] = {}
        for record in runner.records:
            kinds[record.kind] = kinds.get(record.kind, 0) + 1
        return ProfileReport(
            alias=runner.alias,
            sex=runner.sex,
            age_band=runner.age_band,
            height_cm=runner.height_cm,
            running_history=runner.running_history,
            created_at=runner.created_at.isoformat(),
            checkups=len(runner.checkups),
            endurance_tests=len(runner.endurance_tests),
            records=kinds,
            clearances=len(runner.clearances),
            database=session.get_bind().engine.url.render_as_string(hide_password=True),
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
