"""The exercise catalogue of the core and glute program (an isometric-first approach after McGill).

The exercises are data (``data/exercises.json``) so a clinician can review them without
reading code. :func:`load_catalogue` validates every entry and checks that each easier
and harder neighbour names an exercise that exists, and that an exercise's ``form`` names
its own form definition (``upright form --exercise KEY``): how to film it and what the
check looks at are read from there (:func:`form_guide`), never written twice.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from upright.errors import InputError
from upright.form.definitions import ExerciseForm, load_form_table

__all__ = [
    "Catalogue",
    "Dose",
    "Exercise",
    "Fault",
    "FormGuide",
    "LogUnit",
    "Pattern",
    "Stage",
    "form_guide",
    "load_catalogue",
    "validate_catalogue",
]

Stage = Literal[1, 2, 3]
Pattern = Literal[
    "anti-extension",
    "anti-lateral-flexion",
    "anti-rotation",
    "hip-extension",
    "hip-abduction",
    "hinge",
    "single-leg",
    "drill",
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Fault(_Model):
    """A common fault and how it feels or looks, so the user can spot it."""

    fault: str = Field(min_length=1)
    feels_like: str = Field(min_length=1)


LogUnit = Literal["s", "reps"]


class Dose(_Model):
    """How much of an exercise to do in one session, and how a session log counts it.

    ``upright log session --exercise KEY=N`` gives N in ``log_unit`` (seconds held in
    all, or reps in all; each side for a one-sided exercise); the exercise is done at its
    dose when N reaches ``log_target``.
    """

    kind: Literal["hold_pyramid", "hold", "reps", "distance"]
    text: str = Field(min_length=1)
    per_side: bool
    minutes: float = Field(gt=0, description="Time it takes in a session, rests included.")
    log_unit: LogUnit
    log_target: float = Field(gt=0, description="The dose in log_unit: N reaching it is done.")
    log_note: str = Field(min_length=1, description="What N counts, in words.")


class Exercise(_Model):
    """One exercise: how to do it, what to watch for, and where it sits in the ladder."""

    key: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str = Field(min_length=1)
    stage: Stage
    pattern: Pattern
    form: str | None = Field(
        default=None,
        description="Key of the exercise's form definition (upright form --exercise KEY): "
        "the exercise's own key, or None when it has no video form check.",
    )
    muscles: list[str] = Field(min_length=1)
    how: str = Field(min_length=1)
    cues: list[str] = Field(min_length=1)
    faults: list[Fault] = Field(min_length=1)
    dose: Dose
    easier: list[str]
    harder: list[str]
    source: str = Field(min_length=1)


class Catalogue(_Model):
    """Every exercise, by key."""

    exercises: dict[str, Exercise]

    def get(self, key: str) -> Exercise:
        """Return the exercise ``key``; raise :class:`InputError` naming it if unknown."""
        try:
            return self.exercises[key]
        except KeyError:
            raise InputError(
                f"exercise catalogue: no exercise {key!r}",
                fix=f"Use one of: {', '.join(sorted(self.exercises))}",
            ) from None

    def by_stage(self, stage: Stage) -> list[Exercise]:
        """Exercises of one stage, in catalogue order."""
        return [e for e in self.exercises.values() if e.stage == stage]


def validate_catalogue(raw: dict[str, Any], *, origin: str = "exercises.json") -> Catalogue:
    """Validate a parsed catalogue ``{"exercises": [...]}``.

    Raises
    ------
    InputError
        An entry does not match the schema, a key is repeated, or an easier/harder
        neighbour names an exercise that does not exist (the message names it).
    """
    entries = raw.get("exercises")
    if not isinstance(entries, list) or not entries:
        raise InputError(
            f"{origin}: no 'exercises' list", fix="Give a non-empty list under 'exercises'"
        )
    exercises: dict[str, Exercise] = {}
    for i, entry in enumerate(entries):
        try:
            ex = Exercise.model_validate(entry)
        except ValidationError as exc:
            raise InputError(
                f"{origin}: exercise #{i} is invalid: {exc.errors()[0]['loc']} "
                f"{exc.errors()[0]['msg']}",
                fix="Correct the entry against upright.program.catalogue.Exercise",
            ) from exc
        if ex.key in exercises:
            raise InputError(f"{origin}: exercise key {ex.key!r} appears twice")
        exercises[ex.key] = ex
    for ex in exercises.values():
        for side in ("easier", "harder"):
            for neighbour in getattr(ex, side):
                if neighbour not in exercises:
                    raise InputError(
                        f"{origin}: exercise {ex.key!r} lists unknown {side} neighbour "
                        f"{neighbour!r}",
                        fix="Use the key of an exercise in the catalogue",
                    )
                if neighbour == ex.key:
                    raise InputError(f"{origin}: exercise {ex.key!r} lists itself as {side}")
        _check_form(ex, origin)
    return Catalogue(exercises=exercises)


def _check_form(ex: Exercise, origin: str) -> None:
    """An exercise's ``form`` is its own key and names a form definition."""
    if ex.form is None:
        return
    known = {f.key for f in load_form_table().exercises}
    if ex.form != ex.key or ex.form not in known:
        raise InputError(
            f"{origin}: exercise {ex.key!r} names form definition {ex.form!r}, "
            + ("which does not exist" if ex.form not in known else "not its own key"),
            fix=f"Give 'form': {ex.key!r} when the form check knows it "
            f"({', '.join(sorted(known))}), else null",
        )


class FormGuide(_Model):
    """How to film an exercise for ``upright form`` and what the check looks at, in
    words taken from its form definition."""

    key: str
    command: str
    film: str
    looks_at: str


def _looks_at(d: ExerciseForm) -> str:
    judged = d.measure(d.judged).label
    counted = "the reps" if d.kind == "reps" else "the seconds held in good form"
    text = f"{judged[0].lower()}{judged[1:]} and {counted}"
    if d.faults:
        text += f"; faults it names: {', '.join(f.label for f in d.faults)}"
    return text


def form_guide(exercise: Exercise) -> FormGuide | None:
    """Filming and what the form check looks at for ``exercise`` (None without a check)."""
    if exercise.form is None:
        return None
    d = next(f for f in load_form_table().exercises if f.key == exercise.form)
    side = " --side left|right" if d.side is not None else ""
    return FormGuide(
        key=d.key,
        command=f"upright form CLIP --exercise {d.key}{side}",
        film=d.filming,
        looks_at=_looks_at(d),
    )


@cache
def load_catalogue() -> Catalogue:
    """Load and validate the shipped catalogue ``data/exercises.json`` (cached)."""
    text = resources.files("upright.program").joinpath("data", "exercises.json").read_text("utf-8")
    return validate_catalogue(json.loads(text))
