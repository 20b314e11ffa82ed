"""The exercise program: catalogue, plan, progression and calendar export (pure layer)."""

from upright.program.catalogue import (
    Catalogue,
    Dose,
    Exercise,
    Fault,
    load_catalogue,
    validate_catalogue,
)
from upright.program.ical import plan_to_ics
from upright.program.plan import Choice, Plan, Prescription, Session, build_plan
from upright.program.progression import (
    Decision,
    RunningLoadAdvice,
    SessionLog,
    decide,
    running_load_advice,
)

__all__ = [
    "Catalogue",
    "Choice",
    "Decision",
    "Dose",
    "Exercise",
    "Fault",
    "Plan",
    "Prescription",
    "RunningLoadAdvice",
    "Session",
    "SessionLog",
    "build_plan",
    "decide",
    "load_catalogue",
    "plan_to_ics",
    "running_load_advice",
    "validate_catalogue",
]
