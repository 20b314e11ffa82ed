"""Strict JSON and YAML reading: a repeated key or a non-finite number is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from upright.errors import InputError
from upright.io.documents import load_json, load_yaml


def test_yaml_repeated_key_names_key_and_line() -> None:
    text = "red_flags: {}\nsymptoms:\n  pain_now: 3\nodi: {}\nsymptoms:\n  pain_now: 4\n"
    with pytest.raises(InputError, match=r"a.yaml: the key 'symptoms' appears twice .*\(line 5\)"):
        load_yaml(text, Path("a.yaml"))


def test_yaml_repeated_key_in_a_nested_block() -> None:
    text = "symptoms:\n  pain_now: 3\n  pain_now: 4\n"
    with pytest.raises(InputError, match=r"the key 'pain_now' appears twice .*\(line 3\)"):
        load_yaml(text, Path("a.yaml"))


def test_yaml_same_key_in_different_blocks_is_fine() -> None:
    text = "a:\n  km: 1\nb:\n  km: 2\n"
    assert load_yaml(text, Path("a.yaml")) == {"a": {"km": 1}, "b": {"km": 2}}


def test_json_repeated_key_is_named() -> None:
    text = '{"symptoms": {"pain_now": 3}, "symptoms": {"pain_now": 4}}'
    with pytest.raises(InputError, match=r"a.json: the key 'symptoms' appears twice"):
        load_json(text, Path("a.json"))


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ('{"symptoms": {"episode_weeks": 1e400}}', "symptoms.episode_weeks is inf"),
        ('{"x": [1, NaN]}', r"x\[1\] is nan"),
        ('{"x": -Infinity}', "x is -inf"),
    ],
)
def test_json_non_finite_numbers_are_named(text: str, where: str) -> None:
    with pytest.raises(InputError, match=where):
        load_json(text, Path("a.json"))


def test_yaml_non_finite_number_is_named() -> None:
    with pytest.raises(InputError, match=r"symptoms.episode_weeks is inf"):
        load_yaml("symptoms:\n  episode_weeks: .inf\n", Path("a.yaml"))


def test_broken_documents_name_the_place() -> None:
    with pytest.raises(InputError, match=r"not valid JSON \(line 2, column 1"):
        load_json('{"a": 1\n', Path("a.json"))
    with pytest.raises(InputError, match="not valid YAML"):
        load_yaml("a: [unclosed\n", Path("a.yaml"))


def test_deeply_nested_json_is_refused() -> None:
    with pytest.raises(InputError, match="nested too deeply"):
        load_json("[" * 100_000 + "]" * 100_000, Path("a.json"))
