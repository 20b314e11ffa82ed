"""Back up one runner to a JSON document (``upright.backup/1``) and restore it.

:func:`export_runner` builds the document, :func:`import_backup` validates and restores it
(all or nothing, inside the caller's session), :func:`write_backup` writes it atomically
and :func:`read_backup` reads and validates a backup file.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
import tempfile
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any, Final, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
)
from sqlalchemy.orm import Session

from upright import __version__
from upright.assessment.answers import Clearance as AnswersClearance
from upright.assessment.answers import check_clinician
from upright.errors import CorruptFileError, InputError
from upright.io.documents import load_json
from upright.ledger import interrupts_deferred, note_landed
from upright.limits import (
    EARLIEST_RECORDING_UTC,
    HEIGHT_CM,
    HOLD_S_MAX,
    REPS_MAX,
    RUN_DISTANCE_KM_MAX,
    RUN_DURATION_MIN_MAX,
    latest_plausible_utc,
)
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
)
from upright.store.repository import check_not_future, find_runner, get_runner

__all__ = [
    "BACKUP_SCHEMA_VERSION",
    "BackupDocument",
    "export_runner",
    "import_backup",
    "read_backup",
    "validate_backup",
    "write_backup",
]

BACKUP_SCHEMA_VERSION: Final = "upright.backup/1"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


def _plausible_time(value: datetime) -> datetime:
    if not EARLIEST_RECORDING_UTC <= value <= latest_plausible_utc():
        raise ValueError(f"{value.isoformat()} is before 1990 or in the future")
    return value


def _plausible_day(value: date) -> date:
    if not EARLIEST_RECORDING_UTC.date() <= value <= latest_plausible_utc().date():
        raise ValueError(f"{value.isoformat()} is before 1990 or in the future")
    return value


#: A time or a day a record can carry: from 1990 to now (upright.limits).
PlausibleTime = Annotated[AwareDatetime, AfterValidator(_plausible_time)]
PlausibleDay = Annotated[date, AfterValidator(_plausible_day)]

_AGE_MAX_YEARS = 120


def _plausible_age_band(value: str | None) -> str | None:
    if value is not None and any(int(n) > _AGE_MAX_YEARS for n in re.findall(r"\d+", value)):
        raise ValueError(f"{value!r} holds an age over {_AGE_MAX_YEARS} years")
    return value


class RunnerDoc(_Model):
    alias: str = Field(min_length=1, max_length=100)
    sex: str | None = Field(default=None, max_length=10)
    population: Literal["general", "athlete"] | None = None
    age_band: Annotated[str | None, AfterValidator(_plausible_age_band)] = Field(
        default=None, max_length=20
    )
    height_cm: float | None = Field(default=None, ge=HEIGHT_CM[0], le=HEIGHT_CM[1])
    running_history: str | None = None
    created_at: PlausibleTime


class CheckUpDoc(_Model):
    taken_at: PlausibleTime
    answers: dict[str, Any]
    red_flag_screen: dict[str, Any] | None = None
    triage: dict[str, Any] | None = None
    upright_version: str

    @field_validator("answers")
    @classmethod
    def _real_clearance(cls, value: dict[str, Any]) -> dict[str, Any]:
        """A clearance in the answers lifts a block only with a real date and a clinician."""
        clearance = value.get("clearance")
        if clearance is not None:
            try:
                AnswersClearance.model_validate(clearance)
            except ValidationError as exc:
                raise ValueError(f"clearance: {_describe(exc)}") from None
        return value


class EnduranceTestDoc(_Model):
    taken_at: PlausibleTime
    test_key: str = Field(min_length=1, max_length=60)
    seconds: float | None = Field(default=None, ge=0, le=HOLD_S_MAX)
    reps: int | None = Field(default=None, ge=0, le=REPS_MAX)
    side: Literal["left", "right"] | None = None
    notes: str | None = None
    source: Literal["typed", "video"] = Field(
        default="typed",
        description="typed (or the guided timer); video: timed from a clip. Backups "
        "written before results were timed from clips have none: typed.",
    )
    source_name: str | None = Field(default=None, description="The clip's file name.")
    source_sha256: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")
    ended_at_s: float | None = Field(
        default=None, ge=0, le=86_400, description="Seconds into the clip."
    )
    ended_reason: str | None = Field(default=None, description="Why the position was lost.")


class ClearanceDoc(_Model):
    given_at: AwareDatetime  # plausible, checked below after the clearance's own rule
    clinician: str = Field(min_length=1)
    clears: str = Field(min_length=1)

    @field_validator("given_at")
    @classmethod
    def _not_future(cls, value: datetime) -> datetime:
        """A future clearance is named as such; then the plausible range of every time."""
        try:
            value = check_not_future(value, "clearance")
        except InputError as exc:
            raise ValueError(exc.problem) from None
        return _plausible_time(value)

    @field_validator("clinician")
    @classmethod
    def _named(cls, value: str) -> str:
        return check_clinician(value)

    @field_validator("clears")
    @classmethod
    def _says_what(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("what the clearance clears is blank")
        return value.strip()


class RecordDoc(_Model):
    kind: RecordKind
    created_at: PlausibleTime
    source_name: str | None = None
    source_sha256: str | None = Field(
        default=None, pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the clip measured."
    )
    summary: dict[str, Any]
    schema_version: str
    still_jpeg_base64: str | None = Field(
        default=None, description="The analysis's annotated still, JPEG in base64."
    )

    @field_validator("still_jpeg_base64")
    @classmethod
    def _is_base64(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                base64.b64decode(value, validate=True)
            except binascii.Error as exc:
                raise ValueError(f"not base64 ({exc})") from None
        return value

    def to_row(self) -> Record:
        """The ORM row, the still decoded."""
        data = self.model_dump(exclude={"still_jpeg_base64"})
        still = base64.b64decode(self.still_jpeg_base64) if self.still_jpeg_base64 else None
        return Record(**data, still_jpeg=still)


def _record_doc(r: Record) -> RecordDoc:
    still = base64.b64encode(r.still_jpeg).decode("ascii") if r.still_jpeg else None
    return RecordDoc(
        kind=_record_kind(r.kind),
        created_at=r.created_at,
        source_name=r.source_name,
        source_sha256=r.source_sha256,
        summary=r.summary,
        schema_version=r.schema_version,
        still_jpeg_base64=still,
    )


def _record_kind(kind: str) -> RecordKind:
    for known in RECORD_KINDS:
        if kind == known:
            return known
    raise InputError(f"stored record kind {kind!r} is not one of {', '.join(RECORD_KINDS)}")


def _population(value: str | None) -> Literal["general", "athlete"] | None:
    if value is None:
        return None
    if value == "athlete":
        return "athlete"
    if value == "general":
        return "general"
    raise InputError(f"stored norm population {value!r} is not 'general' or 'athlete'")


class MeasuredFormDoc(_Model):
    """The form of one exercise of a session, measured from one clip."""

    exercise_key: str = Field(min_length=1, max_length=60)
    side: Literal["left", "right"] | None = None
    held_s: float = Field(ge=0, le=HOLD_S_MAX)
    good_form_s: float = Field(ge=0, le=HOLD_S_MAX)
    reps: int | None = Field(default=None, ge=0, le=REPS_MAX)
    good_reps: int | None = Field(default=None, ge=0, le=REPS_MAX)
    first_fault: str | None = Field(default=None, max_length=60)
    first_fault_s: float | None = Field(default=None, ge=0)
    clip_name: str = Field(min_length=1)
    clip_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")

    def to_row(self) -> MeasuredForm:
        """The ORM row."""
        return MeasuredForm(**self.model_dump())


class SessionLogDoc(_Model):
    day: PlausibleDay
    level: int = Field(ge=1, le=3)
    exercises: dict[str, Annotated[float, Field(ge=0, le=HOLD_S_MAX)]]
    completed: bool
    completion: Literal["full", "partial"] | None = Field(
        default=None,
        description="full: every prescribed exercise at its dose; None: logged before "
        "doses were checked (never counted as done in full).",
    )
    form: Literal["good", "poor"]
    pain_during: int = Field(ge=0, le=10)
    pain_next_morning: int | None = Field(default=None, ge=0, le=10)
    logged_at: PlausibleTime
    measured_form: list[MeasuredFormDoc] = Field(
        default_factory=list,
        description="Form measured from video, one entry per clip; empty when the form "
        "was typed (and in backups written before form was measured).",
    )

    def to_row(self) -> SessionLog:
        """The ORM row with its measured form."""
        row = SessionLog(**self.model_dump(exclude={"measured_form"}))
        row.measured_form = [m.to_row() for m in self.measured_form]
        return row


def _session_log_doc(x: SessionLog) -> SessionLogDoc:
    fields = {k: getattr(x, k) for k in SessionLogDoc.model_fields if k != "measured_form"}
    measured = [
        MeasuredFormDoc.model_validate({k: getattr(m, k) for k in MeasuredFormDoc.model_fields})
        for m in x.measured_form
    ]
    return SessionLogDoc.model_validate(fields | {"measured_form": measured})


class RunLogDoc(_Model):
    day: PlausibleDay
    distance_km: float | None = Field(default=None, ge=0, le=RUN_DISTANCE_KM_MAX)
    duration_min: float | None = Field(default=None, ge=0, le=RUN_DURATION_MIN_MAX)
    pain_during: int = Field(ge=0, le=10)
    pain_after: int | None = Field(default=None, ge=0, le=10)
    pain_next_morning: int | None = Field(default=None, ge=0, le=10)
    pain_onset_km: float | None = Field(default=None, ge=0, le=RUN_DISTANCE_KM_MAX)
    pain_onset_min: float | None = Field(default=None, ge=0, le=RUN_DURATION_MIN_MAX)
    source_name: str | None = None
    logged_at: PlausibleTime


class BackupDocument(_Model):
    """One runner with everything stored about them."""

    schema_version: Literal["upright.backup/1"] = BACKUP_SCHEMA_VERSION
    exported_at: PlausibleTime
    upright_version: str
    runner: RunnerDoc
    checkups: list[CheckUpDoc] = Field(default_factory=list)
    endurance_tests: list[EnduranceTestDoc] = Field(default_factory=list)
    clearances: list[ClearanceDoc] = Field(default_factory=list)
    records: list[RecordDoc] = Field(default_factory=list)
    session_logs: list[SessionLogDoc] = Field(default_factory=list)
    run_logs: list[RunLogDoc] = Field(default_factory=list)


def export_runner(session: Session, alias: str, *, now: datetime | None = None) -> dict[str, Any]:
    """Everything stored about one runner, as one JSON-able ``upright.backup/1`` document.

    Raises
    ------
    InputError
        No runner has this alias, or a stored value is not plausible (named: a backup
        holding it could not be restored).
    """
    runner = get_runner(session, alias)
    try:
        doc = _document(runner, now)
    except ValidationError as exc:
        raise InputError(
            f"runner {alias!r} cannot be backed up: a stored value is not plausible "
            f"({_describe(exc)})",
            fix="Correct it (upright profile for the profile) and export again",
        ) from None
    return doc.model_dump(mode="json")


def _document(runner: Runner, now: datetime | None) -> BackupDocument:
    return BackupDocument(
        exported_at=now or datetime.now().astimezone(),
        upright_version=__version__,
        runner=RunnerDoc(
            alias=runner.alias,
            sex=runner.sex,
            population=_population(runner.population),
            age_band=runner.age_band,
            height_cm=runner.height_cm,
            running_history=runner.running_history,
            created_at=runner.created_at,
        ),
        checkups=[
            CheckUpDoc(
                taken_at=c.taken_at,
                answers=c.answers,
                red_flag_screen=c.red_flag_screen,
                triage=c.triage,
                upright_version=c.upright_version,
            )
            for c in runner.checkups
        ],
        endurance_tests=[
            EnduranceTestDoc.model_validate(
                {k: getattr(t, k) for k in EnduranceTestDoc.model_fields}
            )
            for t in runner.endurance_tests
        ],
        clearances=[
            ClearanceDoc(given_at=c.given_at, clinician=c.clinician, clears=c.clears)
            for c in runner.clearances
        ],
        records=[_record_doc(r) for r in runner.records],
        session_logs=[_session_log_doc(x) for x in runner.session_logs],
        run_logs=[
            RunLogDoc.model_validate({k: getattr(x, k) for k in RunLogDoc.model_fields})
            for x in runner.run_logs
        ],
    )


def _describe(err: ValidationError) -> str:
    parts = []
    for item in err.errors()[:5]:
        where = ".".join(str(p) for p in item["loc"]) or "(top level)"
        parts.append(f"{where}: {item['msg']}")
    more = len(err.errors()) - 5
    return "; ".join(parts) + (f"; and {more} more" if more > 0 else "")


def validate_backup(doc: Mapping[str, Any] | BackupDocument) -> BackupDocument:
    """Validate a backup document.

    Raises
    ------
    InputError
        The document is not a valid ``upright.backup/1`` document (names the fields).
    """
    if isinstance(doc, BackupDocument):
        return doc
    version = doc.get("schema_version") if isinstance(doc, Mapping) else None
    if version != BACKUP_SCHEMA_VERSION:
        raise InputError(
            f"not an {BACKUP_SCHEMA_VERSION} document (schema_version is {version!r})",
            fix="Give a file written by upright's backup export",
        )
    try:
        return BackupDocument.model_validate(doc)
    except ValidationError as exc:
        raise InputError(
            f"invalid {BACKUP_SCHEMA_VERSION} document: {_describe(exc)}",
            fix="Restore from an unedited backup file",
        ) from exc


def _add_missing(runner: Runner, doc: BackupDocument) -> None:
    """Attach the document's rows to the runner, skipping those already stored."""
    have_checkups = {c.taken_at for c in runner.checkups}
    for c in doc.checkups:
        if c.taken_at not in have_checkups:
            runner.checkups.append(CheckUp(**c.model_dump()))
    have_tests = {(t.taken_at, t.test_key, t.side) for t in runner.endurance_tests}
    for t in doc.endurance_tests:
        if (t.taken_at, t.test_key, t.side) not in have_tests:
            runner.endurance_tests.append(EnduranceTest(**t.model_dump()))
    have_clearances = {(c.given_at, c.clears) for c in runner.clearances}
    for cl in doc.clearances:
        if (cl.given_at, cl.clears) not in have_clearances:
            runner.clearances.append(Clearance(**cl.model_dump()))
    have_records = {(r.kind, r.created_at, r.source_name) for r in runner.records}
    have_clips: set[tuple[str, str | None]] = {
        (r.kind, r.source_sha256) for r in runner.records if r.source_sha256
    }
    for r in doc.records:
        clip: tuple[str, str | None] = (r.kind, r.source_sha256)
        if (r.kind, r.created_at, r.source_name) not in have_records and clip not in have_clips:
            runner.records.append(r.to_row())
            if r.source_sha256:
                have_clips.add(clip)
    have_sessions = {x.logged_at for x in runner.session_logs}
    for sl in doc.session_logs:
        if sl.logged_at not in have_sessions:
            runner.session_logs.append(sl.to_row())
    have_runs = {x.logged_at for x in runner.run_logs}
    for rl in doc.run_logs:
        if rl.logged_at not in have_runs:
            runner.run_logs.append(RunLog(**rl.model_dump()))


