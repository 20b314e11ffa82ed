"""A cache of clip analyses in the user's cache folder, so a clip is estimated once.

Layout: ``<root>/analyses/<sha256 of the clip>/`` holds

- ``manifest.json``: the clip's hash, the upright version, the pose settings and the
  analysis options the entry was made with;
- ``keypoints.nc``: the pose series (reused when the upright version and pose settings
  match: pose estimation is skipped);
- ``summary.json`` and ``strides.csv``: the analysis (reused when the options match too).

``<root>`` is ``$UPRIGHT_CACHE_DIR`` when set, else the platform's user cache folder
(``$XDG_CACHE_HOME/upright`` or ``~/.cache/upright`` on Linux, ``~/Library/Caches/upright``
on macOS, ``%LOCALAPPDATA%\\upright\\Cache`` on Windows). An entry is written into a
temporary folder and renamed into place, so it is whole or absent.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import xarray as xr
from pydantic import ValidationError

from upright import __version__
from upright.errors import InputError, UprightError
from upright.io.keypoints import read_keypoints, write_keypoints_netcdf
from upright.services.analyze import Analysis, AnalysisOptions
from upright.summaries import AnalysisSummary

__all__ = [
    "CACHE_ENV",
    "AnalysisCache",
    "CachedAnalysis",
    "hash_file",
    "pose_settings",
    "user_cache_dir",
]

CACHE_ENV = "UPRIGHT_CACHE_DIR"
_CHUNK_BYTES = 1 << 20
_MANIFEST = "manifest.json"


def user_cache_dir() -> Path:
    """upright's cache root: ``$UPRIGHT_CACHE_DIR``, else the platform's user cache."""
    given = os.environ.get(CACHE_ENV)
    if given:
        return Path(given).expanduser()
    home = Path.home()
    if sys.platform == "darwin":
        return home / "Library" / "Caches" / "upright"
    if sys.platform == "win32":
        local = os.environ.get("LOCALAPPDATA")
        return (Path(local) if local else home / "AppData" / "Local") / "upright" / "Cache"
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else home / ".cache") / "upright"


def hash_file(path: Path) -> str:
    """SHA-256 of a file's content, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(_CHUNK_BYTES):
                digest.update(chunk)
    except OSError as err:
        raise InputError(
            f"cannot read the clip ({err.strerror})",
            path=path,
            fix="Check the path and that you may read the file",
        ) from err
    return digest.hexdigest()


def pose_settings() -> dict[str, Any]:
    """What pose estimation depends on besides the clip (part of the cache key)."""
    from upright.pose.runner import DEFAULT_MAX_SIDE_PX

    return {"backend": "mediapipe", "max_side_px": DEFAULT_MAX_SIDE_PX}


def _options_key(options: AnalysisOptions) -> dict[str, Any]:
    return asdict(options)


@dataclass(frozen=True)
class CachedAnalysis:
    """An analysis read back from the cache: its summary and stride table."""

    summary: AnalysisSummary
    strides: pd.DataFrame


class AnalysisCache:
    """Stored analyses of clips, keyed by content hash, upright version and options.

    Parameters
    ----------
    root
        Cache root; :func:`user_cache_dir` when None.
    """

    def __init__(self, root: Path | None = None) -> None:
        self.root = root if root is not None else user_cache_dir()

    def entry(self, digest: str) -> Path:
        """The folder of a clip's entry."""
        return self.root / "analyses" / digest

    def _manifest(self, digest: str) -> dict[str, Any] | None:
        path = self.entry(digest) / _MANIFEST
        if not path.is_file():
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def _pose_valid(self, manifest: dict[str, Any] | None, digest: str) -> bool:
        return (
            manifest is not None
            and manifest.get("clip_sha256") == digest
            and manifest.get("upright_version") == __version__
            and manifest.get("pose") == pose_settings()
        )

    def load_pose(self, digest: str) -> xr.Dataset | None:
        """The stored pose series of a clip, or None when absent or out of date.

        An unreadable entry counts as absent (it is rebuilt by :meth:`store`).
        """
        if not self._pose_valid(self._manifest(digest), digest):
            return None
        try:
            return read_keypoints(self.entry(digest) / "keypoints.nc")
        except UprightError:
            return None

    def load_analysis(self, digest: str, options: AnalysisOptions) -> CachedAnalysis | None:
        """The stored analysis made with ``options``, or None when absent or out of date."""
        manifest = self._manifest(digest)
        if not self._pose_valid(manifest, digest) or manifest is None:
            return None
        if manifest.get("options") != json.loads(json.dumps(_options_key(options))):
            return None
        folder = self.entry(digest)
        try:
            summary = AnalysisSummary.model_validate_json(
                (folder / "summary.json").read_text(encoding="utf-8")
            )
            strides = pd.read_csv(folder / "strides.csv")
        except (OSError, ValueError, ValidationError):
            return None
        return CachedAnalysis(summary, strides)

    def store(self, digest: str, analysis: Analysis, options: AnalysisOptions) -> None:
        """Store a clip's pose series and analysis, replacing any older entry.

        Raises
        ------
        OSError
            The cache folder cannot be written.
        """
        dest = self.entry(digest)
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{digest[:12]}-", dir=dest.parent))
        try:
            write_keypoints_netcdf(analysis.raw, tmp / "keypoints.nc")
            (tmp / "summary.json").write_text(
                analysis.summary.model_dump_json(indent=2) + "\n", encoding="utf-8"
            )
            analysis.strides.to_csv(tmp / "strides.csv", index=False)
            manifest = {
                "clip_sha256": digest,
                "upright_version": __version__,
                "pose": pose_settings(),
                "options": _options_key(options),
            }
            (tmp / _MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
            if dest.exists():
                shutil.rmtree(dest)
            os.replace(tmp, dest)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
