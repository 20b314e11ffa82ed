"""Red-flag screen: always first, every time (NICE NG59 2016 and QS155).

Three urgency levels, highest first:

==========  =====================================================================
emergency   possible cauda equina: stop everything, seek emergency care now
same_day    possible infection: see a doctor today; the plan stays blocked
review      see a clinician before continuing; the plan stays blocked
==========  =====================================================================

The plan stays blocked for ``same_day`` and ``review`` until the user records clinician
clearance. An unanswered question leaves the screen ``incomplete``, never ``clear``.
Single red flags are weak on their own and combinations matter (Finucane 2020, IFOMPT,
JOSPT 50:350), so the screen reports every positive answer, not only the first.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from pydantic import BaseModel, ConfigDict

from upright.assessment._data import load_table
from upright.errors import InputError

__all__ = [
    "ADVICE",
    "DISCLAIMER",
    "RED_FLAG_KEYS",
    "RedFlagHit",
    "RedFlagQuestion",
    "RedFlagScreen",
    "red_flag_questions",
    "screen_red_flags",
]

Level = Literal["emergency", "same_day", "review"]
ScreenStatus = Literal["emergency", "same_day", "review", "incomplete", "clear"]

DISCLAIMER = (
    "upright is a training and self-management aid, not a medical device; it does not "
    "diagnose and does not replace a clinician."
)

#: Advice per outcome. Source: NICE guideline NG59 (2016) and quality standard QS155.
ADVICE: dict[ScreenStatus, str] = {
    "emergency": (
        "STOP. Your answers include signs that need emergency care now (possible cauda "
        "equina). Go to an emergency department or call emergency services now. Do not "
        "run or exercise. upright's check-up and plan stop here."
    ),
    "same_day": (
        "See a doctor today. Your answers include signs that need same-day medical review. "
        "The exercise plan stays blocked until you record that a clinician has cleared you."
    ),
    "review": (
        "See a clinician before continuing. Your answers include signs that need medical "
        "review. The exercise plan stays blocked until you record that a clinician has "
        "cleared you."
    ),
    "incomplete": (
        "The red-flag screen is incomplete: some questions are unanswered, and an "
        "unanswered question is never taken as a no. Answer them before the plan can start."
    ),
    "clear": (
        "No red flags reported. Repeat this screen whenever your symptoms change, and see "
        "a clinician if the pain becomes severe, constant or is getting worse."
    ),
}

_CLEARED = (
    "Your answers include red flags, and you have recorded that a clinician cleared you, so "
    "the plan may continue. Stop and seek review again if anything changes or gets worse."
)

_LEVEL_ORDER: tuple[Level, ...] = ("emergency", "same_day", "review")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RedFlagQuestion(_Model):
    """One yes/no red-flag question from ``data/redflags.json``."""

    key: str
    level: Level
    question: str
    source: str
    unverified: bool = False


class RedFlagHit(_Model):
    """A question answered yes."""

    key: str
    level: Level
    question: str
    source: str
    unverified: bool


class RedFlagScreen(_Model):
    """Outcome of the red-flag screen.

    ``status`` is the highest level answered yes; otherwise ``incomplete`` when any
    question is unanswered; otherwise ``clear``. ``stop_everything`` is true only for an
    emergency; ``plan_blocked`` is true unless the screen is clear, or a same-day or
    review-level screen has clinician clearance recorded. Clearance never lifts an
    emergency or an incomplete screen.
    """

    status: ScreenStatus
    stop_everything: bool
    plan_blocked: bool
    clearance_recorded: bool
    hits: list[RedFlagHit]
    unanswered: list[str]
    advice: str
    disclaimer: str = DISCLAIMER


def red_flag_questions() -> list[RedFlagQuestion]:
    """Return every red-flag question, in the order asked."""
    return [RedFlagQuestion(**q) for q in load_table("redflags")["questions"]]


RED_FLAG_KEYS: tuple[str, ...] = tuple(q.key for q in red_flag_questions())


def screen_red_flags(
    answers: Mapping[str, bool | None], *, clearance_recorded: bool = False
) -> RedFlagScreen:
    """Screen the red-flag answers.

    Parameters
    ----------
    answers
        Question key -> True (yes), False (no) or None (unanswered). A key that is absent
        counts as unanswered.
    clearance_recorded
        The user has recorded that a clinician cleared them to exercise.

    Returns
    -------
    RedFlagScreen

    Raises
    ------
    InputError
        An unknown key, or a value that is not true, false or null.

    Notes
    -----
    Levels and questions: NICE guideline NG59 (2016) and quality standard QS155;
    Finucane et al. 2020, JOSPT 50:350 (IFOMPT). The inflammatory-pattern question follows
    NICE guideline NG65 and has not yet been checked against its text: its ``unverified``
    flag is true and its source says so in words.
    """
    unknown = sorted(set(answers) - set(RED_FLAG_KEYS))
    if unknown:
        raise InputError(
            f"red_flags: unknown key(s) {', '.join(unknown)}",
            fix=f"Use only these keys: {', '.join(RED_FLAG_KEYS)}",
        )
    for key, value in answers.items():
        if value is not None and not isinstance(value, bool):
            raise InputError(
                f"red_flags.{key}: got {value!r}",
                fix="Answer true (yes), false (no) or null (not answered)",
            )
    questions = red_flag_questions()
    hits = [
        RedFlagHit(
            key=q.key, level=q.level, question=q.question, source=q.source, unverified=q.unverified
        )
        for q in questions
        if answers.get(q.key) is True
    ]
    unanswered = [q.key for q in questions if answers.get(q.key) is None]
    status = _status(hits, unanswered)
    blocked = status in ("emergency", "incomplete") or (
        status in ("same_day", "review") and not clearance_recorded
    )
    advice = ADVICE[status]
    if status in ("same_day", "review") and clearance_recorded:
        advice = _CLEARED
    if status in ("same_day", "review") and unanswered:
        # an emergency says one thing only: go now (nothing to answer first)
        advice += f" Also answer the {len(unanswered)} unanswered question(s)."
    return RedFlagScreen(
        status=status,
        stop_everything=status == "emergency",
        plan_blocked=blocked,
        clearance_recorded=clearance_recorded,
        hits=hits,
        unanswered=unanswered,
        advice=f"{advice} {DISCLAIMER}",
    )


def _status(hits: list[RedFlagHit], unanswered: list[str]) -> ScreenStatus:
    for level in _LEVEL_ORDER:
        if any(h.level == level for h in hits):
            return level
    return "incomplete" if unanswered else "clear"
