"""The summaries: one family of versioned, published schemas.

Each module holds one summary and the generator of its published JSON schema
(``src/upright/schemas/``; ``make schema`` regenerates them all, and a test per summary keeps
file and model in step):

- :mod:`upright.summaries.analysis` -- ``upright.analysis/1`` (``upright analyze``)
- :mod:`upright.summaries.run` -- ``upright.run/1`` (``upright import``)
- :mod:`upright.summaries.imu` -- ``upright.imu/1`` (``upright imu``)
- :mod:`upright.summaries.compare` -- ``upright.compare/1`` (``upright compare``)
- :mod:`upright.summaries.form` -- ``upright.form/1`` (``upright form``)

The models are re-exported here; ``SCHEMA_VERSION`` and ``schema_json`` differ per summary
and are imported from their module.
"""

from __future__ import annotations

from upright.summaries.analysis import (
    DISCLAIMER,
    AnalysisSummary,
    DriftSummary,
    MetricSummary,
    QualityCheck,
    SetupSummary,
    SourceSummary,
    StridePoint,
    Withheld,
)
from upright.summaries.compare import (
    ChangeSummary,
    ClipLevelSummary,
    CompareClip,
    ComparePainOnset,
    CompareSummary,
    MetricComparisonSummary,
    TrendSummary,
)
from upright.summaries.form import (
    CheckName,
    ExerciseSummary,
    FaultSeen,
    FormFirstFault,
    FormQualityCheck,
    FormSetupSummary,
    FormSummary,
    FormTotals,
    HoldSummary,
    RepSummary,
    SecondSummary,
    ToleranceSummary,
)
from upright.summaries.imu import (
    ImuReferenceSummary,
    ImuSignSummary,
    ImuSource,
    ImuSummary,
    ImuThirdSummary,
)
from upright.summaries.run import (
    DeveloperFieldSummary,
    FatigueSignSummary,
    PainOnset,
    RunSource,
    RunSummary,
    ThirdSummary,
)

__all__ = [
    "DISCLAIMER",
    "AnalysisSummary",
    "ChangeSummary",
    "CheckName",
    "ClipLevelSummary",
    "CompareClip",
    "ComparePainOnset",
    "CompareSummary",
    "DeveloperFieldSummary",
    "DriftSummary",
    "ExerciseSummary",
    "FatigueSignSummary",
    "FaultSeen",
    "FormFirstFault",
    "FormQualityCheck",
    "FormSetupSummary",
    "FormSummary",
    "FormTotals",
    "HoldSummary",
    "ImuReferenceSummary",
    "ImuSignSummary",
    "ImuSource",
    "ImuSummary",
    "ImuThirdSummary",
    "MetricComparisonSummary",
    "MetricSummary",
    "PainOnset",
    "QualityCheck",
    "RepSummary",
    "RunSource",
    "RunSummary",
    "SecondSummary",
    "SetupSummary",
    "SourceSummary",
    "StridePoint",
    "ThirdSummary",
    "ToleranceSummary",
    "TrendSummary",
    "Withheld",
]
