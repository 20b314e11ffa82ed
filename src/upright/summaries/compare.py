"""The summary of ``upright compare``: a versioned, published schema (``upright.compare/1``).

``src/upright/schemas/upright.compare-1.schema.json`` is generated from
:class:`CompareSummary` (``make schema``) and a test keeps the two
in step.
"""

from __future__ import annotations

import json
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, Field

from upright.summaries.analysis import DISCLAIMER, Withheld

__all__ = [
    "DISCLAIMER",
    "SCHEMA_VERSION",
    "ChangeSummary",
    "ClipLevelSummary",
    "CompareClip",
    "ComparePainOnset",
    "CompareSummary",
    "MetricComparisonSummary",
    "TrendSummary",
    "schema_json",
]

SCHEMA_VERSION: Final = "upright.compare/1"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CompareClip(_Model):
    """One clip: where in the run it was filmed and how it was analysed."""

    index: int = Field(description="1 for the first clip, in the order of the points.")
    file: str
    point: float = Field(description="Where in the run the clip was filmed (see unit).")
    kind: Literal["video", "keypoints"]
    from_cache: bool = Field(description="The analysis was reused from the cache.")
    clip_sha256: str = Field(description="SHA-256 of the file ('' for keypoint folders).")
    pose_source: str
    fps: float
    duration_s: float
    direction: Literal["left", "right"]
    setting: Literal["treadmill", "overground"]
    tilt_deg: float = Field(description="Camera tilt removed (counter-clockwise +).")
    tilt_source: Literal["ground line", "given", "not corrected"]
    head_point: str
    n_strides: int
    side_view_ok: bool
    synthetic: bool


class ClipLevelSummary(_Model):
    """A clip's level of a metric over its strides."""

    index: int
    point: float
    n_strides: int
    median: float = Field(description="Median over the clip's strides.")
    ci95_low: float = Field(description="95% bootstrap interval of the median.")
    ci95_high: float
    mean: float
    sd: float = Field(description="Stride-to-stride standard deviation.")


class ChangeSummary(_Model):
    """Change of a metric's mean from the first clip to a later clip."""

    index: int
    point: float
    change: float = Field(description="Mean of this clip minus mean of the first clip.")
    ci95_low: float = Field(description="Welch 95% interval of the change.")
    ci95_high: float
    mdc95: float = Field(description="1.96 * sqrt(SD1^2/n1 + SD2^2/n2).")
    threshold: float
    flagged: bool
    reason: str


class TrendSummary(_Model):
    """Straight-line fit of the per-stride values against the clips' points."""

    n_clips: int
    n_strides: int
    span: float = Field(description="From the first to the last point (see unit).")
    slope_per_unit: float
    change: float = Field(description="Fitted change over the span.")
    ci95_low: float
    ci95_high: float
    noise_sd: float
    mdc95: float
    threshold: float
    flagged: bool
    reason: str


class MetricComparisonSummary(_Model):
    """One metric across the clips."""

    metric: str
    unit: str
    description: str
    levels: list[ClipLevelSummary]
    changes: list[ChangeSummary]
    trend: TrendSummary | None
    flagged: bool = Field(description="A change or the trend is flagged.")


class ComparePainOnset(_Model):
    """Where in the run the back began to hurt, as the runner gave it.

    Only the unit given is known: without the run's pace, km cannot be turned into
    minutes or back. An onset in the clips' unit is placed among the clips and marked on
    the plots; one in the other unit is kept here and said to be off the axis.
    """

    given_as: Literal["km", "minute"]
    km: float | None = Field(description="Distance from the start; None when given in minutes.")
    minute: float | None = Field(description="Minutes from the start; None when given in km.")
    on_axis: bool = Field(
        description="Given in the clips' unit, so marked on the plots' distance or time axis."
    )
    clips_before: list[int] | None = Field(
        description="Indices of the clips filmed before the onset; None when not on the axis."
    )
    description: str


class CompareSummary(_Model):
    """Everything ``upright compare`` measured across clips of one run."""

    schema_version: Literal["upright.compare/1"] = SCHEMA_VERSION
    upright_version: str
    created_utc: str
    disclaimer: str = DISCLAIMER
    synthetic: bool = Field(description="True when any clip is a synthetic runner.")
    unit: Literal["km", "min"] = Field(description="Unit of the clips' points.")
    clips: list[CompareClip]
    pain_onset: ComparePainOnset | None = Field(
        default=None, description="Where the back began to hurt; None when not given."
    )
    metrics: list[MetricComparisonSummary]
    setup_warnings: list[str] = Field(
        description="Differences in how the clips were filmed or analysed."
    )
    withheld: list[Withheld]
    notes: list[str]


def schema_json() -> str:
    """The JSON Schema of :class:`CompareSummary`, as published."""
    schema = CompareSummary.model_json_schema()
    schema["$id"] = "https://upright.invalid/schemas/upright.compare-1.schema.json"
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"
