"""Backups with impossible values: refused naming the field, nothing imported."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from upright.cli.main import app
from upright.errors import CorruptFileError, InputError
from upright.store import (
    Runner,
    Store,
    add_endurance_test,
    add_run_log,
    add_session_log,
    export_runner,
    get_or_create_runner,
    import_backup,
    open_store,
    read_backup,
)
from upright.store.engine import DATABASE_URL_ENV

T0 = datetime(2026, 3, 1, 8, 30, tzinfo=UTC)

Edit = Callable[[dict[str, Any]], None]


@pytest.fixture
def exported(store: Store) -> dict[str, Any]:
    with store.session() as session:
        runner = get_or_create_runner(session, "ana", height_cm=168.0)
        runner.age_band = "30-39"
        add_endurance_test(session, runner, "extensor", seconds=95.5, when=T0)
        add_session_log(
            session,
            runner,
            day=T0.date(),
            level=1,
            exercises={"side_plank": 30.0},
            completed=True,
            form="good",
            pain_during=2,
            when=T0,
        )
        add_run_log(session, runner, day=T0.date(), pain_during=2, distance_km=10.0, when=T0)
    with store.session() as session:
        return export_runner(session, "ana", now=T0)


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(f"sqlite:///{tmp_path / 'fresh.db'}")
    yield opened
    opened.close()


def _set(section: str, key: str, value: object, index: int | None = 0) -> Edit:
    def edit(doc: dict[str, Any]) -> None:
        target = doc[section] if index is None else doc[section][index]
        target[key] = value

    return edit


@pytest.mark.parametrize(
    ("edit", "match"),
    [
        (_set("runner", "height_cm", 1e308, None), r"runner\.height_cm: Input should be less"),
        (_set("runner", "height_cm", 12.0, None), r"runner\.height_cm: Input should be greater"),
        (_set("runner", "age_band", "300-309", None), r"runner\.age_band: .*age over 120"),
        (
            _set("runner", "created_at", "0001-01-01T00:00:00+00:00", None),
            r"runner\.created_at: .*0001-01-01T00:00:00\+00:00 is before 1990 or in the future",
        ),
        (_set("endurance_tests", "seconds", 1e308), r"endurance_tests\.0\.seconds"),
        (_set("session_logs", "exercises", {"side_plank": 1e308}), r"session_logs\.0\.exercises"),
        (_set("session_logs", "day", "1900-01-01"), r"session_logs\.0\.day: .*1900-01-01"),
        (_set("run_logs", "distance_km", 14_810.0), r"run_logs\.0\.distance_km"),
        (_set("run_logs", "duration_min", 5_256_000.0), r"run_logs\.0\.duration_min"),
        (_set("run_logs", "pain_onset_km", 1e9), r"run_logs\.0\.pain_onset_km"),
        (_set("run_logs", "day", "2999-01-01"), r"run_logs\.0\.day: .*in the future"),
    ],
)
def test_impossible_values_are_refused_and_nothing_is_imported(
    fresh: Store, exported: dict[str, Any], edit: Edit, match: str
) -> None:
    bad = json.loads(json.dumps(exported))
    edit(bad)
    with fresh.session() as session:
        with pytest.raises(InputError, match=match):
            import_backup(session, bad)
        assert session.scalar(sa.select(sa.func.count()).select_from(Runner)) == 0


def test_infinite_height_in_a_file_is_named(tmp_path: Path, exported: dict[str, Any]) -> None:
    path = tmp_path / "ana.json"
    text = json.dumps(exported).replace('"height_cm": 168.0', '"height_cm": 1e999')
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CorruptFileError, match=r"runner\.height_cm is inf") as info:
        read_backup(path)
    assert info.value.path == path


def test_a_key_given_twice_in_a_file_is_named(tmp_path: Path, exported: dict[str, Any]) -> None:
    path = tmp_path / "ana.json"
    text = json.dumps(exported).replace('"height_cm": 168.0', '"height_cm": 168.0, "height_cm": 2')
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CorruptFileError, match="the key 'height_cm' appears twice"):
        read_backup(path)


def test_cli_refuses_a_backup_with_height_1e308(
    tmp_path: Path, exported: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "ana.json"
    doc = json.loads(json.dumps(exported))
    doc["runner"]["height_cm"] = 1e308
    path.write_text(json.dumps(doc), encoding="utf-8")
    monkeypatch.setenv(DATABASE_URL_ENV, f"sqlite:///{tmp_path / 'cli.db'}")
    result = CliRunner().invoke(app, ["import-backup", str(path)], env={"COLUMNS": "300"})
    assert result.exit_code == 2
    assert "runner.height_cm: Input should be less than or equal to 250" in " ".join(
        result.output.split()
    )
    assert str(path) in " ".join(result.output.split())


def test_stored_implausible_value_blocks_export_with_the_field(store: Store) -> None:
    """A height stored before these limits existed: the export names it, no traceback."""
    with store.session() as session:
        get_or_create_runner(session, "ben").height_cm = 1e308
    with store.session() as session, pytest.raises(InputError, match=r"height_cm") as info:
        export_runner(session, "ben")
    assert "cannot be backed up" in str(info.value)


def test_profile_refuses_an_impossible_height() -> None:
    from upright.services.runner_record import update_profile

    with pytest.raises(InputError, match="a height of 1e\\+308 cm is not a runner's"):
        update_profile("ana", height_cm=1e308)


def test_plausible_backup_still_restores(fresh: Store, exported: dict[str, Any]) -> None:
    with fresh.session() as session:
        runner = import_backup(session, exported)
        assert runner.height_cm == 168.0
        assert runner.run_logs[0].day == date(2026, 3, 1)
