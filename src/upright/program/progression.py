"""When to progress, hold or regress (design heuristic), and how much to run while in
pain (Silbernagel 2007).

Progression rule [design heuristic, configurable]: progress when the whole prescribed
session is done with good form, pain stays <= 3/10 during it and there is no flare the
next morning, on two consecutive sessions. Regress one level when pain exceeds 5/10 or
next-morning pain or stiffness rises. Running load follows the pain-monitoring model
(Silbernagel 2007, from Achilles tendinopathy, extrapolated).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, Field

from upright.errors import InputError
from upright.summaries import DISCLAIMER

__all__ = [
    "GOOD_SESSIONS_TO_PROGRESS",
    "MAX_LEVEL",
    "PAIN_ACCEPTABLE_MAX",
    "PAIN_PROGRESS_MAX",
    "PAIN_REGRESS_ABOVE",
    "PAIN_SAFE_MAX",
    "Decision",
    "RunningLoadAdvice",
    "SessionLog",
    "decide",
    "running_load_advice",
]

#: Progress only when pain during the session is at most this [design heuristic].
PAIN_PROGRESS_MAX: Final = 3
#: Regress when pain during the session is above this [design heuristic].
PAIN_REGRESS_ABOVE: Final = 5
#: Good sessions in a row needed to progress [design heuristic].
GOOD_SESSIONS_TO_PROGRESS: Final = 2
#: Pain-monitoring zones while running (Silbernagel 2007): 0-2 safe, 3-5 acceptable.
PAIN_SAFE_MAX: Final = 2
PAIN_ACCEPTABLE_MAX: Final = 5
#: Highest program stage (1 isometric, 2 dynamic, 3 running-specific).
MAX_LEVEL: Final = 3

#: What a regress at stage 1 and a progress at stage 3 mean, as the plan has no lower or
#: higher stage [design heuristic]: the dose changes, the exercises stay.
_EASIER_AT_1: Final = (
    "stay at stage 1 with a smaller dose (shorter holds and fewer repetitions, more rest) "
    "until a session is pain-free the next morning."
)
_HARDER_AT_3: Final = (
    "stay at stage 3 (the last) and add repetitions or load while the form stays good and the pain "
    "settles by the next morning."
)

Action = Literal["progress", "hold", "regress"]
Zone = Literal["safe", "acceptable", "stop"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SessionLog(_Model):
    """What the user recorded after one exercise session.

    ``next_morning_flare`` is True when pain or stiffness the next morning was higher
    than before the session; None means not yet recorded, which never counts as "no".
    """

    completed: bool = Field(
        description="Done in full: every prescribed exercise logged at its dose."
    )
    good_form: bool
    pain_during: int = Field(ge=0, le=10, description="Worst pain during the session, 0-10.")
    next_morning_flare: bool | None = None
    form_measured: str | None = Field(
        default=None,
        description='How form was measured from video, in words ("front_plank 38 of 45 s '
        'held with good form"); None when the form was typed.',
    )


class Decision(_Model):
    """Progress, hold or regress, with the reason in words."""

    action: Action
    current_level: int
    new_level: int
    reason: str
    disclaimer: str = DISCLAIMER

    @property
    def advice(self) -> str:
        """The reason with the disclaimer, as shown to the user."""
        return f"{self.reason} {self.disclaimer}"


class RunningLoadAdvice(_Model):
    """Pain-monitoring advice for running (Silbernagel 2007)."""

    zone: Zone
    reduce_next_run: bool
    advice: str


def _is_good(log: SessionLog) -> bool:
    return (
        log.completed
        and log.good_form
        and log.pain_during <= PAIN_PROGRESS_MAX
        and log.next_morning_flare is False
    )


def _why_not_good(log: SessionLog) -> str:
    if not log.completed:
        return "the session was not done in full (every prescribed exercise at its dose)"
    if not log.good_form:
        return "form was not good throughout"
    if log.pain_during > PAIN_PROGRESS_MAX:
        return f"pain during it was {log.pain_during}/10 (above {PAIN_PROGRESS_MAX}/10)"
    if log.next_morning_flare is None:
        return "next-morning pain and stiffness are not recorded yet"
    return "pain or stiffness rose the next morning"


def _with_measured(decision: Decision, last: SessionLog) -> Decision:
    """The decision, its reason saying when the last session's form was measured."""
    if last.form_measured is None:
        return decision
    verdict = "good" if last.good_form else "poor"
    reason = (
        f"{decision.reason} Form in the last session was {verdict}, measured from video: "
        f"{last.form_measured}."
    )
    return decision.model_copy(update={"reason": reason})


def _step_down(level: int) -> str:
    return _EASIER_AT_1 if level == 1 else f"go back to stage {level - 1}."


