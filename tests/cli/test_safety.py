"""Safety first: the red-flag screen runs first and gates every advice path.

Every red-flag level (emergency, same-day, review, incomplete; clear as the control and a
runner with no stored check-up) with and without a recorded clearance, through ``plan``,
``log session``, ``log run``, ``test`` (typed, guided and timed from a clip) and
``triage``, and answers that are invalid besides.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import typer
import yaml
from rich.console import Console
from typer.testing import CliRunner, Result

from upright.assessment.redflags import ADVICE, RED_FLAG_KEYS, red_flag_questions
from upright.assessment.triage import WAIT_FOR_CLEARANCE, WAIT_FOR_SCREEN
from upright.cli.checkup import EnduranceJob, run_test_command
from upright.cli.main import app
from upright.services.endurance_test import TimerIO
from upright.store import Clearance, get_runner, open_store

cli = CliRunner()
LEVEL_KEY = {q.level: q.key for q in red_flag_questions()}
LEVELS = ["emergency", "same_day", "review", "incomplete", "clear"]
#: The first words of each screen's advice, as the runner reads it.
ADVICE_START = {level: ADVICE[level].split(".")[0] for level in LEVELS}  # type: ignore[index]
#: How a clearance is recorded: not at all, with `upright clearance`, in the answers file.
CLEARANCES = [None, "stored", "answers"]
MEASURE_HINTS = ("Run the McGill endurance battery", "Film a side view", "Film early and late")


def invoke(*args: str, stdin: str | None = None) -> Result:
    return cli.invoke(app, list(args), input=stdin, env={"COLUMNS": "200"})


def flat(text: str) -> str:
    return " ".join(text.split())


def count(table: str) -> int:
    store = open_store()
    try:
        with store.engine.connect() as conn:
            return int(conn.scalar(sa.text(f"SELECT count(*) FROM {table}")) or 0)
    finally:
        store.close()


def red_flags(level: str) -> dict[str, bool | None]:
    answers: dict[str, bool | None] = dict.fromkeys(RED_FLAG_KEYS, False)
    if level == "incomplete":
        answers[RED_FLAG_KEYS[-1]] = None
    elif level != "clear":
        answers[LEVEL_KEY[level]] = True
    return answers


GOOD_CLEARANCE = {"recorded": True, "date": "2026-11-20", "clinician": "Dr Lee, GP"}


def write_answers(tmp_path: Path, data: dict[str, Any], name: str = "answers.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def runner_at(tmp_path: Path, level: str | None, clearance: str | None) -> None:
    """Runner "ana" whose latest stored check-up screens at ``level`` (None: no check-up),
    with a clearance recorded as ``clearance`` says."""
    assert invoke("profile", "--runner", "ana").exit_code == 0
    if level is not None:
        data: dict[str, Any] = {"red_flags": red_flags(level)}
        if clearance == "answers":
            data["clearance"] = GOOD_CLEARANCE
        path = write_answers(tmp_path, data)
        result = invoke("checkup", "--runner", "ana", "--answers", str(path))
        assert result.exit_code == (3 if level == "emergency" else 0), result.output
    if clearance == "stored":
        result = invoke("clearance", "--runner", "ana", "--clinician", "Dr Lee, GP")
        assert result.exit_code == 0, result.output


def expected_exit(level: str, clearance: str | None) -> int:
    if level == "emergency":
        return 3
    if level == "incomplete" or (level in ("same_day", "review") and clearance is None):
        return 2
    return 0


CASES = [(level, clearance) for level in LEVELS for clearance in CLEARANCES]


def _ids(case: tuple[str, str | None]) -> str:
    return f"{case[0]}-{case[1] or 'no_clearance'}"


# -- item 2: one rule for plan, log session, log run and test ---------------------------


@pytest.mark.parametrize("case", CASES, ids=[_ids(c) for c in CASES])
def test_every_advice_path_follows_the_plan_rule(
    tmp_path: Path, case: tuple[str, str | None]
) -> None:
    level, clearance = case
    runner_at(tmp_path, level, clearance)
    code = expected_exit(level, clearance)
    held = code != 0
    plan = invoke("plan", "--runner", "ana", "--json")
    assert plan.exit_code == code, plan.output
    assert json.loads(plan.stdout)["blocked"] is held

    session = invoke(
        "log", "session", "--runner", "ana", "--exercise", "side_plank=30",
        "--form", "good", "--pain-during", "1", "--pain-next-morning", "0", "--json",
    )  # fmt: skip
    assert session.exit_code == code, session.output
    logged = json.loads(session.stdout)
    assert (logged["decision"] is None) is held
    assert logged["red_flags"]["status"] == level
    assert logged["red_flags"]["plan_blocked"] is held
    assert count("session_log") == 1  # stored either way: nothing is lost

    run = invoke(
        "log", "run", "--runner", "ana", "--distance-km", "8", "--pain-during", "1", "--json"
    )
    assert run.exit_code == code, run.output
    assert (json.loads(run.stdout)["advice"] is None) is held
    assert count("run_log") == 1

    test = invoke("test", "--runner", "ana", "--times", "flexor=100", "side_left=50", "--json")
    assert test.exit_code == code, test.output
    data = json.loads(test.stdout)
    if held:
        assert data["schema_version"] == "upright.endurance-test-held-back/1"
        assert "assessment" not in data
        assert data["stored"]["flexor_s"] == 100
        assert data["red_flags"]["status"] == level
    else:
        assert data["assessment"]["comparisons"]
    assert count("endurance_test") == 2  # typed results stored as given, either way


@pytest.mark.parametrize("level", ["emergency", "same_day", "review", "incomplete"])
def test_log_session_text_gives_the_flag_advice_not_progress(tmp_path: Path, level: str) -> None:
    runner_at(tmp_path, level, None)
    for _ in range(3):  # two good sessions in a row would say PROGRESS
        result = invoke(
            "log", "session", "--runner", "ana", "--exercise", "side_plank=30",
            "--form", "good", "--pain-during", "1", "--pain-next-morning", "0",
        )  # fmt: skip
        assert result.exit_code == (3 if level == "emergency" else 2), result.output
    out = flat(result.output)
    assert "Session of" in out and "stored (stage 1)" in out  # the stage did not move
    # no plan prescribes a session while the flag is open: stored as partial
    assert "as partial: side_plank 30 s." in out
    assert "the plan is blocked while a red flag is open" in out
    assert ADVICE_START[level] in out
    for advice in ("PROGRESS", "HOLD", "REGRESS", "move up to stage", "Next sessions"):
        assert advice not in out
    if level == "emergency":
        assert "SEEK EMERGENCY CARE NOW" in out
        assert "No progression advice" not in out  # the emergency says one thing
    elif level == "incomplete":
        assert "No progression advice until every red-flag question is answered" in out
    else:
        assert "No progression advice until a clinician has cleared you" in out
        assert "upright clearance --runner ana" in out


@pytest.mark.parametrize("level", ["emergency", "same_day", "review", "incomplete"])
def test_log_run_text_gives_no_pain_zone(tmp_path: Path, level: str) -> None:
    runner_at(tmp_path, level, None)
    result = invoke("log", "run", "--runner", "ana", "--distance-km", "8", "--pain-during", "1")
    assert result.exit_code == (3 if level == "emergency" else 2), result.output
    out = flat(result.output)
    assert "Run of" in out and "8 km" in out
    assert "Pain zone" not in out and "safe" not in out
    assert ADVICE_START[level] in out
    assert count("run_log") == 1


def test_cleared_review_log_gives_advice_again(tmp_path: Path) -> None:
    runner_at(tmp_path, "review", "stored")
    result = invoke("log", "run", "--runner", "ana", "--distance-km", "8", "--pain-during", "1")
    assert result.exit_code == 0, result.output
    assert "Pain zone: safe" in result.output


def _no_timer() -> TimerIO:
    def refuse(*_: object) -> Any:
        raise AssertionError("the guided timer was started while a red flag is open")

    return TimerIO(
        clock=refuse, sleep=refuse, wait_line=refuse, say=refuse, ask=refuse, show=refuse
    )


#: The cases whose screen blocks the plan (the others run the timer: test_checkup.py).
BLOCKED = [c for c in CASES if expected_exit(*c)]


@pytest.mark.parametrize("case", BLOCKED, ids=[_ids(c) for c in BLOCKED])
def test_guided_timer_never_starts_while_a_flag_is_open(
    tmp_path: Path, case: tuple[str, str | None]
) -> None:
    level, clearance = case
    code = expected_exit(level, clearance)
    runner_at(tmp_path, level, clearance)
    job = EnduranceJob(
        times=[], typed=False, sex=None, population="general", previous=None, runner="ana"
    )
    console = Console(record=True, width=200)
    with pytest.raises(typer.Exit) as stopped:
        run_test_command(job, json_out=False, console=console, timer=_no_timer())
    assert stopped.value.exit_code == code
    out = flat(console.export_text())
    assert ADVICE_START[level] in out
    assert "Trunk flexor endurance" not in out  # not even the protocols
    assert count("endurance_test") == 0


@pytest.fixture(scope="module")
def side_bridge_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Synthetic keypoints of a right side bridge whose hip drops (exact: 7 s)."""
    from form_cases import save
    from upright.synthetic.exercise import ExerciseSpec, simulate_exercise

    spec = ExerciseSpec(
        figure="side_plank", side="right", hold_end_s=18.0, offset_knots=((4.0, 5.0), (10.0, -25.0))
    )
    return save(simulate_exercise(spec).ds, tmp_path_factory.mktemp("clips") / "side_right.nc")


