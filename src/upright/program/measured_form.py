"""A session's form judged from what was measured on video (pure rules).

Each clip gives, for one exercise (and side), the time held and the part of it held with
good form, and for a repetition exercise the reps and the reps done with good form. Only
good form counts towards the dose: the amount a filmed exercise logs is its good-form
seconds (holds) or good-form reps (repetition exercises), summed over the clips of that
exercise and side; a one-sided exercise logs the lower of its two sides, as its dose is
counted each side.

Form rule [design heuristic]: an exercise (each side) is done with good form when its
good-form amount reaches its dose, or every second (rep) done was done with good form
when less than the dose was done; that is, form is poor when a fault cost part of the
prescribed dose. A fault after the dose was reached with good form does not make form
poor. The session's measured form is good when every filmed exercise is done with good
form.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from upright.errors import InputError
from upright.program.catalogue import Catalogue

__all__ = [
    "ClipForm",
    "ExerciseMeasured",
    "Form",
    "MeasuredVerdict",
    "form_for_typed",
    "judge_measured",
    "session_form",
]

Side = Literal["left", "right"]
Form = Literal["good", "poor"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ClipForm(_Model):
    """The form of one exercise measured from one clip."""

    exercise: str
    side: Side | None = None
    held_s: float = Field(ge=0)
    good_form_s: float = Field(ge=0)
    reps: int | None = Field(default=None, ge=0)
    good_reps: int | None = Field(default=None, ge=0)
    first_fault: str | None = Field(default=None, description="The fault that first broke form.")
    first_fault_s: float | None = Field(default=None, description="Its time in the clip (s).")
    clip_name: str
    clip_sha256: str


class ExerciseMeasured(_Model):
    """One filmed exercise: the amount it logs towards its dose, whether its form was
    good, and the measurement in words."""

    key: str
    logged: float = Field(description="Good-form seconds or reps; the lower side if one-sided.")
    good_form: bool
    note: str


class MeasuredVerdict(_Model):
    """The filmed exercises, and the session's measured form."""

    exercises: list[ExerciseMeasured]
    good_form: bool
    note: str = Field(description='E.g. "front_plank 38 of 45 s held with good form".')


def _num(x: float) -> str:
    return f"{round(x, 1):g}"


def _side_note(key: str, side: Side | None, good: float, done: float, unit: str) -> str:
    name = key if side is None else f"{key} ({side} side)"
    if unit == "s":
        return f"{name} {_num(good)} of {_num(done)} s held with good form"
    return f"{name} {good:g} of {done:g} reps with good form"


def _sides(key: str, clips: Sequence[ClipForm], per_side: bool) -> list[Side | None]:
    sides = sorted({c.side for c in clips if c.side is not None})
    if not per_side:
        return [None]
    missing = [s for s in ("left", "right") if s not in sides]
    if missing:
        raise InputError(
            f"{key} is done on each side, and no clip of the {missing[0]} side is given",
            fix=f"Give a clip of each side ({key}:left=FILE and {key}:right=FILE), or log "
            f"it typed with --exercise {key}=N",
        )
    return ["left", "right"]


def judge_measured(clips: Sequence[ClipForm], catalogue: Catalogue) -> MeasuredVerdict:
    """Judge the filmed exercises of one session against their doses.

    Parameters
    ----------
    clips
        One entry per clip; several clips of the same exercise and side add up.
    catalogue
        The exercises, for each dose (its unit and target).

    Returns
    -------
    MeasuredVerdict
        Per exercise the amount it logs (good-form seconds or reps, the lower side of a
        one-sided exercise) and whether its form was good (the rule in the module's
        docstring); the session's form is good when every filmed exercise's is.

    Raises
    ------
    InputError
        No clip, or a one-sided exercise filmed on one side only.
    """
    if not clips:
        raise InputError("no clip measured", fix="Give at least one clip of an exercise")
    keys = list(dict.fromkeys(c.exercise for c in clips))
    exercises = []
    for key in keys:
        dose = catalogue.get(key).dose
        mine = [c for c in clips if c.exercise == key]
        amounts, good_sides, notes = [], [], []
        for side in _sides(key, mine, dose.per_side):
            these = [c for c in mine if c.side == side]
            if dose.log_unit == "s":
                good = sum(c.good_form_s for c in these)
                done = sum(c.held_s for c in these)
            else:
                good = float(sum(c.good_reps or 0 for c in these))
                done = float(sum(c.reps or 0 for c in these))
            amounts.append(good)
            good_sides.append(good >= min(done, dose.log_target) - 1e-9)
            notes.append(_side_note(key, side, good, done, dose.log_unit))
        exercises.append(
            ExerciseMeasured(
                key=key,
                logged=round(min(amounts), 2),
                good_form=all(good_sides),
                note="; ".join(notes),
            )
        )
    return MeasuredVerdict(
        exercises=exercises,
        good_form=all(e.good_form for e in exercises),
        note="; ".join(e.note for e in exercises),
    )


def form_for_typed(typed: Form | None, typed_keys: Sequence[str]) -> Form:
    """The typed form, which the exercises logged without a clip need."""
    if typed is None:
        raise InputError(
            f"no form given for the exercises logged without a clip ({', '.join(typed_keys)})",
            fix="Add --form good or --form poor for them, or film them too",
        )
    return typed


def session_form(
    typed: Form | None, measured: MeasuredVerdict | None, typed_keys: Sequence[str]
) -> tuple[Form, str]:
    """The session's form, and how it was decided, in words.

    Without clips the typed form is the session's. With clips the measurement decides the
    form of the filmed exercises, and a typed ``--form`` covers only the exercises logged
    typed (``typed_keys``): the session's form is good when both are. When every exercise
    was filmed, a typed form that contradicts the measurement is overridden (the message
    says so): what the clips show is stored.

    Raises
    ------
    InputError
        No form typed where one is needed: no clip, or exercises logged without a clip.
    """
    if measured is None:
        if typed is None:
            raise InputError(
                "no form given",
                fix="Add --form good or --form poor, or film the exercises (--video KEY=FILE)",
            )
        return typed, ""
    verdict: Form = "good" if measured.good_form else "poor"
    said = f"Form measured from video: {verdict} ({measured.note})."
    if typed_keys:
        typed = form_for_typed(typed, typed_keys)
        form: Form = "good" if verdict == "good" and typed == "good" else "poor"
        return form, (
            f"{said} Your --form {typed} covers the exercises not filmed; the session's form "
            f"is stored as {form}."
        )
    if typed is not None and typed != verdict:
        return verdict, (
            f"{said} You typed --form {typed}, which the clips contradict: the measured form "
            f"({verdict}) is stored."
        )
    return verdict, said
