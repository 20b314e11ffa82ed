"""Export a plan as an iCalendar file (RFC 5545), written by hand.

One all-day VEVENT per session. Lines end in CRLF and are folded so no line is longer
than 75 octets (RFC 5545 section 3.1); text values are escaped (section 3.3.11).
"""

from __future__ import annotations

import datetime as dt
import hashlib

from upright.errors import InputError
from upright.program.plan import Plan, Session
from upright.summaries import DISCLAIMER

__all__ = ["escape_text", "fold_line", "plan_to_ics"]

_MAX_OCTETS = 75
_PRODID = "-//upright//exercise plan//EN"


def escape_text(value: str) -> str:
    """Escape a TEXT value: backslash, semicolon, comma and newlines (RFC 5545 3.3.11)."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def fold_line(line: str) -> str:
    """Fold one content line into CRLF-joined pieces of at most 75 octets.

    Continuation lines start with one space, which counts towards their 75 octets; a
    multi-byte UTF-8 character is never split.
    """
    pieces: list[str] = []
    current = ""
    size = 0
    limit = _MAX_OCTETS
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            pieces.append(current)
            current, size, limit = " ", 1, _MAX_OCTETS
        current += char
        size += width
    pieces.append(current)
    return "\r\n".join(pieces)


def _description(session: Session) -> str:
    lines = [f"Stage {session.stage}, about {session.duration_min:g} min."]
    lines += [f"- {p.name}: {p.dose}" for p in session.exercises]
    lines += session.notes
    lines.append(DISCLAIMER)
    return "\n".join(lines)


def _uid(plan: Plan, session: Session) -> str:
    seed = f"{plan.start_date.isoformat()}|{plan.weeks}|{plan.sessions_per_week}"
    seed += "|" + ",".join(p.key for p in session.exercises)
    digest = hashlib.sha256(seed.encode("utf-8")).hexdigest()[:16]
    return f"{digest}-{session.number}@upright"


def plan_to_ics(plan: Plan, *, dtstamp: dt.datetime | None = None) -> str:
    """Return the plan as an iCalendar document, one all-day VEVENT per session.

    Parameters
    ----------
    plan
        A plan from :func:`upright.program.plan.build_plan`.
    dtstamp
        Creation time written in every DTSTAMP (UTC); now by default.

    Raises
    ------
    InputError
        The plan is blocked and has no sessions.
    """
    if plan.blocked:
        raise InputError(
            "calendar: the plan is blocked and has no sessions",
            fix=plan.blocked_reason or "Complete the red-flag screen first",
        )
    stamp = (dtstamp or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    stamp_text = stamp.strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{_PRODID}",
        "CALSCALE:GREGORIAN",
    ]
    for session in plan.sessions:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{_uid(plan, session)}",
            f"DTSTAMP:{stamp_text}",
            f"DTSTART;VALUE=DATE:{session.date.strftime('%Y%m%d')}",
            f"DTEND;VALUE=DATE:{(session.date + dt.timedelta(days=1)).strftime('%Y%m%d')}",
            "SUMMARY:"
            + escape_text(f"upright core and glute session {session.number} (week {session.week})"),
            "DESCRIPTION:" + escape_text(_description(session)),
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(fold_line(line) + "\r\n" for line in lines)
