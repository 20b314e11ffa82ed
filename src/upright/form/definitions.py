"""One definition per exercise, in one place: view, geometry, tolerances, stop rules, cues.

The definitions are data (``data/form_rules.json``) so a clinician can review them without
reading code; this module states what each field means and validates the table. Every
tolerance carries its source: a paper, the labelled frames it was chosen on, or the words
"design heuristic" when it is a reasoned default to be revised with evidence.

Points
------
A geometry names body points: ``shoulder``, ``hip``, ``knee``, ``ankle``, ``elbow``,
``wrist``, ``heel``, ``toe`` alone mean the mid-point of the left and right keypoints
(the one seen, when only one is); ``side_<point>`` is the point on the side given with
``--side``, ``other_<point>`` the opposite one.

Geometries (all in the image plane, y up, degrees)
--------------------------------------------------
==============  =====================================================================
``line_offset`` points ``[a, vertex, b]``: the vertex's angular offset from the a-b
                line, 180 deg minus the a-vertex-b angle; + when the vertex lies on the
                upper side of the line (away from the floor), - below; 0 on the line.
``incline``     points ``[from, to]``: the segment against horizontal, measured from the
                horizontal that points ``toward`` the head or the feet; + when ``to`` is
                above ``from``; range (-180, 180].
``joint_angle`` points ``[a, vertex, b]``: the angle a-vertex-b, 0..180.
==============  =====================================================================
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from upright.errors import InputError

__all__ = [
    "BODY_POINTS",
    "Condition",
    "ExerciseForm",
    "FaultRule",
    "FormTable",
    "Measure",
    "RepRule",
    "Side",
    "Tolerance",
    "endurance_hold_keys",
    "form_definition",
    "form_keys",
    "load_form_table",
    "validate_form_table",
    "with_stop_faults",
]

Side = Literal["left", "right"]

#: Body points a geometry may name (alone, or with a ``side_`` / ``other_`` prefix).
BODY_POINTS = ("shoulder", "hip", "knee", "ankle", "elbow", "wrist", "heel", "toe")

#: Exercises the definitions cover: the catalogue's stage-1 exercises, the single-leg
#: bridge, and the two McGill endurance holds that are not catalogue exercises.
_NOT_IN_CATALOGUE = ("extensor", "flexor")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_point(name: str) -> str:
    base = name.removeprefix("side_").removeprefix("other_")
    if base not in BODY_POINTS:
        raise ValueError(f"unknown body point {name!r}; use one of {', '.join(BODY_POINTS)}")
    return name


class Measure(_Model):
    """A per-frame angle computed from body points (see the module docstring).

    ``sway`` is the exception: it is computed from another measure (``of``), as its
    distance from its own running median over ``window_s``, so it says how much that
    angle moves, not where it is.
    """

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*_deg$")
    label: str = Field(min_length=1, description="The angle in words, for plots and tables.")
    geometry: Literal["line_offset", "incline", "joint_angle", "sway"]
    points: list[str] = Field(default_factory=list)
    toward: Literal["head", "feet"] = "head"
    of: str | None = None
    window_s: float = Field(default=2.0, gt=0)
    sign: str = Field(min_length=1, description="Reference, sign and range, in words.")

    @model_validator(mode="after")
    def _points_fit(self) -> Measure:
        if self.geometry == "sway":
            if self.of is None or self.points:
                raise ValueError(f"{self.name}: sway needs 'of' (a measure) and no points")
            return self
        wanted = 2 if self.geometry == "incline" else 3
        if len(self.points) != wanted:
            raise ValueError(f"{self.geometry} needs {wanted} points, got {self.points}")
        for p in self.points:
            _check_point(p)
        return self


class Tolerance(_Model):
    """A limit on a measure, with where the number comes from."""

    deg: float
    source: str = Field(min_length=1)


class Condition(_Model):
    """A measure inside ``[low_deg, high_deg]`` (either end open when None)."""

    measure: str
    low_deg: float | None = None
    high_deg: float | None = None
    means: str = Field(min_length=1, description="What the condition checks, in words.")


class FaultRule(_Model):
    """A form fault: a measure below or above a tolerance, and the cue that fixes it."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str = Field(min_length=1)
    measure: str
    below: Tolerance | None = None
    above: Tolerance | None = None
    cue: str = Field(min_length=1)
    ends_hold: bool = Field(
        default=False, description="The protocol stops the clock when this fault appears."
    )

    @model_validator(mode="after")
    def _one_limit(self) -> FaultRule:
        if (self.below is None) == (self.above is None):
            raise ValueError(f"fault {self.name!r} needs exactly one of 'below' or 'above'")
        return self

    @property
    def limit(self) -> Tolerance:
        """The fault's one limit (``below`` or ``above``)."""
        limit = self.below if self.below is not None else self.above
        assert limit is not None  # validated: exactly one is given
        return limit


class RepRule(_Model):
    """Repetitions on a measure: a rep goes from below ``bottom_deg`` to at least
    ``top_deg`` and back below ``bottom_deg``."""

    measure: str
    top: Tolerance
    bottom: Tolerance

    @model_validator(mode="after")
    def _ordered(self) -> RepRule:
        if self.bottom.deg >= self.top.deg:
            raise ValueError("a rep's bottom must lie below its top")
        return self


