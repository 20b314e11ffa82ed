"""Answers files: a repeated key is refused (not silently the last), and numbers no
answer can hold are refused naming the key."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from upright.assessment.answers import parse_answers, read_answers_file
from upright.cli.main import app
from upright.errors import InputError
from upright.limits import EPISODE_WEEKS_MAX, HOLD_S_MAX
from upright.services.checkup import read_answers

#: Nine symptom answers, then a second ``symptoms:`` block with one: the YAML reader
#: would keep only the last block, and the nine would become "not answered".
REPEATED_SYMPTOMS = """\
symptoms:
  pain_now: 3
  pain_last_run: 5
  pain_after_run: 4
  pain_next_morning: 2
  pain_first_steps: false
  standing_ache: true
  leg_symptoms: none
  previous_back_pain: true
  episode_weeks: 6
start_back: {}
symptoms:
  pain_now: 3
"""


def test_yaml_answers_with_a_repeated_block_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "answers.yaml"
    path.write_text(REPEATED_SYMPTOMS, encoding="utf-8")
    with pytest.raises(InputError, match=r"the key 'symptoms' appears twice .*\(line 12\)") as info:
        read_answers(path)
    assert "answers.yaml" in str(info.value)
    assert "merge the two blocks" in str(info.value)


def test_cli_refuses_the_repeated_block_with_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "answers.yaml"
    path.write_text(REPEATED_SYMPTOMS, encoding="utf-8")
    result = CliRunner().invoke(app, ["checkup", "--answers", str(path)], env={"COLUMNS": "300"})
    assert result.exit_code == 2
    assert "the key 'symptoms' appears twice in the same block (line 12)" in " ".join(
        result.output.split()
    )


@pytest.mark.parametrize("name", ["answers.json", "answers.yaml"])
def test_json_answers_with_a_repeated_key_are_refused(tmp_path: Path, name: str) -> None:
    """JSON is YAML too: either reader refuses it."""
    path = tmp_path / name
    path.write_text('{"symptoms": {"pain_now": 3}, "symptoms": {}}', encoding="utf-8")
    with pytest.raises(InputError, match="the key 'symptoms' appears twice"):
        read_answers(path)
    with pytest.raises(InputError, match="the key 'symptoms' appears twice"):
        read_answers_file(path)


@pytest.mark.parametrize(
    ("section", "key", "value"),
    [
        ("symptoms", "episode_weeks", 1e308),
        ("symptoms", "episode_weeks", EPISODE_WEEKS_MAX + 1),
        ("endurance", "flexor_s", 1e308),
        ("endurance", "prone_plank_s", HOLD_S_MAX + 1),
        ("endurance", "single_leg_bridge_left_reps", 10**9),
    ],
)
def test_unbounded_numbers_are_bounded(section: str, key: str, value: float) -> None:
    with pytest.raises(InputError, match=rf"{section}\.{key}: Input should be less than"):
        parse_answers({section: {key: value}})


def test_pain_onset_beyond_any_run_is_refused() -> None:
    with pytest.raises(InputError, match=r"symptoms\.pain_onset\.km: Input should be less"):
        parse_answers({"symptoms": {"pain_onset": {"km": 1e6}}})
    with pytest.raises(InputError, match=r"symptoms\.pain_onset\.minute: Input should be less"):
        parse_answers({"symptoms": {"pain_onset": {"minute": 1e308}}})


def test_infinite_episode_in_json_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "answers.json"
    path.write_text('{"symptoms": {"episode_weeks": 1e999}}', encoding="utf-8")
    with pytest.raises(InputError, match=r"symptoms.episode_weeks is inf"):
        read_answers(path)


def test_plausible_answers_still_pass(tmp_path: Path) -> None:
    path = tmp_path / "answers.json"
    data = {"symptoms": {"episode_weeks": 520, "pain_onset": {"km": 21.1}}}
    path.write_text(json.dumps(data), encoding="utf-8")
    answers = read_answers(path)
    assert answers.symptoms.episode_weeks == 520
    assert answers.symptoms.pain_onset is not None and answers.symptoms.pain_onset.km == 21.1
