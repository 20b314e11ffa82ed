"""ORM models of upright's database (SQLAlchemy 2, typed).

Every time is stored in UTC and read back timezone-aware. JSON columns hold the
``model_dump(mode="json")`` of upright's pydantic results, so a row can be validated back
into the model it came from. The schema itself is created by the Alembic migrations in
``migrations/``; change a model only together with a new revision there.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar, Literal, get_args

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

__all__ = [
    "JOB_STATUSES",
    "RECORD_KINDS",
    "Base",
    "CheckUp",
    "Clearance",
    "EnduranceSource",
    "EnduranceTest",
    "Job",
    "JobStatus",
    "MeasuredForm",
    "Record",
    "RecordKind",
    "RunLog",
    "Runner",
    "SessionLog",
    "utc_now",
]

RecordKind = Literal["analysis", "compare", "run", "imu", "form"]
#: Where an endurance result came from: typed (or the guided timer), or timed from a clip.
EnduranceSource = Literal["typed", "video"]
RECORD_KINDS: tuple[RecordKind, ...] = get_args(RecordKind)
JobStatus = Literal["queued", "running", "done", "failed"]
JOB_STATUSES: tuple[JobStatus, ...] = get_args(JobStatus)


def utc_now() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime stored in UTC (SQLite keeps no offset, so it is implied)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value.isoformat()}: give a timezone-aware time")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


JsonDict = dict[str, Any]


class Base(DeclarativeBase):
    """Declarative base; ``Base.metadata`` is the migrations' target."""

    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime, JsonDict: JSON}


class Runner(Base):
    """One runner, known by a unique alias (a name or a nickname)."""

    __tablename__ = "runner"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    alias: Mapped[str] = mapped_column(String(100), unique=True)
    sex: Mapped[str | None] = mapped_column(String(10))
    #: Endurance norm population, "general" or "athlete"; None reads as "general".
    population: Mapped[str | None] = mapped_column(String(10))
    age_band: Mapped[str | None] = mapped_column(String(20))
    height_cm: Mapped[float | None] = mapped_column(Float)
    running_history: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)

    checkups: Mapped[list[CheckUp]] = relationship(
        back_populates="runner", cascade="all, delete-orphan", order_by="CheckUp.taken_at"
    )
    endurance_tests: Mapped[list[EnduranceTest]] = relationship(
        back_populates="runner", cascade="all, delete-orphan", order_by="EnduranceTest.taken_at"
    )
    clearances: Mapped[list[Clearance]] = relationship(
        back_populates="runner", cascade="all, delete-orphan", order_by="Clearance.given_at"
    )
    records: Mapped[list[Record]] = relationship(
        back_populates="runner",
        cascade="all, delete-orphan",
        order_by="[Record.created_at, Record.id]",
    )
    session_logs: Mapped[list[SessionLog]] = relationship(
        back_populates="runner",
        cascade="all, delete-orphan",
        order_by="SessionLog.day",
    )
    run_logs: Mapped[list[RunLog]] = relationship(
        back_populates="runner", cascade="all, delete-orphan", order_by="RunLog.day"
    )


class CheckUp(Base):
    """One check-up: the answers given, the red-flag screen and the triage drawn from them."""

    __tablename__ = "checkup"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    runner_id: Mapped[int] = mapped_column(ForeignKey("runner.id", ondelete="CASCADE"), index=True)
    taken_at: Mapped[datetime] = mapped_column(default=utc_now)
    answers: Mapped[JsonDict]
    red_flag_screen: Mapped[JsonDict | None]
    triage: Mapped[JsonDict | None]
    upright_version: Mapped[str] = mapped_column(String(40))

    runner: Mapped[Runner] = relationship(back_populates="checkups")


class EnduranceTest(Base):
    """One endurance test result: a hold in seconds or a count of repetitions.

    ``source`` is "typed" (typed, or timed with the guided timer) or "video" (timed from
    a clip by the test's stop rule); a result from a clip keeps the clip's file name and
    SHA-256, and when (seconds into the clip) and why the position was lost.
    """

    __tablename__ = "endurance_test"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    runner_id: Mapped[int] = mapped_column(ForeignKey("runner.id", ondelete="CASCADE"), index=True)
    taken_at: Mapped[datetime] = mapped_column(default=utc_now)
    test_key: Mapped[str] = mapped_column(String(60), index=True)
    seconds: Mapped[float | None] = mapped_column(Float)
    reps: Mapped[int | None] = mapped_column(Integer)
    side: Mapped[str | None] = mapped_column(String(10))
    notes: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(10), default="typed", server_default="typed")
    source_name: Mapped[str | None] = mapped_column(Text)
    source_sha256: Mapped[str | None] = mapped_column(String(64))
    ended_at_s: Mapped[float | None] = mapped_column(Float)
    ended_reason: Mapped[str | None] = mapped_column(Text)

    runner: Mapped[Runner] = relationship(back_populates="endurance_tests")


class Clearance(Base):
    """A clinician's clearance, in the runner's words: who cleared what, and when."""

    __tablename__ = "clearance"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    runner_id: Mapped[int] = mapped_column(ForeignKey("runner.id", ondelete="CASCADE"), index=True)
    given_at: Mapped[datetime] = mapped_column(default=utc_now)
    clinician: Mapped[str] = mapped_column(Text)
    clears: Mapped[str] = mapped_column(Text)

    runner: Mapped[Runner] = relationship(back_populates="clearances")


