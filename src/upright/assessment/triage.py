"""Triage of the three causes of a runner's back pain (sources in docs/sources.md).

The rules are data (``data/triage_rules.json``), readable by a clinician. This module
turns the measured evidence into named facts, applies the rules, and gives each cause a
verdict (likely / possible / unlikely / not enough evidence) with its measured reasons,
their sources, and what to record next. While a red flag blocks the plan, "record next"
names no test or run (each needs effort the runner should not make yet); only questions.
The verdict rules and the early-onset boundary are explained in ``docs/triage.md``.
"""

from __future__ import annotations

from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field

from upright.assessment._data import load_table
from upright.assessment.answers import Answers
from upright.assessment.endurance import EnduranceAssessment, EnduranceResults, assess_endurance
from upright.assessment.redflags import DISCLAIMER, RedFlagScreen

__all__ = [
    "CAUSES",
    "EARLY_ONSET_KM",
    "EARLY_ONSET_MIN",
    "WAIT_FOR_CLEARANCE",
    "WAIT_FOR_SCREEN",
    "CauseVerdict",
    "Evidence",
    "Fact",
    "Finding",
    "TriageResult",
    "compute_facts",
    "evidence_from_answers",
    "triage",
]

Cause = Literal["weakness", "posture", "fatigue"]
CAUSES: tuple[Cause, ...] = ("weakness", "posture", "fatigue")
Verdict = Literal["likely", "possible", "unlikely", "not enough evidence"]

#: Pain that begins within the first kilometre, or the first minutes, of a run does not
#: start "partway into the run" [design heuristic]. Fatigue-driven posture change builds
#: over a prolonged run (Koblbauer 2014, JSAMS 17:419, measured it at the end of a run to
#: exhaustion); pain this early, about one kilometre at an easy 5 min/km, is nearer to
#: "from the first steps" than to fatigue. An onset at or below either boundary is early.
EARLY_ONSET_KM: Final = 1.0
#: The same boundary in minutes from the start (see :data:`EARLY_ONSET_KM`).
EARLY_ONSET_MIN: Final = 5.0

#: What "record next" says instead of a test or a run while a red flag blocks the plan.
WAIT_FOR_CLEARANCE: Final = (
    "Endurance tests and recorded runs wait until a clinician has cleared the red flag "
    "(then record the clearance)."
)
#: The same while the red-flag screen has unanswered questions.
WAIT_FOR_SCREEN: Final = (
    "Endurance tests and recorded runs wait until every red-flag question is answered."
)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Evidence(_Model):
    """Plain numbers the triage reads; every field is optional (None = not measured).

    The services layer fills the posture fields from upright's summaries:
    ``AnalysisSummary.metrics["trunk_lean_stance_deg"].value`` and
    ``["head_trunk_deg"].value``; drift ``change`` and ``flagged`` from
    ``AnalysisSummary.drift`` or ``CompareSummary.metrics[...].flagged``; watch signs from
    ``RunSummary.fatigue_signs`` (``watch_signs_checked`` = signs whose status is not
    "withheld", ``watch_signs_flagged`` = their ``sign`` names when flagged); IMU pitch
    from ``ImuSummary.fatigue_signs``' ``pitch_rising`` sign, only when
    ``ImuSummary.pitch_measures == "trunk"`` (a hip sensor measures the pelvis) and its
    status is not "withheld".
    """

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    standing_ache: bool | None = None
    pain_first_steps: bool | None = None
    pain_onset_km: float | None = Field(default=None, ge=0)
    pain_onset_min: float | None = Field(default=None, ge=0)
    endurance: EnduranceResults | None = None
    trunk_lean_median_deg: float | None = Field(
        default=None, description="Median trunk lean over strides, + forward (deg)."
    )
    head_trunk_median_deg: float | None = Field(
        default=None, description="Median head-trunk angle, + head extended back (deg)."
    )
    lean_drift_change_deg: float | None = None
    lean_drift_flagged: bool | None = None
    head_trunk_drift_change_deg: float | None = Field(
        default=None, description="Shown beside the lean drift, never counted (no flag level)."
    )
    imu_pitch_drift_change_deg: float | None = None
    imu_pitch_drift_flagged: bool | None = None
    watch_signs_checked: int | None = Field(
        default=None, ge=0, description="Watch fatigue signs judged (not withheld)."
    )
    watch_signs_flagged: list[str] = Field(default_factory=list)


