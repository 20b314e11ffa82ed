"""The vignette bank: written cases with expected screen and triage results."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from upright.assessment import (
    RedFlagScreen,
    TriageResult,
    evidence_from_answers,
    parse_answers,
    screen_red_flags,
    triage,
)
from upright.assessment.redflags import RED_FLAG_KEYS

CASES: list[dict[str, Any]] = json.loads(
    (Path(__file__).parent / "vignettes.json").read_text("utf-8")
)["cases"]


def _run(case: dict[str, Any]) -> tuple[RedFlagScreen, TriageResult]:
    flags: dict[str, bool | None] = (
        dict.fromkeys(RED_FLAG_KEYS, False) if case["red_flags_base"] == "all_no" else {}
    )
    flags.update(case.get("red_flags", {}))
    answers = parse_answers({**case["answers"], "red_flags": flags}, source=case["id"])
    screen = screen_red_flags(answers.red_flags, clearance_recorded=answers.clearance_recorded)
    evidence = evidence_from_answers(answers, **case["measured"])
    return screen, triage(evidence, screen)


def test_bank_has_at_least_20_cases_with_unique_ids() -> None:
    ids = [c["id"] for c in CASES]
    assert len(ids) >= 20
    assert len(set(ids)) == len(ids)


def test_bank_covers_every_level_and_verdict() -> None:
    screens = {c["expect"]["screen"] for c in CASES}
    assert screens == {"emergency", "same_day", "review", "incomplete", "clear"}
    verdicts = {v for c in CASES for v in c["expect"]["verdicts"].values()}
    assert verdicts == {"likely", "possible", "unlikely", "not enough evidence"}


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_vignette(case: dict[str, Any]) -> None:
    expect = case["expect"]
    screen, result = _run(case)
    assert screen.status == expect["screen"]
    assert screen.plan_blocked is expect["plan_blocked"]
    assert result.stopped is expect["stopped"]
    got = {v.cause: v.verdict for v in result.verdicts}
    assert got == expect["verdicts"]
    for cause, rule_ids in expect.get("rules", {}).items():
        verdict = next(v for v in result.verdicts if v.cause == cause)
        assert sorted(f.rule_id for f in verdict.findings) == sorted(rule_ids)
    for cause in expect.get("record_next", []):
        verdict = next(v for v in result.verdicts if v.cause == cause)
        assert verdict.record_next
    if "hits" in expect:
        assert [h.key for h in screen.hits] == expect["hits"]
    assert "not a medical device" in result.disclaimer
    assert "not a medical device" in screen.advice


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_every_finding_names_values_and_source(case: dict[str, Any]) -> None:
    _, result = _run(case)
    for verdict in result.verdicts:
        for finding in verdict.findings:
            assert ": " in finding.reason  # rule reason, then the measured detail
            assert finding.source
