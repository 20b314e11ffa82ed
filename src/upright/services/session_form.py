"""The clips of a logged exercise session: parse ``KEY[:SIDE]=FILE``, check the form in
each clip (:func:`upright.services.form.check_form_keypoints`), all or nothing.

A clip that cannot be used (a bad file, nobody in view, the wrong exercise: the position
is never reached) raises one error naming the file; the caller stores nothing then.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from upright.errors import InputError, UprightError
from upright.form.definitions import form_keys, load_form_table
from upright.program import load_catalogue
from upright.program.measured_form import ClipForm

__all__ = ["ClipArg", "measure_clip", "measure_clips", "parse_clips"]

Side = Literal["left", "right"]
ClipKind = Literal["video", "keypoints"]

_SYNTAX = "KEY=FILE, or KEY:SIDE=FILE for an exercise done on each side"


@dataclass(frozen=True)
class ClipArg:
    """One clip of the session: the exercise filmed (and side), and the file."""

    exercise: str
    side: Side | None
    path: Path
    kind: ClipKind

    @property
    def label(self) -> str:
        """``front_plank`` or ``side_plank:left``."""
        return self.exercise if self.side is None else f"{self.exercise}:{self.side}"


def filmable_keys() -> list[str]:
    """Exercises of the program the form check knows."""
    catalogue = load_catalogue()
    return [k for k in form_keys() if k in catalogue.exercises]


def _parse_one(item: str, kind: ClipKind) -> ClipArg:
    option = f"--{kind}"
    label, sep, file = item.partition("=")
    key, colon, side = label.strip().partition(":")
    key, side = key.strip(), side.strip().lower()
    if not sep or not key or not file.strip() or (colon and not side):
        raise InputError(
            f"{option} {item!r} is not {_SYNTAX}",
            fix=f"Write e.g. {option} front_plank=plank.mp4 or {option} side_plank:left=left.mp4",
        )
    known = filmable_keys()
    if key not in known:
        raise InputError(
            f"{option} {item!r}: {key!r} is not an exercise of the program whose form "
            "upright can check from a clip",
            fix=f"Use one of: {', '.join(known)}; log the others with --exercise KEY=N",
        )
    if colon and side not in ("left", "right"):
        raise InputError(f"{option} {item!r}: the side {side!r} is not left or right")
    chosen: Side | None = None if not colon else ("left" if side == "left" else "right")
    definition = next(e for e in load_form_table().exercises if e.key == key)
    if definition.side is not None and chosen is None:
        raise InputError(
            f"{option} {item!r}: the {definition.name.lower()} is filmed one side at a time",
            fix=f"Write {option} {key}:left=FILE or {key}:right=FILE ({definition.side})",
        )
    if definition.side is None and chosen is not None:
        raise InputError(
            f"{option} {item!r}: the {definition.name.lower()} has no side",
            fix=f"Write {option} {key}=FILE",
        )
    return ClipArg(exercise=key, side=chosen, path=Path(file.strip()), kind=kind)


def parse_clips(videos: Sequence[str] = (), keypoints: Sequence[str] = ()) -> list[ClipArg]:
    """``KEY[:SIDE]=FILE`` items of ``--video`` and ``--keypoints`` -> clips, in order.

    Raises
    ------
    InputError
        A malformed item, an exercise the form check cannot judge or that is not in the
        program, a side missing or not wanted, or the same file given twice.
    """
    clips = [_parse_one(v, "video") for v in videos]
    clips += [_parse_one(k, "keypoints") for k in keypoints]
    seen: set[Path] = set()
    for clip in clips:
        where = clip.path.resolve()
        if where in seen:
            raise InputError(f"the clip {clip.path} is given twice", fix="Give each clip once")
        seen.add(where)
    return clips


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except FileNotFoundError:
        raise InputError("clip not found", path=path, fix="Check the file name") from None
    except OSError as exc:
        raise InputError(f"cannot read the clip ({exc.strerror})", path=path) from None
    return digest.hexdigest()


def _named(exc: UprightError, clip: ClipArg) -> UprightError:
    """``exc`` naming the clip's file and the exercise it was given for."""
    named = copy.copy(exc)
    named.path = exc.path or clip.path
    named.problem = f"as the {clip.label} clip of this session: {exc.problem.rstrip('.')}"
    # upright form's option names another exercise with --exercise; here it is the KEY
    named.fix = exc.fix.replace(
        "choose the exercise it shows with --exercise",
        f"give it under the exercise it shows (--{clip.kind} KEY=FILE)",
    )
    named.args = (named.message,)
    return named


def measure_clip(clip: ClipArg, *, fps: float | None = None) -> ClipForm:
    """Check the form in one clip (pose estimation for a video, or its keypoint file).

    Raises
    ------
    UprightError
        Any error of reading or judging the clip, naming the file and the exercise.
    """
    from upright.services.form import FormOptions, check_form_keypoints
    from upright.services.load import load_pose

    sha256 = _sha256(clip.path)
    try:
        video = clip.path if clip.kind == "video" else None
        points = clip.path if clip.kind == "keypoints" else None
        ds, kind = load_pose(video, points, fps=fps)
        result = check_form_keypoints(
            ds,
            FormOptions(exercise=clip.exercise, side=clip.side),
            source_kind="video" if kind == "video" else "keypoints",
            source_file=str(clip.path),
        )
    except UprightError as exc:
        raise _named(exc, clip) from exc
    totals = result.summary.totals
    first = totals.first_fault
    return ClipForm(
        exercise=clip.exercise,
        side=clip.side,
        held_s=totals.held_s,
        good_form_s=totals.good_form_s,
        reps=totals.reps,
        good_reps=totals.good_reps,
        first_fault=None if first is None else first.label,
        first_fault_s=None if first is None else first.time_s,
        clip_name=clip.path.name,
        clip_sha256=sha256,
    )


def measure_clips(clips: Sequence[ClipArg], *, fps: float | None = None) -> list[ClipForm]:
    """Check the form in every clip; the first that fails raises (nothing is kept).

    Raises
    ------
    UprightError
        A clip cannot be read or judged (naming it), or two clips are the same bytes.
    """
    measured: list[ClipForm] = []
    for clip in clips:
        form = measure_clip(clip, fps=fps)
        twin = next((m for m in measured if m.clip_sha256 == form.clip_sha256), None)
        if twin is not None:
            raise InputError(
                f"this clip has the same content as {twin.clip_name}: it would count twice",
                path=clip.path,
                fix="Give each clip once",
            )
        measured.append(form)
    return measured
