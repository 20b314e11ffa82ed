"""Evidence for the triage from stored summaries (``summary.json`` of analyze, compare,
import and imu), told apart by their ``schema_version``.

The mapping into :class:`upright.assessment.triage.Evidence` is the one documented on that
class. When two files give the same field, the first file given wins and a note says so.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from upright.errors import InputError, UnsupportedFormatError
from upright.summaries import AnalysisSummary, CompareSummary, ImuSummary, RunSummary

__all__ = [
    "EVIDENCE_SCHEMAS",
    "EvidenceKind",
    "EvidenceSource",
    "MeasuredEvidence",
    "is_evidence",
    "read_evidence",
    "read_summary",
    "same_summary",
]

EvidenceKind = Literal["analysis", "compare", "run", "imu"]

_KINDS: dict[str, tuple[EvidenceKind, type[BaseModel]]] = {
    "upright.analysis/1": ("analysis", AnalysisSummary),
    "upright.compare/1": ("compare", CompareSummary),
    "upright.run/1": ("run", RunSummary),
    "upright.imu/1": ("imu", ImuSummary),
}
#: The summaries read as evidence about running; a form check (``upright.form/1``) is an
#: exercise measured from a clip and never one of them.
EVIDENCE_SCHEMAS: Final = tuple(_KINDS)
_LEAN = "trunk_lean_stance_deg"
_HEAD = "head_trunk_deg"


class EvidenceSource(BaseModel):
    """One summary file read as evidence, and the evidence fields it filled."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    file: str
    kind: EvidenceKind
    schema_version: str
    synthetic: bool
    fields: dict[str, Any]


