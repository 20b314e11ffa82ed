"""``upright checkup``, ``triage`` and ``test``: exit codes, advice, JSON, disclaimer."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from rich.console import Console
from typer.testing import CliRunner, Result

from timer_io import FakeTerminal
from upright.assessment.questionnaires import ODI_SECTIONS
from upright.assessment.redflags import RED_FLAG_KEYS, red_flag_questions
from upright.cli.checkup import EXIT_EMERGENCY, EnduranceJob, run_test_command
from upright.cli.jobs import run_demo_job
from upright.cli.main import app
from upright.services.endurance_test import PROTOCOLS, guided_order

runner = CliRunner()
LEVEL_KEY = {q.level: q.key for q in reversed(red_flag_questions())}
DISCLAIMER_START = "upright is a training and self-management aid"


def invoke(*args: str, stdin: str | None = None) -> Result:
    return runner.invoke(app, list(args), input=stdin, env={"COLUMNS": "200"})


def flat(text: str) -> str:
    return " ".join(text.split())


def answers_file(tmp_path: Path, data: Any, name: str = "answers.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def flags(**overrides: bool | None) -> dict[str, bool | None]:
    return dict.fromkeys(RED_FLAG_KEYS, False) | overrides


@pytest.fixture(scope="module")
def demo_summary(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo") / "out"
    run_demo_job(out, duration_s=20, annotate=False)
    return out / "summary.json"


def test_emergency_exit_3_with_advice(tmp_path: Path) -> None:
    path = answers_file(tmp_path, {"red_flags": flags(**{LEVEL_KEY["emergency"]: True})})
    result = invoke("checkup", "--answers", str(path))
    assert result.exit_code == EXIT_EMERGENCY == 3
    out = flat(result.output)
    assert "SEEK EMERGENCY CARE NOW" in out
    assert "Symptoms" not in out and "record next" not in out
    assert DISCLAIMER_START in out


def test_emergency_json(tmp_path: Path) -> None:
    path = answers_file(tmp_path, {"red_flags": flags(**{LEVEL_KEY["emergency"]: True})})
    result = invoke("checkup", "--answers", str(path), "--json")
    assert result.exit_code == 3
    data = json.loads(result.stdout)
    assert data["status"] == "emergency"
    assert data["triage"] is None and data["symptoms"] is None


def test_triage_emergency_exit_3(tmp_path: Path) -> None:
    path = answers_file(tmp_path, {"red_flags": flags(**{LEVEL_KEY["emergency"]: True})})
    result = invoke("triage", "--answers", str(path))
    assert result.exit_code == 3
    assert "SEEK EMERGENCY CARE NOW" in result.output


@pytest.mark.parametrize("level", ["same_day", "review"])
def test_same_day_review_block_plan(tmp_path: Path, level: str) -> None:
    path = answers_file(tmp_path, {"red_flags": flags(**{LEVEL_KEY[level]: True})})
    result = invoke("checkup", "--answers", str(path))
    assert result.exit_code == 0, result.output
    assert f"Red-flag screen: {level}" in result.output
    assert "The exercise plan is blocked" in result.output
    assert DISCLAIMER_START in flat(result.output)


def test_unanswered_is_incomplete(tmp_path: Path) -> None:
    path = answers_file(tmp_path, {"red_flags": flags(**{RED_FLAG_KEYS[0]: None})})
    result = invoke("checkup", "--answers", str(path), "--json")
    assert result.exit_code == 0
    # the prompts went to stderr; CliRunner echoes the typed replies into stdout
    data = json.loads(result.stdout[result.stdout.index("{") :])
    assert "Red-flag questions" not in result.stdout
    assert data["red_flags"]["status"] == "incomplete"
    assert data["plan_blocked"] is True


def test_template_round_trips(tmp_path: Path) -> None:
    result = invoke("checkup", "--template")
    assert result.exit_code == 0
    data = yaml.safe_load(result.stdout)
    data["red_flags"] = flags()
    data["symptoms"] |= {"pain_now": 2, "standing_ache": False, "pain_onset": {"minute": 30}}
    data["endurance"] |= {"side_bridge_left_s": 60, "side_bridge_right_s": 50}
    path = answers_file(tmp_path, data)
    checked = invoke("checkup", "--answers", str(path), "--json")
    assert checked.exit_code == 0, checked.output
    assert json.loads(checked.stdout)["red_flags"]["status"] == "clear"


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"red_flags": {"made_up_flag": True}}, "made_up_flag"),
        ({"symptoms": {"standing_ache": "often"}}, "symptoms.standing_ache"),
        ({"symptoms": {"pain_now": 12}}, "symptoms.pain_now"),
        ({"start_back": {"bothersomeness": "awful"}}, "start_back.bothersomeness"),
        ({"walking": 3}, "walking"),
    ],
)
def test_bad_answers_exit_2_naming_key(tmp_path: Path, data: Any, key: str) -> None:
    result = invoke("checkup", "--answers", str(answers_file(tmp_path, data)))
    assert result.exit_code == 2
    assert key in flat(result.output)


def test_empty_answers_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "answers.json"
    path.write_text("{}", encoding="utf-8")
    result = invoke("checkup", "--answers", str(path))
    assert result.exit_code == 2
    assert "empty" in flat(result.output)


def test_triage_with_demo_evidence(tmp_path: Path, demo_summary: Path) -> None:
    path = answers_file(tmp_path, {"red_flags": flags(), "symptoms": {"standing_ache": True}})
    plain = invoke("triage", "--answers", str(path))
    with_ev = invoke("triage", "--answers", str(path), "--evidence", str(demo_summary))
    assert plain.exit_code == with_ev.exit_code == 0, with_ev.output
    assert "trunk lean change" not in flat(plain.output)
    assert "trunk lean change +" in flat(with_ev.output)
    # the demo's lean (8 deg) sits between the posture thresholds: shown, not dropped
    assert "measured, no threshold reached: median lean" in flat(with_ev.output)
    for word in ("Weakness", "Running posture", "Fatigue-driven", "record next"):
        assert word in with_ev.output
    assert DISCLAIMER_START in flat(with_ev.output)
    data = json.loads(
        invoke("triage", "--answers", str(path), "--evidence", str(demo_summary), "--json").stdout
    )
    assert data["evidence_sources"][0]["kind"] == "analysis"


def test_checkup_bad_evidence_exit_2(tmp_path: Path) -> None:
    path = answers_file(tmp_path, {"red_flags": flags()})
    other = tmp_path / "summary.json"
    other.write_text('{"schema_version": "someone.else/1"}', encoding="utf-8")
    result = invoke("checkup", "--answers", str(path), "--evidence", str(other))
    assert result.exit_code == 2
    assert "schema_version" in flat(result.output)


def test_interactive_emergency_stops_at_once() -> None:
    # no to the first question, yes to the second (an emergency): nothing else is asked
    result = invoke("checkup", stdin="no\nyes\n")
    assert result.exit_code == 3
    assert "SEEK EMERGENCY CARE NOW" in result.output
    assert red_flag_questions()[2].question not in result.output


def test_interactive_unsure_is_incomplete() -> None:
    replies = ["no"] * (len(RED_FLAG_KEYS) - 1) + ["unsure"] + [""] * 20
    result = invoke("checkup", "--json", stdin="\n".join(replies) + "\n")
    assert result.exit_code == 0, result.output
    # the prompts went to stderr; CliRunner echoes the typed replies into stdout
    data = json.loads(result.stdout[result.stdout.index("{") :])
    assert "Red-flag questions" not in result.stdout
    assert data["red_flags"]["status"] == "incomplete"


@pytest.mark.parametrize("stdin", [None, "no\nno\n"])
def test_interview_without_a_terminal_says_use_answers(stdin: str | None) -> None:
    # no input at all, or input that ends half-way through the red flags
    result = invoke("checkup", stdin=stdin)
    assert result.exit_code == 2, result.output
    text = flat(result.output)
    assert "input ended" in text and "nothing was stored" in text
    assert "--answers answers.yaml" in text and "--template" in text
    assert "Aborted" not in text


def test_test_typed_times_json(tmp_path: Path) -> None:
    args = ["test", "--times", "flexor=120", "extensor=95", "side_left=60", "side_right=58"]
    result = invoke(*args, "--sex", "female", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    ratios = {r["name"]: r["flagged"] for r in data["assessment"]["ratios"]}
    assert ratios["flexor/extensor"] is True
    assert data["disclaimer"].startswith(DISCLAIMER_START)
    prev = tmp_path / "prev.json"
    prev.write_text(result.stdout, encoding="utf-8")
    again = invoke("test", "--times", "extensor=150", "--previous", str(prev))
    assert again.exit_code == 0, again.output
    assert "Change extensor: 95 -> 150 s (+55 s, MDC 48 s): improved" in flat(again.output)
    assert "Biering-Sorensen" in again.output and DISCLAIMER_START in flat(again.output)


def test_test_bad_times_exit_2() -> None:
    result = invoke("test", "--times", "hamstring=30")
    assert result.exit_code == 2
    assert "hamstring" in result.output


def test_test_bad_previous_exit_2(tmp_path: Path) -> None:
    prev = tmp_path / "prev.json"
    prev.write_text('{"a": 1}', encoding="utf-8")
    result = invoke("test", "--times", "flexor=100", "--previous", str(prev))
    assert result.exit_code == 2
    assert "upright test --json" in flat(result.output)


def test_test_guided_timer_in_listed_order() -> None:
    # flexor, extensor (to its cap), right, left, supine bridge, plank; then reps typed
    holds = [(100.0, ""), (None, ""), (55.0, ""), (61.0, ""), (150.0, ""), (90.0, "")]
    fake = FakeTerminal(holds=holds, rests=[1.0] * 7, reps=["22", "18"])
    job = EnduranceJob(
        times=[], typed=False, sex=None, population="general", previous=None, in_order=True
    )
    console = Console(record=True, width=200)
    report = run_test_command(job, False, console, timer=fake.io())
    r = report.results
    assert (r.flexor_s, r.extensor_s, r.side_bridge_right_s, r.side_bridge_left_s) == (
        100.0,
        240.0,
        55.0,
        61.0,
    )
    assert (r.supine_bridge_s, r.prone_plank_s) == (150.0, 90.0)
    assert (r.single_leg_bridge_left_reps, r.single_leg_bridge_right_reps) == (22, 18)
    assert len(fake.asked) == 2 and "reps" in fake.asked[0]
    assert "Today's tests, in the listed order:" in fake.said
    text = console.export_text()
    assert "Trunk flexor endurance" in text and "Endurance against" in text
    assert "Single-leg bridge, left: 22 reps" in text


def test_test_guided_timer_random_order_from_seed_and_skips() -> None:
    order = guided_order(42)
    holds_in_order = [key for key in order if not key.startswith("slb_")]
    # every hold 60 s but the supine bridge, skipped; the reps: one typed, one skipped
    holds = [(1.0, "s") if k == "supine_bridge" else (60.0, "") for k in holds_in_order]
    fake = FakeTerminal(holds=holds, rests=[0.5] * 7, reps=["12", ""])
    job = EnduranceJob(
        times=[], typed=False, sex=None, population="general", previous=None, seed=42
    )
    report = run_test_command(job, True, Console(record=True, width=200), timer=fake.io())
    heading = "Today's tests, in a random order (--seed 42 repeats it):"
    listed = fake.said[fake.said.index(heading) :]
    names = {p.key: p.name for p in PROTOCOLS}
    for number, key in enumerate(order, start=1):
        if key in names:
            assert listed[number] == f"  {number}. {names[key]}"
    r = report.results
    assert r.supine_bridge_s is None  # skipped: not done, never 0
    assert r.flexor_s == r.prone_plank_s == 60.0
    reps = [r.single_leg_bridge_left_reps, r.single_leg_bridge_right_reps]
    first_side = 0 if order.index("slb_left") < order.index("slb_right") else 1
    assert reps[first_side] == 12 and reps[1 - first_side] is None


def test_test_guided_timer_without_a_terminal_exit_2() -> None:
    # no results typed and the input ends: the timer cannot run
    result = invoke("test", "--in-order", stdin="")
    assert result.exit_code == 2, result.output
    text = flat(result.output)
    assert "input ended" in text and "upright test flexor=120" in text


def _odi_wording_file(tmp_path: Path) -> Path:
    sections = {k: [f"{k} statement {i}" for i in range(6)] for k in ODI_SECTIONS}
    path = tmp_path / "odi.json"
    path.write_text(
        json.dumps({"copyright_notice": "ODI (c) licensed copy", "sections": sections}),
        encoding="utf-8",
    )
    return path


def _odi_answers(tmp_path: Path) -> Path:
    odi = dict.fromkeys(ODI_SECTIONS, None) | {"pain_intensity": 2, "walking": 1, "lifting": 3}
    return answers_file(tmp_path, {"red_flags": flags(), "odi": odi})


def test_checkup_scores_odi_with_wording(tmp_path: Path) -> None:
    answers, wording = _odi_answers(tmp_path), _odi_wording_file(tmp_path)
    result = invoke("checkup", "--answers", str(answers), "--odi-wording", str(wording), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["odi"]["score_pct"] == 40.0  # 6 / (5 x 3) x 100
    assert data["odi"]["band"] == "moderate"
    assert data["odi"]["sections_answered"] == 3
    assert data["odi_copyright_notice"] == "ODI (c) licensed copy"
    assert not any("ODI not scored" in n for n in data["notes"])
    text = flat(invoke("checkup", "--answers", str(answers), "--odi-wording", str(wording)).stdout)
    assert "Oswestry Disability Index: 40% (moderate)" in text
    assert "ODI (c) licensed copy" in text


def test_checkup_odi_unscored_without_wording(tmp_path: Path) -> None:
    answers = _odi_answers(tmp_path)
    data = json.loads(invoke("checkup", "--answers", str(answers), "--json").stdout)
    assert data["odi"] is None
    text = flat(invoke("checkup", "--answers", str(answers)).stdout)
    assert "ODI not scored" in text and "proprietary" in text
    assert "--odi-wording" in text


@pytest.mark.parametrize(
    "content",
    ["not json", '{"sections": {"walking": ["a"]}}', "[1, 2]", None],
)
def test_checkup_bad_odi_wording_exit_2(tmp_path: Path, content: str | None) -> None:
    wording = tmp_path / "bad_odi.json"
    if content is not None:
        wording.write_text(content, encoding="utf-8")
    answers = _odi_answers(tmp_path)
    result = invoke("checkup", "--answers", str(answers), "--odi-wording", str(wording))
    assert result.exit_code == 2
    assert "bad_odi.json" in flat(result.output)


def test_help_documents_exit_3() -> None:
    result = invoke("checkup", "--help")
    assert result.exit_code == 0
    assert "3 EMERGENCY" in flat(result.output)
