"""Clinic mode's accounts: passwords, sign-in with its rate limit, sessions, invitations,
therapist-runner assignments and the audit log.

Passwords are hashed with argon2id (argon2-cffi, RFC 9106's low-memory profile), never
stored or logged; a session id and an invitation token are random (``secrets``) and kept
only as their SHA-256. The rate limit counts attempts in the database, so every app
process serving the same database sees the same count: an attempt is written (and
committed) before its password is checked, so concurrent attempts count each other.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from upright.errors import InputError
from upright.store import Runner, Store, find_runner, get_runner
from upright.store.clinic import (
    add_account,
    add_audit,
    add_invitation,
    add_web_session,
    assign_runner,
    check_role,
    count_attempts,
    end_account_sessions,
    end_web_session,
    find_account,
    find_invitation,
    finish_attempt,
    forget_attempts,
    record_attempt,
    session_account,
    unassign_runner,
    use_invitation,
    visible_runner_ids,
)
from upright.store.clinic_models import Account, AuditEntry, Role, TherapistRunner
from upright.store.jobs import get_job
from upright.store.models import utc_now

__all__ = [
    "PASSWORD_CHARS",
    "Clinic",
    "ClinicPolicy",
    "JobRef",
    "RateLimitedError",
    "SignInError",
    "Viewer",
    "hash_password",
    "hash_token",
    "normal_email",
    "verify_password",
]

#: Shortest and longest password accepted.
PASSWORD_CHARS: Final = (10, 1024)
_INSTALL_HINT: Final = "Install the clinic extra: pip install 'upright[clinic]'"


class SignInError(InputError):
    """The e-mail address and password do not match an active account."""


class RateLimitedError(InputError):
    """Too many failed sign-ins for this account or from this address; wait."""


@cache
def _hasher() -> Any:
    try:
        from argon2 import PasswordHasher
        from argon2.profiles import RFC_9106_LOW_MEMORY
    except ImportError as exc:  # pragma: no cover - the clinic extra is missing
        raise InputError(
            "clinic mode needs argon2-cffi, which is not installed", fix=_INSTALL_HINT
        ) from exc
    # named, not left to the library's defaults: argon2id, 3 passes over 64 MiB, 4 lanes
    # (about 50-100 ms of one core's time per sign-in, a few hundred on a busy machine)
    return PasswordHasher.from_parameters(RFC_9106_LOW_MEMORY)


#: Password hashes computed at once by this process. Each already keeps 4 threads busy,
#: so a burst of sign-ins (everyone at 9 am) is served one after the other: the first
#: are in after a tenth of a second rather than all after the whole burst, and the
#: other pages keep some of the processor meanwhile.
_HASH_SLOTS: Final = threading.BoundedSemaphore(max(1, (os.cpu_count() or 1) // 4))


def hash_password(password: str) -> str:
    """The argon2id hash of ``password`` (with its own random salt), after the length
    check.

    Raises
    ------
    InputError
        Shorter than 10 or longer than 1024 characters.
    """
    lo, hi = PASSWORD_CHARS
    if not lo <= len(password) <= hi:
        raise InputError(
            f"the password has {len(password)} characters",
            fix=f"Choose a password of {lo} to {hi} characters (a few words are easy to remember)",
        )
    with _HASH_SLOTS:
        text: str = _hasher().hash(password)
    return text


def verify_password(password_hash: str, password: str) -> bool:
    """Whether ``password`` is the one ``password_hash`` was made from."""
    from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

    try:
        with _HASH_SLOTS:
            return bool(_hasher().verify(password_hash, password))
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


@cache
def _decoy_hash() -> str:
    """A hash checked for an unknown address, so its answer takes as long as a known one's."""
    return hash_password(secrets.token_urlsafe(16))


def hash_token(token: str) -> str:
    """The SHA-256 (hex) a session id or invitation token is kept as."""
    return hashlib.sha256(token.encode()).hexdigest()


def normal_email(email: str) -> str:
    """The address as accounts are keyed: trimmed, lower-case, checked for shape.

    Raises
    ------
    InputError
        Not of the shape name@domain.
    """
    value = email.strip().lower()
    name, at, domain = value.partition("@")
    if not at or not name or "." not in domain or any(c.isspace() for c in value):
        raise InputError(
            f"{email.strip()!r} is not an e-mail address",
            fix="Give an address such as pt@clinic.example",
        )
    if len(value) > 254:
        raise InputError("the e-mail address is longer than 254 characters")
    return value


