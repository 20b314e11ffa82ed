"""Each store function writes what it is given and reads it back unchanged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import BaseModel

from upright import __version__
from upright.assessment import (
    evidence_from_answers,
    parse_answers,
    screen_red_flags,
    triage,
)
from upright.errors import InputError
from upright.store import (
    CLOCK_TOLERANCE,
    Store,
    add_checkup,
    add_clearance,
    add_endurance_test,
    add_record,
    get_or_create_runner,
    get_runner,
    has_clearance,
    latest_checkup,
    previous_endurance,
    records,
)

T0 = datetime(2026, 3, 1, 8, 30, tzinfo=UTC)
ANSWERS = parse_answers({"symptoms": {"pain_now": 2}})
SUMMARY = {"schema_version": "upright.analysis/1", "metrics": {"trunk_lean_stance_deg": 8.0}}


def test_runner_round_trips(store: Store) -> None:
    with store.session() as session:
        get_or_create_runner(
            session,
            " ana ",
            sex="female",
            age_band="30-39",
            height_cm=168.5,
            running_history="5 years, 30 km a week",
        )
    with store.session() as session:
        runner = get_runner(session, "ana")
        assert (runner.sex, runner.age_band, runner.height_cm) == ("female", "30-39", 168.5)
        assert runner.running_history == "5 years, 30 km a week"
        assert runner.created_at.tzinfo is not None


def test_get_or_create_returns_existing_and_fills_gaps(store: Store) -> None:
    with store.session() as session:
        first = get_or_create_runner(session, "ana", sex="female")
        again = get_or_create_runner(session, "ana", sex="male", height_cm=170)
        assert again.id == first.id
        assert (again.sex, again.height_cm) == ("female", 170)


def test_bad_runner_arguments(store: Store) -> None:
    with store.session() as session:
        with pytest.raises(InputError, match="alias is empty"):
            get_or_create_runner(session, "  ")
        with pytest.raises(InputError, match=r"height 1\.68 cm is outside 80-250 cm"):
            get_or_create_runner(session, "ana", height_cm=1.68)


def test_unknown_runner_names_known_ones(store: Store) -> None:
    with store.session() as session:
        with pytest.raises(InputError, match=r"unknown runner 'bob'.*No runner is stored yet"):
            get_runner(session, "bob")
        get_or_create_runner(session, "ana")
        with pytest.raises(InputError, match=r"unknown runner 'bob'.*Known runners: ana"):
            get_runner(session, "bob")


def test_checkup_round_trips_and_latest(store: Store) -> None:
    answers = parse_answers(
        {
            "red_flags": {"fever_chills_unwell": False},
            "symptoms": {"pain_now": 3, "standing_ache": True},
        }
    )
    screen = screen_red_flags(answers.red_flags)
    result = triage(evidence_from_answers(answers), screen)
    with store.session() as session:
        runner = get_or_create_runner(session, "ana")
        assert latest_checkup(session, runner) is None
        add_checkup(session, runner, answers, when=T0)
        add_checkup(session, runner, answers, screen=screen, triage=result, when=T0 + timedelta(1))
    with store.session() as session:
        latest = latest_checkup(session, get_runner(session, "ana"))
        assert latest is not None
        assert latest.taken_at == T0 + timedelta(1)
        assert parse_answers(latest.answers) == answers
        assert latest.red_flag_screen == screen.model_dump(mode="json")
        assert latest.triage == result.model_dump(mode="json")
        assert latest.upright_version == __version__


def test_times_come_back_in_utc(store: Store) -> None:
    paris = timezone(timedelta(hours=1))
    with store.session() as session:
        runner = get_or_create_runner(session, "ana")
        add_checkup(session, runner, ANSWERS, when=datetime(2026, 3, 1, 9, 30, tzinfo=paris))
    with store.session() as session:
        latest = latest_checkup(session, get_runner(session, "ana"))
        assert latest is not None
        assert latest.taken_at == T0
        assert latest.taken_at.utcoffset() == timedelta(0)


def test_naive_time_is_refused(store: Store) -> None:
    with store.session() as session:
        runner = get_or_create_runner(session, "ana")
        with pytest.raises(InputError, match="has no timezone"):
            add_checkup(session, runner, ANSWERS, when=datetime(2026, 3, 1))


def test_endurance_round_trips_and_previous(store: Store) -> None:
    with store.session() as session:
        runner = get_or_create_runner(session, "ana")
        add_endurance_test(session, runner, "extensor", seconds=95.0, when=T0)
        add_endurance_test(
            session,
            runner,
            "extensor",
            seconds=110.5,
            notes="felt strong",
            when=T0 + timedelta(days=7),
        )
        add_endurance_test(session, runner, "side_bridge", seconds=60, side="left", when=T0)
        add_endurance_test(session, runner, "single_leg_bridge", reps=12, side="right", when=T0)
    with store.session() as session:
        runner = get_runner(session, "ana")
        latest = previous_endurance(session, runner, "extensor")
        assert latest is not None
        assert (latest.seconds, latest.notes, latest.reps) == (110.5, "felt strong", None)
        earlier = previous_endurance(session, runner, "extensor", before=T0 + timedelta(days=7))
        assert earlier is not None and earlier.seconds == 95.0
        assert previous_endurance(session, runner, "extensor", before=T0) is None
        left = previous_endurance(session, runner, "side_bridge", side="left")
        assert left is not None and left.seconds == 60
        assert previous_endurance(session, runner, "side_bridge", side="right") is None
        assert previous_endurance(session, runner, "side_bridge") is None
        reps = previous_endurance(session, runner, "single_leg_bridge", side="right")
        assert reps is not None and (reps.reps, reps.seconds) == (12, None)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({}, "exactly one of seconds or reps"),
        ({"seconds": 10.0, "reps": 3}, "exactly one of seconds or reps"),
        ({"seconds": -1.0}, "negative result"),
        ({"reps": 3, "side": "middle"}, "side 'middle'"),
    ],
)
def test_bad_endurance_results(store: Store, kwargs: dict[str, object], match: str) -> None:
    with store.session() as session:
        runner = get_or_create_runner(session, "ana")
        with pytest.raises(InputError, match=match):
            add_endurance_test(session, runner, "extensor", **kwargs)  # type: ignore[arg-type]


def test_clearance_round_trips(store: Store) -> None:
    with store.session() as session:
        runner = get_or_create_runner(session, "ana")
        assert not has_clearance(session, runner)
        add_clearance(session, runner, " Dr Lee, GP ", "return to running", when=T0)
    with store.session() as session:
        runner = get_runner(session, "ana")
        assert has_clearance(session, runner)
        assert has_clearance(session, runner, clears="return to running", since=T0)
        assert not has_clearance(session, runner, clears="racing")
        assert not has_clearance(session, runner, since=T0 + timedelta(seconds=1))
        (stored,) = runner.clearances
        assert (stored.clinician, stored.given_at) == ("Dr Lee, GP", T0)


def test_clearance_needs_clinician_and_scope(store: Store) -> None:
    with store.session() as session:
        runner = get_or_create_runner(session, "ana")
        with pytest.raises(InputError, match="needs the clinician and what it clears"):
            add_clearance(session, runner, "", "running")


def test_clearance_in_the_future_is_refused(store: Store) -> None:
    future = datetime.now(UTC) + CLOCK_TOLERANCE + timedelta(minutes=1)
    with store.session() as session:
        runner = get_or_create_runner(session, "ana")
        with pytest.raises(InputError, match=r"the clearance date .* is in the future"):
            add_clearance(session, runner, "Dr Lee", "running", when=future)
        add_clearance(session, runner, "Dr Lee", "running", when=datetime.now(UTC))
        assert len(runner.clearances) == 1


def test_records_round_trip_by_kind(store: Store) -> None:
    with store.session() as session:
        runner = get_or_create_runner(session, "ana")
        add_record(session, runner, "analysis", SUMMARY, source_name="clip.mp4", when=T0)
        add_record(session, runner, "run", {"schema_version": "upright.run/1"}, when=T0)
        add_record(
            session, runner, "analysis", SUMMARY, source_name="clip2.mp4", when=T0 + timedelta(1)
        )
    with store.session() as session:
        runner = get_runner(session, "ana")
        analyses = records(session, runner, "analysis")
        assert [r.source_name for r in analyses] == ["clip.mp4", "clip2.mp4"]
        assert analyses[0].summary == SUMMARY
        assert analyses[0].schema_version == "upright.analysis/1"
        assert len(records(session, runner)) == 3
        assert records(session, runner, "imu") == []


def test_record_from_pydantic_summary(store: Store) -> None:
    class Fake(BaseModel):
        schema_version: str = "upright.imu/1"
        value: float = 1.5

    with store.session() as session:
        runner = get_or_create_runner(session, "ana")
        stored = add_record(session, runner, "imu", Fake(), source_name="hip.csv")
        assert stored.summary == {"schema_version": "upright.imu/1", "value": 1.5}
        assert (stored.schema_version, stored.kind) == ("upright.imu/1", "imu")


def test_bad_records(store: Store) -> None:
    with store.session() as session:
        runner = get_or_create_runner(session, "ana")
        with pytest.raises(InputError, match="record kind 'video' is not one of"):
            add_record(session, runner, "video", SUMMARY)  # type: ignore[arg-type]
        with pytest.raises(InputError, match="has no upright schema_version"):
            add_record(session, runner, "run", {"value": 1})
        with pytest.raises(InputError, match="record kind 'video'"):
            records(session, runner, "video")  # type: ignore[arg-type]
