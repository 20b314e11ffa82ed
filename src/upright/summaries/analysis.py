"""The analysis summary: a versioned, published schema (``upright.analysis/1``).

``src/upright/schemas/upright.analysis-1.schema.json`` is generated from :class:`AnalysisSummary`
(``make schema``) and a test keeps the two in step.
"""

from __future__ import annotations

import json
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "DISCLAIMER",
    "SCHEMA_VERSION",
    "AnalysisSummary",
    "DriftSummary",
    "MetricSummary",
    "QualityCheck",
    "SetupSummary",
    "SourceSummary",
    "StridePoint",
    "Withheld",
    "schema_json",
]

SCHEMA_VERSION: Final = "upright.analysis/1"

DISCLAIMER = (
    "upright is a training and self-management aid, not a medical device; it does not "
    "diagnose. Seek emergency care now if back pain comes with new difficulty passing "
    "urine, loss of bladder or bowel control, numbness around the genitals or buttocks, or "
    "leg weakness that is getting worse. See a doctor the same day for back pain with "
    "fever or feeling unwell, and before training on for night pain or pain not eased by "
    "rest, unexplained weight loss, a history of cancer, or pain after a fall or injury "
    "(red flags after NICE guideline NG59)."
)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MetricSummary(_Model):
    """One per-stride metric over the clip."""

    value: float = Field(description="Median over the strides used.")
    spread: float = Field(description="Standard deviation across strides (same unit).")
    n_strides: int
    unit: str
    description: str


class DriftSummary(_Model):
    """Trend of a per-stride metric within the clip (see upright.fatigue.drift)."""

    metric: str
    unit: str
    n_strides: int
    span_s: float
    change: float = Field(description="Fitted change from first to last stride.")
    ci95_low: float
    ci95_high: float
    noise_sd: float = Field(description="Stride-to-stride SD around the trend.")
    mdc95: float = Field(description="Minimum detectable change from that noise.")
    threshold: float
    flagged: bool
    reason: str


class QualityCheck(_Model):
    """A check of whether the recording supports the measurements."""

    name: Literal[
        "frame_rate", "person_found", "whole_body", "side_view", "one_runner", "enough_strides"
    ]
    passed: bool
    value: float | None
    limit: str
    message: str


class Withheld(_Model):
    """A metric not reported, and why."""

    metric: str
    reason: str


class SourceSummary(_Model):
    file: str
    kind: Literal["video", "keypoints", "synthetic"]
    pose_source: str
    fps: float
    n_frames: int
    duration_s: float
    width_px: int
    height_px: int


class SetupSummary(_Model):
    direction: Literal["left", "right"] = Field(description="Running direction in the image.")
    direction_source: Literal["detected", "given"] = "detected"
    setting: Literal["treadmill", "overground"]
    setting_source: Literal["detected", "given"]
    tilt_deg: float = Field(description="Ground line angle removed (counter-clockwise +).")
    tilt_source: Literal["ground line", "given", "not corrected"]
    head_point: str
    leg_length_px: float
    height_cm: float | None
    step_period_s: float
    processing: str


class StridePoint(_Model):
    """One stride's posture, for plots over time (e.g. the report's lean-over-time)."""

    start_s: float = Field(description="Stride start (foot contact), seconds into the clip.")
    trunk_lean_stance_deg: float | None
    head_trunk_deg: float | None


class AnalysisSummary(_Model):
    """Everything ``upright analyze`` measured on one clip."""

    schema_version: Literal["upright.analysis/1"] = SCHEMA_VERSION
    upright_version: str
    created_utc: str
    disclaimer: str = DISCLAIMER
    synthetic: bool = Field(description="True for the built-in demo runner, never a person.")
    source: SourceSummary
    setup: SetupSummary
    cadence_spm: float | None
    metrics: dict[str, MetricSummary]
    drift: list[DriftSummary]
    quality: list[QualityCheck]
    withheld: list[Withheld]
    notes: list[str]
    strides: list[StridePoint] = Field(
        default_factory=list,
        description="Per-stride posture in time order (may be empty in older summaries).",
    )


def schema_json() -> str:
    """The JSON Schema of :class:`AnalysisSummary`, as published."""
    schema = AnalysisSummary.model_json_schema()
    schema["$id"] = "https://upright.invalid/schemas/upright.analysis-1.schema.json"
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"
