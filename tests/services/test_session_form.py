"""Sessions with filmed exercises: the form measured in each clip sets what the exercise
logs and the session's form; a bad clip stores nothing; a red flag gives no advice."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest

from form_cases import save
from upright.assessment.answers import parse_answers
from upright.assessment.redflags import RED_FLAG_KEYS, red_flag_questions
from upright.errors import InputError, QualityError
from upright.program import load_catalogue
from upright.program.measured_form import ClipForm, judge_measured
from upright.services.runner_record import _session, checkup_for_runner, update_profile
from upright.services.session_form import parse_clips
from upright.services.training_log import SessionLogged, log_session
from upright.store import get_runner, session_logs
from upright.synthetic.exercise import ExerciseSpec, simulate_exercise

TODAY = dt.date(2026, 2, 20)
TYPED = ("curl_up=120", "bird_dog=120")
DURATION_S = 125.0
#: The bridge's hips drop from the line (0 deg) to -20 deg between 60 and 64 s, so they
#: are below the -10 deg limit ("hips not fully up") from 62 s to the end.
SAGGING_KNOTS = ((60.0, 0.0), (64.0, -20.0))
SAG_FROM_S = 62.0


def runner(alias: str = "ana") -> str:
    update_profile(alias)
    answers = parse_answers({"red_flags": dict.fromkeys(RED_FLAG_KEYS, False)})
    checkup_for_runner(alias, answers, [])
    return alias


def clip(folder: Path, name: str, spec: ExerciseSpec) -> Path:
    return save(simulate_exercise(spec).ds, folder / name)


def bridge(folder: Path, knots: tuple[tuple[float, float], ...] = ((0.0, 0.0),)) -> Path:
    spec = ExerciseSpec(
        figure="glute_bridge", duration_s=DURATION_S, hold_end_s=None, offset_knots=knots
    )
    return clip(folder, f"bridge-{len(knots)}.nc", spec)


def side_planks(folder: Path) -> list[str]:
    items = []
    for side in ("left", "right"):
        spec = ExerciseSpec(
            figure="side_plank",
            side=side,
            duration_s=DURATION_S,
            hold_end_s=None,
            offset_knots=((0.0, 5.0),),
        )
        items.append(f"side_plank:{side}={clip(folder, f'side-{side}.nc', spec)}")
    return items


def log(alias: str, day: int, keypoints: list[str], **kw: object) -> SessionLogged:
    args: dict[str, object] = {
        "exercises": list(TYPED),
        "form": "good",
        "pain_during": 1,
        "pain_next_morning": 0,
        "day": dt.date(2026, 2, day),
        "today": TODAY,
        "clips": parse_clips([], keypoints),
    }
    args.update(kw)
    return log_session(alias, **args)  # type: ignore[arg-type]


def test_good_form_seconds_are_measured_within_half_a_second(tmp_path: Path) -> None:
    alias = runner()
    sagging = bridge(tmp_path, SAGGING_KNOTS)
    logged = log(alias, 3, [f"glute_bridge={sagging}", *side_planks(tmp_path)])
    truth = simulate_exercise(ExerciseSpec(figure="glute_bridge", duration_s=DURATION_S))
    measured = {(m.exercise, m.side): m for m in logged.measured}
    b = measured[("glute_bridge", None)]
    assert b.good_form_s == pytest.approx(SAG_FROM_S - truth.reached_s, abs=0.5)
    assert b.held_s == pytest.approx(DURATION_S - truth.reached_s, abs=0.5)
    assert b.first_fault == "hips not fully up"
    assert b.first_fault_s == pytest.approx(SAG_FROM_S, abs=0.5)
    assert b.clip_sha256 == hashlib.sha256(sagging.read_bytes()).hexdigest()
    assert b.clip_name == sagging.name
    # only good form counts towards the dose: the bridge logs its good-form seconds
    assert logged.exercises["glute_bridge"] == pytest.approx(b.good_form_s)
    assert logged.exercises["side_plank"] == pytest.approx(
        min(measured[("side_plank", s)].good_form_s for s in ("left", "right"))
    )
    # a fault cost part of the dose: form is poor, whatever --form said
    assert logged.form == "poor" and logged.completion == "partial"
    with _session("read") as session:
        (stored,) = session_logs(session, get_runner(session, alias))
        assert stored.form == "poor"
        rows = {(m.exercise_key, m.side): m for m in stored.measured_form}
        assert set(rows) == {
            ("glute_bridge", None),
            ("side_plank", "left"),
            ("side_plank", "right"),
        }
        assert rows[("glute_bridge", None)].good_form_s == b.good_form_s
        assert rows[("glute_bridge", None)].first_fault_s == b.first_fault_s


def test_measured_form_changes_the_progression_decision(tmp_path: Path) -> None:
    good, sagging, planks = bridge(tmp_path), bridge(tmp_path, SAGGING_KNOTS), side_planks(tmp_path)
    runner("ana")
    runner("bo")
    first = log("ana", 3, [f"glute_bridge={good}", *planks])
    assert first.form == "good" and first.completion == "full"
    assert first.decision is not None and first.decision.action == "hold"
    assert "measured from video: glute_bridge" in first.decision.reason
    progressed = log("ana", 5, [f"glute_bridge={good}", *planks])
    assert progressed.decision is not None and progressed.decision.action == "progress"
    log("bo", 3, [f"glute_bridge={good}", *planks])
    held = log("bo", 5, [f"glute_bridge={sagging}", *planks])
    assert held.decision is not None and held.decision.action == "hold"
    reason = held.decision.reason
    good_s = next(m.good_form_s for m in held.measured if m.exercise == "glute_bridge")
    assert "Form in the last session was poor, measured from video" in reason
    assert f"glute_bridge {round(good_s, 1):g} of " in reason


def test_typed_form_covers_only_the_exercises_not_filmed(tmp_path: Path) -> None:
    alias = runner()
    logged = log(
        alias, 3, [f"glute_bridge={bridge(tmp_path)}", *side_planks(tmp_path)], form="poor"
    )
    assert logged.form == "poor"
    assert "covers the exercises not filmed" in logged.form_note
    with pytest.raises(InputError, match=r"no form given for the exercises logged without a clip"):
        log(alias, 4, [f"glute_bridge={bridge(tmp_path)}"], form=None)


def test_a_contradicting_typed_form_is_overridden_when_every_exercise_is_filmed(
    tmp_path: Path,
) -> None:
    alias = runner()
    sagging = bridge(tmp_path, SAGGING_KNOTS)
    logged = log(alias, 3, [f"glute_bridge={sagging}"], exercises=[], form="good")
    assert logged.form == "poor"
    assert "You typed --form good, which the clips contradict" in logged.form_note
    clean = log(alias, 4, [f"glute_bridge={bridge(tmp_path)}"], exercises=[], form="poor")
    assert clean.form == "good" and "contradict" in clean.form_note
    untyped = log(alias, 5, [f"glute_bridge={bridge(tmp_path)}"], exercises=[], form=None)
    assert untyped.form == "good" and "contradict" not in untyped.form_note


def stored_count(alias: str) -> int:
    with _session("read") as session:
        return len(session_logs(session, get_runner(session, alias)))


def test_one_bad_clip_stores_nothing(tmp_path: Path) -> None:
    alias = runner()
    broken = tmp_path / "broken.nc"
    broken.write_bytes(b"not a keypoint file")
    planks = side_planks(tmp_path)
    with pytest.raises(InputError, match=r"broken\.nc.*glute_bridge clip"):
        log(alias, 3, [*planks, f"glute_bridge={broken}"])
    # a bridge given as a front plank: the position is never reached
    with pytest.raises(QualityError, match=r"bridge-1\.nc.*front_plank clip"):
        log(alias, 3, [*planks, f"front_plank={bridge(tmp_path)}"])
    with pytest.raises(InputError, match=r"missing\.nc.*not found"):
        log(alias, 3, [*planks, f"glute_bridge={tmp_path / 'missing.nc'}"])
    assert stored_count(alias) == 0


def test_clip_arguments_are_checked_before_any_clip_is_measured(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"side_plank.*one side at a time"):
        parse_clips(["side_plank=a.mp4"])
    with pytest.raises(InputError, match=r"'extensor' is not an exercise of the program"):
        parse_clips(["extensor=a.mp4"])
    with pytest.raises(InputError, match=r"is not KEY=FILE"):
        parse_clips(["front_plank"])
    with pytest.raises(InputError, match=r"given twice"):
        parse_clips(["front_plank=a.mp4"], ["glute_bridge=a.mp4"])
    alias = runner()
    with pytest.raises(InputError, match=r"glute_bridge is given both with --exercise"):
        log(alias, 3, ["glute_bridge=x.nc"], exercises=["glute_bridge=120"])
    left = side_planks(tmp_path)[0]
    with pytest.raises(InputError, match=r"no clip of the right side"):
        log(alias, 3, [left])
    assert stored_count(alias) == 0


def test_the_same_clip_twice_under_two_names_is_refused(tmp_path: Path) -> None:
    alias = runner()
    one = bridge(tmp_path)
    two = tmp_path / "copy.nc"
    two.write_bytes(one.read_bytes())
    with pytest.raises(InputError, match=r"copy\.nc.*same content"):
        log(alias, 3, [f"glute_bridge={one}", f"glute_bridge={two}"], exercises=[])
    assert stored_count(alias) == 0


def test_while_a_red_flag_is_open_the_measurement_gives_no_advice(tmp_path: Path) -> None:
    update_profile("cy")
    review = next(q.key for q in red_flag_questions() if q.level == "review")
    red_flags = dict.fromkeys(RED_FLAG_KEYS, False) | {review: True}
    checkup_for_runner("cy", parse_answers({"red_flags": red_flags}), [])
    held = log("cy", 3, [f"glute_bridge={bridge(tmp_path, SAGGING_KNOTS)}"], exercises=[])
    assert held.decision is None and held.red_flags.plan_blocked
    assert held.completion == "partial"
    with _session("read") as session:
        (stored,) = session_logs(session, get_runner(session, "cy"))
        assert len(stored.measured_form) == 1


def clip_form(side: str | None, held: float, good: float) -> ClipForm:
    return ClipForm.model_validate(
        {
            "exercise": "side_plank" if side else "front_plank",
            "side": side,
            "held_s": held,
            "good_form_s": good,
            "clip_name": "c.mp4",
            "clip_sha256": "0" * 64,
        }
    )


def test_the_form_rule_counts_only_faults_that_cost_part_of_the_dose() -> None:
    catalogue = load_catalogue()
    target = catalogue.get("front_plank").dose.log_target
    # all held seconds good, below the dose: good form (the dose is short, not the form)
    assert judge_measured([clip_form(None, 60, 60)], catalogue).good_form
    # a fault after the dose was reached with good form: good form
    assert judge_measured([clip_form(None, target + 20, target + 1)], catalogue).good_form
    # a fault that cost part of the dose: poor
    verdict = judge_measured([clip_form(None, 45, 38)], catalogue)
    assert not verdict.good_form and verdict.note == "front_plank 38 of 45 s held with good form"
    # clips of one exercise add up; a one-sided exercise logs its lower side
    two = judge_measured([clip_form(None, 50, 50), clip_form(None, 40, 40)], catalogue)
    assert two.exercises[0].logged == 90
    sides = judge_measured([clip_form("left", 130, 125), clip_form("right", 100, 100)], catalogue)
    assert sides.exercises[0].logged == 100 and sides.good_form


def test_without_a_clip_a_typed_form_is_needed() -> None:
    from upright.program.measured_form import session_form

    assert session_form("poor", None, ["curl_up"]) == ("poor", "")
    with pytest.raises(InputError, match=r"no form given.*--form good or --form poor"):
        session_form(None, None, ["curl_up"])
    alias = runner()
    with pytest.raises(InputError, match=r"no exercise given.*--video KEY=CLIP"):
        log(alias, 3, [], exercises=[])
    assert stored_count(alias) == 0
