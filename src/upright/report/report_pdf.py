"""The PDF version of ``upright report``: a few A4 pages a physical therapist reads in two
minutes.

Sections, in order: header (alias, date, version, synthetic banner, profile), red-flag
screen, triage, posture from video, trunk endurance against norms, exercise plan, and
progress over time; the full disclaimer closes the report and its first sentence sits in
every page's footer with the page number.

The document is laid out twice in memory (the first pass counts the pages for "page N of
M") and written to disk only when complete, through a temporary file in the target
folder. Every text taken from the data is escaped for reportlab's paragraph markup.
The sections live in :mod:`upright.report._pdf_sections`; the generic building blocks
(styles, fonts, markup helpers, tables, the page footer, the file write) in
:mod:`upright.report._pdf_kit`.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.platypus import SimpleDocTemplate
from reportlab.platypus.doctemplate import LayoutError

from upright.errors import InputError
from upright.report._pdf_kit import MARGIN, first_sentence, page_decorator, write_atomic
from upright.report._pdf_sections import (
    SECTION_TITLES,
    closing,
    endurance,
    header,
    plan_section,
    posture,
    progress,
    red_flags,
    triage_section,
)
from upright.report.report_figures import SYNTHETIC_LABEL
from upright.report.report_form import form_checks_pdf
from upright.services.report import ReportData

__all__ = ["SECTION_TITLES", "to_report_pdf", "write_report_pdf"]


def _story(data: ReportData, still_jpeg: bytes | None) -> list[Any]:
    return [
        *header(data),
        *red_flags(data),
        *triage_section(data.triage, data.alias),
        *posture(data, still_jpeg),
        *endurance(data),
        *form_checks_pdf(data.form_checks, data.alias),
        *plan_section(data),
        *progress(data),
        *closing(data),
    ]


# -- layout and writing ----------------------------------------------------------------


def _layout(data: ReportData, still_jpeg: bytes | None, total: int | None) -> tuple[bytes, int]:
    """The PDF bytes and their page count."""
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=13 * mm,
        bottomMargin=14 * mm,
        title=f"upright report - {data.alias}",
        author=f"upright {data.upright_version}",
        subject="Running posture and core check-up (self-management aid, not a medical device)",
    )
    decorate = page_decorator(
        first_sentence(data.disclaimer),
        running_head=f"upright report - {data.alias}",
        label=SYNTHETIC_LABEL if data.synthetic else None,
        total=total,
    )
    doc.build(_story(data, still_jpeg), onFirstPage=decorate, onLaterPages=decorate)
    return buffer.getvalue(), int(doc.page)


def _check_still(still_jpeg: bytes) -> None:
    try:
        ImageReader(io.BytesIO(still_jpeg)).getSize()
    except OSError as exc:
        raise InputError(
            "the annotated still is not a readable JPEG or PNG image",
            fix="pass the frame.jpg written by upright analyze, or no still",
        ) from exc


def to_report_pdf(data: ReportData, *, still_jpeg: bytes | None = None) -> bytes:
    """The report as PDF bytes, laid out twice (the first pass counts the pages).

    Raises
    ------
    InputError
        ``still_jpeg`` is not an image, or the layout fails.
    """
    if still_jpeg is not None:
        _check_still(still_jpeg)
    try:
        _, pages = _layout(data, still_jpeg, None)
        pdf, _ = _layout(data, still_jpeg, pages)
    except LayoutError as exc:
        raise InputError(f"cannot lay out the report PDF ({exc})") from exc
    return pdf


def write_report_pdf(data: ReportData, path: Path, *, still_jpeg: bytes | None = None) -> None:
    """Write the report of one runner as an A4 PDF to ``path``, all or nothing.

    Parameters
    ----------
    data
        Everything the report shows (:func:`upright.services.report.gather_report`).
    path
        The PDF to write; replaced when it exists.
    still_jpeg
        The annotated still of the runner (JPEG or PNG bytes), shown beside the posture
        numbers; omitted when ``None``.

    Raises
    ------
    InputError
        The still cannot be read, the layout fails, or ``path`` cannot be written; no
        file is left behind.
    """
    path = Path(path)
    try:
        pdf = to_report_pdf(data, still_jpeg=still_jpeg)
    except InputError as exc:
        raise InputError(exc.problem, path=path, fix=exc.fix) from exc
    write_atomic(path, pdf)
