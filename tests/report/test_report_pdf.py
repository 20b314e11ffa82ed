"""Tests of the PDF report (upright.report.report_pdf) and its figures (report_figures).

A report of a made-up runner is built from the domain functions (red-flag screen,
triage, endurance, plan) and a hand-made analysis whose trunk lean is exactly 8.0 deg at
the median; the PDF's text is read back with pypdfium2 and page 1 is rendered to check
it is not blank. An empty report comes from a runner stored with a profile only.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path
from typing import Any

import numpy as np
import pypdfium2 as pdfium
import pytest
from PIL import Image

from upright.assessment.endurance import EnduranceResults, assess_endurance
from upright.assessment.redflags import RED_FLAG_KEYS, red_flag_questions, screen_red_flags
from upright.assessment.triage import Evidence, triage
from upright.errors import InputError
from upright.program import Decision, build_plan
from upright.report.report_figures import lean_over_clip_png, progress_png
from upright.report.report_pdf import write_report_pdf
from upright.services.report import (
    EndurancePoint,
    LeanChange,
    LeanPoint,
    ReportData,
    RunRow,
    SessionRow,
    gather_report,
)
from upright.services.runner_record import update_profile
from upright.summaries import (
    AnalysisSummary,
    DriftSummary,
    MetricSummary,
    QualityCheck,
    SetupSummary,
    SourceSummary,
    StridePoint,
)

HEADINGS = (
    "Red-flag screen",
    "Triage: what may drive the pain",
    "Posture from video",
    "Trunk endurance against norms",
    "Exercise plan",
    "Progress over time",
    "Disclaimer",
)
SYNTHETIC = "SYNTHETIC DEMO RUNNER"
START = dt.date(2026, 3, 2)
N_STRIDES = 41
BEFORE = EnduranceResults(
    flexor_s=70.0, extensor_s=95.0, side_bridge_right_s=41.0, side_bridge_left_s=38.0,
    prone_plank_s=42.0, single_leg_bridge_left_reps=16, single_leg_bridge_right_reps=18,
    sex="female",
)  # fmt: skip
AFTER = BEFORE.model_copy(
    update={"flexor_s": 92.0, "extensor_s": 118.0, "side_bridge_right_s": 75.0,
            "side_bridge_left_s": 66.0, "single_leg_bridge_left_reps": 21}
)  # fmt: skip


def _when(day: int, hour: int = 9) -> dt.datetime:
    return dt.datetime.combine(START + dt.timedelta(days=day), dt.time(hour), tzinfo=dt.UTC)


def _analysis(synthetic: bool) -> AnalysisSummary:
    """A 30 s clip whose trunk lean rises linearly from 7 to 9 deg: median exactly 8.0."""
    strides = [
        StridePoint(
            start_s=0.7 * i,
            trunk_lean_stance_deg=7.0 + 2.0 * i / (N_STRIDES - 1),
            head_trunk_deg=5.0 + (0.5 if i % 2 else -0.5),
        )
        for i in range(N_STRIDES)
    ]
    return AnalysisSummary(
        upright_version="0.1.0",
        created_utc="2026-03-23T09:00:00+00:00",
        synthetic=synthetic,
        source=SourceSummary(file="treadmill.mp4", kind="video", pose_source="mediapipe",
                             fps=60.0, n_frames=1800, duration_s=30.0, width_px=1080,
                             height_px=1920),
        setup=SetupSummary(direction="right", setting="treadmill", setting_source="detected",
                           tilt_deg=0.0, tilt_source="ground line", head_point="mid_ear",
                           leg_length_px=300.0, height_cm=170.0, step_period_s=0.35,
                           processing="lowpass"),
        cadence_spm=171.4,
        metrics={
            "trunk_lean_stance_deg": MetricSummary(value=8.0, spread=0.6, n_strides=N_STRIDES,
                                                   unit="deg", description="trunk lean"),
            "head_trunk_deg": MetricSummary(value=5.0, spread=0.5, n_strides=N_STRIDES,
                                            unit="deg", description="head-trunk"),
        },
        drift=[DriftSummary(metric="trunk_lean_stance_deg", unit="deg", n_strides=N_STRIDES,
                            span_s=28.0, change=2.0, ci95_low=1.9, ci95_high=2.1, noise_sd=0.0,
                            mdc95=0.1, threshold=3.0, flagged=False,
                            reason="a change of +2.0 deg is below the flag level of 3.0 deg")],
        quality=[QualityCheck(name="frame_rate", passed=True, value=60.0, limit=">= 25 fps",
                              message="60.0 fps")],
        withheld=[],
        notes=["Absolute trunk lean carries a pose-model offset of several degrees."],
        strides=strides,
    )  # fmt: skip


def _history() -> list[EndurancePoint]:
    points = []
    for day, results in ((0, BEFORE), (21, AFTER)):
        for field, value in results.model_dump(exclude={"sex", "population"}).items():
            if value is not None:
                unit = "reps" if field.endswith("_reps") else "s"
                points.append(EndurancePoint(when=_when(day), field=field, value=value, unit=unit))
    return points


def _logs() -> tuple[list[SessionRow], list[RunRow]]:
    sessions = [
        SessionRow(day=START + dt.timedelta(days=d), level=1, completed=True, form="good",
                   pain_during=pain, pain_next_morning=max(pain - 1, 0))
        for d, pain in ((0, 3), (2, 2), (4, 2), (7, 4), (9, 2), (21, 2))
    ]  # fmt: skip
    runs = [
        RunRow(day=START + dt.timedelta(days=d), distance_km=km, duration_min=km * 5.8,
               pain_during=pain, pain_after=pain, pain_next_morning=1, pain_onset_km=None,
               pain_onset_min=None)
        for d, km, pain in ((1, 8.0, 5), (8, 10.0, 3), (20, 12.0, 2))
    ]  # fmt: skip
    return sessions, runs


def make_report(
    *, alias: str = "ana", synthetic: bool = False, red_flag: str | None = None, **update: Any
) -> ReportData:
    """A full report; ``red_flag`` answers yes to one question (its key)."""
    answers: dict[str, bool | None] = dict.fromkeys(RED_FLAG_KEYS, False)
    if red_flag is not None:
        answers[red_flag] = True
    screen = screen_red_flags(answers)
    analysis = _analysis(synthetic)
    evidence = Evidence(standing_ache=True, pain_onset_km=8.0, endurance=AFTER,
                        trunk_lean_median_deg=8.0, lean_drift_change_deg=2.0,
                        lean_drift_flagged=False)  # fmt: skip
    result = triage(evidence, screen)
    sessions, runs = _logs()
    fields: dict[str, Any] = {
        "upright_version": "0.1.0",
        "created_utc": "2026-03-23T10:00:00+00:00",
        "alias": alias,
        "sex": "female",
        "age_band": "30-39",
        "height_cm": 170.0,
        "synthetic": synthetic,
        "checkup_taken": _when(0, 8),
        "red_flags": screen,
        "triage": result,
        "posture": analysis,
        "posture_when": _when(21, 10),
        "lean_history": [
            LeanPoint(when=_when(0, 10), source="first.mp4", median_deg=11.5, spread_deg=1.2,
                      n_strides=40, drift_change_deg=4.0, drift_flagged=True,
                      synthetic=synthetic),
            LeanPoint(when=_when(21, 10), source="treadmill.mp4", median_deg=8.0,
                      spread_deg=0.6, n_strides=N_STRIDES, drift_change_deg=2.0,
                      drift_flagged=False, synthetic=synthetic),
        ],
        "lean_change": LeanChange(first="2026-03-02 (first.mp4)",
                                  latest="2026-03-23 (treadmill.mp4)", change_deg=-3.5,
                                  ci95_low=-3.9, ci95_high=-3.1, mdc95_deg=0.4,
                                  beyond_noise=True, reason="fell by -3.5 deg"),
        "lean_change_note": "",
        "endurance": assess_endurance(AFTER, BEFORE),
        "endurance_history": _history(),
        "level": 1,
        "decision": Decision(action="hold", current_level=1, new_level=1,
                             reason="One good session: one more is needed."),
        "plan": build_plan(result, screen, start_date=START + dt.timedelta(days=21)),
        "plan_note": "",
        "sessions": sessions,
        "runs": runs,
    }  # fmt: skip
    return ReportData(**(fields | update))


def pdf_text(path: Path) -> list[str]:
    """Each page's text, whitespace collapsed to single spaces."""
    pdf = pdfium.PdfDocument(path)
    try:
        return [" ".join(page.get_textpage().get_text_range().split()) for page in pdf]
    finally:
        pdf.close()


