"""Triage engine: the rule table is consistent, facts carry values, emergencies stop it."""

from __future__ import annotations

import pytest

from upright.assessment._data import load_table
from upright.assessment.answers import parse_answers
from upright.assessment.endurance import EnduranceResults
from upright.assessment.redflags import RED_FLAG_KEYS, screen_red_flags
from upright.assessment.triage import (
    CAUSES,
    Evidence,
    _holds,
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
    assert "McGill 1999 men [unverified table]" in facts["endurance_typical"].detail


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


def test_pain_onset_without_first_steps_answer_is_not_used() -> None:
    assert "pain_starts_later_in_run" not in compute_facts(Evidence(pain_onset_km=4.0))


def test_bool_fact_never_meets_a_numeric_rule_and_unknown_op_fails() -> None:
    assert not _holds(">=", True, 1)
    with pytest.raises(ValueError, match="unknown op"):
        _holds("==", 1.0, 1.0)