@pytest.mark.parametrize("case", CASES, ids=[_ids(c) for c in CASES])
def test_a_hold_timed_from_a_clip_follows_the_plan_rule(
    tmp_path: Path, case: tuple[str, str | None], side_bridge_clip: Path
) -> None:
    """As typed results: while the screen blocks the plan the time is stored as measured
    (with its clip) and not judged, and the command exits as the plan does."""
    level, clearance = case
    runner_at(tmp_path, level, clearance)
    code = expected_exit(level, clearance)
    args = ["test", "--keypoints", str(side_bridge_clip), "--test", "side_bridge_right"]
    result = invoke(*args, "--runner", "ana", "--json")
    assert result.exit_code == code, result.output
    data = json.loads(result.stdout)
    assert data["timing"]["ended_reason"] == "hip drops"
    if code:
        assert data["result"] is None
        assert data["held_back"]["red_flags"]["status"] == level
        assert data["held_back"]["stored"]["side_bridge_right_s"] == data["timing"]["held_s"]
    else:
        assert data["held_back"] is None
        assert data["result"]["assessment"]["comparisons"]
    assert count("endurance_test") == 1  # stored either way: nothing is lost
    text = invoke(*args, "--runner", "ana")
    assert text.exit_code == code
    out = flat(text.stdout)
    assert ("Endurance against" in out) is (code == 0)  # judged only when the screen allows
    if code:
        assert ADVICE_START[level] in out
    assert count("endurance_test") == 1  # the same clip is one test


