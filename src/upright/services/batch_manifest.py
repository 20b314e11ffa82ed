"""What ``upright batch`` is given: a folder of clips, or a manifest naming each clip.

A manifest is a CSV file (a header row, then one clip a row) or a YAML file (a list of
mappings, or a mapping whose ``clips`` key holds that list) with these columns:

========== =============================================================================
clip       the clip (MP4/MOV/...) or keypoint file (upright .nc, GaitLab JSON, OpenPose
           folder); a relative path is read from the manifest's folder (required)
runner     the runner's alias in upright's database, to store the analysis for
km         where in the run the clip was filmed, km from the start
min        when in the run the clip was filmed, minutes from the start
tilt_deg   camera tilt, as ``upright analyze --tilt-deg``
setting    auto, treadmill or overground
direction  auto, left or right
height_cm  the runner's height
fps        frame rate of a keypoint file that does not state it
========== =============================================================================

Every row is checked, and every clip hashed (SHA-256), before any work: a missing file,
an unknown column, a value out of range or the same clip twice is refused in one message
naming each bad row, and nothing is analysed.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from upright.errors import InputError
from upright.limits import HEIGHT_CM

__all__ = [
    "COLUMNS",
    "KEYPOINT_SUFFIXES",
    "VIDEO_SUFFIXES",
    "BatchClip",
    "ClipSettings",
    "hash_clip",
    "read_batch_input",
]

#: Files a folder of clips is searched for (other files there are left alone).
VIDEO_SUFFIXES: Final = frozenset({".mp4", ".mov", ".m4v", ".avi", ".mkv", ".webm"})
#: Keypoint files a folder of clips is searched for too (upright's own keypoints).
KEYPOINT_SUFFIXES: Final = frozenset({".nc"})
_MANIFEST_SUFFIXES: Final = {".csv": "csv", ".yaml": "yaml", ".yml": "yaml"}


class ClipSettings(BaseModel):
    """The analysis settings of one clip (as the options of ``upright analyze``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    tilt_deg: float | None = Field(default=None, ge=-30.0, le=30.0)
    setting: Literal["auto", "treadmill", "overground"] = "auto"
    direction: Literal["auto", "left", "right"] = "auto"
    height_cm: float | None = Field(default=None, ge=HEIGHT_CM[0], le=HEIGHT_CM[1])
    fps: float | None = Field(default=None, gt=0, le=1000)


class _Row(ClipSettings):
    """One row of a manifest, as read."""

    clip: str = Field(min_length=1)
    runner: str | None = Field(default=None, min_length=1, max_length=80)
    km: float | None = Field(default=None, ge=0, le=1000)
    min: float | None = Field(default=None, ge=0, le=10000)

    @field_validator("clip", "runner", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        return str(value).strip() if isinstance(value, int | float) else value


#: The columns a manifest may have, in the order the help lists them.
COLUMNS: Final = ("clip", "runner", "km", "min", *ClipSettings.model_fields)
assert set(COLUMNS) == set(_Row.model_fields)


@dataclass(frozen=True)
class BatchClip:
    """One clip of a batch, checked.

    Attributes
    ----------
    where
        Where it was named, for messages: ``"line 3"`` of a CSV manifest, ``"entry 2"``
        of a YAML one, the file name in a folder.
    path
        The clip or keypoint file (or OpenPose folder).
    kind
        ``video`` (pose estimation runs on it) or ``keypoints``.
    sha256
        SHA-256 of its bytes (of a folder: of its files' names and bytes).
    name
        Its own output folder's name inside the batch's output folder.
    """

    where: str
    path: Path
    kind: Literal["video", "keypoints"]
    sha256: str
    name: str
    runner: str | None = None
    distance_km: float | None = None
    minute: float | None = None
    settings: ClipSettings = field(default_factory=ClipSettings)


def hash_clip(path: Path) -> str:
    """SHA-256 of a file's bytes, or of a folder's files (names and bytes, in order)."""
    digest = hashlib.sha256()
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for file in files:
        if path.is_dir():
            digest.update(file.relative_to(path).as_posix().encode("utf-8") + b"\0")
        with file.open("rb") as fh:
            while chunk := fh.read(1 << 20):
                digest.update(chunk)
    return digest.hexdigest()


def _kind(path: Path) -> Literal["video", "keypoints"]:
    return "video" if path.suffix.lower() in VIDEO_SUFFIXES else "keypoints"


def read_batch_input(source: Path, runner: str | None = None) -> list[BatchClip]:
    """The clips of a folder or manifest, checked and hashed.

    Parameters
    ----------
    source
        A folder (its video files and ``.nc`` keypoint files, not its sub-folders) or a
        manifest (``.csv``, ``.yaml``, ``.yml``).
    runner
        The runner of every clip whose row names none (all clips of a folder).

    Raises
    ------
    InputError
        The source is missing or empty, or rows cannot be used (each named).
    """
    if source.is_dir():
        return _folder_clips(source, runner)
    if not source.is_file():
        raise InputError(
            "no such folder or manifest",
            path=source,
            fix="Give a folder of clips, or a manifest (.csv or .yaml) naming them",
        )
    form = _MANIFEST_SUFFIXES.get(source.suffix.lower())
    if form is None:
        raise InputError(
            f"a manifest must be a .csv or .yaml file, not {source.suffix or 'a file without one'}",
            path=source,
            fix="Give a folder of clips, or a manifest (.csv or .yaml) naming them",
        )
    entries = _csv_entries(source) if form == "csv" else _yaml_entries(source)
    return _checked(source, entries, runner)


def _folder_clips(folder: Path, runner: str | None) -> list[BatchClip]:
    found = sorted(
        p
        for p in folder.iterdir()
        if p.is_file()
        and not p.name.startswith(".")
        and p.suffix.lower() in VIDEO_SUFFIXES | KEYPOINT_SUFFIXES
    )
    if not found:
        raise InputError(
            "the folder holds no clips",
            path=folder,
            fix=f"Put the clips ({', '.join(sorted(VIDEO_SUFFIXES))}, or upright .nc keypoint "
            "files) in it, or give a manifest",
        )
    entries = [(p.name, {"clip": str(p)}) for p in found]
    return _checked(folder, entries, runner)


def _csv_entries(path: Path) -> list[tuple[str, dict[str, Any]]]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            rows = list(csv.reader(fh))
    except (UnicodeDecodeError, csv.Error) as exc:
        raise InputError(
            f"not a readable CSV file ({exc})", path=path, fix="Save the manifest as UTF-8 CSV"
        ) from None
    rows = [r for r in rows if any(cell.strip() for cell in r)]
    if len(rows) < 2:
        raise InputError(
            "the manifest names no clips",
            path=path,
            fix=f"Give a header row ({', '.join(COLUMNS)}) and one row per clip",
        )
    header = [h.strip() for h in rows[0]]
    _check_columns(path, "line 1 (the header)", header)
    entries: list[tuple[str, dict[str, Any]]] = []
    for number, row in enumerate(rows[1:], start=2):
        if len(row) > len(header):
            entries.append((f"line {number}", {"__extra__": len(row) - len(header)}))
            continue
        values = {h: cell.strip() for h, cell in zip(header, row, strict=False) if cell.strip()}
        entries.append((f"line {number}", values))
    return entries


def _yaml_entries(path: Path) -> list[tuple[str, dict[str, Any]]]:
    import yaml

    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(
            f"not a readable YAML file ({first})", path=path, fix="Correct the manifest"
        ) from None
    items = doc.get("clips") if isinstance(doc, dict) else doc
    if not isinstance(items, list) or not items:
        raise InputError(
            "the manifest names no clips",
            path=path,
            fix="Give a list with one entry per clip (clip: path, runner: alias, km: ...)",
        )
    entries: list[tuple[str, dict[str, Any]]] = []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            entries.append((f"entry {number}", {"__not_mapping__": item}))
            continue
        keys = [str(k) for k in item]
        unknown = [k for k in keys if k not in COLUMNS]
        if unknown:
            entries.append((f"entry {number}", {"__unknown__": unknown}))
            continue
        entries.append((f"entry {number}", {str(k): v for k, v in item.items() if v is not None}))
    return entries


def _check_columns(path: Path, where: str, header: list[str]) -> None:
    unknown = [h for h in header if h not in COLUMNS]
    problems = []
    if unknown:
        problems.append(f"unknown column{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}")
    if "clip" not in header:
        problems.append("no clip column")
    twice = sorted({h for h in header if header.count(h) > 1})
    if twice:
        problems.append(f"column{'s' if len(twice) > 1 else ''} {', '.join(twice)} twice")
    if problems:
        raise InputError(
            f"{where}: {'; '.join(problems)}",
            path=path,
            fix=f"Use these columns: {', '.join(COLUMNS)} (clip is required)",
        )


def _row_problem(values: Mapping[str, Any]) -> tuple[_Row | None, str | None]:
    if "__extra__" in values:
        return None, f"{values['__extra__']} more cell(s) than the header has columns"
    if "__not_mapping__" in values:
        return None, f"not a mapping of columns to values ({values['__not_mapping__']!r})"
    if "__unknown__" in values:
        unknown = values["__unknown__"]
        return None, (
            f"unknown column{'s' if len(unknown) > 1 else ''} {', '.join(unknown)} "
            f"(columns: {', '.join(COLUMNS)})"
        )
    try:
        return _Row.model_validate(dict(values)), None
    except ValidationError as exc:
        text = "; ".join(
            f"{'.'.join(str(x) for x in e['loc']) or 'row'}: {e['msg']}" for e in exc.errors()
        )
        return None, text


def _checked(
    source: Path, entries: Iterable[tuple[str, Mapping[str, Any]]], runner: str | None
) -> list[BatchClip]:
    """Each entry as a clip; every problem of every entry in one error."""
    base = source if source.is_dir() else source.parent
    problems: list[str] = []
    clips: list[BatchClip] = []
    seen_paths: dict[Path, str] = {}
    seen_hashes: dict[str, str] = {}
    names: set[str] = set()
    for where, values in entries:
        row, problem = _row_problem(values)
        if row is None:
            problems.append(f"{where}: {problem}")
            continue
        path = Path(row.clip).expanduser()
        path = (path if path.is_absolute() else base / path).resolve()
        if not path.exists():
            problems.append(f"{where}: the clip {row.clip} is not there ({path})")
            continue
        if path in seen_paths:
            problems.append(f"{where}: the clip {row.clip} is already on {seen_paths[path]}")
            continue
        seen_paths[path] = where
        sha = hash_clip(path)
        if sha in seen_hashes:
            problems.append(
                f"{where}: the clip {row.clip} has the same content as the clip on "
                f"{seen_hashes[sha]}"
            )
            continue
        seen_hashes[sha] = where
        clips.append(
            BatchClip(
                where=where,
                path=path,
                kind=_kind(path),
                sha256=sha,
                name=_folder_name(path, names),
                runner=row.runner or runner,
                distance_km=row.km,
                minute=row.min,
                settings=ClipSettings.model_validate(
                    row.model_dump(include=set(ClipSettings.model_fields))
                ),
            )
        )
    if problems:
        n = len(problems)
        raise InputError(
            f"{n} {'entry' if n == 1 else 'entries'} cannot be used: {'; '.join(problems)}",
            path=source,
            fix="Correct them and run the batch again (nothing was analysed)",
        )
    return clips


def _folder_name(path: Path, taken: set[str]) -> str:
    """The clip's stem, numbered when an earlier clip has the same one."""
    stem = path.name.split(".")[0] or "clip"
    name, n = stem, 1
    while name in taken:
        n += 1
        name = f"{stem}-{n}"
    taken.add(name)
    return name
