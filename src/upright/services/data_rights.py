"""A runner's data rights and the clinic's housekeeping: delete a runner's whole record,
export every runner at once, and delete raw uploads past their retention.

Deleting a runner removes, in one transaction, their profile, check-ups, endurance
tests, clearances, records, logs and jobs (and any therapist assignment; their own
sign-in is switched off); then the files their jobs kept: the job folders (outputs and
keypoints), the uploads they sent and the cached pose estimates of those clips, unless
another runner's job uses the same file. Audit entries about them are kept (the audit
log has no foreign key to the runner) and one more says who deleted the record. A
failure before the commit deletes nothing; files are removed only after it.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import time
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from upright.errors import InputError
from upright.store import Job, Runner, export_runner, get_runner, open_store
from upright.store.clinic import add_audit, end_account_sessions
from upright.store.clinic_models import Account
from upright.store.models import (
    CheckUp,
    Clearance,
    EnduranceTest,
    Record,
    RunLog,
    SessionLog,
)

__all__ = [
    "DeletedRunner",
    "RetentionItem",
    "apply_retention",
    "clinic_export_zip",
    "delete_runner",
]

_CLIP_FIELDS: Final = ("video", "keypoints")
_DAY_S: Final = 86400.0


@dataclass(frozen=True)
class DeletedRunner:
    """What deleting a runner removed: rows by table, and files."""

    alias: str
    rows: Mapping[str, int]
    files: list[Path] = field(default_factory=list)


def _count(session: Session, model: Any, runner: Runner) -> int:
    return int(
        session.scalar(select(func.count()).select_from(model).where(model.runner_id == runner.id))
        or 0
    )


def _job_files(session: Session, runner: Runner, jobs_root: Path) -> tuple[list[Path], list[Path]]:
    """The runner's job folders, and the upload files only their jobs use."""
    own = session.scalars(select(Job).where(Job.runner_id == runner.id)).all()
    others = session.scalars(
        select(Job.params).where((Job.runner_id != runner.id) | Job.runner_id.is_(None))
    ).all()
    shared = {str(p.get(k)) for p in others for k in _CLIP_FIELDS if p.get(k)}
    folders = [jobs_root / str(job.id) for job in own]
    uploads = sorted(
        {
            Path(str(job.params[k]))
            for job in own
            for k in _CLIP_FIELDS
            if job.params.get(k) and str(job.params[k]) not in shared
        }
    )
    return folders, uploads


def _switch_off_accounts(session: Session, runner: Runner) -> None:
    for account in session.scalars(select(Account).where(Account.runner_id == runner.id)):
        account.active = False
        end_account_sessions(session, account.id)


def _remove(paths: list[Path], uploads_root: Path, jobs_root: Path, cache_root: Path) -> list[Path]:
    """Remove the files (only inside upright's own folders), and the clips' cached poses."""
    removed: list[Path] = []
    roots = [uploads_root.resolve(), jobs_root.resolve()]
    for path in paths:
        resolved = path.resolve()
        if not any(resolved.is_relative_to(root) for root in roots):
            continue  # a path a job named outside upright's folders is not ours to delete
        if resolved.is_dir():
            shutil.rmtree(resolved, ignore_errors=True)
            removed.append(resolved)
        elif resolved.is_file():
            resolved.unlink(missing_ok=True)
            removed.append(resolved)
            cached = cache_root / "analyses" / resolved.stem
            if re.fullmatch(r"[0-9a-f]{64}", resolved.stem) and cached.is_dir():
                shutil.rmtree(cached, ignore_errors=True)
                removed.append(cached)
    return removed


