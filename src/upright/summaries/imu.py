"""The summary of ``upright imu``: a versioned, published schema (``upright.imu/1``).

``src/upright/schemas/upright.imu-1.schema.json`` is generated from :class:`ImuSummary`
(``make schema``) and a test keeps the two in step.
"""

from __future__ import annotations

import json
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, Field

from upright.summaries.analysis import DISCLAIMER
from upright.summaries.run import PainOnset

__all__ = [
    "DISCLAIMER",
    "SCHEMA_VERSION",
    "ImuReferenceSummary",
    "ImuSignSummary",
    "ImuSource",
    "ImuSummary",
    "ImuThirdSummary",
    "PainOnset",
    "schema_json",
]

SCHEMA_VERSION: Final = "upright.imu/1"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ImuSource(_Model):
    file: str
    format: Literal["actigraph_csv", "geneactiv_csv", "phyphox_csv", "sensor_logger", "generic_csv"]
    start_utc: str | None = Field(description="None when the file has relative time only.")
    sampling_rate_hz: float
    n_samples: int
    units_in_file: Literal["g", "m/s^2"]
    placement: Literal["chest", "back", "hip"]
    activity_file: str | None = Field(description="The watch file giving distance, if any.")
    overlap_s: float | None = Field(description="Time both files cover.")


class ImuReferenceSummary(_Model):
    """What defines pitch 0 (upright)."""

    method: Literal["still", "given", "early_running"] = Field(
        description="still: first standing interval found; given: --still-from/--still-to; "
        "early_running: no standing found, posture over the first minutes (change only)."
    )
    start_s: float
    end_s: float
    description: str


class ImuThirdSummary(_Model):
    """One third of the recording (of its distance; of its duration without distance)."""

    third: Literal[1, 2, 3]
    start_min: float | None
    end_min: float | None
    start_km: float | None
    end_km: float | None
    running_minutes: int
    steps: int
    cadence_spm: float | None
    step_regularity: float | None = Field(description="Autocorrelation at the step lag, 0-1.")
    stride_regularity: float | None = Field(description="Autocorrelation at the stride lag.")
    pitch_deg: float | None = Field(description="Median per-minute pitch, + forward.")


class ImuSignSummary(_Model):
    """One fatigue sign: the drift over the running minutes."""

    sign: Literal["pitch_rising", "cadence_falling", "regularity_falling"]
    label: str
    status: Literal["flagged", "not flagged", "withheld"]
    flagged: bool
    unit: str
    first_third: float | None
    last_third: float | None
    change: float | None = Field(description="Fitted change over the run (unit).")
    ci95_low: float | None
    ci95_high: float | None
    noise_sd: float | None = Field(description="Minute-to-minute SD around the trend.")
    mdc95: float | None
    threshold: float
    n_minutes: int | None
    span: float | None
    span_unit: Literal["km", "min"]
    reason: str


class ImuSummary(_Model):
    """Everything ``upright imu`` measured on one accelerometer recording."""

    schema_version: Literal["upright.imu/1"] = SCHEMA_VERSION
    upright_version: str
    created_utc: str
    disclaimer: str = DISCLAIMER
    source: ImuSource
    activity: Literal["running", "walking", "not moving"]
    is_running: bool
    activity_reason: str
    axis: Literal["distance", "time"]
    duration_s: float
    distance_km: float | None
    steps: int
    running_minutes: int
    cadence_spm: float | None = Field(description="Median over running minutes, both feet.")
    step_regularity: float | None
    stride_regularity: float | None
    pitch_measures: Literal["trunk", "pelvis"] = Field(
        description="Chest or back: the trunk; hip: the pelvis (tilt plus belt rocking)."
    )
    pitch_deg: float | None = Field(description="Median pitch over running minutes, + forward.")
    pitch_withheld: str | None
    reference: ImuReferenceSummary | None
    forward_axis: list[float] | None = Field(description="Unit vector in the sensor's axes.")
    forward_strength: float | None = Field(
        description="Correlation of the forward acceleration with the vertical jerk (0-1)."
    )
    pain_onset: PainOnset | None
    thirds: list[ImuThirdSummary]
    fatigue_signs: list[ImuSignSummary]
    per_minute_file: str
    notes: list[str]


def schema_json() -> str:
    """The JSON Schema of :class:`ImuSummary`, as published."""
    schema = ImuSummary.model_json_schema()
    schema["$id"] = "https://upright.invalid/schemas/upright.imu-1.schema.json"
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"
