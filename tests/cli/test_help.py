"""Every command's help: flags without a type, ranges shown, exit codes, tidy text."""

from __future__ import annotations

import re

import pytest
import typer
from typer.testing import CliRunner

from upright.cli.main import app


def command_paths() -> list[list[str]]:
    """Every command, sub-command included, as the words that call it."""
    paths: list[list[str]] = []

    def walk(group: object, prefix: list[str]) -> None:
        for name, command in getattr(group, "commands", {}).items():
            if getattr(command, "commands", None):
                walk(command, [*prefix, name])
            else:
                paths.append([*prefix, name])

    walk(typer.main.get_command(app), [])
    return paths


def help_text(*words: str) -> str:
    result = CliRunner().invoke(app, [*words, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return result.output


def flat(text: str) -> str:
    """The help's words, without the panels' borders."""
    return " ".join(re.sub(r"[│╭╮╰╯─]", " ", text).split())


def test_every_command_is_found() -> None:
    paths = command_paths()
    assert ["analyze"] in paths and ["log", "session"] in paths and ["plan"] in paths
    assert len(paths) >= 16


@pytest.mark.parametrize("words", [[], ["log"]])
def test_groups_show_flags_without_a_type(words: list[str]) -> None:
    text = help_text(*words)
    assert "<bool>" not in text
    assert re.search(r"--help +Show this message", text)


@pytest.mark.parametrize("words", command_paths(), ids=" ".join)
def test_command_help(words: list[str]) -> None:
    text = help_text(*words)
    words_only = flat(text)
    assert "<bool>" not in text  # a flag takes no value
    assert re.search(r"--help +Show this message", text)
    assert "Exit codes: 0 " in words_only and "130 stopped with Ctrl+C" in words_only
    assert not re.search(r"\w +[.,;:](\s|$)", words_only), words_only  # no " ." or " ,"
    assert "[default: ]" not in words_only


def test_a_default_written_in_the_help_is_shown() -> None:
    text = flat(help_text("plan"))
    assert "Date of the first session. [default: today]" in text
    assert "Output folder. [default: ./<clip>-upright]" in flat(help_text("analyze"))


@pytest.mark.parametrize(
    ("words", "option", "shown"),
    [
        (["log", "run"], "--pain-during", "[0<=x<=10]"),
        (["log", "session"], "--pain-next-morning", "[0<=x<=10]"),
        (["log", "run"], "--distance-km", "[x>=0]"),
        (["compare"], "--tilt-deg", "[-30.0<=x<=30.0]"),
        (["plan"], "--sessions-per-week", "[3<=x<=5]"),
        (["test"], "--seed", "[x>=0]"),
    ],
)
def test_ranges_are_shown(words: list[str], option: str, shown: str) -> None:
    line = next(x for x in help_text(*words).splitlines() if f" {option} " in x)
    assert shown in line


def test_out_of_range_pain_is_a_usage_error() -> None:
    args = ["log", "run", "--runner", "ana", "--distance-km", "5", "--pain-during", "11"]
    result = CliRunner().invoke(app, args, env={"COLUMNS": "200"})
    assert result.exit_code == 2
    assert "--pain-during" in result.output and "10" in result.output