@dataclass(frozen=True)
class ClinicPolicy:
    """Clinic mode's limits (set from :class:`upright.web.WebSettings`)."""

    session_hours: float = 12.0
    max_failures_per_account: int = 5
    max_failures_per_address: int = 20
    window_minutes: float = 15.0
    invitation_days: float = 7.0


@dataclass(frozen=True)
class Viewer:
    """A signed-in account, as the access rules read it.

    ``visible`` holds the ids of the runners it may see; None means every runner.
    """

    account_id: int
    email: str
    role: Role
    runner_id: int | None
    runner_alias: str | None
    visible: frozenset[int] | None

    def sees(self, runner_id: int) -> bool:
        """Whether the account may see (and change) this runner's record."""
        return self.visible is None or runner_id in self.visible


@dataclass(frozen=True)
class AccountRow:
    """One account, for the admin's page."""

    email: str
    role: str
    active: bool
    runner_alias: str | None
    treats: tuple[str, ...]


@dataclass(frozen=True)
class AuditRow:
    """One audit entry, for the audit page."""

    at: datetime
    actor: str
    action: str
    runner_alias: str | None
    method: str | None
    route: str | None
    detail: str | None


@dataclass(frozen=True)
class JobRef:
    """Whose a job is, as the access rules read it: its runner (None for a job that is
    for no runner) and the account that submitted it (None from the command line)."""

    runner_id: int | None
    runner_alias: str | None
    created_by: int | None


@dataclass(frozen=True)
class InvitationView:
    """An open invitation, as its page shows it."""

    email: str
    role: Role
    runner_alias: str | None
    expires_at: datetime


def _viewer(session: Session, account: Account) -> Viewer:
    visible = visible_runner_ids(session, account)
    return Viewer(
        account_id=account.id,
        email=account.email,
        role=check_role(account.role),
        runner_id=account.runner_id,
        runner_alias=account.runner.alias if account.runner is not None else None,
        visible=None if visible is None else frozenset(visible),
    )


