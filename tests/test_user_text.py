"""Text a user reads cites published sources only, and says doubts in words.

The team's working notes (CLINICAL.md, DESIGN.md, STYLE.md) do not ship with upright, so
no shipped file may point a user at them: text cites the paper (author, year, journal)
or docs/sources.md. A table or question not yet checked against its source says so in
words ("this table has not been checked against the original paper"), never with a
bracketed internal marker such as "[unverified table]". The first tests scan every
shipped text file; the others render what a user sees (check-up template, red-flag
screen, triage, endurance printout, HTML and PDF report) with norms and a red-flag
question that are not yet checked, and read the words back.
"""

from __future__ import annotations

import re
from pathlib import Path

import pypdfium2 as pdfium
import pytest
import yaml
from typer.testing import CliRunner

import upright
from upright.assessment.endurance import NORMS_UNCHECKED, EnduranceResults, assess_endurance
from upright.assessment.redflags import RED_FLAG_KEYS, screen_red_flags
from upright.assessment.triage import Evidence, triage
from upright.cli.main import app
from upright.report.report_html import render_report_html
from upright.report.report_pdf import write_report_pdf
from upright.services.checkup import template_text
from upright.services.report import ReportData, gather_report
from upright.services.runner_record import update_profile

PACKAGE = Path(upright.__file__).parent
#: Shipped files whose text can reach a user (code strings, data tables, templates).
TEXT_SUFFIXES = (".py", ".json", ".html", ".j2", ".txt")
#: A cited file that does not ship, or a bracketed internal marker.
INTERNAL = re.compile(
    r"CLINICAL\.md|DESIGN\.md|STYLE\.md|\[\s*unverified|\[\s*seen only in secondary",
    re.IGNORECASE,
)
#: Words that replace the markers (the norms note and the NG65 red-flag source).
NORMS_WORDS = "has not been checked against the original paper"
NG65_WORDS = "not yet checked against the NICE NG65 text"
#: Trunk holds that select the McGill 1999 norms for men (a table not yet checked).
MALE = EnduranceResults(
    flexor_s=100.0, extensor_s=120.0, side_bridge_right_s=60.0, side_bridge_left_s=58.0,
    sex="male",
)  # fmt: skip

runner = CliRunner()


def internal_text(text: str) -> list[str]:
    """Every internal file name or bracketed marker in ``text``."""
    return [m.group(0) for m in INTERNAL.finditer(text)]


def flat(text: str) -> str:
    return " ".join(text.split())


def assert_clean(text: str) -> None:
    found = internal_text(text)
    assert found == [], f"internal text shown to a user: {found}"


def inflammatory_screen_answers() -> dict[str, bool | None]:
    """Every red-flag question answered no but the NICE NG65 inflammatory pattern."""
    return dict.fromkeys(RED_FLAG_KEYS, False) | {"inflammatory_pattern": True}


# -- every shipped text file --------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "norms in CLINICAL.md section 4",
        "about 4.7 vs 11.2 deg in design.md",
        "see STYLE.md",
        "McGill 1999 men [unverified table]",
        "NICE NG65 [Unverified]: inflammatory pattern",
        "Norms: McGill 1999 [seen only in secondary sources]",
    ],
)
def test_detector_finds_each_kind_of_internal_text(text: str) -> None:
    assert internal_text(text)


def test_detector_passes_the_same_doubt_in_words() -> None:
    words = f"McGill 1999 men: {NORMS_UNCHECKED}; the row has unverified true ({NG65_WORDS})"
    assert internal_text(words) == []


def test_no_shipped_file_cites_team_notes_or_carries_a_marker() -> None:
    files = [
        p
        for p in sorted(PACKAGE.rglob("*"))
        if p.is_file() and p.name.endswith(TEXT_SUFFIXES) and "__pycache__" not in p.parts
    ]
    # the walk reached the package: its code and its data tables
    assert {p.suffix for p in files} >= {".py", ".json"}
    assert PACKAGE / "assessment" / "data" / "endurance_norms.json" in files
    hits = [
        f"{p.relative_to(PACKAGE)}:{number}: {found}"
        for p in files
        for number, line in enumerate(p.read_text(encoding="utf-8").splitlines(), start=1)
        for found in internal_text(line)
    ]
    assert hits == [], "\n".join(hits)


