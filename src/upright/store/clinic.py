"""Reads and writes of clinic mode's tables (accounts, assignments, invitations, sessions,
login attempts, audit log), each within the caller's session.

Tokens and session ids arrive here already hashed (SHA-256 hex); passwords as their
argon2 hash. Nothing here updates or deletes an audit entry.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from upright.errors import InputError
from upright.store.clinic_models import (
    ROLES,
    Account,
    AuditEntry,
    Invitation,
    LoginAttempt,
    Role,
    TherapistRunner,
    WebSession,
)
from upright.store.models import Runner, utc_now

__all__ = [
    "add_account",
    "add_audit",
    "add_invitation",
    "add_web_session",
    "assign_runner",
    "audit_entries",
    "check_role",
    "count_attempts",
    "end_account_sessions",
    "end_web_session",
    "find_account",
    "find_invitation",
    "finish_attempt",
    "forget_attempts",
    "record_attempt",
    "session_account",
    "therapists_of",
    "unassign_runner",
    "use_invitation",
    "visible_runner_ids",
]


def check_role(role: str) -> Role:
    """``role`` as one of :data:`ROLES`, else an InputError."""
    for known in ROLES:
        if role == known:
            return known
    raise InputError(f"role {role!r} is not one of {', '.join(ROLES)}", fix="Choose a role")


def find_account(session: Session, email: str) -> Account | None:
    """The account signing in with this (lower-case) e-mail address, or None."""
    return session.scalar(select(Account).where(Account.email == email))


def add_account(
    session: Session,
    email: str,
    password_hash: str,
    role: Role,
    runner: Runner | None = None,
) -> Account:
    """A new account; a runner account names its runner, other roles none.

    Raises
    ------
    InputError
        The e-mail address is taken, or the runner does not fit the role.
    """
    check_role(role)
    if (role == "runner") != (runner is not None):
        raise InputError(
            f"a {role} account {'needs' if role == 'runner' else 'takes no'} runner",
            fix="Give --runner ALIAS for a runner account only",
        )
    if find_account(session, email) is not None:
        raise InputError(f"an account for {email} exists already", fix="Use another address")
    account = Account(
        email=email,
        password_hash=password_hash,
        role=role,
        runner=runner,
        active=True,
        created_at=utc_now(),
    )
    session.add(account)
    session.flush()
    return account


def assign_runner(session: Session, therapist: Account, runner: Runner) -> bool:
    """The therapist now treats the runner; False when they did already."""
    if therapist.role != "therapist":
        raise InputError(f"{therapist.email} is not a therapist", fix="Assign a therapist")
    key = (therapist.id, runner.id)
    if session.get(TherapistRunner, key) is not None:
        return False
    session.add(TherapistRunner(therapist_id=therapist.id, runner_id=runner.id))
    session.flush()
    return True


def unassign_runner(session: Session, therapist: Account, runner: Runner) -> bool:
    """The therapist no longer treats the runner; False when they did not."""
    found = session.get(TherapistRunner, (therapist.id, runner.id))
    if found is None:
        return False
    session.delete(found)
    session.flush()
    return True


def therapists_of(session: Session, runner: Runner) -> Sequence[Account]:
    """The therapists treating the runner."""
    return session.scalars(
        select(Account)
        .join(TherapistRunner, TherapistRunner.therapist_id == Account.id)
        .where(TherapistRunner.runner_id == runner.id)
        .order_by(Account.email)
    ).all()


def visible_runner_ids(session: Session, account: Account) -> set[int] | None:
    """The ids of the runners the account may see; None means every runner (admin)."""
    if account.role == "admin":
        return None
    if account.role == "runner":
        return {account.runner_id} if account.runner_id is not None else set()
    rows = session.scalars(
        select(TherapistRunner.runner_id).where(TherapistRunner.therapist_id == account.id)
    )
    return set(rows)


def add_invitation(
    session: Session,
    token_sha256: str,
    email: str,
    role: Role,
    *,
    runner: Runner | None,
    created_by: Account | None,
    expires_at: datetime,
) -> Invitation:
    """A new invitation, known by its token's hash."""
    invitation = Invitation(
        token_sha256=token_sha256,
        email=email,
        role=check_role(role),
        runner_id=runner.id if runner is not None else None,
        created_by=created_by.id if created_by is not None else None,
        created_at=utc_now(),
        expires_at=expires_at,
    )
    session.add(invitation)
    session.flush()
    return invitation


