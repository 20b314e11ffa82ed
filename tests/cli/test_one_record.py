"""Every command agrees about one runner: the same norms, the same stored evidence.

A runner whose profile says male holds a 55 s right side bridge: against the men's table
(McGill 1999: 95 +/- 32 s) that is z = -1.25, "below"; against the table for both sexes
(Anderson 2014: 54 +/- 25 s) it would be z = +0.04, "typical". ``test``, ``checkup``,
``triage`` and ``report`` must all say "below". Evidence given to ``checkup --runner`` is
stored once, so ``triage`` and ``report`` read what the check-up read.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from PIL import Image
from typer.testing import CliRunner, Result

from upright.assessment.redflags import RED_FLAG_KEYS
from upright.io.keypoints import write_keypoints_netcdf
from upright.store import DATA_DIR_ENV, DATABASE_URL_ENV, get_runner, open_store, records
from upright.synthetic.runner import RunnerSpec, simulate_run

cli = CliRunner()


@pytest.fixture(autouse=True)
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'data' / 'upright.db'}"
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path / "data"))
    monkeypatch.setenv(DATABASE_URL_ENV, url)
    return url


def invoke(*args: str) -> Result:
    from upright.cli.main import app

    return cli.invoke(app, list(args), env={"COLUMNS": "200"})


def ok_json(*args: str) -> Any:
    result = invoke(*args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def flat(text: str) -> str:
    return " ".join(text.split())


def answers_file(tmp_path: Path, **extra: Any) -> Path:
    data: dict[str, Any] = {
        "red_flags": dict.fromkeys(RED_FLAG_KEYS, False),
        "symptoms": {"standing_ache": True},
        **extra,
    }
    path = tmp_path / "answers.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def screened(tmp_path: Path, alias: str = "ana") -> None:
    """A stored check-up with a clear red-flag screen: ``test --runner`` may then run."""
    ok_json("checkup", "--runner", alias, "--answers", str(answers_file(tmp_path)))


def statuses(assessment: dict[str, Any]) -> dict[str, tuple[str, str]]:
    return {c["test"]: (c["status"], c["norm_id"]) for c in assessment["comparisons"]}


# -- item: one set of norms per runner ----------------------------------------------------


def test_same_holds_same_verdict_from_test_checkup_triage_and_report(tmp_path: Path) -> None:
    assert invoke("profile", "--runner", "ana", "--sex", "male").exit_code == 0
    alone = ok_json("test", "--times", "side_bridge_right=55")
    assert statuses(alone["assessment"]) == {"side_bridge_right": ("typical", "anderson_2014")}

    screened(tmp_path)
    tested = ok_json("test", "--runner", "ana", "--times", "side_bridge_right=55")
    expected = {"side_bridge_right": ("below", "mcgill_1999_men")}
    assert statuses(tested["assessment"]) == expected
    assert tested["assessment"]["comparisons"][0]["z"] == -1.25

    checkup = ok_json("checkup", "--runner", "ana", "--answers", str(answers_file(tmp_path)))
    assert statuses(checkup["endurance"]) == expected
    assert statuses(checkup["triage"]["endurance"]) == expected

    triage = ok_json("triage", "--runner", "ana")
    assert statuses(triage["triage"]["endurance"]) == expected
    weakness = next(v for v in triage["triage"]["verdicts"] if v["cause"] == "weakness")
    reasons = " ".join(f["reason"] for f in weakness["findings"])
    assert "side_bridge_right 55 s vs 95 +/- 32 s (McGill, Childs & Liebenson 1999, men" in reasons

    report = ok_json("report", "--runner", "ana", "--out", str(tmp_path / "report"))
    assert statuses(report["endurance"]) == expected
    assert statuses(report["triage"]["endurance"]) == expected
    assert report["triage"]["verdicts"] == triage["triage"]["verdicts"]


def test_answers_sex_gives_way_to_the_profile(tmp_path: Path) -> None:
    assert invoke("profile", "--runner", "ana", "--sex", "male").exit_code == 0
    path = answers_file(tmp_path, endurance={"side_bridge_right_s": 55.0, "sex": "female"})
    checkup = ok_json("checkup", "--runner", "ana", "--answers", str(path))
    assert statuses(checkup["endurance"]) == {"side_bridge_right": ("below", "mcgill_1999_men")}
    notes = " ".join(checkup["notes"])
    assert "endurance sex (female) is not used" in notes
    assert "Endurance results stored for runner ana: side_bridge_right" in notes
    report = ok_json("report", "--runner", "ana", "--out", str(tmp_path / "r"))
    assert statuses(report["endurance"]) == {"side_bridge_right": ("below", "mcgill_1999_men")}
    # the same answers again are the same test, not a second one
    again = ok_json("checkup", "--runner", "ana", "--answers", str(path))
    assert "not stored again: side_bridge_right" in " ".join(again["notes"])
    assert ok_json("profile", "--runner", "ana")["endurance_tests"] == 1


def test_population_from_the_profile(tmp_path: Path) -> None:
    profile = ok_json("profile", "--runner", "ana", "--population", "athlete")
    assert profile["population"] == "athlete"
    screened(tmp_path)
    tested = ok_json("test", "--runner", "ana", "--times", "flexor=200")
    assert statuses(tested["assessment"]) == {"flexor": ("below mean", "evans_2007")}
    report = ok_json("report", "--runner", "ana", "--out", str(tmp_path / "r"))
    assert statuses(report["endurance"]) == {"flexor": ("below mean", "evans_2007")}


@pytest.mark.parametrize(
    ("profile", "args", "message"),
    [
        (
            ["--sex", "male"],
            ["--sex", "female"],
            "--sex female does not match runner 'ana''s profile (male)",
        ),
        ([], ["--sex", "male"], "runner 'ana''s profile records no sex"),
        ([], ["--population", "athlete"], "--population athlete does not match"),
    ],
)
def test_norms_unlike_the_profile_are_refused(
    profile: list[str], args: list[str], message: str
) -> None:
    assert invoke("profile", "--runner", "ana", *profile).exit_code == 0
    result = invoke("test", "--runner", "ana", "--times", "flexor=100", *args)
    assert result.exit_code == 2
    text = flat(result.output)
    assert message in text
    assert "upright profile --runner ana" in text
    assert "Red-flag screen" not in text  # refused before the red-flag gate is asked
    assert ok_json("profile", "--runner", "ana")["endurance_tests"] == 0


def test_matching_norms_are_accepted(tmp_path: Path) -> None:
    assert invoke("profile", "--runner", "ana", "--sex", "female").exit_code == 0
    screened(tmp_path)
    result = invoke("test", "--runner", "ana", "--times", "flexor=100", "--sex", "female")
    assert result.exit_code == 0, result.output
    assert "McGill, Childs & Liebenson 1999, women" in flat(result.output)


# -- item: one record ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def analysis_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An analysis folder written without --runner (summary.json), and a small red JPEG
    as its annotated still."""
    folder = tmp_path_factory.mktemp("analysis")
    nc = folder / "run.nc"
    write_keypoints_netcdf(simulate_run(RunnerSpec(duration_s=20)).ds, nc)
    out = folder / "out"
    result = invoke("analyze", "--keypoints", str(nc), "--no-annotate", "--out", str(out))
    assert result.exit_code == 0, result.output
    buffer = io.BytesIO()
    Image.new("RGB", (40, 60), (200, 30, 30)).save(buffer, format="JPEG")
    (out / "frame.jpg").write_bytes(buffer.getvalue())
    return out


