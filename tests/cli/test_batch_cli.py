"""``upright batch`` on the command line: manifests, bad rows, exit codes, a real clip."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from upright.cli.main import app
from upright.errors import InputError
from upright.io.keypoints import write_keypoints_netcdf
from upright.services.batch_manifest import read_batch_input
from upright.store import get_or_create_runner, open_store, records
from upright.synthetic.runner import RunnerSpec, simulate_run


@pytest.fixture(scope="module")
def kp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with two synthetic runners' keypoints (8 s) and a broken .nc file."""
    folder = tmp_path_factory.mktemp("kp")
    for i, lean in enumerate((6.0, 10.0)):
        spec = RunnerSpec(duration_s=8.0, trunk_lean_start_deg=lean, trunk_lean_end_deg=lean)
        write_keypoints_netcdf(simulate_run(spec).ds, folder / f"early{i}.nc")
    return folder


@pytest.fixture
def runners() -> None:
    store = open_store()
    with store.session() as session:
        get_or_create_runner(session, "ana")
        get_or_create_runner(session, "ben")
    store.close()


def _invoke(*args: object) -> Any:
    return CliRunner().invoke(app, ["batch", *(str(a) for a in args)])


def _table(out: Path) -> list[dict[str, str]]:
    with (out / "results.csv").open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _stored(alias: str) -> int:
    store = open_store()
    try:
        with store.session() as session:
            from upright.store import get_runner

            return len(records(session, get_runner(session, alias), "analysis"))
    finally:
        store.close()