def test_a_hold_timed_from_a_clip_without_a_checkup_is_not_judged(
    tmp_path: Path, side_bridge_clip: Path
) -> None:
    runner_at(tmp_path, None, None)
    result = invoke(
        "test", "--keypoints", str(side_bridge_clip), "--test", "side_bridge_right",
        "--runner", "ana",
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    out = flat(result.output)
    assert "No check-up is stored for runner 'ana'" in out
    assert "Endurance against" not in out
    assert "Stored for runner ana as measured, not judged, timed from video" in out
    assert count("endurance_test") == 1


def test_test_without_runner_reads_no_screen() -> None:
    result = invoke("test", "--times", "flexor=100", "side_left=50", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["assessment"]["comparisons"]


# -- a runner with no stored check-up: never answered is never clear ---------------------


@pytest.mark.parametrize("clearance", [None, "stored"])
def test_no_checkup_is_incomplete_everywhere(tmp_path: Path, clearance: str | None) -> None:
    runner_at(tmp_path, None, clearance)
    commands = [
        ["plan", "--runner", "ana"],
        ["log", "session", "--runner", "ana", "--exercise", "side_plank=30", "--form", "good",
         "--pain-during", "1"],
        ["log", "run", "--runner", "ana", "--distance-km", "5", "--pain-during", "1"],
        ["test", "--runner", "ana", "--times", "flexor=100"],
    ]  # fmt: skip
    for args in commands:
        result = invoke(*args)
        assert result.exit_code == 2, (args, result.output)
        out = flat(result.output)
        assert "No check-up is stored for runner 'ana'" in out, args
        assert "Run upright checkup --runner ana first" in out, args
    assert "Red-flag screen: incomplete" in flat(invoke(*commands[1]).output)
    assert (count("session_log"), count("run_log"), count("endurance_test")) == (2, 1, 1)


def test_help_states_the_rule() -> None:
    for args in (["log", "session", "--help"], ["log", "run", "--help"], ["test", "--help"]):
        text = flat(invoke(*args).output)
        assert "no stored check-up" in text or "no check-up is stored" in text, args
        assert "3 EMERGENCY" in text or "3 stored without advice" in text, args


# -- item 2: the triage's "record next" while a flag is open ---------------------------


@pytest.mark.parametrize("case", CASES, ids=[_ids(c) for c in CASES])
def test_triage_suggests_no_test_or_run_while_a_flag_is_open(
    tmp_path: Path, case: tuple[str, str | None]
) -> None:
    level, clearance = case
    data: dict[str, Any] = {"red_flags": red_flags(level)}
    if clearance is not None:  # a stored clearance needs a runner: the file carries it here
        data["clearance"] = GOOD_CLEARANCE
    result = invoke("triage", "--answers", str(write_answers(tmp_path, data)))
    out = flat(result.output)
    if level == "emergency":
        assert result.exit_code == 3
        assert "record next" not in out
        return
    assert result.exit_code == 0, result.output
    assert "record next" in out  # questions are still asked
    open_flag = expected_exit(level, clearance) != 0
    for hint in MEASURE_HINTS:
        assert (hint in out) is not open_flag, hint
    wait = WAIT_FOR_SCREEN if level == "incomplete" else WAIT_FOR_CLEARANCE
    assert (wait in out) is open_flag


# -- item 1: the screen runs first, whatever else is wrong -----------------------------


INVALID = {"pain_now": 11}


@pytest.mark.parametrize("command", ["checkup", "triage"])
def test_emergency_reported_before_unrelated_errors(tmp_path: Path, command: str) -> None:
    data = {"red_flags": {"saddle_numbness": True}, "symptoms": INVALID}
    result = invoke(command, "--answers", str(write_answers(tmp_path, data)))
    assert result.exit_code == 3, result.output
    out = flat(result.output)
    assert "SEEK EMERGENCY CARE NOW" in out
    assert ADVICE_START["emergency"] in out
    assert "symptoms.pain_now" in out and "(got 11)" in out
    assert out.index("SEEK EMERGENCY CARE NOW") < out.index("symptoms.pain_now")
    assert "unanswered" not in out


@pytest.mark.parametrize("command", ["checkup", "triage"])
def test_emergency_json_despite_errors(tmp_path: Path, command: str) -> None:
    data = {"red_flags": {"bowel_control_loss": True, "fever": True}, "symptoms": INVALID}
    result = invoke(command, "--answers", str(write_answers(tmp_path, data)), "--json")
    assert result.exit_code == 3
    report = json.loads(result.stdout)
    assert report["red_flags"]["status"] == "emergency"
    assert report["triage"] is None
    assert "red_flags: unknown key(s) fever" in flat(result.stderr)
    assert "symptoms.pain_now" in flat(result.stderr)


@pytest.mark.parametrize("case", CASES[3:], ids=[_ids(c) for c in CASES[3:]])
def test_other_levels_shown_before_the_errors_exit_2(
    tmp_path: Path, case: tuple[str, str | None]
) -> None:
    level, clearance = case
    runner_at(tmp_path, None, clearance if clearance == "stored" else None)
    data: dict[str, Any] = {"red_flags": red_flags(level), "symptoms": INVALID}
    if clearance == "answers":
        data["clearance"] = GOOD_CLEARANCE
    path = write_answers(tmp_path, data, "bad.yaml")
    for command in ("checkup", "triage"):
        result = invoke(command, "--runner", "ana", "--answers", str(path))
        assert result.exit_code == 2, result.output
        out = flat(result.output)
        assert f"Red-flag screen: {level}" in out
        blocked = expected_exit(level, clearance) != 0
        assert ("The exercise plan is blocked" in out) is blocked
        assert out.index("Red-flag screen") < out.index("symptoms.pain_now: Input should be")
    assert count("checkup") == 0  # bad answers store nothing


def test_unreadable_red_flag_answer_counts_as_unanswered(tmp_path: Path) -> None:
    data = {"red_flags": red_flags("clear") | {"saddle_numbness": "yes"}}
    result = invoke("checkup", "--answers", str(write_answers(tmp_path, data)))
    assert result.exit_code == 2
    out = flat(result.output)
    assert "Red-flag screen: incomplete" in out and "unanswered: saddle_numbness" in out
    assert "red_flags.saddle_numbness" in out


# -- item 3: a clearance is validated ------------------------------------------------------


BAD_CLEARANCE = {"recorded": True, "date": "not a date at all", "clinician": ""}


@pytest.mark.parametrize("level", ["same_day", "review"])
def test_invalid_clearance_in_answers_does_not_lift_the_block(tmp_path: Path, level: str) -> None:
    data = {"red_flags": red_flags(level), "clearance": BAD_CLEARANCE}
    result = invoke("checkup", "--answers", str(write_answers(tmp_path, data)))
    assert result.exit_code == 2
    out = flat(result.output)
    assert f"Red-flag screen: {level}" in out
    assert "The exercise plan is blocked" in out
    assert "clearance.date: not a real date" in out
    assert "clearance.clinician: the clinician is not named" in out


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--clinician", "   "], "needs the clinician"),
        (["--clinician", "Dr Lee", "--date", "2999-01-01"], "2999-01-01 is in the future"),
        (["--clinician", "Dr Lee", "--date", "2026-02-30"], "2026-02-30"),
    ],
)
def test_clearance_command_refuses_bad_input(args: list[str], named: str) -> None:
    assert invoke("profile", "--runner", "ana").exit_code == 0
    result = invoke("clearance", "--runner", "ana", *args)
    assert result.exit_code == 2
    assert named in flat(result.output)
    assert count("clearance") == 0


