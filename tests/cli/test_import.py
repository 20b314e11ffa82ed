"""``upright import FILE``: exit codes, messages, outputs all or nothing, the summary."""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path
from typing import Any

import jsonschema
import pandas as pd
import pytest
from typer.testing import CliRunner, Result

from activity_files import fit_bytes
from upright.cli.main import app
from upright.cli.run_import import ImportJob, run_import_job
from upright.errors import InputError
from upright.report.run_outputs import RUN_OUTPUT_FILES

PRE_EXISTING = "my_notes.txt"


def invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args])


def published_schema() -> dict[str, Any]:
    text = (files("upright") / "schemas" / "upright.run-1.schema.json").read_text()
    schema: dict[str, Any] = json.loads(text)
    return schema


def folder_state(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir()}


@pytest.fixture(scope="module")
def fenix2(shared_data: Path) -> Path:
    return shared_data / "fit" / "activity-small-fenix2-run.fit"


@pytest.fixture(scope="module")
def no_distance_fit(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """30 minutes of heart rate and cadence only: no distance, speed or GPS."""
    records = [
        {"time_s": float(t), "heart_rate": 150, "cadence": 86 - t / 600} for t in range(0, 1800, 2)
    ]
    path = tmp_path_factory.mktemp("fit") / "treadmill.fit"
    path.write_bytes(fit_bytes(records))
    return path


@pytest.fixture(scope="module")
def imported(fenix2: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Result, Path]:
    out = tmp_path_factory.mktemp("import") / "fenix2"
    return invoke("import", fenix2, "--out", out, "--pain-onset-km", "6.5"), out


def load_summary(out: Path) -> dict[str, Any]:
    summary: dict[str, Any] = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    return summary


# ------------------------------------------------------------------ help


def test_help_lists_import_and_its_options() -> None:
    assert "import" in invoke("--help").stdout
    result = invoke("import", "--help")
    assert result.exit_code == 0, result.output
    for option in ("--out", "--pain-onset-km", "--pain-onset-min", "--json"):
        assert option in result.stdout


# ------------------------------------------------------------------ a real run


def test_import_writes_every_output(imported: tuple[Result, Path]) -> None:
    result, out = imported
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == sorted(RUN_OUTPUT_FILES)


def test_summary_follows_the_published_schema(imported: tuple[Result, Path]) -> None:
    _, out = imported
    summary = load_summary(out)
    jsonschema.Draft202012Validator(published_schema()).validate(summary)
    assert summary["schema_version"] == "upright.run/1"
    assert summary["disclaimer"].startswith("upright is a training and self-management aid")
    assert summary["source"]["sport"] == "running"
    assert summary["distance_km"] == pytest.approx(9.007, abs=0.01)
    assert summary["duration_s"] / 60 == pytest.approx(47.2, abs=0.2)
    assert [t["third"] for t in summary["thirds"]] == [1, 2, 3]
    signs = {s["sign"]: s for s in summary["fatigue_signs"]}
    assert set(signs) == {
        "cadence_falling",
        "stance_time_rising",
        "vertical_oscillation_rising",
        "cardiac_drift",
    }
    stance = signs["stance_time_rising"]
    assert stance["change"] is not None and stance["mdc95"] is not None
    assert stance["ci95_low"] < stance["change"] < stance["ci95_high"]


def test_pain_onset_is_in_the_summary_and_the_output(imported: tuple[Result, Path]) -> None:
    result, out = imported
    onset = load_summary(out)["pain_onset"]
    assert onset["given_as"] == "km" and onset["km"] == 6.5
    assert onset["third"] == 3  # 6.5 of 9.0 km
    assert 25 < onset["minute"] < 35
    assert "pain started at 6.50 km" in result.output


def test_tables_are_written(imported: tuple[Result, Path]) -> None:
    _, out = imported
    splits = pd.read_csv(out / "splits_km.csv")
    thirds = pd.read_csv(out / "thirds.csv")
    assert len(splits) == 9 and len(thirds) == 3
    for column in ("pace_s_per_km", "heart_rate_bpm", "cadence_spm", "stance_time_ms"):
        assert splits[column].notna().all() and thirds[column].notna().all()
    assert "vertical_oscillation_mm" in thirds


def test_terminal_output(imported: tuple[Result, Path]) -> None:
    result, _ = imported
    assert "9.01 km" in result.output
    assert "Fatigue signs" in result.output
    assert "not a medical device" in result.output.replace("\n", " ")


def test_plots_are_real_files(imported: tuple[Result, Path]) -> None:
    _, out = imported
    assert (out / "run.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    html = (out / "run.html").read_text(encoding="utf-8")
    assert "<script src=" not in html  # plotly.js inline: works offline
    assert "pain starts 6.5 km" in html


def test_json_output(fenix2: Path, tmp_path: Path) -> None:
    result = invoke("import", fenix2, "--out", tmp_path / "o", "--json", "--pain-onset-min", "20")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["pain_onset"]["given_as"] == "minute"
    assert summary["pain_onset"]["minute"] == 20.0


def test_default_output_folder(
    fenix2: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke("import", fenix2)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "activity-small-fenix2-run-upright-run" / "summary.json").is_file()


def test_run_without_distance_uses_time(no_distance_fit: Path, tmp_path: Path) -> None:
    out = tmp_path / "o"
    result = invoke("import", no_distance_fit, "--out", out, "--pain-onset-min", "25")
    assert result.exit_code == 0, result.output
    expected = {n if n != "splits_km.csv" else "splits_5min.csv" for n in RUN_OUTPUT_FILES}
    assert {p.name for p in out.iterdir()} == expected
    summary = load_summary(out)
    assert summary["axis"] == "time" and summary["distance_km"] is None
    assert summary["pain_onset"]["km"] is None and summary["pain_onset"]["third"] == 3
    assert any("no distance" in note for note in summary["notes"])


@pytest.mark.parametrize(
    "name",
    [
        "fit/2013-02-06-12-11-14.fit",
        "fit/Activity.fit",
        "fit/compressed-speed-distance.fit",
        "fit/developer-types-sample.fit",
        "fit/garmin-fenix-5-run.fit",
        "fit/sample_mulitple_header.fit",
        "runlogs/11km.tcx",
        "runlogs/2020-12-02T06_08_29-300_Running.tcx",
        "runlogs/2020-12-20T05_50_47-300_Running.tcx",
        "runlogs/nike_run.gpx",
        "runlogs/run.fit",
        "runlogs/run.gpx",
        "runlogs/run.tcx",
        "runlogs/run_garmin.tcx",
        "runlogs/strava_export.gpx",
    ],
)
def test_every_shared_run_imports(shared_data: Path, tmp_path: Path, name: str) -> None:
    """Short files too (Activity.fit lasts 14 s): their signs are withheld, not failed."""
    run = run_import_job(ImportJob(file=shared_data / name, out_dir=tmp_path / "o"))
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == sorted(RUN_OUTPUT_FILES)
    summary = load_summary(tmp_path / "o")
    jsonschema.Draft202012Validator(published_schema()).validate(summary)
    assert len(run.summary.fatigue_signs) == 4


# ------------------------------------------------------------------ refusals


def test_walk_is_refused_and_nothing_is_written(shared_data: Path, tmp_path: Path) -> None:
    out = tmp_path / "o"
    result = invoke("import", shared_data / "fit" / "garmin-fenix-5-walk.fit", "--out", out)
    assert result.exit_code == 2
    message = " ".join(result.output.split())
    assert "garmin-fenix-5-walk.fit" in message and "is a walk" in message
    assert "Traceback" not in result.output
    assert not out.exists()


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("activity-unexpected-eof.fit", "cut short"),
        ("activity-settings-corruptheader.fit", "FIT header is damaged"),
    ],
)
def test_broken_fit_files_exit_2(shared_data: Path, tmp_path: Path, name: str, words: str) -> None:
    result = invoke("import", shared_data / "fit" / name, "--out", tmp_path / "o")
    assert result.exit_code == 2
    message = " ".join(result.output.split())
    assert name in message and words in message
    assert "Traceback" not in result.output
    assert not (tmp_path / "o").exists()


