"""``--runner`` and the record commands: profile, clearance, export, import-backup."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner, Result

from upright.assessment.redflags import RED_FLAG_KEYS, red_flag_questions
from upright.io.keypoints import write_keypoints_netcdf
from upright.store import DATA_DIR_ENV, DATABASE_URL_ENV, get_runner, open_store, records
from upright.synthetic.runner import RunnerSpec, simulate_run

cli = CliRunner()
LEVEL_KEY = {q.level: q.key for q in reversed(red_flag_questions())}


@pytest.fixture(autouse=True)
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A fresh SQLite database in the test's folder: nothing touches the user's home."""
    url = f"sqlite:///{tmp_path / 'data' / 'upright.db'}"
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path / "data"))
    monkeypatch.setenv(DATABASE_URL_ENV, url)
    return url


def invoke(*args: str) -> Result:
    from upright.cli.main import app

    return cli.invoke(app, list(args), env={"COLUMNS": "200"})


def flat(text: str) -> str:
    return " ".join(text.split())


def answers(tmp_path: Path, name: str = "answers.yaml", **overrides: bool | None) -> Path:
    data: dict[str, Any] = {"red_flags": dict.fromkeys(RED_FLAG_KEYS, False) | overrides}
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def make_runner(alias: str = "ana") -> None:
    assert invoke("profile", "--runner", alias).exit_code == 0