def test_a_manifest_names_runners_run_points_and_settings(
    kp: Path, tmp_path: Path, runners: None
) -> None:
    manifest = tmp_path / "team.csv"
    manifest.write_text(
        "clip,runner,km,min,setting\n"
        f"{kp / 'early0.nc'},ana,2.5,,treadmill\n"
        f"{kp / 'early1.nc'},ben,,14,\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = _invoke(manifest, "--out", out)
    assert result.exit_code == 0, result.output
    ana, ben = _table(out)
    assert (ana["runner"], ana["distance_km"], ana["minute"], ana["status"]) == (
        "ana",
        "2.5",
        "",
        "done",
    )
    assert (ben["runner"], ben["distance_km"], ben["minute"], ben["stored"]) == (
        "ben",
        "",
        "14.0",
        "stored",
    )
    assert float(ana["trunk_lean_median_deg"]) < float(ben["trunk_lean_median_deg"])
    summary = json.loads((out / "early0" / "summary.json").read_text(encoding="utf-8"))
    assert (summary["setup"]["setting"], summary["setup"]["setting_source"]) == (
        "treadmill",
        "given",
    )
    assert (_stored("ana"), _stored("ben")) == (1, 1)
    again = _invoke(manifest, "--out", tmp_path / "again")
    assert again.exit_code == 0, again.output
    assert [r["stored"] for r in _table(tmp_path / "again")] == ["already stored"] * 2
    assert (_stored("ana"), _stored("ben")) == (1, 1)


def test_a_failed_clip_does_not_stop_the_batch_and_the_exit_code_says_so(
    kp: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "clips"
    folder.mkdir()
    (folder / "a.nc").write_bytes((kp / "early0.nc").read_bytes())
    (folder / "b.nc").write_text("not keypoints", encoding="utf-8")
    (folder / "notes.txt").write_text("left alone", encoding="utf-8")
    out = tmp_path / "out"
    result = _invoke(folder, "--out", out)
    assert result.exit_code == 1, result.output
    a, b = _table(out)
    assert (a["folder"], a["status"], a["error"]) == ("a", "done", "")
    assert (b["folder"], b["status"]) == ("b", "failed")
    assert b["error"].startswith("upright could not finish.") and "b.nc" in b["error"]
    assert not (out / "b").exists()
    doc = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert (doc["done"], doc["failed"]) == (1, 1)


def test_a_yaml_manifest_reads_like_a_csv_one(kp: Path, tmp_path: Path) -> None:
    manifest = tmp_path / "m.yaml"
    manifest.write_text(
        f"clips:\n  - clip: {kp / 'early1.nc'}\n    km: 5\n    direction: right\n",
        encoding="utf-8",
    )
    (clip,) = read_batch_input(manifest)
    assert (clip.where, clip.distance_km, clip.settings.direction) == ("entry 1", 5.0, "right")


@pytest.mark.parametrize(
    ("text", "match"),
    [
        pytest.param(
            "clip,km\n{a},1\nmissing.mp4,2\n",
            r"bad\.csv: 1 entry cannot be used: line 3: the clip missing\.mp4 is not there",
            id="missing-file",
        ),
        pytest.param(
            "clip,speed\n{a},12\n",
            r"line 1 \(the header\): unknown column speed.*Use these columns: clip, runner",
            id="unknown-column",
        ),
        pytest.param(
            "clip,km\n{a},1\n{b},2\n{a},3\n",
            r"line 4: the clip .*early0\.nc is already on line 2",
            id="duplicate-path",
        ),
        pytest.param(
            "clip\n{a}\n{copy}\n",
            r"line 3: the clip .*copy\.nc has the same content as the clip on line 2",
            id="duplicate-content",
        ),
        pytest.param(
            "clip,km,setting\n{a},-1,\n{b},,sideways\n",
            r"2 entries cannot be used: line 2: km: Input should be greater than or equal to 0;"
            r" line 3: setting: Input should be 'auto', 'treadmill' or 'overground'",
            id="bad-values",
        ),
    ],
)
def test_bad_manifest_rows_are_named_and_nothing_is_done(
    kp: Path, tmp_path: Path, text: str, match: str
) -> None:
    copy = tmp_path / "copy.nc"
    copy.write_bytes((kp / "early0.nc").read_bytes())
    manifest = tmp_path / "bad.csv"
    body = text.format(a=kp / "early0.nc", b=kp / "early1.nc", copy=copy)
    manifest.write_text(body, encoding="utf-8")
    with pytest.raises(InputError, match=match):
        read_batch_input(manifest)
    out = tmp_path / "out"
    result = _invoke(manifest, "--out", out)
    assert result.exit_code == 2
    assert "upright could not finish." in result.output
    assert not out.exists()


def test_a_yaml_entry_with_an_unknown_key_is_named(kp: Path, tmp_path: Path) -> None:
    manifest = tmp_path / "m.yml"
    manifest.write_text(
        f"- clip: {kp / 'early0.nc'}\n- clip: {kp / 'early1.nc'}\n  pace: 5\n", encoding="utf-8"
    )
    with pytest.raises(InputError, match=r"entry 2: unknown column pace"):
        read_batch_input(manifest)


def test_an_unknown_runner_is_refused_before_any_work(
    kp: Path, tmp_path: Path, runners: None
) -> None:
    manifest = tmp_path / "m.csv"
    manifest.write_text(
        f"clip,runner\n{kp / 'early0.nc'},ana\n{kp / 'early1.nc'},zoe\n", encoding="utf-8"
    )
    out = tmp_path / "out"
    result = _invoke(manifest, "--out", out)
    assert result.exit_code == 2
    assert "line 3: unknown runner 'zoe'" in " ".join(result.output.split())
    assert not out.exists()
    assert _stored("ana") == 0


def test_a_folder_without_clips_is_refused(tmp_path: Path) -> None:
    result = _invoke(tmp_path, "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert "the folder holds no clips" in " ".join(result.output.split())


def test_ray_without_ray_installed_says_how_to_get_it(
    kp: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray now fails
    out = tmp_path / "out"
    result = _invoke(kp, "--ray", "auto", "--out", out)
    assert result.exit_code == 2
    text = " ".join(result.output.split())
    assert "Ray is not installed" in text and 'pip install "upright[ray]"' in text
    assert not out.exists()
    monkeypatch.setenv("UPRIGHT_RAY_ADDRESS", "auto")
    assert _invoke(kp, "--out", out).exit_code == 2


@pytest.mark.slow
def test_a_real_clip_gives_what_analyze_gives(real_clip: Path, tmp_path: Path) -> None:
    """male_side.mp4 through the batch and through analyze, both with 2 pose threads."""
    alone = tmp_path / "alone"
    result = CliRunner().invoke(
        app, ["analyze", str(real_clip), "--workers", "2", "--no-annotate", "--out", str(alone)]
    )
    assert result.exit_code == 0, result.output
    out = tmp_path / "batch"
    manifest = tmp_path / "m.csv"
    manifest.write_text(f"clip,km\n{real_clip},3\n", encoding="utf-8")
    result = _invoke(manifest, "--no-annotate", "--pose-threads", "2", "--out", out)
    assert result.exit_code == 0, result.output
    (row,) = _table(out)
    batch_summary = json.loads((out / "male_side" / "summary.json").read_text(encoding="utf-8"))
    alone_summary = json.loads((alone / "summary.json").read_text(encoding="utf-8"))
    for summary in (batch_summary, alone_summary):
        del summary["created_utc"]
    assert batch_summary == alone_summary
    assert (out / "male_side" / "strides.csv").read_bytes() == (alone / "strides.csv").read_bytes()
    assert float(row["cadence_spm"]) == pytest.approx(169, abs=6)


@pytest.mark.parametrize(
    ("address", "match"),
    [
        ("127.0.0.1:1", "no Ray cluster answers at 127.0.0.1:1"),
        ("nonsense", "'nonsense' is not a Ray cluster's address"),
    ],
)
def test_a_ray_address_that_does_not_answer_is_refused_at_once(
    kp: Path, tmp_path: Path, address: str, match: str
) -> None:
    pytest.importorskip("ray", reason="Ray is not installed (pip install 'upright[ray]')")
    out = tmp_path / "out"
    result = _invoke(kp, "--ray", address, "--out", out)
    assert result.exit_code == 2
    assert match in " ".join(result.output.split())
    assert not out.exists()
