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

__all__ = ["DEFAULT_HOST", "DEFAULT_PORT", "WebSettings"]

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


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
    max_upload_bytes
        The largest upload of any kind; None keeps each kind's own limit
        (:data:`upright.services.uploads.DEFAULT_MAX_BYTES`).
    """

    model_config = SettingsConfigDict(env_prefix="UPRIGHT_", extra="ignore", frozen=True)

    data_dir: Path = Field(default_factory=data_dir)
    database_url: str = Field(default_factory=lambda data: _sqlite_url(data["data_dir"]))
    host: str = DEFAULT_HOST
    port: int = Field(default=DEFAULT_PORT, ge=1, le=65535)
    demo: bool = False
    work_dir: Path | None = None
    job_workers: int = Field(default=1, ge=1, le=16)
    max_upload_bytes: int | None = Field(default=None, ge=1)

    @property
    def uploads_dir(self) -> Path:
        """Where uploads are kept (by content hash)."""
        return (self.work_dir or self.data_dir) / "uploads"

    @property
    def jobs_dir(self) -> Path:
        """Where each job writes its folder (``<jobs_dir>/<job id>/``)."""
        return (self.work_dir or self.data_dir) / "jobs"


def _sqlite_url(folder: Path) -> str:
    return f"sqlite:///{Path(folder).expanduser() / 'upright.db'}"