class ExerciseForm(_Model):
    """Everything the form check knows about one exercise."""

    key: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str = Field(min_length=1)
    view: Literal["side", "front"] = Field(description="Where the camera must be.")
    filming: str = Field(min_length=1, description="How to film it, in words.")
    side: str | None = Field(
        default=None, description="What --side means; None when the exercise has no side."
    )
    kind: Literal["hold", "reps"]
    measures: list[Measure] = Field(min_length=1)
    judged: str = Field(description="The measure plotted with its tolerance band.")
    position: list[Condition] = Field(min_length=1)
    reached: str = Field(min_length=1, description="What 'position reached' means.")
    lost: str = Field(min_length=1, description="What 'position lost' means.")
    faults: list[FaultRule]
    reps: RepRule | None = None
    floor_points: list[str] | None = Field(
        default=None,
        description="Two points resting on the floor (or bench): their line is level in "
        "the room, so its angle in the picture is the camera tilt.",
    )
    max_hold_s: Tolerance | None = None

    @model_validator(mode="after")
    def _consistent(self) -> ExerciseForm:
        names = [m.name for m in self.measures]
        if len(set(names)) != len(names):
            raise ValueError(f"{self.key}: a measure name is repeated")
        used = [self.judged, *(c.measure for c in self.position), *(f.measure for f in self.faults)]
        used += [m.of for m in self.measures if m.of is not None]
        if self.reps is not None:
            used.append(self.reps.measure)
        unknown = sorted({u for u in used if u not in names})
        if unknown:
            raise ValueError(f"{self.key}: unknown measure(s) {', '.join(unknown)}")
        sided = any(p.startswith(("side_", "other_")) for m in self.measures for p in m.points)
        if sided and self.side is None:
            raise ValueError(f"{self.key}: uses side_/other_ points but says no 'side'")
        if (self.kind == "reps") != (self.reps is not None):
            raise ValueError(f"{self.key}: 'reps' is given exactly when kind is 'reps'")
        if self.floor_points is not None:
            if len(self.floor_points) != 2:
                raise ValueError(f"{self.key}: floor_points needs two points")
            for p in self.floor_points:
                _check_point(p)
        return self

    def measure(self, name: str) -> Measure:
        """The measure called ``name``."""
        return next(m for m in self.measures if m.name == name)

    def band(self, measure: str) -> tuple[float | None, float | None]:
        """The good-form band of a measure: its faults' limits (None = open)."""
        low = [f.below.deg for f in self.faults if f.measure == measure and f.below]
        high = [f.above.deg for f in self.faults if f.measure == measure and f.above]
        return (max(low) if low else None, min(high) if high else None)


class FormTable(_Model):
    exercises: list[ExerciseForm]


def _read_table() -> Any:
    text = resources.files("upright.form").joinpath("data/form_rules.json").read_text("utf-8")
    return json.loads(text)


def validate_form_table(data: Any) -> FormTable:
    """Validate the table; every problem is named in one :class:`InputError`."""
    try:
        table = FormTable.model_validate(data)
    except ValidationError as err:
        raise InputError(
            f"the exercise form rules are invalid: {err.error_count()} problem(s): "
            + "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in err.errors()),
            fix="Correct upright/form/data/form_rules.json",
        ) from err
    keys = [e.key for e in table.exercises]
    repeated = sorted({k for k in keys if keys.count(k) > 1})
    if repeated:
        raise InputError(
            f"the exercise form rules repeat the key(s) {', '.join(repeated)}",
            fix="Give each exercise one definition",
        )
    return table


@cache
def load_form_table() -> FormTable:
    """The packaged form rules, validated once."""
    return validate_form_table(_read_table())


def form_keys() -> tuple[str, ...]:
    """Every exercise key the form check knows, in table order."""
    return tuple(e.key for e in load_form_table().exercises)


def form_definition(key: str, side: Side | None = None) -> ExerciseForm:
    """The definition of exercise ``key``, checked against the ``side`` given.

    Raises
    ------
    InputError
        The key is unknown, a side is missing where the exercise needs one, or given
        where it has none.
    """
    by_key = {e.key: e for e in load_form_table().exercises}
    if key not in by_key:
        raise InputError(
            f"'{key}' is not an exercise the form check knows",
            fix=f"Use one of: {', '.join(by_key)}",
        )
    definition = by_key[key]
    if definition.side is not None and side is None:
        raise InputError(
            f"the {definition.name.lower()} is checked one side at a time",
            fix=f"Give --side left or --side right ({definition.side})",
        )
    if definition.side is None and side is not None:
        raise InputError(
            f"the {definition.name.lower()} has no side",
            fix="Leave out --side",
        )
    return definition


def endurance_hold_keys() -> tuple[str, ...]:
    """Definitions that are endurance holds rather than catalogue exercises."""
    return _NOT_IN_CATALOGUE


def with_stop_faults(definition: ExerciseForm, names: tuple[str, ...]) -> ExerciseForm:
    """The definition with the faults ``names`` ending the hold, as an endurance test's
    stop rule asks ("stop when your hip drops from the straight line").

    Raises
    ------
    InputError
        A name is not one of the exercise's faults.
    """
    known = {f.name for f in definition.faults}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise InputError(
            f"the {definition.name.lower()} has no fault {', '.join(unknown)}",
            fix=f"Use: {', '.join(sorted(known))}",
        )
    if not names:
        return definition
    faults = [
        f.model_copy(update={"ends_hold": True}) if f.name in names else f
        for f in definition.faults
    ]
    return definition.model_copy(update={"faults": faults})
