"""The demo's whole journey for a SYNTHETIC runner, stored in the current database.

Three weeks, made up to show every part of upright working together: a check-up and an
endurance test on day 0, a video analysis of the synthetic runner, the plan from the
triage, exercise sessions three times a week and runs twice a week (logged through the
same checks and progression rule a user's logs go through), then a second endurance test
and a second video analysis on the last day. Nothing here is a measurement of a person.

Call it inside :func:`upright.store.using_database` so the user's own database is never
touched.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final

from upright.assessment.answers import parse_answers
from upright.services.analyze import Analysis
from upright.services.runner_record import _session, checkup_for_runner
from upright.services.training_log import log_run, log_session
from upright.store import Side, add_endurance_test, add_record, get_or_create_runner, get_runner

__all__ = ["DEMO_ALIAS", "DEMO_DAYS", "DemoHistory", "store_demo_journey"]

DEMO_ALIAS: Final = "synthetic-demo-runner"
#: Length of the demo's history, days (three weeks).
DEMO_DAYS: Final = 21

#: Check-up answers of the demo runner: no red flag, a back that aches after standing
#: and tightens late in runs (about 8 km in), first episode four months ago.
_ANSWERS: Final = {
    "red_flags": {"bladder_change": False, "bowel_control_loss": False,
                  "saddle_numbness": False, "sexual_dysfunction_new": False,
                  "sciatica_both_legs": False, "leg_weakness_worsening": False,
                  "fever_chills_unwell": False, "immunosuppression": False,
                  "injected_drug_use": False, "recent_bacterial_infection": False,
                  "cancer_history": False, "unexplained_weight_loss": False,
                  "first_episode_age": False, "constant_or_night_pain": False,
                  "significant_trauma": False, "minor_trauma_bone_risk": False,
                  "thoracic_pain": False, "spinal_deformity": False,
                  "no_improvement_4_6_weeks": False, "inflammatory_pattern": False},
    "symptoms": {
        "pain_now": 1,
        "pain_last_run": 5,
        "pain_after_run": 4,
        "pain_next_morning": 2,
        "pain_onset": {"km": 8.0},
        "pain_first_steps": False,
        "standing_ache": True,
        "leg_symptoms": "none",
        "previous_back_pain": True,
        "episode_weeks": 16,
    },
    "endurance": {"flexor_s": 70.0, "extensor_s": 95.0, "side_bridge_right_s": 41.0,
                  "side_bridge_left_s": 38.0, "prone_plank_s": 42.0,
                  "single_leg_bridge_left_reps": 16, "single_leg_bridge_right_reps": 18,
                  "sex": "female"},
}  # fmt: skip

#: Endurance results (s, or reps): day 0, then day 21. Side bridge gains ~30 s (beyond its
#: MDC of 30.5 s on one side only), the extensor gains less than its MDC.
_ENDURANCE: Final = (
    {"flexor": 70.0, "extensor": 95.0, "side_bridge/right": 41.0, "side_bridge/left": 38.0,
     "prone_plank": 42.0, "single_leg_bridge/left": 16, "single_leg_bridge/right": 18},
    {"flexor": 92.0, "extensor": 118.0, "side_bridge/right": 75.0, "side_bridge/left": 66.0,
     "prone_plank": 63.0, "single_leg_bridge/left": 21, "single_leg_bridge/right": 22},
)  # fmt: skip

#: (day, doses, form, pain during, pain next morning), each done at the level the logs
#: before it led to: a good start and a move to stage 2, a next-morning flare that sends
#: it back to stage 1, two good sessions that move it up again, then a painful session
#: that holds it at stage 2. Every session is logged in full: each exercise the demo
#: runner's plan prescribes (weakness and fatigue likely) at its dose, in the unit the
#: plan gives (seconds held in all, or reps in all, each side).
_STAGE1: Final = (
    "side_plank=120",
    "bird_dog=120",
    "glute_bridge=120",
    "curl_up=120",
    "front_plank=120",
    "clamshell_hold=60",
    "a_march=3",
)
_STAGE2: Final = (
    "dead_bug_reach=16",
    "bird_dog_reach=16",
    "side_plank_abduction=16",
    "bridge_march=20",
    "anti_rotation_press=18",
    "single_leg_bridge=16",
    "loaded_hinge=24",
    "a_march=3",
)
_SESSIONS: Final = (
    (0, _STAGE1, "poor", 3, 2),
    (2, _STAGE1, "good", 2, 1),
    (4, _STAGE1, "good", 2, 1),
    (7, _STAGE2, "good", 3, 3),
    (9, _STAGE2, "good", 3, 5),
    (11, _STAGE1, "good", 2, 1),
    (14, _STAGE1, "good", 1, 1),
    (16, _STAGE2, "good", 2, 1),
    (18, _STAGE2, "good", 4, 2),
    (20, _STAGE2, "good", 2, 1),
)  # fmt: skip
#: (day, km, minutes, pain during, after, next morning, pain onset km or None).
_RUNS: Final = (
    (1, 8.0, 46.0, 5, 4, 3, 6.5),
    (5, 6.0, 34.0, 4, 3, 2, 5.5),
    (8, 8.0, 45.0, 4, 3, 2, 7.0),
    (12, 10.0, 57.0, 3, 3, 1, 8.5),
    (15, 8.0, 44.0, 2, 2, 1, None),
    (19, 12.0, 68.0, 3, 2, 1, 10.5),
)  # fmt: skip


@dataclass(frozen=True)
class DemoHistory:
    """What the journey stored: the alias, the first day and today."""

    alias: str
    first_day: dt.date
    today: dt.date


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC)


def _store_endurance(alias: str, results: dict[str, float], when: dt.datetime) -> None:
    with _session("demo endurance test") as session:
        runner = get_runner(session, alias)
        for name, value in results.items():
            key, _, side_name = name.partition("/")
            side: Side | None = None
            if side_name in ("left", "right"):
                side = "left" if side_name == "left" else "right"
            if isinstance(value, int):
                add_endurance_test(session, runner, key, reps=value, side=side, when=when)
            else:
                add_endurance_test(session, runner, key, seconds=value, side=side, when=when)


def _store_analysis(alias: str, analysis: Analysis, when: dt.datetime, still: bytes | None) -> None:
    with _session("demo analysis") as session:
        add_record(
            session,
            get_runner(session, alias),
            "analysis",
            analysis.summary,
            source_name="synthetic demo runner",
            when=when,
            still_jpeg=still,
        )


def store_demo_journey(
    before: Analysis,
    after: Analysis,
    today: dt.date,
    *,
    stills: tuple[bytes | None, bytes | None] = (None, None),
) -> DemoHistory:
    """Store the demo runner's three weeks ending ``today``; ``before`` and ``after`` are
    the analyses of day 0 and of today, ``stills`` their annotated frames."""
    first = today - dt.timedelta(days=DEMO_DAYS - 1)
    with _session("demo profile") as session:
        runner = get_or_create_runner(session, DEMO_ALIAS, sex="female", height_cm=175.0)
        runner.age_band = "30-39"
        runner.running_history = "SYNTHETIC demo runner: 25-35 km a week, half marathons"
        runner.created_at = _at(first, 7)
    _store_analysis(DEMO_ALIAS, before, _at(first, 8), stills[0])
    _store_endurance(DEMO_ALIAS, dict(_ENDURANCE[0]), _at(first, 9))
    checkup_for_runner(DEMO_ALIAS, parse_answers(_ANSWERS, source="demo answers"), [])
    with _session("demo check-up date") as session:
        get_runner(session, DEMO_ALIAS).checkups[-1].taken_at = _at(first, 10)
    for offset, doses, form, pain, morning in _SESSIONS:
        log_session(
            DEMO_ALIAS,
            exercises=doses,
            form="good" if form == "good" else "poor",
            pain_during=pain,
            pain_next_morning=morning,
            day=first + dt.timedelta(days=offset),
            today=today,
        )
    for offset, km, minutes, during, after_run, morning, onset in _RUNS:
        log_run(
            DEMO_ALIAS,
            pain_during=during,
            distance_km=km,
            duration_min=minutes,
            pain_after=after_run,
            pain_next_morning=morning,
            pain_onset_km=onset,
            day=first + dt.timedelta(days=offset),
            today=today,
        )
    _store_endurance(DEMO_ALIAS, dict(_ENDURANCE[1]), _at(today, 9))
    _store_analysis(DEMO_ALIAS, after, _at(today, 10), stills[1])
    return DemoHistory(alias=DEMO_ALIAS, first_day=first, today=today)