def test_clearance_with_a_past_date_lifts_a_review_block(tmp_path: Path) -> None:
    runner_at(tmp_path, "review", None)
    assert invoke("plan", "--runner", "ana").exit_code == 2
    result = invoke("clearance", "--runner", "ana", "--clinician", "Dr Lee", "--date", "2026-11-20")
    assert result.exit_code == 0, result.output
    assert invoke("plan", "--runner", "ana").exit_code == 0
    store = open_store()
    try:
        with store.session() as session:
            (row,) = get_runner(session, "ana").clearances
            assert row.given_at.astimezone().date() == dt.date(2026, 11, 20)
    finally:
        store.close()


def test_stored_clearance_from_before_the_checks_is_not_a_clearance(tmp_path: Path) -> None:
    """Rows written before clearances were checked (a blank clinician, a future date, an
    answers clearance without a date) lift nothing, and break nothing."""
    runner_at(tmp_path, "same_day", None)
    store = open_store()
    try:
        with store.session() as session:
            runner = get_runner(session, "ana")
            checkup = runner.checkups[-1]
            checkup.answers = {**checkup.answers, "clearance": {"recorded": True}}
            future = dt.datetime.now(dt.UTC) + dt.timedelta(days=30)
            past = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
            for given_at, clinician in ((future, "Dr Lee"), (past, " ")):
                runner.clearances.append(
                    Clearance(given_at=given_at, clinician=clinician, clears="exercise plan")
                )
    finally:
        store.close()
    assert invoke("plan", "--runner", "ana").exit_code == 2
    triage = invoke("triage", "--runner", "ana", "--json")
    assert triage.exit_code == 0, triage.output
    assert json.loads(triage.stdout)["red_flags"]["plan_blocked"] is True
    assert (
        invoke(
            "log", "run", "--runner", "ana", "--distance-km", "3", "--pain-during", "0"
        ).exit_code
        == 2
    )