class Clinic:
    """Clinic mode's accounts on one database.

    Parameters
    ----------
    store
        The open database (one per process; its connections are pooled).
    policy
        Session length, rate limits and invitation lifetime.
    """

    def __init__(self, store: Store, policy: ClinicPolicy | None = None) -> None:
        self.store = store
        self.policy = policy or ClinicPolicy()

    @contextmanager
    def _session(self) -> Iterator[Session]:
        with self.store.session() as session:
            yield session

    # ------------------------------------------------------------ accounts

    def create_account(
        self, email: str, password: str, role: str, runner_alias: str | None = None
    ) -> Viewer:
        """A new account (``upright user add``); a runner account names its runner.

        Raises
        ------
        InputError
            Bad address, role or password; the address is taken; unknown runner.
        """
        address = normal_email(email)
        checked = check_role(role)
        digest = hash_password(password)
        with self._session() as session:
            runner = get_runner(session, runner_alias) if runner_alias else None
            account = add_account(session, address, digest, checked, runner)
            add_audit(
                session,
                account_id=None,
                actor="command line",
                action="account",
                runner_id=runner.id if runner else None,
                runner_alias=runner.alias if runner else None,
                detail=f"{address} added as {checked}",
            )
            return _viewer(session, account)

    def viewer(self, email: str) -> Viewer:
        """The account with this address.

        Raises
        ------
        InputError
            No account has it.
        """
        address = normal_email(email)
        with self._session() as session:
            account = find_account(session, address)
            if account is None:
                raise InputError(f"no account for {address}", fix="Add it with upright user add")
            return _viewer(session, account)

    # ------------------------------------------------------------ sign-in

    def sign_in(self, email: str, password: str, address: str) -> str:
        """A new session id for the account, after the rate limit and the password.

        Raises
        ------
        RateLimitedError
            Too many failed attempts for this account or from this address within the
            window; the password was not checked.
        SignInError
            Unknown address, wrong password or inactive account (one message for all).
        """
        now = utc_now()
        key = email.strip().lower()[:254]
        if not key or not password:
            raise SignInError("the e-mail address or the password is missing", fix="Give both")
        since = now - timedelta(minutes=self.policy.window_minutes)
        with self._session() as session:
            attempt = record_attempt(session, key, address[:64], now).id
        with self._session() as session:
            refused = (
                count_attempts(session, since, email=key) > self.policy.max_failures_per_account
                or count_attempts(session, since, address=address[:64])
                > self.policy.max_failures_per_address
            )
            account = None if refused else find_account(session, key)
            digest = account.password_hash if account is not None else _decoy_hash()
        ok = not refused and verify_password(digest, password)
        ok = ok and account is not None and account.active
        with self._session() as session:
            finish_attempt(session, attempt, ok)
            forget_attempts(session, now - timedelta(minutes=self.policy.window_minutes * 4))
            action = "sign-in" if ok else "sign-in refused"
            add_audit(
                session,
                account_id=account.id if account else None,
                actor=key,
                action=action,
                address=address[:64],
                detail="rate limit" if refused else None,
            )
            if refused:
                raise RateLimitedError(
                    "too many failed sign-ins for this account or from this address",
                    fix=f"Wait {self.policy.window_minutes:g} minutes, then try again",
                )
            if not ok or account is None:
                raise SignInError(
                    "the e-mail address or the password is wrong", fix="Check both and try again"
                )
            return self._new_session(session, account)

    def _new_session(self, session: Session, account: Account) -> str:
        sid = secrets.token_urlsafe(32)
        expires = utc_now() + timedelta(hours=self.policy.session_hours)
        add_web_session(session, hash_token(sid), account, expires)
        return sid

    def session_viewer(self, sid: str) -> Viewer | None:
        """The account signed in with this session id, or None."""
        with self._session() as session:
            account = session_account(session, hash_token(sid), utc_now())
            return _viewer(session, account) if account is not None else None

    def sign_out(self, sid: str, viewer: Viewer | None) -> None:
        """End the session."""
        with self._session() as session:
            end_web_session(session, hash_token(sid))
            if viewer is not None:
                add_audit(
                    session, account_id=viewer.account_id, actor=viewer.email, action="sign-out"
                )

    # ------------------------------------------------------------ invitations

    def invite(self, by: Viewer, email: str, role: str, runner_alias: str | None) -> str:
        """A one-time invitation token (shown once; only its hash is kept).

        Raises
        ------
        InputError
            Bad address or role, an account exists for the address, a runner account
            without its runner (or another role with one), or an unknown runner.
        """
        address = normal_email(email)
        checked = check_role(role)
        alias = (runner_alias or "").strip() or None
        if (checked == "runner") != (alias is not None):
            raise InputError(
                "a runner account is invited for one runner, other roles for none",
                fix="Name the runner for a runner account only",
            )
        token = secrets.token_urlsafe(32)
        expires = utc_now() + timedelta(days=self.policy.invitation_days)
        with self._session() as session:
            if find_account(session, address) is not None:
                raise InputError(
                    f"an account for {address} exists already", fix="Use another address"
                )
            runner = get_runner(session, alias) if alias else None
            creator = session.get(Account, by.account_id)
            add_invitation(
                session,
                hash_token(token),
                address,
                checked,
                runner=runner,
                created_by=creator,
                expires_at=expires,
            )
            add_audit(
                session,
                account_id=by.account_id,
                actor=by.email,
                action="invite",
                runner_id=runner.id if runner else None,
                runner_alias=runner.alias if runner else None,
                detail=f"{address} invited as {checked}",
            )
        return token

    def invitation(self, token: str) -> InvitationView | None:
        """The open invitation with this token, or None (unknown, used or expired)."""
        with self._session() as session:
            found = find_invitation(session, hash_token(token), utc_now())
            if found is None:
                return None
            runner = session.get(Runner, found.runner_id) if found.runner_id else None
            return InvitationView(
                found.email,
                check_role(found.role),
                runner.alias if runner else None,
                found.expires_at,
            )

    def accept(self, token: str, password: str) -> str:
        """Use the invitation: the account is made and signed in (a new session id).

        Raises
        ------
        InputError
            The link is unknown, used or expired, or the password is refused.
        """
        digest = hash_password(password)
        with self._session() as session:
            used = use_invitation(session, hash_token(token), utc_now())
            if used is None:
                raise InputError(
                    "this invitation link is unknown, used or expired",
                    fix="Ask the clinic's admin for a new link",
                )
            runner = session.get(Runner, used.runner_id) if used.runner_id else None
            account = add_account(session, used.email, digest, check_role(used.role), runner)
            add_audit(
                session,
                account_id=account.id,
                actor=account.email,
                action="account",
                runner_id=runner.id if runner else None,
                runner_alias=runner.alias if runner else None,
                detail=f"invitation accepted as {account.role}",
            )
            return self._new_session(session, account)

    # ------------------------------------------------------------ assignments

    def assign(
        self, by: Viewer | None, therapist_email: str, alias: str, *, on: bool = True
    ) -> bool:
        """Assign (or with ``on=False`` unassign) a runner to a therapist; whether it
        changed anything.

        Raises
        ------
        InputError
            No therapist with this address, or unknown runner.
        """
        address = normal_email(therapist_email)
        with self._session() as session:
            therapist = find_account(session, address)
            if therapist is None or therapist.role != "therapist":
                raise InputError(
                    f"{address} is not a therapist's account",
                    fix="Give the address a therapist signs in with",
                )
            runner = get_runner(session, alias)
            changed = (assign_runner if on else unassign_runner)(session, therapist, runner)
            add_audit(
                session,
                account_id=by.account_id if by else None,
                actor=by.email if by else "command line",
                action="assign" if on else "unassign",
                runner_id=runner.id,
                runner_alias=runner.alias,
                detail=address,
            )
            return changed

    def claim_new_runner(self, by: Viewer, alias: str) -> None:
        """A therapist who created a runner treats them from now on."""
        if by.role != "therapist":
            return
        with self._session() as session:
            therapist = session.get(Account, by.account_id)
            runner = find_runner(session, alias)
            if therapist is not None and runner is not None:
                assign_runner(session, therapist, runner)

    def deactivate_runner_accounts(self, runner_id: int) -> None:
        """Sign out and switch off the accounts of a runner (before their record goes)."""
        with self._session() as session:
            for account in session.query(Account).filter(Account.runner_id == runner_id):
                account.active = False
                end_account_sessions(session, account.id)

    def accounts(self) -> list[AccountRow]:
        """Every account, with the runners each therapist treats (the admin's page)."""
        with self._session() as session:
            rows = session.scalars(select(Account).order_by(Account.role, Account.email)).all()
            assigned: dict[int, list[str]] = {}
            for therapist_id, alias in session.execute(
                select(TherapistRunner.therapist_id, Runner.alias)
                .join(Runner, Runner.id == TherapistRunner.runner_id)
                .order_by(Runner.alias)
            ):
                assigned.setdefault(therapist_id, []).append(alias)
            return [
                AccountRow(
                    email=a.email,
                    role=a.role,
                    active=a.active,
                    runner_alias=a.runner.alias if a.runner is not None else None,
                    treats=tuple(assigned.get(a.id, [])),
                )
                for a in rows
            ]

    # ------------------------------------------------------------ audit

    def audit_log(self, alias: str | None = None, limit: int = 500) -> list[AuditRow]:
        """The latest audit entries, newest first, optionally about one runner (by the
        alias the entry was written with, so a deleted runner's entries are found too)."""
        with self._session() as session:
            query = select(AuditEntry)
            if alias:
                query = query.where(AuditEntry.runner_alias == alias)
            entries = session.scalars(query.order_by(AuditEntry.id.desc()).limit(limit)).all()
            return [
                AuditRow(e.at, e.actor, e.action, e.runner_alias, e.method, e.route, e.detail)
                for e in entries
            ]

    def audit(self, viewer: Viewer | None, action: str, **fields: Any) -> None:
        """Append one entry to the audit log."""
        with self._session() as session:
            add_audit(
                session,
                account_id=viewer.account_id if viewer else None,
                actor=viewer.email if viewer else "anonymous",
                action=action,
                **fields,
            )

    def job_ref(self, job_id: int) -> JobRef | None:
        """Whose the job is (its runner, or the account that started it), or None when
        there is no such job."""
        with self._session() as session:
            job = get_job(session, job_id)
            if job is None:
                return None
            runner = job.runner
            return JobRef(
                runner_id=runner.id if runner is not None else None,
                runner_alias=runner.alias if runner is not None else None,
                created_by=job.created_by,
            )

    def runner_ref(self, alias: str) -> tuple[int, str] | None:
        """The id and alias of the runner with this alias, or None."""
        with self._session() as session:
            runner = find_runner(session, alias)
            return (runner.id, runner.alias) if runner is not None else None
