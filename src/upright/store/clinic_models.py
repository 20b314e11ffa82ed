"""ORM models of clinic mode (``upright serve --clinic``): accounts, who treats whom,
invitations, signed-in sessions, login attempts and the audit log.

None of these tables is used by one person's single-user install. Secrets are never
stored: a password as its argon2 hash, a session id and an invitation token as their
SHA-256. The audit log is append-only: no code path updates or deletes an entry, and a
database trigger refuses both (see migration 0009); its runner is kept by id and alias,
with no foreign key, so deleting a runner keeps the entries about them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal, get_args

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from upright.store.models import Base, Runner, utc_now

__all__ = [
    "ROLES",
    "Account",
    "AuditEntry",
    "Invitation",
    "LoginAttempt",
    "Role",
    "TherapistRunner",
    "WebSession",
]

Role = Literal["admin", "therapist", "runner"]
ROLES: tuple[Role, ...] = get_args(Role)


class Account(Base):
    """A person who signs in: an admin, a therapist, or a runner (linked to one runner)."""

    __tablename__ = "account"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: Lower-case e-mail address, the sign-in name.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(String(10))
    #: The runner whose record a runner account is (None for admins and therapists).
    runner_id: Mapped[int | None] = mapped_column(
        ForeignKey("runner.id", ondelete="SET NULL"), index=True
    )
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)

    runner: Mapped[Runner | None] = relationship()


class TherapistRunner(Base):
    """A therapist treats a runner: they see and change that runner's record."""

    __tablename__ = "therapist_runner"

    therapist_id: Mapped[int] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE"), primary_key=True
    )
    runner_id: Mapped[int] = mapped_column(
        ForeignKey("runner.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    assigned_at: Mapped[datetime] = mapped_column(default=utc_now)


class Invitation(Base):
    """A one-time sign-up link made by an admin: the token's SHA-256, never the token."""

    __tablename__ = "invitation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(String(10))
    runner_id: Mapped[int | None] = mapped_column(ForeignKey("runner.id", ondelete="CASCADE"))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class WebSession(Base):
    """A signed-in browser: the SHA-256 of its session id, whose account, until when."""

    __tablename__ = "web_session"

    sid_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    last_seen_at: Mapped[datetime] = mapped_column(default=utc_now)
    expires_at: Mapped[datetime]


class LoginAttempt(Base):
    """One sign-in attempt, counted by account and by address for the rate limit.

    ``succeeded`` is None while the password is being checked (the attempt already
    counts), then True or False.
    """

    __tablename__ = "login_attempt"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utc_now, index=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
    succeeded: Mapped[bool | None] = mapped_column(Boolean)


class AuditEntry(Base):
    """Who viewed or changed which runner's record, when, through which route.

    Append-only. ``action`` is ``view`` (a page read), ``change`` (a form sent),
    ``refused`` (access denied), ``delete``, ``export``, or an account event
    (``sign-in``, ``sign-in refused``, ``sign-out``, ``invite``, ``assign``...).
    """

    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utc_now, index=True)
    account_id: Mapped[int | None] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(20))
    runner_id: Mapped[int | None] = mapped_column(Integer, index=True)
    runner_alias: Mapped[str | None] = mapped_column(String(100))
    method: Mapped[str | None] = mapped_column(String(10))
    route: Mapped[str | None] = mapped_column(String(100))
    path: Mapped[str | None] = mapped_column(Text)
    address: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[str | None] = mapped_column(Text)