def one_line(text: str) -> str:
    return " ".join(text.split())


def still_jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (270, 480), (90, 120, 90)).save(buffer, format="JPEG")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def full_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("report") / "report.pdf"
    write_report_pdf(make_report(), path, still_jpeg=still_jpeg())
    return path


# -- the full report -------------------------------------------------------------------


def test_pdf_is_2_to_4_pages(full_pdf: Path) -> None:
    assert full_pdf.read_bytes().startswith(b"%PDF")
    assert 2 <= len(pdf_text(full_pdf)) <= 4


def test_pdf_has_every_section_and_the_measured_values(full_pdf: Path) -> None:
    data = make_report()
    text = " ".join(pdf_text(full_pdf))
    for heading in HEADINGS:
        assert heading in text
    assert "upright report - ana" in text
    assert "Status: CLEAR" in text
    assert data.triage is not None
    for verdict in data.triage.verdicts:
        assert verdict.title in text
        assert verdict.verdict in text
    assert "8.0 deg ± 0.6" in text
    assert "beyond measurement noise" in text
    assert "pose-model offset" in text
    assert "OUT OF RANGE" in text  # right/left side bridge 75/66 = 1.14
    assert "6 exercise sessions logged" in text
    assert "3 runs logged" in text
    assert one_line(data.disclaimer) in text
    assert SYNTHETIC not in text