def test_interview_shows_the_screen_before_a_bad_symptom_reply() -> None:
    replies = ["yes" if k == LEVEL_KEY["same_day"] else "no" for k in RED_FLAG_KEYS]
    replies += ["11"] + [""] * 20  # pain now: 11 on a 0-10 scale
    result = invoke("checkup", stdin="\n".join(replies) + "\n")
    assert result.exit_code == 2
    out = flat(result.output)
    assert out.index("Red-flag screen: same_day") < out.index("symptoms.pain_now")
    assert ADVICE_START["same_day"] in out


@pytest.mark.parametrize("level", ["emergency", "same_day"])
def test_stored_answers_that_no_longer_validate_still_screen(tmp_path: Path, level: str) -> None:
    runner_at(tmp_path, level, None)
    store = open_store()
    try:
        with store.session() as session:
            checkup = get_runner(session, "ana").checkups[-1]
            checkup.answers = {**checkup.answers, "symptoms": {"pain_now": 11}}
    finally:
        store.close()
    code = 3 if level == "emergency" else 2
    triage = invoke("triage", "--runner", "ana")
    assert triage.exit_code == code
    out = flat(triage.output)
    assert ADVICE_START[level] in out
    assert out.index(ADVICE_START[level]) < out.index("stored check-up")
    assert "symptoms.pain_now" in out
    assert invoke("plan", "--runner", "ana").exit_code == code
    run = invoke("log", "run", "--runner", "ana", "--distance-km", "3", "--pain-during", "0")
    assert run.exit_code == code
    assert count("run_log") == 1