# -- what a user sees ---------------------------------------------------------------


def test_checkup_template_says_the_ng65_doubt_in_words() -> None:
    text = template_text()
    assert_clean(text)
    assert NG65_WORDS in flat(text)


def test_checkup_printout_cites_papers_and_says_doubts_in_words(tmp_path: Path) -> None:
    answers = {
        "red_flags": inflammatory_screen_answers(),
        "symptoms": {"standing_ache": True, "pain_onset": {"km": 6}, "pain_first_steps": False},
        "endurance": MALE.model_dump(exclude_none=True),
    }
    path = tmp_path / "answers.yaml"
    path.write_text(yaml.safe_dump(answers), encoding="utf-8")
    result = runner.invoke(app, ["checkup", "--answers", str(path)], env={"COLUMNS": "200"})
    assert result.exception is None, result.output
    out = flat(result.output)
    assert_clean(out)
    assert "Red-flag screen: review" in out
    assert NG65_WORDS in out
    assert f"Norms from McGill, Childs & Liebenson 1999, men: {NORMS_UNCHECKED}." in out
    # the posture caution gives the measured pose-model offset itself
    assert "4.7 deg from one pose model (MediaPipe) and 11.2 deg from another" in out
    assert "(Marshall, Patel & Callaghan 2011, Hum Mov Sci 30:63)" in out


def test_endurance_printout_says_the_norms_are_unchecked() -> None:
    args = ["test", "--times", "flexor=100", "extensor=120", "--sex", "male"]
    result = runner.invoke(app, args, env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    out = flat(result.output)
    assert_clean(out)
    assert "Endurance against McGill, Childs & Liebenson 1999, men" in out
    assert NORMS_WORDS in out


def test_checked_norms_carry_no_doubt() -> None:
    result = runner.invoke(app, ["test", "--times", "flexor=100", "extensor=120"])
    assert result.exit_code == 0, result.output
    out = flat(result.output)
    assert "Endurance against Anderson 2014" in out
    assert NORMS_WORDS not in out


def test_triage_result_names_the_offset_and_unchecked_norms() -> None:
    screen = screen_red_flags(inflammatory_screen_answers())
    evidence = Evidence(endurance=MALE, trunk_lean_median_deg=9.0, standing_ache=True)
    result = triage(evidence, screen)
    text = result.model_dump_json()
    assert_clean(text)
    posture = next(v for v in result.verdicts if v.cause == "posture")
    assert "4.7 deg" in posture.caution and "11.2 deg" in posture.caution
    weakness = next(v for v in result.verdicts if v.cause == "weakness")
    below = next(f for f in weakness.findings if f.rule_id == "weakness.endurance_low")
    assert "not checked against the original paper" in below.reason


def _report(alias: str) -> ReportData:
    """A stored runner's report with the unchecked norms, NG65 question and triage."""
    update_profile(alias, sex="male")
    screen = screen_red_flags(inflammatory_screen_answers())
    evidence = Evidence(endurance=MALE, trunk_lean_median_deg=9.0, standing_ache=True)
    return gather_report(alias).model_copy(
        update={
            "red_flags": screen,
            "triage": triage(evidence, screen),
            "endurance": assess_endurance(MALE),
        }
    )


def test_html_report_says_doubts_in_words() -> None:
    html = render_report_html(_report("cy"))
    text = flat(re.sub(r"<[^>]+>", " ", html))
    assert_clean(text)
    assert f"Norms: McGill, Childs &amp; Liebenson 1999, men: {NORMS_UNCHECKED}" in text
    assert NG65_WORDS in text


def test_pdf_report_says_doubts_in_words(tmp_path: Path) -> None:
    path = tmp_path / "cy.pdf"
    write_report_pdf(_report("cy"), path)
    pdf = pdfium.PdfDocument(path)
    try:
        text = flat(" ".join(page.get_textpage().get_text_range() for page in pdf))
    finally:
        pdf.close()
    assert_clean(text)
    assert "has not been checked against the original" in text
    assert "NICE NG65" in text
