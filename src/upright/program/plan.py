"""Build the exercise plan from the triage and the red-flag screen.

The plan is built at one stage: 1 isometric holds (neutral spine, no extension), 2
dynamic (the same patterns with movement while the spine stays still, then a loaded
hinge), 3 running-specific (single-leg balance and hinge, step-ups, marching and skipping
drills with a tall posture). Everyone starts at stage 1; the progression rule moves the
runner between stages. At every stage the triage adds work: glute and endurance work when
weakness is likely, tall-posture drills and late-run posture cues when a posture or
fatigue fault is likely. Every choice carries its reason and source. An open red flag
blocks the plan at any stage.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final

from pydantic import BaseModel, ConfigDict

from upright.assessment.redflags import RedFlagScreen
from upright.assessment.triage import TriageResult
from upright.errors import InputError
from upright.program.catalogue import Catalogue, load_catalogue
from upright.summaries import DISCLAIMER

__all__ = [
    "MAX_SESSION_MIN",
    "MIN_SESSION_MIN",
    "POSTURE_CUES",
    "STAGE_SOURCE",
    "STAGE_TITLES",
    "Choice",
    "Plan",
    "Prescription",
    "Session",
    "build_plan",
]

DOSE_SOURCE: Final = "Mueller & Niederer 2020, Sci Rep 10:16921"
#: Source of the Choice that says why the plan is at its stage.
STAGE_SOURCE: Final = "upright's progression rule (design heuristic)"
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

POSTURE_CUES: Final = (
    "Run tall: head over shoulders over hips, as if pulled up by a string.",
    "Lean a little from the ankles, not by bending at the waist.",
    "Keep the chin level and the eyes on the path ahead, not looking up by arching the neck.",
    "In the last third of long runs, check posture every few minutes: breathe out, "
    "stand tall, relax the shoulders.",
)
_S5 = "upright's staged program (design heuristic)"
_WEAKNESS_SOURCE = "Marshall, Patel & Callaghan 2011, Hum Mov Sci 30:63"


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
    "or next-morning pain or stiffness rises (design heuristic). " + DISCLAIMER
)


@dataclass(frozen=True)
class _StageTable:
    """What one stage prescribes.

    The stages and their exercises follow an isometric-first approach (McGill); which
    exercises each likely cause adds, and the order, are a design heuristic chosen so
    that every session lasts 20-30 min with the shipped catalogue. ``{which}`` /
    ``{Which}`` in the posture texts become "posture", "fatigue" or "posture and fatigue".
    """

    title: str
    base: tuple[str, ...]
    base_reason: str
    base_choices: tuple[Choice, ...]
    weakness: tuple[str, ...]
    weakness_reason: str
    weakness_choice: Choice
    posture: tuple[str, ...]
    posture_reason: str
    posture_what: str
    posture_source: str
    #: One of these each session, in turn, before the base.
    alternates: tuple[str, ...] = ()
    alternate_reason: str = ""
    #: Added for weakness only while the session stays within MAX_SESSION_MIN.
    weakness_if_room: tuple[str, ...] = ()
    #: Posture cues for long runs at this stage whatever the triage.
    cues_always: bool = False
    note: str | None = None


_STAGE1: Final = _StageTable(
    title="isometric holds",
    alternates=("curl_up", "dead_bug"),
    alternate_reason="Stage 1 base: flexor hold (curl-up and dead bug alternate)",
    base=("side_plank", "bird_dog", "glute_bridge"),
    base_reason="Stage 1 base for everyone: isometric hold with a neutral spine",
    base_choices=(
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
    ),
    weakness=("front_plank", "clamshell_hold"),
    weakness_reason="Weakness likely: extra trunk endurance and glute work",
    weakness_choice=Choice(
        what="Extra glute and endurance work: front plank and clamshell hold",
        reason="Triage: weakness and compensation likely (low trunk or glute endurance)",
        source=f"{_S5}; {_WEAKNESS_SOURCE}",
    ),
    posture=("a_march",),
    posture_reason="{Which} fault likely: tall-posture drill",
    posture_what="Tall-posture marching drill each session, and posture cues for the last "
    "third of long runs",
    posture_source=f"{_S5} stage 3; Teng & Powers 2015, Koblbauer 2014",
)
_STAGE2: Final = _StageTable(
    title="dynamic",
    base=(
        "dead_bug_reach",
        "bird_dog_reach",
        "side_plank_abduction",
        "bridge_march",
        "anti_rotation_press",
    ),
    base_reason="Stage 2 base for everyone: arm and leg movement while the spine stays still",
    base_choices=(
        Choice(
            what="Stage 2 dynamic work for everyone (dead bug with reach, bird dog with reach "
            "and return, side plank with hip abduction, bridge march, anti-rotation press), "
            "2-3 sets of slow reps",
            reason="The stage 1 patterns with movement while the spine stays still",
            source=f"{_S5} stage 2",
        ),
    ),
    weakness=("single_leg_bridge",),
    weakness_if_room=("loaded_hinge",),
    weakness_reason="Stage 2: weakness likely: extra glute and hinge work",
    weakness_choice=Choice(
        what="Extra glute work: single-leg bridge, and a loaded hinge when the session has "
        f"room within {MAX_SESSION_MIN} min",
        reason="Triage: weakness and compensation likely (low trunk or glute endurance)",
        source=f"{_S5} stage 2; {_WEAKNESS_SOURCE}",
    ),
    posture=("a_march",),
    posture_reason="Stage 2: {which} fault likely: tall-posture drill",
    posture_what="Tall-posture marching drill each session, and posture cues for the last "
    "third of long runs",
    posture_source=f"{_S5} stage 3; Teng & Powers 2015, Koblbauer 2014",
    note="Move the arms and legs slowly; the low back stays still throughout.",
)
_STAGE3: Final = _StageTable(
    title="running-specific",
    base=(
        "single_leg_balance_hinge",
        "step_up",
        "side_plank_abduction",
        "anti_rotation_press",
        "a_march",
    ),
    base_reason="Stage 3 base for everyone: running-specific control with a tall posture",
    base_choices=(
        Choice(
            what="Stage 3 running-specific work for everyone (single-leg balance and hinge, "
            "step-up, side plank with hip abduction, anti-rotation press, A-march), and "
            "posture cues for the last third of long runs",
            reason="Carry trunk control into single-leg stance and running drills",
            source=f"{_S5} stage 3",
        ),
    ),
    weakness=("single_leg_bridge",),
    weakness_reason="Stage 3: weakness likely: extra single-leg glute work",
    weakness_choice=Choice(
        what="Extra glute work: single-leg bridge",
        reason="Triage: weakness and compensation likely (low trunk or glute endurance)",
        source=f"{_S5} stage 2-3; {_WEAKNESS_SOURCE}",
    ),
    posture=("a_skip",),
    posture_reason="Stage 3: {which} fault likely: tall-posture skipping drill",
    posture_what="Tall-posture skipping drill each session",
    posture_source=f"{_S5} stage 3; Teng & Powers 2015, Koblbauer 2014",
    cues_always=True,
    note="Stand tall in the single-leg work and the drills: head over shoulders over hips.",
)
_STAGES: Final = {1: _STAGE1, 2: _STAGE2, 3: _STAGE3}
#: Stage number -> short name.
STAGE_TITLES: Final = {n: table.title for n, table in _STAGES.items()}


def _verdict(triage: TriageResult, cause: str) -> str:
    for v in triage.verdicts:
        if v.cause == cause:
            return v.verdict
    return "not enough evidence"


def _posture_faults(triage: TriageResult) -> str:
    """ "posture", "fatigue", "posture and fatigue", or "" when neither is likely."""
    flags = (("posture", _verdict(triage, "posture")), ("fatigue", _verdict(triage, "fatigue")))
    return " and ".join(name for name, verdict in flags if verdict == "likely")


def _blocked(reason: str, start: dt.date, weeks: int, per_week: int, stage: int) -> Plan:
    return Plan(
        blocked=True,
        blocked_reason=f"{reason} {DISCLAIMER}",
        start_date=start,
        weeks=weeks,
        sessions_per_week=per_week,
        stage=stage,
        choices=[],
        sessions=[],
        posture_cues=[],
        running_load_advice="",
        progression_rule="",
    )


def _check_args(sessions_per_week: int, weeks: int, stage: int) -> None:
    if sessions_per_week not in _DAY_OFFSETS:
        raise InputError(
            f"plan: sessions_per_week is {sessions_per_week!r}",
            fix="Choose 3, 4 or 5 sessions a week (Mueller & Niederer 2020)",
        )
    if not isinstance(weeks, int) or isinstance(weeks, bool) or weeks < 1:
        raise InputError(f"plan: weeks is {weeks!r}", fix="Give a whole number of weeks, 1 or more")
    if isinstance(stage, bool) or stage not in _STAGES:
        raise InputError(
            f"plan: stage is {stage!r}",
            fix="Use 1 (isometric), 2 (dynamic) or 3 (running-specific)",
        )


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


def _with_room(
    cat: Catalogue, table: _StageTable, keys: list[tuple[str, str]]
) -> tuple[list[tuple[str, str]], list[Choice]]:
    """Add the stage's weakness extras that still fit; a Choice for each left out."""
    longest_alternate = max((cat.get(k).dose.minutes for k in table.alternates), default=0.0)
    used = WARM_UP_MIN + longest_alternate + sum(cat.get(k).dose.minutes for k, _ in keys)
    left_out = []
    for key in table.weakness_if_room:
        minutes = cat.get(key).dose.minutes
        if used + minutes <= MAX_SESSION_MIN:
            keys.append((key, table.weakness_reason))
            used += minutes
        else:
            left_out.append(
                Choice(
                    what=f"{cat.get(key).name} left out",
                    reason=f"It would take the session past {MAX_SESSION_MIN} min with the "
                    "other work the triage calls for",
                    source=DOSE_SOURCE,
                )
            )
    return keys, left_out


