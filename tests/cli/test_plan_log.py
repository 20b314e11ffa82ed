"""``upright plan`` (stored check-up, blocks, emergency, iCalendar) and ``upright log``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import yaml
from rich.console import Console
from typer.testing import CliRunner, Result

from upright.assessment.answers import parse_answers
from upright.assessment.redflags import RED_FLAG_KEYS, red_flag_questions
from upright.cli.log import print_session_logged
from upright.cli.main import app
from upright.cli.plan import print_plan
from upright.program import Plan
from upright.services.runner_record import checkup_for_runner
from upright.services.training_log import SessionLogged

runner = CliRunner()
DISCLAIMER_START = "upright is a training and self-management aid"
LEVEL_KEY = {q.level: q.key for q in reversed(red_flag_questions())}


def invoke(*args: str) -> Result:
    return runner.invoke(app, list(args), env={"COLUMNS": "200"})


def screened_runner(alias: str = "ana") -> None:
    """A runner whose stored check-up answered every red-flag question no: advice flows."""
    assert invoke("profile", "--runner", alias).exit_code == 0
    checkup_for_runner(alias, parse_answers({"red_flags": dict.fromkeys(RED_FLAG_KEYS, False)}), [])


def stored_checkup(tmp_path: Path, alias: str = "ana", **overrides: bool | None) -> None:
    data: dict[str, Any] = {"red_flags": dict.fromkeys(RED_FLAG_KEYS, False) | overrides}
    path = tmp_path / "answers.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    assert invoke("profile", "--runner", alias).exit_code == 0
    invoke("checkup", "--runner", alias, "--answers", str(path))


def test_plan_from_stored_checkup(tmp_path: Path) -> None:
    stored_checkup(tmp_path)
    result = invoke("plan", "--runner", "ana", "--start", "2026-01-05", "--sessions-per-week", "4")
    assert result.exit_code == 0, result.output
    assert "Week 1" in result.output
    assert "2026-01-05" in result.output
    data = json.loads(invoke("plan", "--runner", "ana", "--start", "2026-01-05", "--json").stdout)
    assert not data["blocked"]
    assert len(data["sessions"]) == 7 * 3


def test_plan_prints_one_week_how_it_repeats_and_the_disclaimer_once(tmp_path: Path) -> None:
    stored_checkup(tmp_path)
    result = invoke("plan", "--runner", "ana", "--start", "2026-01-05")
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    # sessions take turns (curl-up / dead bug): week 1 is A B A, week 2 B A B
    assert "Mon 2026-01-05" in text and "Fri 2026-01-09" in text and "as on Mon" in text
    assert "Week 2: Mon B, Wed A, Fri B." in text
    assert "Weeks 3-7 repeat weeks 1-2 in turn, on the same days." in text
    assert "7 weeks, 21 sessions, the last on Fri 2026-02-20" in text
    assert "2026-01-12" not in text  # no later week is written out
    assert text.count(DISCLAIMER_START) == 1
    assert text.endswith("(red flags after NICE guideline NG59).")


@pytest.mark.parametrize(
    ("args", "repeat"),
    [
        (["--sessions-per-week", "4"], "Weeks 2-7 repeat week 1, on the same days."),
        (["--weeks", "1"], "1 week, 3 sessions, the last on Fri 2026-01-09"),
    ],
)
def test_plan_repeat_line_follows_the_plan(tmp_path: Path, args: list[str], repeat: str) -> None:
    stored_checkup(tmp_path)
    result = invoke("plan", "--runner", "ana", "--start", "2026-01-05", *args)
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert repeat in text
    assert "Week 2:" not in text


def test_plan_weeks_that_never_repeat_are_each_listed(tmp_path: Path) -> None:
    stored_checkup(tmp_path)
    data = json.loads(invoke("plan", "--runner", "ana", "--start", "2026-01-05", "--json").stdout)
    plan = Plan.model_validate(data)
    last = plan.sessions[-1]  # a harder last session: week 7 differs from every other
    harder = last.model_copy(update={"duration_min": last.duration_min + 2})
    plan = plan.model_copy(update={"sessions": [*plan.sessions[:-1], harder]})
    console = Console(record=True, width=200)
    print_plan(plan, console)
    text = console.export_text()
    assert "Week 7: Mon A, Wed B, Fri C." in text
    assert "Week 3: Mon A, Wed B, Fri A." in text
    assert "repeat" not in text.split("Week 2:")[1].split("the last on")[0]


def test_blocked_plan_prints_the_disclaimer_once(tmp_path: Path) -> None:
    stored_checkup(tmp_path, **{LEVEL_KEY["review"]: True})
    result = invoke("plan", "--runner", "ana")
    assert result.exit_code == 2
    assert " ".join(result.output.split()).count(DISCLAIMER_START) == 1


def test_plan_without_checkup_says_run_checkup() -> None:
    assert invoke("profile", "--runner", "bo").exit_code == 0
    result = invoke("plan", "--runner", "bo")
    assert result.exit_code == 2
    assert "upright checkup --runner bo" in " ".join(result.output.split())


def test_review_flag_blocks_until_clearance(tmp_path: Path) -> None:
    stored_checkup(tmp_path, **{LEVEL_KEY["review"]: True})
    blocked = invoke("plan", "--runner", "ana")
    assert blocked.exit_code == 2
    assert "blocked" in blocked.output
    assert invoke("clearance", "--runner", "ana", "--clinician", "Dr Lee").exit_code == 0
    assert invoke("plan", "--runner", "ana").exit_code == 0


def test_emergency_exit_3_even_with_clearance(tmp_path: Path) -> None:
    stored_checkup(tmp_path, **{LEVEL_KEY["emergency"]: True})
    assert invoke("clearance", "--runner", "ana", "--clinician", "Dr Lee").exit_code == 0
    result = invoke("plan", "--runner", "ana")
    assert result.exit_code == 3
    assert "blocked" in result.output


def test_plan_ics_file(tmp_path: Path) -> None:
    stored_checkup(tmp_path)
    out = tmp_path / "plan.ics"
    result = invoke("plan", "--runner", "ana", "--start", "2026-01-05", "--ics", str(out))
    assert result.exit_code == 0, result.output
    text = out.read_bytes().decode("utf-8")
    assert text.startswith("BEGIN:VCALENDAR\r\n")
    assert text.rstrip("\r\n").endswith("END:VCALENDAR")
    assert text.count("BEGIN:VEVENT") == 21
    assert "DTSTART;VALUE=DATE:20260105" in text
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".plan.ics")]


# -- log session / log run -----------------------------------------------------------


def _count(table: str) -> int:
    from upright.store import open_store

    store = open_store()
    try:
        with store.engine.connect() as conn:
            return int(conn.scalar(sa.text(f"SELECT count(*) FROM {table}")) or 0)
    finally:
        store.close()


#: The stage 1 session of a runner with no likely cause, every exercise at its dose.
IN_FULL = ("curl_up=120", "side_plank=120", "bird_dog=120", "glute_bridge=120")


def log_session(
    *extra: str, pain: str = "2", morning: str = "1", done: tuple[str, ...] = IN_FULL
) -> Result:
    exercises = [arg for item in done for arg in ("--exercise", item)]
    return invoke(
        "log", "session", "--runner", "ana", "--date", "2026-01-05", *exercises,
        "--form", "good", "--pain-during", pain, "--pain-next-morning", morning,
        "--json", *extra,
    )  # fmt: skip


def test_log_session_progresses_after_two_good_sessions() -> None:
    screened_runner()
    first = log_session()
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout)["decision"]["action"] == "hold"
    second = json.loads(log_session().stdout)
    assert second["decision"]["action"] == "progress"
    assert second["decision"]["new_level"] == 2
    third = json.loads(log_session().stdout)
    assert third["level"] == 2
    assert _count("session_log") == 3
    text = invoke(
        "log", "session", "--runner", "ana", "--exercise", "side_plank=30",
        "--form", "good", "--pain-during", "1",
    )  # fmt: skip
    assert text.exit_code == 0
    assert "HOLD" in text.output


def test_log_session_regresses_on_pain_6() -> None:
    screened_runner()
    log_session()
    log_session()
    data = json.loads(log_session(pain="6", morning="6").stdout)
    assert data["level"] == 2
    assert data["decision"]["action"] == "regress"
    assert data["decision"]["new_level"] == 1
    assert "6/10" in data["decision"]["reason"]


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--exercise", "side_plank=-5", "--pain-during", "2"], "-5"),
        (["--exercise", "side_plank=30", "--pain-during", "11"], "--pain-during"),
        (["--exercise", "side_plank=30", "--pain-during", "2", "--date", "2999-01-01"], "future"),
        (["--exercise", "handstand=30", "--pain-during", "2"], "handstand"),
    ],
)
def test_bad_session_logs_store_nothing(args: list[str], named: str) -> None:
    assert invoke("profile", "--runner", "ana").exit_code == 0
    result = invoke("log", "session", "--runner", "ana", "--form", "good", *args)
    assert result.exit_code == 2
    assert named in result.output
    assert _count("session_log") == 0


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--distance-km", "-1", "--pain-during", "2"], "--distance-km"),
        (["--duration-min", "-30", "--pain-during", "2"], "--duration-min"),
        (["--distance-km", "5", "--pain-during", "11"], "--pain-during"),
        (["--distance-km", "5", "--pain-during", "1", "--date", "2999-01-01"], "future"),
    ],
)
def test_bad_run_logs_store_nothing(args: list[str], named: str) -> None:
    assert invoke("profile", "--runner", "ana").exit_code == 0
    result = invoke("log", "run", "--runner", "ana", *args)
    assert result.exit_code == 2
    assert named in result.output
    assert _count("run_log") == 0


def test_log_run_from_fit(shared_data: Path) -> None:
    screened_runner()
    fit = shared_data / "fit" / "activity-small-fenix2-run.fit"
    result = invoke(
        "log", "run", "--runner", "ana", str(fit), "--pain-during", "2",
        "--pain-next-morning", "1", "--pain-onset-km", "6", "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["distance_km"] == pytest.approx(9.0, abs=0.1)
    assert data["duration_min"] == pytest.approx(47.2, abs=0.5)
    assert data["day"] == "2015-08-15"
    assert data["source_name"] == fit.name
    assert data["advice"]["zone"] == "safe"
    assert _count("run_log") == 1


def test_log_run_typed_distance() -> None:
    screened_runner()
    result = invoke(
        "log", "run", "--runner", "ana", "--distance-km", "8", "--duration-min", "45",
        "--pain-during", "4", "--pain-next-morning", "5",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "8 km" in result.output
    assert "acceptable" in result.output
    assert "Reduce the next run" in result.output
    assert _count("run_log") == 1


def test_logs_survive_export_and_import(tmp_path: Path) -> None:
    assert invoke("profile", "--runner", "ana").exit_code == 0
    log_session()
    invoke("log", "run", "--runner", "ana", "--distance-km", "5", "--pain-during", "1")
    out = tmp_path / "ana.json"
    assert invoke("export", "--runner", "ana", "--out", str(out)).exit_code == 0
    doc = json.loads(out.read_text("utf-8"))
    assert len(doc["session_logs"]) == 1
    assert len(doc["run_logs"]) == 1
    assert invoke("import-backup", str(out), "--merge").exit_code == 0
    assert _count("session_log") == 1


# -- the plan follows the logged sessions ------------------------------------------------


def plan_output() -> str:
    result = invoke("plan", "--runner", "ana", "--start", "2026-01-05")
    assert result.exit_code == 0, result.output
    return " ".join(result.output.split())


def test_plan_moves_to_stage_2_after_two_good_logs_and_back_on_pain_7(tmp_path: Path) -> None:
    stored_checkup(tmp_path)
    before = plan_output()
    assert "stage 1 (isometric holds)." in before
    assert "Why stage 1: No sessions logged yet: start at stage 1" in before
    log_session()
    log_session()
    after = plan_output()
    assert "stage 2 (dynamic)." in after
    assert "Why stage 2: After 2 logged sessions: 2 sessions in a row done in full" in after
    assert "Dead bug with reach" in after and "Side plank:" not in after
    data = json.loads(invoke("plan", "--runner", "ana", "--json").stdout)
    assert data["stage"] == 2
    assert {s["stage"] for s in data["sessions"]} == {2}
    log_session(pain="7", morning="7")
    regressed = plan_output()
    assert "stage 1 (isometric holds)." in regressed
    assert "Pain reached 7/10 during the last session" in regressed


def test_log_session_says_the_next_stage_and_how_to_see_the_plan() -> None:
    screened_runner()
    log_session()
    result = invoke(
        "log", "session", "--runner", "ana", "--date", "2026-01-07",
        "--exercise", "dead_bug=120", "--exercise", "side_plank=130",
        "--exercise", "bird_dog=120", "--exercise", "glute_bridge=120",
        "--form", "good", "--pain-during", "1", "--pain-next-morning", "0",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "Next sessions are at stage 2: upright plan --runner" in text
    assert "shows the updated schedule." in text


def test_print_session_logged_names_the_runner() -> None:
    screened_runner()
    logged = SessionLogged.model_validate_json(log_session().stdout)
    console = Console(record=True, width=200)
    print_session_logged(logged, console, runner="ana")
    text = console.export_text()
    assert "HOLD (stage 1 -> 1)" in text
    hint = "Next sessions are at stage 1: upright plan --runner ana shows the updated schedule."
    assert hint in text


# -- a session is what was done ------------------------------------------------------------


def test_partial_session_says_what_is_missing_and_how_to_log_it(tmp_path: Path) -> None:
    stored_checkup(tmp_path)
    result = invoke(
        "log", "session", "--runner", "ana", "--exercise", "side_plank=60",
        "--form", "good", "--pain-during", "1", "--pain-next-morning", "0",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "stored (stage 1) as partial: side_plank 60 s." in text
    assert "not logged: curl_up, bird_dog, glute_bridge" in text
    assert "below the dose: side_plank 60 of 120 s" in text
    assert "A partial session does not count towards moving up a stage." in text
    assert "at its dose: --exercise bird_dog=120 (seconds held in all" in text
    again = json.loads(log_session(done=("side_plank=120",)).stdout)
    assert again["completion"] == "partial"
    assert again["decision"]["action"] == "hold"


def test_the_exercise_unit_is_said_in_the_help_and_the_plan(tmp_path: Path) -> None:
    help_text = " ".join(invoke("log", "session", "--help").output.split())
    assert "the unit the plan prescribes for it" in help_text
    assert "seconds held in all for holds, reps in all for the others" in help_text
    stored_checkup(tmp_path)
    plan = plan_output()
    assert "(log side_plank=120)" in plan
    assert "side_plank=120 (seconds held in all: 6 + 4 + 2 holds of 10 s, each side)" in plan
    test_help = " ".join(invoke("test", "--help").output.split())
    for key in ("side_bridge_right", "front_plank", "single_leg_bridge_left"):
        assert key in test_help
    for old in ("side_left", "slb_left", " plank,"):
        assert old not in test_help


# -- the logs are counted and the run's baseline is named ------------------------------------


def test_profile_and_export_count_the_logs(tmp_path: Path) -> None:
    stored_checkup(tmp_path)
    log_session()
    invoke("log", "run", "--runner", "ana", "--distance-km", "5", "--pain-during", "1")
    profile = invoke("profile", "--runner", "ana")
    assert "1 exercise session log(s), 1 run log(s)" in " ".join(profile.output.split())
    data = json.loads(invoke("profile", "--runner", "ana", "--json").stdout)
    assert (data["session_logs"], data["run_logs"]) == (1, 1)
    exported = invoke("export", "--runner", "ana", "--out", str(tmp_path / "ana.json"))
    assert exported.exit_code == 0, exported.output
    assert "1 session logs, 1 run logs." in " ".join(exported.output.split())


def test_log_run_names_its_pain_baseline(tmp_path: Path) -> None:
    assert invoke("profile", "--runner", "ana").exit_code == 0
    args = ("log", "run", "--runner", "ana", "--distance-km", "8", "--pain-during", "2")
    held = invoke(*args, "--pain-next-morning", "3")
    assert held.exit_code == 2  # no check-up stored: the run is stored, no advice is drawn
    text = " ".join(held.output.split())
    assert "stored: 8 km" in text and "Pain baseline" not in text
    assert "Reduce the next run" not in text
    screened_runner()  # a check-up with no "pain right now" answer
    none = invoke(*args, "--pain-next-morning", "3")
    assert none.exit_code == 0, none.output
    text = " ".join(none.output.split())
    assert "Pain baseline 0/10: none stored, so 0/10 is used" in text
    assert "upright checkup --runner ana" in text
    assert "Reduce the next run" in text
    data: dict[str, Any] = {
        "red_flags": dict.fromkeys(RED_FLAG_KEYS, False),
        "symptoms": {"pain_now": 3},
    }
    path = tmp_path / "answers.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    assert invoke("checkup", "--runner", "ana", "--answers", str(path)).exit_code == 0
    settled = json.loads(invoke(*args, "--pain-next-morning", "3", "--json").stdout)
    assert settled["pain_baseline"] == 3
    assert settled["pain_baseline_source"].startswith(
        'your "pain right now" answer at the check-up'
    )
    assert settled["advice"]["reduce_next_run"] is False


def test_the_plan_says_how_to_film_each_exercise_and_what_the_check_looks_at(
    tmp_path: Path,
) -> None:
    from upright.form.definitions import form_definition
    from upright.program import load_catalogue

    stored_checkup(tmp_path)
    plan = plan_output()
    as_json = invoke("plan", "--runner", "ana", "--start", "2026-01-05", "--json")
    planned = json.loads(as_json.stdout)
    keys = {p["key"] for s in planned["sessions"] for p in s["exercises"]}
    catalogue = load_catalogue()
    assert "Check your form on video" in plan
    for key in keys:
        exercise = catalogue.get(key)
        if exercise.form is None:
            assert f"{exercise.name}: no video check for this exercise." in plan
            continue
        d = form_definition(key, "left" if _sided(key) else None)
        assert f"--exercise {key}" in plan
        assert f"Film it: {d.filming}" in plan
        assert d.faults[0].label in plan


def _sided(key: str) -> bool:
    from upright.form.definitions import load_form_table

    return next(d for d in load_form_table().exercises if d.key == key).side is not None
