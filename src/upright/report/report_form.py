"""The report's "Exercise form from video" section, in HTML and as PDF flowables: per
exercise (and side) the latest stored ``upright form`` check: its date, the seconds held
with good form out of the seconds held, and the first fault and when it came.

Measurements only: the cues for a fault are not repeated here.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from html import escape
from typing import Any, Final

from upright.services.form_record import FormCheckRow

__all__ = ["FORM_TITLE", "form_cells", "form_checks_html", "form_checks_pdf"]

FORM_TITLE: Final = "Exercise form from video"
FORM_HEADER: Final = ("Exercise", "Checked", "Good form of held", "First fault", "Clip")


def _first_fault(row: FormCheckRow) -> str:
    if row.first_fault is None or row.first_fault_s is None:
        return "none: good form throughout"
    return f"{row.first_fault}, at {row.first_fault_s:.1f} s"


def _held(row: FormCheckRow) -> str:
    text = f"{row.good_form_s:.1f} s of {row.held_s:.1f} s"
    if row.reps is not None:
        text += f"; {row.good_reps} of {row.reps} reps"
    return text


def form_cells(row: FormCheckRow) -> tuple[str, str, str, str, str]:
    """One check as plain-text cells of :data:`FORM_HEADER`."""
    clip = (row.clip_name or "-") + (" (synthetic figure)" if row.synthetic else "")
    return (
        row.label,
        row.when.astimezone().date().isoformat(),
        _held(row),
        _first_fault(row),
        clip,
    )


def _empty(alias: str) -> str:
    return (
        "No exercise form checked from video yet: film an exercise and run upright form "
        f"CLIP --exercise KEY --runner {shlex.quote(alias)}."
    )


def form_checks_html(rows: Sequence[FormCheckRow], alias: str) -> str:
    """The section's body: a table of the latest check per exercise, or how to add one."""
    if not rows:
        return f"<p>{escape(_empty(alias))}</p>"
    head = "".join(f"<th>{escape(h)}</th>" for h in FORM_HEADER)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(c)}</td>" for c in form_cells(r)) + "</tr>" for r in rows
    )
    return (
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
        '<p class="small">The latest check of each exercise; the time held with good form '
        "counts towards the prescribed hold.</p>"
    )


def form_checks_pdf(rows: Sequence[FormCheckRow], alias: str) -> list[Any]:
    """The section as PDF flowables: heading, then the table or how to add a check."""
    from reportlab.lib.units import mm
    from reportlab.platypus import KeepTogether

    from upright.report._pdf_kit import WIDTH, cells, esc, grid, heading, para

    head = heading(FORM_TITLE)
    if not rows:
        return [head, para(esc(_empty(alias)))]
    table = [cells(*(f"<b>{esc(h)}</b>" for h in FORM_HEADER))]
    table += [cells(*(esc(c) for c in form_cells(r))) for r in rows]
    widths = [38 * mm, 20 * mm, 34 * mm, 45 * mm]
    return [KeepTogether([head, grid(table, [*widths, WIDTH - sum(widths)])])]
