"""``upright log session`` with filmed exercises: what is printed and stored, refusals,
and no advice from the measurement while a red flag is open."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner, Result

from form_cases import save
from upright.assessment.answers import parse_answers
from upright.assessment.redflags import RED_FLAG_KEYS, red_flag_questions
from upright.cli.main import app
from upright.report.report_html import render_report_html
from upright.services.report import gather_report
from upright.services.runner_record import checkup_for_runner
from upright.synthetic.exercise import ExerciseSpec, simulate_exercise

#: Hips below the -10 deg limit from 32 s; held from 2.6 s to the end (60 s).
SAG_KNOTS = ((30.0, 0.0), (34.0, -20.0))
SAG_FROM_S = 32.0
DURATION_S = 60.0


def invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": "200"})


def flat(text: str) -> str:
    return " ".join(text.split())


def count(table: str) -> int:
    from upright.store import open_store

    store = open_store()
    try:
        with store.engine.connect() as conn:
            return int(conn.scalar(sa.text(f"SELECT count(*) FROM {table}")) or 0)
    finally:
        store.close()


def screened(alias: str = "ana", **flags: bool) -> None:
    assert invoke("profile", "--runner", alias).exit_code == 0
    answers = {"red_flags": dict.fromkeys(RED_FLAG_KEYS, False) | flags}
    checkup_for_runner(alias, parse_answers(answers), [])


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("log-video")
    specs = {
        "good": ExerciseSpec(figure="glute_bridge", duration_s=DURATION_S, hold_end_s=None,
                             offset_knots=((0.0, 0.0),)),
        "sagging": ExerciseSpec(figure="glute_bridge", duration_s=DURATION_S, hold_end_s=None,
                                offset_knots=SAG_KNOTS),
    }  # fmt: skip
    return {name: save(simulate_exercise(s).ds, folder / f"{name}.nc") for name, s in specs.items()}


def log(*args: str | Path) -> Result:
    return invoke(
        "log", "session", "--runner", "ana", "--pain-during", "1", "--pain-next-morning", "0",
        *args,
    )  # fmt: skip


def test_a_filmed_exercise_prints_its_measurement_and_the_measured_form(
    clips: dict[str, Path],
) -> None:
    screened()
    result = log("--keypoints", f"glute_bridge={clips['sagging']}", "--form", "good")
    assert result.exit_code == 0, result.output
    out = flat(result.output)
    reached_s = ExerciseSpec().reached_s
    found = re.search(r"glute_bridge, sagging\.nc: held ([\d.]+) s, ([\d.]+) s with good form", out)
    assert found is not None, out
    held_s, good_s = float(found[1]), float(found[2])
    assert held_s == pytest.approx(DURATION_S - reached_s, abs=0.5)
    assert good_s == pytest.approx(SAG_FROM_S - reached_s, abs=0.5)
    first = re.search(r"form first lost at ([\d.]+) s \(hips not fully up\)", out)
    assert first is not None and float(first[1]) == pytest.approx(SAG_FROM_S, abs=0.5)
    assert "You typed --form good, which the clips contradict: the measured form (poor)" in out
    assert (
        f"Form in the last session was poor, measured from video: glute_bridge {good_s:g} of "
        f"{held_s:g} s held with good form."
    ) in out
    assert (count("session_log"), count("measured_form")) == (1, 1)
    profile = flat(invoke("profile", "--runner", "ana").output)
    assert "form measured from video in 1 session(s); latest" in profile
    report = gather_report("ana", today=dt.date.today())
    assert report.sessions[-1].form_measured is not None
    assert report.sessions[-1].form_measured.startswith(f"glute_bridge {good_s:g} of")
    html = flat(render_report_html(report))
    assert "Form measured from video in 1 of 1 sessions" in html


def test_json_carries_each_clip(clips: dict[str, Path]) -> None:
    screened()
    result = log("--keypoints", f"glute_bridge={clips['good']}", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["form"] == "good"
    [clip] = data["measured"]
    assert clip["clip_name"] == "good.nc" and len(clip["clip_sha256"]) == 64
    assert clip["good_form_s"] == clip["held_s"] and clip["first_fault"] is None


def test_a_bad_clip_exits_2_with_one_paragraph_and_stores_nothing(
    clips: dict[str, Path], tmp_path: Path
) -> None:
    screened()
    empty = tmp_path / "empty.nc"
    empty.write_bytes(b"")
    result = log("--keypoints", f"glute_bridge={clips['good']}",
                 "--keypoints", f"front_plank={empty}")  # fmt: skip
    assert result.exit_code == 2, result.output
    out = flat(result.output)
    assert "empty.nc" in out and "front_plank clip" in out and "Traceback" not in out
    assert (count("session_log"), count("measured_form")) == (0, 0)
    # a bridge given as a front plank: the position is never reached
    wrong = log("--keypoints", f"front_plank={clips['good']}", "--exercise", "curl_up=120",
                "--form", "good")  # fmt: skip
    assert wrong.exit_code == 2, wrong.output
    out = flat(wrong.output)
    assert "good.nc: as the front_plank clip of this session" in out
    assert "give it under the exercise it shows (--keypoints KEY=FILE)" in out
    assert (count("session_log"), count("measured_form")) == (0, 0)


def test_while_a_red_flag_is_open_nothing_is_advised_from_the_clip(
    clips: dict[str, Path],
) -> None:
    review = next(q.key for q in red_flag_questions() if q.level == "review")
    screened(**{review: True})
    result = log("--keypoints", f"glute_bridge={clips['sagging']}")
    assert result.exit_code == 2, result.output
    out = flat(result.output)
    assert "Session of" in out and "Clips stored: 1." in out
    for advice in (
        "PROGRESS",
        "HOLD",
        "REGRESS",
        "measured from video",
        "Push through",
        "form first",
    ):
        assert advice not in out
    assert (count("session_log"), count("measured_form")) == (1, 1)


def test_help_explains_the_clip_syntax_and_the_form_rule() -> None:
    text = flat(invoke("log", "session", "--help").output)
    assert "--video" in text and "--keypoints" in text
    assert "KEY:SIDE=FILE" in text
    assert "form is poor when a fault cost part of the dose" in text
    assert "nothing is stored" in text