class Fact(_Model):
    """One named fact the rules read, with the measured detail behind it."""

    name: str
    value: bool | float
    detail: str


class Finding(_Model):
    rule_id: str
    effect: Literal["supports", "against"]
    reason: str
    source: str


class CauseVerdict(_Model):
    cause: Cause
    title: str
    verdict: Verdict
    findings: list[Finding]
    record_next: list[str]
    caution: str


class TriageResult(_Model):
    stopped: bool
    stop_reason: str
    verdicts: list[CauseVerdict]
    endurance: EnduranceAssessment | None
    disclaimer: str = DISCLAIMER


def evidence_from_answers(answers: Answers, **measured: Any) -> Evidence:
    """Evidence from the answers file, plus measured posture numbers as keyword arguments."""
    s = answers.symptoms
    onset = s.pain_onset
    return Evidence(
        standing_ache=s.standing_ache,
        pain_first_steps=s.pain_first_steps,
        pain_onset_km=None if onset is None else onset.km,
        pain_onset_min=None if onset is None else onset.minute,
        endurance=answers.endurance,
        **measured,
    )


def compute_facts(evidence: Evidence) -> dict[str, Fact]:
    """Turn evidence into the named facts of ``data/triage_rules.json``; absent = unknown."""
    facts: list[Fact] = []
    e = evidence
    if e.standing_ache is not None:
        facts.append(
            Fact(name="standing_ache", value=e.standing_ache, detail=_yes(e.standing_ache))
        )
    if e.pain_first_steps is not None:
        facts.append(
            Fact(name="pain_first_steps", value=e.pain_first_steps, detail=_yes(e.pain_first_steps))
        )
    facts += _onset_facts(e)
    if e.endurance is not None:
        facts += _endurance_facts(assess_endurance(e.endurance))
    facts += _posture_facts(e)
    facts += _fatigue_facts(e)
    return {f.name: f for f in facts}


def _yes(value: bool) -> str:
    return "answered yes" if value else "answered no"


def _onset_facts(e: Evidence) -> list[Fact]:
    """Whether pain starts partway into the run: from the first-steps answer, else from a
    stated onset (used even when the first-steps question is unanswered)."""
    if e.pain_first_steps is True:
        return [Fact(name="pain_starts_later_in_run", value=False, detail="pain from first steps")]
    if e.pain_onset_km is not None:
        value, boundary, unit = e.pain_onset_km, EARLY_ONSET_KM, "km"
    elif e.pain_onset_min is not None:
        value, boundary, unit = e.pain_onset_min, EARLY_ONSET_MIN, "min"
    else:
        return []
    later = value > boundary
    detail = f"starts at {value:g} {unit}"
    if not later:
        detail += f", within the first {boundary:g} {unit}"
    return [Fact(name="pain_starts_later_in_run", value=later, detail=detail)]


def _norm_name(a: EnduranceAssessment) -> str:
    """The norms' label, saying so in words when the table is not checked against its paper."""
    return a.norm_label + (
        "; table not checked against the original paper" if a.norm_unverified else ""
    )


