"""The check-up: red flags first, then symptoms, STarT Back, endurance, evidence, triage.

An emergency answer stops everything: the result then holds the emergency advice and
nothing else. Same-day and review-level flags block the exercise plan until clinician
clearance is recorded; an unanswered red-flag question leaves the screen incomplete.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field

from upright.assessment._data import load_table
from upright.assessment.answers import (
    Answers,
    SymptomQuestion,
    parse_answers,
    symptom_questions,
)
from upright.assessment.endurance import EnduranceAssessment, assess_endurance
from upright.assessment.questionnaires import (
    OdiResult,
    OdiWording,
    StartBackResult,
    StartBackWording,
    default_start_back_wording,
    parse_odi_wording,
    parse_start_back_wording,
    read_wording_file,
    score_odi,
    score_start_back,
)
from upright.assessment.redflags import (
    RedFlagQuestion,
    RedFlagScreen,
    red_flag_questions,
    screen_red_flags,
)
from upright.assessment.triage import (
    Evidence,
    TriageResult,
    compute_facts,
    evidence_from_answers,
    triage,
)
from upright.errors import InputError
from upright.io.documents import load_json, load_yaml
from upright.services.evidence import EvidenceSource, MeasuredEvidence, read_evidence
from upright.summaries import DISCLAIMER

__all__ = [
    "SCHEMA_VERSION",
    "CheckupResult",
    "SymptomLine",
    "TriageReport",
    "answers_from_interview",
    "ask_red_flags",
    "ask_symptoms",
    "read_answers",
    "read_odi_wording",
    "read_start_back_wording",
    "run_checkup",
    "run_triage",
    "template_text",
]

SCHEMA_VERSION: Final = "upright.checkup/1"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SymptomLine(_Model):
    """One symptom question, its answer (None = not answered) and what it informs."""

    key: str
    question: str
    answer: Any
    informs: list[str]


class CheckupResult(_Model):
    """The whole check-up. With ``status == "emergency"`` only the screen is filled."""

    schema_version: Literal["upright.checkup/1"] = SCHEMA_VERSION
    status: Literal["emergency", "done"]
    red_flags: RedFlagScreen
    plan_blocked: bool
    symptoms: list[SymptomLine] | None = None
    start_back: StartBackResult | None = None
    start_back_paraphrase: bool | None = None
    odi: OdiResult | None = None
    odi_copyright_notice: str | None = None
    endurance: EnduranceAssessment | None = None
    evidence_sources: list[EvidenceSource] | None = None
    triage: TriageResult | None = None
    measured_without_finding: dict[str, list[str]] | None = None
    notes: list[str] | None = None
    disclaimer: str = DISCLAIMER


class TriageReport(_Model):
    """``upright triage``: the screen, then each cause's verdict."""

    schema_version: Literal["upright.triage/1"] = "upright.triage/1"
    red_flags: RedFlagScreen
    triage: TriageResult | None
    measured_without_finding: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Per cause: measured values its rules read that reached no threshold.",
    )
    evidence_sources: list[EvidenceSource]
    notes: list[str]
    disclaimer: str = DISCLAIMER


def read_answers(path: Path) -> Answers:
    """Read and validate an answers file: YAML (``.yaml``/``.yml``) or JSON.

    Raises
    ------
    InputError
        Missing, unreadable, empty, a key given twice (named, with its line in YAML), a
        number that is infinite, or any key wrong (each named with what is allowed).
    """
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        raise InputError("answers file not found", path=path) from None
    except (UnicodeDecodeError, IsADirectoryError) as exc:
        raise InputError(f"cannot read it ({exc})", path=path, fix="Save it as UTF-8") from None
    if path.suffix.lower() in (".yaml", ".yml"):
        data = load_yaml(text, path)
    else:
        data = load_json(text, path)
    return parse_answers(data, source=str(path))


def read_start_back_wording(path: Path | None) -> StartBackWording:
    """The licensed STarT Back wording from ``path``, or the marked built-in paraphrase."""
    if path is None:
        return default_start_back_wording()
    return parse_start_back_wording(read_wording_file(path), source=str(path))


def read_odi_wording(path: Path | None) -> OdiWording | None:
    """The licensed ODI wording from ``path``; None (ODI not scored) without a file."""
    if path is None:
        return None
    return parse_odi_wording(read_wording_file(path), source=str(path))


#: Why the ODI is not scored without its wording (the questionnaire is proprietary).
ODI_UNSCORED_NOTE: Final = (
    "ODI not scored: the Oswestry Disability Index is proprietary (Mapi Research Trust), "
    "so it is scored only with its licensed wording; supply it with --odi-wording FILE"
)


def _score_odi(answers: Answers, wording: OdiWording | None, notes: list[str]) -> OdiResult | None:
    values = answers.odi.model_dump() if answers.odi is not None else {}
    if not any(v is not None for v in values.values()):
        if wording is not None:
            notes.append("ODI wording supplied but no ODI section answered: ODI not scored")
        return None
    if wording is None:
        notes.append(ODI_UNSCORED_NOTE)
        return None
    return score_odi(values, wording)


def _screen(answers: Answers) -> RedFlagScreen:
    return screen_red_flags(answers.red_flags, clearance_recorded=answers.clearance_recorded)


def _triage(answers: Answers, measured: MeasuredEvidence, screen: RedFlagScreen) -> TriageResult:
    return triage(evidence_from_answers(answers, **measured.fields), screen)


