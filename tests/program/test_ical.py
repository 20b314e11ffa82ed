"""iCalendar export: structure, CRLF, folding at 75 octets, one VEVENT per session."""

from __future__ import annotations

import datetime as dt

import pytest

from program.factories import clear_screen, make_triage
from upright.assessment.redflags import screen_red_flags
from upright.errors import InputError
from upright.program.ical import escape_text, fold_line, plan_to_ics
from upright.program.plan import build_plan

START = dt.date(2026, 1, 5)
STAMP = dt.datetime(2026, 1, 1, 12, 0, tzinfo=dt.UTC)
PLAN = build_plan(
    make_triage(weakness="likely", posture="likely"), clear_screen(), start_date=START
)
ICS = plan_to_ics(PLAN, dtstamp=STAMP)


def _unfold(text: str) -> list[str]:
    return text.replace("\r\n ", "").split("\r\n")[:-1]


def test_calendar_structure() -> None:
    lines = _unfold(ICS)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert "VERSION:2.0" in lines and any(x.startswith("PRODID:") for x in lines)
    assert lines.count("BEGIN:VEVENT") == lines.count("END:VEVENT") == len(PLAN.sessions)


def test_crlf_line_endings_only() -> None:
    assert ICS.endswith("\r\n")
    assert "\n" not in ICS.replace("\r\n", "")
    assert "\r" not in ICS.replace("\r\n", "")


def test_lines_fold_at_75_octets() -> None:
    physical = ICS.split("\r\n")[:-1]
    assert all(len(line.encode("utf-8")) <= 75 for line in physical)
    assert any(line.startswith(" ") for line in physical)


def test_folding_never_splits_a_multibyte_character() -> None:
    line = "DESCRIPTION:" + "é" * 100
    folded = fold_line(line)
    parts = folded.split("\r\n")
    assert all(len(p.encode("utf-8")) <= 75 for p in parts)
    assert "".join(p[1:] if i else p for i, p in enumerate(parts)) == line


def test_events_carry_uid_stamp_dates_and_exercises() -> None:
    lines = _unfold(ICS)
    uids = [x for x in lines if x.startswith("UID:")]
    assert len(set(uids)) == len(PLAN.sessions)
    assert lines.count("DTSTAMP:20260101T120000Z") == len(PLAN.sessions)
    starts = [x for x in lines if x.startswith("DTSTART;VALUE=DATE:")]
    assert starts[:3] == [
        "DTSTART;VALUE=DATE:20260105",
        "DTSTART;VALUE=DATE:20260107",
        "DTSTART;VALUE=DATE:20260109",
    ]
    summaries = [x for x in lines if x.startswith("SUMMARY:")]
    assert len(summaries) == len(PLAN.sessions)
    description = next(x for x in lines if x.startswith("DESCRIPTION:"))
    assert "Side plank" in description and "Clamshell" in description.title()
    assert "not a medical device" in description
    assert "\\n" in description and "\\," in description


def test_escape_text() -> None:
    assert escape_text("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"


def test_blocked_plan_cannot_be_exported() -> None:
    blocked = build_plan(make_triage(), screen_red_flags({}), start_date=START)
    with pytest.raises(InputError, match="plan is blocked"):
        plan_to_ics(blocked)