def _endurance_facts(a: EnduranceAssessment) -> list[Fact]:
    facts: list[Fact] = []
    if a.comparisons:
        low = [c for c in a.comparisons if c.status == "below"]
        detail = "; ".join(
            f"{c.test} {c.value_s:g} s vs {c.norm_mean_s:g}"
            + (f" +/- {c.norm_sd_s:g}" if c.norm_sd_s is not None else "")
            + " s"
            for c in (low or a.comparisons)
        )
        detail += f" ({_norm_name(a)})"
        facts.append(Fact(name="endurance_low", value=bool(low), detail=detail))
    judged = [r for r in a.ratios if r.flagged is not None]
    if judged:
        flagged = [r for r in judged if r.flagged]
        detail = "; ".join(r.reason.rstrip(".") for r in (flagged or judged))
        facts.append(Fact(name="endurance_ratio_flag", value=bool(flagged), detail=detail))
    if len(a.comparisons) >= 2 and judged:
        typical = not any(c.status == "below" for c in a.comparisons) and not any(
            r.flagged for r in judged
        )
        facts.append(
            Fact(
                name="endurance_typical",
                value=typical,
                detail=f"{len(a.comparisons)} McGill tests against {_norm_name(a)}",
            )
        )
    if a.sorensen_under_176_men is not None:
        ext = next(c.value_s for c in a.comparisons if c.test == "extensor")
        facts.append(
            Fact(
                name="sorensen_under_176_men",
                value=a.sorensen_under_176_men,
                detail=f"Biering-Sorensen {ext:g} s (cut-off 176 s, men)",
            )
        )
    if a.holds:
        low_holds = [h for h in a.holds if h.nearer == "back-pain group"]
        detail = "; ".join(
            f"{h.test} {h.value_s:g} s (pain-free {h.pain_free_mean_s:g} s, back pain "
            f"{h.back_pain_mean_s:g} s)"
            for h in (low_holds or a.holds)
        )
        facts.append(Fact(name="bridge_hold_low", value=bool(low_holds), detail=detail))
    if a.single_leg_bridge:
        poor = [r for r in a.single_leg_bridge if r.rating == "poor"]
        detail = "; ".join(f"{r.leg} leg {r.reps} reps ({r.rating})" for r in a.single_leg_bridge)
        facts.append(Fact(name="single_leg_bridge_poor", value=bool(poor), detail=detail))
    return facts


def _posture_facts(e: Evidence) -> list[Fact]:
    facts: list[Fact] = []
    if e.trunk_lean_median_deg is not None:
        lean = e.trunk_lean_median_deg
        facts.append(
            Fact(name="trunk_lean_median_deg", value=lean, detail=f"median lean {lean:.1f} deg")
        )
        if e.head_trunk_median_deg is not None:
            head = e.head_trunk_median_deg
            # Lean in the high-flexion range (rule posture.lean_high) with the head extended
            # back on the trunk (+): the "extend to stay upright" pattern (Hart et al. 2009).
            both = lean >= _rule_value("posture.lean_high") and head > 0
            facts.append(
                Fact(
                    name="lean_with_head_extension",
                    value=both,
                    detail=f"lean {lean:.1f} deg, head-trunk {head:+.1f} deg",
                )
            )
    return facts


def _fatigue_facts(e: Evidence) -> list[Fact]:
    facts: list[Fact] = []
    drifts = (
        ("lean_drift_flagged", e.lean_drift_flagged, e.lean_drift_change_deg, "trunk lean"),
        (
            "imu_pitch_drift_flagged",
            e.imu_pitch_drift_flagged,
            e.imu_pitch_drift_change_deg,
            "pitch",
        ),
    )
    for name, flagged, change, label in drifts:
        if flagged is None:
            continue
        detail = f"{label} change {change:+.1f} deg" if change is not None else f"{label} drift"
        detail += ", flagged" if flagged else ", not flagged"
        if name == "lean_drift_flagged" and e.head_trunk_drift_change_deg is not None:
            # shown for the reader only: Koblbauer 2014 gives a flag level for trunk lean only
            detail += f" (head-trunk change {e.head_trunk_drift_change_deg:+.1f} deg, not judged)"
        facts.append(Fact(name=name, value=flagged, detail=detail))
    if e.watch_signs_checked:
        n = len(e.watch_signs_flagged)
        names = ", ".join(e.watch_signs_flagged) or "none"
        facts.append(
            Fact(
                name="watch_fatigue_signs_flagged",
                value=float(n),
                detail=f"{n} of {e.watch_signs_checked} signs flagged ({names})",
            )
        )
    return facts