def run_checkup(
    answers: Answers,
    evidence_paths: list[Path] | None = None,
    wording: StartBackWording | None = None,
    stored_evidence: Sequence[tuple[str, Mapping[str, Any]]] = (),
    odi_wording: OdiWording | None = None,
) -> CheckupResult:
    """Run the whole check-up on validated answers.

    The red-flag screen runs first; on an emergency nothing else is read or computed.
    """
    screen = _screen(answers)
    if screen.stop_everything:
        return CheckupResult(status="emergency", red_flags=screen, plan_blocked=True)
    measured = read_evidence(list(evidence_paths or []), stored_evidence)
    wording = wording or default_start_back_wording()
    notes = list(measured.notes)
    start_back = None
    if answers.start_back is not None:
        start_back = score_start_back(answers.start_back.model_dump())
    else:
        notes.append("STarT Back not answered: psychosocial risk not scored")
    odi = _score_odi(answers, odi_wording, notes)
    endurance = assess_endurance(answers.endurance) if answers.endurance is not None else None
    triaged = _triage(answers, measured, screen)
    evidence = evidence_from_answers(answers, **measured.fields)
    return CheckupResult(
        status="done",
        red_flags=screen,
        plan_blocked=screen.plan_blocked,
        symptoms=_symptom_lines(answers),
        start_back=start_back,
        start_back_paraphrase=wording.paraphrase,
        odi=odi,
        odi_copyright_notice=(odi_wording.copyright_notice or None)
        if odi and odi_wording
        else None,
        endurance=endurance,
        evidence_sources=measured.sources,
        triage=triaged,
        measured_without_finding=_without_finding(evidence, triaged),
        notes=notes,
    )


def run_triage(
    answers: Answers,
    evidence_paths: list[Path] | None = None,
    stored_evidence: Sequence[tuple[str, Mapping[str, Any]]] = (),
) -> TriageReport:
    """The red-flag screen, then (unless it is an emergency) the triage of the causes."""
    screen = _screen(answers)
    if screen.stop_everything:
        return TriageReport(red_flags=screen, triage=None, evidence_sources=[], notes=[])
    measured = read_evidence(list(evidence_paths or []), stored_evidence)
    result = _triage(answers, measured, screen)
    return TriageReport(
        red_flags=screen,
        triage=result,
        measured_without_finding=_without_finding(
            evidence_from_answers(answers, **measured.fields), result
        ),
        evidence_sources=measured.sources,
        notes=measured.notes,
    )


def _without_finding(evidence: Evidence, result: TriageResult) -> dict[str, list[str]]:
    """Facts a cause's rules read that produced no finding: shown so a measured value
    between the thresholds is not mistaken for a value that was never measured."""
    facts = compute_facts(evidence)
    out: dict[str, list[str]] = {}
    for verdict in result.verdicts:
        rules = [r for r in load_table("triage_rules")["rules"] if r["cause"] == verdict.cause]
        fired = {f.rule_id for f in verdict.findings}
        names = {r["fact"] for r in rules} - {r["fact"] for r in rules if r["id"] in fired}
        details = [facts[n].detail for n in sorted(names) if n in facts]
        if details:
            out[verdict.cause] = details
    return out


def _symptom_lines(answers: Answers) -> list[SymptomLine]:
    values = answers.symptoms.model_dump()
    return [
        SymptomLine(key=q.key, question=q.question, answer=values[q.key], informs=q.informs)
        for q in symptom_questions()
    ]


RedFlagReply = Literal["yes", "no", "unsure"]
_REPLY_VALUE: dict[RedFlagReply, bool | None] = {"yes": True, "no": False, "unsure": None}


def ask_red_flags(ask: Callable[[RedFlagQuestion], RedFlagReply]) -> dict[str, bool | None]:
    """Ask every red-flag question in order; stop at once on an emergency "yes".

    "unsure" is recorded as unanswered (None), which leaves the screen incomplete.
    """
    answers: dict[str, bool | None] = {}
    for question in red_flag_questions():
        reply = ask(question)
        answers[question.key] = _REPLY_VALUE[reply]
        if reply == "yes" and question.level == "emergency":
            break
    return answers


def ask_symptoms(ask: Callable[[SymptomQuestion], str]) -> dict[str, Any]:
    """Ask the symptom questions; a blank reply is unanswered. Replies are checked by
    :func:`parse_answers` afterwards, so a bad reply is named by its key."""
    out: dict[str, Any] = {}
    for question in symptom_questions():
        raw = ask(question).strip().lower()
        if raw:
            out[question.key] = _symptom_value(question, raw)
    return out


def _symptom_value(question: SymptomQuestion, raw: str) -> Any:
    if question.type == "yes_no":
        return {"y": True, "yes": True, "n": False, "no": False}.get(raw, raw)
    if question.type == "choice":
        return raw
    if question.type == "onset":
        number, _, unit = raw.partition(" ")
        key = "minute" if unit.startswith("min") else "km"
        return {key: _number(number)}
    value = _number(raw)
    if question.type == "nprs" and isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _number(raw: str) -> float | str:
    try:
        return float(raw)
    except ValueError:
        return raw  # left for parse_answers to reject, naming the key


def answers_from_interview(red_flags: dict[str, bool | None], symptoms: dict[str, Any]) -> Answers:
    """Validate interview replies into :class:`Answers` (errors name the key)."""
    return parse_answers({"red_flags": red_flags, "symptoms": symptoms}, source="your replies")


def template_text() -> str:
    """An answers file in YAML with every key explained; every answer starts as null."""
    from upright.services._template import build_template

    return build_template()