def import_backup(
    session: Session, doc: Mapping[str, Any] | BackupDocument, *, merge: bool = False
) -> Runner:
    """Restore a backup document into the session's database.

    Parameters
    ----------
    doc
        An ``upright.backup/1`` document (as from :func:`export_runner` or :func:`read_backup`).
    merge
        When the alias already exists: False refuses; True adds the rows not already stored
        (same time and kind) and fills the profile fields the stored runner lacks.

    Raises
    ------
    InputError
        The document is invalid, or the alias exists and ``merge`` is False. Nothing is
        written in either case; any later failure is rolled back by ``Store.session()``.
    """
    valid = validate_backup(doc)
    runner = find_runner(session, valid.runner.alias)
    if runner is not None and not merge:
        raise InputError(
            f"runner {valid.runner.alias!r} already exists in this database",
            fix="Import with merge to add the backup's rows to the stored runner",
        )
    if runner is None:
        runner = Runner(**valid.runner.model_dump())
        session.add(runner)
    else:
        for field in ("sex", "population", "age_band", "height_cm", "running_history"):
            if getattr(runner, field) is None:
                setattr(runner, field, getattr(valid.runner, field))
    _add_missing(runner, valid)
    session.flush()
    return runner


def write_backup(path: Path, doc: Mapping[str, Any]) -> None:
    """Write a backup document to ``path`` atomically (a temporary file, then a rename)."""
    validate_backup(doc)
    path = Path(path)
    text = json.dumps(doc, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        with interrupts_deferred():
            os.replace(tmp, path)
            note_landed("file", str(path), path.resolve())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_backup(path: Path) -> dict[str, Any]:
    """Read and validate a backup file.

    Raises
    ------
    InputError
        The file does not exist.
    CorruptFileError
        The file is not JSON, or not a valid ``upright.backup/1`` document.
    """
    path = Path(path)
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise InputError("backup file not found", path=path) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise CorruptFileError(f"cannot read the backup file: {exc}", path=path) from exc
    try:
        data = load_json(raw, path)
    except InputError as exc:
        raise CorruptFileError(
            exc.problem,
            path=path,
            fix="The backup file is damaged, truncated or edited; use another copy",
        ) from exc
    if not isinstance(data, dict):
        raise CorruptFileError(
            f"expected a JSON object, found {type(data).__name__}",
            path=path,
            fix="Give a file written by upright's backup export",
        )
    try:
        validate_backup(data)
    except InputError as exc:
        raise CorruptFileError(exc.problem, path=path, fix=exc.fix) from exc
    return data