def _select(
    triage: TriageResult, table: _StageTable, cat: Catalogue
) -> tuple[list[tuple[str, str]], list[Choice]]:
    """Exercise keys (with the reason for each) and the choices behind them."""
    keys = [(k, table.base_reason) for k in table.base]
    choices = list(table.base_choices)
    weakness = _verdict(triage, "weakness") == "likely"
    if weakness:
        keys += [(k, table.weakness_reason) for k in table.weakness]
        choices.append(table.weakness_choice)
    which = _posture_faults(triage)
    if which:
        reason = table.posture_reason.format(which=which, Which=which.capitalize())
        keys += [(k, reason) for k in table.posture]
        choices.append(
            Choice(
                what=table.posture_what,
                reason=f"Triage: {which} fault likely",
                source=table.posture_source,
            )
        )
    if weakness and table.weakness_if_room:
        keys, left_out = _with_room(cat, table, keys)
        choices += left_out
    return keys, choices


def _stage_choice(stage: int, stage_reason: str | None) -> list[Choice]:
    if stage_reason is None:
        return []
    return [
        Choice(
            what=f"Stage {stage}: {STAGE_TITLES[stage]}", reason=stage_reason, source=STAGE_SOURCE
        )
    ]


def _dose_choice(sessions_per_week: int, weeks: int) -> Choice:
    return Choice(
        what=f"{MIN_SESSION_MIN}-{MAX_SESSION_MIN} min a session, {sessions_per_week} "
        f"sessions a week for {weeks} weeks",
        reason="The dose range with the largest effect across exercise programs",
        source=DOSE_SOURCE,
    )