class MeasuredEvidence(BaseModel):
    """Measured evidence merged over every file given, with where each field came from."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    fields: dict[str, Any]
    sources: list[EvidenceSource]
    notes: list[str]


def read_evidence(
    paths: list[Path], stored: Sequence[tuple[str, Mapping[str, Any]]] = ()
) -> MeasuredEvidence:
    """Read every summary file, then every stored summary, and merge their evidence fields.

    ``stored`` holds (label, summary) pairs, e.g. a runner's records from the database;
    files given on the command line come first, so they win over stored records.

    Raises
    ------
    InputError
        A file is missing, not JSON, or not a summary upright wrote (the message names
        the ``schema_version`` values accepted).
    """
    merged: dict[str, Any] = {}
    sources: list[EvidenceSource] = []
    notes: list[str] = []
    read = [_read_one(path) for path in paths]
    read += [_from_data(dict(data), label, None) for label, data in stored]
    for source in read:
        sources.append(source)
        if source.synthetic:
            name = Path(source.file).name
            notes.append(f"{name}: a SYNTHETIC demo runner, not a measurement of you")
        for key, value in source.fields.items():
            if key in merged:
                notes.append(f"{key} given by more than one file; the first one is used")
                continue
            merged[key] = value
    return MeasuredEvidence(fields=merged, sources=sources, notes=notes)


def is_evidence(kind: str, schema_version: str) -> bool:
    """Whether a stored record of this kind and schema is evidence for the triage: an
    analysis, comparison, imported run or IMU run, never an exercise form check."""
    known = _KINDS.get(schema_version)
    return known is not None and known[0] == kind


def _load_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise InputError("evidence file not found", path=path) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(
            f"not valid JSON ({exc})", path=path, fix="Give the summary.json upright wrote"
        ) from None


def _read_one(path: Path) -> EvidenceSource:
    return _from_data(_load_json(path), str(path), path)


def read_summary(path: Path) -> tuple[EvidenceKind, dict[str, Any]]:
    """The kind of a summary file and its content as a record stores it.

    The content is validated against its schema and dumped again
    (``model_dump(mode="json")``), exactly as ``--runner`` stores the summary of
    ``upright analyze``, ``compare``, ``import`` or ``imu``.

    Raises
    ------
    InputError
        As :func:`read_evidence`: missing, not JSON, or not a summary upright wrote.
    """
    data = _load_json(path)
    kind, summary = _validated(data, path)
    return kind, summary.model_dump(mode="json")


def same_summary(stored: Mapping[str, Any], summary: Mapping[str, Any]) -> bool:
    """Whether a stored record holds this summary (both compared as their schema reads
    them); a stored record that no longer validates is not the same."""
    version = stored.get("schema_version")
    if version != summary.get("schema_version") or version not in _KINDS:
        return False
    model = _KINDS[version][1]
    try:
        return model.model_validate(dict(stored)).model_dump(mode="json") == dict(summary)
    except ValidationError:
        return False


def _validated(data: Any, path: Path | None) -> tuple[EvidenceKind, BaseModel]:
    version = data.get("schema_version") if isinstance(data, dict) else None
    if version not in _KINDS:
        raise UnsupportedFormatError(
            f"schema_version {version!r} is not an upright summary",
            path=path,
            fix="Give a summary.json of upright analyze, compare, import or imu "
            f"(schema_version one of {', '.join(_KINDS)})",
        )
    kind, model = _KINDS[version]
    try:
        summary = model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InputError(
            f"not a valid {version} summary ({where}: {first['msg']})",
            path=path,
            fix="Give the summary.json exactly as upright wrote it",
        ) from None
    return kind, summary


def _from_data(data: Any, label: str, path: Path | None) -> EvidenceSource:
    kind, summary = _validated(data, path)
    version = str(data["schema_version"])
    fields = _FIELDS[kind](summary)
    return EvidenceSource(
        file=label,
        kind=kind,
        schema_version=version,
        synthetic=bool(getattr(summary, "synthetic", False)),
        fields=fields,
    )


def _analysis_fields(s: Any) -> dict[str, Any]:
    summary: AnalysisSummary = s
    out: dict[str, Any] = {}
    if _LEAN in summary.metrics:
        out["trunk_lean_median_deg"] = summary.metrics[_LEAN].value
    if _HEAD in summary.metrics:
        out["head_trunk_median_deg"] = summary.metrics[_HEAD].value
    for drift in summary.drift:
        if drift.metric == _LEAN:
            out["lean_drift_change_deg"] = drift.change
            out["lean_drift_flagged"] = drift.flagged
        elif drift.metric == _HEAD:
            out["head_trunk_drift_change_deg"] = drift.change
    return out


def _compare_fields(s: Any) -> dict[str, Any]:
    summary: CompareSummary = s
    out: dict[str, Any] = {}
    for metric in summary.metrics:
        change = metric.trend.change if metric.trend is not None else None
        if change is None and metric.changes:
            change = metric.changes[-1].change
        if metric.metric == _LEAN:
            out["lean_drift_flagged"] = metric.flagged
            if change is not None:
                out["lean_drift_change_deg"] = change
        elif metric.metric == _HEAD and change is not None:
            out["head_trunk_drift_change_deg"] = change
    return out


def _run_fields(s: Any) -> dict[str, Any]:
    summary: RunSummary = s
    judged = [sign for sign in summary.fatigue_signs if sign.status != "withheld"]
    if not judged:
        return {}
    return {
        "watch_signs_checked": len(judged),
        "watch_signs_flagged": [sign.sign for sign in judged if sign.flagged],
    }


def _imu_fields(s: Any) -> dict[str, Any]:
    summary: ImuSummary = s
    if summary.pitch_measures != "trunk":
        return {}  # a hip sensor measures the pelvis, not the trunk
    for sign in summary.fatigue_signs:
        if sign.sign == "pitch_rising" and sign.status != "withheld":
            out: dict[str, Any] = {"imu_pitch_drift_flagged": sign.flagged}
            if sign.change is not None:
                out["imu_pitch_drift_change_deg"] = sign.change
            return out
    return {}


_FIELDS = {
    "analysis": _analysis_fields,
    "compare": _compare_fields,
    "run": _run_fields,
    "imu": _imu_fields,
}