class Record(Base):
    """A stored summary of ``analyze``, ``compare``, ``run``, ``imu`` or ``form``, as
    published JSON. A form check (kind "form") is an exercise measured from a clip, never
    evidence about running: the triage reads only the kinds it knows."""

    __tablename__ = "record"
    #: One clip is stored once per runner and kind (NULL hashes are not compared).
    __table_args__ = (
        Index("ix_record_runner_kind_sha256", "runner_id", "kind", "source_sha256", unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    runner_id: Mapped[int] = mapped_column(ForeignKey("runner.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    source_name: Mapped[str | None] = mapped_column(Text)
    #: SHA-256 of the clip (or keypoint file) measured, when the storing command knew it.
    source_sha256: Mapped[str | None] = mapped_column(String(64))
    summary: Mapped[JsonDict]
    schema_version: Mapped[str] = mapped_column(String(40))
    #: An annotated still of the runner (JPEG) for analyses of a video; None otherwise.
    still_jpeg: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)

    runner: Mapped[Runner] = relationship(back_populates="records")


class SessionLog(Base):
    """One exercise session as logged: the amount done per exercise key (in the unit the
    plan prescribes it: seconds held or reps), form, pain.

    ``completion`` is "full" when every prescribed exercise was logged at its dose,
    "partial" otherwise, and None for sessions logged before doses were checked (never
    counted as done in full; see migration 0004).
    """

    __tablename__ = "session_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    runner_id: Mapped[int] = mapped_column(ForeignKey("runner.id", ondelete="CASCADE"), index=True)
    day: Mapped[date] = mapped_column(Date)
    level: Mapped[int] = mapped_column(Integer)
    exercises: Mapped[JsonDict]
    completed: Mapped[bool] = mapped_column(Boolean)
    completion: Mapped[str | None] = mapped_column(String(10))
    form: Mapped[str] = mapped_column(String(10))
    pain_during: Mapped[int] = mapped_column(Integer)
    pain_next_morning: Mapped[int | None] = mapped_column(Integer)
    logged_at: Mapped[datetime] = mapped_column(default=utc_now)

    runner: Mapped[Runner] = relationship(back_populates="session_logs")
    measured_form: Mapped[list[MeasuredForm]] = relationship(
        back_populates="session_log",
        cascade="all, delete-orphan",
        order_by="MeasuredForm.id",
        lazy="selectin",
    )


class MeasuredForm(Base):
    """The form of one exercise of a logged session, measured from one clip.

    ``held_s`` is the time in position, ``good_form_s`` the part of it with good form
    (what counts towards the prescribed hold time); ``reps`` and ``good_reps`` are set for
    repetition exercises only. ``first_fault`` is the fault that first broke form (None
    when form stayed good) and ``first_fault_s`` its time in the clip. The clip is known by
    its file name and the SHA-256 of its bytes; the clip itself is not stored.
    """

    __tablename__ = "measured_form"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_log_id: Mapped[int] = mapped_column(
        ForeignKey("session_log.id", ondelete="CASCADE"), index=True
    )
    exercise_key: Mapped[str] = mapped_column(String(60))
    side: Mapped[str | None] = mapped_column(String(10))
    held_s: Mapped[float] = mapped_column(Float)
    good_form_s: Mapped[float] = mapped_column(Float)
    reps: Mapped[int | None] = mapped_column(Integer)
    good_reps: Mapped[int | None] = mapped_column(Integer)
    first_fault: Mapped[str | None] = mapped_column(String(60))
    first_fault_s: Mapped[float | None] = mapped_column(Float)
    clip_name: Mapped[str] = mapped_column(Text)
    clip_sha256: Mapped[str] = mapped_column(String(64))

    session_log: Mapped[SessionLog] = relationship(back_populates="measured_form")


class RunLog(Base):
    """One run as logged: distance, duration, pain during/after/next morning, pain onset."""

    __tablename__ = "run_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    runner_id: Mapped[int] = mapped_column(ForeignKey("runner.id", ondelete="CASCADE"), index=True)
    day: Mapped[date] = mapped_column(Date)
    distance_km: Mapped[float | None] = mapped_column(Float)
    duration_min: Mapped[float | None] = mapped_column(Float)
    pain_during: Mapped[int] = mapped_column(Integer)
    pain_after: Mapped[int | None] = mapped_column(Integer)
    pain_next_morning: Mapped[int | None] = mapped_column(Integer)
    pain_onset_km: Mapped[float | None] = mapped_column(Float)
    pain_onset_min: Mapped[float | None] = mapped_column(Float)
    source_name: Mapped[str | None] = mapped_column(Text)
    logged_at: Mapped[datetime] = mapped_column(default=utc_now)

    runner: Mapped[Runner] = relationship(back_populates="run_logs")


class Job(Base):
    """A piece of long work (a clip's pose estimation and analysis...) run outside a request.

    ``status`` goes ``queued`` -> ``running`` -> ``done`` or ``failed``; a job found
    ``running`` when the queue starts (the app stopped under it) goes back to ``queued``
    until it has been started ``attempts`` times too often. ``progress`` runs from 0 to 1
    and ``message`` says what it is doing; a failed job's ``message`` is the paragraph the
    command line prints. ``result`` (JSON) names its outputs; a record it stores is stored
    in the same transaction that marks it done.
    """

    __tablename__ = "job"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    params: Mapped[JsonDict]
    runner_id: Mapped[int | None] = mapped_column(
        ForeignKey("runner.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(10), index=True)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    message: Mapped[str | None] = mapped_column(Text)
    result: Mapped[JsonDict | None]
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    #: The clinic account that submitted it (None from the command line or one person's
    #: install); a job for no runner is shown to its creator and admins only.
    created_by: Mapped[int | None] = mapped_column(Integer)

    runner: Mapped[Runner | None] = relationship()
