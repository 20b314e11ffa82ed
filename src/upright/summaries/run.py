"""The run summary of ``upright import``: a versioned, published schema (``upright.run/1``).

``src/upright/schemas/upright.run-1.schema.json`` is generated from :class:`RunSummary`
(``make schema``) and a test keeps the two in step.
"""

from __future__ import annotations

import json
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, Field

from upright.summaries.analysis import DISCLAIMER

__all__ = [
    "DISCLAIMER",
    "SCHEMA_VERSION",
    "DeveloperFieldSummary",
    "FatigueSignSummary",
    "PainOnset",
    "RunSource",
    "RunSummary",
    "ThirdSummary",
    "schema_json",
]

SCHEMA_VERSION: Final = "upright.run/1"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DeveloperFieldSummary(_Model):
    """A field a watch app added to the file (e.g. Stryd's 'Leg Spring Stiffness')."""

    column: str = Field(description="Column in the tables (dev_<name>_<unit>).")
    name: str = Field(description="The name in the file's field description.")
    units: str


class RunSource(_Model):
    file: str
    format: Literal["fit", "gpx", "tcx"]
    device: str | None
    start_utc: str | None = Field(description="None when the file has device time only.")
    sport: str = Field(description="'running', or 'not stated' when the file names none.")
    sub_sport: str | None
    legs_in_file: int = Field(description="Sport sessions in the file (multisport: several).")
    leg_analysed: int = Field(description="1-based index of the running leg analysed.")
    n_samples: int
    distance_source: Literal["device", "speed", "gps", "none"] = Field(
        description="device: recorded; speed: integral of speed; gps: along the GPS track."
    )
    developer_fields: list[DeveloperFieldSummary]


class PainOnset(_Model):
    """When in the run the back started to hurt, as the runner gave it."""

    given_as: Literal["km", "minute"]
    km: float | None = Field(description="Distance from the start; None without distance.")
    minute: float = Field(description="Elapsed minutes from the start, pauses included.")
    third: Literal[1, 2, 3] = Field(description="The third of the run it falls in.")
    description: str


class ThirdSummary(_Model):
    """One third of the run (of its distance; of its duration without distance)."""

    third: Literal[1, 2, 3]
    start_km: float | None
    end_km: float | None
    start_min: float
    end_min: float
    moving_time_s: float
    pace_s_per_km: float | None = Field(description="Moving time per km.")
    pace: str | None = Field(description="Pace as min:s per km.")
    metrics: dict[str, float | None] = Field(
        description="Means over running samples; the key names the unit."
    )


class FatigueSignSummary(_Model):
    """One fatigue sign: the drift over the run of block medians (upright.fatigue.running)."""

    sign: Literal[
        "cadence_falling", "stance_time_rising", "vertical_oscillation_rising", "cardiac_drift"
    ]
    label: str
    status: Literal["flagged", "not flagged", "withheld"]
    flagged: bool
    fatigue_direction: Literal["falling", "rising"] = Field(
        description="The way fatigue moves this measure."
    )
    value_unit: str
    first_third: float | None = Field(description="Mean over the first third (value_unit).")
    last_third: float | None = Field(description="Mean over the last third (value_unit).")
    change: float | None = Field(description="Fitted change over the run (change_unit).")
    change_unit: str
    ci95_low: float | None
    ci95_high: float | None
    noise_sd: float | None = Field(description="Block-to-block SD around the trend.")
    mdc95: float | None = Field(description="Minimum detectable change from that noise.")
    threshold: float = Field(description="Design heuristic, not a clinical cut-off.")
    n_blocks: int | None
    span: float | None = Field(description="Span of the fitted trend (span_unit).")
    span_unit: Literal["km", "min"]
    reason: str


class RunSummary(_Model):
    """Everything ``upright import`` measured on one run from a watch file."""

    schema_version: Literal["upright.run/1"] = SCHEMA_VERSION
    upright_version: str
    created_utc: str
    disclaimer: str = DISCLAIMER
    source: RunSource
    axis: Literal["distance", "time"] = Field(
        description="What the tables and trends run along; time when the file has no distance."
    )
    duration_s: float = Field(description="Elapsed, pauses included.")
    moving_time_s: float
    distance_km: float | None
    pace_s_per_km: float | None = Field(description="Moving time per km over the run.")
    pace: str | None
    pace_steady: bool | None = Field(description="After the warm-up; None when not judged.")
    pace_note: str
    pain_onset: PainOnset | None
    thirds: list[ThirdSummary]
    splits_file: str
    n_splits: int
    fatigue_signs: list[FatigueSignSummary]
    notes: list[str]


def schema_json() -> str:
    """The JSON Schema of :class:`RunSummary`, as published."""
    schema = RunSummary.model_json_schema()
    schema["$id"] = "https://upright.invalid/schemas/upright.run-1.schema.json"
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"