def test_disclaimer_appears_once_and_its_first_sentence_on_every_page(full_pdf: Path) -> None:
    pages = pdf_text(full_pdf)
    first = "upright is a training and self-management aid, not a medical device; it does not "
    for number, page in enumerate(pages, start=1):
        assert first in page
        assert f"page {number} of {len(pages)}" in page
    text = " ".join(pages)
    assert text.count("Seek emergency care now") == 1


def test_page_1_is_not_blank(full_pdf: Path) -> None:
    pdf = pdfium.PdfDocument(full_pdf)
    try:
        image = pdf[0].render(scale=0.5).to_pil().convert("L")
    finally:
        pdf.close()
    ink = float((np.asarray(image) < 240).mean())
    assert ink > 0.03


def test_synthetic_report_is_labelled_on_every_page(tmp_path: Path) -> None:
    path = tmp_path / "demo.pdf"
    write_report_pdf(make_report(synthetic=True), path)
    for page in pdf_text(path):
        assert f"{SYNTHETIC} - not a real person" in page


def test_text_from_the_data_is_escaped(tmp_path: Path) -> None:
    path = tmp_path / "odd.pdf"
    write_report_pdf(make_report(alias="ana & <bo>"), path)
    assert "upright report - ana & <bo>" in pdf_text(path)[0]


def test_red_flag_hit_shows_its_level_and_blocks_the_plan(tmp_path: Path) -> None:
    question = next(q for q in red_flag_questions() if q.level == "review")
    path = tmp_path / "review.pdf"
    write_report_pdf(make_report(red_flag=question.key), path)
    text = " ".join(pdf_text(path))
    assert "Status: REVIEW" in text
    assert one_line(question.question) in text
    assert "No plan:" in text


# -- nothing stored but a profile ------------------------------------------------------


def test_report_of_a_profile_only_says_what_is_missing(tmp_path: Path) -> None:
    update_profile("bo", sex="male")
    data = gather_report("bo")
    path = tmp_path / "bo.pdf"
    write_report_pdf(data, path)
    text = " ".join(pdf_text(path))
    for heading in HEADINGS:
        assert heading in text
    for missing in (
        "NO CHECK-UP STORED",
        "No triage yet",
        "No video analysis stored yet",
        "No endurance test stored yet",
        "No plan: No check-up stored",
        "No sessions or runs logged yet",
    ):
        assert missing in text


# -- failures --------------------------------------------------------------------------


def test_missing_folder_raises_naming_the_path(tmp_path: Path) -> None:
    path = tmp_path / "missing" / "report.pdf"
    with pytest.raises(InputError, match=re.escape(str(path))):
        write_report_pdf(make_report(), path)
    assert not path.parent.exists()


def test_unwritable_target_leaves_no_file(tmp_path: Path) -> None:
    target = tmp_path / "report.pdf"
    target.mkdir()  # a folder where the file should go: the final rename fails
    with pytest.raises(InputError, match=re.escape(str(target))):
        write_report_pdf(make_report(), target)
    assert target.is_dir()
    assert [p.name for p in tmp_path.iterdir()] == ["report.pdf"]


def test_unreadable_still_raises_and_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    with pytest.raises(InputError, match="still"):
        write_report_pdf(make_report(), path, still_jpeg=b"not a jpeg")
    assert not path.exists()


# -- figures ---------------------------------------------------------------------------


def test_figures_are_png_for_a_full_report() -> None:
    data = make_report()
    for figure in (progress_png(data), lean_over_clip_png(data)):
        assert figure is not None
        assert figure.startswith(b"\x89PNG")
        width, _ = Image.open(io.BytesIO(figure)).size
        assert width >= 1000  # print resolution: 7.2 in at 170 dpi


def test_figures_are_none_with_nothing_to_plot() -> None:
    empty = make_report(
        posture=None, lean_history=[], lean_change=None, endurance=None,
        endurance_history=[], sessions=[], runs=[],
    )  # fmt: skip
    assert progress_png(empty) is None
    assert lean_over_clip_png(empty) is None
    no_strides = make_report(posture=_analysis(False).model_copy(update={"strides": []}))
    assert lean_over_clip_png(no_strides) is None


def test_progress_with_one_kind_of_record_still_draws() -> None:
    only_runs = make_report(lean_history=[], endurance_history=[], sessions=[])
    figure = progress_png(only_runs)
    assert figure is not None
    assert figure.startswith(b"\x89PNG")