def delete_runner(
    alias: str,
    *,
    uploads_root: Path | None = None,
    jobs_root: Path | None = None,
    cache_root: Path | None = None,
    audit: Mapping[str, Any] | None = None,
) -> DeletedRunner:
    """Delete everything stored about the runner (see the module's notes).

    Parameters
    ----------
    audit
        The audit entry's fields (``account_id``, ``actor``, ``route``, ``path``...);
        by default the command line.

    Raises
    ------
    InputError
        No runner has this alias.
    """
    from upright.services.cache import user_cache_dir
    from upright.services.jobs import jobs_dir
    from upright.services.uploads import uploads_dir

    uploads_root = uploads_root or uploads_dir()
    jobs_root = jobs_root or jobs_dir()
    store = open_store()
    try:
        with store.session() as session:
            runner = get_runner(session, alias)
            models = (CheckUp, EnduranceTest, Clearance, Record, SessionLog, RunLog, Job)
            rows = {m.__tablename__: _count(session, m, runner) for m in models}
            folders, uploads = _job_files(session, runner, jobs_root)
            _switch_off_accounts(session, runner)
            entry = {"actor": "command line", **(audit or {})}
            add_audit(
                session,
                action="delete",
                runner_id=runner.id,
                runner_alias=runner.alias,
                detail=", ".join(f"{n} {t}" for t, n in rows.items() if n) or "profile only",
                **entry,
            )
            session.delete(runner)
            name = runner.alias
    finally:
        store.close()
    files = _remove(folders + uploads, uploads_root, jobs_root, cache_root or user_cache_dir())
    return DeletedRunner(alias=name, rows=rows, files=files)


def _file_name(alias: str, taken: set[str]) -> str:
    base = re.sub(r"[^A-Za-z0-9._-]+", "_", alias).strip("._") or "runner"
    name, n = base, 1
    while name.lower() in taken:
        n += 1
        name = f"{base}-{n}"
    taken.add(name.lower())
    return f"runners/{name}.json"


def clinic_export_zip(out: Path | None = None) -> bytes:
    """Every runner's backup (``upright.backup/1``), one JSON file each, in a zip; written
    to ``out`` when given (atomically), and returned."""
    store = open_store()
    try:
        with store.session() as session:
            aliases = session.scalars(select(Runner.alias).order_by(Runner.alias)).all()
            docs = {alias: export_runner(session, alias) for alias in aliases}
    finally:
        store.close()
    buffer = io.BytesIO()
    taken: set[str] = set()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for alias, doc in docs.items():
            text = json.dumps(doc, ensure_ascii=False, indent=1)
            archive.writestr(_file_name(alias, taken), text)
    data = buffer.getvalue()
    if out is not None:
        part = out.with_name(out.name + ".part")
        try:
            part.write_bytes(data)
            part.replace(out)
        except OSError as exc:
            part.unlink(missing_ok=True)
            raise InputError(f"cannot write the export ({exc.strerror})", path=out) from exc
    return data


@dataclass(frozen=True)
class RetentionItem:
    """A raw upload past its retention: its path, size and age."""

    path: Path
    size_bytes: int
    age_days: float


def _in_use(store_url: str | None) -> set[str]:
    """Upload paths a queued or running job still needs."""
    store = open_store(store_url)
    try:
        with store.session() as session:
            params = session.scalars(
                select(Job.params).where(Job.status.in_(("queued", "running")))
            ).all()
    finally:
        store.close()
    return {str(Path(str(p[k])).resolve()) for p in params for k in _CLIP_FIELDS if p.get(k)}


def apply_retention(
    days: float,
    *,
    apply: bool,
    uploads_root: Path | None = None,
    now: float | None = None,
    store_url: str | None = None,
) -> list[RetentionItem]:
    """The raw uploads older than ``days`` (by the time they were stored), deleted when
    ``apply``; records, results and job outputs are kept, and so is an upload a queued or
    running job still needs.

    Raises
    ------
    InputError
        ``days`` is not positive.
    """
    from upright.services.upload_types import UPLOAD_KINDS
    from upright.services.uploads import PART_SUFFIX, uploads_dir

    if not days > 0:
        raise InputError(f"retention of {days:g} days", fix="Give a number of days above 0")
    root = uploads_root or uploads_dir()
    now = time.time() if now is None else now
    busy = _in_use(store_url)
    found: list[RetentionItem] = []
    for kind in UPLOAD_KINDS:
        folder = root / kind
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            if path.name.endswith(PART_SUFFIX) or not path.is_file():
                continue
            stat = path.stat()
            age = (now - stat.st_mtime) / _DAY_S
            if age <= days or str(path.resolve()) in busy:
                continue
            found.append(RetentionItem(path, stat.st_size, age))
            if apply:
                path.unlink(missing_ok=True)
    return found