def decide(session_logs: Sequence[SessionLog], current_level: int) -> Decision:
    """Decide whether to progress, hold or regress one level.

    Parameters
    ----------
    session_logs
        Logged sessions at the current level, oldest first.
    current_level
        The stage now being done (1 isometric, 2 dynamic, 3 running-specific).

    Returns
    -------
    Decision
        At level 1 a regress means a smaller dose of the same exercises; at level 3 a
        progress means more repetitions or load; the level itself stays within 1-3.

    Raises
    ------
    InputError
        ``current_level`` is not 1, 2 or 3.

    Notes
    -----
    Progression rule [design heuristic, configurable]: regress
    when the latest session had pain above 5/10 or a next-morning rise in pain or
    stiffness; progress after two consecutive good sessions (whole session, good form,
    pain <= 3/10, no next-morning flare); otherwise hold. When the last session's form was
    measured from video, the reason says so and gives the measurement.
    """
    if current_level not in (1, 2, 3):
        raise InputError(
            f"progression: current_level {current_level!r} is not a stage",
            fix="Use 1 (isometric), 2 (dynamic) or 3 (running-specific)",
        )
    if not session_logs:
        return Decision(
            action="hold",
            current_level=current_level,
            new_level=current_level,
            reason="No sessions logged yet: stay at this level and log each session.",
        )
    last = session_logs[-1]
    return _with_measured(_decide_from(session_logs, last, current_level), last)


def _decide_from(
    session_logs: Sequence[SessionLog], last: SessionLog, current_level: int
) -> Decision:
    down = max(1, current_level - 1)
    if last.pain_during > PAIN_REGRESS_ABOVE:
        return Decision(
            action="regress",
            current_level=current_level,
            new_level=down,
            reason=(
                f"Pain reached {last.pain_during}/10 during the last session, above "
                f"{PAIN_REGRESS_ABOVE}/10: {_step_down(current_level)}"
            ),
        )
    if last.next_morning_flare is True:
        return Decision(
            action="regress",
            current_level=current_level,
            new_level=down,
            reason=(
                "Pain or stiffness rose the morning after the last session: "
                + _step_down(current_level)
            ),
        )
    recent = session_logs[-GOOD_SESSIONS_TO_PROGRESS:]
    if len(recent) == GOOD_SESSIONS_TO_PROGRESS and all(_is_good(s) for s in recent):
        up = min(MAX_LEVEL, current_level + 1)
        return Decision(
            action="progress",
            current_level=current_level,
            new_level=up,
            reason=(
                f"{GOOD_SESSIONS_TO_PROGRESS} sessions in a row done in full with good form, "
                f"pain at most {PAIN_PROGRESS_MAX}/10 and no next-morning flare: "
                + (_HARDER_AT_3 if current_level == MAX_LEVEL else f"move up to stage {up}.")
            ),
        )
    if _is_good(last):
        reason = (
            f"One good session: one more in a row like it is needed before moving up "
            f"({GOOD_SESSIONS_TO_PROGRESS} are needed)."
        )
    else:
        reason = f"Stay at this level: in the last session {_why_not_good(last)}."
    return Decision(
        action="hold", current_level=current_level, new_level=current_level, reason=reason
    )


def _check_pain(name: str, value: int | None) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10:
        raise InputError(
            f"running load: {name} is {value!r}", fix="Give a whole number from 0 to 10"
        )


def running_load_advice(
    pain_during: int, pain_next_morning: int | None = None, *, pain_before: int = 0
) -> RunningLoadAdvice:
    """Advice for running from pain during a run and pain the next morning.

    Parameters
    ----------
    pain_during
        Worst pain during the run, 0-10.
    pain_next_morning
        Pain the next morning, 0-10; None when not yet known.
    pain_before
        Usual pain before the run, 0-10; next-morning pain above it has not settled.

    Raises
    ------
    InputError
        A pain value is not a whole number from 0 to 10.

    Notes
    -----
    Pain-monitoring model (Silbernagel 2007, Am J Sports Med 35:897, Achilles tendinopathy,
    extrapolated to the back): 0-2 safe, 3-5 acceptable, above 5 stop; pain must settle
    by the next morning, otherwise reduce the next run.
    """
    _check_pain("pain_during", pain_during)
    _check_pain("pain_next_morning", pain_next_morning)
    _check_pain("pain_before", pain_before)
    zone: Zone
    if pain_during <= PAIN_SAFE_MAX:
        zone = "safe"
        text = f"Pain {pain_during}/10 during the run is in the safe zone (0-2)."
    elif pain_during <= PAIN_ACCEPTABLE_MAX:
        zone = "acceptable"
        text = f"Pain {pain_during}/10 during the run is acceptable (3-5) if it settles."
    else:
        zone = "stop"
        text = (
            f"Pain {pain_during}/10 is above 5: stop the run and walk home; make the next "
            "run shorter or easier."
        )
    unsettled = pain_next_morning is not None and pain_next_morning > pain_before
    if unsettled:
        text += (
            f" Pain had not settled by the next morning ({pain_next_morning}/10 against "
            f"{pain_before}/10 before): reduce the next run."
        )
    elif pain_next_morning is None:
        text += " Check the next morning: pain must settle back, otherwise reduce the next run."
    else:
        text += " Pain settled by the next morning."
    text += " (Pain-monitoring model, Silbernagel 2007, extrapolated from Achilles tendons.)"
    return RunningLoadAdvice(
        zone=zone,
        reduce_next_run=zone == "stop" or unsettled,
        advice=f"{text} {DISCLAIMER}",
    )
