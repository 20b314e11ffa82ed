"""Whether a logged session was done in full: every prescribed exercise at its dose.

Only a session done in full counts towards the two good sessions in a row that move a
runner up a stage (:func:`upright.program.progression.decide`); a partial session is
stored as partial. The amount logged per exercise is in the unit of the exercise's dose
(:attr:`upright.program.catalogue.Dose.log_unit`: seconds held in all, or reps in all,
each side for a one-sided exercise).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pydantic import BaseModel, ConfigDict

from upright.program.catalogue import Catalogue, LogUnit

__all__ = ["SessionCheck", "Shortfall", "check_session", "log_hint"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Shortfall(_Model):
    """A prescribed exercise logged below its dose."""

    key: str
    logged: float
    target: float
    unit: LogUnit


class SessionCheck(_Model):
    """The logged session against the session the plan prescribed."""

    in_full: bool
    prescribed: list[str]
    missing: list[str]
    short: list[Shortfall]
    reason: str


def log_hint(catalogue: Catalogue, key: str) -> str:
    """How to log one exercise at its dose, e.g. ``side_plank=120 (seconds held in all: ...)``."""
    dose = catalogue.get(key).dose
    return f"{key}={dose.log_target:g} ({dose.log_note})"


def _against(
    logged: Mapping[str, float], keys: Sequence[str], catalogue: Catalogue
) -> tuple[list[str], list[Shortfall]]:
    missing = [k for k in keys if k not in logged]
    short = []
    for key in keys:
        dose = catalogue.get(key).dose
        if key in logged and logged[key] < dose.log_target:
            short.append(
                Shortfall(key=key, logged=logged[key], target=dose.log_target, unit=dose.log_unit)
            )
    return missing, short


def _reason(missing: list[str], short: list[Shortfall]) -> str:
    parts = []
    if missing:
        parts.append(f"not logged: {', '.join(missing)}")
    if short:
        parts.append(
            "below the dose: "
            + ", ".join(f"{s.key} {s.logged:g} of {s.target:g} {s.unit}" for s in short)
        )
    return "; ".join(parts)


def check_session(
    logged: Mapping[str, float],
    sessions: Sequence[Sequence[str]],
    catalogue: Catalogue,
    *,
    no_plan_reason: str = "no plan prescribes a session to judge it against",
) -> SessionCheck:
    """Judge a logged session against the sessions the plan prescribes at its stage.

    Parameters
    ----------
    logged
        Amount done per exercise key, in each exercise's log unit.
    sessions
        The exercise keys of each distinct session the plan prescribes at this stage (the
        stage 1 flexor holds alternate, so two sessions differ); doing any one in full
        counts. Empty when there is no plan (no check-up, or a red flag blocks it).
    catalogue
        The exercises, for each dose.
    no_plan_reason
        Why there is no plan, said when ``sessions`` is empty.

    Returns
    -------
    SessionCheck
        ``in_full`` when every exercise of one prescribed session is logged at its dose
        or more; otherwise what is missing or short for the nearest session. Exercises
        logged beyond the prescription do not matter.
    """
    if not sessions:
        return SessionCheck(
            in_full=False,
            prescribed=[],
            missing=[],
            short=[],
            reason=f"Not done in full: {no_plan_reason}.",
        )
    judged = [(list(keys), *_against(logged, keys, catalogue)) for keys in sessions]
    keys, missing, short = min(judged, key=lambda j: len(j[1]) + len(j[2]))
    if not missing and not short:
        reason = "Done in full: every prescribed exercise at its dose."
    else:
        reason = f"Not done in full ({_reason(missing, short)})."
    return SessionCheck(
        in_full=not missing and not short,
        prescribed=keys,
        missing=missing,
        short=short,
        reason=reason,
    )
