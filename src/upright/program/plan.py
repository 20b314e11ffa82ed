"""Build the exercise plan from the triage and the red-flag screen (CLINICAL.md s5).

Everyone starts at stage 1 (isometric holds, neutral spine, no extension). The triage
adds work: glute and endurance holds when weakness is likely, tall-posture drills and
late-run posture cues when a posture or fatigue fault is likely. Every choice carries
its reason and source. An open red flag blocks the plan.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

from pydantic import BaseModel, ConfigDict

from upright.assessment.redflags import RedFlagScreen
from upright.assessment.triage import TriageResult
from upright.errors import InputError
from upright.program.catalogue import Catalogue, load_catalogue
from upright.summary import DISCLAIMER

__all__ = [
    "MAX_SESSION_MIN",
    "MIN_SESSION_MIN",
    "POSTURE_CUES",
    "Choice",
    "Plan",
    "Prescription",
    "Session",
    "build_plan",
]

DOSE_SOURCE: Final = "Mueller & Niederer 2020, Sci Rep 10:16921 (CLINICAL.md s5)"
#: Session length across programs with the largest effect (Mueller & Niederer 2020).
MIN_SESSION_MIN: Final = 20
MAX_SESSION_MIN: Final = 30
WARM_UP_MIN: Final = 3.0
#: Day offsets within a week for each number of sessions [design heuristic]: rest days
#: spread between sessions.
_DAY_OFFSETS: Final[dict[int, tuple[int, ...]]] = {
    3: (0, 2, 4),
    4: (0, 1, 3, 5),
    5: (0, 1, 3, 4, 6),
}
_BASE: Final = ("side_plank", "bird_dog", "glute_bridge")
_FLEXOR_ALTERNATES: Final = ("curl_up", "dead_bug")
_WEAKNESS_EXTRA: Final = ("front_plank", "clamshell_hold")
_POSTURE_EXTRA: Final = ("a_march",)

POSTURE_CUES: Final = (
    "Run tall: head over shoulders over hips, as if pulled up by a string.",
    "Lean a little from the ankles, not by bending at the waist.",
    "Keep the chin level and the eyes on the path ahead, not looking up by arching the neck.",
    "In the last third of long runs, check posture every few minutes: breathe out, "
    "stand tall, relax the shoulders.",
)
_S5 = "CLINICAL.md s5"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Choice(_Model):
    """One decision in the plan, with why it was made and where that comes from."""

    what: str
    reason: str
    source: str


class Prescription(_Model):
    """One exercise in a session, with its dose and the reason it is there."""

    key: str
    name: str
    stage: int
    dose: str
    minutes: float
    reason: str
    source: str


class Session(_Model):
    """One dated session."""

    number: int
    week: int
    date: dt.date
    stage: int
    exercises: list[Prescription]
    duration_min: float
    notes: list[str]


class Plan(_Model):
    """The whole program, or a blocked plan with the reason."""

    blocked: bool
    blocked_reason: str
    start_date: dt.date
    weeks: int
    sessions_per_week: int
    stage: int
    choices: list[Choice]
    sessions: list[Session]
    posture_cues: list[str]
    running_load_advice: str
    progression_rule: str
    disclaimer: str = DISCLAIMER


RUNNING_LOAD_TEXT: Final = (
    "Running while symptomatic: rate your back pain 0-10 during each run. 0-2 is safe, "
    "3-5 is acceptable, above 5 stop the run. Pain must settle by the next morning; if "
    "it has not, make the next run shorter or easier (pain-monitoring model, Silbernagel "
    "2007, extrapolated from Achilles tendinopathy). " + DISCLAIMER
)
PROGRESSION_TEXT: Final = (
    "Move up a stage after two sessions in a row done in full with good form, pain at most "
    "3/10 during and no flare the next morning. Go back one level if pain goes above 5/10 "
    "or next-morning pain or stiffness rises (design heuristic, CLINICAL.md s5). " + DISCLAIMER
)


def _verdict(triage: TriageResult, cause: str) -> str:
    for v in triage.verdicts:
        if v.cause == cause:
            return v.verdict
    return "not enough evidence"


def _blocked(reason: str, start: dt.date, weeks: int, per_week: int) -> Plan:
    return Plan(
        blocked=True,
        blocked_reason=f"{reason} {DISCLAIMER}",
        start_date=start,
        weeks=weeks,
        sessions_per_week=per_week,
        stage=1,
        choices=[],
        sessions=[],
        posture_cues=[],
        running_load_advice="",
        progression_rule="",
    )


def _check_args(sessions_per_week: int, weeks: int) -> None:
    if sessions_per_week not in _DAY_OFFSETS:
        raise InputError(
            f"plan: sessions_per_week is {sessions_per_week!r}",
            fix="Choose 3, 4 or 5 sessions a week (Mueller & Niederer 2020)",
        )
    if not isinstance(weeks, int) or isinstance(weeks, bool) or weeks < 1:
        raise InputError(f"plan: weeks is {weeks!r}", fix="Give a whole number of weeks, 1 or more")


def _prescribe(cat: Catalogue, key: str, reason: str) -> Prescription:
    ex = cat.get(key)
    return Prescription(
        key=ex.key,
        name=ex.name,
        stage=ex.stage,
        dose=ex.dose.text,
        minutes=ex.dose.minutes,
        reason=reason,
        source=ex.source,
    )


def _select(triage: TriageResult) -> tuple[list[tuple[str, str]], list[Choice]]:
    """Exercise keys (with the reason for each) and the choices behind them."""
    keys: list[tuple[str, str]] = [
        (k, "Stage 1 base for everyone: isometric hold with a neutral spine") for k in _BASE
    ]
    choices = [
        Choice(
            what="Stage 1 isometric holds for everyone (side plank, bird dog, glute bridge, "
            "curl-up or dead bug), McGill pyramid dose: 10 s holds, 6-4-2 reps per side, "
            "about 30 s rest",
            reason="Build endurance with a neutral spine and no spinal extension before "
            "adding movement",
            source=f"{_S5} stage 1; McGill, Childs & Liebenson 1999",
        ),
        Choice(
            what="Glute bridge with a band, thighs about 30 deg apart",
            reason="Most gluteus maximus relative to the back extensors",
            source="Kang 2016, Man Ther 22:211",
        ),
    ]
    if _verdict(triage, "weakness") == "likely":
        keys += [
            (k, "Weakness likely: extra trunk endurance and glute work") for k in _WEAKNESS_EXTRA
        ]
        choices.append(
            Choice(
                what="Extra glute and endurance work: front plank and clamshell hold",
                reason="Triage: weakness and compensation likely (low trunk or glute endurance)",
                source=f"{_S5}; CLINICAL.md s1 cause 1 (Marshall, Patel & Callaghan 2011)",
            )
        )
    posture = _verdict(triage, "posture") == "likely"
    fatigue = _verdict(triage, "fatigue") == "likely"
    if posture or fatigue:
        which = " and ".join(
            name for name, flag in (("posture", posture), ("fatigue", fatigue)) if flag
        )
        keys += [
            (k, f"{which.capitalize()} fault likely: tall-posture drill") for k in _POSTURE_EXTRA
        ]
        choices.append(
            Choice(
                what="Tall-posture marching drill each session, and posture cues for the last "
                "third of long runs",
                reason=f"Triage: {which} fault likely",
                source=f"{_S5} stage 3; CLINICAL.md s1 causes 2-3",
            )
        )
    return keys, choices


def _session_notes(triage: TriageResult) -> list[str]:
    notes = [
        "Warm up for about 3 minutes (easy marching on the spot, gentle hip circles).",
        "Keep the spine neutral in every exercise; no arching of the low back.",
        "Log the session: completed, form, worst pain 0-10, and next-morning pain or stiffness.",
    ]
    if "likely" in (_verdict(triage, "posture"), _verdict(triage, "fatigue")):
        notes.append("On long runs, use the posture cues in the last third of the run.")
    return notes


def _dates(start: dt.date, weeks: int, per_week: int) -> list[tuple[int, dt.date]]:
    return [
        (week + 1, start + dt.timedelta(days=7 * week + offset))
        for week in range(weeks)
        for offset in _DAY_OFFSETS[per_week]
    ]


def build_plan(
    triage: TriageResult,
    screen: RedFlagScreen,
    *,
    sessions_per_week: int = 3,
    weeks: int = 7,
    start_date: dt.date,
    catalogue: Catalogue | None = None,
) -> Plan:
    """Build the dated stage-1 plan from the triage, unless a red flag blocks it.

    Parameters
    ----------
    triage
        The per-cause verdicts; "likely" causes add work to the stage-1 base.
    screen
        The red-flag screen; while ``screen.plan_blocked`` the plan is blocked.
    sessions_per_week
        3, 4 or 5.
    weeks
        Length of the plan (about 7 weeks in the source).
    start_date
        Date of the first session.
    catalogue
        Exercises to draw from; the shipped catalogue by default.

    Returns
    -------
    Plan
        ``blocked=True`` with the screen's advice as the reason, and no sessions, while a
        red flag is open or the triage was stopped.

    Raises
    ------
    InputError
        ``sessions_per_week`` is not 3-5 or ``weeks`` is below 1.

    Notes
    -----
    Stages, exercises and the McGill pyramid dose: CLINICAL.md section 5. Glute bridge
    abduction: Kang 2016. 20-30 min, 3-5 sessions a week, about 7 weeks: Mueller &
    Niederer 2020. Session layout and rest days are a design heuristic.
    """
    _check_args(sessions_per_week, weeks)
    if screen.plan_blocked:
        return _blocked(
            screen.advice.replace(screen.disclaimer, "").strip(),
            start_date,
            weeks,
            sessions_per_week,
        )
    if triage.stopped:
        return _blocked(triage.stop_reason, start_date, weeks, sessions_per_week)
    cat = catalogue or load_catalogue()
    keys, choices = _select(triage)
    choices.append(
        Choice(
            what=f"{MIN_SESSION_MIN}-{MAX_SESSION_MIN} min a session, {sessions_per_week} "
            f"sessions a week for {weeks} weeks",
            reason="The dose range with the largest effect across exercise programs",
            source=DOSE_SOURCE,
        )
    )
    notes = _session_notes(triage)
    sessions = []
    for number, (week, date) in enumerate(_dates(start_date, weeks, sessions_per_week), 1):
        flexor = _FLEXOR_ALTERNATES[(number - 1) % len(_FLEXOR_ALTERNATES)]
        chosen = [(flexor, "Stage 1 base: flexor hold (curl-up and dead bug alternate)")]
        items = [_prescribe(cat, k, why) for k, why in chosen + keys]
        duration = WARM_UP_MIN + sum(p.minutes for p in items)
        if not MIN_SESSION_MIN <= duration <= MAX_SESSION_MIN:
            raise InputError(
                f"plan: session {number} would last {duration:g} min",
                fix=f"Adjust exercise minutes in the catalogue to fit {MIN_SESSION_MIN}-"
                f"{MAX_SESSION_MIN} min",
            )
        sessions.append(
            Session(
                number=number,
                week=week,
                date=date,
                stage=1,
                exercises=items,
                duration_min=duration,
                notes=notes,
            )
        )
    cues = "likely" in (_verdict(triage, "posture"), _verdict(triage, "fatigue"))
    return Plan(
        blocked=False,
        blocked_reason="",
        start_date=start_date,
        weeks=weeks,
        sessions_per_week=sessions_per_week,
        stage=1,
        choices=choices,
        sessions=sessions,
        posture_cues=list(POSTURE_CUES) if cues else [],
        running_load_advice=RUNNING_LOAD_TEXT,
        progression_rule=PROGRESSION_TEXT,
    )