def verdicts(triage: dict[str, Any]) -> dict[str, str]:
    return {v["cause"]: v["verdict"] for v in triage["verdicts"]}


def stored_records(database: str) -> list[tuple[str, str | None, bytes | None]]:
    store = open_store(database)
    try:
        with store.session() as session:
            kept = records(session, get_runner(session, "ana"))
            return [(r.kind, r.source_name, r.still_jpeg) for r in kept]
    finally:
        store.close()


def test_checkup_evidence_is_stored_and_triage_and_report_agree(
    tmp_path: Path, analysis_dir: Path, database: str
) -> None:
    assert invoke("profile", "--runner", "ana").exit_code == 0
    summary = analysis_dir / "summary.json"
    answers = str(answers_file(tmp_path))
    checkup = ok_json(
        "checkup", "--runner", "ana", "--answers", answers, "--evidence", str(summary)
    )
    assert checkup["evidence_sources"][0]["kind"] == "analysis"
    assert f"{summary}: stored as analysis record 1 of runner ana" in checkup["notes"]
    still = (analysis_dir / "frame.jpg").read_bytes()
    assert stored_records(database) == [("analysis", "summary.json", still)]
    said = verdicts(checkup["triage"])
    assert said["fatigue"] != "not enough evidence"  # the clip's within-run lean drift

    triage = ok_json("triage", "--runner", "ana")
    assert verdicts(triage["triage"]) == said
    report = ok_json("report", "--runner", "ana", "--out", str(tmp_path / "report"))
    assert verdicts(report["triage"]) == said
    assert report["posture"] is not None
    assert report["lean_change_note"] != "No video analysis stored yet."

    again = ok_json("checkup", "--runner", "ana", "--answers", answers, "--evidence", str(summary))
    assert f"{summary}: already stored as analysis record 1, not stored again" in again["notes"]
    assert verdicts(again["triage"]) == said
    assert len(stored_records(database)) == 1