def _rule_value(rule_id: str) -> float:
    rule = next(r for r in load_table("triage_rules")["rules"] if r["id"] == rule_id)
    return float(rule["value"])


def _holds(op: str, fact: bool | float, value: bool | float) -> bool:
    if op == "is":
        return fact is value
    if isinstance(fact, bool):
        return False
    if op == ">=":
        return fact >= value
    if op == "<=":
        return fact <= value
    raise ValueError(f"triage_rules.json: unknown op {op!r}")


def triage(evidence: Evidence, screen: RedFlagScreen | None = None) -> TriageResult:
    """Give each cause a verdict with its measured reasons and what to record next.

    Parameters
    ----------
    evidence
        Answers and measurements; anything None is not evidence either way.
    screen
        The red-flag screen. An emergency stops the triage: no verdicts are given.

    Notes
    -----
    Rules and verdict thresholds: ``data/triage_rules.json``, each rule with its published
    source (listed in docs/sources.md). likely = at least ``likely_min_supports``
    supporting findings and none against; possible = any supporting finding; unlikely =
    no supporting finding and either a measured finding against or at least
    ``unlikely_min_against`` findings against; else not enough evidence [design heuristic].
    While ``screen`` blocks the plan, "record next" lists no measurement (test or run),
    only questions.
    """
    assessment = assess_endurance(evidence.endurance) if evidence.endurance else None
    if screen is not None and screen.stop_everything:
        return TriageResult(
            stopped=True, stop_reason=screen.advice, verdicts=[], endurance=assessment
        )
    table = load_table("triage_rules")
    facts = compute_facts(evidence)
    verdicts = [_verdict(cause, table, facts, _wait_hint(screen)) for cause in CAUSES]
    return TriageResult(stopped=False, stop_reason="", verdicts=verdicts, endurance=assessment)


def _wait_hint(screen: RedFlagScreen | None) -> str | None:
    """What replaces the test and run hints while the screen blocks the plan, else None."""
    if screen is None or not screen.plan_blocked:
        return None
    return WAIT_FOR_SCREEN if screen.status == "incomplete" else WAIT_FOR_CLEARANCE


def _verdict(
    cause: Cause, table: dict[str, Any], facts: dict[str, Fact], wait_hint: str | None
) -> CauseVerdict:
    rules = [r for r in table["rules"] if r["cause"] == cause]
    findings: list[Finding] = []
    missing: list[str] = []
    measured_against = False
    for rule in rules:
        info = table["facts"][rule["fact"]]
        fact = facts.get(rule["fact"])
        if fact is None:
            hint = info["record_next"] if wait_hint is None or not info["measured"] else wait_hint
            if hint not in missing:
                missing.append(hint)
            continue
        if _holds(rule["op"], fact.value, rule["value"]):
            findings.append(
                Finding(
                    rule_id=rule["id"],
                    effect=rule["effect"],
                    reason=f"{rule['reason']}: {fact.detail}",
                    source=rule["source"],
                )
            )
            measured_against |= rule["effect"] == "against" and info["measured"]
    supports = sum(f.effect == "supports" for f in findings)
    against = len(findings) - supports
    verdict: Verdict
    if supports >= table["verdict"]["likely_min_supports"] and against == 0:
        verdict = "likely"
    elif supports:
        verdict = "possible"
    elif measured_against or against >= table["verdict"]["unlikely_min_against"]:
        verdict = "unlikely"
    else:
        verdict = "not enough evidence"
    info = table["causes"][cause]
    return CauseVerdict(
        cause=cause,
        title=info["title"],
        verdict=verdict,
        findings=findings,
        record_next=missing,
        caution=info["caution"],
    )
