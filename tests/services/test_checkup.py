"""The check-up service: answers files, red-flag levels, template, evidence, typed times."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import yaml

from upright.assessment.redflags import RED_FLAG_KEYS, red_flag_questions
from upright.cli.jobs import run_demo_job
from upright.errors import InputError, UnsupportedFormatError
from upright.services.checkup import (
    answers_from_interview,
    ask_red_flags,
    ask_symptoms,
    read_answers,
    run_checkup,
    run_triage,
    template_text,
)
from upright.services.endurance_test import (
    build_results,
    parse_times,
    run_endurance_test,
)
from upright.services.evidence import read_evidence

LEVEL_KEY = {q.level: q.key for q in reversed(red_flag_questions())}  # first key per level


def all_no() -> dict[str, bool | None]:
    return dict.fromkeys(RED_FLAG_KEYS, False)


def write(tmp_path: Path, data: Any, name: str = "answers.json") -> Path:
    path = tmp_path / name
    text = yaml.safe_dump(data) if name.endswith(".yaml") else json.dumps(data)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def demo_summary(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo") / "out"
    run_demo_job(out, duration_s=20, annotate=False)
    return out / "summary.json"


# -- red-flag levels --------------------------------------------------------------


def test_emergency_stops_everything(tmp_path: Path) -> None:
    flags = all_no() | {LEVEL_KEY["emergency"]: True}
    answers = read_answers(write(tmp_path, {"red_flags": flags, "symptoms": {"pain_now": 4}}))
    result = run_checkup(answers, [tmp_path / "never_read.json"])
    assert result.status == "emergency"
    assert "emergency" in result.red_flags.advice.lower()
    assert result.triage is None and result.symptoms is None and result.endurance is None
    assert result.start_back is None and result.evidence_sources is None


@pytest.mark.parametrize("level", ["same_day", "review"])
def test_same_day_and_review_block_the_plan(tmp_path: Path, level: str) -> None:
    flags = all_no() | {LEVEL_KEY[level]: True}
    result = run_checkup(read_answers(write(tmp_path, {"red_flags": flags})))
    assert result.status == "done"
    assert result.red_flags.status == level
    assert result.plan_blocked
    assert result.triage is not None and not result.triage.stopped


def test_clearance_lifts_review_block(tmp_path: Path) -> None:
    flags = all_no() | {LEVEL_KEY["review"]: True}
    data = {
        "red_flags": flags,
        "clearance": {"recorded": True, "date": "2026-11-20", "clinician": "Dr A"},
    }
    assert not run_checkup(read_answers(write(tmp_path, data))).plan_blocked


def test_unanswered_flag_is_incomplete(tmp_path: Path) -> None:
    flags = all_no() | {RED_FLAG_KEYS[3]: None}
    result = run_checkup(read_answers(write(tmp_path, {"red_flags": flags})))
    assert result.red_flags.status == "incomplete"
    assert result.red_flags.unanswered == [RED_FLAG_KEYS[3]]
    assert result.plan_blocked


def test_all_no_is_clear(tmp_path: Path) -> None:
    result = run_checkup(read_answers(write(tmp_path, {"red_flags": all_no()}, "a.yaml")))
    assert result.red_flags.status == "clear"
    assert not result.plan_blocked


# -- template ---------------------------------------------------------------------


def test_template_parses_as_is(tmp_path: Path) -> None:
    answers = read_answers(write_text(tmp_path, template_text()))
    assert answers.red_flags == dict.fromkeys(RED_FLAG_KEYS)


def write_text(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "answers.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_template_explains_every_key() -> None:
    text = template_text()
    data = yaml.safe_load(text)
    lines = text.splitlines()
    for section in ("red_flags", "symptoms", "start_back", "endurance"):
        for key in data[section]:
            i = next(n for n, line in enumerate(lines) if line.strip().startswith(f"{key}:"))
            assert lines[i - 1].strip().startswith("#"), key
    assert "informs" in text and "PARAPHRASE" in text


def test_template_filled_round_trips(tmp_path: Path) -> None:
    data = yaml.safe_load(template_text())
    data["red_flags"] = all_no()
    data["clearance"] = {"recorded": False, "date": None, "clinician": None}
    data["symptoms"] |= {
        "pain_now": 3,
        "pain_last_run": 5,
        "pain_after_run": 4,
        "pain_next_morning": 2,
        "pain_onset": {"km": 6.0},
        "pain_first_steps": False,
        "standing_ache": True,
        "leg_symptoms": "none",
        "previous_back_pain": True,
        "episode_weeks": 3.0,
    }
    data["start_back"] = dict.fromkeys(data["start_back"], False) | {"bothersomeness": "moderately"}
    data["odi"] = dict.fromkeys(data["odi"], 1)
    data["endurance"] |= {"flexor_s": 120.0, "extensor_s": 95.0, "sex": "female"}
    answers = read_answers(write(tmp_path, data, "filled.yaml"))
    result = run_checkup(answers)
    assert result.red_flags.status == "clear"
    assert result.start_back is not None and result.start_back.risk == "low"
    assert result.endurance is not None
    weakness = next(v for v in result.triage.verdicts if v.cause == "weakness")  # type: ignore[union-attr]
    assert weakness.verdict in ("likely", "possible")


# -- bad answers files ------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "match"),
    [
        ({"red_flags": {"made_up": True}}, "made_up"),
        ({"symptoms": {"pain_now": "three"}}, "symptoms.pain_now"),
        ({"symptoms": {"pain_now": 11}}, "symptoms.pain_now"),
        ({"endurance": {"extensor_s": 300}}, "endurance.extensor_s"),
        ({"symptoms": {"pain_later": 2}}, "symptoms.pain_later"),
        ({}, "empty"),
    ],
)
def test_bad_answers_name_the_key(tmp_path: Path, data: Any, match: str) -> None:
    with pytest.raises(InputError, match=match):
        read_answers(write(tmp_path, data))


def test_empty_yaml_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="empty"):
        read_answers(write_text(tmp_path, "# nothing\n"))


def test_broken_yaml(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not valid YAML"):
        read_answers(write_text(tmp_path, "red_flags: [unclosed\n"))


def test_missing_answers_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        read_answers(tmp_path / "nope.json")


# -- evidence ---------------------------------------------------------------------


def test_demo_summary_is_analysis_evidence(demo_summary: Path) -> None:
    measured = read_evidence([demo_summary])
    assert measured.sources[0].kind == "analysis"
    assert measured.sources[0].synthetic
    assert isinstance(measured.fields["trunk_lean_median_deg"], float)
    assert any("SYNTHETIC" in n for n in measured.notes)


def test_evidence_changes_triage_reasons(tmp_path: Path, demo_summary: Path) -> None:
    answers = read_answers(write(tmp_path, {"red_flags": all_no()}))
    without = run_triage(answers).triage
    with_ev = run_triage(answers, [demo_summary]).triage
    assert without is not None and with_ev is not None

    def cause(t: Any, name: str) -> Any:
        return next(v for v in t.verdicts if v.cause == name)

    # the demo runner's lean drifts by design: a flagged drift supports fatigue
    assert cause(without, "fatigue").findings == []
    fatigue = cause(with_ev, "fatigue")
    assert [f.rule_id for f in fatigue.findings] == ["fatigue.lean_drift"]
    assert "trunk lean change +" in fatigue.findings[0].reason
    assert fatigue.verdict != "not enough evidence"
    # the measured lean no longer has to be recorded next for posture
    assert len(cause(with_ev, "posture").record_next) < len(cause(without, "posture").record_next)


def test_unknown_schema_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, {"schema_version": "other/1"}, "summary.json")
    with pytest.raises(UnsupportedFormatError, match="schema_version"):
        read_evidence([path])


def test_bad_evidence_json(tmp_path: Path) -> None:
    path = tmp_path / "summary.json"
    path.write_text("{", encoding="utf-8")
    with pytest.raises(InputError, match="not valid JSON"):
        read_evidence([path])


def test_run_and_imu_evidence() -> None:
    from upright.services.evidence import _imu_fields, _run_fields

    def sign(name: str, status: str, change: float | None = 1.0) -> SimpleNamespace:
        return SimpleNamespace(sign=name, status=status, flagged=status == "flagged", change=change)

    run = SimpleNamespace(
        fatigue_signs=[sign("cadence_falling", "flagged"), sign("cardiac_drift", "withheld")]
    )
    assert _run_fields(run) == {
        "watch_signs_checked": 1,
        "watch_signs_flagged": ["cadence_falling"],
    }
    imu = SimpleNamespace(
        pitch_measures="pelvis", fatigue_signs=[sign("pitch_rising", "flagged", 3.0)]
    )
    assert _imu_fields(imu) == {}  # a hip sensor measures the pelvis
    imu.pitch_measures = "trunk"
    assert _imu_fields(imu) == {
        "imu_pitch_drift_flagged": True,
        "imu_pitch_drift_change_deg": 3.0,
    }


# -- interview --------------------------------------------------------------------


def test_interview_stops_at_emergency_yes() -> None:
    asked: list[str] = []

    def ask(q: Any) -> Any:
        asked.append(q.key)
        return "yes" if q.key == RED_FLAG_KEYS[1] else "no"

    answers = ask_red_flags(ask)
    assert asked == list(RED_FLAG_KEYS[:2])
    assert answers[RED_FLAG_KEYS[1]] is True


def test_interview_unsure_is_unanswered() -> None:
    answers = ask_red_flags(lambda q: "unsure" if q.key == RED_FLAG_KEYS[-1] else "no")
    assert len(answers) == len(RED_FLAG_KEYS)
    replies = {"pain_now": "4", "pain_onset": "6 km", "standing_ache": "yes"}
    symptoms = ask_symptoms(lambda q: replies.get(q.key, ""))
    result = run_checkup(answers_from_interview(answers, symptoms))
    assert result.red_flags.status == "incomplete"
    assert symptoms == {"pain_now": 4, "pain_onset": {"km": 6.0}, "standing_ache": True}


def test_interview_bad_reply_names_key() -> None:
    symptoms = ask_symptoms(lambda q: "lots" if q.key == "pain_now" else "")
    with pytest.raises(InputError, match=r"symptoms\.pain_now"):
        answers_from_interview(all_no(), symptoms)


# -- endurance test ---------------------------------------------------------------


def test_typed_times_against_norms_and_ratios() -> None:
    values = parse_times(["flexor=120", "extensor=95", "side_left=60", "side_right=58"])
    report = run_endurance_test(build_results(values, "female", "general"), None, None)
    a = report.assessment
    assert a.norm_id.startswith("mcgill")
    by_test = {c.test: c for c in a.comparisons}
    assert by_test["extensor"].status == "below"  # (95 - 185) / 60 = -1.5 SD
    assert by_test["extensor"].z == -1.5
    ratios = {r.name: r for r in a.ratios}
    assert ratios["flexor/extensor"].flagged is True  # 120 / 95 = 1.26 >= 1.0
    assert ratios["right/left side bridge"].flagged is False  # 58 / 60 = 0.97


def test_change_judged_against_mdc() -> None:
    before = build_results({"extensor": 95.0, "side_left": 60.0}, None, "general")
    after = build_results({"extensor": 150.0, "side_left": 80.0}, None, "general")
    changes = {c.test: c for c in run_endurance_test(after, before, None).assessment.changes}
    assert changes["extensor"].verdict == "improved"  # +55 s > MDC 48 s
    assert changes["side_bridge_left"].verdict == "within MDC"  # +20 s < 30.5 s


@pytest.mark.parametrize(
    ("items", "match"),
    [
        (["flexor"], "KEY=SECONDS"),
        (["hamstring=30"], "unknown test"),
        (["flexor=1", "flexor=2"], "twice"),
        (["slb_left=2.5"], "slb_left"),
    ],
)
def test_bad_times(items: list[str], match: str) -> None:
    with pytest.raises(InputError, match=match):
        parse_times(items)


def test_time_out_of_range_names_test() -> None:
    with pytest.raises(InputError, match="extensor"):
        build_results({"extensor": 300.0}, None, "general")