def test_unknown_extension_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "run.csv"
    path.write_text("t,hr\n0,140\n", encoding="utf-8")
    result = invoke("import", path, "--out", tmp_path / "o")
    assert result.exit_code == 2
    assert "reads FIT, GPX and TCX" in " ".join(result.output.split())


def test_missing_file_exits_2(tmp_path: Path) -> None:
    result = invoke("import", tmp_path / "nothing.fit")
    assert result.exit_code == 2
    assert "no such file" in result.output


def test_both_pain_onsets_exit_2(fenix2: Path, tmp_path: Path) -> None:
    result = invoke(
        "import", fenix2, "--out", tmp_path / "o", "--pain-onset-km", "3", "--pain-onset-min", "9"
    )
    assert result.exit_code == 2
    assert "both in km and in minutes" in " ".join(result.output.split())
    assert not (tmp_path / "o").exists()


def test_pain_onset_after_the_end_exits_2(fenix2: Path, tmp_path: Path) -> None:
    result = invoke("import", fenix2, "--out", tmp_path / "o", "--pain-onset-km", "12")
    assert result.exit_code == 2
    assert "after the end of the run (9.01 km)" in " ".join(result.output.split())


def test_pain_onset_in_km_without_distance_exits_2(no_distance_fit: Path, tmp_path: Path) -> None:
    result = invoke("import", no_distance_fit, "--out", tmp_path / "o", "--pain-onset-km", "2")
    assert result.exit_code == 2
    assert "--pain-onset-min" in " ".join(result.output.split())


def test_negative_pain_onset_is_a_usage_error(fenix2: Path, tmp_path: Path) -> None:
    result = invoke("import", fenix2, "--out", tmp_path / "o", "--pain-onset-km", "-1")
    assert result.exit_code == 2


# ------------------------------------------------------------------ all or nothing


@pytest.fixture
def out_with_file(tmp_path: Path) -> Path:
    out = tmp_path / "results"
    out.mkdir()
    (out / PRE_EXISTING).write_text("do not touch\n", encoding="utf-8")
    return out


def test_job_writes_beside_existing_files(fenix2: Path, out_with_file: Path) -> None:
    run_import_job(ImportJob(file=fenix2, out_dir=out_with_file))
    assert {p.name for p in out_with_file.iterdir()} == {*RUN_OUTPUT_FILES, PRE_EXISTING}


@pytest.mark.parametrize("step", ["write_run_png", "write_run_html"])
def test_failing_step_leaves_the_folder_as_it_was(
    step: str, fenix2: Path, out_with_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(f"upright.report.run_outputs.{step}", fail)
    before = folder_state(out_with_file)
    with pytest.raises(InputError, match="disk full while writing the results") as err:
        run_import_job(ImportJob(file=fenix2, out_dir=out_with_file))
    assert isinstance(err.value.__cause__, OSError) and err.value.__cause__.errno == 28
    assert folder_state(out_with_file) == before  # staging folder gone, file untouched


def test_failing_step_leaves_no_new_folder(
    fenix2: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("upright.report.run_outputs.write_run_html", fail)
    with pytest.raises(InputError, match="disk full"):
        run_import_job(ImportJob(file=fenix2, out_dir=tmp_path / "new"))
    assert not (tmp_path / "new").exists()
