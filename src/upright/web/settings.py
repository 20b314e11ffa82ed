"""The web app's settings, in one place.

The data folder and the database URL are found exactly as every command finds them
(:mod:`upright.store.engine`): ``UPRIGHT_DATA_DIR`` / ``UPRIGHT_DATABASE_URL``, else the
user's data folder and the SQLite file in it. ``upright serve`` fills in the rest.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from upright.store.engine import data_dir

__all__ = ["DEFAULT_HOST", "DEFAULT_PORT", "LOOPBACK_HOSTS", "WebSettings"]

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
#: Addresses that reach this computer only.
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})


class WebSettings(BaseSettings):
    """What the app serves and where it keeps its data.

    Attributes
    ----------
    data_dir
        upright's data folder: the per-install secret that signs the session cookie is
        kept here (``web-secret``), and uploads (a job's originals) go under it.
    database_url
        The database every page reads and writes: ``UPRIGHT_DATABASE_URL``, else the
        SQLite file ``upright.db`` in ``data_dir`` (the one the commands use).
    host, port
        Where ``upright serve`` listens; 127.0.0.1 (this computer only) by default.
    demo
        Serving the synthetic demo runner's own database: every page says so.
    work_dir
        Where uploads (``uploads/``) and the jobs' files (``jobs/``) go; ``data_dir``
        when None. Each database keeps its own (the demo's is its own folder).
    job_workers
        Jobs (pose estimation on a clip) run at once, each in a process of its own.
    ray_address
        Run the jobs as tasks on a Ray cluster instead (``UPRIGHT_RAY_ADDRESS``: ``auto``
        or the head's ``HOST:PORT``, as ``upright batch --ray``); needs the Ray extra.
    max_upload_bytes
        The largest upload of any kind; None keeps each kind's own limit
        (:data:`upright.services.uploads.DEFAULT_MAX_BYTES`).
    clinic
        Clinic mode (``upright serve --clinic``): accounts with roles, sign-in, each
        runner's record visible only to them, their therapists and admins, and an audit
        log. Off by default: one person's app has no accounts.
    cookie_secure
        Send the session cookie over HTTPS only. Default (None): on, unless the app
        listens on this computer only (127.0.0.1, ::1, localhost), where there is no
        certificate. Set it on behind an HTTPS proxy on the same machine.
    session_hours
        How long a sign-in lasts.
    login_max_failures_per_account, login_max_failures_per_address, login_window_minutes
        The sign-in rate limit: past that many failed attempts within the window, for one
        account or from one network address, sign-in is refused until the window has
        passed (counted in the database, so every app process agrees).
    invitation_days
        How long an invitation link stays valid (it works once).
    storage_quota_mb
        The most the clinic's uploads may take on disk, in MB (None: no quota).
    upload_max_mb
        The largest single upload, in MB (None: the limit of each kind of file).
    retention_days
        Raw uploads (clips and files as sent) older than this are deleted by
        ``upright retention --apply``; results and records are kept (None: keep all).
    """

    model_config = SettingsConfigDict(env_prefix="UPRIGHT_", extra="ignore", frozen=True)

    data_dir: Path = Field(default_factory=data_dir)
    database_url: str = Field(default_factory=lambda data: _sqlite_url(data["data_dir"]))
    host: str = DEFAULT_HOST
    port: int = Field(default=DEFAULT_PORT, ge=1, le=65535)
    demo: bool = False
    work_dir: Path | None = None
    job_workers: int = Field(default=1, ge=1, le=16)
    ray_address: str | None = None
    max_upload_bytes: int | None = Field(default=None, ge=1)

    @property
    def uploads_dir(self) -> Path:
        """Where uploads are kept (by content hash)."""
        return (self.work_dir or self.data_dir) / "uploads"

    @property
    def jobs_dir(self) -> Path:
        """Where each job writes its folder (``<jobs_dir>/<job id>/``)."""
        return (self.work_dir or self.data_dir) / "jobs"

    clinic: bool = False
    cookie_secure: bool | None = None
    session_hours: float = Field(default=12.0, gt=0, le=24 * 30)
    login_max_failures_per_account: int = Field(default=5, ge=1)
    login_max_failures_per_address: int = Field(default=20, ge=1)
    login_window_minutes: float = Field(default=15.0, gt=0)
    invitation_days: float = Field(default=7.0, gt=0, le=90)
    storage_quota_mb: float | None = Field(default=None, gt=0)
    upload_max_mb: float | None = Field(default=None, gt=0)
    retention_days: float | None = Field(default=None, gt=0)

    @property
    def secure_cookies(self) -> bool:
        """Whether the session cookie is sent over HTTPS only (see ``cookie_secure``)."""
        if self.cookie_secure is not None:
            return self.cookie_secure
        return self.host not in LOOPBACK_HOSTS

    def upload_limits(self) -> dict[str, int | None]:
        """``max_bytes`` and ``quota_bytes`` for :func:`upright.services.uploads.store_upload`."""
        return {
            "max_bytes": self.max_upload_bytes or _bytes(self.upload_max_mb),
            "quota_bytes": _bytes(self.storage_quota_mb),
        }


def _bytes(mb: float | None) -> int | None:
    return None if mb is None else int(mb * (1 << 20))


def _sqlite_url(folder: Path) -> str:
    return f"sqlite:///{Path(folder).expanduser() / 'upright.db'}"