def _cues(triage: TriageResult, table: _StageTable) -> bool:
    return table.cues_always or bool(_posture_faults(triage))


def _session_notes(triage: TriageResult, table: _StageTable) -> list[str]:
    notes = [
        "Warm up for about 3 minutes (easy marching on the spot, gentle hip circles).",
        "Keep the spine neutral in every exercise; no arching of the low back.",
        "Log the session: completed, form, worst pain 0-10, and next-morning pain or stiffness.",
    ]
    if table.note:
        notes.append(table.note)
    if _cues(triage, table):
        notes.append("On long runs, use the posture cues in the last third of the run.")
    return notes


def _dates(start: dt.date, weeks: int, per_week: int) -> list[tuple[int, dt.date]]:
    return [
        (week + 1, start + dt.timedelta(days=7 * week + offset))
        for week in range(weeks)
        for offset in _DAY_OFFSETS[per_week]
    ]


def _exercises(
    cat: Catalogue, table: _StageTable, keys: list[tuple[str, str]], number: int
) -> list[Prescription]:
    """Session ``number``'s exercises: its turn of the alternates, then ``keys``."""
    chosen = list(keys)
    if table.alternates:
        turn = table.alternates[(number - 1) % len(table.alternates)]
        chosen.insert(0, (turn, table.alternate_reason))
    return [_prescribe(cat, k, why) for k, why in chosen]


