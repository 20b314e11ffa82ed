"""Ctrl-C: the message says exactly what was written or stored, and what was not.

A real SIGINT is sent to the test process at the chosen moment (the patched step sends
it to itself), so Python raises KeyboardInterrupt wherever the command then is.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from upright.io.keypoints import write_keypoints_netcdf
from upright.report.outputs import OUTPUT_FILES
from upright.report.staging import STAGING_PREFIX
from upright.store import DATA_DIR_ENV, DATABASE_URL_ENV, get_runner, open_store, records
from upright.synthetic.runner import RunnerSpec, simulate_run

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to oneself is POSIX")
cli = CliRunner()


@pytest.fixture(autouse=True)
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A fresh SQLite database in the test's folder: nothing touches the user's home."""
    url = f"sqlite:///{tmp_path / 'data' / 'upright.db'}"
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path / "data"))
    monkeypatch.setenv(DATABASE_URL_ENV, url)
    return url


@pytest.fixture(scope="module")
def keypoints(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("kp") / "run.nc"
    write_keypoints_netcdf(simulate_run(RunnerSpec(duration_s=20)).ds, path)
    return path


def invoke(*args: str) -> Result:
    from upright.cli.main import app

    return cli.invoke(app, list(args), env={"COLUMNS": "300"})


def flat(text: str) -> str:
    return " ".join(text.split())


def ctrl_c(*_args: object, **_kwargs: object) -> None:
    """Press Ctrl-C: SIGINT to this very process, then carry on as if nothing happened."""
    os.kill(os.getpid(), signal.SIGINT)


def _analyze(keypoints: Path, out: Path, *runner: str) -> Result:
    return invoke(
        "analyze", "--keypoints", str(keypoints), "--no-annotate", "--out", str(out), *runner
    )


def _stored_records(url: str) -> int:
    store = open_store(url)
    try:
        with store.session() as session:
            return len(list(records(session, get_runner(session, "ana"))))
    finally:
        store.close()


def test_ctrl_c_after_the_folder_landed_says_the_record_was_not_stored(
    tmp_path: Path, keypoints: Path, database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The issue's case: the results are complete, the record is not; no 'nothing written'."""
    assert invoke("profile", "--runner", "ana").exit_code == 0
    out = tmp_path / "clip-upright"
    monkeypatch.setattr("upright.cli.record.store_summary", ctrl_c)
    result = _analyze(keypoints, out, "--runner", "ana")
    assert result.exit_code == 130
    message = flat(result.stderr)
    assert f"Already done: the output folder {out} was written in full." in message
    assert (
        "Not done: the results were not stored as an analysis record of runner ana; run the "
        "command again with --runner ana to store them." in message
    )
    assert "nothing was written" not in message
    assert set(OUTPUT_FILES) <= {p.name for p in out.iterdir()}
    assert _stored_records(database) == 0


def test_ctrl_c_after_the_record_was_stored_says_so(
    tmp_path: Path, keypoints: Path, database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert invoke("profile", "--runner", "ana").exit_code == 0
    out = tmp_path / "clip-upright"
    monkeypatch.setattr("upright.cli.record._print_lean_change", ctrl_c)
    result = _analyze(keypoints, out, "--runner", "ana")
    assert result.exit_code == 130
    message = flat(result.stderr)
    assert (
        f"Already done: the output folder {out} was written in full; changes to your record "
        f"were saved in the database {database}." in message
    )
    assert "Not done" not in message
    assert _stored_records(database) == 1


def test_ctrl_c_after_the_folder_without_runner_says_it_is_complete(
    tmp_path: Path, keypoints: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "clip-upright"
    monkeypatch.setattr("upright.cli.commands.print_analysis", ctrl_c)
    result = _analyze(keypoints, out)
    assert result.exit_code == 130
    assert flat(result.stderr) == (
        f"Interrupted. Already done: the output folder {out} was written in full."
    )


def test_ctrl_c_while_writing_leaves_nothing_and_says_so(
    tmp_path: Path, keypoints: Path, database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert invoke("profile", "--runner", "ana").exit_code == 0
    out = tmp_path / "clip-upright"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    monkeypatch.setattr("upright.report.outputs.write_posture_png", ctrl_c)
    result = _analyze(keypoints, out, "--runner", "ana")
    assert result.exit_code == 130
    assert flat(result.stderr) == "Interrupted: nothing was written or stored."
    assert [p.name for p in out.iterdir()] == ["notes.txt"]
    assert _stored_records(database) == 0


def test_ctrl_c_after_a_clearance_was_stored_says_so(
    tmp_path: Path, database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert invoke("profile", "--runner", "ana").exit_code == 0
    monkeypatch.setattr("upright.cli.record.escape", ctrl_c)  # the confirmation's first step
    result = invoke("clearance", "--runner", "ana", "--clinician", "Dr Lee")
    assert result.exit_code == 130
    assert flat(result.stderr) == (
        f"Interrupted. Already done: changes to your record were saved in the database {database}."
    )


def test_ctrl_c_after_a_backup_was_written_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert invoke("profile", "--runner", "ana").exit_code == 0
    backup = tmp_path / "ana.json"
    monkeypatch.setattr("upright.cli.record.escape", ctrl_c)
    result = invoke("export", "--runner", "ana", "--out", str(backup))
    assert result.exit_code == 130
    assert flat(result.stderr) == f"Interrupted. Already done: {backup} was written."
    assert backup.is_file()


def test_no_staging_folder_is_left_after_ctrl_c(
    tmp_path: Path, keypoints: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "clip-upright"
    monkeypatch.setattr("upright.report.outputs.write_interactive_html", ctrl_c)
    assert _analyze(keypoints, out).exit_code == 130
    assert not out.exists() or not any(p.name.startswith(STAGING_PREFIX) for p in out.iterdir())
