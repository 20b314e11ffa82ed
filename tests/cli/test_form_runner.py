"""``upright form --runner``: the check stored once as a "form" record, nothing stored for a
refused clip, the triage unchanged by it, profile and report showing it, a backup carrying
it, and no cues for a runner whose red-flag screen is open."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest
import sqlalchemy as sa
from typer.testing import CliRunner, Result

from form_cases import PLANK_SAG_S, plank, save
from upright.assessment.answers import parse_answers
from upright.assessment.redflags import RED_FLAG_KEYS, red_flag_questions
from upright.cli.main import app
from upright.form.definitions import form_definition
from upright.report.report_html import render_report_html
from upright.report.report_pdf import to_report_pdf
from upright.services.report import gather_report
from upright.services.runner_record import checkup_for_runner
from upright.store.engine import DATABASE_URL_ENV
from upright.synthetic.exercise import ExerciseSpec, simulate_exercise

#: The plank's sag cue, as the exercise's definition gives it.
SAG_CUE = next(f.cue for f in form_definition("front_plank", None).faults if f.name == "sag")


def invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": "200"})


def flat(text: str) -> str:
    return " ".join(text.split())


def form_rows() -> list[tuple[str, str, str | None]]:
    """(kind, schema_version, source_name) of every stored record."""
    from upright.store import open_store

    store = open_store()
    try:
        with store.engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT kind, schema_version, source_name FROM record"))
            return [(r[0], r[1], r[2]) for r in rows]
    finally:
        store.close()


def stored_summaries() -> list[dict[str, Any]]:
    from upright.store import get_runner, open_store, records

    store = open_store()
    try:
        with store.session() as session:
            return [dict(r.summary) for r in records(session, get_runner(session, "ana"), "form")]
    finally:
        store.close()


def screened(alias: str = "ana", **flags: bool) -> None:
    assert invoke("profile", "--runner", alias).exit_code == 0
    answers = {"red_flags": dict.fromkeys(RED_FLAG_KEYS, False) | flags}
    checkup_for_runner(alias, parse_answers(answers), [])


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("form-runner")
    bridge = ExerciseSpec(figure="glute_bridge", offset_knots=((0.0, 0.0),))
    return {
        "plank": save(plank(), folder / "plank.nc"),
        "bridge": save(simulate_exercise(bridge).ds, folder / "bridge.nc"),
    }


def form(clip: Path, out: Path, *more: str) -> Result:
    return invoke(
        "form", "--keypoints", clip, "--exercise", "front_plank", "--out", out, "--runner", "ana",
        *more,
    )  # fmt: skip


def test_a_check_is_stored_once_with_its_clip(clips: dict[str, Path], tmp_path: Path) -> None:
    screened()
    first = form(clips["plank"], tmp_path / "one")
    assert first.exit_code == 0, first.output
    assert "Stored as form check 1 of runner ana (front plank)." in flat(first.output)
    assert SAG_CUE in flat(first.output)  # a clear screen: the cue is given
    again = form(clips["plank"], tmp_path / "two")
    assert again.exit_code == 0, again.output
    assert "it is not stored twice" in flat(again.output)
    assert form_rows() == [("form", "upright.form/1", "plank.nc")]
    [summary] = stored_summaries()
    written = json.loads((tmp_path / "one" / "summary.json").read_text("utf-8"))
    assert summary == written  # the record is the summary the folder holds
    sha = hashlib.sha256(clips["plank"].read_bytes()).hexdigest()
    assert summary["clip_sha256"] == sha
    totals = summary["totals"]
    assert totals["first_fault"]["fault"] == "sag"
    assert totals["first_fault"]["time_s"] == pytest.approx(PLANK_SAG_S, abs=0.3)
    assert totals["good_form_s"] < totals["held_s"]
    # another exercise's clip is another check
    bridge = invoke("form", "--keypoints", clips["bridge"], "--exercise", "glute_bridge",
                    "--out", tmp_path / "bridge", "--runner", "ana")  # fmt: skip
    assert bridge.exit_code == 0, bridge.output
    assert [r[2] for r in form_rows()] == ["plank.nc", "bridge.nc"]


def test_profile_counts_checks_and_shows_the_latest_per_exercise(
    clips: dict[str, Path], tmp_path: Path
) -> None:
    screened()
    assert form(clips["plank"], tmp_path / "one").exit_code == 0
    result = invoke("profile", "--runner", "ana", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["records"] == {"form": 1} and data["form_checks"] == 1
    [line] = data["latest_form_checks"]
    [summary] = stored_summaries()
    t = summary["totals"]
    assert line.startswith("Front plank, ")
    assert f"{t['good_form_s']:.1f} s of {t['held_s']:.1f} s held with good form" in line
    assert f"form first lost at {t['first_fault']['time_s']:.1f} s (hips sag)" in line
    text = flat(invoke("profile", "--runner", "ana").output)
    assert "exercise form checked from video: 1 check(s); latest: Front plank" in text


def test_a_refused_clip_or_unknown_runner_stores_and_writes_nothing(
    clips: dict[str, Path], tmp_path: Path
) -> None:
    screened()
    out = tmp_path / "refused"
    wrong = form(clips["bridge"], out)  # a bridge given as a plank: never reached
    assert wrong.exit_code == 2, wrong.output
    assert "bridge.nc" in flat(wrong.output) and "Traceback" not in wrong.output
    assert not out.exists()
    nobody = invoke("form", "--keypoints", clips["plank"], "--exercise", "front_plank",
                    "--out", tmp_path / "nobody", "--runner", "bea")  # fmt: skip
    assert nobody.exit_code == 2, nobody.output
    assert "bea" in flat(nobody.output)
    assert not (tmp_path / "nobody").exists()
    assert form_rows() == []


def _triage(*args: str) -> dict[str, Any]:
    result = invoke("triage", "--runner", "ana", "--json", *args)
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_triage_and_checkup_are_unchanged_by_a_stored_form_check(
    clips: dict[str, Path], tmp_path: Path
) -> None:
    screened()
    before = _triage()
    assert form(clips["plank"], tmp_path / "one").exit_code == 0
    assert [r[0] for r in form_rows()] == ["form"]
    after = _triage()
    assert after == before
    # a check-up reads the same stored records: it runs and stores as before
    answers = {"red_flags": dict.fromkeys(RED_FLAG_KEYS, False)}
    result = checkup_for_runner("ana", parse_answers(answers), [])
    assert result.triage is not None
    assert result.triage.model_dump() == parse_triage(before)


def parse_triage(report: dict[str, Any]) -> dict[str, Any]:
    from upright.assessment.triage import TriageResult

    return TriageResult.model_validate(report["triage"]).model_dump()


def test_a_form_summary_is_not_evidence(clips: dict[str, Path], tmp_path: Path) -> None:
    screened()
    assert form(clips["plank"], tmp_path / "one").exit_code == 0
    given = _triage_exit("--evidence", str(tmp_path / "one" / "summary.json"))
    assert given.exit_code == 2
    assert "is not an upright summary" in flat(given.output)  # of running: refused
    assert [r[0] for r in form_rows()] == ["form"]


def _triage_exit(*args: str) -> Result:
    return invoke("triage", "--runner", "ana", *args)


def test_report_shows_the_latest_check_per_exercise(clips: dict[str, Path], tmp_path: Path) -> None:
    screened()
    empty = flat(render_report_html(gather_report("ana", today=dt.date.today())))
    assert "Exercise form from video" in empty
    assert "No exercise form checked from video yet" in empty
    assert form(clips["plank"], tmp_path / "one").exit_code == 0
    report = gather_report("ana", today=dt.date.today())
    [row] = report.form_checks
    [summary] = stored_summaries()
    t = summary["totals"]
    assert (row.exercise, row.held_s, row.good_form_s) == ("front_plank", t["held_s"],
                                                           t["good_form_s"])  # fmt: skip
    html = flat(render_report_html(report))
    section = html[html.index('data-section="form"') : html.index('data-section="plan"')]
    assert f"{t['good_form_s']:.1f} s of {t['held_s']:.1f} s" in section
    assert f"hips sag, at {t['first_fault']['time_s']:.1f} s" in section
    assert dt.date.today().isoformat() in section and "plank.nc" in section
    assert SAG_CUE not in section  # measurements, not cues
    pdf = pdfium.PdfDocument(to_report_pdf(report))
    text = flat(" ".join(page.get_textpage().get_text_range() for page in pdf))
    assert "Exercise form from video" in text
    assert f"{t['good_form_s']:.1f} s of {t['held_s']:.1f} s" in text


def test_a_backup_carries_form_checks(
    clips: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    screened()
    assert form(clips["plank"], tmp_path / "one").exit_code == 0
    backup = tmp_path / "ana.json"
    assert invoke("export", "--runner", "ana", "--out", backup).exit_code == 0
    doc = json.loads(backup.read_text("utf-8"))
    assert [r["kind"] for r in doc["records"]] == ["form"]
    monkeypatch.setenv(DATABASE_URL_ENV, f"sqlite:///{tmp_path / 'fresh.db'}")
    result = invoke("import-backup", backup)
    assert result.exit_code == 0, result.output
    assert [r[0] for r in form_rows()] == ["form"]
    again = form(clips["plank"], tmp_path / "two")  # restored: still the same clip
    assert "it is not stored twice" in flat(again.output)


def test_a_blocked_runner_gets_the_screen_instead_of_cues(
    clips: dict[str, Path], tmp_path: Path
) -> None:
    review = next(q.key for q in red_flag_questions() if q.level == "review")
    screened(**{review: True})
    result = form(clips["plank"], tmp_path / "one")
    assert result.exit_code == 2, result.output
    out = flat(result.output)
    assert "Held 14.0 s" in out and "hips sag" in out  # the measurement is shown
    assert "Red-flag screen: review" in out
    assert "No form cues until a clinician has cleared you" in out
    assert "Stored as form check 1 of runner ana" in out
    assert SAG_CUE not in out
    written = json.loads((tmp_path / "one" / "summary.json").read_text("utf-8"))
    assert written["totals"]["first_fault"]["cue"] == ""
    assert all(t["cue"] == "" for t in written["exercise"]["tolerances"])
    assert stored_summaries() == [written]
    as_json = form(clips["plank"], tmp_path / "two", "--json")
    assert as_json.exit_code == 2
    assert SAG_CUE not in as_json.stdout
    assert json.loads(as_json.stdout)["totals"]["first_fault"]["label"] == "hips sag"


def test_help_names_the_runner_option_and_the_red_flag_rule() -> None:
    text = flat(invoke("form", "--help").output)
    assert "--runner" in text
    assert "stored for the runner (once per clip, exercise and side)" in text
    assert "stored without its cues and the screen is shown instead" in text


def test_a_runner_never_screened_gets_no_cues(clips: dict[str, Path], tmp_path: Path) -> None:
    assert invoke("profile", "--runner", "ana").exit_code == 0  # no check-up stored
    result = form(clips["plank"], tmp_path / "one")
    assert result.exit_code == 2, result.output
    out = flat(result.output)
    assert "Red-flag screen: incomplete" in out and SAG_CUE not in out
    assert "No form cues until every red-flag question is answered" in out
    assert [r[0] for r in form_rows()] == ["form"]