def test_profile_create_then_update() -> None:
    result = invoke("profile", "--runner", "ana", "--sex", "female", "--height-cm", "170")
    assert result.exit_code == 0, result.output
    assert "Runner ana" in result.output and "170 cm" in result.output
    result = invoke(
        "profile", "--runner", "ana", "--height-cm", "171", "--history", "5 y", "--json"
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["sex"] == "female" and data["height_cm"] == 171
    assert data["running_history"] == "5 y"
    assert data["checkups"] == data["endurance_tests"] == data["clearances"] == 0


def test_unknown_runner_exit_2_lists_known() -> None:
    make_runner("ana")
    result = invoke("test", "--runner", "bob", "--times", "flexor=100")
    assert result.exit_code == 2
    assert "unknown runner 'bob'" in flat(result.output) and "ana" in result.output


def test_database_that_cannot_open_exit_2(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DATABASE_URL_ENV, "nosuchdialect://x/y")
    result = invoke("profile", "--runner", "ana")
    assert result.exit_code == 2
    assert "cannot open the database URL" in flat(result.output)


def test_checkup_stored_then_triage_uses_it(tmp_path: Path) -> None:
    make_runner()
    result = invoke("checkup", "--runner", "ana", "--answers", str(answers(tmp_path)))
    assert result.exit_code == 0, result.output
    result = invoke("profile", "--runner", "ana", "--json")
    assert json.loads(result.stdout)["checkups"] == 1
    result = invoke("triage", "--runner", "ana", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["red_flags"]["status"] == "clear"


def test_triage_without_answers_or_checkup_exit_2() -> None:
    make_runner()
    result = invoke("triage", "--runner", "ana")
    assert result.exit_code == 2
    assert "no stored check-up" in flat(result.output)


def test_review_flag_blocks_until_clearance(tmp_path: Path) -> None:
    make_runner()
    review = answers(tmp_path, **{LEVEL_KEY["review"]: True})
    result = invoke("checkup", "--runner", "ana", "--answers", str(review), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["plan_blocked"] is True
    result = invoke("clearance", "--runner", "ana", "--clinician", "Dr Lee, GP")
    assert result.exit_code == 0, result.output
    result = invoke("checkup", "--runner", "ana", "--answers", str(review), "--json")
    data = json.loads(result.stdout)
    assert data["plan_blocked"] is False and data["red_flags"]["clearance_recorded"] is True
    result = invoke("triage", "--runner", "ana", "--json")
    assert json.loads(result.stdout)["red_flags"]["plan_blocked"] is False
    emergency = answers(tmp_path, "e.yaml", **{LEVEL_KEY["emergency"]: True})
    result = invoke("checkup", "--runner", "ana", "--answers", str(emergency), "--json")
    assert result.exit_code == 3
    assert json.loads(result.stdout)["plan_blocked"] is True


def test_test_twice_compares_with_stored(tmp_path: Path) -> None:
    make_runner()
    assert invoke("checkup", "--runner", "ana", "--answers", str(answers(tmp_path))).exit_code == 0
    first = invoke("test", "--runner", "ana", "--times", "flexor=100", "side_left=50", "--json")
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout)["assessment"]["changes"] == []
    second = invoke("test", "--runner", "ana", "--times", "flexor=160", "side_left=90", "--json")
    assert second.exit_code == 0, second.output
    changes = {c["test"]: c for c in json.loads(second.stdout)["assessment"]["changes"]}
    assert changes["flexor"]["previous_s"] == 100 and changes["flexor"]["current_s"] == 160
    left = changes["side_bridge_left"]
    assert left["previous_s"] == 50 and left["mdc_s"] is not None
    assert left["verdict"] == "improved"  # +40 s, beyond the MDC


def test_analyze_record_used_by_triage(tmp_path: Path) -> None:
    make_runner()
    nc = tmp_path / "run.nc"
    write_keypoints_netcdf(simulate_run(RunnerSpec(duration_s=20)).ds, nc)
    out = tmp_path / "out"
    result = invoke(
        "analyze", "--keypoints", str(nc), "--no-annotate", "--out", str(out), "--runner", "ana"
    )
    assert result.exit_code == 0, result.output
    assert (out / "summary.json").exists()
    assert invoke("checkup", "--runner", "ana", "--answers", str(answers(tmp_path))).exit_code == 0
    result = invoke("triage", "--runner", "ana", "--json")
    assert result.exit_code == 0, result.output
    sources = json.loads(result.stdout)["evidence_sources"]
    assert [s["kind"] for s in sources] == ["analysis"]
    assert "stored analysis record" in sources[0]["file"]


def test_second_analysis_says_whether_the_lean_moved_beyond_noise(tmp_path: Path) -> None:
    """Same runner, lean 6 -> 11 deg, then 2 -> 4 deg: the second analysis reports a fall of
    about 5.5 deg, beyond noise; the same clip again reports no change."""
    make_runner()
    clips = {
        "before": RunnerSpec(duration_s=20),
        "after": RunnerSpec(duration_s=20, trunk_lean_start_deg=2.0, trunk_lean_end_deg=4.0),
    }
    outputs = []
    for name in ("before", "after", "after"):
        nc = tmp_path / f"{name}.nc"
        write_keypoints_netcdf(simulate_run(clips[name]).ds, nc)
        result = invoke(
            "analyze", "--keypoints", str(nc), "--no-annotate", "--out", str(tmp_path / name),
            "--runner", "ana",
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        outputs.append(flat(result.stderr))
    assert "first stored analysis" in outputs[0]
    moved = re.search(
        r"Trunk lean since the previous analysis: ([-+][\d.]+) deg, (\w+)", outputs[1]
    )
    assert moved is not None, outputs[1]
    assert -6.5 < float(moved.group(1)) < -4.5
    assert moved.group(2) == "beyond"
    assert "+0.0 deg, within measurement noise" in outputs[2]


def test_analyze_store_failure_exit_2_keeps_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy.exc import OperationalError

    make_runner()
    nc = tmp_path / "run.nc"
    write_keypoints_netcdf(simulate_run(RunnerSpec(duration_s=20)).ds, nc)

    def disk_full(*_args: object, **_kwargs: object) -> None:
        raise OperationalError("INSERT", {}, Exception("database or disk is full"))

    monkeypatch.setattr("upright.services.runner_record.add_record", disk_full)
    out = tmp_path / "out"
    result = invoke(
        "analyze", "--keypoints", str(nc), "--no-annotate", "--out", str(out), "--runner", "ana"
    )
    assert result.exit_code == 2
    assert "was written, but the record of runner 'ana' was not stored" in flat(result.output)
    assert (out / "summary.json").exists()


def test_export_import_into_fresh_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    invoke("profile", "--runner", "ana", "--sex", "female")
    invoke("test", "--runner", "ana", "--times", "flexor=100")
    invoke("clearance", "--runner", "ana", "--clinician", "Dr Lee")
    backup = tmp_path / "ana.json"
    result = invoke("export", "--runner", "ana", "--out", str(backup))
    assert result.exit_code == 0, result.output
    doc = json.loads(backup.read_text("utf-8"))
    assert doc["schema_version"] == "upright.backup/1"
    monkeypatch.setenv(DATABASE_URL_ENV, f"sqlite:///{tmp_path / 'fresh.db'}")
    result = invoke("import-backup", str(backup))
    assert result.exit_code == 0, result.output
    again = tmp_path / "again.json"
    assert invoke("export", "--runner", "ana", "--out", str(again)).exit_code == 0
    redo = json.loads(again.read_text("utf-8"))
    for key in ("runner", "checkups", "endurance_tests", "clearances", "records"):
        assert redo[key] == doc[key]
    assert invoke("import-backup", str(backup)).exit_code == 2  # exists, no --merge
    assert invoke("import-backup", str(backup), "--merge").exit_code == 0


def test_interrupt_inside_session_leaves_no_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database: str
) -> None:
    make_runner()

    def interrupted(*_args: object, **_kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("upright.services.runner_record.add_checkup", interrupted)
    result = invoke("checkup", "--runner", "ana", "--answers", str(answers(tmp_path)))
    assert result.exit_code == 130
    monkeypatch.setattr(
        "upright.services.runner_record.add_endurance_test",
        lambda *a, **k: (_ for _ in ()).throw(KeyboardInterrupt),
    )
    result = invoke("test", "--runner", "ana", "--times", "flexor=100", "extensor=90")
    assert result.exit_code == 130
    store = open_store(database)
    try:
        with store.session() as session:
            runner = get_runner(session, "ana")
            assert runner.checkups == [] and runner.endurance_tests == []
            assert list(records(session, runner)) == []
    finally:
        store.close()