def test_evidence_stored_by_analyze_is_not_stored_twice(tmp_path: Path, database: str) -> None:
    assert invoke("profile", "--runner", "ana").exit_code == 0
    nc = tmp_path / "run.nc"
    write_keypoints_netcdf(simulate_run(RunnerSpec(duration_s=20)).ds, nc)
    out = tmp_path / "out"
    result = invoke(
        "analyze", "--keypoints", str(nc), "--no-annotate", "--out", str(out), "--runner", "ana"
    )
    assert result.exit_code == 0, result.output
    triage = ok_json(
        "triage", "--runner", "ana", "--answers", str(answers_file(tmp_path)),
        "--evidence", str(out / "summary.json"),
    )  # fmt: skip
    assert "already stored as analysis record 1" in " ".join(triage["notes"])
    assert len(triage["evidence_sources"]) == 1
    assert len(stored_records(database)) == 1


def test_a_bad_evidence_file_stores_nothing(
    tmp_path: Path, analysis_dir: Path, database: str
) -> None:
    assert invoke("profile", "--runner", "ana").exit_code == 0
    broken = tmp_path / "broken.json"
    broken.write_text('{"schema_version": "upright.analysis/1"', encoding="utf-8")
    result = invoke(
        "checkup", "--runner", "ana", "--answers", str(answers_file(tmp_path)),
        "--evidence", str(analysis_dir / "summary.json"), "--evidence", str(broken),
    )  # fmt: skip
    assert result.exit_code == 2
    assert "broken.json" in flat(result.output)
    assert stored_records(database) == []
    assert ok_json("profile", "--runner", "ana")["checkups"] == 0


def test_emergency_stores_no_evidence(tmp_path: Path, analysis_dir: Path, database: str) -> None:
    from upright.assessment.redflags import red_flag_questions

    assert invoke("profile", "--runner", "ana").exit_code == 0
    emergency = next(q.key for q in red_flag_questions() if q.level == "emergency")
    data = {"red_flags": dict.fromkeys(RED_FLAG_KEYS, False) | {emergency: True}}
    path = tmp_path / "emergency.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    summary = str(analysis_dir / "summary.json")
    result = invoke("checkup", "--runner", "ana", "--answers", str(path), "--evidence", summary)
    assert result.exit_code == 3
    assert stored_records(database) == []


def test_results_with_the_default_population_follow_an_athlete_profile() -> None:
    from upright.services.endurance_test import build_results
    from upright.services.runner_record import endurance_for_runner

    assert invoke("profile", "--runner", "ana", "--population", "athlete").exit_code == 0
    report = endurance_for_runner("ana", build_results({"flexor": 200.0}, None, "general"), None)
    assert report.results.population == "athlete"
    assert report.assessment.norm_id == "evans_2007"
