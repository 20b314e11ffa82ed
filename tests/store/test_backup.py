"""Backups: export one runner, restore into a fresh database, refuse bad files."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from upright.assessment import evidence_from_answers, parse_answers, screen_red_flags, triage
from upright.errors import CorruptFileError, InputError
from upright.store import (
    BACKUP_SCHEMA_VERSION,
    Runner,
    Store,
    add_checkup,
    add_clearance,
    add_endurance_test,
    add_record,
    clip_result,
    export_runner,
    get_or_create_runner,
    get_runner,
    import_backup,
    open_store,
    read_backup,
    write_backup,
)
from upright.store.repository import TimedClip

T0 = datetime(2026, 3, 1, 8, 30, tzinfo=UTC)
#: Stands in for an annotated still: any bytes, including ones that are not text.
STILL = bytes(range(256)) * 3


def _fill(store: Store, alias: str = "ana") -> None:
    answers = parse_answers({"symptoms": {"pain_now": 3, "standing_ache": True}})
    screen = screen_red_flags(answers.red_flags)
    with store.session() as session:
        runner = get_or_create_runner(
            session, alias, sex="female", age_band="30-39", height_cm=168.0, running_history="5y"
        )
        add_checkup(
            session,
            runner,
            answers,
            screen=screen,
            triage=triage(evidence_from_answers(answers), screen),
            when=T0,
        )
        add_endurance_test(session, runner, "extensor", seconds=95.5, when=T0)
        add_endurance_test(session, runner, "single_leg_bridge", reps=9, side="left", when=T0)
        add_clearance(session, runner, "Dr Lee", "return to running", when=T0)
        add_record(session, runner, "run", {"schema_version": "upright.run/1", "km": 10.0}, when=T0)
        add_record(
            session,
            runner,
            "analysis",
            {"schema_version": "upright.analysis/1"},
            when=T0,
            still_jpeg=STILL,
        )


@pytest.fixture
def exported(store: Store) -> dict[str, Any]:
    _fill(store)
    with store.session() as session:
        return export_runner(session, "ana", now=T0 + timedelta(days=1))


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[Store]:
    """A second, empty database to restore into."""
    opened = open_store(f"sqlite:///{tmp_path / 'fresh.db'}")
    yield opened
    opened.close()


def test_export_is_one_json_document(exported: dict[str, Any]) -> None:
    assert exported["schema_version"] == BACKUP_SCHEMA_VERSION
    assert json.loads(json.dumps(exported)) == exported
    assert exported["runner"]["alias"] == "ana"
    assert len(exported["checkups"]) == 1
    assert len(exported["endurance_tests"]) == 2
    assert len(exported["clearances"]) == 1
    assert len(exported["records"]) == 2
    assert exported["records"][0]["still_jpeg_base64"] is None
    assert base64.b64decode(exported["records"][1]["still_jpeg_base64"]) == STILL


def test_export_unknown_runner(store: Store) -> None:
    with store.session() as session, pytest.raises(InputError, match="unknown runner 'bob'"):
        export_runner(session, "bob")


def test_export_import_reproduces_runner(
    exported: dict[str, Any], fresh: Store, tmp_path: Path
) -> None:
    path = tmp_path / "ana.backup.json"
    write_backup(path, exported)
    with fresh.session() as session:
        import_backup(session, read_backup(path))
    with fresh.session() as session:
        again = export_runner(session, "ana", now=T0 + timedelta(days=1))
        runner = get_runner(session, "ana")
        assert runner.height_cm == 168.0
        assert runner.checkups[0].taken_at == T0
        assert [r.still_jpeg for r in runner.records] == [None, STILL]
    assert again == exported


def test_duplicate_alias_is_refused(store: Store, exported: dict[str, Any]) -> None:
    with (
        store.session() as session,
        pytest.raises(InputError, match=r"runner 'ana' already exists.*merge"),
    ):
        import_backup(session, exported)


def test_merge_adds_only_missing_rows(store: Store, exported: dict[str, Any]) -> None:
    with store.session() as session:
        runner = get_runner(session, "ana")
        add_endurance_test(session, runner, "extensor", seconds=120.0, when=T0 + timedelta(9))
    doc = dict(exported)
    doc["clearances"] = [
        *exported["clearances"],
        {"given_at": "2026-04-01T09:00:00+00:00", "clinician": "Physio", "clears": "racing"},
    ]
    with store.session() as session:
        import_backup(session, doc, merge=True)
    with store.session() as session:
        runner = get_runner(session, "ana")
        assert len(runner.checkups) == 1
        assert len(runner.endurance_tests) == 3
        assert [c.clears for c in runner.clearances] == ["return to running", "racing"]


def test_import_is_all_or_nothing(fresh: Store, exported: dict[str, Any]) -> None:
    """A failure after the import started leaves no runner behind."""
    with pytest.raises(RuntimeError, match="disk full"), fresh.session() as session:
        import_backup(session, exported)
        raise RuntimeError("disk full")
    with fresh.session() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Runner)) == 0


def test_invalid_document_writes_nothing(fresh: Store, exported: dict[str, Any]) -> None:
    bad = json.loads(json.dumps(exported))
    bad["endurance_tests"][1]["side"] = "middle"
    with fresh.session() as session:
        with pytest.raises(InputError, match=r"endurance_tests\.1\.side"):
            import_backup(session, bad)
        assert session.scalar(sa.select(sa.func.count()).select_from(Runner)) == 0


@pytest.mark.parametrize(
    ("edit", "match"),
    [
        (
            lambda d: d.update(schema_version="upright.backup/9"),
            "schema_version is 'upright.backup/9'",
        ),
        (lambda d: d.pop("runner"), r"runner: Field required"),
        (lambda d: d["runner"].update(created_at="2026-03-01T08:30:00"), r"runner\.created_at"),
        (lambda d: d.update(surprise=1), r"surprise: Extra inputs are not permitted"),
        (lambda d: d["records"][0].update(kind="video"), r"records\.0\.kind"),
        (
            lambda d: d["clearances"][0].update(given_at="2999-01-01T09:00:00+00:00"),
            r"clearances\.0\.given_at: .*clearance date 2999-01-0\d is in the future",
        ),
        (
            lambda d: d["clearances"][0].update(clinician="   "),
            r"clearances\.0\.clinician: .*the clinician is not named",
        ),
        (
            lambda d: d["clearances"][0].update(clears=" "),
            r"clearances\.0\.clears: .*what the clearance clears is blank",
        ),
        (
            lambda d: d["checkups"][0]["answers"].update(
                clearance={"recorded": True, "date": "not a date at all", "clinician": ""}
            ),
            r"checkups\.0\.answers: .*clearance: date: .*not a real date.*clinician: .*not named",
        ),
        (
            lambda d: d["checkups"][0]["answers"].update(clearance={"recorded": True}),
            r"checkups\.0\.answers: .*a recorded clearance needs its date and clinician",
        ),
        (
            lambda d: d["records"][1].update(still_jpeg_base64="not base64!"),
            r"records\.1\.still_jpeg_base64.*not base64",
        ),
    ],
)
def test_invalid_documents_are_named(
    fresh: Store, exported: dict[str, Any], edit: Any, match: str
) -> None:
    bad = json.loads(json.dumps(exported))
    edit(bad)
    with fresh.session() as session, pytest.raises(InputError, match=match):
        import_backup(session, bad)


def test_write_backup_is_atomic_and_refuses_invalid(
    tmp_path: Path, exported: dict[str, Any]
) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    path = folder / "ana.json"
    write_backup(path, exported)
    before = path.read_text(encoding="utf-8")
    with pytest.raises(InputError, match=r"not an upright\.backup/1 document"):
        write_backup(path, {"schema_version": "nope"})
    assert path.read_text(encoding="utf-8") == before
    assert [p.name for p in folder.iterdir()] == ["ana.json"]


def test_interrupted_write_keeps_old_file(
    tmp_path: Path, exported: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    path = folder / "ana.json"
    path.write_text("old", encoding="utf-8")

    def interrupted(*_args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("upright.store.backup.os.replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_backup(path, exported)
    assert path.read_text(encoding="utf-8") == "old"
    assert [p.name for p in folder.iterdir()] == ["ana.json"]


def test_missing_backup_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="backup file not found"):
        read_backup(tmp_path / "absent.json")


@pytest.mark.parametrize(
    ("content", "match"),
    [
        (b"", r"not valid JSON \(line 1, column 1"),
        (b'{"schema_version": "upright.backup/1", "runner": {', "not valid JSON"),
        (b"[1, 2]", "expected a JSON object, found list"),
        (b"\xff\xfe\x00garbage", "cannot read the backup file"),
        (b'{"schema_version": "upright.backup/1"}', "invalid upright.backup/1 document"),
        (b'{"hello": 1}', "not an upright.backup/1 document"),
    ],
)
def test_corrupt_backup_files(tmp_path: Path, content: bytes, match: str) -> None:
    path = tmp_path / "broken.json"
    path.write_bytes(content)
    with pytest.raises(CorruptFileError, match=match) as info:
        read_backup(path)
    assert info.value.path == path
    assert str(path) in str(info.value)


def test_norm_population_and_session_completion_are_carried(
    store: Store, fresh: Store, tmp_path: Path
) -> None:
    from datetime import date

    from upright.store import add_session_log

    with store.session() as session:
        runner = get_or_create_runner(session, "ana", sex="male")
        runner.population = "athlete"
        for day, completion in ((1, "full"), (3, "partial"), (5, None)):
            add_session_log(
                session,
                runner,
                day=date(2026, 3, day),
                level=1,
                exercises={"side_plank": 120.0},
                completed=completion == "full",
                completion=completion,  # type: ignore[arg-type]
                form="good",
                pain_during=1,
                when=T0 + timedelta(days=day),
            )
    with store.session() as session:
        doc = export_runner(session, "ana", now=T0)
    assert doc["runner"]["population"] == "athlete"
    assert [s["completion"] for s in doc["session_logs"]] == ["full", "partial", None]
    path = tmp_path / "ana.json"
    write_backup(path, doc)
    with fresh.session() as session:
        import_backup(session, read_backup(path))
    with fresh.session() as session:
        runner = get_runner(session, "ana")
        assert runner.population == "athlete"
        assert [s.completion for s in runner.session_logs] == ["full", "partial", None]


def test_a_backup_from_before_completion_and_population_restores(
    exported: dict[str, Any], fresh: Store
) -> None:
    """A backup written before these fields existed: they read as not recorded."""
    old = json.loads(json.dumps(exported))
    old["runner"].pop("population")
    old["session_logs"] = [
        {
            "day": "2026-03-02",
            "level": 1,
            "exercises": {"side_plank": 6.0},
            "completed": True,
            "form": "good",
            "pain_during": 1,
            "pain_next_morning": 0,
            "logged_at": "2026-03-02T18:00:00+00:00",
        }
    ]
    with fresh.session() as session:
        import_backup(session, old)
    with fresh.session() as session:
        runner = get_runner(session, "ana")
        assert runner.population is None
        [log] = runner.session_logs
        assert (log.completed, log.completion) == (True, None)
        assert log.measured_form == []  # no form measured from video before it existed


def test_a_bad_completion_is_named(exported: dict[str, Any], fresh: Store) -> None:
    bad = json.loads(json.dumps(exported))
    bad["session_logs"] = [
        {
            "day": "2026-03-02",
            "level": 1,
            "exercises": {},
            "completed": True,
            "completion": "mostly",
            "form": "good",
            "pain_during": 1,
            "logged_at": "2026-03-02T18:00:00+00:00",
        }
    ]
    with (
        fresh.session() as session,
        pytest.raises(InputError, match=r"session_logs\.0\.completion"),
    ):
        import_backup(session, bad)


SHA = "ab" * 32


def test_measured_form_is_carried_with_its_session(
    store: Store, fresh: Store, tmp_path: Path
) -> None:
    from datetime import date

    from upright.store import add_measured_form, add_session_log

    with store.session() as session:
        runner = get_or_create_runner(session, "ana")
        log = add_session_log(
            session,
            runner,
            day=date(2026, 3, 2),
            level=1,
            exercises={"front_plank": 38.0},
            completed=False,
            completion="partial",
            form="poor",
            pain_during=1,
            when=T0,
        )
        for side, good in ((None, 38.0), ("left", 44.5)):
            add_measured_form(
                session,
                log,
                exercise_key="front_plank" if side is None else "side_plank",
                side=side,  # type: ignore[arg-type]
                held_s=45.0,
                good_form_s=good,
                reps=None,
                good_reps=None,
                first_fault="hips sag" if side is None else None,
                first_fault_s=40.4 if side is None else None,
                clip_name="plank.mp4",
                clip_sha256=SHA,
            )
    with store.session() as session:
        doc = export_runner(session, "ana", now=T0 + timedelta(days=1))
    [logged] = doc["session_logs"]
    assert [m["good_form_s"] for m in logged["measured_form"]] == [38.0, 44.5]
    path = tmp_path / "ana.json"
    write_backup(path, doc)
    with fresh.session() as session:
        import_backup(session, read_backup(path))
    with fresh.session() as session:
        [restored] = get_runner(session, "ana").session_logs
        rows = [
            (m.exercise_key, m.side, m.good_form_s, m.first_fault_s, m.clip_sha256)
            for m in restored.measured_form
        ]
    assert rows == [
        ("front_plank", None, 38.0, 40.4, SHA),
        ("side_plank", "left", 44.5, None, SHA),
    ]


def test_a_bad_clip_hash_is_named(exported: dict[str, Any], fresh: Store) -> None:
    bad = json.loads(json.dumps(exported))
    bad["session_logs"] = [
        {
            "day": "2026-03-02",
            "level": 1,
            "exercises": {"front_plank": 38.0},
            "completed": False,
            "form": "poor",
            "pain_during": 1,
            "logged_at": "2026-03-02T18:00:00+00:00",
            "measured_form": [
                {
                    "exercise_key": "front_plank",
                    "held_s": 45.0,
                    "good_form_s": 38.0,
                    "clip_name": "plank.mp4",
                    "clip_sha256": "not a hash",
                }
            ],
        }
    ]
    with (
        fresh.session() as session,
        pytest.raises(InputError, match=r"session_logs\.0\.measured_form\.0\.clip_sha256"),
    ):
        import_backup(session, bad)
    with fresh.session() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Runner)) == 0


def test_a_hold_timed_from_a_clip_keeps_its_source_through_a_backup(
    store: Store, fresh: Store, tmp_path: Path
) -> None:
    clip = TimedClip("side_right.mp4", SHA, 44.3, "hip drops")
    with store.session() as session:
        runner = get_or_create_runner(session, "ana")
        add_endurance_test(session, runner, "side_bridge", seconds=41.2, side="right", clip=clip)
        add_endurance_test(session, runner, "extensor", seconds=95.5, when=T0)
    with store.session() as session:
        doc = export_runner(session, "ana")
    by_key = {t["test_key"]: t for t in doc["endurance_tests"]}
    assert by_key["side_bridge"]["source"] == "video"
    assert by_key["side_bridge"]["source_sha256"] == SHA
    assert by_key["extensor"]["source"] == "typed"
    path = tmp_path / "ana.json"
    write_backup(path, doc)
    with fresh.session() as session:
        import_backup(session, read_backup(path))
    with fresh.session() as session:
        runner = get_runner(session, "ana")
        row = clip_result(session, runner, "side_bridge", "right", SHA)
        assert row is not None
        assert (row.seconds, row.source, row.source_name) == (41.2, "video", "side_right.mp4")
        assert (row.ended_at_s, row.ended_reason) == (44.3, "hip drops")
        [typed] = [t for t in runner.endurance_tests if t.test_key == "extensor"]
        assert (typed.source, typed.source_name, typed.ended_at_s) == ("typed", None, None)


def test_a_backup_from_before_clip_timing_restores_as_typed(
    exported: dict[str, Any], fresh: Store
) -> None:
    old = json.loads(json.dumps(exported))
    for test in old["endurance_tests"]:
        for key in ("source", "source_name", "source_sha256", "ended_at_s", "ended_reason"):
            test.pop(key)
    with fresh.session() as session:
        import_backup(session, old)
    with fresh.session() as session:
        tests = get_runner(session, "ana").endurance_tests
        assert {t.source for t in tests} == {"typed"}


def test_a_bad_clip_source_is_named(exported: dict[str, Any], fresh: Store) -> None:
    bad = json.loads(json.dumps(exported))
    bad["endurance_tests"][0]["source"] = "guessed"
    with pytest.raises(InputError, match=r"endurance_tests\.0\.source"), fresh.session() as session:
        import_backup(session, bad)


def test_only_holds_are_timed_from_a_clip(store: Store) -> None:
    clip = TimedClip("bridge.mp4", SHA, 20.0, "hips not fully up")
    with store.session() as session:
        runner = get_or_create_runner(session, "ana")
        with pytest.raises(InputError, match="only holds are timed from a clip"):
            add_endurance_test(session, runner, "single_leg_bridge", reps=9, side="left", clip=clip)
