"""The form-check summary of ``upright form``: a versioned, published schema (``upright.form/1``).

``src/upright/schemas/upright.form-1.schema.json`` is generated from :class:`FormSummary`
(``make schema``) and a test keeps the two in step.
"""

from __future__ import annotations

import json
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, Field

from upright.summaries.analysis import DISCLAIMER, SourceSummary

__all__ = [
    "SCHEMA_VERSION",
    "CheckName",
    "ExerciseSummary",
    "FaultSeen",
    "FormFirstFault",
    "FormQualityCheck",
    "FormSetupSummary",
    "FormSummary",
    "FormTotals",
    "HoldSummary",
    "RepSummary",
    "SecondSummary",
    "ToleranceSummary",
    "schema_json",
]

SCHEMA_VERSION: Final = "upright.form/1"

Phase = Literal["set_up", "hold", "end", "rest"]
CheckName = Literal[
    "frame_rate", "person_found", "whole_body", "camera_view", "one_person", "position_reached"
]


_CUE: Final = (
    "What to do about the fault; '' when the check was stored for a runner whose "
    "red-flag screen holds advice back."
)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ToleranceSummary(_Model):
    """One fault's limit on a measure, with its source and its cue."""

    fault: str
    label: str
    measure: str
    below_deg: float | None = Field(description="Fault when the measure is below this.")
    above_deg: float | None = Field(description="Fault when the measure is above this.")
    source: str
    ends_hold: bool = Field(description="The protocol stops the clock at this fault.")
    cue: str = Field(description=_CUE)


class ExerciseSummary(_Model):
    """What was checked and how it is judged."""

    key: str
    name: str
    side: Literal["left", "right"] | None
    side_means: str | None
    view: Literal["side", "front"]
    kind: Literal["hold", "reps"]
    judged_measure: str
    judged_label: str
    judged_sign: str = Field(description="Reference, sign and range of the judged angle.")
    reached: str
    lost: str
    tolerances: list[ToleranceSummary]


class FormSetupSummary(_Model):
    head_direction: Literal["left", "right"] = Field(description="The head side of the picture.")
    tilt_deg: float = Field(description="Floor line angle removed (+ rising to the right).")
    tilt_source: Literal["floor line", "given", "not corrected"]
    processing: str


class FormFirstFault(_Model):
    """When form was first lost during a hold, and why."""

    time_s: float = Field(description="Seconds into the clip.")
    into_hold_s: float = Field(description="Seconds after the position was reached.")
    fault: str
    label: str
    cue: str = Field(description=_CUE)


class HoldSummary(_Model):
    """One hold, from position reached to position lost."""

    start_s: float
    end_s: float
    duration_s: float
    good_form_s: float
    end_reason: str
    ended_by_fault: str | None
    still_going: bool = Field(description="The clip ended during the hold (a lower bound).")
    hit_limit: bool = Field(description="The protocol's time limit ended the hold.")


class RepSummary(_Model):
    number: int
    start_s: float
    top_s: float
    end_s: float
    peak_deg: float
    quality: str = Field(description="'good' or the fault seen at the top.")


class SecondSummary(_Model):
    """One second of the clip."""

    second: int
    start_s: float
    phase: Phase
    verdict: str = Field(description="'good', a fault's name, or '' outside a hold.")
    judged_deg: float | None = Field(description="Median of the judged angle in that second.")


class FaultSeen(_Model):
    fault: str
    label: str
    seconds: float = Field(description="Time held in this fault.")


class FormTotals(_Model):
    held_s: float = Field(description="Seconds held, all holds together.")
    good_form_s: float = Field(description="Seconds held with good form.")
    good_form_share: float | None = Field(description="good_form_s / held_s, 0..1.")
    holds: int
    position_reached_s: float | None = Field(description="When the first hold began.")
    position_lost_s: float | None = Field(description="When the first hold ended.")
    first_hold_s: float | None = Field(
        description="Length of the first hold: an endurance test's time by its stop rule."
    )
    first_fault: FormFirstFault | None
    reps: int | None = Field(description="Complete reps (dynamic exercises only).")
    good_reps: int | None
    partial_reps: int | None
    faults: list[FaultSeen]


class FormQualityCheck(_Model):
    name: CheckName
    passed: bool
    value: float | None
    limit: str
    message: str


class FormSummary(_Model):
    """Everything ``upright form`` found in one clip."""

    schema_version: Literal["upright.form/1"] = SCHEMA_VERSION
    upright_version: str
    created_utc: str
    disclaimer: str = DISCLAIMER
    synthetic: bool = Field(description="True for a synthetic figure, never a person.")
    source: SourceSummary
    clip_sha256: str = Field(
        default="", description="SHA-256 of the clip or keypoint file ('' when not a file)."
    )
    exercise: ExerciseSummary
    setup: FormSetupSummary
    totals: FormTotals
    holds: list[HoldSummary]
    reps: list[RepSummary]
    seconds: list[SecondSummary]
    quality: list[FormQualityCheck]
    notes: list[str]


def schema_json() -> str:
    """The JSON Schema of :class:`FormSummary`, as published."""
    schema = FormSummary.model_json_schema()
    schema["$id"] = "https://upright.invalid/schemas/upright.form-1.schema.json"
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"
