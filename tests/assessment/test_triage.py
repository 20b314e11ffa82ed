"""Triage engine: the rule table is consistent, facts carry values, emergencies stop it."""

from __future__ import annotations

import pytest

from upright.assessment._data import load_table
from upright.assessment.answers import parse_answers
from upright.assessment.endurance import EnduranceResults
from upright.assessment.redflags import (
    RED_FLAG_KEYS,
    RedFlagScreen,
    red_flag_questions,
    screen_red_flags,
)
from upright.assessment.triage import (
    CAUSES,
    EARLY_ONSET_KM,
    EARLY_ONSET_MIN,
    WAIT_FOR_CLEARANCE,
    WAIT_FOR_SCREEN,
    CauseVerdict,
    Evidence,
    Fact,
    TriageResult,
    _holds,
    _verdict,
    compute_facts,
    evidence_from_answers,
    triage,
)

TABLE = load_table("triage_rules")

FULL = Evidence(
    standing_ache=True,
    pain_first_steps=False,
    pain_onset_km=5.0,
    endurance=EnduranceResults(
        flexor_s=100,
        extensor_s=150,
        side_bridge_right_s=90,
        side_bridge_left_s=90,
        supine_bridge_s=150,
        prone_plank_s=60,
        single_leg_bridge_left_reps=25,
        single_leg_bridge_right_reps=25,
        sex="male",
    ),
    trunk_lean_median_deg=9.0,
    head_trunk_median_deg=2.0,
    lean_drift_change_deg=1.0,
    lean_drift_flagged=False,
    head_trunk_drift_change_deg=0.5,
    imu_pitch_drift_change_deg=0.4,
    imu_pitch_drift_flagged=False,
    watch_signs_checked=4,
    watch_signs_flagged=[],
)


def test_rule_table_is_consistent() -> None:
    facts = set(TABLE["facts"])
    used = {r["fact"] for r in TABLE["rules"]}
    assert used == facts
    ids = [r["id"] for r in TABLE["rules"]]
    assert len(ids) == len(set(ids))
    for rule in TABLE["rules"]:
        assert rule["cause"] in CAUSES
        assert rule["op"] in ("is", ">=", "<=")
        assert rule["effect"] in ("supports", "against")
        assert rule["source"] and rule["reason"]
    assert set(TABLE["causes"]) == set(CAUSES)
    assert all(f["record_next"] for f in TABLE["facts"].values())


def test_full_evidence_produces_every_fact() -> None:
    facts = compute_facts(FULL)
    assert set(facts) == set(TABLE["facts"])
    assert facts["trunk_lean_median_deg"].detail == "median lean 9.0 deg"
    assert facts["endurance_typical"].value is True
    assert "McGill, Childs & Liebenson 1999, men" in facts["endurance_typical"].detail
    assert "not checked against the original paper" in facts["endurance_typical"].detail


def test_full_evidence_has_nothing_left_to_record() -> None:
    result = triage(FULL)
    assert all(v.record_next == [] for v in result.verdicts)
    assert result.endurance is not None
    assert "not a medical device" in result.disclaimer


def test_findings_carry_measured_values() -> None:
    result = triage(
        Evidence(
            trunk_lean_median_deg=11.3,
            head_trunk_median_deg=4.0,
            lean_drift_flagged=True,
            lean_drift_change_deg=4.6,
            head_trunk_drift_change_deg=5.9,
        )
    )
    posture = next(v for v in result.verdicts if v.cause == "posture")
    assert any("11.3 deg" in f.reason and "Teng" in f.source for f in posture.findings)
    fatigue = next(v for v in result.verdicts if v.cause == "fatigue")
    assert any("+4.6 deg" in f.reason for f in fatigue.findings)
    assert any("head-trunk change +5.9 deg, not judged" in f.reason for f in fatigue.findings)
    assert "offset" in posture.caution
    assert "4.7 deg" in posture.caution and "11.2 deg" in posture.caution


def test_emergency_stops_triage() -> None:
    screen = screen_red_flags({**dict.fromkeys(RED_FLAG_KEYS, False), "bowel_control_loss": True})
    result = triage(FULL, screen)
    assert result.stopped and result.verdicts == []
    assert "emergency" in result.stop_reason


def test_evidence_from_answers_keeps_unanswered_as_none() -> None:
    answers = parse_answers({"symptoms": {"pain_onset": {"minute": 25}}})
    evidence = evidence_from_answers(answers, trunk_lean_median_deg=6.0)
    assert evidence.standing_ache is None
    assert evidence.pain_onset_min == 25 and evidence.pain_onset_km is None
    assert evidence.trunk_lean_median_deg == 6.0


def test_watch_signs_not_checked_is_no_evidence() -> None:
    facts = compute_facts(Evidence(watch_signs_checked=0))
    assert "watch_fatigue_signs_flagged" not in facts


@pytest.mark.parametrize("first_steps", [None, False])
@pytest.mark.parametrize(
    ("km", "minute", "later"),
    [
        (4.0, None, True),
        (EARLY_ONSET_KM + 0.01, None, True),
        (EARLY_ONSET_KM, None, False),
        (0.5, None, False),
        (0.0, None, False),
        (None, 30.0, True),
        (None, EARLY_ONSET_MIN + 0.5, True),
        (None, EARLY_ONSET_MIN, False),
        (None, 2.0, False),
    ],
)
def test_onset_in_the_first_km_or_minutes_is_not_partway(
    first_steps: bool | None, km: float | None, minute: float | None, later: bool
) -> None:
    evidence = Evidence(pain_first_steps=first_steps, pain_onset_km=km, pain_onset_min=minute)
    fact = compute_facts(evidence)["pain_starts_later_in_run"]
    assert fact.value is later
    assert ("within the first" in fact.detail) is (not later)
    fatigue = next(v for v in triage(evidence).verdicts if v.cause == "fatigue")
    assert ("fatigue.pain_later" in {f.rule_id for f in fatigue.findings}) is later