def _duration(items: list[Prescription], number: int) -> float:
    duration = WARM_UP_MIN + sum(p.minutes for p in items)
    if not MIN_SESSION_MIN <= duration <= MAX_SESSION_MIN:
        raise InputError(
            f"plan: session {number} would last {duration:g} min",
            fix=f"Adjust exercise minutes in the catalogue to fit {MIN_SESSION_MIN}-"
            f"{MAX_SESSION_MIN} min",
        )
    return duration


def build_plan(
    triage: TriageResult,
    screen: RedFlagScreen,
    *,
    sessions_per_week: int = 3,
    weeks: int = 7,
    start_date: dt.date,
    catalogue: Catalogue | None = None,
    stage: int = 1,
    stage_reason: str | None = None,
) -> Plan:
    """Build the dated plan at one stage from the triage, unless a red flag blocks it.

    Parameters
    ----------
    triage
        The per-cause verdicts; "likely" causes add work to the stage's base.
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
    stage
        1 isometric holds, 2 dynamic, 3 running-specific (from the progression rule).
    stage_reason
        Why the runner is at this stage (e.g. the progression decision's reason); when
        given, the first Choice of the plan records it.

    Returns
    -------
    Plan
        ``blocked=True`` with the screen's advice as the reason, and no sessions, while a
        red flag is open or the triage was stopped, whatever the stage.

    Raises
    ------
    InputError
        ``sessions_per_week`` is not 3-5, ``weeks`` is below 1, ``stage`` is not 1-3, or
        a session would fall outside 20-30 min with the catalogue's minutes.

    Notes
    -----
    Stages, exercises and the pyramid dose: McGill's isometric-first approach. Glute bridge
    abduction: Kang 2016. 20-30 min, 3-5 sessions a week, about 7 weeks: Mueller &
    Niederer 2020. The work each likely cause adds at each stage, the session layout and
    rest days are a design heuristic.
    """
    _check_args(sessions_per_week, weeks, stage)
    if screen.plan_blocked:
        return _blocked(
            screen.advice.replace(screen.disclaimer, "").strip(),
            start_date,
            weeks,
            sessions_per_week,
            stage,
        )
    if triage.stopped:
        return _blocked(triage.stop_reason, start_date, weeks, sessions_per_week, stage)
    cat = catalogue or load_catalogue()
    table = _STAGES[stage]
    keys, choices = _select(triage, table, cat)
    choices = [
        *_stage_choice(stage, stage_reason),
        *choices,
        _dose_choice(sessions_per_week, weeks),
    ]
    notes = _session_notes(triage, table)
    sessions = []
    for number, (week, date) in enumerate(_dates(start_date, weeks, sessions_per_week), 1):
        items = _exercises(cat, table, keys, number)
        sessions.append(
            Session(
                number=number,
                week=week,
                date=date,
                stage=stage,
                exercises=items,
                duration_min=_duration(items, number),
                notes=notes,
            )
        )
    return Plan(
        blocked=False,
        blocked_reason="",
        start_date=start_date,
        weeks=weeks,
        sessions_per_week=sessions_per_week,
        stage=stage,
        choices=choices,
        sessions=sessions,
        posture_cues=list(POSTURE_CUES) if _cues(triage, table) else [],
        running_load_advice=RUNNING_LOAD_TEXT,
        progression_rule=PROGRESSION_TEXT,
    )