def find_invitation(session: Session, token_sha256: str, now: datetime) -> Invitation | None:
    """The unused, unexpired invitation with this token hash, or None."""
    return session.scalar(
        select(Invitation).where(
            Invitation.token_sha256 == token_sha256,
            Invitation.used_at.is_(None),
            Invitation.expires_at > now,
        )
    )


def use_invitation(session: Session, token_sha256: str, now: datetime) -> Invitation | None:
    """Mark the invitation used, once: the one conditional UPDATE decides, so of two
    concurrent uses only one gets the invitation (the other None)."""
    used = session.execute(
        update(Invitation)
        .where(
            Invitation.token_sha256 == token_sha256,
            Invitation.used_at.is_(None),
            Invitation.expires_at > now,
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if getattr(used, "rowcount", 0) != 1:
        return None
    return session.scalar(select(Invitation).where(Invitation.token_sha256 == token_sha256))


def add_web_session(
    session: Session, sid_sha256: str, account: Account, expires_at: datetime
) -> WebSession:
    """A signed-in session for the account."""
    now = utc_now()
    row = WebSession(
        sid_sha256=sid_sha256,
        account_id=account.id,
        created_at=now,
        last_seen_at=now,
        expires_at=expires_at,
    )
    session.add(row)
    session.flush()
    return row


def session_account(session: Session, sid_sha256: str, now: datetime) -> Account | None:
    """The active account signed in with this session, unless it expired."""
    return session.scalar(
        select(Account)
        .join(WebSession, WebSession.account_id == Account.id)
        .where(
            WebSession.sid_sha256 == sid_sha256,
            WebSession.expires_at > now,
            Account.active.is_(True),
        )
    )


def end_web_session(session: Session, sid_sha256: str) -> None:
    """Sign the session out (and drop expired sessions on the way)."""
    session.execute(
        delete(WebSession).where(
            or_(WebSession.sid_sha256 == sid_sha256, WebSession.expires_at <= utc_now())
        )
    )


def end_account_sessions(session: Session, account_id: int) -> None:
    """Sign the account out everywhere."""
    session.execute(delete(WebSession).where(WebSession.account_id == account_id))


def record_attempt(session: Session, email: str, address: str, now: datetime) -> LoginAttempt:
    """A sign-in attempt, counted from now on (its outcome still unknown)."""
    attempt = LoginAttempt(at=now, email=email, address=address, succeeded=None)
    session.add(attempt)
    session.flush()
    return attempt


def finish_attempt(session: Session, attempt_id: int, succeeded: bool) -> None:
    """Record how the attempt ended."""
    session.execute(
        update(LoginAttempt).where(LoginAttempt.id == attempt_id).values(succeeded=succeeded)
    )


def count_attempts(
    session: Session, since: datetime, *, email: str | None = None, address: str | None = None
) -> int:
    """Attempts since ``since`` that did not succeed (failed or still being checked), for
    one e-mail address or one network address."""
    query = (
        select(func.count())
        .select_from(LoginAttempt)
        .where(LoginAttempt.at >= since, LoginAttempt.succeeded.is_not(True))
    )
    if email is not None:
        query = query.where(LoginAttempt.email == email)
    if address is not None:
        query = query.where(LoginAttempt.address == address)
    return int(session.scalar(query) or 0)


def forget_attempts(session: Session, before: datetime) -> None:
    """Drop attempts older than the rate limit's window (they count no more)."""
    session.execute(delete(LoginAttempt).where(LoginAttempt.at < before))


def add_audit(session: Session, **fields: Any) -> AuditEntry:
    """Append one audit entry (see :class:`AuditEntry` for the fields)."""
    entry = AuditEntry(at=utc_now(), **fields)
    session.add(entry)
    session.flush()
    return entry


def audit_entries(
    session: Session, *, runner_id: int | None = None, limit: int = 500
) -> Sequence[AuditEntry]:
    """The latest audit entries, newest first, optionally about one runner."""
    query = select(AuditEntry)
    if runner_id is not None:
        query = query.where(AuditEntry.runner_id == runner_id)
    return session.scalars(query.order_by(AuditEntry.id.desc()).limit(limit)).all()