def test_first_steps_yes_wins_over_a_stated_onset() -> None:
    facts = compute_facts(Evidence(pain_first_steps=True, pain_onset_km=6.0))
    assert facts["pain_starts_later_in_run"].value is False


def test_no_onset_stated_gives_no_onset_fact() -> None:
    assert "pain_starts_later_in_run" not in compute_facts(Evidence(pain_first_steps=False))


def test_boundary_is_documented_in_the_rule_table() -> None:
    text = TABLE["facts"]["pain_starts_later_in_run"]["describes"]
    assert f"first {EARLY_ONSET_KM:g} km" in text and f"first {EARLY_ONSET_MIN:g} min" in text
    assert f"first {EARLY_ONSET_KM:g} km or the first {EARLY_ONSET_MIN:g} min" in TABLE["_about"]


def _cause(result: TriageResult, cause: str) -> CauseVerdict:
    return next(v for v in result.verdicts if v.cause == cause)


@pytest.mark.parametrize(
    ("evidence", "cause", "rule_id"),
    [
        (Evidence(standing_ache=False), "weakness", "weakness.no_standing_ache"),
        (Evidence(pain_first_steps=True), "fatigue", "fatigue.pain_first_steps"),
    ],
)
def test_one_answer_against_is_not_enough_for_unlikely(
    evidence: Evidence, cause: str, rule_id: str
) -> None:
    verdict = _cause(triage(evidence), cause)
    assert [f.rule_id for f in verdict.findings] == [rule_id]
    assert verdict.verdict == "not enough evidence"


#: McGill holds within the general-population norms, ratios in balance (a measurement).
TYPICAL = EnduranceResults(
    flexor_s=100, extensor_s=120, side_bridge_right_s=60, side_bridge_left_s=60
)


@pytest.mark.parametrize(
    ("evidence", "cause"),
    [
        (Evidence(lean_drift_flagged=False, lean_drift_change_deg=0.5), "fatigue"),
        (Evidence(trunk_lean_median_deg=4.0), "posture"),
        (Evidence(imu_pitch_drift_flagged=False), "fatigue"),
        (Evidence(endurance=TYPICAL), "weakness"),
        (Evidence(standing_ache=False, endurance=TYPICAL), "weakness"),
    ],
)
def test_a_measurement_against_makes_unlikely(evidence: Evidence, cause: str) -> None:
    verdict = _cause(triage(evidence), cause)
    assert verdict.verdict == "unlikely"
    assert all(f.effect == "against" for f in verdict.findings)


def test_two_answers_against_and_none_for_make_unlikely() -> None:
    # a table where two answered facts count against weakness (none is measured)
    table = {
        **TABLE,
        "rules": [
            {**r, "cause": "weakness", "effect": "against", "op": "is", "value": True}
            for r in TABLE["rules"]
            if r["id"] in ("weakness.standing_ache", "fatigue.pain_first_steps")
        ],
    }
    answered = {
        "standing_ache": Fact(name="standing_ache", value=True, detail="answered yes"),
        "pain_first_steps": Fact(name="pain_first_steps", value=True, detail="answered yes"),
    }
    assert not any(TABLE["facts"][name]["measured"] for name in answered)
    assert _verdict("weakness", table, answered, None).verdict == "unlikely"
    one = {"standing_ache": answered["standing_ache"]}
    assert _verdict("weakness", table, one, None).verdict == "not enough evidence"
    supported = {**TABLE, "rules": [*table["rules"], TABLE["rules"][0]]}
    assert _verdict("weakness", supported, answered, None).verdict == "possible"


MEASURE_HINTS = {f["record_next"] for f in TABLE["facts"].values() if f["measured"]}
QUESTION_HINTS = {f["record_next"] for f in TABLE["facts"].values() if not f["measured"]}
ALL_NO = dict.fromkeys(RED_FLAG_KEYS, False)


def _screen_at(level: str, cleared: bool) -> RedFlagScreen:
    if level == "incomplete":
        return screen_red_flags({}, clearance_recorded=cleared)
    if level == "clear":
        return screen_red_flags(ALL_NO, clearance_recorded=cleared)
    key = next(q.key for q in red_flag_questions() if q.level == level)
    return screen_red_flags({**ALL_NO, key: True}, clearance_recorded=cleared)


@pytest.mark.parametrize("cleared", [False, True])
@pytest.mark.parametrize("level", ["emergency", "same_day", "review", "incomplete", "clear"])
def test_record_next_names_no_test_or_run_while_a_flag_is_open(level: str, cleared: bool) -> None:
    screen = _screen_at(level, cleared)
    result = triage(Evidence(), screen)
    if level == "emergency":
        assert result.stopped and result.verdicts == []
        return
    hints = {h for v in result.verdicts for h in v.record_next}
    assert hints >= QUESTION_HINTS
    if screen.plan_blocked:
        assert not hints & MEASURE_HINTS
        wait = WAIT_FOR_SCREEN if level == "incomplete" else WAIT_FOR_CLEARANCE
        assert all(wait in v.record_next for v in result.verdicts)
    else:
        assert hints >= MEASURE_HINTS
        assert WAIT_FOR_CLEARANCE not in hints and WAIT_FOR_SCREEN not in hints
    assert screen.plan_blocked is (level == "incomplete" or (level != "clear" and not cleared))


def test_bool_fact_never_meets_a_numeric_rule_and_unknown_op_fails() -> None:
    assert not _holds(">=", True, 1)
    with pytest.raises(ValueError, match="unknown op"):
        _holds("==", 1.0, 1.0)
